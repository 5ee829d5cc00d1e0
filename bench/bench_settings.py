"""Settings for the benchmarks: the real settings plus a floor URL (see bench/bench_urls.py)."""

from tongban.config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.bench_urls"
AXES_ENABLED = False
LOGGING = {"version": 1, "disable_existing_loggers": True}

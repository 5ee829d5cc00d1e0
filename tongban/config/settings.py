"""Settings for tongban, read from the environment.

Every value has a safe production default; ``make demo`` and the tests set what they need.
See ``docs/administration.md`` for the full list of variables.
"""

import os
import secrets
import sys
from datetime import timedelta
from pathlib import Path

import dj_database_url

from tongban.config.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent  # the tongban package
PROJECT_DIR = BASE_DIR.parent
VAR_DIR = Path(env_str("TONGBAN_VAR_DIR", str(PROJECT_DIR / "var")))

DEBUG = env_bool("DEBUG", False)
TESTING = "pytest" in sys.modules or env_bool("TONGBAN_TESTING", False)


def _secret_key() -> str:
    """SECRET_KEY from the environment; else a random key kept in var/ (one per install)."""
    key = env_str("SECRET_KEY", "")
    if key:
        return key
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "tongban.core",
    "tongban.org",
    "tongban.accounts",
    "tongban.workdays",
    "tongban.catalog",
    "tongban.notify",
    "tongban.cases",
    "tongban.licences",
    "tongban.ratings",
    "tongban.exchange",
    "tongban.portal",
    "tongban.api",
    "tongban.demo",
]

MIDDLEWARE = [
    # First: the request id is on every log line and response; metrics time everything.
    "tongban.core.observability.logs.RequestIdMiddleware",
    "tongban.core.observability.metrics.MetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "tongban.core.security.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After the locale (pages in the user's language), before anything reads the body.
    "tongban.core.security.RequestSizeLimitMiddleware",
    "tongban.core.security.RateLimitMiddleware",
    "tongban.core.middleware.RejectNulBytesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "tongban.accounts.middleware.SessionTimeoutMiddleware",
    "tongban.accounts.middleware.SecondFactorMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tongban.config.urls"
WSGI_APPLICATION = "tongban.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tongban.portal.context_processors.portal",
            ],
        },
    },
]

# --- Database: SQLite (WAL) by default, PostgreSQL through DATABASE_URL -------------------
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'tongban.sqlite3'}")
# Persistent connections on both databases: opening one per request costs more than most
# pages (PostgreSQL ~14x a small query; SQLite re-runs the PRAGMAs below every time).
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("CONN_MAX_AGE", 600))
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers run beside the one writer; IMMEDIATE takes the write lock at
        # BEGIN so two writers queue instead of failing with "database is locked" midway.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            " PRAGMA busy_timeout=10000;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    if not DATABASE_URL.startswith("sqlite:////") and "memory" not in DATABASE_URL:
        VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- People ------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "tongban.accounts.backends.IdentifierBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:  # same algorithm, tiny costs: see FastTestArgon2PasswordHasher
    PASSWORD_HASHERS.insert(0, "tongban.accounts.passwords.FastTestArgon2PasswordHasher")
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "tongban.accounts.passwords.PersonalDataPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGOUT_REDIRECT_URL = "portal:home"

# Repeated failed logins: 5 failures for one account from one address lock that account
# for that address for 30 minutes; whoever guesses cannot lock the owner out from elsewhere.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Guesses spread over many addresses: past this many failures for one account within the
# cool-off, only addresses it has signed in from before (and accounts with a second factor)
# get through (accounts.backends.AccountAndSourceHandler).
AXES_HANDLER = "tongban.accounts.backends.AccountAndSourceHandler"
TONGBAN_LOGIN_ACCOUNT_CEILING = env_int("TONGBAN_LOGIN_ACCOUNT_CEILING", 20)
# The same client address as the rate limits (X-Forwarded-For only behind our own proxy);
# none rather than "unknown" when a request has no address.
AXES_CLIENT_IP_CALLABLE = "tongban.accounts.backends.axes_client_address"
# Unknown identifiers are stored as a keyed digest, never as a raw ID or phone number.
AXES_USERNAME_CALLABLE = "tongban.accounts.backends.axes_username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
AXES_LOCKOUT_CALLABLE = "tongban.accounts.views.lockout_response"
AXES_ENABLED = env_bool("AXES_ENABLED", True)

# Second factors and sessions (docs/security-authentication.md). WebAuthn refuses an IP
# address as relying party: open the demo at http://localhost:8000 to use a security key.
TONGBAN_WEBAUTHN_RP_ID = env_str("TONGBAN_WEBAUTHN_RP_ID", "localhost")
TONGBAN_SESSION_IDLE_SECONDS = {
    "official": env_int("TONGBAN_SESSION_IDLE_OFFICIAL", 30 * 60),
    "citizen": env_int("TONGBAN_SESSION_IDLE_CITIZEN", 2 * 3600),
}

# --- Language and time -------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files (uploads live outside the web root) ------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = VAR_DIR / "media"
# Files applicants upload (materials): outside the web root, served only through permission
# checks, and written only through this storage (cases/materials.py), which backup and
# restore cover. A multi-node site points it at S3-compatible storage (MinIO) instead.
CASES_UPLOAD_DIR = env_str("CASES_UPLOAD_DIR", str(VAR_DIR / "uploads"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
    "materials": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": CASES_UPLOAD_DIR,
            "file_permissions_mode": 0o600,
            "directory_permissions_mode": 0o700,
        },
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING
if TESTING:
    STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 5 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
CATALOG_IMPORT_MAX_BYTES = env_int("CATALOG_IMPORT_MAX_BYTES", 20 * 1024 * 1024)

# --- Security ----------------------------------------------------------------------------
HTTPS = env_bool("HTTPS", False)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)
TONGBAN_SESSION_ABSOLUTE_SECONDS = SESSION_COOKIE_AGE
SECURE_SSL_REDIRECT = HTTPS and env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# No inline script or style anywhere, the admin included (tongban.core.security).
TONGBAN_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'"
)
TONGBAN_PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
# 413 above this many bytes in one request, decided from Content-Length before reading the
# body. Keep it above every per-form limit (CATALOG_IMPORT_MAX_BYTES plus form overhead) so
# a file a little too large still gets its form's own message.
TONGBAN_MAX_REQUEST_BYTES = env_int("TONGBAN_MAX_REQUEST_BYTES", 25 * 1024 * 1024)
# Requests per minute per client address and route group; 0 turns a limit off. Counted in
# the cache: shared by all processes with CACHE_URL=redis://, per process otherwise.
TONGBAN_RATE_LIMITS = {
    "login": env_int("TONGBAN_RATE_LIMIT_LOGIN", 20),  # form posts only
    "register": env_int("TONGBAN_RATE_LIMIT_REGISTER", 20),  # form posts only
    "search": env_int("TONGBAN_RATE_LIMIT_SEARCH", 60),
    "api": env_int("TONGBAN_RATE_LIMIT_API", 120),
}
if TESTING:  # tests that exercise the limiter set their own limits
    TONGBAN_RATE_LIMITS = dict.fromkeys(TONGBAN_RATE_LIMITS, 1_000_000)
# Behind our own reverse proxy: take the client address from the last X-Forwarded-For entry.
TONGBAN_TRUST_X_FORWARDED_FOR = env_bool("TONGBAN_TRUST_X_FORWARDED_FOR", False)

# --- Health and metrics (/healthz public, /metrics for these addresses or networks) -------
TONGBAN_METRICS_ALLOWED = env_list("TONGBAN_METRICS_ALLOWED", ["127.0.0.1", "::1"])
TONGBAN_HEALTH_MAX_TASK_WAIT = env_int("TONGBAN_HEALTH_MAX_TASK_WAIT", 900)  # seconds
TONGBAN_HEALTH_MIN_FREE_BYTES = env_int("TONGBAN_HEALTH_MIN_FREE_BYTES", 512 * 1024 * 1024)
# Gauges read at scrape time: name -> (help, dotted path of a callable giving a number or a
# queryset to count).
TONGBAN_METRICS_GAUGES = {
    "tongban_published_items": (
        "Service items published in the catalogue.",
        "tongban.catalog.queries.published_items",
    ),
    "tongban_audit_records": (
        "Audit records written.",
        "tongban.core.observability.metrics.audit_record_count",
    ),
    "tongban_tasks_ready": (
        "Background tasks waiting for a worker.",
        "tongban.core.observability.metrics.ready_task_count",
    ),
}

# --- Background work (Django tasks API through the django-tasks backport) ---------------
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if TESTING
            else "django_tasks_db.DatabaseBackend"
        ),
        "QUEUES": ["default"],
    }
}

# --- Caching -----------------------------------------------------------------------------
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if env_str("CACHE_URL").startswith("redis://"):
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env_str("CACHE_URL"),
    }

# --- Cryptography (docs/adr/0003-crypto-suites.md) ----------------------------------------
# "intl": Ed25519, SHA-256, AES-256-GCM; "gm" (国密): SM2 with SM3, SM3, SM4-GCM.
TONGBAN_CRYPTO_SUITE = env_str("TONGBAN_CRYPTO_SUITE", "intl")
# Key-encryption key for the key store (base64, 32 bytes), or a file holding it.
# (Read as is: the key store itself reads TONGBAN_KEK_FILE and refuses both at once.)
TONGBAN_KEK = os.environ.get("TONGBAN_KEK", "")
TONGBAN_KEK_FILE = os.environ.get("TONGBAN_KEK_FILE", "")

# --- Platform ----------------------------------------------------------------------------
TONGBAN_CITY_NAME = env_str("TONGBAN_CITY_NAME", "")
# The 6-digit GB/T 2260 code at the head of case numbers (default: the first prefecture-level
# region in the database, which is what the demo city needs).
TONGBAN_CITY_CODE = env_str("TONGBAN_CITY_CODE", "")
# The address people reach the portal at; e-mail and SMS links are made absolute with it.
TONGBAN_SITE_URL = env_str("TONGBAN_SITE_URL", "http://127.0.0.1:8000" if DEBUG else "")
# PDF receipts embed this CJK font ("path" or "path#face index" for a .ttc collection);
# empty: Noto Sans CJK SC from the fonts-noto-cjk package.
TONGBAN_CJK_FONT = env_str("TONGBAN_CJK_FONT", "")

# --- Scheduled jobs and accounts (docs/administration.md) --------------------------------
TONGBAN_STALE_STAFF_DAYS = env_int("TONGBAN_STALE_STAFF_DAYS", 90)
TONGBAN_SCHEDULER_KEEP_DAYS = env_int("TONGBAN_SCHEDULER_KEEP_DAYS", 30)
TONGBAN_SCHEDULER_GRACE_SECONDS = env_int("TONGBAN_SCHEDULER_GRACE_SECONDS", 120)
# The outbox (docs/adr/0007-one-outbox.md): every effect after commit is retried after 1, 2,
# 4 … x RETRY_SECONDS until MAX_ATTEMPTS failed, then given up with one alert; a row still
# running after LEASE_SECONDS (its worker died) is taken over; done rows are kept KEEP_DAYS.
TONGBAN_OUTBOX_MAX_ATTEMPTS = env_int("TONGBAN_OUTBOX_MAX_ATTEMPTS", 5)
TONGBAN_OUTBOX_RETRY_SECONDS = env_int("TONGBAN_OUTBOX_RETRY_SECONDS", 60)
TONGBAN_OUTBOX_LEASE_SECONDS = env_int("TONGBAN_OUTBOX_LEASE_SECONDS", 600)
TONGBAN_OUTBOX_KEEP_DAYS = env_int("TONGBAN_OUTBOX_KEEP_DAYS", 14)

# --- E-mail (docs/notifications.md): SMTP once EMAIL_HOST is set; until then (development,
# the demo) every message is written to var/outbox/email instead of being sent.
EMAIL_HOST = env_str("EMAIL_HOST", "")
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.filebased.EmailBackend",
)
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(VAR_DIR / "outbox" / "email"))
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "tongban <noreply@localhost>")
# Severity of each catalogue quality rule ("error", "warning" or "off"); administrators may
# override any rule in the admin (QualityRuleSetting). Keys are rule codes of catalog.quality.
CATALOG_QUALITY_DEFAULTS: dict[str, str] = {}

# Plain lines, or JSON lines with LOG_FORMAT=json; every line carries the request id, and ID
# and mobile numbers are masked (tongban.core.observability.logs).
LOG_FORMAT = env_str("LOG_FORMAT", "plain")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "tongban.core.observability.logs.RequestIdFilter"},
        "sensitive_query": {"()": "tongban.core.observability.logs.SensitiveQueryFilter"},
    },
    "formatters": {
        "plain": {
            "()": "tongban.core.observability.logs.PlainFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s",
        },
        "json": {"()": "tongban.core.observability.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "plain",
            "filters": ["request_id", "sensitive_query"],
        },
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "jieba": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        "pikepdf": {"level": "WARNING"},  # announces its C++ log bridge at import
        # The development server's request lines, through our handler (filtered, masked).
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

# --- navigation and footer marks (issue 10) -----------------------------------------------
# After signing in, staff land on their workbench and citizens on their personal space
# (tongban.portal.workbench.landing), unless a safe ``next`` was given.
LOGIN_REDIRECT_URL = "portal:landing"
# The footer marks of a Chinese government website (docs/administration.md, "Footer marks"):
# 网站标识码, ICP备案号, 公安机关备案号, and whether to show the 党政机关网站标识 (with the
# site's id at bszs.conac.cn, if known). Empty hides a mark. With DEBUG the demo shows
# invented values (all zeros): they are no real registrations.
TONGBAN_SITE_CODE = env_str("TONGBAN_SITE_CODE", "0000000000" if DEBUG else "")
TONGBAN_ICP_RECORD = env_str("TONGBAN_ICP_RECORD", "粤ICP备00000000号" if DEBUG else "")
TONGBAN_PSB_RECORD = env_str("TONGBAN_PSB_RECORD", "粤公网安备00000000000000号" if DEBUG else "")
TONGBAN_PARTY_GOV_MARK = env_bool("TONGBAN_PARTY_GOV_MARK", DEBUG)
TONGBAN_PARTY_GOV_MARK_ID = env_str("TONGBAN_PARTY_GOV_MARK_ID", "")
# The complaint line shown beside the 12345 hotline (default: 12345 takes complaints too).
TONGBAN_COMPLAINT_PHONE = env_str("TONGBAN_COMPLAINT_PHONE", "")
# A CSRF failure (an expired form, cookies blocked) shows a page in the user's language.
CSRF_FAILURE_VIEW = "tongban.portal.views.csrf_failure"

# --- messages (issue 10) ------------------------------------------------------------------
# The signature (签名) every text message carries in front, 【…】: the name registered with
# the SMS platform. Empty: the city's name (TONGBAN_CITY_NAME, else the region tree's city).
TONGBAN_SMS_SIGNATURE = env_str("TONGBAN_SMS_SIGNATURE", "")
# A correction notice (补正告知) asks the applicant to answer within this many working days;
# the date is stated in the message (tongban.cases.notices.correction_due).
TONGBAN_CORRECTION_DAYS = env_int("TONGBAN_CORRECTION_DAYS", 10)

# --- exchange (issue 13) ------------------------------------------------------------------
# A provider decides a request for conditional data (有条件共享) within this many working
# days (docs/exchange.md); the department whose officials settle disputes (数据主管部门).
TONGBAN_EXCHANGE_DECISION_DAYS = env_int("TONGBAN_EXCHANGE_DECISION_DAYS", 10)
TONGBAN_EXCHANGE_DATA_AUTHORITY = env_str("TONGBAN_EXCHANGE_DATA_AUTHORITY", "zssj")

# --- exchange signatures (issue 13) -------------------------------------------------------
# Gateway requests and responses are signed (RFC 9421; docs/adr/0014-exchange-signatures.md).
# A signature's ``created`` may be at most this many seconds behind or ahead of this node's
# clock, and its nonce is remembered for twice as long, so a replay is refused (P4).
TONGBAN_EXCHANGE_SIGNATURE_WINDOW = env_int("TONGBAN_EXCHANGE_SIGNATURE_WINDOW", 300)
# The cache (an alias of CACHES) that remembers nonces (tongban.exchange.nonces). It must be
# shared by every worker process: with more than one, use Redis (CACHE_URL=redis://...).
TONGBAN_EXCHANGE_NONCE_CACHE = env_str("TONGBAN_EXCHANGE_NONCE_CACHE", "default")

# --- the exchange gateway, sources, corrections, configuration (issue 13) -----------------
# Evidence of exchanges (signed request, response, seal: P11) is kept this many days; the
# system check refuses fewer than 180 (P14: at least six months).
TONGBAN_EXCHANGE_RETENTION_DAYS = env_int("TONGBAN_EXCHANGE_RETENTION_DAYS", 365)
# The largest request body the gateway reads; larger ones get 413 (P21).
TONGBAN_EXCHANGE_MAX_BODY = env_int("TONGBAN_EXCHANGE_MAX_BODY", 64 * 1024)
# Exchanges stop when audit sealing has failed for longer than this many seconds (P13;
# X-Road's acceptable-timestamp-failure-period is 14400).
TONGBAN_EXCHANGE_SEAL_FAILURE_PERIOD = env_int("TONGBAN_EXCHANGE_SEAL_FAILURE_PERIOD", 14400)
# Provider source files are read from under this directory (relative locations).
TONGBAN_EXCHANGE_SOURCE_ROOT = env_str("TONGBAN_EXCHANGE_SOURCE_ROOT", str(VAR_DIR / "sources"))
# Caps on what a source may hold and how long a source query may run (exchange.adapters).
TONGBAN_EXCHANGE_SOURCE_MAX_BYTES = env_int("TONGBAN_EXCHANGE_SOURCE_MAX_BYTES", 64 * 1024 * 1024)
TONGBAN_EXCHANGE_SOURCE_MAX_ROWS = env_int("TONGBAN_EXCHANGE_SOURCE_MAX_ROWS", 500_000)
TONGBAN_EXCHANGE_SOURCE_TIMEOUT = env_int("TONGBAN_EXCHANGE_SOURCE_TIMEOUT", 60)
# A provider answers a data correction (数据纠错) within this many working days (local
# practice, unconfirmed: docs/exchange.md).
TONGBAN_EXCHANGE_CORRECTION_DAYS = env_int("TONGBAN_EXCHANGE_CORRECTION_DAYS", 5)
# The data authority answers a person's report of a read of their data it thinks wrong
# within this many working days (issue 14; local practice, unconfirmed).
TONGBAN_EXCHANGE_ACCESS_REPORT_DAYS = env_int("TONGBAN_EXCHANGE_ACCESS_REPORT_DAYS", 10)
# Signed configuration (P20): the central node's public key (PEM file) this node trusts, and
# how old a bundle may be. Empty anchor: this node is its own centre and imports nothing.
TONGBAN_EXCHANGE_CONFIG_ANCHOR = env_str("TONGBAN_EXCHANGE_CONFIG_ANCHOR", "")
TONGBAN_EXCHANGE_CONFIG_MAX_AGE_HOURS = env_int("TONGBAN_EXCHANGE_CONFIG_MAX_AGE_HOURS", 24)
# A configuration bundle larger than this is refused unread (P21).
TONGBAN_EXCHANGE_CONFIG_MAX_BYTES = env_int("TONGBAN_EXCHANGE_CONFIG_MAX_BYTES", 8 * 1024 * 1024)
# The upstream (provincial or national) integrated platform: "fake" for the demo and tests.
# (Or a dotted path to an adapter class: docs/exchange-upstream.md.) The fake keeps its state
# under this directory (empty: VAR_DIR/upstream-fake), so web and worker processes agree.
TONGBAN_EXCHANGE_UPSTREAM = env_str("TONGBAN_EXCHANGE_UPSTREAM", "fake")
TONGBAN_EXCHANGE_UPSTREAM_FAKE_DIR = env_str("TONGBAN_EXCHANGE_UPSTREAM_FAKE_DIR", "")
# The national catalogue's core metadata export (《政务信息资源目录编制指南（试行）》): a JSON
# file replacing the built-in mapping table (docs/exchange.md, "Catalogue exports").
TONGBAN_EXCHANGE_NATIONAL_MAPPING = env_str("TONGBAN_EXCHANGE_NATIONAL_MAPPING", "")

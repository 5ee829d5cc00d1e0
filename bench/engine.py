"""Benchmark: the process-engine kernel against a hand-written dict state machine.

Run as ``.venv/bin/python bench/engine.py [N]``. N bundle instances of 4 members go through
start and every decision (accept, review, decide, close, deliver per member = 21 steps), one
phase at a time over all instances, like independent requests: between steps the state
exists only as JSON text (load → deserialize → act → engine → serialize). One member in ten
is refused. The floor does the same with a dict of open tasks + ``json``. Prints steps/s and
the ratio; the standard (shared/standards/process-engine.md §6) measured ~42-44x CPU for a
simpler flow. Not a test; never part of ``make test``.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongban.config.settings")
os.environ.setdefault("TONGBAN_VAR_DIR", "/tmp/tongban-bench-engine")  # noqa: S108

import django

django.setup()

from tongban.cases.engine import kernel  # noqa: E402
from tongban.cases.engine.bundle import bundle_model  # noqa: E402

MEMBERS = [("ITEM1", "SCJG"), ("ITEM2", "XF"), ("ITEM3", "HB"), ("ITEM4", "WJ")]
PHASES = ["accept", "review", "decide", "close", "deliver"]


def decision(phase: str, prefix: str, instance: int, member: int) -> dict:
    if phase == "accept":
        return {f"{prefix}_accept": "accepted"}
    if phase == "review":
        return {f"{prefix}_review": "ok"}
    if phase == "decide":
        refused = (instance + member) % 10 == 0
        return {f"{prefix}_decision": "rejected" if refused else "approved"}
    return {}


def run_engine(n: int) -> tuple[float, int, int]:
    ref = kernel.SpecRef("bench_bundle", 1, bundle_model(MEMBERS))
    kernel.compile_spec(ref)
    steps = 0
    t0 = time.process_time()
    # A request = complete(stored text, task id from the inbox row) + ready_tasks() of the
    # new state for the inbox projection; only the text survives between requests.
    states, inbox = [], []
    for i in range(n):
        state = kernel.start(ref, {"case_id": i})
        states.append(state.text)
        inbox.append({t.spec_name: t.task_id for t in kernel.ready_tasks(state)})
    steps += n
    for phase in PHASES:
        for m, _member in enumerate(MEMBERS, start=1):
            prefix = f"m{m}"
            for i in range(n):
                task_id = inbox[i].get(f"{prefix}_{phase}")
                if task_id is None:
                    continue  # refused member: no close/deliver
                state = kernel.complete(states[i], task_id, decision(phase, prefix, i, m))
                states[i] = state.text
                inbox[i] = {t.spec_name: t.task_id for t in kernel.ready_tasks(state)}
                steps += 1
    elapsed = time.process_time() - t0
    assert all(kernel.is_completed(s) for s in states)
    return elapsed, steps, max(len(s) for s in states)


def run_floor(n: int) -> tuple[float, int, int]:
    """Dict state machine: open tasks per member, decisions, history; json between steps."""
    steps = 0
    t0 = time.process_time()
    states = []
    for i in range(n):
        state = {
            "case_id": i,
            "open": {f"m{m}": "accept" for m in range(1, 5)},
            "data": {},
            "history": [],
        }
        states.append(json.dumps(state))
        steps += 1
    following = {"accept": "review", "review": "decide", "close": "deliver", "deliver": None}
    for phase in PHASES:
        for m in range(1, 5):
            prefix = f"m{m}"
            for i in range(n):
                state = json.loads(states[i])
                if state["open"].get(prefix) != phase:
                    continue
                data = decision(phase, prefix, i, m)
                state["data"].update(data)
                state["history"].append([prefix, phase])
                if phase == "decide":
                    ok = data[f"{prefix}_decision"] == "approved"
                    state["open"][prefix] = "close" if ok else None
                else:
                    state["open"][prefix] = following[phase]
                if not any(state["open"].values()):
                    state["done"] = True
                states[i] = json.dumps(state)
                steps += 1
    elapsed = time.process_time() - t0
    assert all(json.loads(s).get("done") for s in states)
    return elapsed, steps, max(len(s) for s in states)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    engine_s, engine_steps, engine_size = run_engine(n)
    floor_s, floor_steps, floor_size = run_floor(n)
    print(f"instances: {n} bundles of {len(MEMBERS)} members")
    print(
        f"engine: {engine_steps} steps in {engine_s:.2f} s CPU = {engine_steps / engine_s:,.0f} "
        f"steps/s ({1000 * engine_s / engine_steps:.2f} ms/step), max state {engine_size:,} bytes"
    )
    print(
        f"floor:  {floor_steps} steps in {floor_s:.3f} s CPU = {floor_steps / floor_s:,.0f} "
        f"steps/s, max state {floor_size:,} bytes"
    )
    print(
        "ratio (CPU per step, engine / floor): "
        f"{(engine_s / engine_steps) / (floor_s / floor_steps):.1f}x"
    )
    print(f"spec cache: {kernel.cache_stats()}")


if __name__ == "__main__":
    main()

"""Deep check and benchmark: the P6 share decision against its oracle over 10^5 cases.

Run as ``.venv/bin/python bench/exchange_decision.py [--cases 100000] [--seed 13]``. Draws
cases from ``tongban.exchange.tests.decision_cases.random_case`` (the universe the test
suite's Hypothesis run uses), decides each with ``tongban.exchange.decision.decide`` and
with the independent oracle ``tests/exchange_oracle.py``, and fails (exit 1) at the first
disagreement, printing the case. Then prints the count, how many of each reason were seen,
the time taken, and the decision's cost per case against a floor measured in the same run:
the oracle itself on the same cases (a plain-data truth table without dataclasses).

The decision needs neither a database nor settings, so no Django setup is done. Not a
test; never part of ``make test`` (``make bench`` runs it).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.exchange_oracle import oracle  # noqa: E402
from tongban.exchange.decision import decide  # noqa: E402
from tongban.exchange.tests.decision_cases import plain, random_case  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()

    rng = random.Random(args.seed)
    started = time.perf_counter()
    cases = [random_case(rng) for _ in range(args.cases)]
    plains = [plain(*case) for case in cases]
    generated = time.perf_counter() - started

    reasons: Counter[str] = Counter()
    engine_time = oracle_time = 0.0
    chunk = 1000  # alternate in chunks so that other load falls on both alike
    for start in range(0, len(cases), chunk):
        t0 = time.perf_counter()
        decisions = [decide(*case) for case in cases[start : start + chunk]]
        t1 = time.perf_counter()
        expected = [oracle(*values) for values in plains[start : start + chunk]]
        t2 = time.perf_counter()
        engine_time += t1 - t0
        oracle_time += t2 - t1
        for offset, (decision, answer) in enumerate(zip(decisions, expected, strict=True)):
            got = (
                decision.allowed,
                str(decision.reason),
                decision.released,
                decision.masked,
                decision.field,
            )
            if got != answer:
                print(f"DISAGREEMENT at case {start + offset}:")
                print(f"  case:     {cases[start + offset]}")
                print(f"  decision: {got}")
                print(f"  oracle:   {answer}")
                return 1
            reasons[got[1]] += 1

    total = len(cases)
    print(f"exchange decision (P6) against the oracle: {total} cases, all agree")
    print(f"  seed {args.seed}; generated in {generated:.2f} s")
    for reason, count in sorted(reasons.items(), key=lambda kv: -kv[1]):
        print(f"  {reason:<22} {count:>7}")
    per_engine = engine_time / total * 1e6
    per_oracle = oracle_time / total * 1e6
    print(f"  decide():  {engine_time:.2f} s, {per_engine:.2f} µs per case")
    print(f"  oracle (floor): {oracle_time:.2f} s, {per_oracle:.2f} µs per case")
    print(f"  ratio decide/oracle: {engine_time / oracle_time:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark: time to parse 10,000 IAM policy statements (target: well under one second).

Run: .venv/bin/python bench/bench_iam_parse.py   (prints the figures; ``run()`` returns them)

The statements cycle through Oracle's published copy policies (nested any/all conditions, region
and permission clauses) plus one malformed statement, so error reporting is part of the cost.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from reportkit.iam import parse_policy  # noqa: E402
from tests.fixtures import iam_examples as examples  # noqa: E402 - test cases double as bench input
from reportkit.iam.evaluator import Evaluator  # noqa: E402

N_STATEMENTS = 10_000
REPEATS = 5


def _statements(n: int) -> list[str]:
    pool = [*examples.VOLUME_ADMINS, examples.VOLUME_ADMINS_COPY_STATEMENT, *examples.RESTRICTED_SOURCES,
            *examples.LONDON_TO_FRANKFURT_AS_PRINTED, *examples.BOOT_VOLUME_BACKUP_ADMINS, *examples.PHX_ADMINS,
            "Allow group 'Default'/'Copiers', id ocid1.group.oc1..aaaa to {BOOT_VOLUME_BACKUP_READ, "
            "BOOT_VOLUME_BACKUP_COPY} in compartment Prod:Team1 where request.region in ('lhr', 'fra')"]
    # distinct group names so no two statements are identical strings
    return [pool[i % len(pool)].replace("MyTestGroup", f"Group{i}") for i in range(n)]


def run() -> dict[str, float]:
    """Parse N_STATEMENTS statements REPEATS times; return best/median wall and best CPU seconds,
    plus the time of a 6 x 6 region matrix over the parsed statements."""
    statements = _statements(N_STATEMENTS)
    times = []
    cpu_times = []
    parsed = None
    for _ in range(REPEATS):
        start, cpu_start = time.perf_counter(), time.process_time()
        parsed = parse_policy(statements, "bench")
        times.append(time.perf_counter() - start)
        cpu_times.append(time.process_time() - cpu_start)
    times.sort()
    cpu_times.sort()
    assert parsed is not None and len(parsed.entries) == N_STATEMENTS
    start = time.perf_counter()
    evaluator = Evaluator(parsed_to_policyset(parsed), "Group5")
    regions = ["lhr", "fra", "iad", "phx", "ams", "nrt"]
    for src in regions:
        for dst in regions:
            evaluator.verdict(src, dst)
    matrix_seconds = time.perf_counter() - start
    return {
        "statements": float(N_STATEMENTS),
        "parse_best_s": round(times[0], 4),
        "parse_median_s": round(times[len(times) // 2], 4),
        # CPU time of this process: the fairer figure on a shared, busy machine
        "parse_cpu_best_s": round(cpu_times[0], 4),
        "statements_per_s": round(N_STATEMENTS / times[0]),
        "malformed": float(len(parsed.problems)),
        "matrix_6x6_over_10k_statements_s": round(matrix_seconds, 4),
    }


def parsed_to_policyset(parsed):
    from reportkit.iam.policyset import PolicyEntry, PolicySet

    return PolicySet(tuple(PolicyEntry(e, ()) for e in parsed.entries))


if __name__ == "__main__":
    figures = run()
    for name, value in figures.items():
        print(f"{name}: {value}")

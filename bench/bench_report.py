"""Benchmark: render the coverage report for 100,000 backups (time; HTML under 5 MB).

Run alone: ``.venv/bin/python bench/bench_report.py [--quick]`` (prints the figures; ``run()``
returns them). Part of ``make bench``.

The inventory is ``bench_assess.build_inventory(100_000)`` (100,000 backups, 20,000 boot
volumes in 4 regions, every image class, a collection gap), saved with ``save_snapshot``, then
``reportkit.report.render_report("coverage", parameters={"snapshot": ..., "as_of": ...})``: the
whole path a user runs (papermill starts a kernel, the notebook loads and assesses the
snapshot and draws its charts, nbconvert writes one self-contained HTML file). One render is
several tens of seconds, so it is measured ``REPEATS`` times (median) only outside quick mode.
"""
from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import quick_main, run_child  # noqa: E402

BACKUPS = 100_000
QUICK_BACKUPS = 10_000
REPEATS = 3
HTML_LIMIT_MB = 5.0


def _render_child(params: dict[str, Any]) -> dict[str, Any]:
    """Build and save the inventory, render the coverage report ``repeats`` times; return figures."""
    from bench.bench_assess import build_inventory
    from reportkit.report import render_report
    from reportkit.snapshot import save_snapshot

    inv = build_inventory(params["backups"])
    folder = save_snapshot(inv, Path(params["root"]) / "snapshots")
    times, sizes = [], []
    for i in range(params["repeats"]):
        t0 = time.perf_counter()
        result = render_report("coverage", parameters={"snapshot": str(folder),
                                                      "as_of": inv.metadata.finished_at.isoformat()},
                               out_dir=Path(params["root"]) / f"reports-{i}")
        times.append(time.perf_counter() - t0)
        sizes.append(result.html.stat().st_size)
    return {"render_s_all": times, "html_bytes": sizes[-1], "backups": len(inv.backups),
            "volumes": len(inv.boot_volumes)}


def run(quick: bool = False, *, log: Any = print) -> dict[str, Any]:
    """Render the report; return time, HTML size and the child's peak memory."""
    n = QUICK_BACKUPS if quick else BACKUPS
    repeats = 1 if quick else REPEATS
    with tempfile.TemporaryDirectory(prefix="reportkit-bench-report-") as tmp:
        log(f"  rendering the coverage report for {n:,} backups ({repeats}x) ...")
        res = run_child("bench.bench_report", "_render_child", {"backups": n, "root": tmp, "repeats": repeats})
    html_mb = res["html_bytes"] / 1e6
    return {
        "backups": res["backups"], "boot_volumes": res["volumes"],
        "render_s_median": statistics.median(res["render_s_all"]),
        "render_s_all": [round(t, 2) for t in res["render_s_all"]],
        "html_mb": html_mb, "html_under_limit": html_mb < HTML_LIMIT_MB,
        "driver_peak_rss_mb": res["peak_rss_mb"],  # the driver process; the kernel is another process
    }


def main() -> None:
    quick_main(__doc__, run, f"{QUICK_BACKUPS:,} backups, one render")


if __name__ == "__main__":
    main()

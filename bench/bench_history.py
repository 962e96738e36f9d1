"""Benchmark: the monthly history query with DuckDB over 12 snapshots of 1,000,000 backups each.

Run alone: ``.venv/bin/python bench/bench_history.py [--quick]`` (prints the figures; ``run()``
returns them). Part of ``make bench``.

Set-up (in a child process, so the driver never holds the rows): ``bench_assess.build_inventory``
(1,000,000 backups, 200,000 boot volumes, vectorised) is written 12 times with
``reportkit.snapshot.save_snapshot``, each stamped with one month end (the same rows each month:
the query's cost depends on rows and columns, not on how the values change). That is the
Hive layout ``tenancy=<name>/date=<YYYY-MM-DD>/<run>/<table>.parquet`` a year of monthly
collections leaves.

Measured, each in a fresh process (median of ``REPEATS``):
- ``month_end_snapshots(root, months=12)``: the manifest query the monthly report starts with;
- the monthly trend over every backup row (12 M rows): per month and region, backups, copies,
  distinct volumes backed up, stored GB, via ``reportkit.snapshot.history_connection``
  (DuckDB views over the Parquet files, Hive partitions as columns); time includes opening the
  views; peak RSS is the whole child's.
"""
from __future__ import annotations

import dataclasses
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import quick_main, run_child  # noqa: E402

SNAPSHOTS = 12
BACKUPS = 1_000_000
QUICK_BACKUPS = 50_000
REPEATS = 3

TREND_SQL = """
SELECT date, region,
       count(*) AS backups,
       count(*) FILTER (WHERE source_boot_volume_backup_id IS NOT NULL) AS copies,
       count(DISTINCT boot_volume_id) AS volumes_backed_up,
       sum(unique_size_in_gbs) AS stored_gb
FROM backups
GROUP BY date, region
ORDER BY date, region
"""


def _build_child(params: dict[str, Any]) -> dict[str, Any]:
    """Write ``snapshots`` month-end snapshots of a ``backups``-row inventory under ``root``."""
    import pandas as pd

    from bench.bench_assess import build_inventory
    from reportkit.snapshot import save_snapshot

    t0 = time.perf_counter()
    inv = build_inventory(params["backups"])
    built = time.perf_counter() - t0
    saves = []
    last = pd.Timestamp(inv.metadata.finished_at).tz_convert("UTC")
    for k in range(params["snapshots"]):
        month_end = (last - pd.DateOffset(months=k)).normalize() - pd.Timedelta(minutes=1)
        meta = dataclasses.replace(inv.metadata, started_at=month_end - pd.Timedelta(minutes=30),
                                   finished_at=month_end)
        t0 = time.perf_counter()
        save_snapshot(dataclasses.replace(inv, metadata=meta), params["root"])
        saves.append(time.perf_counter() - t0)
    return {"build_s": built, "save_s_median": statistics.median(saves), "rows": len(inv.backups),
            "volumes": len(inv.boot_volumes)}


def _query_child(params: dict[str, Any]) -> dict[str, Any]:
    """Run one history query in a fresh process; return its time and result size."""
    from reportkit.snapshot import month_end_snapshots
    from reportkit.snapshot import history_connection

    t0 = time.perf_counter()
    if params["query"] == "month_ends":
        frame = month_end_snapshots(params["root"], months=params["snapshots"])
    else:
        con = history_connection(params["root"])
        try:
            frame = con.execute(TREND_SQL).df()
        finally:
            con.close()
    return {"query_s": time.perf_counter() - t0, "result_rows": len(frame),
            "rows_scanned": int(frame["backups"].sum()) if params["query"] == "trend" else None}


def run(quick: bool = False, *, log: Any = print) -> dict[str, Any]:
    """Build the history, time both queries; return the figures."""
    n = QUICK_BACKUPS if quick else BACKUPS
    repeats = 1 if quick else REPEATS
    root = Path(tempfile.mkdtemp(prefix="reportkit-bench-history-"))
    try:
        log(f"  writing {SNAPSHOTS} snapshots of {n:,} backups ...")
        built = run_child("bench.bench_history", "_build_child",
                          {"backups": n, "snapshots": SNAPSHOTS, "root": str(root)})
        disk = sum(f.stat().st_size for f in root.rglob("*") if f.is_file())
        out: dict[str, Any] = {
            "snapshots": SNAPSHOTS, "backups_per_snapshot": built["rows"], "volumes_per_snapshot": built["volumes"],
            "history_rows": SNAPSHOTS * built["rows"], "history_disk_mb": disk / 1e6,
            "build_inventory_s": built["build_s"], "save_snapshot_s_median": built["save_s_median"],
        }
        for query in ("month_ends", "trend"):
            runs = [run_child("bench.bench_history", "_query_child",
                              {"root": str(root), "query": query, "snapshots": SNAPSHOTS}) for _ in range(repeats)]
            runs.sort(key=lambda r: r["query_s"])
            mid = runs[len(runs) // 2]
            out[f"{query}_query_s_median"] = mid["query_s"]
            out[f"{query}_query_s_all"] = [round(r["query_s"], 3) for r in runs]
            out[f"{query}_peak_rss_mb"] = max(r["peak_rss_mb"] for r in runs)
            out[f"{query}_result_rows"] = mid["result_rows"]
            if mid["rows_scanned"] is not None:
                out[f"{query}_rows_counted"] = mid["rows_scanned"]
            log(f"    {query}: {mid['query_s']:.2f} s (median of {repeats}), peak RSS "
                f"{out[f'{query}_peak_rss_mb']:.0f} MB")
        return out
    finally:
        shutil.rmtree(root, ignore_errors=True)


def main() -> None:
    quick_main(__doc__, run, f"{QUICK_BACKUPS:,} backups per snapshot, one run")


if __name__ == "__main__":
    main()

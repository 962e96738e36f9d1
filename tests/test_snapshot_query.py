"""Many tenancies, one snapshot tree: independent runs land side by side and read as one history.

The claim of docs/scaling.md: each tenancy's collection is an independent run writing into the
same root; the Hive layout ``tenancy=<name>/date=<YYYY-MM-DD>/<run>/<table>.parquet`` is then read
as one dataset, with ``tenancy`` and ``date`` as columns, by DuckDB (and so by Spark or Dask)
without any reportkit code.
"""
from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from reportkit.inventory import CollectionMetadata, Inventory
from reportkit.snapshot import query_history, save_snapshot

# (tenancy name, collection time, number of backups): two tenancies, two month ends each
RUNS = [
    ("Acme Corp", "2026-10-31T23:00:00Z", 3),
    ("Acme Corp", "2026-11-30T23:00:00Z", 5),
    ("Globex", "2026-10-31T22:00:00Z", 2),
    ("Globex", "2026-11-30T22:00:00Z", 4),
]


def _inventory(tenancy: str, started: str, n: int) -> Inventory:
    """A tiny inventory: ``n`` backups of one tenancy, as one collection run would return it."""
    meta = CollectionMetadata(
        tenancy_id=f"ocid1.tenancy.oc1..{tenancy.split()[0].lower()}", tenancy_name=tenancy,
        home_region="uk-london-1", started_at=pd.Timestamp(started),
        finished_at=pd.Timestamp(started) + pd.Timedelta(minutes=5), reportkit_version="test",
        regions=["uk-london-1"])
    backups = pd.DataFrame({
        "backup_id": [f"ocid1.bootvolumebackup.oc1.uk-london-1.{tenancy[:1]}{started[:7]}-{i}" for i in range(n)],
        "region": ["uk-london-1"] * n,
        "lifecycle_state": ["AVAILABLE"] * n,
        "time_created": pd.to_datetime([started] * n, utc=True),
    })
    return Inventory.from_tables(meta, backups=backups)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    for tenancy, started, n in RUNS:
        save_snapshot(_inventory(tenancy, started, n), tmp_path)
    # a collection killed mid-write leaves a hidden .tmp-* folder (snapshot.py's atomic write):
    # it must never count, for reportkit nor for a plain reader following docs/scaling.md
    stray = tmp_path / "tenancy=Globex" / "date=2026-12-31" / ".tmp-20261231T220000Z-dead"
    stray.mkdir(parents=True)
    _inventory("Globex", "2026-12-31T22:00:00Z", 7).backups.to_parquet(stray / "backups.parquet")
    return tmp_path


def _expected() -> pd.DataFrame:
    runs = pd.DataFrame(RUNS, columns=["tenancy", "started", "n"])
    runs["tenancy"] = runs["tenancy"].str.replace(" ", "_")  # the safe partition name
    runs["date"] = pd.to_datetime(runs["started"]).dt.strftime("%Y-%m-%d")
    return runs


def test_layout_is_one_hive_tree_with_a_partition_per_tenancy_and_date(tree: Path) -> None:
    # a complete snapshot is a run folder with its manifest (written last)
    folders = sorted(p.relative_to(tree).parts[:2] for p in tree.glob("tenancy=*/date=*/*/manifest.json"))
    assert folders == sorted((f"tenancy={r.tenancy}", f"date={r.date}") for r in _expected().itertuples())


def test_plain_duckdb_reads_the_tree_with_hive_partitions(tree: Path) -> None:
    # no reportkit code: what a Spark / Dask / DuckDB user points at the snapshot root
    # DuckDB's glob also matches hidden folders, hence the filename filter docs/scaling.md gives
    source = (f"(SELECT * FROM read_parquet('{tree}/tenancy=*/date=*/*/backups.parquet', "
              f"hive_partitioning = true, filename = true) WHERE filename NOT LIKE '%/.tmp-%')")
    got = duckdb.sql(f"SELECT tenancy, CAST(date AS VARCHAR) AS date, count(*) AS n FROM {source} "
                     f"GROUP BY ALL ORDER BY ALL").df()
    want = _expected()[["tenancy", "date", "n"]].sort_values(["tenancy", "date"]).reset_index(drop=True)
    assert got.astype({"n": "int64"}).to_dict("records") == want.astype({"n": "int64"}).to_dict("records")

    per_tenancy = duckdb.sql(f"SELECT tenancy, count(*) AS n, count(DISTINCT date) AS dates FROM {source} "
                             f"GROUP BY tenancy ORDER BY tenancy").fetchall()
    assert per_tenancy == [("Acme_Corp", 8, 2), ("Globex", 6, 2)]


def test_reportkit_history_query_sees_every_tenancy(tree: Path) -> None:
    got = query_history(tree, "SELECT tenancy, count(*) AS n FROM backups GROUP BY tenancy ORDER BY tenancy")
    assert list(zip(got["tenancy"], got["n"].astype(int))) == [("Acme_Corp", 8), ("Globex", 6)]


def test_the_month_end_query_lists_each_tenancy_s_snapshots(tree: Path) -> None:
    from reportkit.snapshot import month_end_snapshots

    for tenancy, want in (("Acme_Corp", [3, 5]), ("Globex", [2, 4])):
        snaps = month_end_snapshots(tree, month="2026-11", months=2, tenancy=tenancy)
        assert list(snaps["month"]) == ["2026-10", "2026-11"]
        assert list(snaps["backups"].astype(int)) == want

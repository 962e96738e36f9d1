"""The snapshot history as SQL: DuckDB views over every complete snapshot's Parquet files."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pandas as pd

from reportkit.schema import INVENTORY_TABLES
from reportkit.snapshot.catalog import list_snapshots


def history_connection(root: str | os.PathLike[str] | None = None) -> Any:
    """Return a DuckDB connection with one view per table over every complete snapshot under ``root``.

    Each view has the table's columns plus ``tenancy`` and ``date`` (Hive partitions) and
    ``run`` (the snapshot folder name). Only snapshots with a readable manifest are included.
    """
    import duckdb

    snaps = list_snapshots(root)
    snaps = snaps[snaps["problem"].isna()]
    con = duckdb.connect()
    for name in INVENTORY_TABLES:
        files = [str(Path(p) / f"{name}.parquet") for p in snaps["path"]]
        files = [f for f in files if Path(f).is_file()]
        if not files:
            continue
        listing = ", ".join("'" + f.replace("'", "''") + "'" for f in files)
        con.execute(
            f"CREATE VIEW {name} AS SELECT * EXCLUDE (filename), "
            f"regexp_extract(filename, '[/\\\\]([^/\\\\]+)[/\\\\][^/\\\\]+$', 1) AS run "
            f"FROM read_parquet([{listing}], hive_partitioning = true, union_by_name = true, filename = true)"
        )
    return con


def query_history(root: str | os.PathLike[str], sql_or_table: str) -> pd.DataFrame:
    """Return a table's rows across all snapshots (give its name) or the result of a SQL query.

    In SQL, every inventory table is a view over its whole history, with ``tenancy``, ``date``
    and ``run`` columns, e.g.
    ``query_history(root, "SELECT date, count(*) FROM backups GROUP BY date ORDER BY date")``.
    """
    con = history_connection(root)
    try:
        if sql_or_table in INVENTORY_TABLES:
            views = {r[0] for r in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()}
            if sql_or_table not in views:
                return INVENTORY_TABLES[sql_or_table].empty()
            return con.execute(f"SELECT * FROM {sql_or_table} ORDER BY date, run").df()
        return con.execute(sql_or_table).df()
    finally:
        con.close()

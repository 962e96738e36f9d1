"""Snapshots: an Inventory on disk (:mod:`~reportkit.snapshot.store`), the catalog of all of them
(:mod:`~reportkit.snapshot.catalog`, the one manifest reader) and their history as SQL
(:mod:`~reportkit.snapshot.query`). Snapshot format knowledge lives in this package only.
"""
from __future__ import annotations

from reportkit.snapshot.catalog import (
    MANIFEST,
    SNAPSHOT_SCHEMA_VERSION,
    list_snapshots,
    manifest_sha256,
    month_end_snapshots,
    read_manifest,
    resolve_snapshot,
    snapshot_identity,
    snapshot_place,
    snapshot_root,
)
from reportkit.snapshot.query import history_connection, query_history
from reportkit.snapshot.store import (
    check_writable,
    load_snapshot,
    load_table,
    safe_tenancy_name,
    save_elsewhere,
    save_snapshot,
)

__all__ = ["MANIFEST", "SNAPSHOT_SCHEMA_VERSION", "check_writable", "history_connection", "list_snapshots", "load_snapshot", "load_table",
           "manifest_sha256", "month_end_snapshots", "query_history", "read_manifest", "resolve_snapshot",
           "safe_tenancy_name", "save_elsewhere", "save_snapshot", "snapshot_identity", "snapshot_place", "snapshot_root"]

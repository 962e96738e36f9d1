"""reportkit.snapshot.catalog: the one manifest reader (latest, listing, month ends, report names)."""
from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from reportkit.errors import InputError, SnapshotError
from reportkit.snapshot import month_end_snapshots, save_snapshot, snapshot_identity
from test_snapshot_store import _inventory


def _at(started: str):
    inv = _inventory(started=started)
    stamp = pd.Timestamp(started)
    meta = dataclasses.replace(inv.metadata, started_at=stamp, finished_at=stamp)
    return dataclasses.replace(inv, metadata=meta)


def test_month_ends_pick_the_last_snapshot_of_each_month(tmp_path):
    for started in ("2026-09-30T10:00:00Z", "2026-10-02T00:00:00Z", "2026-10-31T23:00:00Z"):
        save_snapshot(_at(started), tmp_path)
    snaps = month_end_snapshots(tmp_path, months=3)
    assert list(snaps["month"]) == ["2026-09", "2026-10"]
    assert list(snaps["date"]) == ["2026-09-30", "2026-10-31"]
    assert list(month_end_snapshots(tmp_path, month="2026-09", months=1)["month"]) == ["2026-09"]
    with pytest.raises(InputError, match="no snapshot"):
        month_end_snapshots(tmp_path / "empty")


def test_an_unreadable_snapshot_in_the_window_is_an_error_not_skipped(tmp_path):
    save_snapshot(_at("2026-10-01T00:00:00Z"), tmp_path)
    last = save_snapshot(_at("2026-10-31T00:00:00Z"), tmp_path)
    (last / "manifest.json").write_text("{ not json")
    # skipping it would silently report the month on an older snapshot
    with pytest.raises(SnapshotError, match=str(last.name)):
        month_end_snapshots(tmp_path, month="2026-10", months=1)


def test_a_snapshot_is_named_by_its_tenancy_and_date(tmp_path):
    folder = save_snapshot(_at("2026-10-31T23:00:00Z"), tmp_path)
    found = snapshot_identity(folder)
    assert found["date"] == "2026-10-31" and found["snapshot_id"] == folder.name
    assert found["tenancy"] == folder.parent.parent.name.split("=", 1)[1]
    assert len(found["manifest_sha256"]) == 64

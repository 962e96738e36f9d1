"""Snapshots round-trip exactly, are atomic, never overwrite, and refuse anything corrupt."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest

from reportkit.errors import SnapshotError
from reportkit.inventory import CollectionMetadata, Inventory
from reportkit.schema import INVENTORY_TABLES
from reportkit.snapshot import (
    list_snapshots,
    load_snapshot,
    query_history,
    safe_tenancy_name,
    save_snapshot,
)

ROOT = Path(__file__).resolve().parents[1]


def _inventory(name: str = "Acme Corp", started: str = "2026-11-01T02:03:04Z", n: int = 3) -> Inventory:
    meta = CollectionMetadata(
        tenancy_id="ocid1.tenancy.oc1..acme", tenancy_name=name, home_region="uk-london-1",
        started_at=pd.Timestamp(started), finished_at=pd.Timestamp(started) + pd.Timedelta(seconds=42),
        reportkit_version="0.1.0", parameters={"regions": None, "workers": 16}, regions=["uk-london-1"],
    )
    times = pd.to_datetime(["2026-10-01T00:00:00.123456789Z", None, "2026-10-03T12:00:00Z"][:n], utc=True, format="ISO8601")
    backups = pd.DataFrame({
        "backup_id": [f"ocid1.bootvolumebackup.oc1.uk-london-1.b{i}" for i in range(n)],
        "region": ["uk-london-1", "eu-frankfurt-1", "uk-london-1"][:n],
        "compartment_id": ["ocid1.compartment.oc1..c1", None, "ocid1.compartment.oc1..c2"][:n],
        "display_name": ["daily <b>", "ünïcode", ""][:n],
        "lifecycle_state": ["AVAILABLE", "FAULTY", None][:n],
        "time_created": times, "size_in_gbs": pd.array([50, None, 1024][:n], dtype="Int64"),
    })
    regions = pd.DataFrame({"region": ["uk-london-1", "eu-frankfurt-1"], "region_key": ["LHR", "FRA"],
                            "is_home_region": [True, False], "status": ["READY", "READY"],
                            "collected": pd.array([True, None], dtype="boolean")})
    errors = pd.DataFrame({"region": ["eu-frankfurt-1"], "operation": ["ListBootVolumes"],
                           "http_status": pd.array([429], dtype="Int64"), "code": ["TooManyRequests"],
                           "time": pd.to_datetime(["2026-11-01T02:03:05Z"], utc=True)})
    return Inventory.from_tables(meta, backups=backups, regions=regions, errors=errors)


def _assert_same(a: Inventory, b: Inventory) -> None:
    assert a.metadata == b.metadata
    for name in INVENTORY_TABLES:
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), check_exact=True,
                                      check_categorical=True, obj=name)
        assert list(getattr(a, name).dtypes) == list(getattr(b, name).dtypes), name


def test_round_trip_is_exact_including_dtypes_and_unused_categories(tmp_path):
    inv = _inventory()
    path = save_snapshot(inv, tmp_path)
    back = load_snapshot(path)
    _assert_same(inv, back)
    # the declared category order survives, including states no backup is in
    assert list(back.backups["lifecycle_state"].cat.categories) == list(
        INVENTORY_TABLES["backups"].column("lifecycle_state").categories)
    assert back.backups["time_created"].iloc[0].nanosecond == 789


def test_layout_is_hive_style_with_a_manifest_that_describes_every_file(tmp_path):
    inv = _inventory()
    path = inv.save(tmp_path)
    assert path.relative_to(tmp_path).parts == ("tenancy=Acme_Corp", "date=2026-11-01", "20261101T020304Z")
    manifest = json.loads((path / "manifest.json").read_text())
    assert manifest["schema_version"] == 1 and manifest["errors"] == 1
    assert manifest["counts"] == {name: len(df) for name, df in inv.tables().items()}
    assert sorted(p.name for p in path.iterdir()) == sorted([f"{n}.parquet" for n in INVENTORY_TABLES] + ["manifest.json"])
    for name, entry in manifest["files"].items():
        import hashlib
        assert hashlib.sha256((path / entry["file"]).read_bytes()).hexdigest() == entry["sha256"], name


def test_an_existing_snapshot_is_never_overwritten(tmp_path):
    first = save_snapshot(_inventory(), tmp_path)
    before = (first / "manifest.json").read_bytes()
    second = save_snapshot(_inventory(n=2), tmp_path)
    assert second != first and second.name == first.name + "-2"
    assert (first / "manifest.json").read_bytes() == before
    assert len(load_snapshot(second).backups) == 2 and len(load_snapshot(first).backups) == 3


@pytest.mark.parametrize("hostile", ["../../escape", "/etc/passwd", "a/../../b", "tenancy=x/date=y", "..", "\x00\n", ""])
def test_hostile_tenancy_names_stay_inside_the_root(tmp_path, hostile):
    root = tmp_path / "root"
    path = save_snapshot(_inventory(name=hostile), root)
    assert path.resolve().is_relative_to(root.resolve())
    assert len(path.relative_to(root).parts) == 3
    assert "=" not in safe_tenancy_name(hostile) and "/" not in safe_tenancy_name(hostile)
    assert load_snapshot(path).metadata.tenancy_name == hostile  # the real name is kept in the manifest


def test_latest_and_root_mean_the_newest_complete_snapshot(tmp_path):
    save_snapshot(_inventory(started="2026-10-01T00:00:00Z"), tmp_path)
    newest = save_snapshot(_inventory(started="2026-11-02T00:00:00Z", n=1), tmp_path)
    save_snapshot(_inventory(name="Other", started="2026-10-15T00:00:00Z", n=2), tmp_path)
    assert len(load_snapshot(tmp_path).backups) == 1
    assert len(load_snapshot("latest", root=tmp_path).backups) == 1
    assert len(load_snapshot("latest", root=tmp_path, tenancy="Other").backups) == 2
    (newest / "manifest.json").write_text("{not json")  # a broken newest one is skipped, not loaded
    assert load_snapshot(tmp_path).metadata.started_at == pd.Timestamp("2026-10-15T00:00:00Z")
    with pytest.raises(SnapshotError, match="no complete snapshot for tenancy 'Nobody'"):
        load_snapshot(tmp_path, tenancy="Nobody")
    with pytest.raises(SnapshotError, match="does not exist"):
        load_snapshot(tmp_path / "nothing")


def _corrupt(path: Path, how: str) -> str:
    if how == "flipped byte":
        file = path / "backups.parquet"
        data = bytearray(file.read_bytes())
        data[len(data) // 2] ^= 0xFF
        file.write_bytes(bytes(data))
        return r"backups\.parquet does not match the sha256"
    if how == "missing file":
        (path / "errors.parquet").unlink()
        return r"errors\.parquet is missing"
    if how == "no manifest":
        (path / "manifest.json").unlink()
        return r"manifest\.json is missing: this snapshot is partial"
    manifest = json.loads((path / "manifest.json").read_text())
    if how == "newer schema":
        manifest["schema_version"] = 99
        (path / "manifest.json").write_text(json.dumps(manifest))
        return r"manifest\.json has snapshot schema 99, newer .* upgrade reportkit"
    if how == "not json":
        (path / "manifest.json").write_text('{"format": "reportkit-snapshot", ')
        return r"manifest\.json is corrupt"
    if how == "garbage parquet with matching hash":
        import hashlib
        (path / "images.parquet").write_bytes(b"garbage")
        manifest["files"]["images"]["sha256"] = hashlib.sha256(b"garbage").hexdigest()
        (path / "manifest.json").write_text(json.dumps(manifest))
        return r"images\.parquet cannot be read as Parquet"
    if how == "path escape":
        manifest["files"]["images"]["file"] = "../../images.parquet"
        (path / "manifest.json").write_text(json.dumps(manifest))
        return r"unexpected file"
    raise AssertionError(how)


@pytest.mark.parametrize("how", ["flipped byte", "missing file", "no manifest", "newer schema", "not json",
                                 "garbage parquet with matching hash", "path escape"])
def test_corrupt_partial_or_newer_snapshots_fail_naming_the_file(tmp_path, how):
    path = save_snapshot(_inventory(), tmp_path)
    pattern = _corrupt(path, how)
    with pytest.raises(SnapshotError, match=pattern):
        load_snapshot(path)


def test_a_killed_write_leaves_no_visible_snapshot(tmp_path):
    marker = tmp_path / "first-file-written"
    root = tmp_path / "snaps"
    # The child pauses right after the first Parquet file, so the kill lands mid-write.
    script = textwrap.dedent(f"""
        import time, pathlib
        import reportkit.snapshot.store as snap
        from tests.test_snapshot_store import _inventory
        real = snap._write_table
        def write_then_pause(path, frame):
            entry = real(path, frame)
            pathlib.Path({str(marker)!r}).write_text(str(path))
            time.sleep(600)  # held here until the parent kills us
            return entry
        snap._write_table = write_then_pause
        snap.save_snapshot(_inventory(), {str(root)!r})
    """)
    child = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT,
                             env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        deadline = time.monotonic() + 30
        while not marker.exists():
            assert child.poll() is None, "the writer exited before writing its first file"
            assert time.monotonic() < deadline, "the writer never wrote its first file"
            time.sleep(0.02)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    written = Path(marker.read_text())
    assert written.exists() and written.parent.name.startswith(".tmp-")  # the half-written folder exists...
    assert list_snapshots(root).empty  # ...but no reader sees it
    with pytest.raises(SnapshotError, match="no complete snapshot"):
        load_snapshot(root)
    assert save_snapshot(_inventory(), root).name == "20261101T020304Z"  # and it does not block the next write


def test_history_lists_manifests_and_queries_every_snapshot_with_duckdb(tmp_path):
    save_snapshot(_inventory(started="2026-10-01T00:00:00Z"), tmp_path)
    save_snapshot(_inventory(started="2026-11-01T00:00:00Z", n=2), tmp_path)
    listed = list_snapshots(tmp_path)
    assert list(listed["date"]) == ["2026-10-01", "2026-11-01"]
    assert list(listed["backups"]) == [3, 2] and listed["problem"].isna().all()
    history = query_history(tmp_path, "backups")
    assert len(history) == 5 and set(history["tenancy"]) == {"Acme_Corp"}
    assert set(history["run"]) == {"20261001T000000Z", "20261101T000000Z"}
    per_date = query_history(tmp_path, "SELECT CAST(date AS VARCHAR) AS d, count(*) AS n FROM backups GROUP BY 1 ORDER BY 1")
    assert per_date.to_dict("records") == [{"d": "2026-10-01", "n": 3}, {"d": "2026-11-01", "n": 2}]
    assert query_history(tmp_path / "empty", "images").empty


def test_reportkit_snapshots_env_sets_where_latest_is_found(tmp_path):
    # Notebook kernels run in notebooks/, so `make lab` points REPORTKIT_SNAPSHOTS at data/snapshots.
    folder = save_snapshot(_inventory(), tmp_path / "snaps")
    elsewhere = tmp_path / "notebooks"
    elsewhere.mkdir()
    code = "from reportkit.snapshot import resolve_snapshot; print(resolve_snapshot('latest'))"
    env = {**os.environ, "REPORTKIT_SNAPSHOTS": str(tmp_path / "snaps")}
    out = subprocess.run([sys.executable, "-c", code], cwd=elsewhere, env=env, capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0, out.stderr
    assert Path(out.stdout.strip()).resolve() == folder.resolve()


def test_a_manifest_whose_metadata_lacks_a_field_is_a_snapshot_error(tmp_path):
    # found by the snapshot fuzz test: a manifest edited to drop metadata.home_region
    import json

    path = save_snapshot(_inventory(), tmp_path)
    manifest = json.loads((path / "manifest.json").read_text())
    del manifest["metadata"]["home_region"]
    (path / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(SnapshotError, match="metadata is incomplete"):
        load_snapshot(path)

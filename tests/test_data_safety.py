"""Data safety: a report render killed with SIGKILL leaves the earlier report intact and nothing
half-written in sight; two processes writing snapshots into one folder at the same instant never
collide. (A SIGKILL during a snapshot write is tested in tests/test_snapshot_store.py.)
"""
from __future__ import annotations

import hashlib
import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from reportkit.snapshot import list_snapshots, load_snapshot, save_snapshot

ROOT = Path(__file__).resolve().parents[1]


def _digest(folder: Path) -> dict[str, str]:
    """{relative path: sha256} of every visible file under ``folder``."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and not any(part.startswith(".") for part in
                                                                         p.relative_to(folder).parts)}


def _wait_for(condition, what: str, proc: subprocess.Popen, timeout: float = 60.0):
    """Poll ``condition()`` until it returns something truthy; fail if ``proc`` exits first."""
    deadline = time.monotonic() + timeout
    while True:
        found = condition()
        if found:
            return found
        assert proc.poll() is None, f"the process exited ({proc.returncode}) before {what}"
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


@pytest.fixture
def snapshot(tmp_path):
    from report_fixtures import build_inventory

    return save_snapshot(build_inventory(volumes=12), tmp_path / "snapshots")


def test_a_report_killed_mid_render_leaves_the_earlier_report_intact_and_nothing_half_written(snapshot, tmp_path):
    out = tmp_path / "reports"
    out.mkdir()
    # the earlier report, under exactly the names the new run would want (tenancy and date from the path)
    tenancy = re.search(r"tenancy=([^/]+)", snapshot.as_posix()).group(1)
    date = re.search(r"date=([^/]+)", snapshot.as_posix()).group(1)
    stem = f"coverage_{tenancy}_{date}"
    for suffix, body in ((".html", "<html>earlier report</html>"), (".ipynb", '{"cells": []}'),
                         ("_findings.csv", "control,resource_id\nXR_COPY_MISSING,bv1\n"),
                         ("_summary.json", '{"coverage_pct": 50.0}')):
        (out / f"{stem}{suffix}").write_text(body)
    before = _digest(out)
    proc = subprocess.Popen([sys.executable, "-m", "reportkit", "report", "coverage", "--snapshot", str(snapshot),
                             "--out", str(out), "--quiet"], cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        # mid-render: papermill has started writing the executed notebook into the private staging folder
        _wait_for(lambda: [p for p in out.glob(".*/*.ipynb") if p.stat().st_size > 0],
                  "the notebook started executing", proc)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert proc.returncode == -signal.SIGKILL  # it really was killed mid-run, not finished
    assert _digest(out) == before  # the earlier report is byte-for-byte intact, and no new visible file
    leftovers = [p.name for p in out.iterdir() if p.name.startswith(".")]
    assert leftovers  # the half-written work exists, but only as hidden staging/lock entries


_WRITER = textwrap.dedent("""
    import sys
    from reportkit.snapshot import load_snapshot, save_snapshot
    source, root, count, go = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    inventory = load_snapshot(source)
    import os, time
    while not os.path.exists(go):  # start together: both processes race for the same names
        time.sleep(0.005)
    for _ in range(count):
        print(save_snapshot(inventory, root), flush=True)
""")


@pytest.mark.slow
def test_two_processes_writing_snapshots_into_one_folder_never_collide(snapshot, tmp_path):
    root = tmp_path / "shared"
    go = tmp_path / "go"
    count = 6
    procs = [subprocess.Popen([sys.executable, "-c", _WRITER, str(snapshot), str(root), str(count), str(go)],
                              cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env={**os.environ, "PYTHONPATH": str(ROOT)}) for _ in range(2)]
    go.touch()
    results = [p.communicate(timeout=120) for p in procs]
    for proc, (_, err) in zip(procs, results):
        assert proc.returncode == 0, err
    written = [Path(line) for out, _ in results for line in out.split()]
    assert len(written) == 2 * count and len(set(written)) == 2 * count  # every write got its own folder
    # every inventory has the same collection time, so all share one base name with -2, -3 ... suffixes
    assert len({p.name.split("-")[0] for p in written}) == 1
    listed = list_snapshots(root)
    assert len(listed) == 2 * count and listed["problem"].isna().all()
    original = load_snapshot(snapshot)
    for path in written:
        assert len(load_snapshot(path).backups) == len(original.backups)
    assert not [p for p in root.rglob(".tmp-*")]  # no temporary folder left behind

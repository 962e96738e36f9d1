"""`reportkit collect` when things go wrong around it: Ctrl-C, a bad or full output folder, a disk that fails
after the collection, discovery answers of the wrong shape. One line each, the documented exit code."""
from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from reportkit.cli import main
from reportkit.sim import SimServer
from sim_fixtures import FRA, LHR, TENANCY, build_fixture_tenancy

import reliability as rel

ROOT = Path(__file__).resolve().parents[1]




def _args(fake: SimServer, oci_config_file, out: Path, *extra: str) -> list[str]:
    path, profile = oci_config_file
    return ["collect", "--config-file", str(path), "--profile", profile, "--endpoint-template",
            fake.endpoint_template, "--out", str(out), "--no-progress", *extra]


def _one_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


# ------------------------------------------------------------------------------------------- Ctrl-C
@contextlib.contextmanager
def _collect_process(fake: SimServer, oci_config_file, out: Path, *extra: str) -> Iterator[subprocess.Popen]:
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    # a shell running the tests in the background ignores SIGINT, and an ignored signal stays ignored
    # across exec: give the child the terminal's default back, as a user's shell would
    proc = subprocess.Popen([sys.executable, "-m", "reportkit", *_args(fake, oci_config_file, out, *extra)],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@contextlib.contextmanager
def _logged(fake: SimServer, region: str, operation: str) -> Iterator[threading.Event]:
    """An Event set when the fake logs a request of ``operation`` in ``region`` (logged before it stalls)."""
    backend, original = fake.backend, fake.backend.record
    event = threading.Event()

    def record(**entry):
        out = original(**entry)
        if entry.get("region") == region and entry.get("operation") == operation:
            event.set()
        return out
    backend.record = record
    try:
        yield event
    finally:
        backend.record = original


@pytest.mark.parametrize("mode", ["discard", "keep"])
def test_ctrl_c_stops_collection_within_two_seconds(fake, oci_config_file, tmp_path, mode):
    """Frankfurt's backup lists stall for a minute; once the fake has received one, SIGINT: the process
    must be done within 2 s (every stalled request cut off), exit 130, and say what it did."""
    from reportkit.snapshot import load_snapshot, read_manifest

    fake.set_knobs(stall=[{"operation": "ListBootVolumeBackups", "region": FRA, "seconds": 60}])
    out = tmp_path / "snaps"
    with _logged(fake, FRA, "ListBootVolumeBackups") as stalled, \
            _collect_process(fake, oci_config_file, out, "--on-interrupt", mode) as proc:
        assert stalled.wait(60), f"the fake never received Frankfurt's backup list: {proc.poll()}"
        sent = time.monotonic()
        proc.send_signal(signal.SIGINT)
        try:
            code = proc.wait(timeout=2.0)
        except subprocess.TimeoutExpired:
            pytest.fail("collect was still running 2 s after Ctrl-C")
        took = time.monotonic() - sent
        err = proc.stderr.read()
    assert code == 130, err
    line = _one_line(err)
    if mode == "discard":
        assert "nothing was written" in line and not list(out.rglob("manifest.json"))
        return
    assert "partial snapshot kept at" in line, line
    folder = next(out.rglob("manifest.json")).parent
    manifest = read_manifest(folder / "manifest.json")
    assert manifest["complete"] is False and manifest["parameters"]["interrupted"] is True
    inv = load_snapshot(folder)
    interrupted = inv.errors[inv.errors["code"] == "Interrupted"]
    # every Frankfurt backup list that was cut off or never sent is a gap, never an empty compartment
    fra = set(inv.errors.loc[(inv.errors["region"] == FRA)
                             & (inv.errors["operation"] == "ListBootVolumeBackups"), "compartment_id"])
    assert fra == set(inv.compartments["compartment_id"]) and len(interrupted) >= 1
    assert inv.backups[inv.backups["region"] == FRA].empty
    assert took < 2.0


# ------------------------------------------------------------------------------------------- --out
def _mount_tmpfs(path: Path, options: str) -> None:
    path.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.decode().strip()})")


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[callable]:
    mounted: list[Path] = []

    def make(name: str, options: str) -> Path:
        path = tmp_path / name
        _mount_tmpfs(path, options)
        mounted.append(path)
        return path
    yield make
    for path in mounted:
        subprocess.run(["umount", "-l", str(path)], capture_output=True)


def test_an_out_that_is_not_a_folder_fails_in_one_line_before_any_request(fake, oci_config_file, tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    code = main(_args(fake, oci_config_file, blocker / "snapshots"))
    assert code == 2
    assert "is not writable" in _one_line(capsys.readouterr().err)
    assert fake.requests() == []  # nothing was read


def test_a_read_only_out_fails_in_one_line_before_any_request(fake, oci_config_file, tmpfs, capsys):
    out = tmpfs("ro", "ro,size=64m")
    code = main(_args(fake, oci_config_file, out / "snapshots"))
    assert code == 2
    line = _one_line(capsys.readouterr().err)
    assert "not writable" in line and "Read-only file system" in line
    assert fake.requests() == []


def test_a_full_out_fails_in_one_line_before_any_request(fake, oci_config_file, tmpfs, capsys):
    out = tmpfs("full", "size=1m")
    code = main(_args(fake, oci_config_file, out))
    assert code == 2
    assert "MiB free" in _one_line(capsys.readouterr().err)
    assert fake.requests() == []


def test_a_write_failing_after_the_collection_keeps_it_and_says_where(fake, oci_config_file, tmpfs, capsys):
    """The output folder turns read-only mid-collection: exit 1, one line naming where the collection was
    kept, a snapshot there that loads, and no staging folder left behind."""
    from reportkit.snapshot import load_snapshot

    out = tmpfs("flaky", "size=64m")
    remount = lambda _s: subprocess.run(["mount", "-o", "remount,ro", str(out)], check=True)  # noqa: E731
    with rel.after_requests(fake, 3, remount, operation="ListBootVolumeBackups"):
        code = main(_args(fake, oci_config_file, out))
    assert code == 1
    line = _one_line(capsys.readouterr().err)
    assert "could not write the snapshot" in line and "Read-only file system" in line
    kept = Path(line.split("saved under ")[1].split(" instead")[0])
    try:
        inv = load_snapshot(kept)
        assert inv.metadata.tenancy_name == "fixture" and len(inv.backups) > 0
        assert f"mv {kept}/tenancy=*" in line
    finally:
        import shutil

        shutil.rmtree(kept, ignore_errors=True)
    subprocess.run(["mount", "-o", "remount,rw", str(out)], check=True)
    assert list(out.rglob("*")) == []  # no .tmp-* staging folder, nothing half-written


# ------------------------------------------------------------------------------------------- discovery
@pytest.mark.parametrize("knobs, words", [
    ({"wrong_shape": [{"operation": "GetTenancy", "shape": "list"}]}, "GetTenancy answered a JSON list"),
    ({"wrong_shape": [{"operation": "ListRegionSubscriptions", "shape": "object"}]},
     "ListRegionSubscriptions answered a JSON object"),
    ({"record_faults": [{"operation": "ListRegionSubscriptions", "field": "regionName", "drop": True, "every": 2}]},
     "without a usable regionName"),
    ({"record_faults": [{"operation": "ListCompartments", "field": "id", "value": None, "every": 2}]},
     "Compartment record without a usable id"),
    ({"wrong_shape": [{"operation": "ListCompartments", "shape": "text"}]}, "ListCompartments answered expected"),
], ids=["tenancy-as-list", "subscriptions-as-object", "subscription-without-name", "compartment-without-id",
        "compartments-as-text"])
def test_discovery_answers_of_the_wrong_shape_are_one_line_exit_2(fake, oci_config_file, tmp_path, capsys, knobs,
                                                                   words):
    fake.set_knobs(**knobs)
    code = main(_args(fake, oci_config_file, tmp_path / "snaps"))
    assert code == 2
    line = _one_line(capsys.readouterr().err)
    assert words in line and "nothing was collected" in line, line
    assert not (tmp_path / "snaps").exists()


def test_a_compartment_without_a_name_is_read_and_recorded(fake, oci_config_file, tmp_path, capsys):
    from reportkit.snapshot import load_snapshot
    from sim_fixtures import DEV

    fake.set_knobs(record_faults=[{"operation": "ListCompartments", "field": "name", "value": 42, "ids": [DEV]}])
    code = main(_args(fake, oci_config_file, tmp_path / "snaps"))
    assert code == 0
    inv = load_snapshot(next((tmp_path / "snaps").rglob("manifest.json")).parent)
    assert dict(zip(inv.compartments["compartment_id"], inv.compartments["name"]))[DEV] == DEV
    row = inv.errors[(inv.errors["code"] == "BadField") & (inv.errors["field"] == "name")]
    assert list(row["resource_id"]) == [DEV] and list(row["raw_value"]) == ["42"]
    assert len(inv.boot_volumes[inv.boot_volumes["compartment_id"] == DEV]) == 3

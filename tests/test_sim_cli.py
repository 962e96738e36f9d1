"""The real `oci` CLI against the fake, and `reportkit sim serve` as a standalone process."""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sim_fixtures import LHR, PROD, build_fixture_tenancy

ROOT = Path(__file__).resolve().parents[1]
OCI_CLI = ROOT / ".venv" / "bin" / "oci"


def _oci(config_file: Path, profile: str, *argv: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, OCI_CLI_SUPPRESS_FILE_PERMISSIONS_WARNING="True", SUPPRESS_LABEL_WARNING="True")
    return subprocess.run([str(OCI_CLI), "--config-file", str(config_file), "--profile", profile, *argv],
                          capture_output=True, text=True, timeout=60, env=env)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory):
    """`reportkit sim serve` in its own process on the fixture tenancy; yields (endpoint template, config)."""
    folder = tmp_path_factory.mktemp("simcli")
    tenancy_file = folder / "tenancy.json"
    tenancy_file.write_text(json.dumps(build_fixture_tenancy()))
    proc = subprocess.Popen([sys.executable, "-m", "reportkit", "sim", "serve", "--tenancy", str(tenancy_file),
                             "--config-dir", str(folder / "oci")], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    lines: list[str] = []
    assert proc.stdout is not None
    while not any(line.startswith("admin:") for line in lines):  # readline blocks until the banner is out
        line = proc.stdout.readline()
        assert line, f"sim serve exited early: {lines}"
        lines.append(line)
    banner = "".join(lines)
    template = re.search(r"endpoint template: (\S+)", banner).group(1)
    config = Path(re.search(r"oci config: (\S+)", banner).group(1))
    yield template, config, banner, proc
    if proc.poll() is None:
        proc.kill()
        proc.wait(timeout=10)


@pytest.mark.skipif(not OCI_CLI.exists(), reason="the oci CLI (oci-cli package) is installed by `make setup`")
def test_oci_cli_lists_every_backup_across_pages(served):
    template, config, banner, _ = served
    assert config.is_file() and "bv boot-volume-backup list --all" in banner
    result = _oci(config, "DEFAULT", "bv", "boot-volume-backup", "list", "--all", "--page-size", "2",
                  "--compartment-id", PROD, "--endpoint", template.format(region=LHR))
    assert result.returncode == 0, result.stderr
    got = {b["id"] for b in json.loads(result.stdout)["data"]}
    expected = {b["id"] for b in build_fixture_tenancy()["bootVolumeBackups"][LHR] if b["compartmentId"] == PROD}
    assert got == expected


def test_sim_serve_stops_on_ctrl_c(served):
    _, _, _, proc = served
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=10) == 0
    assert "stopped" in proc.stdout.read()


def test_sim_serve_rejects_a_missing_tenancy_file(tmp_path):
    result = subprocess.run([sys.executable, "-m", "reportkit", "sim", "serve", "--tenancy",
                             str(tmp_path / "nope.json")], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert result.returncode == 2 and "no such file" in result.stderr and "Traceback" not in result.stderr


def test_sim_serve_rejects_a_negative_clock_rate():
    result = subprocess.run([sys.executable, "-m", "reportkit", "sim", "serve", "--clock-rate", "-1"],
                            capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert result.returncode == 2 and "--clock-rate" in result.stderr and "Traceback" not in result.stderr


def test_sim_serve_runs_the_clock_at_the_given_rate(tmp_path):
    import urllib.request

    tenancy_file = tmp_path / "tenancy.json"
    tenancy_file.write_text(json.dumps(build_fixture_tenancy()))
    proc = subprocess.Popen([sys.executable, "-m", "reportkit", "sim", "serve", "--tenancy", str(tenancy_file),
                             "--config-dir", str(tmp_path / "oci"), "--clock-rate", "3600"],
                            stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        lines: list[str] = []
        assert proc.stdout is not None
        while not any(line.startswith("admin:") for line in lines):
            line = proc.stdout.readline()
            assert line, f"sim serve exited early: {lines}"
            lines.append(line)
        banner = "".join(lines)
        assert "running at 3600x real time" in banner and "opc-sim-time" in banner
        url = re.search(r"admin: (\S+)/_sim/requests", banner).group(1)

        def clock() -> dict:
            with urllib.request.urlopen(url + "/_sim/clock", timeout=5) as resp:
                return json.load(resp)

        first, second = clock(), clock()
        assert first["rate"] == 3600.0
        # any real time between two requests is an hour per second here: the clock has moved on
        assert build_fixture_tenancy()["asOf"] < first["now"] < second["now"]
    finally:
        proc.kill()
        proc.wait(timeout=10)

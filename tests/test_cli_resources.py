"""A full CLI run leaves no open sockets or files (issue 14): collect, assess, plan and a dry-run copy,
each in a fresh interpreter under ``-W error::ResourceWarning`` (the warning is ignored by default). An
unclosed socket or file is reported as "ResourceWarning" on stderr (from ``__del__``, where it cannot raise)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, REPORTKIT_DATA=str(cwd / "data"))
    return subprocess.run([sys.executable, "-W", "error::ResourceWarning", "-m", "reportkit", *args],
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


@pytest.mark.slow
def test_a_cli_run_leaves_no_open_socket_or_file(sim, oci_config_file, tmp_path):
    config, profile = oci_config_file
    auth = ["--config-file", str(config), "--profile", profile]
    steps = [
        ["collect", *auth, "--endpoint-template", sim.endpoint_template, "--out", "snaps", "--no-progress"],
        ["assess", "--snapshot", "snaps", "--out", "assessed"],
        ["plan", "--snapshot", "snaps", "--out", "plan.json"],
        ["copy", "--plan", "plan.json"],
    ]
    for step in steps:
        done = _run(*step, cwd=tmp_path)
        assert done.returncode == 0, (step[0], done.stderr[-2000:])
        assert "ResourceWarning" not in done.stderr, (step[0], done.stderr[-4000:])
    assert sim.requests()  # the collection did talk to the fake

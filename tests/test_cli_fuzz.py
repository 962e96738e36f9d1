"""Fuzzing the command line: random text for every option of every command never ends in a traceback.

Each example runs ``reportkit.cli.main(argv)`` in this process with one option of one command set
to a random (or known-nasty) string, the rest of the command line valid. The promise checked: the
command either accepts the value (exit 0, or 1 for a finding such as --fail-under) or refuses it
with exit 2 and exactly ONE ``reportkit: error:`` line, never a traceback or another exception.

Where accepting a value would start long-running work, the test stops at that boundary and
counts the value as accepted: a report stops where the kernel would start (every check of a
report happens before it), ``demo`` where the collection would start, ``sim serve`` right after it
has bound its port and printed its config. ``copy`` runs dry (nothing is sent anywhere).
"""
from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reportkit import cli
from reportkit.sim import SimServer, write_oci_config
from sim_fixtures import TENANCY, build_fixture_tenancy

NASTY = ["", " ", "-", "--", "-1", "0", "1", "7", "3651", "nan", "inf", "-inf", "1e400", "²", "١", "10^20",
         "100000000000000000000", "9999-12-31", "0001-01-01", "2262-04-11T23:47:16.854775807", "2026-11-01",
         "latest", "none", "None", "lhr", "LHR", "xyz", "uk-london-1", " , ", "{x}", "{region}", "}}", "{0}",
         "file:///{region}", "http://u:p@h/{region}", "http://127.0.0.1:1/{region}", "../../etc", "/", ".",
         "/dev/null", "/proc/self/mem", "a\x00b", "\udcff", "=cmd|' /C calc'!A0", "<script>", "'", '"', "\\",
         "{}", "[]", '{"lhr": "fra", "lhr": "ams"}', "lhr=fra", "a" * 300, "🙂", "\n", "\t", "--help"]
VALUES = st.one_of(st.sampled_from(NASTY), st.text(max_size=40))


class _Stopped(Exception):
    """Raised where the command would start long work: the value was accepted."""


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory):
    from reportkit.plan import make_plan, save_plan
    from reportkit.pipeline import assess_snapshot

    base = tmp_path_factory.mktemp("fuzz")
    config, profile = write_oci_config(base / "oci", tenancy_id=TENANCY)
    with SimServer(build_fixture_tenancy()) as sim:
        assert cli.main(["collect", "--config-file", str(config), "--endpoint-template", sim.endpoint_template,
                         "--out", str(base / "snapshots"), "--no-progress"]) == 0
        snapshot = next((base / "snapshots").rglob("manifest.json")).parent
        plan = save_plan(make_plan(assess_snapshot(snapshot).assessment), base / "plan.json")
        (base / "policies.txt").write_text("Allow group Ops to manage boot-volume-backups in tenancy\n")
        yield {"base": base, "config": str(config), "profile": profile, "sim": sim, "snapshot": str(snapshot),
               "root": str(base / "snapshots"), "plan": str(plan)}


def _commands(w: dict) -> dict[str, tuple[list[str], list[str]]]:
    """command -> (a valid command line, the options to fuzz)."""
    snap, root = w["snapshot"], w["root"]
    collect = ["collect", "--config-file", w["config"], "--endpoint-template", w["sim"].endpoint_template,
               "--out", "snaps", "--no-progress"]
    return {
        "collect": (collect, ["--profile", "--config-file", "--auth", "--regions", "--compartment",
                              "--endpoint-template", "--workers", "--out"]),
        "assess": (["assess", "--snapshot", snap, "--out", "assessed"],
                   ["--snapshot", "--snapshot-root", "--rpo-days", "--as-of", "--copy-targets", "--overrides",
                    "--out", "--fail-under"]),
        "plan": (["plan", "--snapshot", snap, "--out", "plan.json"],
                 ["--snapshot", "--snapshot-root", "--rpo-days", "--as-of", "--copy-targets", "--overrides",
                  "--kms-key-map", "--group", "--out"]),
        "report": (["report", "coverage", "--snapshot", snap, "--out", "reports", "--quiet"],
                   ["--snapshot", "--snapshot-root", "--month", "--history", "--overrides", "--out",
                    "-p rpo_days", "-p as_of", "-p copy_targets", "-p top_n", "-p title", "-p region", "-p NAME"]),
        "report-kind": (["report"], ["KIND"]),
        "copy": (["copy", "--plan", w["plan"]],
                 ["--plan", "--journal", "--concurrency", "--poll-interval", "--timeout", "--profile",
                  "--config-file", "--auth", "--endpoint-template"]),
        "iam check": (["iam", "check", "--group", "Ops", "--from", "lhr", "--to", "fra", "--snapshot", snap],
                      ["--group", "--from", "--to", "--compartment", "--policies", "--snapshot", "--snapshot-root"]),
        "iam matrix": (["iam", "matrix", "--group", "Ops", "--snapshot", snap, "--csv", "m.csv"],
                       ["--group", "--regions", "--csv", "--compartment", "--snapshot"]),
        "demo": (["demo", "--no-progress"], ["--snapshots", "--out", "--assessments", "--months"]),
        "sim serve": (["sim", "serve", "--config-dir", "sim-config"],
                      ["--port", "--tenancy", "--config-dir", "--clock-rate"]),
    }


def _argv(base: list[str], option: str, value: str, root: str) -> list[str]:
    if option == "KIND":
        return [*base, value]
    if option.startswith("-p "):
        name = option[3:]
        return [*base, "-p", value, "x"] if name == "NAME" else [*base, "-p", name, value]
    if option == "--snapshot-root":
        return [*base, option, value] if "--snapshot" not in base else [*base, "--snapshot", "latest", option, value]
    return [*base, f"{option}={value}"]  # '=' so a value starting with '-' is a value


@pytest.fixture
def bounded(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """Stop long work at its boundary (see the module docstring); run in an empty folder."""
    import reportkit.demo
    import reportkit.report.render
    import reportkit.sim.standalone

    def no_kernel(*args, **kwargs):
        raise _Stopped("the kernel would start here")

    def no_demo(*args, **kwargs):
        raise _Stopped("the demo would start collecting here")

    real_serve = reportkit.sim.standalone.serve_until_interrupted

    def serve_once(options, *, echo=print, stop=None):
        done = threading.Event()
        done.set()
        return real_serve(options, echo=echo, stop=done)

    monkeypatch.setattr(reportkit.report.render, "execute_notebook", no_kernel)
    monkeypatch.setattr(reportkit.demo, "run_demo", no_demo)
    monkeypatch.setattr(reportkit.sim.standalone, "serve_until_interrupted", serve_once)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _check_one(capsys, argv: list[str]) -> None:
    try:
        code = cli.main(argv)
    except _Stopped:
        capsys.readouterr()
        return
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err, (argv, err)
    assert code in (0, 1, 2), (argv, code, err)
    if code == 2:
        lines = [line for line in err.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith("reportkit: error: "), (argv, err)


@pytest.mark.slow  # ~20 s: values a command accepts run it for real (a collection, an assessment, a plan)
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_text_for_any_option_of_any_command_is_one_line_or_accepted(world, bounded, capsys, data):
    commands = _commands(world)
    name = data.draw(st.sampled_from(sorted(commands)), label="command")
    base, options = commands[name]
    option = data.draw(st.sampled_from(options), label="option")
    value = data.draw(VALUES, label="value")
    _check_one(capsys, _argv(base, option, value, world["root"]))

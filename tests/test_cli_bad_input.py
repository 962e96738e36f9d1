"""Bad input through the CLI: one clear line (what, where, what to do), exit code 2, never a traceback.

Plus fuzzing: random bytes in any file of a snapshot folder, random text as IAM policy statements:
only reportkit's own errors (ReportkitError) may come out.
"""
from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reportkit import cli
from reportkit.errors import ReportkitError
from reportkit.sim import SimServer, write_oci_config
from sim_fixtures import TENANCY, build_fixture_tenancy

FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


# --------------------------------------------------------------------------------------------------
# fixtures: a running fake, a good config, a good snapshot
# --------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory):
    base = tmp_path_factory.mktemp("bad-input")
    config, profile = write_oci_config(base / "oci", tenancy_id=TENANCY)
    with SimServer(build_fixture_tenancy()) as sim:
        code = cli.main(["collect", "--config-file", str(config), "--endpoint-template", sim.endpoint_template,
                         "--out", str(base / "snapshots"), "--no-progress"])
        assert code == 0
        snapshot = next((base / "snapshots").rglob("manifest.json")).parent
        yield {"base": base, "config": config, "profile": profile, "sim": sim, "snapshot": snapshot}


def _fails_cleanly(capsys, argv: list[str], *patterns: str) -> str:
    """Run the CLI; assert exit 2 and exactly one stderr line matching every pattern; return it."""
    import re

    code = cli.main(argv)
    captured = capsys.readouterr()
    lines = [line for line in captured.err.splitlines() if line.strip()]
    assert code == 2, (code, captured.err, captured.out)
    assert "Traceback" not in captured.err + captured.out
    assert len(lines) == 1 and lines[0].startswith("reportkit: error: "), captured.err
    for pattern in patterns:
        assert re.search(pattern, lines[0]), (pattern, lines[0])
    return lines[0]


def _collect_args(world, config: Path | str, *extra: str) -> list[str]:
    return ["collect", "--config-file", str(config), "--endpoint-template", world["sim"].endpoint_template,
            "--out", str(world["base"] / "never"), "--no-progress", *extra]


def _config_with(world, tmp_path: Path, **changes: str) -> Path:
    text = world["config"].read_text()
    for key, value in changes.items():
        lines = [line for line in text.splitlines() if not line.startswith(f"{key}=")]
        text = "\n".join([*lines, f"{key}={value}", ""])
    path = tmp_path / "config"
    path.write_text(text)
    return path


# --------------------------------------------------------------------------------------------------
# OCI configuration
# --------------------------------------------------------------------------------------------------
def test_missing_config_file(world, capsys, tmp_path):
    missing = tmp_path / "no-such-config"
    _fails_cleanly(capsys, _collect_args(world, missing), "OCI config file", str(missing), "not found")


def test_malformed_config_file(world, capsys, tmp_path):
    broken = tmp_path / "config"
    broken.write_text("[DEFAULT\nuser ocid1.user\n\x00\x01garbage")
    _fails_cleanly(capsys, _collect_args(world, broken), str(broken), "cannot be parsed|malformed|missing")


def test_unknown_profile(world, capsys):
    line = _fails_cleanly(capsys, _collect_args(world, world["config"], "--profile", "NOPE"),
                          "profile 'NOPE' not found", str(world["config"]))
    assert "DEFAULT" in line  # says which profiles exist


def test_missing_key_file(world, capsys, tmp_path):
    config = _config_with(world, tmp_path, key_file=str(tmp_path / "gone.pem"))
    _fails_cleanly(capsys, _collect_args(world, config), "key_file", "gone.pem", "does not exist")


def test_passphrase_protected_key_without_passphrase(world, capsys, tmp_path):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path = tmp_path / "locked.pem"
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.BestAvailableEncryption(b"s3cret-pass")))
    config = _config_with(world, tmp_path, key_file=str(path))
    line = _fails_cleanly(capsys, _collect_args(world, config), "locked.pem", "passphrase|pass_phrase")
    assert "s3cret-pass" not in line


# --------------------------------------------------------------------------------------------------
# what to collect
# --------------------------------------------------------------------------------------------------
def test_unknown_region(world, capsys):
    _fails_cleanly(capsys, _collect_args(world, world["config"], "--regions", "xyz"), "unknown region 'xyz'",
                   "subscribed: uk-london-1")


def test_unsubscribed_region(world, capsys):
    _fails_cleanly(capsys, _collect_args(world, world["config"], "--regions", "phx"),
                   "us-phoenix-1", "not a READY subscribed region")


def test_unknown_compartment(world, capsys):
    _fails_cleanly(capsys, _collect_args(world, world["config"], "--compartment", "nope/none"),
                   "compartment 'nope/none' not found", "known paths include")


# --------------------------------------------------------------------------------------------------
# assessment and report parameters
# --------------------------------------------------------------------------------------------------
def test_rpo_days_seven_for_assess(world, capsys, tmp_path):
    _fails_cleanly(capsys, ["assess", "--snapshot", str(world["snapshot"]), "--rpo-days", "seven",
                            "--out", str(tmp_path)], "rpo_days", "'seven'", "whole number")


def test_rpo_days_seven_for_report(world, capsys, tmp_path):
    _fails_cleanly(capsys, ["report", "coverage", "--snapshot", str(world["snapshot"]), "-p", "rpo_days", "seven",
                            "--out", str(tmp_path), "--quiet"], "rpo_days", "'seven'", "whole number")
    assert not list(tmp_path.iterdir())  # refused before any kernel started or file was written


def test_copy_targets_naming_an_unsubscribed_region(world, capsys, tmp_path):
    targets = tmp_path / "targets.json"
    targets.write_text(json.dumps({"uk-london-1": "us-phoenix-1"}))
    _fails_cleanly(capsys, ["assess", "--snapshot", str(world["snapshot"]), "--copy-targets", str(targets),
                            "--out", str(tmp_path / "out")], "us-phoenix-1", "not a region this tenancy subscribes to")


def test_copy_targets_in_report_parameters(world, capsys, tmp_path):
    _fails_cleanly(capsys, ["report", "coverage", "--snapshot", str(world["snapshot"]), "-p", "copy_targets",
                            "uk-london-1=us-phoenix-1", "--out", str(tmp_path), "--quiet"], "us-phoenix-1",
                   "not a region this tenancy subscribes to")
    assert not list(tmp_path.iterdir())  # refused before any kernel started or file was written


# --------------------------------------------------------------------------------------------------
# snapshots
# --------------------------------------------------------------------------------------------------
def _copy_snapshot(world, tmp_path: Path) -> Path:
    target = tmp_path / world["snapshot"].name
    shutil.copytree(world["snapshot"], target)
    return target


def _damage(folder: Path, how: str) -> None:
    manifest_path = folder / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    backups = folder / "backups.parquet"
    if how == "corrupt":
        data = bytearray(backups.read_bytes())
        data[len(data) // 2] ^= 0xFF
        backups.write_bytes(bytes(data))
    elif how == "truncated":
        backups.write_bytes(backups.read_bytes()[: backups.stat().st_size // 3])
    elif how == "hand-edited":  # a verdict changed in a file, hash left alone
        import pandas as pd

        frame = pd.read_parquet(backups)
        states = frame["lifecycle_state"].astype(object).to_numpy(copy=True)
        states[0] = "AVAILABLE" if states[0] != "AVAILABLE" else "FAULTY"
        frame.assign(lifecycle_state=states).to_parquet(backups)
    elif how == "newer schema":
        manifest["schema_version"] = 99
        manifest_path.write_text(json.dumps(manifest))
    elif how == "truncated manifest":
        manifest_path.write_text(manifest_path.read_text()[:100])
    else:
        raise AssertionError(how)


@pytest.mark.parametrize("how, patterns", [
    ("corrupt", [r"backups\.parquet", "sha256"]),
    ("truncated", [r"backups\.parquet", "sha256"]),
    ("hand-edited", [r"backups\.parquet", "does not match the sha256", "modified"]),
    ("newer schema", [r"manifest\.json", "schema 99", "upgrade reportkit"]),
    ("truncated manifest", [r"manifest\.json", "corrupt"]),
])
def test_damaged_snapshot(world, capsys, tmp_path, how, patterns):
    folder = _copy_snapshot(world, tmp_path)
    _damage(folder, how)
    _fails_cleanly(capsys, ["assess", "--snapshot", str(folder), "--out", str(tmp_path / "out")], *patterns)
    assert not (tmp_path / "out").exists()


def test_missing_snapshot_folder(capsys, tmp_path):
    _fails_cleanly(capsys, ["assess", "--snapshot", str(tmp_path / "nothing"), "--out", str(tmp_path / "o")],
                   "does not exist", "reportkit collect")


# --------------------------------------------------------------------------------------------------
# IAM policy files
# --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("content", [b'[{"statements": ["Allow group A to', b"\xff\xfe\x00garbage\x80",
                                     b'{"not": "a policy export"}'])
def test_malformed_policy_file(capsys, tmp_path, content):
    path = tmp_path / "policies.json"
    path.write_bytes(content)
    _fails_cleanly(capsys, ["iam", "check", "--group", "Ops", "--from", "lhr", "--to", "fra",
                            "--policies", str(path)], "policies.json")


# --------------------------------------------------------------------------------------------------
# fuzzing: only ReportkitError may escape
# --------------------------------------------------------------------------------------------------
_FILES = ["manifest.json", "backups.parquet", "boot_volumes.parquet", "images.parquet", "errors.parquet",
          "regions.parquet"]


@FUZZ
@given(name=st.sampled_from(_FILES), payload=st.binary(max_size=300), cut=st.integers(min_value=0, max_value=4000),
       rehash=st.booleans(), mode=st.sampled_from(["replace", "truncate", "splice"]))
def test_fuzz_snapshot_loader_raises_only_reportkit_errors(world, tmp_path_factory, name, payload, cut, rehash,
                                                           mode):
    from reportkit.snapshot import load_snapshot

    folder = tmp_path_factory.mktemp("fuzz") / "snap"
    shutil.copytree(world["snapshot"], folder)
    target = folder / name
    original = target.read_bytes()
    if mode == "replace":
        data = payload
    elif mode == "truncate":
        data = original[: cut % (len(original) + 1)]
    else:
        at = cut % (len(original) + 1)
        data = original[:at] + payload + original[at + len(payload):]
    target.write_bytes(data)
    if rehash and name != "manifest.json":
        # make the manifest agree with the damaged file, so the Parquet reader itself meets it
        manifest = json.loads((folder / "manifest.json").read_text())
        manifest["files"][name.removesuffix(".parquet")]["sha256"] = hashlib.sha256(data).hexdigest()
        (folder / "manifest.json").write_text(json.dumps(manifest))
    try:
        load_snapshot(folder)
    except ReportkitError:
        pass


_WORDS = ["Allow", "Deny", "allow", "group", "dynamic-group", "any-user", "service", "to", "in", "tenancy",
          "compartment", "id", "where", "all", "any", "{", "}", ",", "=", "!=", "'", "/", "request.region",
          "target.compartment.name", "'lhr'", "read", "use", "manage", "inspect", "boot-volume-backups",
          "volume-family", "all-resources", "BOOT_VOLUME_BACKUP_COPY", "Endorse", "Admit", "Define", "of", ":",
          "ocid1.group.oc1..aaaa", "'Default'/'Ops'", "before", "between", "and", "request.utc-timestamp"]


@FUZZ
@given(text=st.one_of(st.text(max_size=200),
                      st.lists(st.sampled_from(_WORDS), max_size=25).map(" ".join)))
def test_fuzz_policy_parser_raises_only_reportkit_errors(text):
    from reportkit.iam import can_copy, parse_policy, parse_statement

    try:
        parse_statement(text)
    except ReportkitError:
        pass
    parse_policy([text])  # never raises: a malformed statement is an entry
    try:
        can_copy([text, "Allow group Ops to use boot-volume-backups in tenancy"], "Ops", "lhr", "fra")
    except ReportkitError:
        pass


# --------------------------------------------------------------------------------------------------
# every value that once ended in a traceback (issue 14): one line, exit 2, before any work
# --------------------------------------------------------------------------------------------------
RPO_DAYS = ["²", "106752", "10^20", "100000000000000000000", "0", "-1", "7.5", "seven"]
AS_OF = ["9999-12-31", "0001-01-01", "1677-09-21T00:12:43.145224193", "2262-04-11T23:47:16.854775807",
         "not a time", "NaT", ""]
TEMPLATES = ["{x}", "http://127.0.0.1:1/{region}}}", "http://127.0.0.1:1/{0}/{region}", "file:///tmp/{region}",
             "http://user:s3cret@127.0.0.1:1/{region}", "http://127.0.0.1:99999/{region}", "http://127.0.0.1:1/"]


@pytest.mark.parametrize("command", ["assess", "plan"])
@pytest.mark.parametrize("value", RPO_DAYS)
def test_rpo_days_out_of_range_or_not_a_number(world, capsys, tmp_path, command, value):
    _fails_cleanly(capsys, [command, "--snapshot", str(world["snapshot"]), "--rpo-days", value,
                            "--out", str(tmp_path / "out")], "rpo_days", "whole number from 1 to 3,650")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("command", ["assess", "plan"])
@pytest.mark.parametrize("value", AS_OF)
def test_as_of_that_is_not_a_time_or_outside_the_bounds(world, capsys, tmp_path, command, value):
    _fails_cleanly(capsys, [command, "--snapshot", str(world["snapshot"]), "--as-of", value,
                            "--out", str(tmp_path / "out")], "as_of")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("name, value, pattern", [
    *[("rpo_days", v, "whole number from 1 to 3,650") for v in ("10^20", "100000000000000000000", "²")],
    *[("as_of", v, "as_of") for v in ("9999-12-31", "0001-01-01")],
    ("copy_targets", '{"uk-london-1": "eu-frankfurt-1", "uk-london-1": "us-ashburn-1"}', "appears twice"),
])
def test_report_parameters_are_refused_before_a_kernel_starts(world, capsys, tmp_path, name, value, pattern):
    _fails_cleanly(capsys, ["report", "coverage", "--snapshot", str(world["snapshot"]), "-p", name, value,
                            "--out", str(tmp_path / "out"), "--quiet"], pattern)
    assert not (tmp_path / "out").exists()


def test_monthly_report_of_a_month_without_a_snapshot(world, capsys, tmp_path):
    line = _fails_cleanly(capsys, ["report", "monthly", "--month", "2025-06", "--history",
                                   str(world["base"] / "snapshots"), "--out", str(tmp_path / "out"), "--quiet"],
                          "no snapshot was taken in 2025-06", "the newest is from")
    assert "choose another month" in line and not (tmp_path / "out").exists()


@pytest.mark.parametrize("command", ["collect", "copy"])
@pytest.mark.parametrize("template", TEMPLATES)
def test_endpoint_templates_that_cannot_be_used(world, capsys, tmp_path, command, template):
    plan = tmp_path / "plan.json"
    plan.write_text("{}")
    argv = {"collect": ["collect", "--config-file", str(world["config"]), "--out", str(tmp_path / "snaps"),
                        "--no-progress"],
            "copy": ["copy", "--plan", str(plan), "--execute", "--config-file", str(world["config"])]}[command]
    mark = len(world["sim"].requests())
    line = _fails_cleanly(capsys, [*argv, "--endpoint-template", template], "--endpoint-template")
    assert "s3cret" not in line  # a password in the URL is never echoed
    assert world["sim"].requests()[mark:] == [] and not (tmp_path / "snaps").exists()


def test_regions_that_name_no_region(world, capsys, tmp_path):
    mark = len(world["sim"].requests())
    _fails_cleanly(capsys, _collect_args(world, world["config"], "--regions", " "), "--regions", "names no region")
    _fails_cleanly(capsys, ["iam", "matrix", "--group", "Ops", "--regions", " , ", "--snapshot",
                            str(world["snapshot"])], "--regions", "names no region")
    assert world["sim"].requests()[mark:] == []


@pytest.mark.parametrize("command", ["assess", "plan"])
def test_copy_targets_file_with_a_key_given_twice(world, capsys, tmp_path, command):
    targets = tmp_path / "targets.json"
    targets.write_text('{"uk-london-1": "eu-frankfurt-1", "uk-london-1": "us-ashburn-1"}')
    _fails_cleanly(capsys, [command, "--snapshot", str(world["snapshot"]), "--copy-targets", str(targets),
                            "--out", str(tmp_path / "out")], "targets.json", "'uk-london-1' appears twice")


@pytest.mark.parametrize("content", ['{"format": "reportkit-snapshot", "schema_version": 1, "files": {',
                                     '[{"format": "reportkit-snapshot"}]', "[]", "null", '"text"'])
def test_manifest_truncated_or_not_an_object(world, capsys, tmp_path, content):
    folder = _copy_snapshot(world, tmp_path)
    (folder / "manifest.json").write_text(content)
    _fails_cleanly(capsys, ["assess", "--snapshot", str(folder), "--out", str(tmp_path / "out")], "manifest.json")


def _token_config(world, tmp_path: Path, token: bytes) -> Path:
    token_file = tmp_path / "token"
    token_file.write_bytes(token)
    return _config_with(world, tmp_path, security_token_file=str(token_file))


@pytest.mark.parametrize("token, pattern", [
    (b"\xff\xfe not utf-8 \x80", "does not hold a session token"),
    (b"eyJhbGciOiJub25lIn0.eyJleHAiOiJzb29uIn0.", "expiry"),            # {"exp": "soon"}
    (b"eyJhbGciOiJub25lIn0.eyJleHAiOjFlNDAwfQ.", "expiry|expired"),      # {"exp": 1e400}: infinite
])
def test_security_token_files_that_cannot_be_used(world, capsys, tmp_path, token, pattern):
    config = _token_config(world, tmp_path, token)
    mark = len(world["sim"].requests())
    _fails_cleanly(capsys, _collect_args(world, config, "--auth", "security_token"), "session token", pattern)
    assert world["sim"].requests()[mark:] == []


def test_sim_serve_on_a_port_in_use_or_out_of_range(capsys):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        _fails_cleanly(capsys, ["sim", "serve", "--port", str(port)], f"127.0.0.1:{port}", "another --port")
    for value in ("70000", "-1"):
        _fails_cleanly(capsys, ["sim", "serve", "--port", value], "--port", "0 to 65535")
    _fails_cleanly(capsys, ["sim", "serve", "--port", "eighty"], "invalid int value")
    _fails_cleanly(capsys, ["sim", "serve", "--clock-rate", "nan"], "--clock-rate")

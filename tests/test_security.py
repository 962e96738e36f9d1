"""Security: no secret in any output, hostile OCI strings stay inert, the fake is local and signed-only,
and the auditing group's least-privilege policy (docs/security.md) reads but cannot copy.

One pipeline run drives the real CLI against the fake serving the demo tenancy with a hostile
tenancy name: collect (the session's demo collection, tests/conftest.py) -> assess -> report
coverage -> plan -> copy --execute (journal); every file it writes and everything it prints is
then scanned.
"""
from __future__ import annotations

import contextlib
import copy
import csv
import io
import json
import re
import socket
import urllib.error
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

import pytest

from reportkit import cli
from reportkit.sim import SimServer

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = "<script>alert(1)</script>"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _run_cli(argv: list[str]) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(argv)
    return code, out.getvalue() + err.getvalue()


@pytest.fixture(scope="module")
def pipeline(demo_collection):
    """Run the whole product once on the session's demo collection (itself made by `reportkit collect`
    under the hostile name, with the secret-holding config): assess -> report coverage -> plan ->
    copy --execute (journal). Return the output root, the secrets, everything printed, key paths."""
    demo = demo_collection
    out, snapshot, config_path, profile = demo["out"], demo["cli_snapshot"], demo["config"], demo["profile"]
    printed: list[str] = [demo["printed"]]
    code, text = _run_cli(["assess", "--snapshot", str(snapshot), "--out", str(out / "assessment")])
    printed.append(text)
    assert code in (0, 1), text
    code, text = _run_cli(["report", "coverage", "--snapshot", str(snapshot), "--out", str(out / "reports"),
                           "--quiet"])
    printed.append(text)
    assert code == 0, text
    plan = out / "plan" / "copy-plan.json"
    code, text = _run_cli(["plan", "--snapshot", str(snapshot), "--out", str(plan)])
    printed.append(text)
    assert code == 0, text
    with SimServer(copy.deepcopy(demo["document"])) as sim:
        # really request the copies from the fake (journal written); do not wait for them
        code, text = _run_cli(["copy", "--plan", str(plan), "--execute", "--config-file", str(config_path),
                               "--profile", profile, "--endpoint-template", sim.endpoint_template,
                               "--timeout", "0.05", "--poll-interval", "0.01", "--no-progress"])
    printed.append(text)
    assert code in (0, 1), text
    return {"out": out, "base": demo["base"], "secrets": demo["secrets"], "printed": "\n".join(printed),
            "snapshot": snapshot, "config": config_path}


def _text_of(path: Path) -> str:
    """Every string a file holds: Parquet cells and schema metadata decoded, other files as text."""
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        table = pq.read_table(path)
        parts = [str(table.schema.metadata or {})]
        for column in table.columns:
            parts.extend(str(v) for v in column.to_pylist() if v is not None)
        return "\n".join(parts)
    return path.read_bytes().decode("utf-8", errors="replace")


def _outputs(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def test_every_kind_of_output_was_produced(pipeline):
    names = [p.name for p in _outputs(pipeline["out"])]
    for pattern in (r"manifest\.json", r"backups\.parquet", r"errors\.parquet", r"\.html$", r"\.ipynb$",
                    r"findings\.csv$", r"summary\.json$", r"copy-plan\.json$", r"journal\.jsonl$"):
        assert any(re.search(pattern, n) for n in names), (pattern, names)


def test_no_secret_in_any_output_or_message(pipeline):
    leaks = []
    for path in _outputs(pipeline["out"]):
        text = _text_of(path)
        leaks += [(path.relative_to(pipeline["out"]), what) for what, value in pipeline["secrets"].items()
                  if value in text]
    leaks += [("printed output", what) for what, value in pipeline["secrets"].items() if value in pipeline["printed"]]
    assert not leaks, leaks


def test_the_scan_would_see_a_leak(pipeline, tmp_path):
    """The scanner reads Parquet cells (compressed pages are decoded): a secret written there is found."""
    import pandas as pd

    path = tmp_path / "leak.parquet"
    pd.DataFrame({"x": ["a", pipeline["secrets"]["fingerprint"]]}).to_parquet(path, compression="zstd")
    assert pipeline["secrets"]["fingerprint"] in _text_of(path)


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.scripts = 0
        self.handlers: list[str] = []
        self.text: list[str] = []
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.scripts += tag == "script"
        self.handlers += [name for name, _ in attrs if name.lower().startswith("on")]
        self.urls += [v for name, v in attrs if name in ("href", "src") and v and v.lower().startswith("javascript:")]

    def handle_data(self, data):
        self.text.append(data)


def test_hostile_oci_strings_are_escaped_in_the_html(pipeline):
    htmls = [p for p in _outputs(pipeline["out"]) if p.suffix == ".html"]
    assert htmls
    for path in htmls:
        raw = path.read_text(encoding="utf-8")
        parsed = _Tags()
        parsed.feed(raw)
        assert parsed.scripts == 0 and not parsed.handlers and not parsed.urls, path
        assert SCRIPT not in raw
        # the hostile name is really in the report, as text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in raw
        assert SCRIPT in "".join(parsed.text)


def test_every_csv_cell_a_spreadsheet_would_run_is_neutralised(pipeline):
    csvs = [p for p in _outputs(pipeline["out"]) if p.suffix == ".csv"]
    assert len(csvs) >= 5
    neutralised = 0
    for path in csvs:
        with open(path, newline="", encoding="utf-8") as fh:
            for row_number, row in enumerate(csv.reader(fh)):
                for cell in row:
                    if cell.startswith(FORMULA_START):
                        assert _is_number(cell), f"{path.name} row {row_number}: live formula cell {cell!r}"
                    neutralised += cell.startswith("'") and cell[1:2] in {c for c in "=+-@\t\r"}
    assert neutralised > 0  # the demo's hostile names reached the CSVs, so the check above was not vacuous


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def test_hostile_tenancy_name_cannot_move_any_file_out_of_the_output_folder(pipeline):
    out = pipeline["out"].resolve()
    for path in _outputs(pipeline["base"]):
        resolved = path.resolve()
        assert out in resolved.parents or resolved.parent == pipeline["config"].parent.resolve(), resolved
    assert not (pipeline["base"] / "etc").exists() and not (pipeline["base"] / "work" / "etc").exists()
    assert "tenancy=etc" in pipeline["snapshot"].as_posix()
    reports = [p.name for p in (pipeline["out"] / "reports").iterdir()]
    assert reports and all("/" not in n and ".." not in n for n in reports)


def test_the_fake_listens_on_loopback_only():
    with SimServer() as sim:
        host, port = sim._httpd.server_address[:2]
        assert host == "127.0.0.1"
        address = _non_loopback_address()
        if address is None:
            pytest.skip("this machine has no non-loopback IPv4 address to try")
        with pytest.raises(OSError):
            socket.create_connection((address, port), timeout=2).close()


def _non_loopback_address() -> str | None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.255.255.255", 1))  # no packet is sent: this only picks the outgoing interface
            address = probe.getsockname()[0]
        except OSError:
            return None
    return None if address.startswith("127.") else address


@pytest.mark.parametrize("authorization", [None, "Bearer abc", 'Signature version="1",keyId="only-one-part",'
                                                                  'algorithm="rsa-sha256",headers="date",signature="x"'])
def test_the_fake_refuses_unsigned_requests(sim, authorization):
    from sim_fixtures import LHR, PROD

    url = f"{sim.endpoint(LHR)}/20160918/bootVolumeBackups?compartmentId={PROD}"
    request = urllib.request.Request(url, headers={"authorization": authorization} if authorization else {})
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(request, timeout=5)
    assert err.value.code == 401
    assert json.load(err.value)["code"] == "NotAuthenticated"
    assert not [e for e in sim.requests() if e["status"] == 200]


# --------------------------------------------------------------------------------------------------
# The auditing group's least-privilege policy, as published in docs/security.md
# --------------------------------------------------------------------------------------------------
def _auditor_statements() -> list[str]:
    text = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- auditor-policy -->\s*```text\n(.*?)```", text, re.S)
    assert block, "docs/security.md lost its auditor policy block"
    return [line.strip() for line in block.group(1).splitlines() if line.strip()]


def test_the_published_auditor_policy_parses_and_uses_only_inspect_and_read():
    from reportkit.iam import Statement, parse_policy

    statements = _auditor_statements()
    parsed = parse_policy(statements, "reportkit-auditors")
    assert not parsed.problems
    verbs = {(s.verb, s.resource_type) for s in parsed.statements if isinstance(s, Statement)}
    assert len(verbs) == len(statements)
    assert {v for v, _ in verbs} <= {"inspect", "read"}
    for needed in ("compartments", "tenancies", "boot-volume-backups", "volumes", "instance-images",
                   "backup-policies", "policies", "marketplace-listings"):
        assert needed in {r for _, r in verbs}, needed


def test_the_auditor_group_can_read_backups_but_never_copy_or_create():
    from reportkit.iam import can_copy

    statements = _auditor_statements()
    for source, destination in (("lhr", "fra"), ("iad", "phx"), ("fra", "lhr")):
        verdict = can_copy(statements, "reportkit-auditors", source, destination)
        assert verdict.allowed is False
        granted = {c.permission for c in verdict.checks if c.granted_by}
        assert "BOOT_VOLUME_BACKUP_READ" in granted
        assert not granted & {"BOOT_VOLUME_BACKUP_COPY", "BOOT_VOLUME_BACKUP_CREATE"}


def test_one_broader_statement_would_give_the_auditors_copy_rights():
    """The check above can fail: 'use' adds COPY (and 'manage' CREATE), so the policy must not say so."""
    from reportkit.iam import can_copy

    broader = [*_auditor_statements(), "Allow group reportkit-auditors to manage boot-volume-backups in tenancy"]
    verdict = can_copy(broader, "reportkit-auditors", "lhr", "fra")
    assert verdict.allowed is True

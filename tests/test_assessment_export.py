"""Export (CSV + summary.json), formula neutralisation, summaries, controls, and the `reportkit assess` CLI."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from reportkit.assessment import (
    assess,
    copy_matrix,
    coverage_by_compartment,
    coverage_by_region,
    export_assessment,
)
from reportkit.cli import main
from reportkit.assessment import read_copy_targets
from reportkit.errors import InputError
from reportkit.schema import ASSESSED_BACKUPS, ASSESSED_VOLUMES, CONTROLS, FINDINGS, Control
from test_assessment_builders import AMS, APP, FRA, LHR, PROD, ROOT, Tenancy


def sample() -> Tenancy:
    t = Tenancy()
    t.image("img-mkt", listing="L")
    t.volume("=cmd|' /C calc'!A0")                                   # a hostile display name / id
    t.backup("b1", "=cmd|' /C calc'!A0"); t.copy("c1", "b1", region=FRA)
    t.volume("missing", compartment=PROD); t.backup("b2", "missing", compartment=PROD)
    t.volume("vault", kms="key-1"); t.backup("b3", "vault", kms="key-1"); t.copy("c3", "b3", kms=None)
    t.volume("inelig", image="img-mkt", region=FRA)
    t.orphan_copy("c-orphan", "ghost", "gone", region=AMS)  # its volume is gone too (else: stale)
    return t


def test_export_writes_declared_columns_in_order_and_neutralises(tmp_path: Path) -> None:
    result = assess(sample().inventory())
    written = export_assessment(result, tmp_path / "out")
    assert sorted(written) == ["backups.csv", "controls.csv", "findings.csv", "summary.json", "volumes.csv"]
    for name, table in [("backups.csv", ASSESSED_BACKUPS), ("volumes.csv", ASSESSED_VOLUMES),
                        ("findings.csv", FINDINGS), ("controls.csv", CONTROLS)]:
        header = written[name].read_text().splitlines()[0].split(",")
        assert header == table.column_names, name
    volumes = pd.read_csv(written["volumes.csv"], dtype=str)
    assert "'=cmd|' /C calc'!A0" in set(volumes["boot_volume_id"])
    summary = json.loads(written["summary.json"].read_text())
    assert summary["summary"]["total_volumes"] == 4 and summary["parameters"]["rpo_days"] == 7
    assert [c["control"] for c in summary["controls"]] == [c.value for c in Control]


def test_findings_and_controls() -> None:
    result = assess(sample().inventory())
    f = result.findings
    by = {(r.control, r.resource_id) for r in f.itertuples()}
    assert ("XR_COPY_MISSING", "missing") in by
    assert ("XR_INELIGIBLE_IMAGE", "inelig") in by
    assert ("XR_ENCRYPTION_DOWNGRADE", "c3") in by
    assert ("XR_ORPHAN_COPY", "c-orphan") in by
    assert ("BACKUP_MISSING", "inelig") in by
    assert f.set_index("resource_id").loc["missing", "compartment_path"] == "Prod"
    c = result.controls.set_index("control")
    assert c.loc["XR_COPY_MISSING", "non_compliant"] == 1 and c.loc["XR_COPY_MISSING", "compliant"] == 2
    assert c.loc["XR_ENCRYPTION_DOWNGRADE", "non_compliant"] == 1
    assert c.loc["XR_COPY_MISSING", "pct_compliant"] == pytest.approx(200 / 3)
    FINDINGS.validate(f)
    CONTROLS.validate(result.controls)


def test_summaries_show_ineligible_and_unknown_beside_coverage() -> None:
    t = sample()
    t.error(AMS, "")  # orphan copy's region failed: orphan copy becomes unknown, volumes wanting "any" unknown
    result = assess(t.inventory())
    region = coverage_by_region(result.volumes).set_index("region")
    assert {"ineligible", "unknown", "coverage_pct", "total"} <= set(region.columns)
    assert region.loc[FRA, "ineligible"] == 1 and pd.isna(region.loc[FRA, "coverage_pct"])
    comp = coverage_by_compartment(result.volumes, t.inventory().compartments).set_index("path")
    assert comp.loc["/", "total"] == 4                        # the root rolls up everything
    assert comp.loc["Prod", "total"] == 4 - 0 - 0 and comp.loc["Prod/App", "total"] == 3
    flat = coverage_by_compartment(result.volumes, t.inventory().compartments, rollup=False).set_index("path")
    assert flat.loc["Prod", "total"] == 1 and flat.loc["/", "total"] == 0
    matrix = copy_matrix(result.backups)
    assert matrix.loc[LHR, FRA] == 2


def test_read_copy_targets_json_and_lines(tmp_path: Path) -> None:
    j = tmp_path / "t.json"
    j.write_text('{"lhr": ["fra", "ams"], "fra": "lhr"}')
    assert read_copy_targets(j) == {"lhr": ["fra", "ams"], "fra": ["lhr"]}
    y = tmp_path / "t.yaml"
    y.write_text("# targets\nlhr: fra, ams\nfra: [lhr]\n")
    assert read_copy_targets(y) == {"lhr": ["fra", "ams"], "fra": ["lhr"]}
    bad = tmp_path / "bad.txt"
    bad.write_text("lhr fra\n")
    with pytest.raises(InputError, match="line 1"):
        read_copy_targets(bad)


@pytest.fixture
def snapshot(tmp_path: Path) -> Path:
    from reportkit.snapshot import save_snapshot

    return save_snapshot(sample().inventory(), tmp_path / "snaps")


def test_cli_writes_files_and_fails_under(snapshot: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "assessment"
    targets = tmp_path / "targets.txt"
    targets.write_text("lhr: fra\n")
    assert main(["assess", "--snapshot", str(snapshot), "--out", str(out), "--copy-targets", str(targets)]) == 0
    printed = capsys.readouterr().out
    assert "coverage" in printed and "XR_COPY_MISSING" in printed
    assert (out / "volumes.csv").exists()
    assert main(["assess", "--snapshot", str(snapshot), "--out", str(out), "--fail-under", "99"]) == 1
    assert main(["assess", "--snapshot", str(snapshot), "--out", str(out), "--fail-under", "1"]) == 0


def test_cli_bad_input_is_one_line_and_exit_2(snapshot: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["assess", "--snapshot", str(snapshot), "--out", str(tmp_path), "--rpo-days", "seven"]) == 2
    err = capsys.readouterr().err
    assert "rpo_days" in err and len(err.strip().splitlines()) == 1
    targets = tmp_path / "t.json"
    targets.write_text('{"lhr": "iad"}')
    assert main(["assess", "--snapshot", str(snapshot), "--out", str(tmp_path), "--copy-targets",
                 str(targets)]) == 2
    assert "not a region this tenancy subscribes to" in capsys.readouterr().err


def test_volumes_in_an_unlisted_compartment_keep_their_ocid_as_path() -> None:
    t = Tenancy()
    t.volume("bv", compartment="ocid1.compartment.oc1..stranger")
    result = assess(t.inventory())
    assert result.volumes.loc[0, "compartment_path"] == "ocid1.compartment.oc1..stranger"
    comp = coverage_by_compartment(result.volumes, t.inventory().compartments).set_index("compartment_id")
    assert comp.loc["ocid1.compartment.oc1..stranger", "total"] == 1
    assert comp.loc[ROOT, "total"] == 0 and APP in comp.index


def test_docs_assess_md_is_current() -> None:
    from reportkit.assessment.docs import render

    path = Path(__file__).resolve().parents[1] / "docs" / "assess.md"
    assert path.read_text(encoding="utf-8") == render(), "regenerate: python -m reportkit.assessment.docs > docs/assess.md"


def test_a_second_export_never_overwrites_the_first(tmp_path: Path) -> None:
    result = assess(sample().inventory())
    first = export_assessment(result, tmp_path / "out")
    before = {name: path.read_bytes() for name, path in first.items()}
    second = export_assessment(result, tmp_path / "out")
    assert second["volumes.csv"].parent == tmp_path / "out-2"
    assert {name: path.read_bytes() for name, path in first.items()} == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")], "staging folder left behind"


@pytest.mark.parametrize("value", [
    {"lhr": ["fra", "ams"], "iad": "phx"},
    '{"lhr": ["fra", "ams"], "iad": "phx"}',
    "lhr: fra, ams\niad: [phx]  # comment",
    "lhr=fra+ams,iad=phx",
    "lhr=fra+ams; iad=phx",
])
def test_every_copy_targets_syntax_gives_the_same_mapping(value) -> None:
    from reportkit.assessment import parse_copy_targets

    assert parse_copy_targets(value, where="test") == {"lhr": ["fra", "ams"], "iad": ["phx"]}


@pytest.mark.parametrize("value", ["lhr", "lhr:", "=fra", "lhr: fra\nlhr: ams", "{bad json", 7, {"lhr": 3}])
def test_bad_copy_targets_name_where_they_came_from(value) -> None:
    from reportkit.assessment import parse_copy_targets

    with pytest.raises(InputError, match="^my file"):
        parse_copy_targets(value, where="my file")

"""Export (CSV + summary.json), formula neutralisation, summaries, controls, and the `reportkit assess` CLI."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from reportkit.assessment import assess, export_assessment
from reportkit.schema import (
    ASSESSED_BACKUPS,
    ASSESSED_GROUP_BACKUPS,
    ASSESSED_VOLUMES,
    CONTROLS,
    FINDINGS,
    PROTECTION_ITEMS,
    Control,
)
from test_assessment_builders import sample


def test_export_writes_declared_columns_in_order_and_neutralises(tmp_path: Path) -> None:
    result = assess(sample().inventory())
    written = export_assessment(result, tmp_path / "out")
    # the protection model adds the group backups and the protection items (rule book §2, §3)
    assert sorted(written) == ["backups.csv", "controls.csv", "findings.csv", "group_backups.csv", "items.csv",
                               "summary.json", "volumes.csv"]
    for name, table in [("backups.csv", ASSESSED_BACKUPS), ("volumes.csv", ASSESSED_VOLUMES),
                        ("group_backups.csv", ASSESSED_GROUP_BACKUPS), ("items.csv", PROTECTION_ITEMS),
                        ("findings.csv", FINDINGS), ("controls.csv", CONTROLS)]:
        header = written[name].read_text().splitlines()[0].split(",")
        assert header == table.column_names, name
    volumes = pd.read_csv(written["volumes.csv"], dtype=str)
    assert "'=cmd|' /C calc'!A0" in set(volumes["boot_volume_id"])
    summary = json.loads(written["summary.json"].read_text())
    assert summary["summary"]["total_volumes"] == 4 and summary["parameters"]["rpo_days"] == 7
    assert [c["control"] for c in summary["controls"]] == [c.value for c in Control]


def test_a_second_export_never_overwrites_the_first(tmp_path: Path) -> None:
    result = assess(sample().inventory())
    first = export_assessment(result, tmp_path / "out")
    before = {name: path.read_bytes() for name, path in first.items()}
    second = export_assessment(result, tmp_path / "out")
    assert second["volumes.csv"].parent == tmp_path / "out-2"
    assert {name: path.read_bytes() for name, path in first.items()} == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")], "staging folder left behind"

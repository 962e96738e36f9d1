"""reportkit plan: where the plan goes by default, never over an earlier plan, and --as-of."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from reportkit.cli import main
from test_assessment_builders import sample


@pytest.fixture
def snapshot(tmp_path: Path) -> Path:
    from reportkit.snapshot import save_snapshot

    return save_snapshot(sample().inventory(), tmp_path / "data" / "snapshots")


def test_the_default_plan_sits_in_a_folder_tied_to_its_snapshot(snapshot, tmp_path, monkeypatch, capsys):
    from reportkit.snapshot import snapshot_place

    monkeypatch.setenv("REPORTKIT_DATA", str(tmp_path / "data"))
    assert main(["plan", "--snapshot", str(snapshot)]) == 0
    expected = tmp_path / "data" / "plans" / snapshot_place(snapshot) / "copy-plan.json"
    assert expected.is_file() and expected.with_suffix(".csv").is_file()
    assert f"reportkit copy --plan {expected}" in capsys.readouterr().out
    assert main(["plan", "--snapshot", str(snapshot)]) == 0  # a second plan of the same snapshot: -2
    assert sorted(p.name for p in expected.parent.iterdir()) == ["copy-plan-2.csv", "copy-plan-2.json",
                                                                  "copy-plan.csv", "copy-plan.json"]


def test_plan_out_never_overwrites_an_earlier_plan_or_reuses_its_journal(snapshot, tmp_path, capsys):
    out = tmp_path / "mine.json"
    out.write_text("an earlier plan")
    (tmp_path / "mine-2.json.journal.jsonl").write_text("the journal of a plan deleted since")
    assert main(["plan", "--snapshot", str(snapshot), "--out", str(out)]) == 0
    assert out.read_text() == "an earlier plan"
    written = json.loads((tmp_path / "mine-3.json").read_text())
    assert written["format"] == "reportkit-copy-plan"
    assert "mine-3.json" in capsys.readouterr().out


def test_plan_is_judged_as_of_the_instant_given(snapshot, tmp_path):
    assert main(["plan", "--snapshot", str(snapshot), "--as-of", "2024-05-20", "--out", str(tmp_path / "p.json")]) == 0
    assert json.loads((tmp_path / "p.json").read_text())["parameters"]["as_of"].startswith("2024-05-20")

"""reportkit.pipeline: one snapshot and one settings give one verdict in every entry point.

The bug this guards against: image overrides used to be applied by `reportkit assess` only, so the
coverage notebook, the monthly history, `reportkit plan` and the demo judged the same snapshot
differently from the CLI.
"""
from __future__ import annotations

import pandas as pd
import pytest

from reportkit import pipeline
from reportkit.assessment import assess
from reportkit.cli import main
from reportkit.report import render_report
from reportkit.snapshot import load_snapshot

# report_fixtures: volumes of every 7th index run the Marketplace image img-mkt (ineligible)
OVERRIDES = "image_id,image_class,note\nimg-mkt,platform,checked with the vendor: built from Oracle Linux\n"


@pytest.fixture
def data_folder(tmp_path, monkeypatch):
    """A working directory whose data/image_overrides.csv says img-mkt is a platform image."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("REPORTKIT_DATA", raising=False)
    monkeypatch.delenv("REPORTKIT_SNAPSHOTS", raising=False)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "image_overrides.csv").write_text(OVERRIDES)
    return tmp_path


def _csv(path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def test_the_overrides_file_is_applied_by_every_recipe(report_history, data_folder):
    snapshot = report_history["snapshots"][-1]
    plain = assess(load_snapshot(snapshot)).volumes.set_index("boot_volume_id")["coverage_status"].astype(str)
    assessed = pipeline.assess_snapshot(snapshot)
    judged = assessed.assessment.volumes.set_index("boot_volume_id")["coverage_status"].astype(str)
    changed = judged[judged != plain]
    assert len(changed) and (plain[changed.index] == "ineligible").all()  # the overrides changed verdicts
    assert assessed.assessment.parameters["image_overrides"] == 1
    assert assessed.assessment.parameters["image_overrides_file"] == str(data_folder / "data" / "image_overrides.csv")

    planned = pipeline.plan_from_snapshot(snapshot)
    pd.testing.assert_frame_equal(planned.assessed.assessment.volumes, assessed.assessment.volumes)
    monthly = pipeline.monthly(history=report_history["history"])
    pd.testing.assert_frame_equal(monthly.current.volumes, assessed.assessment.volumes)
    none = pipeline.assess_snapshot(snapshot, pipeline.settings(image_overrides="none"))
    pd.testing.assert_series_equal(
        none.assessment.volumes.set_index("boot_volume_id")["coverage_status"].astype(str), plain)


@pytest.mark.slow
def test_the_coverage_notebook_and_the_cli_agree_cell_for_cell_with_an_overrides_file(report_history, data_folder):
    snapshot = report_history["snapshots"][-1]
    report = render_report("coverage", parameters={"snapshot": str(snapshot)}, out_dir=data_folder / "reports")
    assert main(["assess", "--snapshot", str(snapshot), "--out", str(data_folder / "cli")]) == 0
    from_notebook = _csv(report.files["volumes"])
    from_cli = _csv(data_folder / "cli" / "volumes.csv")
    pd.testing.assert_frame_equal(from_notebook, from_cli)
    # ...and both carry the overridden verdicts, not the inferred ones
    plain = assess(load_snapshot(snapshot)).volumes
    overridden = set(plain.loc[plain["image_id"] == "img-mkt", "boot_volume_id"])
    assert overridden and not (from_cli.set_index("boot_volume_id").loc[sorted(overridden), "coverage_status"]
                               == "ineligible").any()
    executed = report.notebook.read_text(encoding="utf-8")
    assert str((data_folder / "data" / "image_overrides.csv").resolve()) in executed  # the audit record names it


def test_exports_default_to_the_assessments_folder_after_the_snapshot_and_never_overwrite(report_history,
                                                                                          data_folder):
    snapshot = report_history["snapshots"][-1]
    assessed = pipeline.assess_snapshot(snapshot)
    first = pipeline.export(assessed)["volumes.csv"].parent
    assert first == (data_folder / "data" / "assessments" / snapshot.parent.parent.name / snapshot.parent.name
                     / snapshot.name).relative_to(data_folder)
    second = pipeline.export(assessed)["volumes.csv"].parent
    assert second.name == f"{snapshot.name}-2" and (first / "volumes.csv").exists()

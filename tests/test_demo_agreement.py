"""On the demo tenancy, assess agrees with what the demo generator knows it created.

The generator records, per boot volume, the scenario it built and the verdict that scenario
must get (tests/fixtures/demo_oracle.py: demo_truth). The inventory here went the whole real way: fake OCI
over HTTP -> oci SDK -> collect -> snapshot -> assess.
"""
from __future__ import annotations

import pandas as pd
import pytest

from fixtures.demo_oracle import demo_truth

from reportkit.assessment import assess
from reportkit.snapshot import load_snapshot


@pytest.fixture(scope="module")
def verdicts(demo_collection):
    truth = demo_truth(demo_collection["document"])
    result = assess(load_snapshot(demo_collection["snapshot"]))
    return truth, result


def test_every_visible_volume_gets_the_verdict_its_scenario_was_built_for(verdicts):
    truth, result = verdicts
    visible = truth[truth["expected_status"] != "not_visible"]
    got = result.volumes[["boot_volume_id", "coverage_status", "reason"]].astype({"coverage_status": str})
    merged = visible.merge(got, on="boot_volume_id", how="outer", indicator=True)
    assert (merged["_merge"] == "both").all(), merged.loc[merged["_merge"] != "both", ["boot_volume_id", "_merge"]]
    wrong = merged[merged["expected_status"] != merged["coverage_status"]]
    assert wrong.empty, wrong[["scenario", "region", "expected_status", "coverage_status", "reason"]].to_string()


def test_summary_counts_equal_the_generator_counts(verdicts):
    truth, result = verdicts
    expected = truth.loc[truth["expected_status"] != "not_visible", "expected_status"].value_counts()
    summary = result.summary.to_dict()
    for status, count in expected.items():
        assert summary[status] == count, status
    assert summary["total_volumes"] == expected.sum()


def test_volumes_the_auditor_cannot_see_are_reported_as_a_collection_gap(verdicts, demo_collection):
    truth, result = verdicts
    hidden = truth[truth["expected_status"] == "not_visible"]
    assert len(hidden) > 0
    assert not set(hidden["boot_volume_id"]) & set(result.volumes["boot_volume_id"])
    denied = set(demo_collection["document"]["access"]["deniedCompartments"])
    errors = demo_collection["inventory"].errors
    assert denied <= set(errors["compartment_id"].dropna())
    assert result.summary.collection_gaps == len(errors)


def test_the_headline_counts_every_volume_and_unknown_as_not_covered(verdicts):
    # rule book §8 replaces coverage_pct (covered / (all - ineligible - unknown)) with restorable_pct
    _, result = verdicts
    s = result.summary
    assert s.restorable_pct == pytest.approx(100 * s.covered / s.total_volumes)
    assert s.restorable_upper_pct == pytest.approx(100 * (s.covered + s.unknown) / s.total_volumes)
    assert s.copyable_coverage_pct == pytest.approx(100 * s.covered / (s.total_volumes - s.ineligible))
    assert isinstance(result.volumes, pd.DataFrame)

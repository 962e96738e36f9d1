"""reportkit.assessment.summaries: coverage per region and compartment, ineligible and unknown always beside it."""
from __future__ import annotations

import pandas as pd

from reportkit.assessment import assess, copy_matrix, coverage_by_compartment, coverage_by_region
from test_assessment_builders import AMS, APP, FRA, LHR, ROOT, Tenancy, sample


def test_summaries_show_ineligible_and_unknown_beside_coverage() -> None:
    t = sample()
    t.error(AMS, "")  # orphan copy's region failed: orphan copy becomes unknown, volumes wanting "any" unknown
    result = assess(t.inventory())
    region = coverage_by_region(result.volumes).set_index("region")
    assert {"ineligible", "unknown", "restorable_pct", "restorable_upper_pct", "copyable_coverage_pct",
            "total"} <= set(region.columns)
    # rule book §8: the ineligible volume is at risk (0 %), and copyable coverage has nothing to count
    assert region.loc[FRA, "ineligible"] == 1 and region.loc[FRA, "restorable_pct"] == 0
    assert pd.isna(region.loc[FRA, "copyable_coverage_pct"])
    comp = coverage_by_compartment(result.volumes, t.inventory().compartments).set_index("path")
    assert comp.loc["/", "total"] == 4                        # the root rolls up everything
    assert comp.loc["Prod", "total"] == 4 - 0 - 0 and comp.loc["Prod/App", "total"] == 3
    flat = coverage_by_compartment(result.volumes, t.inventory().compartments, rollup=False).set_index("path")
    assert flat.loc["Prod", "total"] == 1 and flat.loc["/", "total"] == 0
    matrix = copy_matrix(result.backups)
    assert matrix.loc[LHR, FRA] == 2


def test_volumes_in_an_unlisted_compartment_keep_their_ocid_as_path() -> None:
    t = Tenancy()
    t.volume("bv", compartment="ocid1.compartment.oc1..stranger")
    result = assess(t.inventory())
    assert result.volumes.loc[0, "compartment_path"] == "ocid1.compartment.oc1..stranger"
    comp = coverage_by_compartment(result.volumes, t.inventory().compartments).set_index("compartment_id")
    assert comp.loc["ocid1.compartment.oc1..stranger", "total"] == 1
    assert comp.loc[ROOT, "total"] == 0 and APP in comp.index

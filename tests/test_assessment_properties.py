"""Property-based tests (hypothesis) of the coverage rules on small random tenancies."""
from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reportkit.assessment import assess
from test_assessment_builders import AMS, APP, FRA, LHR, PROD, Tenancy

REGIONS = [LHR, FRA, AMS]
STATES = ["AVAILABLE", "CREATING", "FAULTY", "TERMINATED"]
IMAGES = ["img-plat", "img-mkt", "img-gone", "img-byoi"]
RANK = {"covered": 0, "in_progress": 1, "stale": 2, "failed": 3, "missing": 4, "no_backup": 5, "unknown": 6,
        "ineligible": 7}

# few examples: each assess() of a tiny inventory costs pandas overhead, and CI time is shared
FAST = settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])

volume_spec = st.fixed_dictionaries({
    "region": st.sampled_from(REGIONS),
    "compartment": st.sampled_from([APP, PROD]),
    "image": st.sampled_from(IMAGES),
    "backups": st.lists(st.fixed_dictionaries({
        "age": st.floats(0.1, 30),
        "state": st.sampled_from(["AVAILABLE", "AVAILABLE", "CREATING"]),
        "copies": st.lists(st.tuples(st.sampled_from(REGIONS), st.sampled_from(STATES)), max_size=2),
    }), max_size=3),
})
tenancy_spec = st.fixed_dictionaries({
    "volumes": st.lists(volume_spec, min_size=1, max_size=4),
    "errors": st.lists(st.tuples(st.sampled_from(REGIONS), st.sampled_from(["", APP, PROD])), max_size=2),
    "targets": st.sampled_from([None, {"lhr": ["fra"]}, {"lhr": ["fra", "ams"], "fra": ["ams"]}]),
})


def build(spec: dict) -> Tenancy:
    t = Tenancy()
    t.image("img-mkt", listing="L")
    t.image("img-gone", status="not_found")
    t.image("img-byoi", compartment=APP)
    for v, vol in enumerate(spec["volumes"]):
        vid = f"bv{v}"
        t.volume(vid, region=vol["region"], compartment=vol["compartment"], image=vol["image"])
        for b, bk in enumerate(vol["backups"]):
            bid = t.backup(f"b{v}-{b}", vid, age_days=bk["age"], region=vol["region"],
                           compartment=vol["compartment"], state=bk["state"], image=vol["image"])
            for c, (region, state) in enumerate(bk["copies"]):
                if region != vol["region"]:
                    t.copy(f"c{v}-{b}-{c}", bid, region=region, state=state)
    for region, compartment in spec["errors"]:
        t.error(region, compartment)
    return t


def statuses(t: Tenancy, spec: dict) -> pd.Series:
    result = assess(t.inventory(), copy_targets=spec["targets"])
    return result.volumes.set_index("boot_volume_id")["coverage_status"].astype(str)


def covered_count(t: Tenancy, spec: dict) -> int:
    return int((statuses(t, spec) == "covered").sum())


@pytest.mark.slow
@FAST
@given(tenancy_spec, st.data())
def test_adding_a_fresh_available_copy_never_lowers_coverage(spec: dict, data: st.DataObject) -> None:
    t = build(spec)
    before = statuses(t, spec)
    sources = [b for b in t.backups if not b.get("source_boot_volume_backup_id") and b["lifecycle_state"] == "AVAILABLE"]
    if not sources:
        return
    src = data.draw(st.sampled_from(sources))
    dest = data.draw(st.sampled_from([r for r in REGIONS if r != str(src["region"])]))
    t.copy("c-new", src["backup_id"], region=dest, state="AVAILABLE")
    after = statuses(t, spec)
    assert (after == "covered").sum() >= (before == "covered").sum()
    # and no volume that was covered stops being covered
    assert not ((before == "covered") & (after != "covered")).any()


@pytest.mark.slow
@FAST
@given(tenancy_spec)
def test_uncopyable_image_without_available_copy_is_never_covered_nor_missing(spec: dict) -> None:
    t = build(spec)
    result = assess(t.inventory(), copy_targets=spec["targets"])
    vols = result.volumes.set_index("boot_volume_id")
    backups = result.backups
    copies = backups[(backups["role"] == "copy") & (backups["lifecycle_state"] == "AVAILABLE")]
    has_copy = set(copies["boot_volume_id"])
    img_with_copy = set(copies["image_id"])
    for vid, row in vols.iterrows():  # a handful of rows in a test, not library code
        if row["image_id"] in ("img-mkt", "img-gone", "img-byoi") and vid not in has_copy \
                and row["image_id"] not in img_with_copy:
            assert row["coverage_status"] not in ("covered", "missing"), (vid, row["reason"])


@pytest.mark.slow
@FAST
@given(tenancy_spec)
def test_removing_rows_of_a_failed_region_never_turns_unknown_into_covered(spec: dict) -> None:
    t = build(spec)
    before = statuses(t, spec)
    failed = {(region, comp) for region, comp in spec["errors"]}
    t.backups = [b for b in t.backups if not any(
        str(b["region"]) == region and comp in ("", b["compartment_id"]) for region, comp in failed)]
    after = statuses(t, spec).reindex(before.index)
    assert not ((before == "unknown") & (after == "covered")).any()


@pytest.mark.slow
@FAST
@given(tenancy_spec, st.randoms(use_true_random=False))
def test_results_do_not_depend_on_row_order(spec: dict, rnd) -> None:
    t = build(spec)
    first = assess(t.inventory(), copy_targets=spec["targets"])
    for name in ("backups", "boot_volumes", "images", "errors"):
        rnd.shuffle(getattr(t, name))
    second = assess(t.inventory(), copy_targets=spec["targets"])
    pd.testing.assert_frame_equal(first.volumes, second.volumes)
    pd.testing.assert_frame_equal(first.backups, second.backups)
    pd.testing.assert_frame_equal(first.findings, second.findings)
    pd.testing.assert_frame_equal(first.controls, second.controls)
    assert first.summary == second.summary

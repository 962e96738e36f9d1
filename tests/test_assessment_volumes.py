"""Per-volume coverage: every status with its reason and remediation, required destinations, gaps."""
from __future__ import annotations

import pandas as pd
import pytest

from reportkit.assessment import assess
from reportkit.errors import InputError
from test_assessment_builders import AMS, APP, AS_OF, FRA, LHR, PROD, Tenancy


def volumes_of(t: Tenancy, **kwargs) -> pd.DataFrame:
    return assess(t.inventory(), **kwargs).volumes.set_index("boot_volume_id")


def verdict(t: Tenancy, volume: str, **kwargs) -> tuple[str, str, object]:
    row = volumes_of(t, **kwargs).loc[volume]
    return row["coverage_status"], row["reason"], row["remediation"]


def test_covered_by_a_fresh_copy_through_a_depth_3_custom_chain() -> None:
    t = Tenancy()
    t.image("c1", compartment=APP, base="img-plat")
    t.image("c2", compartment=APP, base="c1")
    t.image("c3", compartment=APP, base="c2")
    t.volume("bv", image="c3")
    t.backup("b", "bv", age_days=2)
    t.copy("c", "b")
    row = volumes_of(t).loc["bv"]
    assert row["coverage_status"] == "covered" and row["image_class"] == "custom_from_platform"
    assert "fresh AVAILABLE copy in any other region" in row["reason"] and "2.0 days old" in row["reason"]
    assert row["covered_regions"] == FRA and row["protection"] == "backup_copy" and not row["copies_scheduled"]
    assert row["covered_by"] == "backup_copy" and row["requirement_source"] == "any"
    assert pd.isna(row["remediation"])
    assert row["rpo_age_days"] == pytest.approx(2.0)


def test_freshness_is_the_age_of_the_source_backup_not_of_the_copy() -> None:
    t = Tenancy()
    t.volume("bv")
    t.backup("b", "bv", age_days=10)
    t.copy("c", "b", copied_days_after=9.5)  # copied yesterday, data 10 days old
    status, reason, fix = verdict(t, "bv")
    assert status == "stale" and "older than rpo 7 days" in reason and "10.0 days old" in reason
    assert "newer than 7 days" in fix
    assert verdict(t, "bv", rpo_days=14)[0] == "covered"


@pytest.mark.parametrize(("image_kwargs", "expected_class"), [
    ({"compartment": APP}, "custom_imported"),
    ({"listing": "ocid1.listing..m"}, "marketplace"),
    ({"compartment": APP, "listing_type": "COMMUNITY"}, "community"),
])
def test_ineligible_roots(image_kwargs: dict, expected_class: str) -> None:
    t = Tenancy()
    t.image("img", **image_kwargs)
    t.volume("bv", image="img")
    t.backup("b", "bv")
    row = volumes_of(t).loc["bv"]
    assert row["coverage_status"] == "ineligible" and row["image_class"] == expected_class
    assert "image cannot be copied" in row["reason"]
    assert "replication" in row["remediation"]


def test_ineligible_with_a_replica_says_so() -> None:
    # rule book §7: a replica is known from its own record (read in its region), and one that lags
    # does not cover; the volume stays at risk and the reason names the replica
    t = Tenancy()
    t.image("img-mkt", listing="L")
    t.volume("bv", image="img-mkt", replicas=FRA)
    t.replica("rep", "bv", region=FRA, synced_days_ago=20)
    row = volumes_of(t).loc["bv"]
    assert row["coverage_status"] == "ineligible" and row["protection"] == "replica"
    assert "a replica in eu-frankfurt-1" in row["reason"] and "replica" in row["remediation"]
    assert "keep" not in row["remediation"].lower()


def test_a_copy_of_a_marketplace_image_proves_eligibility() -> None:
    t = Tenancy()
    t.image("img-mkt", listing="L")
    t.volume("bv", image="img-mkt")
    t.backup("b", "bv")
    t.copy("c", "b")
    row = volumes_of(t).loc["bv"]
    assert row["coverage_status"] == "covered" and bool(row["copy_eligible"]) is True


def test_deleted_image_with_a_fresh_copy_is_covered_and_without_is_unknown() -> None:
    t = Tenancy()
    t.image("img-gone", status="not_found")
    t.volume("with-copy", image="img-gone")
    t.backup("b1", "with-copy")
    t.copy("c1", "b1")
    got = volumes_of(t)
    assert got.loc["with-copy", "coverage_status"] == "covered"

    t2 = Tenancy()
    t2.image("img-gone", status="not_found")
    t2.volume("no-copy", image="img-gone")
    t2.backup("b2", "no-copy")
    status, reason, fix = verdict(t2, "no-copy")
    assert status == "unknown" and "was not found" in reason and "image_overrides.csv" in fix


def test_gap_in_the_destination_region_is_unknown_not_missing() -> None:
    t = Tenancy()
    t.volume("bv")
    t.backup("b", "bv")
    t.policy("pol", "bv", destination=FRA)
    t.error(FRA, "")  # the whole destination region failed
    status, reason, fix = verdict(t, "bv")
    assert status == "unknown" and "could not be read" in reason and FRA in reason
    assert "collect again" in fix


def test_gap_in_the_destination_compartment_is_unknown_but_another_compartment_is_not() -> None:
    t = Tenancy()
    t.volume("bv")
    t.backup("b", "bv")
    t.policy("pol", "bv", destination=FRA)
    t.error(FRA, APP)
    assert verdict(t, "bv")[0] == "unknown"
    t2 = Tenancy()
    t2.volume("bv")
    t2.backup("b", "bv")
    t2.policy("pol", "bv", destination=FRA)
    t2.error(FRA, PROD)  # copies land in App, not Prod
    assert verdict(t2, "bv")[0] == "missing"


def test_uncollected_destination_region_is_unknown() -> None:
    t = Tenancy()
    t.regions[1]["collected"] = False
    t.volume("bv")
    t.backup("b", "bv")
    t.policy("pol", "bv", destination=FRA)
    assert verdict(t, "bv")[0] == "unknown"


def test_gap_in_the_source_compartment_is_unknown() -> None:
    t = Tenancy()
    t.volume("bv")
    t.error(LHR, APP)
    status, reason, _ = verdict(t, "bv")
    assert status == "unknown" and "backups may be missing" in reason


def test_terminated_copy_is_never_protection() -> None:
    t = Tenancy()
    t.volume("bv")
    t.backup("b", "bv")
    t.copy("c", "b", state="TERMINATED")
    row = volumes_of(t).loc["bv"]
    assert row["coverage_status"] == "missing" and row["protection"] == ""
    assert "no AVAILABLE copy in required destination any other region" in row["reason"]


def test_two_required_destinations_with_only_one_fresh() -> None:
    t = Tenancy()
    t.volume("bv")
    t.backup("b", "bv")
    t.copy("c", "b", region=FRA)
    status, reason, fix = verdict(t, "bv", copy_targets={"lhr": ["fra", "ams"]})
    assert status == "missing" and AMS in reason and FRA not in reason
    assert AMS in fix
    row = volumes_of(t, copy_targets={"lhr": ["fra", "ams"]}).loc["bv"]
    assert row["required_regions"] == f"{AMS},{FRA}" and row["covered_regions"] == FRA
    assert pd.isna(row["newest_copy_source_time"])  # not recoverable in every required region

    t.backup("old", "bv", age_days=30)
    t.copy("c-old", "old", region=AMS)
    assert verdict(t, "bv", copy_targets={"lhr": ["fra", "ams"]})[0] == "stale"


def test_in_progress_failed_no_backup() -> None:
    t = Tenancy()
    t.volume("pending")
    t.backup("b1", "pending")
    t.copy("c1", "b1", state="REQUEST_RECEIVED")
    t.volume("failed")
    t.backup("b2", "failed", age_days=20)
    t.copy("c2ok", "b2", copied_days_after=0.1)
    t.backup("b3", "failed", age_days=2)
    t.copy("c3", "b3", state="FAULTY")
    t.volume("nothing")
    t.backup("b4", "nothing", state="CREATING")
    got = volumes_of(t)
    assert got.loc["pending", "coverage_status"] == "in_progress"
    assert "being made" in got.loc["pending", "reason"]
    assert got.loc["failed", "coverage_status"] == "failed"
    assert "FAULTY" in got.loc["failed", "reason"]
    assert got.loc["nothing", "coverage_status"] == "no_backup"
    assert "no AVAILABLE backup" in got.loc["nothing", "reason"]


def test_protection_kinds_and_policy_destination_is_the_default_requirement() -> None:
    t = Tenancy()
    t.volume("by-policy")
    t.backup("b1", "by-policy")
    t.copy("c1", "b1", region=AMS)  # fresh, but the policy requires fra
    t.policy("gold-xr", "by-policy", destination=FRA)
    t.volume("replicated", replicas=AMS)
    t.replica("rep", "replicated", region=AMS)
    t.volume("plain")
    got = volumes_of(t)
    # rule book §7: protection lists the kinds of AVAILABLE items outside the home region, and
    # copies_scheduled says whether a policy makes copies
    assert got.loc["by-policy", "protection"] == "backup_copy" and got.loc["by-policy", "copies_scheduled"]
    assert got.loc["by-policy", "required_regions"] == FRA
    assert got.loc["by-policy", "requirement_source"] == "volume_policy"
    assert got.loc["by-policy", "coverage_status"] == "missing"
    assert got.loc["by-policy", "policy_name"] == "gold-xr"
    assert got.loc["replicated", "protection"] == "replica"
    assert got.loc["plain", "protection"] == "" and not got.loc["plain", "copies_scheduled"]
    assert got.loc["plain", "required_regions"] == "any"


def test_copy_targets_override_the_policy_and_accept_short_codes() -> None:
    t = Tenancy()
    t.volume("bv")
    t.backup("b", "bv")
    t.copy("c", "b", region=AMS)
    t.policy("pol", "bv", destination=FRA)
    assert verdict(t, "bv", copy_targets={"LHR": "ams"})[0] == "covered"


@pytest.mark.parametrize(("targets", "message"), [
    ({"lhr": "iad"}, "not a region this tenancy subscribes to"),
    ({"lhr": "lhr"}, "itself"),
    ({"nowhere-1": "fra"}, "nowhere-1"),
    ({"lhr": []}, "no destination"),
])
def test_bad_copy_targets_are_input_errors(targets: dict, message: str) -> None:
    t = Tenancy()
    with pytest.raises(InputError, match=message):
        assess(t.inventory(), copy_targets=targets)


@pytest.mark.parametrize("rpo", ["seven", 0, -1, 2.5, True, None])
def test_rpo_days_must_be_a_positive_int(rpo: object) -> None:
    with pytest.raises(InputError, match="rpo_days"):
        assess(Tenancy().inventory(), rpo_days=rpo)


def test_as_of_defaults_to_collection_end_and_can_be_moved() -> None:
    # rule book §1: as_of may only move within [oldest data, finished_at + 1 day], so the copy is aged
    # by an earlier as_of instead of a later one
    t = Tenancy()
    t.volume("bv")
    t.backup("b", "bv", age_days=10)
    t.copy("c", "b")
    result = assess(t.inventory())
    assert result.summary.as_of == AS_OF and result.parameters["as_of"] == AS_OF.isoformat()
    assert result.volumes.loc[0, "coverage_status"] == "stale"
    earlier = assess(t.inventory(), as_of=AS_OF - pd.Timedelta(days=5))
    assert earlier.volumes.loc[0, "coverage_status"] == "covered"
    with pytest.raises(InputError, match="as_of"):
        assess(t.inventory(), as_of="next tuesday")


def test_terminated_volumes_are_left_out() -> None:
    t = Tenancy()
    t.volume("gone", state="TERMINATED")
    t.volume("here")
    assert list(volumes_of(t).index) == ["here"]


def test_summary_counts_and_the_honest_headline() -> None:
    t = Tenancy()
    t.image("img-mkt", listing="L")
    t.image("img-gone", status="not_found")
    t.volume("covered"); t.backup("b1", "covered"); t.copy("c1", "b1")
    t.volume("missing"); t.backup("b2", "missing")
    t.volume("inelig", image="img-mkt")
    t.volume("unknown", image="img-gone"); t.backup("b3", "unknown", image="img-gone")
    s = assess(t.inventory()).summary
    assert (s.total_volumes, s.covered, s.missing, s.ineligible, s.unknown) == (4, 1, 1, 1, 1)
    # rule book §8 replaces coverage_pct (covered / (all - ineligible - unknown) = 50 %): unknown counts
    # as not covered, ineligible as at risk
    assert s.restorable_pct == pytest.approx(25.0)
    assert s.restorable_upper_pct == pytest.approx(50.0)
    assert s.copyable_coverage_pct == pytest.approx(100 / 3)
    assert s.sentence() == ("1 of 4 boot volumes could be restored in another region from data no older than the "
                            "RPO (7 days)")
    assert s.to_dict()["as_of"] == AS_OF.isoformat()


def test_an_orphan_copy_is_stale_protection_never_fresh_and_never_missing() -> None:
    # The copy is one hour old, but its source backup is gone: the age of its data is unknowable,
    # so it cannot prove freshness (not covered), yet it does restore the volume (not missing).
    t = Tenancy()
    t.volume("bv")
    t.backup("b", "bv", age_days=40)
    t.orphan_copy("c", "ghost", "bv", region=FRA, age_days=1 / 24)
    row = volumes_of(t).loc["bv"]
    assert row["coverage_status"] == "stale"
    assert "orphan" in row["reason"] and "cannot be proven" in row["reason"]


def _fresh_copy_to_fra(t: Tenancy, volume: str) -> None:
    t.volume(volume)
    t.backup(f"b-{volume}", volume)
    t.copy(f"c-{volume}", f"b-{volume}", region=FRA)


@pytest.mark.parametrize("unreadable", ["assignment", "policy"])
def test_an_unreadable_backup_policy_never_lets_a_volume_count_as_covered(unreadable) -> None:
    # The policy may require Amsterdam; the only fresh copy is in Frankfurt. Without the policy we
    # cannot know which region is required, so 'covered' (judged against "any region") would be a guess.
    t = Tenancy()
    _fresh_copy_to_fra(t, "bv")
    if unreadable == "assignment":
        t.error(LHR, APP, "GetVolumeBackupPolicyAssetAssignment", resource="bv")
    else:
        t.policy_assignments.append({"assignment_id": "asg-bv", "region": LHR, "asset_id": "bv",
                                     "policy_id": "pol-gone", "time_created": AS_OF})
        t.error(LHR, "", "GetVolumeBackupPolicy", resource="pol-gone")
    row = volumes_of(t).loc["bv"]
    assert row["coverage_status"] == "unknown"
    assert "backup policy" in row["reason"] and "could not be read" in row["reason"]
    # copy_targets for the region make the policy irrelevant: the verdict stands on evidence again
    assert volumes_of(t, copy_targets={LHR: FRA}).loc["bv", "coverage_status"] == "covered"


def test_an_unreadable_policy_keeps_a_missing_verdict_that_holds_for_every_region() -> None:
    t = Tenancy()
    t.volume("bv")
    t.backup("b", "bv")
    t.error(LHR, APP, "GetVolumeBackupPolicyAssetAssignment", resource="bv")
    assert volumes_of(t).loc["bv", "coverage_status"] == "missing"  # no copy anywhere: missing wherever required


def test_a_volume_group_that_could_not_be_listed_makes_an_any_region_verdict_unknown() -> None:
    # A volume group hidden by a failed listing may hold the volume, and its policy may require a
    # region other than the one holding the fresh copy: covered against "any region" would be a guess.
    t = Tenancy()
    _fresh_copy_to_fra(t, "bv")
    assert verdict(t, "bv")[0] == "covered"
    t.error(LHR, APP, "ListVolumeGroups")  # the volume's own compartment
    row = volumes_of(t).loc["bv"]
    assert row["coverage_status"] == "unknown" and "volume group that may hold it" in row["reason"]
    # its own policy's destination, or copy targets, decide before any group policy: the verdict stands
    assert volumes_of(t, copy_targets={LHR: FRA}).loc["bv", "coverage_status"] == "covered"
    t2 = Tenancy()
    _fresh_copy_to_fra(t2, "bv")
    t2.policy("pol", "bv", destination=FRA)
    t2.error(LHR, APP, "ListVolumeGroups")
    assert verdict(t2, "bv")[0] == "covered"
    # a failed listing in another compartment is not evidence about this volume (docs/assess.md says so)
    t3 = Tenancy()
    _fresh_copy_to_fra(t3, "bv")
    t3.error(LHR, PROD, "ListVolumeGroups")
    assert verdict(t3, "bv")[0] == "covered"


def test_a_volume_naming_a_group_the_inventory_lacks_is_unknown_against_any_region() -> None:
    t = Tenancy()
    _fresh_copy_to_fra(t, "bv")
    t.boot_volumes[-1]["volume_group_id"] = "vg-unseen"
    assert verdict(t, "bv")[0] == "unknown"

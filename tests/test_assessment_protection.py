"""The protection model (issue 13's rule book) on hand-made inventories: lineage, group backups, replicas,
requirements, accept, expiry and the time bounds. Each test names the rule (§) it pins."""
from __future__ import annotations

import pandas as pd
import pytest

from reportkit.assessment import assess, lapsing_coverage, protection_by_kind
from reportkit.errors import InputError
from test_assessment_builders import AMS, APP, AS_OF, FRA, LHR, PROD, ROOT, Tenancy, days_ago

IAD = "us-ashburn-1"
NRT = "ap-tokyo-1"


def volumes_of(t: Tenancy, **kwargs) -> pd.DataFrame:
    return assess(t.inventory(), **kwargs).volumes.set_index("boot_volume_id")


def with_region(t: Tenancy, region: str, key: str, *, status: str = "READY", collected: bool = True) -> Tenancy:
    t.regions.append({"region": region, "region_key": key, "is_home_region": False, "status": status,
                      "collected": collected})
    return t


# --- §2 lineage: the two false "covered" of issue 13 -------------------------------------------------
def test_a_copy_of_a_copy_is_as_old_as_its_root_not_as_its_source() -> None:
    t = Tenancy()
    t.volume("bv")
    t.backup("b", "bv", age_days=30)
    t.copy("c-fra", "b", region=FRA, copied_days_after=29)       # copied to Frankfurt yesterday
    t.copy("c-ams", "c-fra", region=AMS, copied_days_after=0.9)  # and that copy on to Amsterdam today
    result = assess(t.inventory())
    row = result.volumes.set_index("boot_volume_id").loc["bv"]
    assert row["coverage_status"] == "stale" and row["rpo_age_days"] == pytest.approx(30, abs=0.01)
    copy = result.backups.set_index("backup_id").loc["c-ams"]
    assert copy["root_backup_id"] == "b" and copy["lineage_depth"] == 2 and copy["origin_region"] == LHR
    assert copy["data_time"] == days_ago(30)
    # the root counts its copies at every depth of the chain
    root = result.backups.set_index("backup_id").loc["b"]
    assert root["copy_regions"] == f"{AMS},{FRA}" and root["lineage_depth"] == 0


@pytest.mark.parametrize("frankfurt", ["TERMINATED", "absent"])
def test_a_copy_copied_back_home_protects_nothing(frankfurt: str) -> None:
    t = Tenancy()
    t.volume("bv")
    t.backup("b", "bv", age_days=1)
    t.copy("c-fra", "b", region=FRA, state="TERMINATED" if frankfurt == "TERMINATED" else "AVAILABLE")
    t.copy("c-home", "c-fra", region=LHR)
    if frankfurt == "absent":
        t.backups = [b for b in t.backups if b["backup_id"] != "c-fra"]
    row = volumes_of(t).loc["bv"]
    assert row["coverage_status"] == "missing"
    assert pd.isna(row["covered_regions"]) and row["protection"] == ""


def test_a_fresh_chain_iad_fra_lhr_is_covered() -> None:
    t = with_region(Tenancy(), IAD, "IAD")
    t.volume("bv", region=IAD)
    t.backup("b", "bv", region=IAD, age_days=1)
    t.copy("c-fra", "b", region=FRA)
    t.copy("c-lhr", "c-fra", region=LHR)
    row = volumes_of(t, copy_targets={"iad": "lhr"}).loc["bv"]
    assert row["coverage_status"] == "covered" and row["required_regions"] == LHR
    assert row["requirement_source"] == "copy_targets" and row["covered_by"] == "backup_copy"
    assert row["rpo_age_days"] == pytest.approx(1, abs=0.01)


def test_a_terminated_middle_link_still_resolves() -> None:
    t = Tenancy()
    t.volume("bv")
    t.backup("b", "bv", age_days=2)
    t.copy("c-fra", "b", region=FRA, state="TERMINATED")
    t.copy("c-ams", "c-fra", region=AMS)
    result = assess(t.inventory())
    assert result.volumes.set_index("boot_volume_id").loc["bv", "coverage_status"] == "covered"
    assert result.backups.set_index("backup_id").loc["c-ams", "root_backup_id"] == "b"


def test_a_missing_middle_link_leaves_the_age_unprovable() -> None:
    t = Tenancy()
    t.volume("bv")
    t.backup("b", "bv", age_days=2)
    t.copy("c-fra", "b", region=FRA)
    t.copy("c-ams", "c-fra", region=AMS)
    t.backups = [b for b in t.backups if b["backup_id"] != "c-fra"]
    result = assess(t.inventory(), rpo_days=3650)
    row = result.volumes.set_index("boot_volume_id").loc["bv"]
    assert row["coverage_status"] == "stale" and "cannot be proven" in row["reason"]
    copy = result.backups.set_index("backup_id").loc["c-ams"]
    assert pd.isna(copy["root_backup_id"]) and pd.isna(copy["data_time"]) and copy["copy_status"] == "orphan"
    assert "c-fra" in copy["reason"]


def test_a_missing_link_that_a_gap_could_hide_is_unknown_not_orphan() -> None:
    t = Tenancy()
    t.volume("bv")
    t.backup("b", "bv", age_days=2)
    t.copy("ocid1.bootvolumebackup.oc1.eu-frankfurt-1.mid", "b", region=FRA)
    t.copy("c-ams", "ocid1.bootvolumebackup.oc1.eu-frankfurt-1.mid", region=AMS)
    t.backups = [b for b in t.backups if b["backup_id"] != "ocid1.bootvolumebackup.oc1.eu-frankfurt-1.mid"]
    t.error(FRA, APP)  # the region its OCID names, in the compartment it would be in
    result = assess(t.inventory())
    assert result.backups.set_index("backup_id").loc["c-ams", "copy_status"] == "unknown"
    assert result.volumes.set_index("boot_volume_id").loc["bv", "coverage_status"] == "unknown"
    assert result.items.set_index("item_id").loc["c-ams", "state"] == "unknown"


def test_a_copy_whose_own_volume_disagrees_with_its_root_is_unknown() -> None:
    t = Tenancy()
    t.volume("bv")
    t.backup("b", "bv", age_days=1)
    t.copy("c", "b", region=FRA)
    next(b for b in t.backups if b["backup_id"] == "c")["boot_volume_id"] = "another-volume"
    row = volumes_of(t).loc["bv"]
    assert row["coverage_status"] == "unknown"


# --- §5 regions still being subscribed, §6 compartments that are not ACTIVE ---------------------------
def test_a_region_being_subscribed_leaves_missing_verdicts_missing_and_is_never_a_gap() -> None:
    t = with_region(Tenancy(), NRT, "NRT", status="IN_PROGRESS", collected=False)
    t.volume("any-region")
    t.backup("b1", "any-region")
    t.volume("to-tokyo")
    t.backup("b2", "to-tokyo")
    t.policy("xr-nrt", "to-tokyo", destination=NRT)
    t.volume("covered")
    t.backup("b3", "covered")
    t.copy("c3", "b3", region=FRA)
    result = assess(t.inventory())
    got = result.volumes.set_index("boot_volume_id")
    assert got.loc["any-region", "coverage_status"] == "missing"
    assert got.loc["to-tokyo", "coverage_status"] == "missing"
    assert "ap-tokyo-1 is still being subscribed" in got.loc["to-tokyo", "reason"]
    assert got.loc["covered", "coverage_status"] == "covered"
    assert NRT not in set(result.gaps["region"])


def test_a_volume_in_an_inactive_compartment_is_assessed() -> None:
    t = Tenancy()
    legacy = "ocid1.compartment.oc1..legacy"
    t.compartments.append({"compartment_id": legacy, "parent_compartment_id": ROOT, "name": "legacy",
                           "path": "legacy", "depth": 1, "lifecycle_state": "INACTIVE"})
    t.volume("bv", compartment=legacy)
    t.backup("b", "bv", compartment=legacy)
    t.copy("c", "b")
    row = volumes_of(t).loc["bv"]
    assert row["coverage_status"] == "covered" and row["compartment_path"] == "legacy"


# --- §3 volume groups -------------------------------------------------------------------------------
def _group_tenancy() -> Tenancy:
    t = Tenancy()
    for v in ("v1", "v2", "v3"):
        t.volume(v)
    t.group("vg", ["v1", "v2", "v3"])  # v3 joined after the group backup below
    t.group_backup("gb", "vg", ["v1", "v2"], age_days=1)
    return t


def test_a_group_backup_copy_covers_its_members_and_not_a_volume_that_joined_later() -> None:
    t = _group_tenancy()
    t.group_copy("gb-fra", "gb", region=FRA, members=["v1", "v2"])
    result = assess(t.inventory())
    got = result.volumes.set_index("boot_volume_id")
    assert got.loc["v1", "coverage_status"] == "covered" and got.loc["v1", "covered_by"] == "group_backup_copy"
    assert got.loc["v2", "protection"] == "group_backup_copy" and got.loc["v2", "volume_group_id"] == "vg"
    assert got.loc["v3", "coverage_status"] == "no_backup"
    groups = result.group_backups.set_index("volume_group_backup_id")
    assert groups.loc["gb", "copy_status"] == "copied" and groups.loc["gb", "copy_regions"] == FRA
    assert groups.loc["gb-fra", "root_backup_id"] == "gb" and groups.loc["gb-fra", "boot_volume_ids"] == "v1,v2"
    members = result.backups.set_index("backup_id")
    assert members.loc["gb-fra-v1", "role"] == "group_copy_member"
    assert members.loc["gb-fra-v1", "root_backup_id"] == "gb-v1"


def test_a_group_copy_whose_member_for_a_volume_is_not_available_is_stale_for_it() -> None:
    t = _group_tenancy()
    t.group_copy("gb-fra", "gb", region=FRA, members=["v1"])  # v2's member is not in the copy
    got = volumes_of(t)
    assert got.loc["v1", "coverage_status"] == "covered" and got.loc["v2", "coverage_status"] == "stale"


def test_a_group_backup_linked_only_through_its_listed_members_counts_too() -> None:
    t = Tenancy()
    t.volume("v1")
    t.group("vg", ["v1"])
    t.group_backup("gb", "vg", ["v1"], age_days=1, listed_only=True)
    t.group_copy("gb-fra", "gb", region=FRA)
    assert volumes_of(t).loc["v1", "coverage_status"] == "covered"


def test_a_group_policy_destination_is_required() -> None:
    t = _group_tenancy()
    t.group_policy("xr-ams", "vg", destination=AMS)
    t.backup("b1", "v1", age_days=1)
    t.copy("c1", "b1", region=FRA)  # fresh, but the group's policy copies to Amsterdam
    got = volumes_of(t)
    assert got.loc["v1", "coverage_status"] == "missing" and got.loc["v1", "required_regions"] == AMS
    assert got.loc["v1", "requirement_source"] == "group_policy" and got.loc["v1", "copies_scheduled"]
    assert "volume group backup" in got.loc["v1", "remediation"]
    t.group_copy("gb-ams", "gb", region=AMS)
    assert volumes_of(t).loc["v1", "coverage_status"] == "covered"


def test_an_unreadable_group_policy_makes_a_verdict_that_depends_on_it_unknown() -> None:
    t = _group_tenancy()
    t.group_copy("gb-fra", "gb", region=FRA)
    t.error(LHR, APP, "GetVolumeBackupPolicyAssetAssignment", resource="vg")
    assert volumes_of(t).loc["v1", "coverage_status"] == "unknown"


# --- §3/§4 replicas ---------------------------------------------------------------------------------
def test_a_cross_ad_replica_never_protects() -> None:
    t = Tenancy()
    t.volume("bv")
    t.backup("b", "bv")
    t.replica("rep", "bv", region=LHR)  # another AD of the home region
    row = volumes_of(t).loc["bv"]
    assert row["coverage_status"] == "missing" and row["cross_ad_replica"] and row["protection"] == ""
    assert pd.isna(row["replica_regions"]) and "keep" not in row["remediation"].lower()


@pytest.mark.parametrize(("replica", "expected"), [
    ({}, "covered"),
    ({"state": "FAULTY"}, "failed"),
    ({"synced_days_ago": 9}, "stale"),
    ({"state": "PROVISIONING"}, "in_progress"),
])
def test_a_cross_region_replica_covers_only_when_healthy_and_synced(replica: dict, expected: str) -> None:
    t = Tenancy()
    t.volume("bv")
    t.backup("b", "bv")
    t.replica("rep", "bv", region=FRA, **replica)
    row = volumes_of(t).loc["bv"]
    assert row["coverage_status"] == expected
    if expected == "covered":
        assert row["covered_by"] == "replica" and row["replica_regions"] == FRA and pd.isna(row["copy_expires_at"])


def test_a_replica_whose_group_replica_is_not_available_is_stale() -> None:
    t = Tenancy()
    t.volume("bv")
    t.backup("b", "bv")
    t.group("vg", ["bv"])
    t.group_replica("vgr", "vg", region=FRA, state="FAULTY")
    t.replica("rep", "bv", region=FRA, group_replica="vgr")
    assert volumes_of(t).loc["bv", "coverage_status"] == "stale"


def test_a_replica_named_in_a_region_that_could_not_be_read_is_unknown_never_fresh() -> None:
    t = Tenancy()
    t.volume("bv", replicas=FRA)  # BootVolume.bootVolumeReplicas names one; its listing in Frankfurt failed
    t.backup("b", "bv")
    t.error(FRA, PROD, "ListBootVolumeReplicas")
    row = volumes_of(t).loc["bv"]
    assert row["coverage_status"] == "unknown" and row["replica_regions"] == FRA


def test_an_item_in_the_home_region_never_counts_not_even_against_no_backup() -> None:
    # rule book §3: items in the home region are shown and never count; a cross-AD replica or a copy
    # back home does not turn "nothing restorable elsewhere" into "missing"
    t = Tenancy()
    t.volume("bv")
    t.replica("rep", "bv", region=LHR)
    row = volumes_of(t).loc["bv"]
    assert row["coverage_status"] == "no_backup" and row["cross_ad_replica"]
    t = Tenancy()
    t.volume("bv")
    t.backup("b", "bv", state="CREATING")
    t.copy("home", "b", region=LHR)
    assert volumes_of(t).loc["bv", "coverage_status"] == "no_backup"
    t.copy("away", "b", region=FRA, state="FAULTY")
    assert volumes_of(t).loc["bv", "coverage_status"] == "no_backup"


# --- §0 accept ---------------------------------------------------------------------------------------
def test_accept_copy_turns_a_replica_only_volume_missing() -> None:
    t = Tenancy()
    t.volume("bv")
    t.backup("b", "bv")
    t.replica("rep", "bv", region=FRA)
    assert volumes_of(t).loc["bv", "coverage_status"] == "covered"
    row = volumes_of(t, accept={"copy"}).loc["bv"]
    assert row["coverage_status"] == "missing" and row["protection"] == "replica"
    assert volumes_of(t, accept="copy,replica").loc["bv", "coverage_status"] == "covered"
    with pytest.raises(InputError, match="accept"):
        assess(t.inventory(), accept="copies")


def test_protection_by_kind_counts_what_protects_and_what_covers() -> None:
    t = Tenancy()
    t.volume("copied"); t.backup("b1", "copied"); t.copy("c1", "b1")
    t.volume("replicated"); t.backup("b2", "replicated"); t.replica("r2", "replicated", region=AMS)
    result = assess(t.inventory(), accept={"copy"})
    table = protection_by_kind(result.volumes, result.items).set_index("kind")
    assert table.loc["backup_copy", "volumes_covered_by"] == 1 and table.loc["backup_copy", "accepted"]
    assert table.loc["replica", "volumes_protected"] == 1 and table.loc["replica", "volumes_covered_by"] == 0
    assert not table.loc["replica", "accepted"] and table.loc["replica", "only_protection"] == 1


# --- §7 expiry, §10 lapses ---------------------------------------------------------------------------
def test_protected_until_and_copy_expires_at_of_a_copy_expiring_tomorrow() -> None:
    t = Tenancy()
    t.volume("bv")
    t.backup("b", "bv", age_days=1)
    t.copy("c", "b", expires_days=1)
    row = volumes_of(t).loc["bv"]
    tomorrow = AS_OF + pd.Timedelta(days=1)
    assert row["coverage_status"] == "covered"
    assert row["copy_expires_at"] == tomorrow and row["protected_until"] == tomorrow
    lapses = lapsing_coverage(volumes_of(t).reset_index(), as_of=AS_OF)
    assert list(lapses["boot_volume_id"]) == ["bv"] and "covering copy expires" in lapses.loc[0, "lapse_reason"]


def test_protected_until_without_expiry_is_data_time_plus_rpo_and_scheduled_copies_do_not_lapse() -> None:
    t = Tenancy()
    t.volume("bv")
    t.backup("b", "bv", age_days=2)
    t.copy("c", "b")
    t.policy("xr", "bv", destination=FRA)
    row = volumes_of(t).loc["bv"]
    assert row["protected_until"] == days_ago(2) + pd.Timedelta(days=7) and pd.isna(row["copy_expires_at"])
    assert lapsing_coverage(volumes_of(t).reset_index(), as_of=AS_OF).empty  # a policy renews it


def test_an_expired_copy_does_not_exist() -> None:
    t = Tenancy()
    t.volume("bv")
    t.backup("b", "bv", age_days=1)
    t.copy("c", "b", expires_days=-0.5)
    assert volumes_of(t).loc["bv", "coverage_status"] == "missing"


# --- §1 time bounds ---------------------------------------------------------------------------------
def test_as_of_before_the_data_or_after_the_snapshot_is_refused_in_one_line() -> None:
    t = Tenancy()
    t.volume("bv")
    t.backup("b", "bv", age_days=1)
    with pytest.raises(InputError, match="before the oldest data") as before:
        assess(t.inventory(), as_of="2000-01-01")
    assert "\n" not in str(before.value)
    with pytest.raises(InputError, match="cannot say what exists after it was taken"):
        assess(t.inventory(), as_of=AS_OF + pd.Timedelta(days=2))
    assess(t.inventory(), as_of=AS_OF + pd.Timedelta(hours=23))  # a day of clock slack is allowed


def test_a_copy_created_after_as_of_is_ignored() -> None:
    t = Tenancy()
    t.volume("bv")
    t.backup("b", "bv", age_days=3)
    t.copy("c", "b", copied_days_after=2)  # made a day before the collection finished
    assert volumes_of(t).loc["bv", "coverage_status"] == "covered"
    earlier = volumes_of(t, as_of=AS_OF - pd.Timedelta(days=2)).loc["bv"]
    assert earlier["coverage_status"] == "missing"


# --- findings on copies use the lineage ------------------------------------------------------------
def test_an_encryption_downgrade_is_found_against_the_immediate_source_and_the_root() -> None:
    t = Tenancy()
    t.volume("bv", kms="key-root")
    t.backup("b", "bv", kms="key-root")
    t.copy("c-fra", "b", region=FRA, kms="key-fra")
    t.copy("c-ams", "c-fra", region=AMS)            # lost the key on the second hop
    t.copy("c-fra2", "b", region=FRA)                # lost it on the first
    t.copy("c-ams2", "c-fra2", region=AMS)           # and the copy of that copy: the root still has a key
    result = assess(t.inventory())
    found = result.findings[result.findings["control"] == "XR_ENCRYPTION_DOWNGRADE"].set_index("resource_id")
    assert set(found.index) == {"c-ams", "c-fra2", "c-ams2"}
    assert "source c-fra" in found.loc["c-ams", "message"] and "root b" in found.loc["c-ams2", "message"]
    controls = result.controls.set_index("control")
    assert controls.loc["XR_ENCRYPTION_DOWNGRADE", "non_compliant"] == 3


def test_an_orphan_group_backup_copy_is_a_finding() -> None:
    t = _group_tenancy()
    t.group_copy("gb-fra", "gb", region=FRA, members=["v1", "v2"])
    t.volume_group_backups = [g for g in t.volume_group_backups if g["volume_group_backup_id"] != "gb"]
    result = assess(t.inventory())
    orphans = result.findings[result.findings["control"] == "XR_ORPHAN_COPY"]
    assert list(orphans["resource_id"]) == ["gb-fra"] and list(orphans["resource_type"]) == ["volume_group_backup"]
    # the broken copy still protects its own visible members, of unprovable age
    assert result.volumes.set_index("boot_volume_id").loc["v1", "coverage_status"] == "stale"


def test_a_snapshot_that_predates_the_protection_tables_says_so() -> None:
    import dataclasses

    inv = Tenancy().inventory()
    old = dataclasses.replace(inv, metadata=dataclasses.replace(inv.metadata, parameters={}))
    assert assess(old).notes and "not assessed: snapshot predates it" in assess(old).notes[0]
    assert assess(inv).notes == ()

"""Per-backup verdicts: role, source region, every copy status with its reason, TERMINATED copies."""
from __future__ import annotations

import pandas as pd

from reportkit.assessment import assess
from test_assessment_builders import AMS, APP, FRA, LHR, Tenancy


def backups_of(t: Tenancy) -> pd.DataFrame:
    return assess(t.inventory()).backups.set_index("backup_id")


def test_every_copy_status_with_its_reason() -> None:
    t = Tenancy()
    t.image("img-mkt", listing="L")
    t.image("img-gone", status="not_found")
    t.volume("bv")
    t.backup("copied", "bv"); t.copy("c-fra", "copied", region=FRA); t.copy("c-ams", "copied", region=AMS)
    t.backup("pending", "bv"); t.copy("c-pend", "pending", state="CREATING")
    t.backup("faulty", "bv"); t.copy("c-faulty", "faulty", state="FAULTY")
    t.backup("never", "bv")
    t.backup("mkt", "bv", image="img-mkt")
    t.backup("gone", "bv", image="img-gone")
    t.backup("dead-copy", "bv"); t.copy("c-dead", "dead-copy", state="TERMINATED")
    t.orphan_copy("c-orphan", "deleted-source", "bv")
    got = backups_of(t)
    expected = {
        "copied": ("copied", "AVAILABLE copy in eu-amsterdam-1,eu-frankfurt-1"),
        "pending": ("in_progress", "REQUEST_RECEIVED/CREATING"),
        "faulty": ("failed", "only FAULTY copies"),
        "never": ("not_copied", "no AVAILABLE, in-progress or FAULTY copy"),
        "mkt": ("ineligible", "Marketplace"),
        "gone": ("unknown", "eligibility unknown"),
        "dead-copy": ("not_copied", "no AVAILABLE"),
        "c-orphan": ("orphan", "no longer exists"),
    }
    for backup_id, (status, reason) in expected.items():
        assert got.loc[backup_id, "copy_status"] == status, backup_id
        assert reason in got.loc[backup_id, "reason"], (backup_id, got.loc[backup_id, "reason"])
    assert got.loc["copied", "copy_regions"] == f"{AMS},{FRA}"
    assert got.loc["copied", "available_copies"] == 2
    assert got.loc["copied", "newest_copy_age_days"] < 1
    assert pd.isna(got.loc["never", "copy_regions"])


def test_roles_and_source_regions() -> None:
    t = Tenancy()
    t.volume("bv")
    t.backup("src", "bv")
    t.copy("cp", "src", region=FRA)
    t.orphan_copy("orphan", "ghost", "bv")
    got = backups_of(t)
    assert got.loc["src", "role"] == "source" and got.loc["src", "source_region"] == LHR
    assert got.loc["cp", "role"] == "copy" and got.loc["cp", "source_region"] == LHR
    assert pd.isna(got.loc["cp", "copy_status"])
    assert "copy of src from uk-london-1" in got.loc["cp", "reason"]
    assert pd.isna(got.loc["orphan", "source_region"])
    assert got.loc["src", "compartment_path"] == "Prod/App"


def test_terminated_copy_never_counts_as_copied() -> None:
    t = Tenancy()
    t.volume("bv")
    t.backup("b", "bv")
    t.copy("c1", "b", state="TERMINATED")
    t.copy("c2", "b", region=AMS, state="TERMINATING")
    got = backups_of(t)
    assert got.loc["b", "copy_status"] == "not_copied"
    assert got.loc["b", "available_copies"] == 0
    assert got.loc["c1", "lifecycle_state"] == "TERMINATED"  # kept in the table


def test_a_gap_where_copies_could_be_makes_uncopied_backups_unknown() -> None:
    t = Tenancy()
    t.volume("bv")
    t.backup("b", "bv")
    t.backup("b2", "bv"); t.copy("c", "b2")
    t.error(AMS, APP)
    got = backups_of(t)
    assert got.loc["b", "copy_status"] == "unknown"
    assert "could not be read" in got.loc["b", "reason"]
    assert got.loc["b2", "copy_status"] == "copied"  # an AVAILABLE copy is evidence whatever else failed


def test_gap_in_the_backups_own_region_does_not_hide_copies() -> None:
    t = Tenancy()
    t.volume("bv")
    t.backup("b", "bv")
    t.error(LHR, "ocid1.compartment.oc1..other")
    assert backups_of(t).loc["b", "copy_status"] == "not_copied"


def test_orphan_copy_with_a_gap_elsewhere_is_unknown() -> None:
    t = Tenancy()
    t.volume("bv")
    t.orphan_copy("c", "ghost", "bv")
    t.error(LHR, "")
    got = backups_of(t)
    assert got.loc["c", "copy_status"] == "unknown"


def test_same_region_copy_is_not_a_cross_region_copy() -> None:
    t = Tenancy()
    t.volume("bv")
    t.backup("b", "bv")
    t.copy("c", "b", region=LHR)
    got = backups_of(t)
    assert got.loc["b", "copy_status"] == "not_copied"
    assert "own region" in got.loc["c", "reason"]

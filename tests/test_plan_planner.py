"""reportkit.plan: pure planning on tiny hand-built assessment frames, plus plan files."""
from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import pytest

from reportkit.errors import InputError, PlanError
from reportkit.plan import (
    copy_cli_command,
    entry_id_for,
    export_plan_csv,
    load_plan,
    make_plan,
    retry_token_for,
    save_plan,
)

LHR, FRA, AMS = "uk-london-1", "eu-frankfurt-1", "eu-amsterdam-1"
AS_OF = pd.Timestamp("2026-11-01T00:00:00Z")
PLATFORM = "ocid1.image.oc1.uk-london-1.platform"
MARKET = "ocid1.image.oc1..market"
KEY_LHR = "ocid1.key.oc1.uk-london-1.vault.srckey"
KEY_FRA = "ocid1.key.oc1.eu-frankfurt-1.vault.fra"


@dataclass(frozen=True)
class FakeAssessment:
    """Only what make_plan reads: the assessed volumes/backups/images frames and parameters."""

    volumes: pd.DataFrame
    backups: pd.DataFrame
    images: pd.DataFrame
    parameters: dict[str, Any] = field(default_factory=lambda: {"rpo_days": 7, "as_of": AS_OF.isoformat()})
    group_backups: pd.DataFrame = field(default_factory=pd.DataFrame)
    regions: pd.DataFrame = field(default_factory=pd.DataFrame)


def volume(vid: str, status: str, required: str = FRA, covered: str = "", image: str = PLATFORM,
           image_class: str = "platform", region: str = LHR) -> dict[str, Any]:
    return {"boot_volume_id": vid, "region": region, "compartment_id": "ocid1.compartment.oc1..app",
            "compartment_path": "Prod/App", "display_name": f"vm-{vid}", "image_id": image,
            "image_class": image_class, "required_regions": required, "covered_regions": covered,
            "coverage_status": status, "reason": None}


def backup(bid: str, vid: str, *, days_old: float = 1, state: str = "AVAILABLE", region: str = LHR,
           source: str | None = None, kms: str | None = None, size: int = 50) -> dict[str, Any]:
    return {"backup_id": bid, "region": region, "compartment_id": "ocid1.compartment.oc1..app",
            "display_name": f"bk-{bid}", "boot_volume_id": vid, "image_id": PLATFORM,
            "lifecycle_state": state, "time_created": AS_OF - pd.Timedelta(days=days_old),
            "size_in_gbs": size, "kms_key_id": kms, "source_boot_volume_backup_id": source,
            "role": "copy" if source else "source"}


def assessment(volumes: list[dict], backups: list[dict], ineligible: tuple[str, ...] = (MARKET,)) -> FakeAssessment:
    images = pd.DataFrame({"image_id": [PLATFORM, *ineligible],
                           "copy_eligible": pd.array([True, *[False] * len(ineligible)], dtype="boolean")})
    return FakeAssessment(pd.DataFrame(volumes), pd.DataFrame(backups), images)


def planned(plan) -> pd.DataFrame:
    return plan.planned()


def test_newest_available_backup_is_planned_for_each_missing_destination() -> None:
    a = assessment(
        [volume("v1", "missing", required=f"{FRA},{AMS}")],
        [backup("b-old", "v1", days_old=3), backup("b-new", "v1", days_old=1),
         backup("b-creating", "v1", days_old=0.1, state="CREATING")],
    )
    plan = make_plan(a)
    rows = planned(plan)
    assert list(rows["backup_id"]) == ["b-new", "b-new"]
    assert sorted(rows["destination_region"]) == [AMS, FRA]
    # one copy per boot volume per source region at a time: two destinations -> two waves
    assert sorted(rows["wave"]) == [1, 2]
    assert plan.summary.copies == 2 and plan.summary.waves == 2 and plan.summary.gb_to_transfer == 100


def test_covered_destination_is_not_copied_again() -> None:
    a = assessment([volume("v1", "stale", required=f"{FRA},{AMS}", covered=AMS)],
                   [backup("b1", "v1")])
    rows = planned(make_plan(a))
    assert list(rows["destination_region"]) == [FRA]
    assert list(rows["wave"]) == [1]


def test_ineligible_unknown_and_covered_volumes_are_never_planned() -> None:
    a = assessment(
        [volume("v-mkt", "ineligible", image=MARKET, image_class="marketplace"),
         volume("v-unk", "unknown", image="ocid1.image.oc1..gone", image_class="unknown"),
         volume("v-ok", "covered", covered=FRA),
         # assess says missing, but the image is ineligible: still never planned
         volume("v-odd", "missing", image=MARKET, image_class="marketplace"),
         volume("v-nob", "no_backup")],
        [backup("b-mkt", "v-mkt"), backup("b-unk", "v-unk"), backup("b-ok", "v-ok"), backup("b-odd", "v-odd")],
    )
    plan = make_plan(a)
    assert plan.entries.empty
    skipped = plan.skipped.set_index("boot_volume_id")
    assert set(skipped.index) == {"v-mkt", "v-unk", "v-odd", "v-nob"}  # covered is not "skipped"
    assert "not copy-eligible" in skipped.loc["v-odd", "reason"]
    assert "unknown" in skipped.loc["v-unk", "reason"]


def test_backup_already_copied_or_being_copied_is_not_planned() -> None:
    a = assessment(
        [volume("v1", "stale"), volume("v2", "failed"), volume("v3", "missing", required=f"{FRA},{AMS}")],
        [backup("b1", "v1"),
         backup("c1", "v1", region=FRA, source="b1", state="AVAILABLE"),    # newest already copied to FRA
         backup("b2", "v2"),
         backup("c2", "v2", region=FRA, source="b2", state="FAULTY"),       # failed copy: retry it
         backup("b3-old", "v3", days_old=5), backup("b3", "v3"),
         backup("c3", "v3", region=AMS, source="b3-old", state="CREATING")],  # v3 is being copied
    )
    plan = make_plan(a)
    rows = planned(plan)
    assert list(zip(rows["backup_id"], rows["destination_region"], strict=True)) == [("b2", FRA)]
    # the retry after a FAULTY copy must not reuse the first attempt's token (OCI would return it)
    assert rows["retry_token"].iloc[0] != retry_token_for(entry_id_for("b2", FRA), 0)
    reasons = plan.skipped.set_index("boot_volume_id")["reason"]
    assert "already copied or being copied" in reasons["v1"]
    # one copy per volume at a time from a source region: v3 waits even for its other destination
    assert "in progress" in reasons["v3"] and "one at a time" in reasons["v3"]


def test_volume_without_available_backup_is_skipped_with_reason() -> None:
    a = assessment([volume("v1", "missing")], [backup("b1", "v1", state="CREATING")])
    plan = make_plan(a)
    assert plan.entries.empty
    assert "no AVAILABLE backup" in plan.skipped["reason"].iloc[0]


def test_vault_source_without_destination_key_is_blocked_unless_downgrade_allowed() -> None:
    a = assessment([volume("v1", "missing", required=f"{FRA},{AMS}")], [backup("b1", "v1", kms=KEY_LHR)])
    plan = make_plan(a, kms_key_map={"fra": KEY_FRA})
    by_dest = plan.entries.set_index("destination_region")
    assert by_dest.loc[FRA, "status"] == "planned" and by_dest.loc[FRA, "kms_key_id"] == KEY_FRA
    assert f"--kms-key-id {KEY_FRA}" in by_dest.loc[FRA, "cli_command"]
    assert by_dest.loc[AMS, "status"] == "blocked" and by_dest.loc[AMS, "encryption"] == "no_key"
    assert "--allow-encryption-downgrade" in by_dest.loc[AMS, "block_reason"]
    assert pd.isna(by_dest.loc[AMS, "wave"])
    assert plan.summary.blocked == 1 and plan.summary.waves == 1

    allowed = make_plan(a, kms_key_map={"fra": KEY_FRA}, allow_encryption_downgrade=True)
    by_dest = allowed.entries.set_index("destination_region")
    assert by_dest.loc[AMS, "status"] == "planned" and by_dest.loc[AMS, "encryption"] == "downgrade"
    assert pd.isna(by_dest.loc[AMS, "kms_key_id"])
    assert allowed.parameters["allow_encryption_downgrade"] is True
    assert allowed.summary.encryption_downgrades == 1


def test_kms_key_from_another_region_is_rejected() -> None:
    a = assessment([volume("v1", "missing")], [backup("b1", "v1")])
    with pytest.raises(InputError, match="destination region"):
        make_plan(a, kms_key_map={FRA: KEY_LHR})
    with pytest.raises(InputError, match="not a Vault key"):
        make_plan(a, kms_key_map={FRA: "nope"})


def test_stale_source_backup_is_planned_with_a_note() -> None:
    a = assessment([volume("v1", "missing")], [backup("b1", "v1", days_old=30)])
    plan = make_plan(a)
    assert "older than the RPO" in planned(plan)["note"].iloc[0]
    assert plan.summary.stale_after_copy == 1


def test_iam_denied_copies_are_blocked_up_front() -> None:
    a = assessment([volume("v1", "missing", required=f"{FRA},{AMS}")], [backup("b1", "v1")])

    def only_to_frankfurt(src: str, dest: str, compartment: str, key: str | None) -> tuple[bool | None, str]:
        return (dest == FRA, "ok" if dest == FRA else f"no BOOT_VOLUME_BACKUP_CREATE in {dest}")

    plan = make_plan(a, iam_verdicts=only_to_frankfurt, group="Copiers")
    by_dest = plan.entries.set_index("destination_region")
    assert bool(by_dest.loc[FRA, "iam_allowed"]) and by_dest.loc[FRA, "wave"] == 1
    assert by_dest.loc[AMS, "status"] == "blocked" and "BOOT_VOLUME_BACKUP_CREATE" in by_dest.loc[AMS, "block_reason"]
    assert plan.summary.iam_denied == 1 and plan.parameters["group"] == "Copiers"


def test_plan_is_deterministic_and_ids_depend_on_backup_and_destination() -> None:
    a = assessment([volume("v1", "missing", required=f"{FRA},{AMS}"), volume("v2", "missing")],
                   [backup("b1", "v1"), backup("b2", "v2")])
    first, second = make_plan(a), make_plan(a)
    pd.testing.assert_frame_equal(first.entries, second.entries)
    assert first.plan_id == second.plan_id
    assert first.entries["entry_id"].is_unique and first.entries["retry_token"].is_unique
    assert set(first.entries["entry_id"]) == {entry_id_for("b1", FRA), entry_id_for("b1", AMS), entry_id_for("b2", FRA)}


def test_cli_command_uses_only_options_the_oci_cli_accepts() -> None:
    from services.core.src.oci_cli_blockstorage.generated import blockstorage_cli

    command = copy_cli_command("ocid1.bootvolumebackup.oc1.uk-london-1.x", FRA, LHR,
                               kms_key_id=KEY_FRA, display_name="it's a copy")
    options = {o for p in blockstorage_cli.copy_boot_volume_backup.params for o in p.opts}
    used = {tok for tok in command.split() if tok.startswith("--")}
    assert used - {"--region"} <= options  # --region is the CLI's global option
    assert command.startswith("oci bv boot-volume-backup copy ")
    assert "'it'\"'\"'s a copy'" in command  # shell-quoted


def test_save_load_roundtrip_and_csv(tmp_path) -> None:
    a = assessment([volume("v1", "missing", required=f"{FRA},{AMS}")], [backup("b1", "v1", kms=KEY_LHR)])
    plan = make_plan(a, kms_key_map={FRA: KEY_FRA})
    path = save_plan(plan, tmp_path / "plan.json")
    loaded = load_plan(path)
    pd.testing.assert_frame_equal(loaded.entries, plan.entries)
    pd.testing.assert_frame_equal(loaded.skipped, plan.skipped)
    assert loaded.summary == plan.summary and loaded.plan_id == plan.plan_id
    csv_path = export_plan_csv(plan, tmp_path / "plan.csv")
    back = pd.read_csv(csv_path)
    assert list(back["entry_id"]) == list(plan.entries["entry_id"])


@pytest.mark.parametrize("mutate, message", [
    (lambda d: "not json", "not readable JSON"),
    (lambda d: {**d, "format": "other"}, "not a reportkit copy plan"),
    (lambda d: {**d, "version": 99}, "version 99"),
    (lambda d: {**d, "entries": [{**d["entries"][0], "surprise": 1}]}, "malformed"),
    (lambda d: {**d, "entries": [{**d["entries"][0], "status": "maybe"}]}, "status"),
    (lambda d: {**d, "entries": [{**d["entries"][0], "retry_token": None}]}, "no retry_token"),
    (lambda d: {**d, "entries": [{**d["entries"][0], "destination_region": AMS}]}, "does not match"),
    (lambda d: {**d, "entries": [d["entries"][0], d["entries"][0]]}, "appears twice"),
    (lambda d: {**d, "entries": [{**e, "wave": 1} for e in d["entries"]]}, "two copies"),
])
def test_bad_plan_files_raise_plan_error(tmp_path, mutate, message) -> None:
    a = assessment([volume("v1", "missing", required=f"{FRA},{AMS}")], [backup("b1", "v1")])
    path = save_plan(make_plan(a), tmp_path / "plan.json")
    doc = mutate(json.loads(path.read_text()))
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc))
    with pytest.raises(PlanError, match=message):
        load_plan(path)


def test_missing_plan_file_says_how_to_make_one(tmp_path) -> None:
    with pytest.raises(PlanError, match="reportkit plan"):
        load_plan(tmp_path / "nope.json")


def test_any_region_requirement_refreshes_where_copies_are_or_is_skipped() -> None:
    a = assessment(
        [volume("v1", "stale", required="any"), volume("v2", "missing", required="any")],
        [backup("b-old", "v1", days_old=20), backup("b-new", "v1"),
         backup("c-old", "v1", region=AMS, source="b-old", days_old=19),
         backup("b2", "v2")],
    )
    plan = make_plan(a)
    rows = planned(plan)
    assert list(zip(rows["backup_id"], rows["destination_region"], strict=True)) == [("b-new", AMS)]
    assert "--copy-targets" in plan.skipped.set_index("boot_volume_id").loc["v2", "reason"]


def test_volume_copy_eligible_column_wins_over_image_class() -> None:
    vol = {**volume("v1", "missing", image="ocid1.image.oc1..notlisted", image_class="unknown"),
           "copy_eligible": True}  # assess proved eligibility by an existing AVAILABLE copy
    plan = make_plan(assessment([vol], [backup("b1", "v1")]))
    assert len(planned(plan)) == 1


def test_iam_check_from_inventory_policies_blocks_what_the_group_cannot_copy() -> None:
    from reportkit.inventory import CollectionMetadata, Inventory
    from reportkit.plan import iam_check_for_group

    tenancy, prod = "ocid1.tenancy.oc1..t", "ocid1.compartment.oc1..app"
    ts = pd.Timestamp("2026-11-01", tz="UTC")
    statements = [
        "Allow group Copiers to read boot-volume-backups in tenancy",
        "Allow group Copiers to use boot-volume-backups in tenancy where request.permission='BOOT_VOLUME_BACKUP_COPY'",
        "Allow group Copiers to manage boot-volume-backups in tenancy where "
        "all {request.permission='BOOT_VOLUME_BACKUP_CREATE', request.region='fra'}",
    ]
    policies = pd.DataFrame([{"policy_id": "ocid1.policy.oc1..p", "compartment_id": tenancy, "policy_name": "copy",
                              "statement_index": i + 1, "statement": s, "lifecycle_state": "ACTIVE"}
                             for i, s in enumerate(statements)])
    compartments = pd.DataFrame([
        {"compartment_id": tenancy, "parent_compartment_id": None, "name": "root", "path": "/", "depth": 0,
         "lifecycle_state": "ACTIVE"},
        {"compartment_id": prod, "parent_compartment_id": tenancy, "name": "app", "path": "app", "depth": 1,
         "lifecycle_state": "ACTIVE"}])
    inv = Inventory.from_tables(CollectionMetadata(tenancy, "t", LHR, ts, ts, "0"), iam_policies=policies,
                                compartments=compartments)
    assert iam_check_for_group(Inventory.from_tables(inv.metadata), "Copiers") is None  # no policies: unchecked
    check = iam_check_for_group(inv, "Copiers")
    a = assessment([volume("v1", "missing", required=f"{FRA},{AMS}")], [backup("b1", "v1")])
    plan = make_plan(a, iam_verdicts=check, group="Copiers")
    by_dest = plan.entries.set_index("destination_region")
    assert by_dest.loc[FRA, "status"] == "planned" and bool(by_dest.loc[FRA, "iam_allowed"])
    assert by_dest.loc[AMS, "status"] == "blocked" and "BOOT_VOLUME_BACKUP_CREATE" in by_dest.loc[AMS, "block_reason"]


def group_backup(gid: str, volumes: list[str], *, days_old: float = 1, state: str = "AVAILABLE", region: str = LHR,
                 source: str | None = None, root: str | None = None, group: str = "vg") -> dict[str, Any]:
    return {"volume_group_backup_id": gid, "region": region, "compartment_id": "ocid1.compartment.oc1..app",
            "compartment_path": "Prod/App", "display_name": f"gb-{gid}", "volume_group_id": group,
            "lifecycle_state": state, "time_created": AS_OF - pd.Timedelta(days=days_old), "size_in_gbs": 150,
            "role": "copy" if source else "source", "source_volume_group_backup_id": source,
            "root_backup_id": root or gid, "origin_region": LHR, "boot_volume_ids": ",".join(volumes)}


def test_a_copy_never_goes_to_the_volumes_own_region() -> None:
    a = assessment([volume("v1", "missing", required=f"{LHR},{FRA}"), volume("v2", "stale", required="any")],
                   [backup("b1", "v1"), backup("b2", "v2"), backup("c2", "v2", region=LHR, source="b2", days_old=9)])
    rows = planned(make_plan(a))
    assert list(zip(rows["boot_volume_id"], rows["destination_region"], strict=True)) == [("v1", FRA)]
    assert set(rows["kind"]) == {"boot_volume_backup"}


def test_a_group_policy_destination_is_closed_by_copying_the_group_backup_once_for_all_its_volumes() -> None:
    vols = [{**volume(v, "missing", required=AMS), "requirement_source": "group_policy"} for v in ("v1", "v2")]
    a = assessment(vols, [backup("b1", "v1")])
    a = FakeAssessment(a.volumes, a.backups, a.images, group_backups=pd.DataFrame([
        group_backup("gb-old", ["v1", "v2"], days_old=3), group_backup("gb-new", ["v1", "v2"]),
        group_backup("gb-other", ["v9"], group="vg2")]))
    plan = make_plan(a)
    rows = planned(plan)
    assert len(rows) == 1 and rows.loc[0, "kind"] == "volume_group_backup" and rows.loc[0, "backup_id"] == "gb-new"
    assert rows.loc[0, "boot_volume_id"] == "v1,v2" and rows.loc[0, "volume_group_id"] == "vg"
    assert rows.loc[0, "wave"] == 1 and rows.loc[0, "destination_region"] == AMS
    assert "oci bv volume-group-backup copy --volume-group-backup-id gb-new" in rows.loc[0, "cli_command"]
    assert "not checked" in rows.loc[0, "iam_reason"]


def test_a_group_already_copied_or_with_a_copy_in_flight_is_not_planned_again() -> None:
    vols = [{**volume("v1", "missing", required=f"{AMS},{FRA}"), "requirement_source": "group_policy"}]
    a = assessment(vols, [backup("b9", "v9")])
    gbs = [group_backup("gb", ["v1"]), group_backup("gb-ams", ["v1"], region=AMS, source="gb", root="gb")]
    plan = make_plan(FakeAssessment(a.volumes, a.backups, a.images, group_backups=pd.DataFrame(gbs)))
    assert list(planned(plan)["destination_region"]) == [FRA]
    assert "already copied" in plan.skipped.set_index("destination_region").loc[AMS, "reason"]
    gbs.append(group_backup("gb-fra", ["v1"], region=FRA, source="gb", root="gb", state="COMMITTED"))
    plan = make_plan(FakeAssessment(a.volumes, a.backups, a.images, group_backups=pd.DataFrame(gbs)))
    assert planned(plan).empty and "in progress" in plan.skipped.loc[0, "reason"]
    none = make_plan(FakeAssessment(a.volumes, a.backups, a.images))
    assert "no AVAILABLE volume group backup holds it" in none.skipped.loc[0, "reason"]


def test_a_copy_to_a_region_not_ready_is_blocked_with_the_reason() -> None:
    # OCI refuses (400) a copy to a region whose subscription is IN_PROGRESS or that is not subscribed
    a = assessment([volume("v1", "missing", required=f"{FRA},{AMS},{LHR}"), volume("v2", "missing", required=AMS)],
                   [backup("b1", "v1"), backup("b2", "v2")])
    a = dataclasses.replace(a, regions=pd.DataFrame({"region": [LHR, FRA], "status": ["READY", "IN_PROGRESS"]}))
    plan = make_plan(a)
    entries = plan.entries.set_index(["boot_volume_id", "destination_region"])
    assert set(plan.entries["destination_region"]) == {FRA, AMS}  # never its own region
    assert (entries["status"].astype(str) == "blocked").all() and plan.summary.copies == 0
    assert "subscription is IN_PROGRESS" in entries.loc[("v1", FRA), "block_reason"]
    assert "does not subscribe" in entries.loc[("v2", AMS), "block_reason"]
    a = dataclasses.replace(a, regions=pd.DataFrame({"region": [LHR, FRA, AMS], "status": ["READY"] * 3}))
    assert make_plan(a).summary.copies == 3

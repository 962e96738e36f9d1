"""Volume groups in the fake through the real SDK: membership, group backups and their copies (members
created in the destination, linked only through their group backup), policies assigned to groups."""
from __future__ import annotations

import oci
import pytest
from sim_fixtures import (
    BKP, BKP_FRA_MEMBERS, BLOCK_VOLUME, BV, DEV, FRA, FRA_AD, IAD, IMG_MARKET, KEY_FRA, LHR, LHR_ADS, NRT,
    POLICY_USER, PROD, VG, VGB, VGB_FRA, VGR_FRA, build_protection_tenancy, client,
)

Copy = oci.core.models.CopyVolumeGroupBackupDetails


@pytest.fixture
def storage(sim, oci_config):
    sim.load(build_protection_tenancy())
    return {region: client(oci.core.BlockstorageClient, oci_config, sim, region) for region in (LHR, FRA, IAD)}


def _refusal(call) -> oci.exceptions.ServiceError:
    with pytest.raises(oci.exceptions.ServiceError) as err:
        call()
    return err.value


def test_volume_groups_list_their_members_and_replicas(storage):
    groups = storage[LHR].list_volume_groups(compartment_id=PROD).data
    assert [g.id for g in groups] == [VG]
    group = storage[LHR].get_volume_group(VG).data
    # membership is volumeIds (BootVolume.volumeGroupId names the group a volume was cloned from)
    assert group.volume_ids == [BV["db1"], BV["db2"], BLOCK_VOLUME]
    assert [(r.volume_group_replica_id, r.availability_domain) for r in group.volume_group_replicas] == [
        (VGR_FRA, FRA_AD)]
    assert storage[LHR].list_volume_groups(compartment_id=PROD, availability_domain=LHR_ADS[1]).data == []
    assert storage[LHR].list_volume_groups(compartment_id=DEV).data == []
    assert storage[FRA].list_volume_groups(compartment_id=PROD).data == []  # groups are regional
    assert _refusal(lambda: storage[FRA].get_volume_group(VG)).status == 404


def test_volume_group_backups_sources_copies_expiry_and_retention(storage):
    lhr = {b.id: b for b in storage[LHR].list_volume_group_backups(compartment_id=PROD).data}
    assert set(lhr) == set(VGB.values())
    assert {b.id: b.lifecycle_state for b in lhr.values()} == {
        VGB["db"]: "AVAILABLE", VGB["db_old"]: "AVAILABLE", VGB["db_committed"]: "COMMITTED"}
    daily = storage[LHR].get_volume_group_backup(VGB["db"]).data
    assert daily.source_type == "SCHEDULED" and daily.expiration_time is not None
    assert daily.volume_group_id == VG and daily.source_volume_group_backup_id is None
    assert daily.volume_backup_ids[:2] == [BKP["db1"], BKP["db2"]]
    assert (daily.is_retention_lock_enabled, daily.is_prevent_deletion_enabled) == (True, True)
    assert daily.time_retention_expires_at is not None and daily.retention_period.retention_time_amount == 30
    assert lhr[VGB["db_committed"]].source_type == "MANUAL" and lhr[VGB["db_committed"]].expiration_time is None
    assert [b.id for b in storage[LHR].list_volume_group_backups(compartment_id=PROD, volume_group_id="x").data] == []
    # the copy in Frankfurt names its source group backup; its members name their group, not a source backup
    copy = storage[FRA].get_volume_group_backup(VGB_FRA).data
    assert copy.source_volume_group_backup_id == VGB["db_old"]
    members = [storage[FRA].get_boot_volume_backup(i).data for i in BKP_FRA_MEMBERS]
    assert {m.volume_group_backup_id for m in members} == {VGB_FRA}
    assert all(m.source_boot_volume_backup_id is None for m in members)
    assert {m.boot_volume_id for m in members} == {BV["db1"], BV["db2"]}
    locked = storage[LHR].get_boot_volume_backup(BKP["db1"]).data
    assert locked.volume_group_backup_id == VGB["db"] and locked.is_retention_lock_enabled is True


def test_a_backup_policy_can_be_assigned_to_a_volume_group(sim, storage):
    assigned = storage[LHR].get_volume_backup_policy_asset_assignment(VG).data
    assert [(a.asset_id, a.policy_id) for a in assigned] == [(VG, POLICY_USER)]
    assert storage[LHR].get_volume_backup_policy_asset_assignment(BV["db1"]).data == []  # not inherited by members
    sim.set_knobs(denied_compartments=[PROD])
    assert _refusal(lambda: storage[LHR].get_volume_backup_policy_asset_assignment(VG)).status == 404


def test_group_copy_moves_through_committed_and_creates_members_in_the_destination(sim, storage):
    sim.set_knobs(copy_request_received_seconds=60, copy_seconds_per_gb=2, copy_committed_seconds=60)
    copy = storage[LHR].copy_volume_group_backup(VGB["db"], Copy(destination_region=IAD)).data
    assert f".{IAD}." in copy.id and copy.lifecycle_state == "REQUEST_RECEIVED"
    assert (copy.source_volume_group_backup_id, copy.volume_group_id, copy.compartment_id) == (VGB["db"], VG, PROD)
    assert copy.source_type == "MANUAL" and copy.expiration_time is None
    assert len(copy.volume_backup_ids) == 3 and len(set(copy.volume_backup_ids)) == 3
    members = {b.id: b for b in storage[IAD].list_boot_volume_backups(compartment_id=PROD).data
               if b.volume_group_backup_id == copy.id}
    assert set(members) == set(copy.volume_backup_ids[:2])
    assert {m.boot_volume_id for m in members.values()} == {BV["db1"], BV["db2"]}
    assert all(m.source_boot_volume_backup_id is None for m in members.values())  # linked through the group only
    assert _refusal(lambda: storage[LHR].get_volume_group_backup(copy.id)).status == 404  # it lives in IAD

    def states() -> tuple[str, set[str]]:
        group = storage[IAD].get_volume_group_backup(copy.id).data.lifecycle_state
        return group, {storage[IAD].get_boot_volume_backup(i).data.lifecycle_state for i in members}

    assert states() == ("REQUEST_RECEIVED", {"REQUEST_RECEIVED"})
    sim.advance(60)
    assert states() == ("CREATING", {"CREATING"})
    sim.advance(150 * 2)
    assert states() == ("COMMITTED", {"CREATING"})
    sim.advance(59)
    assert states() == ("COMMITTED", {"CREATING"})
    sim.advance(1)
    assert states() == ("AVAILABLE", {"AVAILABLE"})


def test_one_group_copy_per_volume_group_at_a_time_from_a_source_region(sim, storage):
    first = storage[LHR].copy_volume_group_backup(VGB["db"], Copy(destination_region=IAD)).data
    err = _refusal(lambda: storage[LHR].copy_volume_group_backup(VGB["db_old"], Copy(destination_region=FRA)))
    assert (err.status, err.code) == (409, "Conflict") and VG in err.message
    # the Frankfurt copy is another source region: allowed meanwhile
    assert storage[FRA].copy_volume_group_backup(VGB_FRA, Copy(destination_region=IAD)).data.id
    sim.advance(3600)
    assert storage[IAD].get_volume_group_backup(first.id).data.lifecycle_state == "AVAILABLE"
    assert storage[LHR].copy_volume_group_backup(VGB["db_old"], Copy(destination_region=FRA)).data.id


def test_copying_a_group_copy_back_to_its_origin_region(sim, storage):
    back = storage[FRA].copy_volume_group_backup(VGB_FRA, Copy(destination_region=LHR, display_name="home")).data
    assert f".{LHR}." in back.id and back.source_volume_group_backup_id == VGB_FRA and back.display_name == "home"
    assert storage[LHR].get_volume_group_backup(back.id).data.volume_group_id == VG


def test_group_copy_refusals(sim, storage):
    err = _refusal(lambda: storage[LHR].copy_volume_group_backup(VGB["db_committed"], Copy(destination_region=IAD)))
    assert (err.status, err.code) == (409, "IncorrectState")
    for destination in (LHR, NRT, "mars-north-1"):  # the source region, a region still being subscribed, unknown
        err = _refusal(lambda: storage[LHR].copy_volume_group_backup(VGB["db"], Copy(destination_region=destination)))
        assert (err.status, err.code) == (400, "InvalidParameter"), destination
    err = _refusal(lambda: storage[LHR].copy_volume_group_backup(
        VGB["db"], Copy(destination_region=IAD, kms_key_id=KEY_FRA)))
    assert (err.status, err.code) == (400, "InvalidParameter")
    with_key = storage[LHR].copy_volume_group_backup(VGB["db"], Copy(destination_region=FRA, kms_key_id=KEY_FRA)).data
    member = storage[FRA].get_boot_volume_backup(with_key.volume_backup_ids[0]).data
    assert member.kms_key_id == KEY_FRA
    assert _refusal(lambda: storage[IAD].copy_volume_group_backup(VGB["db"], Copy(destination_region=FRA))).status == 404


def test_group_copy_refuses_a_member_of_non_platform_lineage(sim, storage):
    doc = build_protection_tenancy()
    next(b for b in doc["bootVolumeBackups"][LHR] if b["id"] == BKP["db2"])["imageId"] = IMG_MARKET
    sim.load(doc)
    err = _refusal(lambda: storage[LHR].copy_volume_group_backup(VGB["db"], Copy(destination_region=IAD)))
    assert (err.status, err.code) == (400, "InvalidParameter") and BKP["db2"] in err.message
    assert storage[IAD].list_volume_group_backups(compartment_id=PROD).data == []  # nothing half-made


def test_group_copy_retry_token(sim, storage):
    first = storage[LHR].copy_volume_group_backup(VGB["db"], Copy(destination_region=IAD), opc_retry_token="t-1").data
    again = storage[LHR].copy_volume_group_backup(VGB["db"], Copy(destination_region=IAD), opc_retry_token="t-1").data
    assert again.id == first.id and len(storage[IAD].list_volume_group_backups(compartment_id=PROD).data) == 1
    err = _refusal(lambda: storage[LHR].copy_volume_group_backup(VGB["db"], Copy(destination_region=FRA),
                                                                 opc_retry_token="t-1"))
    assert (err.status, err.code) == (409, "Conflict")

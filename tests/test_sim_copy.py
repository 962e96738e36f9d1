"""CopyBootVolumeBackup in the fake: the copy's lifecycle on the simulated clock, every refusal, copies of
copies (back to the origin too), and moving a backup to another compartment."""
from __future__ import annotations

import oci
import pytest
from sim_fixtures import (
    APP, BKP, BV, COPY_FRA, DEV, FRA, GONE, IAD, IMG_PLATFORM, KEY_FRA, LEGACY, LHR, PROD, SECRET, SUNSET, UNSUBSCRIBED,
    build_protection_tenancy, client,
)

Details = oci.core.models.CopyBootVolumeBackupDetails


@pytest.fixture
def storage(sim, oci_config):
    return {region: client(oci.core.BlockstorageClient, oci_config, sim, region) for region in (LHR, FRA, IAD)}


def _refusal(call) -> oci.exceptions.ServiceError:
    with pytest.raises(oci.exceptions.ServiceError) as err:
        call()
    return err.value


def test_copy_is_a_new_backup_in_the_destination_that_becomes_available_on_the_clock(sim, storage):
    sim.set_knobs(copy_request_received_seconds=60, copy_seconds_per_gb=2)
    resp = storage[LHR].copy_boot_volume_backup(BKP["platform"], Details(destination_region=FRA))
    copy = resp.data
    assert resp.status == 200 and resp.headers["etag"] and resp.headers["opc-work-request-id"]
    assert copy.id != BKP["platform"] and f".{FRA}." in copy.id
    assert copy.source_boot_volume_backup_id == BKP["platform"]
    assert (copy.boot_volume_id, copy.image_id, copy.size_in_gbs, copy.compartment_id) == (
        BV["platform"], IMG_PLATFORM, 50, PROD)
    assert copy.source_type == "MANUAL" and copy.lifecycle_state == "REQUEST_RECEIVED"
    # the copy lives in the destination: the source-region client cannot see it (oci-python-sdk #344)
    assert _refusal(lambda: storage[LHR].get_boot_volume_backup(copy.id)).status == 404
    assert storage[FRA].get_boot_volume_backup(copy.id).data.lifecycle_state == "REQUEST_RECEIVED"
    sim.advance(60)
    assert storage[FRA].get_boot_volume_backup(copy.id).data.lifecycle_state == "CREATING"
    sim.advance(50 * 2 - 1)
    assert storage[FRA].get_boot_volume_backup(copy.id).data.lifecycle_state == "CREATING"
    sim.advance(1)
    assert storage[FRA].get_boot_volume_backup(copy.id).data.lifecycle_state == "AVAILABLE"
    found = storage[FRA].list_boot_volume_backups(compartment_id=PROD, source_boot_volume_backup_id=BKP["platform"])
    assert [b.id for b in found.data] == [copy.id]


def test_copy_of_custom_images_built_from_platform_is_allowed(sim, storage):
    assert storage[LHR].copy_boot_volume_backup(BKP["custom"], Details(destination_region=IAD)).data.id
    assert storage[LHR].copy_boot_volume_backup(BKP["app"], Details(destination_region=IAD)).data.id


@pytest.mark.parametrize("backup", ["market", "community", "imported", "deleted"])
def test_copy_of_non_platform_lineage_is_refused(sim, storage, backup):
    err = _refusal(lambda: storage[LHR].copy_boot_volume_backup(BKP[backup], Details(destination_region=FRA)))
    assert (err.status, err.code) == (400, "InvalidParameter")
    assert "platform images" in err.message
    log = sim.requests()[-1]
    assert (log["operation"], log["status"], log["code"]) == ("CopyBootVolumeBackup", 400, "InvalidParameter")


def test_copy_of_a_backup_not_available_is_incorrect_state(sim, storage):
    err = _refusal(lambda: storage[LHR].copy_boot_volume_backup(BKP["creating"], Details(destination_region=FRA)))
    assert (err.status, err.code) == (409, "IncorrectState")


@pytest.mark.parametrize("destination", [LHR, UNSUBSCRIBED, "fra", "mars-north-1"])
def test_copy_to_same_unknown_or_unsubscribed_region_is_invalid(sim, storage, destination):
    err = _refusal(lambda: storage[LHR].copy_boot_volume_backup(BKP["platform"], Details(destination_region=destination)))
    assert (err.status, err.code) == (400, "InvalidParameter")


def test_copy_kms_key_must_exist_in_destination(sim, storage):
    bad = _refusal(lambda: storage[LHR].copy_boot_volume_backup(
        BKP["platform"], Details(destination_region=IAD, kms_key_id=KEY_FRA)))
    assert (bad.status, bad.code) == (400, "InvalidParameter")
    good = storage[LHR].copy_boot_volume_backup(BKP["platform"], Details(destination_region=FRA, kms_key_id=KEY_FRA))
    assert good.data.kms_key_id == KEY_FRA


def test_one_copy_per_boot_volume_at_a_time_from_a_source_region(sim, storage):
    first = storage[LHR].copy_boot_volume_backup(BKP["platform"], Details(destination_region=FRA)).data
    # another backup of the same boot volume, to another destination, is refused while the first is in flight
    err = _refusal(lambda: storage[LHR].copy_boot_volume_backup(BKP["platform_old"], Details(destination_region=IAD)))
    assert (err.status, err.code) == (409, "Conflict") and BV["platform"] in err.message
    assert [e["status"] for e in sim.requests() if e["operation"] == "CopyBootVolumeBackup"] == [200, 409]
    # a different boot volume is not affected
    assert storage[LHR].copy_boot_volume_backup(BKP["custom"], Details(destination_region=IAD)).data.id
    sim.advance(3600)
    assert storage[FRA].get_boot_volume_backup(first.id).data.lifecycle_state == "AVAILABLE"
    assert storage[LHR].copy_boot_volume_backup(BKP["platform_old"], Details(destination_region=IAD)).data.id


def test_retry_token_returns_the_same_copy_and_rejects_a_different_body(sim, storage):
    first = storage[LHR].copy_boot_volume_backup(BKP["platform"], Details(destination_region=FRA),
                                                 opc_retry_token="token-1")
    again = storage[LHR].copy_boot_volume_backup(BKP["platform"], Details(destination_region=FRA),
                                                 opc_retry_token="token-1")
    assert again.status == 200 and again.data.id == first.data.id
    assert len(storage[FRA].list_boot_volume_backups(
        compartment_id=PROD, source_boot_volume_backup_id=BKP["platform"]).data) == 1
    err = _refusal(lambda: storage[LHR].copy_boot_volume_backup(
        BKP["platform"], Details(destination_region=IAD), opc_retry_token="token-1"))
    assert (err.status, err.code) == (409, "Conflict")


def test_copy_of_unknown_or_denied_backup_is_not_found(sim, storage):
    for backup_id in (BKP["secret"], "ocid1.bootvolumebackup.oc1.uk-london-1.aaaaaaaanope"):
        err = _refusal(lambda: storage[LHR].copy_boot_volume_backup(backup_id, Details(destination_region=FRA)))
        assert (err.status, err.code) == (404, "NotAuthorizedOrNotFound")
    # the backup is in London, so the Ashburn endpoint does not know it
    err = _refusal(lambda: storage[IAD].copy_boot_volume_backup(BKP["platform"], Details(destination_region=FRA)))
    assert err.status == 404


def test_a_copy_of_a_copy_is_made_from_the_copys_region(sim, storage):
    """COPY_FRA (in Frankfurt, of a London backup) copied on to Ashburn: Frankfurt is the source region."""
    onward = storage[FRA].copy_boot_volume_backup(COPY_FRA, Details(destination_region=IAD)).data
    assert f".{IAD}." in onward.id and onward.source_boot_volume_backup_id == COPY_FRA
    assert onward.boot_volume_id == BV["platform"]  # still the London volume's backup
    # the one-at-a-time rule is per boot volume *and source region*: London may copy the same volume meanwhile
    assert storage[LHR].copy_boot_volume_backup(BKP["platform"], Details(destination_region=IAD)).data.id
    err = _refusal(lambda: storage[FRA].copy_boot_volume_backup(COPY_FRA, Details(destination_region=LHR)))
    assert (err.status, err.code) == (409, "Conflict")
    err = _refusal(lambda: storage[FRA].copy_boot_volume_backup(COPY_FRA, Details(destination_region=FRA)))
    assert (err.status, err.code) == (400, "InvalidParameter")  # its own region is the source region


def test_a_copy_can_be_copied_back_to_its_origin_region(sim, storage):
    home = storage[FRA].copy_boot_volume_backup(COPY_FRA, Details(destination_region=LHR)).data
    assert f".{LHR}." in home.id and home.source_boot_volume_backup_id == COPY_FRA
    sim.advance(3600)
    back = storage[LHR].get_boot_volume_backup(home.id).data
    assert (back.lifecycle_state, back.boot_volume_id, back.compartment_id) == ("AVAILABLE", BV["platform"], PROD)
    # and that copy can go out again: the chain is London -> Frankfurt -> London -> Ashburn
    assert storage[LHR].copy_boot_volume_backup(home.id, Details(destination_region=IAD)).data.source_boot_volume_backup_id \
        == home.id


ChangeCompartment = oci.core.models.ChangeBootVolumeBackupCompartmentDetails


def test_change_compartment_moves_a_copy_and_keeps_its_links(sim, storage):
    """Oracle's Terraform provider copies, then moves the copy when the wanted compartment differs."""
    copy = storage[LHR].copy_boot_volume_backup(BKP["platform"], Details(destination_region=FRA)).data
    err = _refusal(lambda: storage[FRA].change_boot_volume_backup_compartment(copy.id, ChangeCompartment(
        compartment_id=DEV)))
    assert (err.status, err.code) == (409, "IncorrectState")  # not AVAILABLE yet
    sim.advance(3600)
    resp = storage[FRA].change_boot_volume_backup_compartment(copy.id, ChangeCompartment(compartment_id=DEV))
    assert resp.status == 200 and resp.data is None
    moved = storage[FRA].get_boot_volume_backup(copy.id).data
    assert (moved.compartment_id, moved.source_boot_volume_backup_id) == (DEV, BKP["platform"])
    assert copy.id in {b.id for b in storage[FRA].list_boot_volume_backups(compartment_id=DEV).data}
    assert copy.id not in {b.id for b in storage[FRA].list_boot_volume_backups(compartment_id=PROD).data}
    log = [e for e in sim.requests() if e["operation"] == "ChangeBootVolumeBackupCompartment"]
    assert [(e["method"], e["status"]) for e in log] == [("POST", 409), ("POST", 200)]


def test_change_compartment_refusals(sim, storage):
    sim.load(build_protection_tenancy())
    move = storage[LHR].change_boot_volume_backup_compartment
    for target, expected in ((SECRET, 404), (GONE, 404), ("ocid1.compartment.oc1..aaaaaaaanone", 404),
                             (LEGACY, 409), (SUNSET, 409)):
        err = _refusal(lambda: move(BKP["app"], ChangeCompartment(compartment_id=target)))
        assert err.status == expected, target
    assert _refusal(lambda: move(BKP["secret"], ChangeCompartment(compartment_id=DEV))).status == 404
    assert storage[LHR].get_boot_volume_backup(BKP["app"]).data.compartment_id == APP  # nothing moved

"""The fake's other read operations through the real SDK: block storage, compute, marketplace, search."""
from __future__ import annotations

import oci
import pytest
from sim_fixtures import (
    APP, BKP, BV, DEV, FRA, IAD, IMG_COMMUNITY, IMG_CUSTOM, IMG_CUSTOM2, IMG_DELETED, IMG_IMPORTED, IMG_MARKET,
    IMG_PLATFORM, LHR, LISTING, POLICY_GOLD, POLICY_SILVER, POLICY_USER, PROD, SECRET, build_fixture_tenancy, client,
)


def test_list_and_get_boot_volumes(sim, oci_config):
    storage = client(oci.core.BlockstorageClient, oci_config, sim)
    prod = storage.list_boot_volumes(compartment_id=PROD).data
    assert {v.id for v in prod} == {BV["platform"], BV["custom"], BV["market"]}
    in_ad = storage.list_boot_volumes(compartment_id=PROD, availability_domain="Uocm:UK-LONDON-1-AD-1").data
    assert len(in_ad) == 3
    assert storage.list_boot_volumes(compartment_id=PROD, availability_domain="Uocm:LHR-AD-9").data == []
    vol = storage.get_boot_volume(BV["platform"]).data
    assert vol.image_id == IMG_PLATFORM and vol.boot_volume_replicas[0].availability_domain == "Uocm:LHR-AD-2"
    restored = storage.get_boot_volume(BV["custom"]).data
    assert restored.source_details.type == "bootVolumeBackup" and restored.source_details.id == BKP["platform_old"]
    with pytest.raises(oci.exceptions.ServiceError) as err:
        storage.get_boot_volume(BV["secret"])
    assert err.value.status == 404


def test_volume_backup_policies_oracle_defined_without_compartment(sim, oci_config):
    storage = client(oci.core.BlockstorageClient, oci_config, sim)
    oracle = storage.list_volume_backup_policies().data
    assert {p.id for p in oracle} == {POLICY_GOLD, POLICY_SILVER}
    assert all(p.compartment_id is None for p in oracle)
    mine = storage.list_volume_backup_policies(compartment_id=PROD).data
    assert [p.id for p in mine] == [POLICY_USER] and mine[0].destination_region == FRA
    policy = storage.get_volume_backup_policy(POLICY_USER).data
    assert policy.schedules[0].period == "ONE_DAY"


def test_policy_asset_assignment(sim, oci_config):
    storage = client(oci.core.BlockstorageClient, oci_config, sim)
    assigned = storage.get_volume_backup_policy_asset_assignment(BV["platform"]).data
    assert [a.policy_id for a in assigned] == [POLICY_USER]
    assert storage.get_volume_backup_policy_asset_assignment(BV["custom"]).data == []
    with pytest.raises(oci.exceptions.ServiceError) as err:
        storage.get_volume_backup_policy_asset_assignment(BV["secret"])
    assert err.value.status == 404


def test_get_image_of_each_kind_and_deleted_image(sim, oci_config):
    compute = client(oci.core.ComputeClient, oci_config, sim)
    assert compute.get_image(IMG_PLATFORM).data.compartment_id is None
    assert compute.get_image(IMG_CUSTOM2).data.base_image_id == IMG_CUSTOM
    assert compute.get_image(IMG_IMPORTED).data.base_image_id is None
    assert compute.get_image(IMG_COMMUNITY).data.listing_type == "COMMUNITY"
    assert compute.get_image(IMG_MARKET).data.id == IMG_MARKET
    with pytest.raises(oci.exceptions.ServiceError) as err:
        compute.get_image(IMG_DELETED)
    assert (err.value.status, err.value.code) == (404, "NotAuthorizedOrNotFound")
    fra = client(oci.core.ComputeClient, oci_config, sim, FRA)
    with pytest.raises(oci.exceptions.ServiceError):
        fra.get_image(IMG_PLATFORM)  # images are regional


def test_list_images_returns_custom_and_platform_never_partner(sim, oci_config):
    compute = client(oci.core.ComputeClient, oci_config, sim)
    prod = {i.id for i in oci.pagination.list_call_get_all_results(compute.list_images, PROD, limit=1).data}
    assert prod == {IMG_CUSTOM, IMG_CUSTOM2, IMG_PLATFORM}
    assert {i.id for i in compute.list_images(DEV).data} == {IMG_IMPORTED, IMG_PLATFORM}
    assert compute.list_images(DEV, lifecycle_state="DELETED").data == []


def test_list_listings_by_image(sim, oci_config):
    market = client(oci.marketplace.MarketplaceClient, oci_config, sim)
    found = market.list_listings(image_id=IMG_MARKET).data
    assert [x.id for x in found] == [LISTING] and found[0].publisher.name == "Vendor"
    assert market.list_listings(image_id=IMG_PLATFORM).data == []


def _search(sim, oci_config, query, region=LHR):
    search = client(oci.resource_search.ResourceSearchClient, oci_config, sim, region)
    details = oci.resource_search.models.StructuredSearchDetails(query=query, type="Structured")
    return oci.pagination.list_call_get_all_results(search.search_resources, details, limit=3).data


def test_structured_search_is_region_scoped_and_hides_denied(sim, oci_config):
    doc = build_fixture_tenancy()
    found = _search(sim, oci_config, "query bootvolumebackup resources")
    expected = {b["id"] for b in doc["bootVolumeBackups"][LHR] if b["compartmentId"] != SECRET}
    assert {r.identifier for r in found} == expected
    assert {r.resource_type for r in found} == {"BootVolumeBackup"}
    assert {r.identifier for r in _search(sim, oci_config, "query bootvolumebackup resources", IAD)} == \
        {b["id"] for b in doc["bootVolumeBackups"][IAD]}
    volumes = _search(sim, oci_config, "query bootvolume resources")
    assert BV["secret"] not in {v.identifier for v in volumes} and BV["app"] in {v.identifier for v in volumes}
    assert all(v.availability_domain for v in volumes)


def test_structured_search_where_lifecycle_state(sim, oci_config):
    found = _search(sim, oci_config, "QUERY BootVolumeBackup resources where lifecycleState = 'CREATING'")
    assert [r.identifier for r in found] == [BKP["creating"]]


def test_structured_search_unsupported_query_is_invalid(sim, oci_config):
    with pytest.raises(oci.exceptions.ServiceError) as err:
        _search(sim, oci_config, "query instance resources")
    assert (err.value.status, err.value.code) == (400, "InvalidParameter")


def test_nested_compartment_backups(sim, oci_config):
    storage = client(oci.core.BlockstorageClient, oci_config, sim)
    assert [b.id for b in storage.list_boot_volume_backups(compartment_id=APP).data] == [BKP["app"]]

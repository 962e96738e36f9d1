"""The fake OCI API through the real SDK: identity calls, ListBootVolumeBackups, paging, auth, routing."""
from __future__ import annotations

import json
import urllib.error
import urllib.request

import oci
import pytest
from sim_fixtures import APP, BKP, DEV, FRA, LHR, PROD, SECRET, TENANCY, UNSUBSCRIBED, build_fixture_tenancy, client

# well-formed but not cryptographically valid: the fake checks the form only
_LOOKALIKE_SIGNATURE = 'Signature version="1",keyId="t/u/f",algorithm="rsa-sha256",headers="date",signature="x"'


def _backups_in(doc: dict, region: str, compartment: str) -> set[str]:
    return {b["id"] for b in doc["bootVolumeBackups"].get(region, []) if b["compartmentId"] == compartment}


def test_get_tenancy_and_region_subscriptions(sim, oci_config):
    identity = client(oci.identity.IdentityClient, oci_config, sim)
    tenancy = identity.get_tenancy(TENANCY)
    assert tenancy.data.id == TENANCY and tenancy.data.home_region_key == "LHR"
    assert tenancy.headers["etag"]
    subs = identity.list_region_subscriptions(TENANCY).data
    assert {s.region_name for s in subs} == {r["regionName"] for r in build_fixture_tenancy()["regionSubscriptions"]}
    assert [s.is_home_region for s in subs if s.region_name == LHR] == [True]


def test_get_unknown_tenancy_is_not_found(sim, oci_config):
    identity = client(oci.identity.IdentityClient, oci_config, sim)
    with pytest.raises(oci.exceptions.ServiceError) as err:
        identity.get_tenancy("ocid1.tenancy.oc1..aaaaaaaaother")
    assert (err.value.status, err.value.code) == (404, "NotAuthorizedOrNotFound")


def test_list_compartments_subtree_excludes_root_and_marks_denied(sim, oci_config):
    identity = client(oci.identity.IdentityClient, oci_config, sim)
    everything = oci.pagination.list_call_get_all_results(
        identity.list_compartments, TENANCY, compartment_id_in_subtree=True, access_level="ANY").data
    assert {c.id for c in everything} == {PROD, APP, DEV, SECRET}
    assert {c.id for c in everything if not c.is_accessible} == {SECRET}
    accessible = identity.list_compartments(TENANCY, compartment_id_in_subtree=True, access_level="ACCESSIBLE").data
    assert {c.id for c in accessible} == {PROD, APP, DEV}
    children = identity.list_compartments(TENANCY).data
    assert {c.id for c in children} == {PROD, DEV, SECRET}
    assert {c.id for c in identity.list_compartments(PROD).data} == {APP}
    assert [c.name for c in identity.list_compartments(TENANCY, name="dev").data] == ["dev"]


def test_list_compartments_subtree_below_root_is_rejected(sim, oci_config):
    identity = client(oci.identity.IdentityClient, oci_config, sim)
    with pytest.raises(oci.exceptions.ServiceError) as err:
        identity.list_compartments(PROD, compartment_id_in_subtree=True)
    assert (err.value.status, err.value.code) == (400, "InvalidParameter")


def test_list_policies_by_compartment(sim, oci_config):
    identity = client(oci.identity.IdentityClient, oci_config, sim)
    root = identity.list_policies(TENANCY).data
    assert [p.name for p in root] == ["auditors"]
    assert root[0].statements and all(s.startswith("Allow") for s in root[0].statements)
    assert [p.name for p in identity.list_policies(PROD).data] == ["copiers"]


def test_list_boot_volume_backups_pages_gather_everything(sim, oci_config):
    storage = client(oci.core.BlockstorageClient, oci_config, sim)
    first = storage.list_boot_volume_backups(compartment_id=PROD, limit=2)
    assert len(first.data) == 2 and first.has_next_page and first.next_page
    everything = oci.pagination.list_call_get_all_results(
        storage.list_boot_volume_backups, compartment_id=PROD, limit=2).data
    assert {b.id for b in everything} == _backups_in(build_fixture_tenancy(), LHR, PROD)
    assert len(everything) == len({b.id for b in everything})
    calls = [e for e in sim.requests() if e["operation"] == "ListBootVolumeBackups"]
    assert len(calls) == 1 + 3  # first page alone, then 3 pages of 2 for the 5 backups


def test_list_boot_volume_backups_default_sort_is_newest_first(sim, oci_config):
    storage = client(oci.core.BlockstorageClient, oci_config, sim)
    times = [b.time_created for b in storage.list_boot_volume_backups(compartment_id=PROD).data]
    assert times == sorted(times, reverse=True)
    names = [b.display_name for b in storage.list_boot_volume_backups(
        compartment_id=PROD, sort_by="DISPLAYNAME", sort_order="ASC").data]
    assert names == sorted(names)


@pytest.mark.parametrize("kwargs, expected", [
    ({"boot_volume_id": "platform"}, {"platform", "platform_old"}),
    ({"display_name": "api-1 manual"}, {"custom"}),
    ({"lifecycle_state": "CREATING"}, {"creating"}),
])
def test_list_boot_volume_backups_filters(sim, oci_config, kwargs, expected):
    from sim_fixtures import BV
    if "boot_volume_id" in kwargs:
        kwargs = {"boot_volume_id": BV[kwargs["boot_volume_id"]]}
    storage = client(oci.core.BlockstorageClient, oci_config, sim)
    got = storage.list_boot_volume_backups(compartment_id=PROD, **kwargs).data
    assert {b.id for b in got} == {BKP[k] for k in expected}


def test_copies_are_found_in_the_destination_by_source_id(sim, oci_config):
    fra = client(oci.core.BlockstorageClient, oci_config, sim, FRA)
    copies = fra.list_boot_volume_backups(compartment_id=PROD, source_boot_volume_backup_id=BKP["platform_old"]).data
    assert len(copies) == 1 and copies[0].source_boot_volume_backup_id == BKP["platform_old"]
    lhr = client(oci.core.BlockstorageClient, oci_config, sim, LHR)
    assert lhr.list_boot_volume_backups(compartment_id=PROD, source_boot_volume_backup_id=BKP["platform_old"]).data == []


def test_denied_compartment_lists_are_not_authorized(sim, oci_config):
    storage = client(oci.core.BlockstorageClient, oci_config, sim)
    with pytest.raises(oci.exceptions.ServiceError) as err:
        storage.list_boot_volume_backups(compartment_id=SECRET)
    assert (err.value.status, err.value.code) == (404, "NotAuthorizedOrNotFound")
    with pytest.raises(oci.exceptions.ServiceError) as err:
        storage.get_boot_volume_backup(BKP["secret"])
    assert err.value.status == 404
    sim.set_knobs(denied_compartments=[DEV])
    with pytest.raises(oci.exceptions.ServiceError):
        storage.list_boot_volume_backups(compartment_id=DEV)


def test_missing_compartment_is_a_missing_parameter(sim):
    # the SDK itself requires compartment_id, so send the request without it by hand (signed look-alike)
    req = urllib.request.Request(sim.endpoint(LHR) + "/20160918/bootVolumeBackups",
                                 headers={"authorization": _LOOKALIKE_SIGNATURE})
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(req, timeout=5)
    assert err.value.code == 400 and json.load(err.value)["code"] == "MissingParameter"


def test_get_boot_volume_backup_has_etag_and_a_request_id(sim, oci_config):
    storage = client(oci.core.BlockstorageClient, oci_config, sim)
    resp = storage.get_boot_volume_backup(BKP["platform"])
    assert resp.data.id == BKP["platform"] and resp.data.expiration_time is not None
    assert resp.headers["etag"] and resp.headers["opc-request-id"] == sim.requests()[-1]["opcRequestId"]


def test_client_request_id_is_echoed(sim):
    req = urllib.request.Request(sim.endpoint(LHR) + f"/20160918/bootVolumeBackups/{BKP['platform']}", headers={
        "opc-request-id": "MYREQUESTID", "authorization": _LOOKALIKE_SIGNATURE})
    with urllib.request.urlopen(req, timeout=5) as resp:
        assert resp.headers["opc-request-id"] == "MYREQUESTID"
    assert sim.requests()[-1]["opcRequestId"] == "MYREQUESTID"


def test_unsigned_request_is_not_authenticated(sim):
    url = sim.endpoint(LHR) + f"/20160918/bootVolumeBackups?compartmentId={PROD}"
    for headers in ({}, {"authorization": "Bearer abc"}, {"authorization": 'Signature signature="x"'}):
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=5)
        assert err.value.code == 401
        assert json.load(err.value)["code"] == "NotAuthenticated"
        assert err.value.headers["opc-request-id"]


def test_unknown_or_unsubscribed_region_is_not_found(sim, oci_config):
    for region in ("xx-nowhere-1", UNSUBSCRIBED):
        storage = client(oci.core.BlockstorageClient, oci_config, sim, region)
        with pytest.raises(oci.exceptions.ServiceError) as err:
            storage.list_boot_volume_backups(compartment_id=PROD)
        assert (err.value.status, err.value.code) == (404, "NotAuthorizedOrNotFound")


def test_trailing_slash_in_endpoint_is_tolerated(sim, oci_config):
    storage = oci.core.BlockstorageClient(oci_config, service_endpoint=sim.endpoint(LHR) + "/",
                                          retry_strategy=oci.retry.NoneRetryStrategy())
    assert storage.list_boot_volume_backups(compartment_id=PROD).data
    assert "//20160918" in sim.requests()[-1]["path"]


def test_bad_page_token_and_limit_are_invalid_parameters(sim, oci_config):
    storage = client(oci.core.BlockstorageClient, oci_config, sim)
    for kwargs in ({"page": "not-a-token"}, {"limit": 1001}, {"limit": 0}):
        with pytest.raises(oci.exceptions.ServiceError) as err:
            storage.list_boot_volume_backups(compartment_id=PROD, **kwargs)
        assert (err.value.status, err.value.code) == (400, "InvalidParameter")


def test_unknown_path_is_not_found(sim):
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(sim.url + "/uk-london-1/20160918/nothingHere", timeout=5)
    assert err.value.code == 404

"""Regions being subscribed, compartments that are not ACTIVE, and the fake's clock (its rate, the
opc-sim-time header) through the real SDK."""
from __future__ import annotations

import json
import urllib.error
import urllib.request
from datetime import datetime, timedelta, timezone

import oci
import pytest
from sim_fixtures import (
    BKP, BV, DEV, FRA, GONE, LEGACY, LHR, NRT, PROD, READY_AT, SECRET, SUNSET, TENANCY, build_fixture_tenancy,
    build_protection_tenancy, client,
)

from reportkit.sim import SimServer
from reportkit.sim.exceptions import InvalidParameter
from reportkit.sim.models import Clock
from reportkit.sim.server import SIM_TIME_HEADER


@pytest.fixture
def protected(sim):
    sim.load(build_protection_tenancy())
    return sim


def _admin(sim, method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(sim.url + path, data=data, method=method, headers={"content-type": "application/json"})
    with urllib.request.urlopen(req, timeout=5) as resp:
        return json.load(resp)


def _error(call) -> oci.exceptions.ServiceError:
    with pytest.raises(oci.exceptions.ServiceError) as err:
        call()
    return err.value


# ------------------------------------------------------------------------------------ subscriptions
def test_a_region_being_subscribed_is_listed_and_answers_401_until_ready(protected, oci_config):
    identity = client(oci.identity.IdentityClient, oci_config, protected)
    status = {s.region_name: s.status for s in identity.list_region_subscriptions(TENANCY).data}
    assert status[NRT] == "IN_PROGRESS" and status[LHR] == "READY"
    nrt_storage = client(oci.core.BlockstorageClient, oci_config, protected, NRT)
    nrt_identity = client(oci.identity.IdentityClient, oci_config, protected, NRT)
    for call in (lambda: nrt_storage.list_boot_volume_backups(compartment_id=PROD),
                 lambda: nrt_identity.get_tenancy(TENANCY), lambda: nrt_identity.list_compartments(TENANCY)):
        err = _error(call)
        assert (err.status, err.code) == (401, "NotAuthenticated")
    copy = oci.core.models.CopyBootVolumeBackupDetails(destination_region=NRT)
    err = _error(lambda: client(oci.core.BlockstorageClient, oci_config, protected).copy_boot_volume_backup(
        BKP["platform"], copy))
    assert (err.status, err.code) == (400, "InvalidParameter")
    assert protected.ready_region(NRT)["status"] == "READY"
    assert {s.region_name: s.status for s in identity.list_region_subscriptions(TENANCY).data}[NRT] == "READY"
    assert nrt_storage.list_boot_volume_backups(compartment_id=PROD).data == []


def test_the_clock_completes_a_subscription(protected, oci_config):
    nrt = client(oci.core.BlockstorageClient, oci_config, protected, NRT)
    ready = datetime.fromisoformat(READY_AT.replace("Z", "+00:00"))
    protected.advance((ready - datetime(2026, 11, 1, tzinfo=timezone.utc)).total_seconds() - 1)
    assert _error(lambda: nrt.list_boot_volumes(compartment_id=PROD)).status == 401
    protected.advance(1)
    assert nrt.list_boot_volumes(compartment_id=PROD).data == []


def test_admin_subscribes_a_region_in_progress_and_completes_it(sim, oci_config):
    sub = _admin(sim, "POST", "/_sim/regions", {"regionName": "ap-osaka-1", "status": "IN_PROGRESS"})
    assert sub == {"regionKey": "KIX", "regionName": "ap-osaka-1", "status": "IN_PROGRESS", "isHomeRegion": False}
    kix = client(oci.core.BlockstorageClient, oci_config, sim, "ap-osaka-1")
    assert _error(lambda: kix.list_boot_volume_backups(compartment_id=PROD)).status == 401
    assert _admin(sim, "POST", "/_sim/regions/ap-osaka-1/ready")["status"] == "READY"
    assert kix.list_boot_volume_backups(compartment_id=PROD).data == []
    with pytest.raises(urllib.error.HTTPError) as err:
        _admin(sim, "POST", "/_sim/regions", {"regionName": "ap-seoul-1", "status": "SOON"})
    assert err.value.code == 400


# ------------------------------------------------------------------------------------ compartments
def test_compartments_are_listed_in_every_state(protected, oci_config):
    identity = client(oci.identity.IdentityClient, oci_config, protected)
    every = {c.id: c for c in oci.pagination.list_call_get_all_results(
        identity.list_compartments, TENANCY, compartment_id_in_subtree=True, access_level="ANY").data}
    assert {every[c].lifecycle_state for c in (LEGACY, SUNSET, GONE)} == {"INACTIVE", "DELETING", "DELETED"}
    assert every[LEGACY].inactive_status == 2 and every[GONE].name == "gone.qR5hP2BD"
    active = identity.list_compartments(TENANCY, compartment_id_in_subtree=True, lifecycle_state="ACTIVE").data
    assert {c.id for c in active} == {c for c in every if every[c].lifecycle_state == "ACTIVE"}
    assert {PROD, DEV, SECRET} <= {c.id for c in active}


def test_resources_stay_listable_in_inactive_and_deleting_compartments_not_deleted(protected, oci_config):
    storage = client(oci.core.BlockstorageClient, oci_config, protected)
    assert [v.id for v in storage.list_boot_volumes(compartment_id=LEGACY).data] == [BV["legacy"]]
    assert [b.id for b in storage.list_boot_volume_backups(compartment_id=LEGACY).data] == [BKP["legacy"]]
    assert [b.id for b in storage.list_boot_volume_backups(compartment_id=SUNSET).data] == [BKP["sunset"]]
    err = _error(lambda: storage.list_boot_volume_backups(compartment_id=GONE))
    assert (err.status, err.code) == (404, "NotAuthorizedOrNotFound")


# ------------------------------------------------------------------------------------ the clock
def test_clock_runs_at_its_rate_on_an_injected_time_source():
    real = [100.0]
    start = datetime(2026, 11, 1, tzinfo=timezone.utc)
    clock = Clock(start, rate=3600, time_source=lambda: real[0])
    assert clock.now == start
    real[0] += 1.5
    assert clock.now == start + timedelta(hours=1.5)
    clock.advance(60)
    assert clock.now == start + timedelta(hours=1.5, seconds=60)
    clock.set_rate(0)
    real[0] += 100
    assert clock.now == start + timedelta(hours=1.5, seconds=60)  # frozen
    clock.set_rate(1)
    real[0] += 2
    assert clock.now == start + timedelta(hours=1.5, seconds=62)
    with pytest.raises(InvalidParameter):
        clock.set_rate(-1)


def test_a_running_clock_moves_copies_and_subscriptions_without_advance(oci_config):
    real = [0.0]
    with SimServer(build_protection_tenancy(), clock_rate=60, time_source=lambda: real[0]) as sim:
        sim.set_knobs(copy_request_received_seconds=60, copy_seconds_per_gb=2)
        lhr = client(oci.core.BlockstorageClient, oci_config, sim)
        fra = client(oci.core.BlockstorageClient, oci_config, sim, FRA)
        copy = lhr.copy_boot_volume_backup(BKP["platform"], oci.core.models.CopyBootVolumeBackupDetails(
            destination_region=FRA)).data
        real[0] += 1  # one real second = one simulated minute
        assert fra.get_boot_volume_backup(copy.id).data.lifecycle_state == "CREATING"
        real[0] += 100 / 60  # 50 GB at 2 s/GB
        assert fra.get_boot_volume_backup(copy.id).data.lifecycle_state == "AVAILABLE"
        assert sim.now() == "2026-11-01T00:02:40.000Z"
        real[0] += 60  # an hour later the Tokyo subscription has completed
        assert client(oci.core.BlockstorageClient, oci_config, sim, NRT).list_boot_volumes(
            compartment_id=PROD).data == []


def test_every_response_carries_the_simulated_time(sim, oci_config):
    storage = client(oci.core.BlockstorageClient, oci_config, sim)
    assert storage.list_boot_volume_backups(compartment_id=PROD).headers[SIM_TIME_HEADER] == "2026-11-01T00:00:00.000Z"
    sim.advance(90)
    assert storage.get_boot_volume(BV["platform"]).headers[SIM_TIME_HEADER] == "2026-11-01T00:01:30.000Z"
    err = _error(lambda: storage.get_boot_volume(BV["secret"]))
    assert err.headers[SIM_TIME_HEADER] == "2026-11-01T00:01:30.000Z"
    with urllib.request.urlopen(sim.url + "/_sim/clock", timeout=5) as resp:
        assert resp.headers[SIM_TIME_HEADER] == json.load(resp)["now"]


def test_admin_clock_rate(sim):
    assert _admin(sim, "GET", "/_sim/clock") == {"now": build_fixture_tenancy()["asOf"], "rate": 0.0}
    assert _admin(sim, "POST", "/_sim/clock/rate", {"rate": 0})["rate"] == 0.0
    with pytest.raises(urllib.error.HTTPError) as err:
        _admin(sim, "POST", "/_sim/clock/rate", {"rate": -5})
    assert err.value.code == 400
    with pytest.raises(urllib.error.HTTPError) as err:
        _admin(sim, "POST", "/_sim/clock/rate", {"speed": 2})
    assert err.value.code == 400

"""Fault knobs and admin endpoints of the fake: throttling, errors, outages, broken pages, latency."""
from __future__ import annotations

import json
import time
import urllib.error
import urllib.request

import oci
import pytest
from sim_fixtures import DEV, FRA, IAD, LHR, PROD, TENANCY, UNSUBSCRIBED, build_fixture_tenancy, client


def _admin(sim, method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(sim.url + path, data=data, method=method,
                                 headers={"content-type": "application/json"})
    with urllib.request.urlopen(req, timeout=5) as resp:
        return json.load(resp)


def _status_of(call) -> tuple[int, str]:
    with pytest.raises(oci.exceptions.ServiceError) as err:
        call()
    return err.value.status, err.value.code


def test_rate_limit_answers_429_beyond_the_bucket_per_region_and_operation(sim, oci_config):
    sim.set_knobs(rate_limit_rps=0.001, rate_limit_burst=3)  # refills ~never during the test
    lhr = client(oci.core.BlockstorageClient, oci_config, sim, LHR)
    for _ in range(3):
        lhr.list_boot_volume_backups(compartment_id=PROD)
    assert _status_of(lambda: lhr.list_boot_volume_backups(compartment_id=PROD)) == (429, "TooManyRequests")
    # other operations and other regions have their own buckets
    lhr.list_boot_volumes(compartment_id=PROD)
    client(oci.core.BlockstorageClient, oci_config, sim, FRA).list_boot_volume_backups(compartment_id=PROD)
    throttled = [e for e in sim.requests() if e["throttled"]]
    assert [(e["region"], e["operation"], e["status"]) for e in throttled] == [(LHR, "ListBootVolumeBackups", 429)]


def test_rate_limit_refills_with_real_time(sim, oci_config):
    sim.set_knobs(rate_limit_rps=50, rate_limit_burst=1)
    lhr = client(oci.core.BlockstorageClient, oci_config, sim, LHR)
    lhr.list_boot_volume_backups(compartment_id=PROD)
    deadline = time.monotonic() + 5
    while True:  # poll: within a few 20 ms refills a request must get through again
        try:
            lhr.list_boot_volume_backups(compartment_id=PROD)
            break
        except oci.exceptions.ServiceError as exc:
            assert exc.status == 429 and time.monotonic() < deadline


def test_error_rate_gives_seeded_500s(sim, oci_config):
    lhr = client(oci.core.BlockstorageClient, oci_config, sim, LHR)

    def outcomes() -> list[int]:
        out = []
        for _ in range(20):
            try:
                out.append(lhr.list_boot_volume_backups(compartment_id=PROD).status)
            except oci.exceptions.ServiceError as exc:
                assert exc.code == "InternalServerError"
                out.append(exc.status)
        return out

    sim.set_knobs(error_rate=0.5, error_seed=7)
    first = outcomes()
    sim.set_knobs(error_rate=0.5, error_seed=7)
    assert outcomes() == first  # same seed, same faults
    assert 500 in first and 200 in first
    sim.set_knobs(error_rate=1.0, error_operations=["GetTenancy"])
    assert lhr.list_boot_volume_backups(compartment_id=PROD).status == 200


def test_region_down_503_and_dropped_connections(sim, oci_config):
    sim.set_knobs(region_down={FRA: "503", IAD: "drop"})
    fra = client(oci.core.BlockstorageClient, oci_config, sim, FRA)
    assert _status_of(lambda: fra.list_boot_volume_backups(compartment_id=PROD)) == (503, "ServiceUnavailable")
    iad = client(oci.core.BlockstorageClient, oci_config, sim, IAD)
    with pytest.raises(oci.exceptions.RequestException):  # the SDK wraps the dropped connection
        iad.list_boot_volume_backups(compartment_id=PROD)
    assert sim.requests()[-1]["code"] == "ConnectionDropped"
    assert client(oci.core.BlockstorageClient, oci_config, sim, LHR).list_boot_volume_backups(compartment_id=PROD).data
    sim.set_knobs(region_down=[FRA])
    assert _status_of(lambda: fra.list_boot_volume_backups(compartment_id=PROD))[0] == 503
    assert client(oci.core.BlockstorageClient, oci_config, sim, IAD).list_boot_volume_backups(
        compartment_id=PROD).status == 200


def test_malformed_page_breaks_only_the_chosen_page(sim, oci_config):
    sim.set_knobs(malformed_page={"operation": "ListBootVolumeBackups", "page": 2})
    lhr = client(oci.core.BlockstorageClient, oci_config, sim, LHR)
    first = lhr.list_boot_volume_backups(compartment_id=PROD, limit=2)
    assert len(first.data) == 2
    broken = lhr.list_boot_volume_backups(compartment_id=PROD, limit=2, page=first.next_page)
    # the SDK swallows the JSON error and deserialises the raw text character by character into
    # empty models: a collector must reject records without an id, never count them as backups
    assert broken.data and all(b.id is None for b in broken.data)
    third = lhr.list_boot_volume_backups(compartment_id=PROD, limit=2, page=broken.next_page)
    assert third.data and all(b.id for b in third.data)
    assert all(b.id for b in lhr.list_boot_volume_backups(compartment_id=DEV, limit=2).data)


def test_latency_is_a_real_delay(sim, oci_config):
    lhr = client(oci.core.BlockstorageClient, oci_config, sim, LHR)
    sim.set_knobs(latency_ms=150)
    started = time.monotonic()
    lhr.list_boot_volume_backups(compartment_id=PROD)
    assert time.monotonic() - started >= 0.15


def test_region_appears_mid_run(sim, oci_config):
    identity = client(oci.identity.IdentityClient, oci_config, sim)
    before = {s.region_name for s in identity.list_region_subscriptions(TENANCY).data}
    assert UNSUBSCRIBED not in before
    sub = _admin(sim, "POST", "/_sim/regions", {"regionName": UNSUBSCRIBED})
    assert sub["regionKey"] == "PHX"
    after = {s.region_name for s in identity.list_region_subscriptions(TENANCY).data}
    assert after == before | {UNSUBSCRIBED}
    phx = client(oci.core.BlockstorageClient, oci_config, sim, UNSUBSCRIBED)
    assert phx.list_boot_volume_backups(compartment_id=PROD).data == []


def test_admin_clock_requests_knobs_reset_and_load(sim, oci_config):
    assert _admin(sim, "GET", "/_sim/clock")["now"] == build_fixture_tenancy()["asOf"]
    assert _admin(sim, "POST", "/_sim/clock/advance", {"seconds": 90})["now"] == "2026-11-01T00:01:30.000Z"
    lhr = client(oci.core.BlockstorageClient, oci_config, sim, LHR)
    lhr.list_boot_volume_backups(compartment_id=PROD)
    log = _admin(sim, "GET", "/_sim/requests")
    api = [e for e in log["requests"] if e["operation"] == "ListBootVolumeBackups"]
    assert len(api) == 1 and set(api[0]) >= {"time", "region", "method", "path", "operation", "status",
                                             "opcRequestId", "throttled"}
    tail = _admin(sim, "GET", f"/_sim/requests?since={log['next']}")["requests"]
    assert [e["operation"] for e in tail] == ["SimListRequests"]
    _admin(sim, "DELETE", "/_sim/requests")
    assert [e["operation"] for e in sim.requests()] == ["SimClearRequests"]
    knobs = _admin(sim, "POST", "/_sim/knobs", {"latency_ms": 1, "denied_compartments": [DEV]})
    assert knobs["latency_ms"] == 1 and _admin(sim, "GET", "/_sim/knobs")["denied_compartments"] == [DEV]
    with pytest.raises(urllib.error.HTTPError) as err:
        _admin(sim, "POST", "/_sim/knobs", {"no_such_knob": 1})
    assert err.value.code == 400
    _admin(sim, "POST", "/_sim/reset")
    assert sim.knobs.latency_ms == 0 and sim.now() == build_fixture_tenancy()["asOf"]
    small = build_fixture_tenancy()
    small["bootVolumeBackups"] = {}
    assert _admin(sim, "POST", "/_sim/tenancy", small)["tenancyId"] == TENANCY
    assert lhr.list_boot_volume_backups(compartment_id=PROD).data == []
    with pytest.raises(urllib.error.HTTPError) as err:
        _admin(sim, "POST", "/_sim/tenancy", {"tenancy": {}})
    assert err.value.code == 400 and "tenancy" in json.load(err.value)["message"]

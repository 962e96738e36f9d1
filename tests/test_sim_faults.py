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


# ------------------------------------------------------------------------------ hostile answers
def _raw(sim, region, path, page=None):
    """GET an API path unsigned-but-well-formed (raw bytes and headers), as a hostile answer is seen on the wire."""
    sig = ('Signature version="1",keyId="t/u/f",algorithm="rsa-sha256",headers="date",signature="x"')
    url = f"{sim.endpoint(region)}/20160918/{path}" + (f"&page={page}" if page else "")
    req = urllib.request.Request(url, headers={"authorization": sig})
    with urllib.request.urlopen(req, timeout=10) as resp:
        return resp.read(), dict(resp.headers)


def test_wrong_shape_replaces_only_the_chosen_answers(sim):
    sim.set_knobs(wrong_shape=[{"operation": "ListBootVolumes", "region": LHR, "shape": "object"},
                               {"operation": "GetTenancy", "shape": "list"}])
    body, _ = _raw(sim, LHR, f"bootVolumes?compartmentId={PROD}")
    assert isinstance(json.loads(body), dict) and isinstance(json.loads(body)["items"], list)
    assert isinstance(json.loads(_raw(sim, FRA, f"bootVolumes?compartmentId={PROD}")[0]), list)
    assert isinstance(json.loads(_raw(sim, LHR, f"tenancies/{TENANCY}")[0]), list)
    with pytest.raises(Exception, match="must be one of"):
        sim.set_knobs(wrong_shape=[{"operation": "X", "shape": "square"}])


@pytest.mark.parametrize("mode, tokens", [("repeat", ["loop-0", "loop-0", "loop-0"]),
                                          ("cycle", ["loop-0", "loop-1", "loop-0"]),
                                          ("empty", ["loop-0", "loop-1", "loop-2"])])
def test_page_loop_tokens(sim, mode, tokens):
    sim.set_knobs(page_loop=[{"operation": "ListBootVolumeBackups", "mode": mode}])
    seen, page, bodies = [], None, []
    for _ in range(3):
        body, headers = _raw(sim, LHR, f"bootVolumeBackups?compartmentId={PROD}&limit=2", page)
        page = headers["opc-next-page"]
        seen.append(page)
        bodies.append(json.loads(body))
    assert seen == tokens
    assert len(bodies[0]) == 2 and (bodies[2] == [] if mode == "empty" else len(bodies[2]) == 2)


def test_record_faults_change_the_chosen_records_and_count_over_the_run(sim):
    from sim_fixtures import BKP

    sim.set_knobs(record_faults=[{"operation": "ListBootVolumeBackups", "field": "id", "value": None, "every": 2},
                                 {"operation": "ListBootVolumeBackups", "field": "sizeInGBs", "value": "fifty",
                                  "ids": [BKP["custom"]]},
                                 {"operation": "ListBootVolumeBackups", "field": "timeCreated", "drop": True,
                                  "ids": [BKP["market"]]}])
    items = json.loads(_raw(sim, LHR, f"bootVolumeBackups?compartmentId={PROD}")[0])
    assert [i["id"] is None for i in items] == [k % 2 == 1 for k in range(len(items))]
    by_name = {i["displayName"]: i for i in items}
    assert by_name["api-1 manual"]["sizeInGBs"] == "fifty" and "timeCreated" not in by_name["fw-1 manual"]
    # the answer is distorted, the fake's own records are not
    sim.set_knobs(record_faults=[])
    assert all(i["id"] for i in json.loads(_raw(sim, LHR, f"bootVolumeBackups?compartmentId={PROD}")[0]))


def test_stall_and_trickle_take_real_time_after_the_log_entry(sim):
    sim.set_knobs(trickle=[{"operation": "GetTenancy", "interval": 0.002}],
                  stall=[{"operation": "ListRegionSubscriptions", "seconds": 0.3}])
    start = time.monotonic()
    body, _ = _raw(sim, LHR, f"tenancies/{TENANCY}")
    assert json.loads(body)["id"] == TENANCY and time.monotonic() - start >= 0.002 * len(body)
    start = time.monotonic()
    _raw(sim, LHR, f"tenancies/{TENANCY}/regionSubscriptions")
    assert time.monotonic() - start >= 0.3
    assert [e["operation"] for e in sim.requests()][-2:] == ["GetTenancy", "ListRegionSubscriptions"]

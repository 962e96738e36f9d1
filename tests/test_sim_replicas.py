"""Replicas in the fake through the real SDK (and the oci CLI): served in the replica's own region, with
their state and last sync, consistent with what their source volume or group lists, and the
availability domains a client needs to list group replicas."""
from __future__ import annotations

import json
import os
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

import oci
import pytest
from sim_fixtures import (
    BV, FRA, FRA_AD, IAD, IAD_AD, LHR, LHR_ADS, NRT, PROD, REP, TENANCY, VG, VGR_FRA, build_protection_tenancy,
    client,
)

_LOOKALIKE_SIGNATURE = 'Signature version="1",keyId="t/u/f",algorithm="rsa-sha256",headers="date",signature="x"'
OCI_CLI = Path(__file__).resolve().parents[1] / ".venv" / "bin" / "oci"


@pytest.fixture
def storage(sim, oci_config):
    sim.load(build_protection_tenancy())
    return {region: client(oci.core.BlockstorageClient, oci_config, sim, region) for region in (LHR, FRA, IAD)}


def _raw(sim, path: str) -> tuple[int, dict]:
    req = urllib.request.Request(sim.url + path, headers={"authorization": _LOOKALIKE_SIGNATURE})
    try:
        with urllib.request.urlopen(req, timeout=5) as resp:
            return resp.status, json.load(resp)
    except urllib.error.HTTPError as err:
        return err.code, json.load(err)


def test_boot_volume_replicas_live_in_the_replicas_region(storage):
    def listed(region):
        return {r.id: r for r in storage[region].list_boot_volume_replicas(compartment_id=PROD).data}

    fra, lhr, iad = listed(FRA), listed(LHR), listed(IAD)
    assert set(fra) == {REP["db1_fra"], REP["app_fra_faulty"]}
    assert {r.lifecycle_state for r in fra.values()} == {"AVAILABLE", "FAULTY"}
    assert fra[REP["db1_fra"]].boot_volume_id == BV["db1"] and fra[REP["db1_fra"]].availability_domain == FRA_AD
    # a replica in another AD of the volume's own region is served there
    assert list(lhr) == [REP["web_cross_ad"]] and lhr[REP["web_cross_ad"]].availability_domain == LHR_ADS[1]
    assert set(iad) == {REP["api_iad_lagging"], REP["db2_iad_terminated"]}
    assert [r.id for r in storage[IAD].list_boot_volume_replicas(compartment_id=PROD, lifecycle_state="TERMINATED").data
            ] == [REP["db2_iad_terminated"]]
    assert storage[FRA].get_boot_volume_replica(REP["db1_fra"]).data.volume_group_replica_id == VGR_FRA
    with pytest.raises(oci.exceptions.ServiceError) as err:
        storage[LHR].get_boot_volume_replica(REP["db1_fra"])  # its source's region does not serve it
    assert err.value.status == 404


def test_time_last_synced_moves_with_the_clock_only_for_a_syncing_replica(sim, storage):
    def synced(region, replica):
        return storage[region].get_boot_volume_replica(replica).data.time_last_synced.isoformat()

    # the document says 23:50 and the replica syncs every 10 minutes: at asOf (00:00) it has synced again
    assert synced(FRA, REP["db1_fra"]) == "2026-11-01T00:00:00+00:00"
    lagging = synced(IAD, REP["api_iad_lagging"])
    assert lagging == "2026-10-29T00:00:00+00:00"
    sim.advance(3600 + 300)
    assert synced(FRA, REP["db1_fra"]) == "2026-11-01T01:00:00+00:00"  # the last sync, never in the future
    assert synced(IAD, REP["api_iad_lagging"]) == lagging
    faulty = storage[FRA].get_boot_volume_replica(REP["app_fra_faulty"]).data
    assert faulty.time_last_synced.isoformat() == "2026-10-20T00:00:00+00:00"  # a FAULTY replica does not sync
    group = storage[FRA].get_volume_group_replica(VGR_FRA).data
    assert group.time_last_synced.isoformat() == "2026-11-01T01:00:00+00:00"


def test_a_volume_lists_exactly_its_live_replicas(storage):
    replicas = [r for region in (LHR, FRA, IAD)
                for r in storage[region].list_boot_volume_replicas(compartment_id=PROD).data]
    for volume_id in (BV["platform"], BV["db1"], BV["db2"], BV["custom"], BV["app"]):
        volume = storage[LHR].get_boot_volume(volume_id).data
        listed = {(i.boot_volume_replica_id, i.availability_domain) for i in volume.boot_volume_replicas or []}
        live = {(r.id, r.availability_domain) for r in replicas
                if r.boot_volume_id == volume_id and r.lifecycle_state != "TERMINATED"}
        assert listed == live, volume_id
    assert storage[LHR].get_boot_volume(BV["db2"]).data.boot_volume_replicas == []  # only a TERMINATED one


def test_list_boot_volume_replicas_needs_a_compartment_or_a_group_replica(sim, storage):
    status, body = _raw(sim, f"/{FRA}/20160918/bootVolumeReplicas")
    assert (status, body["code"]) == (400, "MissingParameter")
    by_group = storage[FRA].list_boot_volume_replicas(volume_group_replica_id=VGR_FRA).data
    assert [r.id for r in by_group] == [REP["db1_fra"]]


def test_volume_group_replicas_need_the_ad_and_the_compartment(sim, storage):
    found = storage[FRA].list_volume_group_replicas(FRA_AD, PROD).data
    assert [g.id for g in found] == [VGR_FRA] and found[0].volume_group_id == VG
    assert [(m.volume_replica_id, m.membership_state) for m in found[0].member_replicas][0] == (
        REP["db1_fra"], "STABLE")
    assert storage[FRA].list_volume_group_replicas("Uocm:EU-FRANKFURT-1-AD-2", PROD).data == []
    assert storage[LHR].list_volume_group_replicas(LHR_ADS[0], PROD).data == []
    for query in (f"compartmentId={PROD}", f"availabilityDomain={FRA_AD}"):
        status, body = _raw(sim, f"/{FRA}/20160918/volumeGroupReplicas?{query}")
        assert (status, body["code"]) == (400, "MissingParameter"), query
    assert storage[FRA].get_volume_group_replica(VGR_FRA).data.lifecycle_state == "AVAILABLE"
    with pytest.raises(oci.exceptions.ServiceError):
        storage[LHR].get_volume_group_replica(VGR_FRA)


def test_availability_domains_per_region_let_a_client_find_every_group_replica(sim, storage, oci_config):
    identity = {r: client(oci.identity.IdentityClient, oci_config, sim, r) for r in (LHR, FRA, IAD, NRT)}
    ads = {r: [a.name for a in identity[r].list_availability_domains(TENANCY).data] for r in (LHR, FRA, IAD)}
    assert ads == {LHR: LHR_ADS, FRA: [FRA_AD], IAD: [IAD_AD]}  # declared for London, from the records elsewhere
    first = identity[LHR].list_availability_domains(PROD).data[0]
    assert first.id.startswith("ocid1.availabilitydomain.") and first.compartment_id == TENANCY
    found = {g.id for r, names in ads.items() for ad in names
             for g in storage[r].list_volume_group_replicas(ad, PROD).data}
    assert found == {VGR_FRA}
    with pytest.raises(oci.exceptions.ServiceError) as err:
        identity[NRT].list_availability_domains(TENANCY)  # a region still being subscribed
    assert err.value.status == 401


@pytest.mark.skipif(not OCI_CLI.exists(), reason="the oci CLI (oci-cli package) is installed by `make setup`")
def test_oci_cli_lists_group_backups_and_group_replicas(sim, storage, oci_config_file):
    config, profile = oci_config_file
    env = dict(os.environ, OCI_CLI_SUPPRESS_FILE_PERMISSIONS_WARNING="True", SUPPRESS_LABEL_WARNING="True")

    def oci_cli(*argv: str) -> list[dict]:
        result = subprocess.run([str(OCI_CLI), "--config-file", str(config), "--profile", profile, *argv],
                                capture_output=True, text=True, timeout=60, env=env)
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)["data"]

    backups = oci_cli("bv", "volume-group-backup", "list", "--all", "--page-size", "1", "--compartment-id", PROD,
                      "--endpoint", sim.endpoint(LHR))
    doc = build_protection_tenancy()
    assert {b["id"] for b in backups} == {b["id"] for b in doc["volumeGroupBackups"][LHR]}
    replicas = oci_cli("bv", "volume-group-replica", "list", "--availability-domain", FRA_AD, "--compartment-id",
                       PROD, "--endpoint", sim.endpoint(FRA))
    assert [(r["id"], r["lifecycle-state"]) for r in replicas] == [(VGR_FRA, "AVAILABLE")]

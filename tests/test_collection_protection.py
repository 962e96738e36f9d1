"""collect() reads every way OCI protects a boot volume (volume groups, group backups, policies on groups,
replicas), every compartment but DELETED ones, and keeps IN_PROGRESS regions without reading them:
each new table exactly as the fake holds it, per region and compartment, across pages."""
from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest

from reportkit.collection import Tuning, collect
from reportkit.sim import SimServer
from sim_fixtures import (
    APP, ASSIGNMENT_VG, BKP, BV, DEV, FRA, GONE, IAD, LEGACY, LHR, NRT, PROD, REP, SECRET, SUNSET, TENANCY, VG, VGB_FRA,
    VGR_FRA, build_protection_tenancy,
)

ONE = Tuning(page_limit=1, backoff_base=0.005, backoff_max=0.02, max_attempts=3, region_failures=50)


#: the tenancy the module's fake serves (conftest's ``fake``)
DOCUMENT = build_protection_tenancy


def run(fake: SimServer, oci_config_file: tuple[Any, str], tuning: Tuning = ONE, **kwargs: Any) -> Any:
    path, profile = oci_config_file
    return collect(profile, config_file=path, endpoint_template=fake.endpoint_template, progress=False,
                   tuning=tuning, **kwargs)


def truth(doc: dict[str, Any], section: str) -> set[tuple[str, str, str]]:
    """(region, compartment, id) of every record of ``section`` the auditor may see."""
    denied = set(doc["access"]["deniedCompartments"])
    return {(region, item["compartmentId"], item["id"]) for region, items in doc.get(section, {}).items()
            for item in items if item["compartmentId"] not in denied}


def got(frame: pd.DataFrame, id_column: str) -> set[tuple[str, str, str]]:
    return set(zip(frame["region"], frame["compartment_id"], frame[id_column]))


@pytest.fixture(scope="module")
def collected(_module_sim: SimServer, oci_config_file: tuple[Any, str]) -> tuple[Any, dict[str, Any], list[dict]]:
    """The protection tenancy collected once with pages of one record (every list crosses pages)."""
    doc = build_protection_tenancy()
    _module_sim.load(copy.deepcopy(doc))
    _module_sim.reset()
    inv = run(_module_sim, oci_config_file)
    return inv, doc, _module_sim.requests()


def test_every_new_table_is_read_exactly_across_pages(collected):
    inv, doc, _ = collected
    for section, frame, column in (("volumeGroups", inv.volume_groups, "volume_group_id"),
                                   ("volumeGroupBackups", inv.volume_group_backups, "volume_group_backup_id"),
                                   ("bootVolumeReplicas", inv.boot_volume_replicas, "replica_id"),
                                   ("volumeGroupReplicas", inv.volume_group_replicas, "replica_id")):
        assert got(frame, column) == truth(doc, section), section
        assert frame[column].is_unique
    members = {(g["id"], v) for items in doc["volumeGroups"].values() for g in items for v in g["volumeIds"]}
    assert set(zip(inv.volume_group_members["volume_group_id"], inv.volume_group_members["volume_id"])) == members
    backup_members = {(g["id"], b) for items in doc["volumeGroupBackups"].values() for g in items
                      for b in g["volumeBackupIds"]}
    assert set(zip(inv.volume_group_backup_members["volume_group_backup_id"],
                   inv.volume_group_backup_members["volume_backup_id"])) == backup_members
    assert set(inv.volume_group_backup_members["region"]) == {LHR, FRA}
    # the boot volumes and backups as before, the member backups with their group backup
    assert got(inv.backups, "backup_id") == truth(doc, "bootVolumeBackups")
    assert got(inv.boot_volumes, "boot_volume_id") == truth(doc, "bootVolumes")
    members_fra = inv.backups[inv.backups["volume_group_backup_id"] == VGB_FRA]
    assert len(members_fra) == 2 and members_fra["source_boot_volume_backup_id"].isna().all()


def test_replicas_keep_their_state_sync_time_and_group(collected):
    inv, _, _ = collected
    rep = inv.boot_volume_replicas.set_index("replica_id")
    assert rep.loc[REP["db1_fra"], "volume_group_replica_id"] == VGR_FRA
    assert rep.loc[REP["app_fra_faulty"], "lifecycle_state"] == "FAULTY"
    assert rep.loc[REP["api_iad_lagging"], "time_last_synced"] == pd.Timestamp("2026-10-29T00:00:00Z")
    assert rep.loc[REP["web_cross_ad"], "region"] == LHR  # another AD of the volume's own region
    assert rep.loc[REP["db2_iad_terminated"], "lifecycle_state"] == "TERMINATED"
    group = inv.volume_group_replicas.set_index("replica_id").loc[VGR_FRA]
    assert (group["region"], group["volume_group_id"]) == (FRA, VG)


def test_policies_assigned_to_groups_and_retention_locks(collected):
    inv, _, _ = collected
    by_asset = inv.policy_assignments.set_index("asset_id")
    assert by_asset.loc[VG, "asset_type"] == "volume_group" and by_asset.loc[VG, "assignment_id"] == ASSIGNMENT_VG
    assert set(inv.policy_assignments.loc[inv.policy_assignments["asset_type"] == "boot_volume", "asset_id"]) <= \
        set(inv.boot_volumes["boot_volume_id"])
    locked = inv.backups.set_index("backup_id").loc[BKP["db1"]]
    assert bool(locked["is_retention_lock_enabled"]) and bool(locked["is_prevent_deletion_enabled"])
    assert locked["time_retention_expires_at"] == pd.Timestamp("2026-12-01T00:00:00Z")
    group = inv.volume_group_backups.set_index("volume_group_backup_id")
    assert group["is_retention_lock_enabled"].notna().any()
    assert group.loc[VGB_FRA, "source_volume_group_backup_id"] is not pd.NA


def test_compartments_in_every_state_but_deleted_and_regions_being_subscribed(collected):
    inv, _, log = collected
    states = dict(zip(inv.compartments["compartment_id"], inv.compartments["lifecycle_state"]))
    assert states[LEGACY] == "INACTIVE" and states[SUNSET] == "DELETING" and GONE not in states
    assert BV["legacy"] in set(inv.boot_volumes["boot_volume_id"])  # an INACTIVE compartment is read
    assert BKP["sunset"] in set(inv.backups["backup_id"])
    notes = inv.metadata.parameters["compartments"]
    assert notes == {"deleted_skipped": 1, "not_active": {LEGACY: "INACTIVE", SUNSET: "DELETING"}}
    # Tokyo is being subscribed: kept in regions, named, never read, never an error
    regions = inv.regions.set_index("region")
    assert regions.loc[NRT, "status"] == "IN_PROGRESS" and not regions.loc[NRT, "collected"]
    assert inv.metadata.parameters["regions_in_progress"] == [NRT] and NRT not in inv.metadata.regions
    assert not any(e["region"] == NRT for e in log)
    assert not inv.errors["region"].astype("string").eq(NRT).any()
    # and nothing else failed but the denied compartment's reads
    assert set(inv.errors["compartment_id"]) == {SECRET}


def test_the_fake_clock_stamps_the_snapshot(collected):
    inv, doc, _ = collected
    assert inv.metadata.started_at == inv.metadata.finished_at == pd.Timestamp(doc["asOf"])
    clock = inv.metadata.parameters["clock"]
    assert clock["source"].startswith("fake") and pd.Timestamp(clock["wall_started_at"]).year >= 2026


def test_leads_outside_the_listed_compartments_are_read_by_id(fake, oci_config_file):
    """A group backup, a replica and a group replica living in a compartment that holds no boot volume or
    backup (so it is not listed there) are found through what names them and read by id."""
    doc = build_protection_tenancy()
    for section, ident in (("volumeGroupBackups", VGB_FRA), ("bootVolumeReplicas", REP["app_fra_faulty"]),
                           ("volumeGroupReplicas", VGR_FRA)):
        next(i for i in doc[section][FRA] if i["id"] == ident)["compartmentId"] = DEV
    fake.load(doc)
    fake.reset()
    inv = run(fake, oci_config_file, tuning=Tuning(backoff_base=0.005))
    assert got(inv.volume_group_backups, "volume_group_backup_id") == truth(doc, "volumeGroupBackups")
    assert got(inv.boot_volume_replicas, "replica_id") == truth(doc, "bootVolumeReplicas")
    assert got(inv.volume_group_replicas, "replica_id") == truth(doc, "volumeGroupReplicas")
    gets = {e["operation"] for e in fake.requests()}
    assert {"GetVolumeGroupBackup", "GetBootVolumeReplica", "GetVolumeGroupReplica"} <= gets
    assert set(inv.errors["compartment_id"]) == {SECRET}


def test_a_failed_replica_listing_is_a_gap_and_no_lookup_follows(fake, oci_config_file):
    fake.set_knobs(error_rate=1.0, error_operations=["ListBootVolumeReplicas"])
    inv = run(fake, oci_config_file, tuning=Tuning(backoff_base=0.001, backoff_max=0.002, max_attempts=2))
    failed = inv.errors[inv.errors["operation"] == "ListBootVolumeReplicas"]
    assert set(zip(failed["region"], failed["compartment_id"])) == {(LHR, PROD), (FRA, PROD), (IAD, PROD), (FRA, APP)}
    assert failed["resource_id"].isna().all()  # a gap of (region, compartment), not one lost look-up
    assert inv.boot_volume_replicas.empty
    assert not any(e["operation"] == "GetBootVolumeReplica" for e in fake.requests())


def test_groups_are_listed_only_where_boot_volumes_or_backups_are(collected):
    """The request model: volume groups only where the volume listing found volumes (or failed), group
    backups only where the backup listing found backups (or failed), replicas only where a lead points."""
    inv, doc, log = collected
    listed = {(e["region"], e["path"].split("compartmentId=")[1].split("&")[0].replace("%2E", "."), e["operation"])
              for e in log if e["operation"] in ("ListVolumeGroups", "ListVolumeGroupBackups", "ListBootVolumeReplicas")}
    holds = {(r, i["compartmentId"]) for r, items in doc["bootVolumes"].items() for i in items}
    holds_backups = {(r, i["compartmentId"]) for r, items in doc["bootVolumeBackups"].items() for i in items}
    denied = {(r, SECRET) for r in (LHR, FRA, IAD)}
    groups = {(r, c) for r, c, op in listed if op == "ListVolumeGroups"}
    assert groups == holds | denied
    assert {(r, c) for r, c, op in listed if op == "ListVolumeGroupBackups"} == holds_backups | denied
    # where the volumes naming replicas live (app-1, in prod/app, names one in Frankfurt that sits in prod)
    assert {(r, c) for r, c, op in listed if op == "ListBootVolumeReplicas"} == {
        (LHR, PROD), (FRA, PROD), (IAD, PROD), (FRA, APP)}
    assert inv.metadata.parameters["protection"]["leads"]["replica"] == 4  # a TERMINATED replica is named nowhere


def test_availability_domains_whose_name_says_no_region_are_looked_up_once_per_region(fake, oci_config_file):
    """A replica in an AD whose name says no region (kIdk:WEIRD-AD-1) is placed by asking each region for its
    ADs (once); a replica named in an AD no region has is an errors row, never silently dropped."""
    doc = build_protection_tenancy()
    weird = "kIdk:WEIRD-AD-1"
    doc["availabilityDomains"] = {**doc.get("availabilityDomains", {}), FRA: ["Uocm:EU-FRANKFURT-1-AD-1", weird]}
    next(r for r in doc["bootVolumeReplicas"][FRA] if r["id"] == REP["app_fra_faulty"])["availabilityDomain"] = weird
    nowhere = {"displayName": "lost", "availabilityDomain": "Zz:NOWHERE-AD-9",
               "bootVolumeReplicaId": "ocid1.bootvolumereplica.oc1.xx.aaaaaaaalost"}
    next(v for v in doc["bootVolumes"][LHR] if v["id"] == BV["db2"]).setdefault("bootVolumeReplicas", []).append(nowhere)
    fake.load(doc)
    fake.reset()
    inv = run(fake, oci_config_file, tuning=Tuning(backoff_base=0.005))
    assert REP["app_fra_faulty"] in set(inv.boot_volume_replicas["replica_id"])
    asked = [e["region"] for e in fake.requests() if e["operation"] == "ListAvailabilityDomains"]
    assert sorted(asked) == sorted([LHR, FRA, IAD])  # every region read, once
    lost = inv.errors[inv.errors["code"] == "UnknownAvailabilityDomain"]
    assert list(lost["resource_id"]) == [nowhere["bootVolumeReplicaId"]]


@pytest.mark.slow  # starts the oci CLI (seconds)
def test_the_oci_cli_lists_by_compartment_alone_what_collect_stored(collected, _module_sim, oci_config_file):
    """The unmodified oci CLI, given only a compartment (as collect asks), lists Frankfurt's boot volume
    replicas of prod: exactly the rows collect stored for (Frankfurt, prod)."""
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    cli = Path(sys.executable).with_name("oci")
    if not cli.exists():
        pytest.skip("the oci CLI (oci-cli package) is installed by `make setup`")
    inv, doc, _ = collected
    _module_sim.load(copy.deepcopy(doc))
    _module_sim.reset()
    config, profile = oci_config_file
    env = dict(os.environ, OCI_CLI_SUPPRESS_FILE_PERMISSIONS_WARNING="True", SUPPRESS_LABEL_WARNING="True")
    done = subprocess.run([str(cli), "--config-file", str(config), "--profile", profile, "bv", "boot-volume-replica",
                           "list", "--all", "--compartment-id", PROD, "--endpoint", _module_sim.endpoint(FRA)],
                          capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr
    listed = {r["id"] for r in json.loads(done.stdout)["data"]}
    rows = inv.boot_volume_replicas
    assert listed == set(rows.loc[(rows["region"] == FRA) & (rows["compartment_id"] == PROD), "replica_id"]) != set()

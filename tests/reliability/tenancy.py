"""The small tenancy the faults are injected into (3 regions, 3 compartments, 18 boot volumes) and its constants."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from reportkit.schema import ABSENCE_VERDICTS as _ABSENCE

LHR, FRA, IAD, PHX = "uk-london-1", "eu-frankfurt-1", "us-ashburn-1", "us-phoenix-1"
TENANCY_ID = "ocid1.tenancy.oc1..aaaaaaaareliability"
AS_OF = "2026-11-01T00:00:00.000Z"
COMPARTMENTS = {name: f"ocid1.compartment.oc1..aaaaaaaa{name}" for name in ("prod", "dev", "hr")}
PLATFORM_IMAGE = f"ocid1.image.oc1.{LHR}.aaaaaaaaplatform"
#: retry waits of milliseconds, tiny pages (every list crosses page boundaries), quick give-up
FAST_TUNING = dict(page_limit=3, max_attempts=4, max_throttle_retries=200, backoff_base=0.005,
                   backoff_max=0.02, malformed_attempts=2, region_failures=8, timeout=(2.0, 5.0))
LIST_OPERATIONS = ("ListBootVolumeBackups", "ListBootVolumes")
#: verdicts that claim no good copy exists: they need every place a copy could be to have been read
ABSENCE_VERDICTS = frozenset(s.value for s in _ABSENCE)


def _ocid(kind: str, region: str, name: str) -> str:
    return f"ocid1.{kind}.oc1.{region}.aaaaaaaa{name}"


def _ts(days_before: float) -> str:
    moment = datetime(2026, 11, 1, tzinfo=timezone.utc) - timedelta(days=days_before)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _backup(backup_id: str, volume_id: str, compartment: str, days_before: float, *,
            source: str | None = None) -> dict[str, Any]:
    out = {"id": backup_id, "displayName": f"backup {backup_id[-12:]}", "compartmentId": compartment,
           "bootVolumeId": volume_id, "imageId": PLATFORM_IMAGE, "lifecycleState": "AVAILABLE",
           "sourceType": "MANUAL", "type": "FULL", "sizeInGBs": 50, "uniqueSizeInGBs": 10,
           "timeCreated": _ts(days_before), "timeRequestReceived": _ts(days_before), "freeformTags": {},
           "definedTags": {}, "systemTags": {}}
    if source:
        out["sourceBootVolumeBackupId"] = source
    return out


def fault_tenancy() -> dict[str, Any]:
    """Return the scenario tenancy document (format: docs/sim.md).

    Regions London (home), Frankfurt, Ashburn; compartments prod, dev, hr. In London and Ashburn
    each compartment has three boot volumes: ``covered`` (fresh copy in Frankfurt), ``stale``
    (copy 20 days old) and ``missing`` (no copy). Phoenix is NOT subscribed but already holds a
    copy of Ashburn's prod/missing volume: the region that appears mid-run.
    """
    volumes: dict[str, list[dict[str, Any]]] = {LHR: [], IAD: []}
    backups: dict[str, list[dict[str, Any]]] = {LHR: [], FRA: [], IAD: [], PHX: []}
    for region in (LHR, IAD):
        for cname, cid in COMPARTMENTS.items():
            for kind, ages in (("covered", (1, 2, 3)), ("stale", (20, 21)), ("missing", (1, 2, 3))):
                tag = f"{region.split('-')[1]}{cname}{kind}"
                vid = _ocid("bootvolume", region, tag)
                volumes[region].append({
                    "id": vid, "displayName": f"{cname}-{kind} (Boot Volume)", "compartmentId": cid,
                    "imageId": PLATFORM_IMAGE, "availabilityDomain": f"Uocm:{region.upper()}-AD-1",
                    "lifecycleState": "AVAILABLE", "sizeInGBs": 50, "sizeInMBs": 51200, "vpusPerGB": 10,
                    "isHydrated": True, "timeCreated": _ts(90), "bootVolumeReplicas": [],
                    "freeformTags": {}, "definedTags": {}, "systemTags": {}})
                ids = [_ocid("bootvolumebackup", region, f"{tag}{age}") for age in ages]
                backups[region] += [_backup(b, vid, cid, age) for b, age in zip(ids, ages)]
                if kind in ("covered", "stale"):
                    backups[FRA].append(_backup(_ocid("bootvolumebackup", FRA, f"copy{tag}"), vid, cid,
                                                ages[0] - 0.1, source=ids[0]))
                if (region, cname, kind) == (IAD, "prod", "missing"):
                    backups[PHX].append(_backup(_ocid("bootvolumebackup", PHX, f"copy{tag}"), vid, cid,
                                                ages[0] - 0.1, source=ids[0]))
    image = {"id": PLATFORM_IMAGE, "displayName": "Oracle-Linux-8.10-2026.10.01-0", "createImageAllowed": True,
             "lifecycleState": "AVAILABLE", "operatingSystem": "Oracle Linux", "operatingSystemVersion": "8",
             "launchMode": "NATIVE", "listingType": "NONE", "sizeInMBs": 47694, "billableSizeInGBs": 3,
             "timeCreated": _ts(60), "freeformTags": {}, "definedTags": {}}
    return {
        "schemaVersion": 1, "asOf": AS_OF,
        "tenancy": {"id": TENANCY_ID, "name": "reliability", "description": "fault injection",
                    "homeRegionKey": "LHR", "freeformTags": {}, "definedTags": {}},
        "regionSubscriptions": [
            {"regionKey": "LHR", "regionName": LHR, "status": "READY", "isHomeRegion": True},
            {"regionKey": "FRA", "regionName": FRA, "status": "READY", "isHomeRegion": False},
            {"regionKey": "IAD", "regionName": IAD, "status": "READY", "isHomeRegion": False},
        ],
        "compartments": [{"id": cid, "compartmentId": TENANCY_ID, "name": name, "description": name,
                          "timeCreated": _ts(400), "lifecycleState": "ACTIVE"} for name, cid in COMPARTMENTS.items()],
        "policies": [{"id": "ocid1.policy.oc1..aaaaaaaaauditors", "compartmentId": TENANCY_ID, "name": "auditors",
                      "description": "read-only audit", "lifecycleState": "ACTIVE", "timeCreated": _ts(400),
                      "statements": ["Allow group Auditors to read boot-volume-backups in tenancy"]}],
        "images": {LHR: [image]},
        "bootVolumes": volumes,
        "bootVolumeBackups": backups,
        "volumeBackupPolicies": {}, "volumeBackupPolicyAssignments": {}, "marketplaceListings": [],
        "vaultKeys": {}, "access": {"deniedCompartments": []},
    }

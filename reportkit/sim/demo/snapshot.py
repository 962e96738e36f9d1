"""The demo tenancy at a time T: the backups a plan has produced by then, and the document emitted from them."""
from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from reportkit.sim.demo.records import Backup, Hasher, Plan, Volume, ts
from reportkit.sim.demo.spec import DEFAULT_RPO_DAYS, SCENARIO_STATUS, SCHEMA_VERSION


def unique_size(size: int, backup_type: str, u: float) -> int:
    """uniqueSizeInGBs: a full is most of the volume, an incremental a few per cent."""
    share = 0.35 + 0.5 * u if backup_type == "FULL" else 0.01 + 0.06 * u
    return max(1, round(size * share))


def manual_backup(vol: Volume, h: Hasher, t: datetime, *, name: str, deleted: datetime | None,
                   faulty: bool) -> Backup:
    t = t.replace(microsecond=0)
    hexid, (u_type, u_created, u_done, u_size) = h.draw("manual", vol.id, int(t.timestamp()))
    btype = "FULL" if u_type < 0.5 else "INCREMENTAL"
    t_created = t + timedelta(seconds=2 + int(20 * u_created))
    return Backup(
        id=f"ocid1.bootvolumebackup.oc1.{vol.region}.aaaa{hexid}",
        region=vol.region, compartment_id=vol.compartment_id, volume_id=vol.id, image_id=vol.image_id,
        name=name, source_type="MANUAL", backup_type=btype, size=vol.size,
        unique_size=unique_size(vol.size, btype, u_size), t_request=t, t_created=t_created,
        t_done=t_created + timedelta(minutes=5 + 25 * u_done),
        kms_key_id=vol.kms_key_id, t_deleted=deleted, faulty=faulty,
    )


def copy_of(vol: Volume, src: Backup, dest: str, h: Hasher, t: datetime, *, kms_key_id: str | None,
             faulty: bool, manual: bool) -> Backup:
    t = t.replace(microsecond=0)
    hexid, (u_created, u_done, _, _) = h.draw("copy", dest, src.id)
    t_created = t + timedelta(seconds=20 + int(70 * u_created))
    return Backup(
        id=f"ocid1.bootvolumebackup.oc1.{dest}.aaaa{hexid}",
        region=dest, compartment_id=src.compartment_id, volume_id=src.volume_id, image_id=src.image_id,
        name=f"Copy of {src.name}" if manual else src.name, source_type=src.source_type,
        backup_type=src.backup_type, size=src.size, unique_size=src.unique_size, t_request=t,
        t_created=t_created,
        # A failing copy fails within minutes; a good one takes 20 min to ~4 h depending on size.
        t_done=t_created + (timedelta(minutes=2 + 8 * u_done) if faulty
                            else timedelta(minutes=20 + 220 * u_done * min(1.0, vol.size / 256))),
        kms_key_id=kms_key_id, t_expire=src.t_expire, faulty=faulty, source_id=src.id,
    )


def scheduled_backups(vol: Volume, h: Hasher, at: datetime) -> list[Backup]:
    """Scheduled backups (and policy copies) of ``vol`` that may be listed at ``at``."""
    out: list[Backup] = []
    for period in vol.periods:
        policy = period.policy
        hi = min(at, period.stop) if period.stop else at
        sched = sorted(policy.schedules, key=lambda s: -s.retention)
        for i, sc in enumerate(sched):
            lo = max(period.start, at - sc.retention)
            for t in sc.occurrences(lo, hi):
                # Several schedules at one instant: OCI takes the one with the longest retention.
                if any(longer.fires_at(t) for longer in sched[:i]):
                    continue
                if period.stop is not None and t >= period.stop:
                    continue
                hexid, (u_created, u_done, u_size, u_queue) = h.draw("sched", vol.id, policy.id,
                                                                     int(t.timestamp()))
                t_created = t + timedelta(seconds=1 + int(5 * u_created))
                src = Backup(
                    id=f"ocid1.bootvolumebackup.oc1.{vol.region}.aaaa{hexid}",
                    region=vol.region, compartment_id=vol.compartment_id, volume_id=vol.id,
                    image_id=vol.image_id,
                    name=f"Auto-backup for {t:%Y-%m-%d %H:%M:%S} UTC via policy: {policy.name}",
                    source_type="SCHEDULED", backup_type=sc.backup_type, size=vol.size,
                    unique_size=unique_size(vol.size, sc.backup_type, u_size), t_request=t,
                    t_created=t_created, t_done=t_created + timedelta(minutes=3 + 30 * u_done),
                    kms_key_id=vol.kms_key_id, t_expire=t + sc.retention,
                )
                out.append(src)
                if policy.destination and vol.copies_allowed:
                    out.append(copy_of(vol, src, policy.destination, h,
                                        src.t_done + timedelta(minutes=1 + 8 * u_queue),
                                        kms_key_id=vol.copy_kms_key_id, faulty=vol.copy_faulty, manual=False))
    return out


# ------------------------------------------------------------------------------------------------
# Snapshot: the document at time T
# ------------------------------------------------------------------------------------------------
def snapshot(plan: Plan, at: datetime) -> dict[str, Any]:
    regions = [s["regionName"] for s in plan.subscriptions]
    volumes = [v for v in plan.volumes if v.created <= at]
    boot_volumes: dict[str, list[dict[str, Any]]] = {r: [] for r in regions}
    backups: dict[str, list[dict[str, Any]]] = {r: [] for r in regions}
    assignments: dict[str, list[dict[str, Any]]] = {r: [] for r in regions}
    for vol in volumes:
        boot_volumes[vol.region].append(vol.wire(at))
        for period in vol.periods:
            if period.start <= at and (period.stop is None or at < period.stop):
                a = {"assetId": vol.id, "id": plan.h.ocid("volumebackuppolicyassignment", vol.region, vol.id,
                                                          period.policy.id),
                     "policyId": period.policy.id, "timeCreated": ts(period.start)}
                if vol.copy_kms_key_id and period.policy.destination:
                    a["xrcKmsKeyId"] = vol.copy_kms_key_id
                assignments[vol.region].append(a)
        for b in (*scheduled_backups(vol, plan.h, at), *vol.events):
            rec = b.wire(at)
            if rec is not None:
                backups[b.region].append(rec)
    for lst in backups.values():
        lst.sort(key=lambda r: (r["timeCreated"], r["id"]))
    doc: dict[str, Any] = {
        "schemaVersion": SCHEMA_VERSION,
        "asOf": ts(at),
        "tenancy": dict(plan.tenancy),
        "regionSubscriptions": [dict(s) for s in plan.subscriptions],
        "compartments": [dict(c) for c in plan.compartments],
        "policies": [json.loads(json.dumps(p)) for p in plan.iam_policies],
        "images": {r: [dict(i) for i in plan.images.get(r, {}).values()] for r in regions},
        "bootVolumes": boot_volumes,
        "bootVolumeBackups": backups,
        "volumeBackupPolicies": {r: [p.wire() for p in plan.policies[r]] for r in regions},
        "volumeBackupPolicyAssignments": assignments,
        "marketplaceListings": json.loads(json.dumps(plan.listings)),
        "vaultKeys": {r: list(plan.vault_keys[r]) for r in regions},
        "access": {"deniedCompartments": list(plan.denied)},
    }
    doc["_truth"] = {
        "seed": plan.seed,
        "rpoDays": DEFAULT_RPO_DAYS,
        "generatorEnd": ts(plan.end),
        "bootVolumes": _truth_rows(plan, volumes, at),
    }
    return doc


def _truth_rows(plan: Plan, volumes: list[Volume], at: datetime) -> list[dict[str, Any]]:
    """What the generator knows about each boot volume at ``at``: its scenario and the status that
    scenario is built to show at the generator's end time, the image kind it chose, the policy it
    assigned and that policy's destination ('any' without one). The verdict a correct assessment
    must give is not here: tests derive it from the document with their own oracle."""
    rows = []
    for vol in volumes:
        current = [p for p in vol.periods if p.start <= at and (p.stop is None or at < p.stop)]
        policy = current[0].policy if current else None
        rows.append({
            "bootVolumeId": vol.id,
            "region": vol.region,
            "compartmentId": vol.compartment_id,
            "compartmentPath": vol.path,
            "displayName": vol.name,
            "scenario": vol.scenario,
            "imageKind": vol.image_kind,
            "policyName": policy.name if policy else None,
            "requiredDestination": (policy.destination if policy else None) or "any",
            "protection": vol.protection,
            "scenarioStatus": SCENARIO_STATUS[vol.scenario],
        })
    return rows

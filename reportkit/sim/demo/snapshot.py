"""The demo tenancy at a time T: the backups a plan has produced by then, and the document emitted from them."""
from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from reportkit.sim.demo.records import Backup, Hasher, Plan, Volume, policy_fires, ts, unique_size
from reportkit.sim.demo.spec import DEFAULT_RPO_DAYS, SCENARIO_STATUS, SCHEMA_VERSION

if TYPE_CHECKING:  # groups build on this module's copies
    from reportkit.sim.demo.groups import VolumeGroup


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


def scheduled_backups(vol: Volume, h: Hasher, at: datetime, unready: frozenset[str] = frozenset()) -> list[Backup]:
    """Scheduled backups (and policy copies) of ``vol`` that may be listed at ``at``.

    A policy copies every scheduled backup to its destination region, unless the copy cannot be
    made: the image cannot be copied, or the destination is still being subscribed (``unready``).
    """
    out: list[Backup] = []
    for policy, sc, t in policy_fires(vol.periods, at):
        hexid, (u_created, u_done, u_size, u_queue) = h.draw("sched", vol.id, policy.id, int(t.timestamp()))
        t_created = t + timedelta(seconds=1 + int(5 * u_created))
        src = Backup(
            id=f"ocid1.bootvolumebackup.oc1.{vol.region}.aaaa{hexid}",
            region=vol.region, compartment_id=vol.compartment_id, volume_id=vol.id, image_id=vol.image_id,
            name=f"Auto-backup for {t:%Y-%m-%d %H:%M:%S} UTC via policy: {policy.name}",
            source_type="SCHEDULED", backup_type=sc.backup_type, size=vol.size,
            unique_size=unique_size(vol.size, sc.backup_type, u_size), t_request=t,
            t_created=t_created, t_done=t_created + timedelta(minutes=3 + 30 * u_done),
            kms_key_id=vol.kms_key_id, t_expire=t + sc.retention,
        )
        out.append(src)
        if policy.destination and vol.copies_allowed and policy.destination not in unready:
            out.append(copy_of(vol, src, policy.destination, h, src.t_done + timedelta(minutes=1 + 8 * u_queue),
                               kms_key_id=vol.copy_kms_key_id, faulty=vol.copy_faulty, manual=False))
    return out


# ------------------------------------------------------------------------------------------------
# Snapshot: the document at time T
# ------------------------------------------------------------------------------------------------
def snapshot(plan: Plan, at: datetime) -> dict[str, Any]:
    from reportkit.sim.demo.groups import scheduled_group_backups

    subscriptions = [dict(s) for s in plan.subscriptions
                     if s["regionName"] not in plan.subscribed_at or plan.subscribed_at[s["regionName"]] <= at]
    regions = [s["regionName"] for s in subscriptions]
    unready = frozenset(plan.subscribed_at)
    volumes = [v for v in plan.volumes if v.created <= at]
    groups = [g for g in plan.groups if g.created <= at]
    sections = ("bootVolumes", "bootVolumeBackups", "volumeBackupPolicyAssignments", "volumeGroups",
                "volumeGroupBackups", "bootVolumeReplicas", "volumeGroupReplicas")
    out: dict[str, dict[str, list[dict[str, Any]]]] = {key: {r: [] for r in regions} for key in sections}

    def emit(key: str, region: str, record: dict[str, Any] | None) -> None:
        if record is not None:
            out[key][region].append(record)

    def assignments(asset_id: str, region: str, periods: list, xrc_key: str | None = None) -> None:
        for period in periods:
            if period.active(at):
                a = {"assetId": asset_id, "id": plan.h.ocid("volumebackuppolicyassignment", region, asset_id,
                                                            period.policy.id),
                     "policyId": period.policy.id, "timeCreated": ts(period.start)}
                if xrc_key and period.policy.destination:
                    a["xrcKmsKeyId"] = xrc_key
                out["volumeBackupPolicyAssignments"][region].append(a)

    for vol in volumes:
        emit("bootVolumes", vol.region, vol.wire(at))
        assignments(vol.id, vol.region, vol.periods, vol.copy_kms_key_id)
        for b in (*scheduled_backups(vol, plan.h, at, unready), *vol.events):
            emit("bootVolumeBackups", b.region, b.wire(at))
        for r in vol.replicas:
            emit("bootVolumeReplicas", r.region, r.wire(at))
    for group in groups:
        emit("volumeGroups", group.region, group.wire(at))
        assignments(group.id, group.region, group.periods)
        for gb in (*scheduled_group_backups(group, plan.h, at, unready), *group.events):
            emit("volumeGroupBackups", gb.region, gb.wire(at))
            for member in gb.members:
                emit("bootVolumeBackups", member.region, member.wire(at))
        for r in group.replicas:
            emit("volumeGroupReplicas", r.region, r.wire(at))
    for key in ("bootVolumeBackups", "volumeGroupBackups"):
        for lst in out[key].values():
            lst.sort(key=lambda r: (r["timeCreated"], r["id"]))
    compartments = []
    for c in plan.compartments:
        rec = dict(c)
        if c["id"] in plan.left_active_at and at < plan.left_active_at[c["id"]]:
            rec["lifecycleState"] = "ACTIVE"
        compartments.append(rec)
    doc: dict[str, Any] = {
        "schemaVersion": SCHEMA_VERSION,
        "asOf": ts(at),
        "tenancy": dict(plan.tenancy),
        "regionSubscriptions": subscriptions,
        "compartments": compartments,
        "policies": [json.loads(json.dumps(p)) for p in plan.iam_policies],
        "images": {r: [dict(i) for i in plan.images.get(r, {}).values()] for r in regions},
        "bootVolumes": out["bootVolumes"],
        "bootVolumeBackups": out["bootVolumeBackups"],
        "volumeBackupPolicies": {r: [p.wire() for p in plan.policies[r] if p.created <= at] for r in regions},
        "volumeBackupPolicyAssignments": out["volumeBackupPolicyAssignments"],
        "volumeGroups": out["volumeGroups"],
        "volumeGroupBackups": out["volumeGroupBackups"],
        "bootVolumeReplicas": out["bootVolumeReplicas"],
        "volumeGroupReplicas": out["volumeGroupReplicas"],
        "availabilityDomains": {r: list(plan.ads[r]) for r in regions},
        "marketplaceListings": json.loads(json.dumps(plan.listings)),
        "vaultKeys": {r: list(plan.vault_keys[r]) for r in regions},
        "access": {"deniedCompartments": list(plan.denied)},
    }
    doc["_truth"] = {
        "seed": plan.seed,
        "rpoDays": DEFAULT_RPO_DAYS,
        "generatorEnd": ts(plan.end),
        "bootVolumes": _truth_rows(plan, volumes, groups, at),
    }
    return doc


def _truth_rows(plan: Plan, volumes: list[Volume], groups: list[VolumeGroup], at: datetime) -> list[dict[str, Any]]:
    """What the generator knows about each boot volume at ``at``: its scenario and the status that
    scenario is built to show at the generator's end time, the image kind it chose, the policy it
    assigned (to the volume, and to its group) and the destination it meant ('any' without one), and
    how it meant to protect it. The verdict a correct assessment must give is not here: tests derive
    it from the document with their own oracle."""
    group_of = {m.volume.id: g for g in groups for m in g.members if m.joined <= at}
    rows = []
    for vol in volumes:
        current = [p for p in vol.periods if p.active(at)]
        policy = current[0].policy if current else None
        group = group_of.get(vol.id)
        group_policy = next((p.policy for p in group.periods if p.active(at)), None) if group else None
        rows.append({
            "bootVolumeId": vol.id,
            "region": vol.region,
            "compartmentId": vol.compartment_id,
            "compartmentPath": vol.path,
            "displayName": vol.name,
            "scenario": vol.scenario,
            "imageKind": vol.image_kind,
            "policyName": policy.name if policy else None,
            "volumeGroupName": group.name if group else None,
            "groupPolicyName": group_policy.name if group_policy else None,
            "requiredDestination": ((policy.destination if policy else None)
                                    or (group_policy.destination if group_policy else None) or "any"),
            "protectionPlan": vol.protection,
            "scenarioStatus": SCENARIO_STATUS[vol.scenario],
        })
    return rows

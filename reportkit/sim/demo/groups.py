"""The demo's volume groups: groups and their membership over time, volume group backups (each with
its member boot volume backups), and their cross-region copies.

Membership is ``volumeIds`` and changes over time (a volume can join after the group was made); a
group backup holds a member backup of every volume that was in the group when the backup was
requested. A group backup copy (CopyVolumeGroupBackup, by hand or by a policy with a destination
region) is a group backup in the destination with ``sourceVolumeGroupBackupId``; its member boot
backups carry ``volumeGroupBackupId`` and *no* ``sourceBootVolumeBackupId``, as the fake makes them
(docs/sim.md).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from reportkit.sim.demo.records import (
    Backup,
    Hasher,
    Period,
    RetentionLock,
    Volume,
    created_time,
    lifecycle,
    optional_fields,
    policy_fires,
    ts,
    unique_size,
)
from reportkit.sim.demo.replicas import Replica


@dataclass
class GroupBackup:
    """One volume group backup (or group backup copy) over its whole life, with its member backups."""

    id: str
    region: str
    compartment_id: str
    group_id: str
    name: str
    source_type: str
    backup_type: str
    t_request: datetime
    t_created: datetime
    t_committed: datetime
    t_done: datetime
    members: list[Backup]
    block_member_ids: list[str]
    block_size: int
    t_expire: datetime | None = None
    t_deleted: datetime | None = None
    source_id: str | None = None
    lock: RetentionLock | None = None

    def state(self, at: datetime) -> str | None:
        return lifecycle(at, self.t_request, self.t_created, self.t_done, t_expire=self.t_expire,
                         t_deleted=self.t_deleted, t_committed=self.t_committed)

    def wire(self, at: datetime) -> dict[str, Any] | None:
        state = self.state(at)
        if state is None:
            return None
        size = sum(m.size for m in self.members) + self.block_size
        unique = sum(m.unique_size for m in self.members) + max(1, self.block_size // 20)
        out: dict[str, Any] = {
            "compartmentId": self.compartment_id,
            "displayName": self.name,
            "id": self.id,
            "lifecycleState": state,
            "sizeInGBs": size,
            "sizeInMBs": size * 1024,
            "sourceType": self.source_type,
            "timeCreated": ts(created_time(state, self.t_request, self.t_created)),
            "timeRequestReceived": ts(self.t_request),
            "type": self.backup_type,
            "volumeBackupIds": [m.id for m in self.members] + list(self.block_member_ids),
            "volumeGroupId": self.group_id,
            "freeformTags": {},
            "definedTags": {},
        }
        if state not in ("REQUEST_RECEIVED", "CREATING"):
            out["uniqueSizeInGbs"] = unique
            out["uniqueSizeInMbs"] = unique * 1024
        out.update(optional_fields(at, t_expire=self.t_expire, lock=self.lock,
                                   sourceVolumeGroupBackupId=self.source_id))
        return out


@dataclass
class Member:
    volume: Volume
    joined: datetime


@dataclass
class VolumeGroup:
    """A volume group over its whole life: boot volume members (with the time each joined), block
    volumes (not modelled beyond their OCID and size), policies, scripted backups and replicas."""

    id: str
    region: str
    compartment_id: str
    path: str
    ad: str
    name: str
    scenario: str
    created: datetime
    members: list[Member] = field(default_factory=list)
    block_volumes: list[tuple[str, int]] = field(default_factory=list)
    periods: list[Period] = field(default_factory=list)
    events: list[GroupBackup] = field(default_factory=list)  # manual group backups and their copies
    replicas: list[Replica] = field(default_factory=list)

    def boot_members(self, at: datetime, *, strictly_before: bool = False) -> list[Volume]:
        """Boot volumes in the group at ``at`` (a backup requested at ``at`` holds those that joined before)."""
        return [m.volume for m in self.members if (m.joined < at if strictly_before else m.joined <= at)]

    def wire(self, at: datetime) -> dict[str, Any]:
        boot = self.boot_members(at)
        size = sum(v.size for v in boot) + sum(s for _, s in self.block_volumes)
        initial = [m.volume.id for m in self.members if m.joined <= self.created]
        out: dict[str, Any] = {
            "availabilityDomain": self.ad,
            "compartmentId": self.compartment_id,
            "displayName": self.name,
            "id": self.id,
            "isHydrated": True,
            "lifecycleState": "AVAILABLE",
            "sizeInGBs": size,
            "sizeInMBs": size * 1024,
            # sourceDetails is how the group was made and never changes; volumeIds is the membership
            "sourceDetails": {"type": "volumeIds", "volumeIds": initial + [b for b, _ in self.block_volumes]},
            "timeCreated": ts(self.created),
            "volumeIds": [v.id for v in boot] + [b for b, _ in self.block_volumes],
            "freeformTags": {},
            "definedTags": {},
        }
        infos = [i for i in (r.info(at) for r in self.replicas) if i is not None]
        if infos:
            out["volumeGroupReplicas"] = infos
        return out


def group_backup(group: VolumeGroup, h: Hasher, t: datetime, *, source_type: str, backup_type: str,
                 name: str, t_expire: datetime | None = None, deleted: datetime | None = None) -> GroupBackup:
    """A group backup requested at ``t`` in the group's region, with a member backup of each boot volume
    that had joined before ``t`` (and an OCID for each block volume's backup)."""
    t = t.replace(microsecond=0)
    hexid, (u_created, u_done, u_commit, _) = h.draw("group", group.id, source_type, int(t.timestamp()))
    gid = f"ocid1.volumegroupbackup.oc1.{group.region}.aaaa{hexid}"
    t_created = t + timedelta(seconds=1 + int(10 * u_created))
    t_committed = t_created + timedelta(minutes=5 + 30 * u_done)
    t_done = t_committed + timedelta(minutes=1 + 4 * u_commit)
    members = []
    for vol in group.boot_members(t, strictly_before=True):
        mhex, (_, _, u_size, _) = h.draw("member", gid, vol.id)
        members.append(Backup(
            id=f"ocid1.bootvolumebackup.oc1.{group.region}.aaaa{mhex}", region=group.region,
            compartment_id=group.compartment_id, volume_id=vol.id, image_id=vol.image_id, name=name,
            source_type=source_type, backup_type=backup_type, size=vol.size,
            unique_size=unique_size(vol.size, backup_type, u_size), t_request=t, t_created=t_created,
            t_done=t_done, kms_key_id=vol.kms_key_id, t_expire=t_expire, t_deleted=deleted, group_backup_id=gid))
    blocks = [h.ocid("volumebackup", group.region, gid, b) for b, _ in group.block_volumes]
    return GroupBackup(id=gid, region=group.region, compartment_id=group.compartment_id, group_id=group.id,
                       name=name, source_type=source_type, backup_type=backup_type, t_request=t,
                       t_created=t_created, t_committed=t_committed, t_done=t_done, members=members,
                       block_member_ids=blocks, block_size=sum(s for _, s in group.block_volumes),
                       t_expire=t_expire, t_deleted=deleted)


def group_copy_of(src: GroupBackup, dest: str, h: Hasher, t: datetime, *, manual: bool,
                  deleted: datetime | None = None) -> GroupBackup:
    """The copy of ``src`` in ``dest`` requested at ``t``: a group backup with ``sourceVolumeGroupBackupId``
    whose member boot backups are linked to it only through ``volumeGroupBackupId``."""
    t = t.replace(microsecond=0)
    hexid, (u_created, u_done, u_commit, _) = h.draw("group-copy", dest, src.id)
    cid = f"ocid1.volumegroupbackup.oc1.{dest}.aaaa{hexid}"
    t_created = t + timedelta(seconds=20 + int(70 * u_created))
    t_committed = t_created + timedelta(minutes=20 + 120 * u_done)
    t_done = t_committed + timedelta(minutes=1 + 4 * u_commit)
    source_type = "MANUAL" if manual else src.source_type
    t_expire = None if manual else src.t_expire
    name = f"Copy of {src.name}" if manual else src.name
    members = [Backup(
        id=h.ocid("bootvolumebackup", dest, cid, m.id), region=dest, compartment_id=src.compartment_id,
        volume_id=m.volume_id, image_id=m.image_id, name=m.name, source_type=source_type,
        backup_type=m.backup_type, size=m.size, unique_size=m.unique_size, t_request=t, t_created=t_created,
        t_done=t_done, t_expire=t_expire, t_deleted=deleted, group_backup_id=cid) for m in src.members]
    return GroupBackup(id=cid, region=dest, compartment_id=src.compartment_id, group_id=src.group_id, name=name,
                       source_type=source_type, backup_type=src.backup_type, t_request=t, t_created=t_created,
                       t_committed=t_committed, t_done=t_done, members=members,
                       block_member_ids=[h.ocid("volumebackup", dest, cid, b) for b in src.block_member_ids],
                       block_size=src.block_size, t_expire=t_expire, t_deleted=deleted, source_id=src.id)


def scheduled_group_backups(group: VolumeGroup, h: Hasher, at: datetime,
                            unready: frozenset[str] = frozenset()) -> list[GroupBackup]:
    """Scheduled group backups of ``group`` (and their policy copies, unless the destination is still
    being subscribed) that may be listed at ``at``."""
    out: list[GroupBackup] = []
    for policy, sc, t in policy_fires(group.periods, at):
        src = group_backup(group, h, t, source_type="SCHEDULED", backup_type=sc.backup_type,
                           name=f"Auto-backup for {t:%Y-%m-%d %H:%M:%S} UTC via policy: {policy.name}",
                           t_expire=t + sc.retention)
        out.append(src)
        if policy.destination and policy.destination not in unready:
            _, (_, _, _, u_queue) = h.draw("group-queue", src.id)
            out.append(group_copy_of(src, policy.destination, h, src.t_done + timedelta(minutes=1 + 8 * u_queue),
                                     manual=False))
    return out

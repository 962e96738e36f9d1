"""The demo's replicas: boot volume and volume group replicas over their whole life, and their wire form at T.

A replica is PROVISIONING during its initial sync, then AVAILABLE and synced every ``interval``; a
*lagging* one stops syncing at ``lag_since`` (still AVAILABLE, ``timeLastSynced`` frozen), a
*faulty* one turns FAULTY at ``faulty_at``. Records live in the replica's region, which may be
another availability domain of the source's own region (a cross-AD replica). A replica that is
syncing at T carries the fake's private ``_syncIntervalSeconds``, so the fake keeps it syncing on
its clock (docs/sim.md).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from reportkit.sim.demo.records import Hasher, ts

#: seconds between two syncs of a healthy replica (OCI's typical cross-region RPO is under 30 minutes)
SYNC_INTERVAL = 900


@dataclass
class Replica:
    """One boot volume replica (``kind`` 'boot') or volume group replica (``kind`` 'group')."""

    id: str
    kind: str
    region: str
    ad: str
    compartment_id: str
    name: str
    source_id: str  # the boot volume or volume group replicated
    size: int
    t_created: datetime
    t_ready: datetime
    interval: int = SYNC_INTERVAL
    lag_since: datetime | None = None
    faulty_at: datetime | None = None
    image_id: str | None = None
    group_replica_id: str | None = None  # a boot replica that is a member of a volume group replica
    members: list[str] = field(default_factory=list)  # a group replica's member replica OCIDs

    def state(self, at: datetime) -> str | None:
        if at < self.t_created:
            return None
        if at < self.t_ready:
            return "PROVISIONING"
        if self.faulty_at is not None and at >= self.faulty_at:
            return "FAULTY"
        return "AVAILABLE"

    def syncing(self, at: datetime) -> bool:
        return self.state(at) == "AVAILABLE" and (self.lag_since is None or at < self.lag_since)

    def last_synced(self, at: datetime) -> datetime:
        """The last sync not after ``at`` (nor after the replica stopped syncing)."""
        stop = min(t for t in (at, self.lag_since, self.faulty_at) if t is not None)
        if stop < self.t_ready:
            return self.t_created
        steps = int((stop - self.t_ready).total_seconds() // self.interval)
        return self.t_ready + timedelta(seconds=steps * self.interval)

    def info(self, at: datetime) -> dict[str, Any] | None:
        """The BootVolumeReplicaInfo / VolumeGroupReplicaInfo its source lists at ``at``."""
        if self.state(at) is None:
            return None
        key = "bootVolumeReplicaId" if self.kind == "boot" else "volumeGroupReplicaId"
        return {"availabilityDomain": self.ad, key: self.id, "displayName": self.name}

    def wire(self, at: datetime) -> dict[str, Any] | None:
        state = self.state(at)
        if state is None:
            return None
        out: dict[str, Any] = {
            "availabilityDomain": self.ad,
            "compartmentId": self.compartment_id,
            "displayName": self.name,
            "id": self.id,
            "lifecycleState": state,
            "sizeInGBs": self.size,
            "timeCreated": ts(self.t_created),
            "timeLastSynced": ts(self.last_synced(at)),
            "freeformTags": {},
            "definedTags": {},
        }
        if self.kind == "boot":
            out["bootVolumeId"] = self.source_id
            out["totalDataTransferredInGBs"] = self.size if state != "PROVISIONING" else 0
            if self.image_id:
                out["imageId"] = self.image_id
            if self.group_replica_id:
                out["volumeGroupReplicaId"] = self.group_replica_id
        else:
            out["volumeGroupId"] = self.source_id
            out["memberReplicas"] = [{"volumeReplicaId": m, "membershipState": "STABLE"} for m in self.members]
        if self.syncing(at):
            out["_syncIntervalSeconds"] = self.interval
        return out


def new_replica(h: Hasher, kind: str, source_id: str, region: str, ad: str, compartment_id: str, name: str,
                size: int, created: datetime, **details: Any) -> Replica:
    """A replica whose OCID and initial sync time (1 to 6 hours) come from (seed, source, region)."""
    ocid_kind = "bootvolumereplica" if kind == "boot" else "volumegroupreplica"
    _, (u_sync, _, _, _) = h.draw("replica", source_id, region)
    created = created.replace(microsecond=0)
    return Replica(id=h.ocid(ocid_kind, region, source_id), kind=kind, region=region, ad=ad,
                   compartment_id=compartment_id, name=name, source_id=source_id, size=size, t_created=created,
                   t_ready=(created + timedelta(hours=1 + 5 * u_sync)).replace(microsecond=0), **details)

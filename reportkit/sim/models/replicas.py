"""Replicas in the fake: boot volume and volume group replicas, served in the replica's own region, their
sync on the simulated clock, and the replica lists their sources show."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from reportkit.sim.exceptions import MissingParameter
from reportkit.sim.models.base import Record, WireDict, filtered, format_time, parse_time, sort_records

if TYPE_CHECKING:
    from reportkit.sim.models.backend import SimBackend

#: a replica in these states no longer shows in its source's list
_GONE = frozenset({"TERMINATED"})


class ReplicaBackend:
    """ListBootVolumeReplicas, GetBootVolumeReplica, ListVolumeGroupReplicas, GetVolumeGroupReplica."""

    def __init__(self, sim: SimBackend) -> None:
        self.sim = sim
        self._by_source: tuple[int, dict[str, list[Record]]] | None = None

    # ------------------------------------------------------------------------------ served form
    def served(self, rec: Record, now: datetime) -> WireDict:
        """The replica as served at ``now``.

        A document replica with ``_syncIntervalSeconds`` keeps syncing while AVAILABLE:
        ``timeLastSynced`` is the latest ``document time + k * interval`` not after ``now``.
        Without it the replica is frozen at its document sync time (a lagging replica).
        """
        out = rec.to_dict()
        interval = rec.get("_syncIntervalSeconds")
        if interval and out.get("lifecycleState") == "AVAILABLE":
            synced = parse_time(str(out["timeLastSynced"]))
            if now > synced:
                steps = int((now - synced).total_seconds() // float(interval))
                out["timeLastSynced"] = format_time(synced + timedelta(seconds=steps * float(interval)))
        return out

    def _sources(self) -> dict[str, list[Record]]:
        """Replica records of every region by the OCID of what they replicate (volume or group)."""
        version = self.sim.state_version
        if self._by_source is None or self._by_source[0] != version:
            index: dict[str, list[Record]] = {}
            for backend in self.sim.regions.values():
                for rec in backend.boot_volume_replicas.values():
                    index.setdefault(str(rec.get("bootVolumeId")), []).append(rec)
                for rec in backend.volume_group_replicas.values():
                    index.setdefault(str(rec.get("volumeGroupId")), []).append(rec)
            self._by_source = (version, index)
        return self._by_source[1]

    def with_replica_infos(self, source: WireDict, field: str, id_field: str) -> WireDict:
        """``source`` (a served boot volume or volume group) with its replica list made consistent with
        the replica records: every live record is listed, and listed infos without a record (a
        document written without replica records) are kept as given."""
        records = [r for r in self._sources().get(str(source.get("id")), [])
                   if r.get("lifecycleState") not in _GONE]
        if not records:
            return source
        known = {r.id for r in records}
        infos = [dict(i) for i in source.get(field) or [] if i.get(id_field) not in known]
        for rec in records:
            info = {"availabilityDomain": rec.get("availabilityDomain"), id_field: rec.id,
                    "displayName": rec.get("displayName"), "kmsKeyId": rec.get("kmsKeyId")}
            infos.append({k: v for k, v in info.items() if v is not None})
        return dict(source, **{field: infos})

    # ------------------------------------------------------------------------------ boot volume replicas
    def list_boot_volume_replicas(self, region: str, *, availability_domain: str | None = None,
                                  compartment_id: str | None = None, volume_group_replica_id: str | None = None,
                                  display_name: str | None = None, lifecycle_state: str | None = None,
                                  sort_by: str | None = None, sort_order: str | None = None) -> list[WireDict]:
        """The boot volume replicas living in ``region``, by compartment or by volume group replica."""
        with self.sim.lock:
            backend = self.sim.region(region)
            if compartment_id is not None:
                self.sim.check_list_compartment(compartment_id)
            elif not volume_group_replica_id:
                raise MissingParameter("compartmentId or volumeGroupReplicaId is required.")
            now = self.sim.clock.now
            denied = self.sim.denied()
            out = filtered((self.served(r, now) for r in backend.boot_volume_replicas.values()
                            if r.compartment_id not in denied),
                           compartmentId=compartment_id, availabilityDomain=availability_domain,
                           volumeGroupReplicaId=volume_group_replica_id, displayName=display_name)
            out = _with_state(out, lifecycle_state)
            return sort_records(out, sort_by, sort_order)

    def get_boot_volume_replica(self, region: str, replica_id: str) -> WireDict:
        with self.sim.lock:
            backend = self.sim.region(region)
            rec = self.sim.visible(backend.boot_volume_replicas.get(replica_id), "boot volume replica", replica_id)
            return self.served(rec, self.sim.clock.now)

    # ------------------------------------------------------------------------------ volume group replicas
    def list_volume_group_replicas(self, region: str, *, availability_domain: str | None,
                                   compartment_id: str | None, display_name: str | None = None,
                                   lifecycle_state: str | None = None, sort_by: str | None = None,
                                   sort_order: str | None = None) -> list[WireDict]:
        """The volume group replicas living in one AD of ``region`` (OCI requires both the AD and the compartment)."""
        with self.sim.lock:
            backend = self.sim.region(region)
            if not availability_domain:
                raise MissingParameter("availabilityDomain is required.")
            self.sim.check_list_compartment(compartment_id)
            now = self.sim.clock.now
            out = filtered((self.served(r, now) for r in backend.volume_group_replicas.values()),
                           compartmentId=compartment_id, availabilityDomain=availability_domain,
                           displayName=display_name)
            out = _with_state(out, lifecycle_state)
            return sort_records(out, sort_by, sort_order)

    def get_volume_group_replica(self, region: str, replica_id: str) -> WireDict:
        with self.sim.lock:
            backend = self.sim.region(region)
            rec = self.sim.visible(backend.volume_group_replicas.get(replica_id), "volume group replica", replica_id)
            return self.served(rec, self.sim.clock.now)


def _with_state(items: list[WireDict], lifecycle_state: str | None) -> list[WireDict]:
    """OCI's lifecycleState filter on replicas is case-insensitive."""
    if not lifecycle_state:
        return items
    return [i for i in items if str(i.get("lifecycleState", "")).upper() == lifecycle_state.upper()]

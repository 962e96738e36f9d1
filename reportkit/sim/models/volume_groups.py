"""Volume groups in the fake: groups (membership is ``volumeIds``) and volume group backups (sources and copies)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from reportkit.sim.models.base import Record, WireDict, filtered, sort_records

if TYPE_CHECKING:
    from reportkit.sim.models.backend import SimBackend


class VolumeGroupBackend:
    """ListVolumeGroups, GetVolumeGroup, ListVolumeGroupBackups, GetVolumeGroupBackup (copies:
    :mod:`~reportkit.sim.models.copies`)."""

    def __init__(self, sim: SimBackend) -> None:
        self.sim = sim

    def _served_group(self, rec: Record) -> WireDict:
        # volumeGroupReplicas follows the replica records, wherever they live
        return self.sim.replicas.with_replica_infos(rec.to_dict(), "volumeGroupReplicas", "volumeGroupReplicaId")

    def list_volume_groups(self, region: str, compartment_id: str | None, *,
                           availability_domain: str | None = None, display_name: str | None = None,
                           lifecycle_state: str | None = None, sort_by: str | None = None,
                           sort_order: str | None = None) -> list[WireDict]:
        with self.sim.lock:
            backend = self.sim.region(region)
            self.sim.check_list_compartment(compartment_id)
            out = filtered((self._served_group(g) for g in backend.volume_groups.values()
                            if g.compartment_id == compartment_id),
                           availabilityDomain=availability_domain, displayName=display_name,
                           lifecycleState=lifecycle_state)
            return sort_records(out, sort_by, sort_order)

    def get_volume_group(self, region: str, group_id: str) -> WireDict:
        with self.sim.lock:
            backend = self.sim.region(region)
            return self._served_group(self.sim.visible(backend.volume_groups.get(group_id), "volume group", group_id))

    def list_volume_group_backups(self, region: str, compartment_id: str | None, *,
                                  volume_group_id: str | None = None, display_name: str | None = None,
                                  sort_by: str | None = None, sort_order: str | None = None) -> list[WireDict]:
        with self.sim.lock:
            backend = self.sim.region(region)
            self.sim.check_list_compartment(compartment_id)
            now = self.sim.clock.now
            out = filtered((b.to_dict(now) for b in backend.volume_group_backups.values()
                            if b.compartment_id == compartment_id),
                           volumeGroupId=volume_group_id, displayName=display_name)
            return sort_records(out, sort_by, sort_order)

    def get_volume_group_backup(self, region: str, backup_id: str) -> WireDict:
        with self.sim.lock:
            backend = self.sim.region(region)
            rec = self.sim.visible(backend.volume_group_backups.get(backup_id), "volume group backup", backup_id)
            return rec.to_dict(self.sim.clock.now)

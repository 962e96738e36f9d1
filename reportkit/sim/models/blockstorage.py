"""Block storage in the fake: boot volumes, boot volume backups (and moving one to another compartment),
backup policies and their assignments to volumes and volume groups."""
from __future__ import annotations

from typing import TYPE_CHECKING

from reportkit.sim.exceptions import IncorrectState, InvalidParameter, MissingParameter, NotAuthorizedOrNotFound
from reportkit.sim.models.base import Record, WireDict, filtered, sort_records

if TYPE_CHECKING:
    from reportkit.sim.models.backend import SimBackend


class BlockstorageBackend:
    """Block Volume operations on boot volumes, their backups and backup policies (volume groups:
    :mod:`~reportkit.sim.models.volume_groups`; replicas: :mod:`~reportkit.sim.models.replicas`;
    copies: :mod:`~reportkit.sim.models.copies`)."""

    def __init__(self, sim: SimBackend) -> None:
        self.sim = sim

    def _served_volume(self, rec: Record) -> WireDict:
        # bootVolumeReplicas follows the replica records, wherever they live
        return self.sim.replicas.with_replica_infos(rec.to_dict(), "bootVolumeReplicas", "bootVolumeReplicaId")

    def list_boot_volume_backups(self, region: str, compartment_id: str | None, *,
                                 boot_volume_id: str | None = None, display_name: str | None = None,
                                 source_boot_volume_backup_id: str | None = None,
                                 lifecycle_state: str | None = None, sort_by: str | None = None,
                                 sort_order: str | None = None) -> list[WireDict]:
        with self.sim.lock:
            backend = self.sim.region(region)
            self.sim.check_list_compartment(compartment_id)
            now = self.sim.clock.now
            backups = self.sim.by_compartment(backend, "boot_volume_backups").get(compartment_id, [])
            out = filtered((bkp.to_dict(now) for bkp in backups), bootVolumeId=boot_volume_id,
                           displayName=display_name, sourceBootVolumeBackupId=source_boot_volume_backup_id,
                           lifecycleState=lifecycle_state)
            return sort_records(out, sort_by, sort_order)

    def get_boot_volume_backup(self, region: str, backup_id: str) -> WireDict:
        with self.sim.lock:
            backend = self.sim.region(region)
            rec = self.sim.visible(backend.boot_volume_backups.get(backup_id), "boot volume backup", backup_id)
            return rec.to_dict(self.sim.clock.now)

    def list_boot_volumes(self, region: str, compartment_id: str | None, *,
                          availability_domain: str | None = None,
                          volume_group_id: str | None = None) -> list[WireDict]:
        with self.sim.lock:
            backend = self.sim.region(region)
            if compartment_id is not None:
                self.sim.check_list_compartment(compartment_id)
            elif not volume_group_id:
                raise MissingParameter("compartmentId or volumeGroupId is required.")
            denied = self.sim.denied()
            candidates = (backend.boot_volumes.values() if compartment_id is None
                          else self.sim.by_compartment(backend, "boot_volumes").get(compartment_id, []))
            return [self._served_volume(v) for v in candidates
                    if v.compartment_id not in denied
                    and (not availability_domain or v.get("availabilityDomain") == availability_domain)
                    and (not volume_group_id or v.get("volumeGroupId") == volume_group_id)]

    def get_boot_volume(self, region: str, volume_id: str) -> WireDict:
        with self.sim.lock:
            backend = self.sim.region(region)
            return self._served_volume(self.sim.visible(backend.boot_volumes.get(volume_id), "boot volume", volume_id))

    def list_volume_backup_policies(self, region: str, compartment_id: str | None) -> list[WireDict]:
        """User-defined policies of a compartment, or Oracle-defined ones when no compartment."""
        with self.sim.lock:
            backend = self.sim.region(region)
            if compartment_id is None:
                return [p.to_dict() for p in backend.volume_backup_policies.values() if not p.compartment_id]
            self.sim.check_list_compartment(compartment_id)
            return [p.to_dict() for p in backend.volume_backup_policies.values()
                    if p.compartment_id == compartment_id]

    def get_volume_backup_policy(self, region: str, policy_id: str) -> WireDict:
        with self.sim.lock:
            backend = self.sim.region(region)
            rec = self.sim.visible(backend.volume_backup_policies.get(policy_id), "volume backup policy", policy_id)
            return rec.to_dict()

    def get_volume_backup_policy_asset_assignment(self, region: str, asset_id: str | None) -> list[WireDict]:
        """The policy assignments of an asset: a boot volume or a volume group (policies can be
        assigned to groups), of this region; an asset the user may not read -> 404."""
        with self.sim.lock:
            backend = self.sim.region(region)
            if not asset_id:
                raise MissingParameter("assetId is required.")
            asset = backend.boot_volumes.get(asset_id) or backend.volume_groups.get(asset_id)
            if asset is not None:
                self.sim.visible(asset, "asset", asset_id)
            return [a.to_dict() for a in backend.policy_assignments if a.get("assetId") == asset_id]

    def change_boot_volume_backup_compartment(self, region: str, backup_id: str, details: WireDict | None) -> None:
        """ChangeBootVolumeBackupCompartment: move an AVAILABLE backup to another ACTIVE compartment.

        A mutating call, like a copy: the backup keeps its OCID, region and links; only
        ``compartmentId`` changes. The target must exist and be readable (else 404) and be ACTIVE
        (a compartment being deleted, or left INACTIVE, takes nothing new: 409 IncorrectState).
        """
        with self.sim.lock:
            backend = self.sim.region(region)
            if not isinstance(details, dict):
                raise InvalidParameter("The request body must be a ChangeBootVolumeBackupCompartmentDetails JSON object.")
            record = self.sim.visible(backend.boot_volume_backups.get(backup_id), "boot volume backup", backup_id)
            target = details.get("compartmentId")
            if not target:
                raise MissingParameter("compartmentId is required.")
            identity = self.sim.identity
            if (not identity.compartment_exists(target) or target in self.sim.denied()
                    or identity.compartment_state(target) == "DELETED"):
                raise NotAuthorizedOrNotFound(f"Authorization failed or requested resource not found: compartment {target}.")
            if identity.compartment_state(target) != "ACTIVE":
                raise IncorrectState(f"Compartment {target} is {identity.compartment_state(target)}; "
                                     "resources can only be moved into an ACTIVE compartment.")
            state = record.to_dict(self.sim.clock.now).get("lifecycleState")
            if state != "AVAILABLE":
                raise IncorrectState(f"Boot volume backup {backup_id} is {state}; only AVAILABLE backups can be moved.")
            record.data["compartmentId"] = target
            self.sim.changed()

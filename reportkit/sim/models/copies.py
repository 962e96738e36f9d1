"""Cross-region copies in the fake: CopyBootVolumeBackup, its refusals, retry tokens and the one-at-a-time rule."""
from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from reportkit.sim.exceptions import Conflict, IncorrectState, InvalidParameter, MissingParameter
from reportkit.sim.models.base import RETRY_TOKEN_TTL, TimedRecord, WireDict, format_time, new_ocid

if TYPE_CHECKING:
    from reportkit.sim.models.backend import SimBackend

#: lifecycle states of a backup copy that is still being made ("in flight")
IN_FLIGHT_STATES = frozenset({"REQUEST_RECEIVED", "CREATING"})

_COPIED_FIELDS = ("bootVolumeId", "compartmentId", "imageId", "sizeInGBs", "uniqueSizeInGBs", "type",
                  "freeformTags", "definedTags")


class CopyBackend:
    """The copy operations: each is sent to the source region and creates a record in the destination."""

    def __init__(self, sim: SimBackend) -> None:
        self.sim = sim
        # (source region, token) -> (request fingerprint, copy id, destination region, expiry)
        self.retry_tokens: dict[tuple[str, str], tuple[str, str, str, datetime]] = {}

    def load(self, doc: WireDict) -> None:
        self.retry_tokens = {}

    # ------------------------------------------------------------------------------ look-ups
    def find_backup(self, backup_id: str) -> tuple[str, TimedRecord] | None:
        """(region, record) of a boot volume backup in any region."""
        for name, backend in self.sim.regions.items():
            if backup_id in backend.boot_volume_backups:
                return name, backend.boot_volume_backups[backup_id]
        return None

    def _source_region_of(self, copy_record: TimedRecord) -> str | None:
        source_id = copy_record.get("sourceBootVolumeBackupId")
        if not source_id:
            return None
        found = self.find_backup(source_id)
        if found:
            return found[0]
        parts = source_id.split(".")
        return parts[3] if len(parts) > 4 else None

    def _check_platform_lineage(self, region: str, backup: TimedRecord) -> None:
        """Refuse unless the backup's image chain ends in a platform image (OCI copy limitation)."""
        image_id = backup.get("imageId")
        if not image_id:
            volume = self.sim.regions[region].boot_volumes.get(backup.get("bootVolumeId") or "")
            image_id = volume.get("imageId") if volume else None
        why = self.sim.compute.platform_lineage_problem(region, image_id)
        if why:
            raise InvalidParameter(
                f"Boot volume backup {backup.id} cannot be copied across regions: only backups of instances "
                f"created from platform images or custom images built from platform images can be copied ({why}).")

    def _check_destination(self, region: str, destination: str | None) -> str:
        """The copy's destination region: given, subscribed, not the source region."""
        if not destination:
            raise MissingParameter("destinationRegion is required.")
        if destination not in self.sim.identity.subscribed_region_names() or destination not in self.sim.regions:
            raise InvalidParameter(
                f"destinationRegion '{destination}' is not a region name subscribed by this tenancy.")
        if destination == region:
            raise InvalidParameter(f"destinationRegion '{destination}' is the source region; copy to another region.")
        return destination

    def _check_kms_key(self, destination: str, kms_key_id: str | None) -> str | None:
        """A copy's Vault key must be a key of the destination region (None: Oracle-managed)."""
        if kms_key_id and kms_key_id not in self.sim.regions[destination].vault_keys:
            raise InvalidParameter(f"kmsKeyId {kms_key_id} is not a Vault key in the destination region {destination}.")
        return kms_key_id

    # ------------------------------------------------------------------------------ retry tokens
    def _replayed(self, region: str, retry_token: str | None, fingerprint: str,
                  now: datetime) -> tuple[str, str] | None:
        """(copy id, destination) of an earlier request with this token, or None; 409 if the body differs."""
        if not retry_token:
            return None
        for key in [k for k, v in self.retry_tokens.items() if v[3] <= now]:
            del self.retry_tokens[key]
        known = self.retry_tokens.get((region, retry_token))
        if known is None:
            return None
        if known[0] != fingerprint:
            raise Conflict(f"opc-retry-token {retry_token!r} was already used for a different request.")
        return known[1], known[2]

    def _remember(self, region: str, retry_token: str | None, fingerprint: str, copy_id: str,
                  destination: str, now: datetime) -> None:
        if retry_token:
            self.retry_tokens[(region, retry_token)] = (fingerprint, copy_id, destination, now + RETRY_TOKEN_TTL)

    # ------------------------------------------------------------------------------ boot volume backups
    def copy_boot_volume_backup(self, region: str, backup_id: str, details: WireDict | None,
                                retry_token: str | None = None) -> tuple[WireDict, str]:
        """CopyBootVolumeBackup, sent to the source region; return (new backup wire, destination).

        The copy is a new backup in the destination region, in the source's compartment, with
        ``sourceBootVolumeBackupId`` set, starting in REQUEST_RECEIVED.
        """
        sim = self.sim
        with sim.lock:
            backend = sim.region(region)
            if not isinstance(details, dict):
                raise InvalidParameter("The request body must be a CopyBootVolumeBackupDetails JSON object.")
            now = sim.clock.now
            fingerprint = json.dumps({"id": backup_id, "details": details}, sort_keys=True)
            replayed = self._replayed(region, retry_token, fingerprint, now)
            if replayed is not None:
                copy_id, dest_name = replayed
                return sim.regions[dest_name].boot_volume_backups[copy_id].to_dict(now), dest_name
            source = sim.visible(backend.boot_volume_backups.get(backup_id), "boot volume backup", backup_id)
            assert isinstance(source, TimedRecord)
            destination = self._check_destination(region, details.get("destinationRegion"))
            state = source.lifecycle_state(now)
            if state != "AVAILABLE":
                raise IncorrectState(f"Boot volume backup {backup_id} is {state}; only AVAILABLE backups can be copied.")
            kms_key_id = self._check_kms_key(destination, details.get("kmsKeyId"))
            self._check_platform_lineage(region, source)
            volume_id = source.get("bootVolumeId")
            for dest_backend in sim.regions.values():
                for other in dest_backend.boot_volume_backups.values():
                    if (volume_id and other.get("sourceBootVolumeBackupId") and other.get("bootVolumeId") == volume_id
                            and other.lifecycle_state(now) in IN_FLIGHT_STATES
                            and self._source_region_of(other) == region):
                        raise Conflict(
                            f"A copy of a backup of boot volume {volume_id} from {region} is already in progress "
                            f"({other.id}, {other.lifecycle_state(now)}); only one copy per boot volume at a time.")
            data = {k: source.get(k) for k in _COPIED_FIELDS if source.get(k) is not None}
            new_id = new_ocid("bootvolumebackup", destination)
            data.update({
                "id": new_id,
                "displayName": details.get("displayName") or source.get("displayName"),
                "sourceBootVolumeBackupId": backup_id,
                "sourceType": "MANUAL",
                "kmsKeyId": kms_key_id,
                "timeCreated": format_time(now),
                "timeRequestReceived": format_time(now),
                "lifecycleState": "REQUEST_RECEIVED",
            })
            creating_at = now + timedelta(seconds=sim.knobs.copy_request_received_seconds)
            size = float(source.get("sizeInGBs") or 0)
            available_at = creating_at + timedelta(seconds=size * sim.knobs.copy_seconds_per_gb)
            record = TimedRecord(data, stages=[(now, "REQUEST_RECEIVED"), (creating_at, "CREATING"),
                                               (available_at, "AVAILABLE")])
            sim.regions[destination].boot_volume_backups[new_id] = record
            sim.changed()
            self._remember(region, retry_token, fingerprint, new_id, destination, now)
            return record.to_dict(now), destination

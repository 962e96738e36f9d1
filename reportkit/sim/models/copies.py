"""Cross-region copies in the fake: CopyBootVolumeBackup and CopyVolumeGroupBackup, their refusals, retry
tokens, the one-at-a-time rules, and the copies' lifecycle on the simulated clock."""
from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from reportkit.sim.exceptions import Conflict, IncorrectState, InvalidParameter, MissingParameter
from reportkit.sim.models.base import RETRY_TOKEN_TTL, TimedRecord, WireDict, format_time, new_ocid

if TYPE_CHECKING:
    from reportkit.sim.models.backend import RegionBackend, SimBackend

#: lifecycle states of a backup copy that is still being made ("in flight")
IN_FLIGHT_STATES = frozenset({"REQUEST_RECEIVED", "CREATING"})
#: the same for volume group backups, whose copies pass through COMMITTED (Oracle's Terraform provider
#: waits through REQUEST_RECEIVED, CREATING and COMMITTED for a group backup copy)
GROUP_IN_FLIGHT_STATES = frozenset({"REQUEST_RECEIVED", "CREATING", "COMMITTED"})

_COPIED_FIELDS = ("bootVolumeId", "compartmentId", "imageId", "sizeInGBs", "uniqueSizeInGBs", "type",
                  "freeformTags", "definedTags")
_GROUP_COPIED_FIELDS = ("compartmentId", "volumeGroupId", "type", "sizeInGBs", "sizeInMBs", "uniqueSizeInGbs",
                        "uniqueSizeInMbs", "freeformTags", "definedTags")


class CopyBackend:
    """The copy operations: each is sent to the source region and creates a record in the destination."""

    def __init__(self, sim: SimBackend) -> None:
        self.sim = sim
        # (source region, token) -> (request fingerprint, copy id, destination region, expiry)
        self.retry_tokens: dict[tuple[str, str], tuple[str, str, str, datetime]] = {}

    def load(self, doc: WireDict) -> None:
        self.retry_tokens = {}

    # ------------------------------------------------------------------------------ look-ups
    def _source_region_of(self, copy_record: TimedRecord, link: str = "sourceBootVolumeBackupId",
                          kind: str = "boot_volume_backups") -> str | None:
        """The region a copy was made from: where its source is, else the source OCID's region segment."""
        source_id = copy_record.get(link)
        if not source_id:
            return None
        for name, backend in self.sim.regions.items():
            if source_id in getattr(backend, kind):
                return name
        parts = source_id.split(".")
        return parts[3] if len(parts) > 4 else None

    def _check_platform_lineage(self, region: str, backup: TimedRecord) -> None:
        """Refuse unless the backup's image chain ends in a platform image (OCI copy limitation)."""
        image_id = backup.get("imageId")
        if not image_id:  # a copy sits in another region than its volume: look everywhere
            volume = next((b.boot_volumes[backup.get("bootVolumeId")] for b in self.sim.regions.values()
                           if backup.get("bootVolumeId") in b.boot_volumes), None)
            image_id = volume.get("imageId") if volume else None
        why = self.sim.compute.platform_lineage_problem(region, image_id)
        if why:
            raise InvalidParameter(
                f"Boot volume backup {backup.id} cannot be copied across regions: only backups of instances "
                f"created from platform images or custom images built from platform images can be copied ({why}).")

    def _check_destination(self, region: str, destination: str | None) -> str:
        """The copy's destination region: given, subscribed and READY, not the source region."""
        if not destination:
            raise MissingParameter("destinationRegion is required.")
        if (destination not in self.sim.identity.subscribed_region_names() or destination not in self.sim.regions
                or not self.sim.identity.is_ready(destination, self.sim.clock.now)):
            raise InvalidParameter(
                f"destinationRegion '{destination}' is not a region name subscribed by this tenancy (READY).")
        if destination == region:
            raise InvalidParameter(f"destinationRegion '{destination}' is the source region; copy to another region.")
        return destination

    def _check_kms_key(self, destination: str, kms_key_id: str | None) -> str | None:
        """A copy's Vault key must be an ENABLED key of the destination region (None: Oracle-managed)."""
        why = self.sim.kms.copy_key_problem(destination, kms_key_id) if kms_key_id else None
        if why:
            raise InvalidParameter(f"kmsKeyId {kms_key_id} cannot encrypt the copy: {why}.")
        return kms_key_id

    # ------------------------------------------------------------------------------ retry tokens
    def _replayed(self, region: str, retry_token: str | None, fingerprint: str,
                  now: datetime) -> tuple[str, str] | None:
        """(copy id, destination) of an earlier request with this token, or None; 409 if the body differs
        (the fingerprint names the operation, so a token reused for another kind of copy conflicts too)."""
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

    def _start(self, region: str, operation: str, source_id: str, details: WireDict | None,
               retry_token: str | None, kind: str) -> tuple[RegionBackend, datetime, str, tuple[WireDict, str] | None]:
        """What every copy request starts with: the source region's state, the time, the request's
        fingerprint, and (copy wire, destination) of the earlier copy when this is a retry."""
        backend = self.sim.region(region)
        if not isinstance(details, dict):
            raise InvalidParameter(f"The request body must be a {operation}Details JSON object.")
        now = self.sim.clock.now
        fingerprint = json.dumps({"op": operation, "id": source_id, "details": details}, sort_keys=True)
        replayed = self._replayed(region, retry_token, fingerprint, now)
        if replayed is None:
            return backend, now, fingerprint, None
        copy_id, destination = replayed
        return backend, now, fingerprint, (getattr(self.sim.regions[destination], kind)[copy_id].to_dict(now),
                                           destination)

    def _source(self, region: str, kind: str, what: str, source_id: str, details: WireDict,
                now: datetime) -> tuple[TimedRecord, str]:
        """The copy's source, readable (404) and AVAILABLE (409 IncorrectState), and its checked destination."""
        source = self.sim.visible(getattr(self.sim.regions[region], kind).get(source_id), what, source_id)
        assert isinstance(source, TimedRecord)
        destination = self._check_destination(region, details.get("destinationRegion"))
        state = source.lifecycle_state(now)
        if state != "AVAILABLE":
            raise IncorrectState(f"{what.capitalize()} {source_id} is {state}; only AVAILABLE backups can be copied.")
        return source, destination

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
            backend, now, fingerprint, earlier = self._start(region, "CopyBootVolumeBackup", backup_id, details,
                                                             retry_token, "boot_volume_backups")
            if earlier is not None:
                return earlier
            assert details is not None
            source, destination = self._source(region, "boot_volume_backups", "boot volume backup", backup_id,
                                               details, now)
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

    # ------------------------------------------------------------------------------ volume group backups
    def copy_volume_group_backup(self, region: str, group_backup_id: str, details: WireDict | None,
                                 retry_token: str | None = None) -> tuple[WireDict, str]:
        """CopyVolumeGroupBackup, sent to the source region; return (new group backup wire, destination).

        The copy is a new volume group backup in the destination, in the source's compartment, with
        ``sourceVolumeGroupBackupId`` set; it moves REQUEST_RECEIVED -> CREATING -> COMMITTED ->
        AVAILABLE on the clock. Each boot volume backup of the source gets a copy in the
        destination with ``volumeGroupBackupId`` = the new group backup and *no*
        ``sourceBootVolumeBackupId`` (OCI does not document that link on group members: consumers
        must link members through their group backup); members become AVAILABLE with the group.
        Refused: a source that is not AVAILABLE (409), a boot member whose image is not of platform
        lineage (400), a second copy of the same volume group from the same source region while one
        is in flight (409).
        """
        sim = self.sim
        with sim.lock:
            backend, now, fingerprint, earlier = self._start(region, "CopyVolumeGroupBackup", group_backup_id, details,
                                                             retry_token, "volume_group_backups")
            if earlier is not None:
                return earlier
            assert details is not None
            source, destination = self._source(region, "volume_group_backups", "volume group backup",
                                               group_backup_id, details, now)
            kms_key_id = self._check_kms_key(destination, details.get("kmsKeyId"))
            members = [backend.boot_volume_backups[i] for i in source.get("volumeBackupIds") or []
                       if i in backend.boot_volume_backups]
            for member in members:
                self._check_platform_lineage(region, member)
            self._check_no_group_copy_in_flight(region, source, now)

            new_id = new_ocid("volumegroupbackup", destination)
            size = float(source.get("sizeInGBs") or sum(float(m.get("sizeInGBs") or 0) for m in members))
            creating_at = now + timedelta(seconds=sim.knobs.copy_request_received_seconds)
            committed_at = creating_at + timedelta(seconds=size * sim.knobs.copy_seconds_per_gb)
            available_at = committed_at + timedelta(seconds=sim.knobs.copy_committed_seconds)
            member_ids = []
            for member in members:
                member_ids.append(self._copy_member(member, destination, new_id, kms_key_id, now,
                                                    creating_at, available_at))
            # members that are block volume backups (not modelled) get fresh OCIDs in the destination
            member_ids += [new_ocid("volumebackup", destination) for i in source.get("volumeBackupIds") or []
                           if i not in backend.boot_volume_backups]
            data = {k: source.get(k) for k in _GROUP_COPIED_FIELDS if source.get(k) is not None}
            data.update({
                "id": new_id,
                "displayName": details.get("displayName") or source.get("displayName"),
                "sourceVolumeGroupBackupId": group_backup_id,
                "sourceType": "MANUAL",
                "volumeBackupIds": member_ids,
                "timeCreated": format_time(now),
                "timeRequestReceived": format_time(now),
                "lifecycleState": "REQUEST_RECEIVED",
            })
            record = TimedRecord(data, stages=[(now, "REQUEST_RECEIVED"), (creating_at, "CREATING"),
                                               (committed_at, "COMMITTED"), (available_at, "AVAILABLE")])
            sim.regions[destination].volume_group_backups[new_id] = record
            sim.changed()
            self._remember(region, retry_token, fingerprint, new_id, destination, now)
            return record.to_dict(now), destination

    def _check_no_group_copy_in_flight(self, region: str, source: TimedRecord, now: datetime) -> None:
        """One copy per volume group at a time from a source region (409 Conflict)."""
        group_id = source.get("volumeGroupId")
        if not group_id:
            return
        for other_backend in self.sim.regions.values():
            for other in other_backend.volume_group_backups.values():
                if (other.get("sourceVolumeGroupBackupId") and other.get("volumeGroupId") == group_id
                        and other.lifecycle_state(now) in GROUP_IN_FLIGHT_STATES
                        and self._source_region_of(other, "sourceVolumeGroupBackupId", "volume_group_backups") == region):
                    raise Conflict(
                        f"A copy of a backup of volume group {group_id} from {region} is already in progress "
                        f"({other.id}, {other.lifecycle_state(now)}); only one copy per volume group at a time.")

    def _copy_member(self, member: TimedRecord, destination: str, group_copy_id: str, kms_key_id: str | None,
                     now: datetime, creating_at: datetime, available_at: datetime) -> str:
        """Create the destination copy of one boot volume backup of a group backup; return its OCID."""
        data = {k: member.get(k) for k in _COPIED_FIELDS if member.get(k) is not None}
        new_id = new_ocid("bootvolumebackup", destination)
        data.update({
            "id": new_id,
            "displayName": member.get("displayName"),
            "volumeGroupBackupId": group_copy_id,
            "sourceType": "MANUAL",
            "kmsKeyId": kms_key_id,
            "timeCreated": format_time(now),
            "timeRequestReceived": format_time(now),
            "lifecycleState": "REQUEST_RECEIVED",
        })
        self.sim.regions[destination].boot_volume_backups[new_id] = TimedRecord(
            data, stages=[(now, "REQUEST_RECEIVED"), (creating_at, "CREATING"), (available_at, "AVAILABLE")])
        return new_id

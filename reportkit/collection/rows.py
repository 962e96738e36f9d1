"""Pure conversions: OCI wire JSON (camelCase dicts) -> rows of the declared inventory tables.

Nothing here talks to the network. Each record is first checked against its SDK model's shape
(:mod:`~reportkit.collection.wire`); a :class:`RowMap` then names every column's wire field, and
``Table.row`` returns a compact tuple in the declared order, so a run holds 100k backups as tuples
of strings, not SDK objects, and no order is kept by hand. A record with a bad field still gives its
row (that value None) plus its problems; a record without an id gives no row. Timestamps stay
RFC3339 strings until :mod:`~reportkit.collection.frames` converts a whole column at once.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from reportkit.collection import wire
from reportkit.collection.wire import Problem, Shape
from reportkit.errors import InputError
from reportkit.regions import lookup_region
from reportkit.schema import (
    BACKUP_POLICIES,
    BACKUPS,
    BOOT_VOLUME_REPLICAS,
    BOOT_VOLUMES,
    ERRORS,
    IAM_POLICIES,
    IMAGES,
    POLICY_ASSIGNMENTS,
    REGIONS,
    VOLUME_GROUP_BACKUPS,
    VOLUME_GROUP_REPLICAS,
    VOLUME_GROUPS,
    BackupState,
    Table,
)

Wire = Mapping[str, Any]
_BACKUP_STATES = frozenset(s.value for s in BackupState)


@dataclass(frozen=True)
class RowMap:
    """How one table's rows come from one SDK model: ``columns`` maps a column to its wire field;
    ``operation`` names the listing that reads it (for ``errors`` rows about its records)."""

    table: Table
    shape: Shape
    columns: Mapping[str, str]
    operation: str
    _order: tuple[tuple[bool, str], ...] = field(init=False, repr=False, compare=False)
    _extra: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        unknown = set(self.columns) - set(self.table.column_names)
        if unknown:
            raise ValueError(f"{self.table.name} has no column(s) {sorted(unknown)}")
        # per declared column, in order: (True, wire field) or (False, column given by the caller)
        object.__setattr__(self, "_order", tuple((c in self.columns, self.columns.get(c, c))
                                                 for c in self.table.column_names))
        object.__setattr__(self, "_extra", frozenset(self.table.column_names) - set(self.columns))

    @property
    def id_column(self) -> str:
        return self.table.columns[0].name


_RETENTION = {"is_retention_lock_enabled": "isRetentionLockEnabled",
              "is_prevent_deletion_enabled": "isPreventDeletionEnabled",
              "time_retention_expires_at": "timeRetentionExpiresAt"}

BACKUP_ROWS = RowMap(BACKUPS, wire.BOOT_VOLUME_BACKUP, {
    "backup_id": "id", "compartment_id": "compartmentId", "display_name": "displayName",
    "boot_volume_id": "bootVolumeId", "image_id": "imageId", "lifecycle_state": "lifecycleState",
    "source_type": "sourceType", "backup_type": "type", "time_created": "timeCreated",
    "time_request_received": "timeRequestReceived", "expiration_time": "expirationTime", "size_in_gbs": "sizeInGBs",
    "unique_size_in_gbs": "uniqueSizeInGBs", "kms_key_id": "kmsKeyId",
    "source_boot_volume_backup_id": "sourceBootVolumeBackupId", "volume_group_backup_id": "volumeGroupBackupId",
    **_RETENTION}, "ListBootVolumeBackups")
VOLUME_ROWS = RowMap(BOOT_VOLUMES, wire.BOOT_VOLUME, {
    "boot_volume_id": "id", "compartment_id": "compartmentId", "availability_domain": "availabilityDomain",
    "display_name": "displayName", "image_id": "imageId", "lifecycle_state": "lifecycleState",
    "size_in_gbs": "sizeInGBs", "kms_key_id": "kmsKeyId", "volume_group_id": "volumeGroupId",
    "time_created": "timeCreated"}, "ListBootVolumes")
GROUP_ROWS = RowMap(VOLUME_GROUPS, wire.VOLUME_GROUP, {
    "volume_group_id": "id", "compartment_id": "compartmentId", "availability_domain": "availabilityDomain",
    "display_name": "displayName", "lifecycle_state": "lifecycleState", "time_created": "timeCreated"},
    "ListVolumeGroups")
GROUP_BACKUP_ROWS = RowMap(VOLUME_GROUP_BACKUPS, wire.VOLUME_GROUP_BACKUP, {
    "volume_group_backup_id": "id", "compartment_id": "compartmentId", "display_name": "displayName",
    "volume_group_id": "volumeGroupId", "lifecycle_state": "lifecycleState", "source_type": "sourceType",
    "backup_type": "type", "time_created": "timeCreated", "time_request_received": "timeRequestReceived",
    "expiration_time": "expirationTime", "source_volume_group_backup_id": "sourceVolumeGroupBackupId",
    "size_in_gbs": "sizeInGBs", "unique_size_in_gbs": "uniqueSizeInGbs", **_RETENTION}, "ListVolumeGroupBackups")
REPLICA_ROWS = RowMap(BOOT_VOLUME_REPLICAS, wire.BOOT_VOLUME_REPLICA, {
    "replica_id": "id", "compartment_id": "compartmentId", "availability_domain": "availabilityDomain",
    "display_name": "displayName", "boot_volume_id": "bootVolumeId", "lifecycle_state": "lifecycleState",
    "time_created": "timeCreated", "time_last_synced": "timeLastSynced",
    "volume_group_replica_id": "volumeGroupReplicaId", "kms_key_id": "kmsKeyId"}, "ListBootVolumeReplicas")
GROUP_REPLICA_ROWS = RowMap(VOLUME_GROUP_REPLICAS, wire.VOLUME_GROUP_REPLICA, {
    "replica_id": "id", "compartment_id": "compartmentId", "availability_domain": "availabilityDomain",
    "display_name": "displayName", "volume_group_id": "volumeGroupId", "lifecycle_state": "lifecycleState",
    "time_created": "timeCreated", "time_last_synced": "timeLastSynced"}, "ListVolumeGroupReplicas")
ASSIGNMENT_ROWS = RowMap(POLICY_ASSIGNMENTS, wire.POLICY_ASSIGNMENT, {
    "assignment_id": "id", "asset_id": "assetId", "policy_id": "policyId", "time_created": "timeCreated"},
    "GetVolumeBackupPolicyAssetAssignment")
POLICY_ROWS = RowMap(BACKUP_POLICIES, wire.BACKUP_POLICY, {
    "policy_id": "id", "compartment_id": "compartmentId", "display_name": "displayName",
    "destination_region": "destinationRegion", "time_created": "timeCreated"}, "GetVolumeBackupPolicy")
IMAGE_ROWS = RowMap(IMAGES, wire.IMAGE, {
    "image_id": "id", "compartment_id": "compartmentId", "display_name": "displayName",
    "operating_system": "operatingSystem", "operating_system_version": "operatingSystemVersion",
    "base_image_id": "baseImageId", "listing_type": "listingType", "launch_mode": "launchMode",
    "lifecycle_state": "lifecycleState", "time_created": "timeCreated"}, "GetImage")
IAM_ROWS = RowMap(IAM_POLICIES, wire.IAM_POLICY, {
    "policy_id": "id", "compartment_id": "compartmentId", "policy_name": "name",
    "lifecycle_state": "lifecycleState", "time_created": "timeCreated"}, "ListPolicies")

#: every map whose table holds timestamps checked against the collection's end (frames.py)
ROW_MAPS: tuple[RowMap, ...] = (BACKUP_ROWS, VOLUME_ROWS, GROUP_ROWS, GROUP_BACKUP_ROWS, REPLICA_ROWS,
                                GROUP_REPLICA_ROWS, ASSIGNMENT_ROWS, POLICY_ROWS, IAM_ROWS)


def _row(rowmap: RowMap, values: Mapping[str, Any], **extra: Any) -> tuple:
    """The row of ``rowmap.table``: mapped columns from ``values`` (by wire field), the others from ``extra``
    (by column name; a name the table does not declare raises, so a typo cannot shift a value)."""
    if not extra.keys() <= rowmap._extra:
        rowmap.table.row(**extra)  # raises SchemaError naming the unknown column
        raise ValueError(f"{sorted(set(extra) - rowmap._extra)} are mapped columns of {rowmap.table.name}")
    return tuple(values[src] if mapped else extra.get(src) for mapped, src in rowmap._order)


def backup_row(values: Mapping[str, Any], region: str) -> tuple:
    """One ``backups`` row; a lifecycle state the SDK would not know becomes UNKNOWN_ENUM_VALUE (the
    column is a category of the SDK's states)."""
    state = values["lifecycleState"]
    if state is not None and state not in _BACKUP_STATES:
        values = dict(values, lifecycleState=BackupState.UNKNOWN_ENUM_VALUE.value)
    return _row(BACKUP_ROWS, values, region=region)


def region_of_availability_domain(ad: str | None, key_to_region: Mapping[str, str]) -> str | None:
    """``Uocm:LHR-AD-1`` -> ``uk-london-1`` (via the tenancy's region keys, then the SDK's table)."""
    if not ad:
        return None
    # "Uocm:LHR-AD-1" carries the region key; other ADs spell the region: "Uocm:EU-FRANKFURT-1-AD-1",
    # and Ashburn's without its number: "pjBI:US-ASHBURN-AD-1" (Oracle's own Terraform tests)
    prefix = re.sub(r"-AD-\d+$", "", ad.split(":", 1)[-1], flags=re.IGNORECASE)
    name = lookup_region(prefix, key_to_region)
    if name not in set(key_to_region.values()) and not _is_region(name):
        numbered = lookup_region(prefix + "-1", key_to_region)
        if numbered in set(key_to_region.values()) or _is_region(numbered):
            return numbered
    return name


def _is_region(name: str) -> bool:
    import oci.regions

    return bool(oci.regions.is_region(name))


def replica_leads(values: Mapping[str, Any], info: Shape, id_field: str, list_field: str,
                  ) -> tuple[list[tuple[str, str]], list[Problem]]:
    """(replica id, availability domain) of every replica a boot volume or group names, and the problems
    of those it names badly (each is a problem of the list field)."""
    leads: list[tuple[str, str]] = []
    problems: list[Problem] = []
    for item in values.get(list_field) or []:
        got, bad = wire.check(info, item)
        if got is None or any(p.field in (id_field, "availabilityDomain") for p in bad):
            problems.append(Problem(list_field, wire.raw_text(item), f"{list_field}: an entry without a usable "
                                                                     f"{id_field} or availabilityDomain"))
            continue
        leads.append((got[id_field], got["availabilityDomain"]))
    return leads, problems


def boot_volume_row(values: Mapping[str, Any], region: str, lead_regions: Sequence[str | None]) -> tuple:
    """One ``boot_volumes`` row; the replicas it names become a count and their comma-separated regions."""
    return _row(VOLUME_ROWS, values, region=region, replica_count=len(lead_regions),
                replica_regions=",".join(sorted({r for r in lead_regions if r})) or None)


def members(table: Table, parent: str, region: str, ids: Iterable[str], column: str) -> list[tuple]:
    """Membership rows: one per id of a group's ``volumeIds`` or a group backup's ``volumeBackupIds``."""
    key = table.columns[0].name
    return [table.row(**{key: parent, "region": region, column: ident}) for ident in dict.fromkeys(ids)]


def image_row(values: Mapping[str, Any] | None, image_id: str, region: str, status: str) -> dict[str, Any]:
    """One ``images`` row as a dict (its Marketplace columns are filled later by :func:`add_listing`);
    ``values`` is None when the image could not be read (``status`` says why)."""
    data = dict(values or {col: None for col in IMAGE_ROWS.columns.values()})
    data["id"] = image_id
    return dict(zip(IMAGES.column_names, _row(IMAGE_ROWS, data, region=region, lookup_status=status), strict=True))


def add_listing(row: dict[str, Any], listing: Wire) -> None:
    """Record on an ``images`` row the Marketplace listing that publishes the image."""
    row["marketplace_listing_id"] = listing.get("id")
    publisher = listing.get("publisher")
    name = publisher.get("name") if isinstance(publisher, dict) else None
    row["marketplace_publisher"] = name if isinstance(name, str) else None


def backup_policy_row(values: Mapping[str, Any], region: str) -> tuple:
    """One ``backup_policies`` row; schedules are kept as compact JSON."""
    schedules = values["schedules"]
    return _row(POLICY_ROWS, values, region=region, schedules=None if schedules is None else json.dumps(
        schedules, sort_keys=True, separators=(",", ":"), ensure_ascii=True))


def assignment_row(values: Mapping[str, Any], region: str, asset_type: str) -> tuple:
    """One ``policy_assignments`` row (``asset_type``: boot_volume or volume_group)."""
    return _row(ASSIGNMENT_ROWS, values, region=region, asset_type=asset_type)


def iam_policy_rows(values: Mapping[str, Any]) -> list[tuple]:
    """One ``iam_policies`` row per statement, numbered from 1 as in the Console."""
    return [_row(IAM_ROWS, values, statement_index=n, statement=statement)
            for n, statement in enumerate(values["statements"] or [], start=1)]


def region_rows(subscriptions: Iterable[Wire], collected: set[str]) -> list[tuple]:
    """One ``regions`` row per subscription; ``collected`` says whether this run read it."""
    return [REGIONS.row(region=s.get("regionName"), region_key=s.get("regionKey"),
                        is_home_region=s.get("isHomeRegion") is True, status=s.get("status"),
                        collected=s.get("regionName") in collected) for s in subscriptions]


def error_row(*, region: str | None, compartment_id: str | None, operation: str, resource_id: str | None,
              http_status: int | None, code: str | None, message: str | None, opc_request_id: str | None,
              time: str, field: str | None = None, raw_value: str | None = None) -> tuple:
    """One ``errors`` row: a read that failed for good, or (``field`` set) one bad field of a record."""
    return ERRORS.row(region=region, compartment_id=compartment_id, operation=operation, resource_id=resource_id,
                      http_status=http_status, code=code, message=message, opc_request_id=opc_request_id, time=time,
                      field=field, raw_value=raw_value)


def select_regions(subscriptions: Sequence[Wire], wanted: str | Sequence[str] | None) -> list[str]:
    """READY subscribed region names to collect: all of them, or the ones named (names or short codes).

    Raises :class:`InputError` for an unknown name or a region the tenancy does not subscribe to
    (or whose subscription is still IN_PROGRESS: it cannot be read yet).
    """
    import oci

    ready = [s["regionName"] for s in subscriptions if s.get("status") == "READY"]
    if not wanted:
        return ready
    items = [w for part in ([wanted] if isinstance(wanted, str) else wanted) for w in str(part).split(",")]
    by_key = {str(s.get("regionKey", "")).lower(): s["regionName"] for s in subscriptions}
    chosen: list[str] = []
    for raw in (w.strip() for w in items):
        if not raw:
            continue
        name = lookup_region(raw, by_key)
        known = name in by_key.values() or oci.regions.is_region(name)
        if not known:
            raise InputError(f"unknown region {raw!r}: use a region name (uk-london-1) or short code (lhr); "
                             f"subscribed: {', '.join(ready)}")
        if name not in ready:
            raise InputError(f"region {raw!r} ({name}) is not a READY subscribed region of this tenancy; "
                             f"subscribed: {', '.join(ready)}")
        if name not in chosen:
            chosen.append(name)
    if not chosen:
        raise InputError(f"--regions {wanted!r} names no region; subscribed: {', '.join(ready)}")
    return chosen

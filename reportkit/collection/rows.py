"""Pure conversions: OCI wire JSON (camelCase dicts) -> rows of the declared inventory tables.

Nothing here talks to the network. Each ``*_row`` names every value by its column
(``Table.row(backup_id=..., region=...)``), which returns a compact tuple in the declared order,
so a run holds 100k backups as tuples of strings, not SDK objects, and no order is kept by hand.
Timestamps stay RFC3339 strings until :func:`frame` converts a whole column at once.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd

from reportkit.errors import InputError
from reportkit.regions import lookup_region
from reportkit.schema import (
    BACKUP_POLICIES,
    BACKUPS,
    BOOT_VOLUMES,
    ERRORS,
    IAM_POLICIES,
    IMAGES,
    POLICY_ASSIGNMENTS,
    REGIONS,
    AssetType,
    BackupState,
    Table,
)

Wire = Mapping[str, Any]
_BACKUP_STATES = {s.value for s in BackupState}


def backup_row(item: Wire, region: str) -> tuple:
    """One ``backups`` row; a lifecycle state the SDK would not know becomes UNKNOWN_ENUM_VALUE."""
    state = item.get("lifecycleState")
    if state is not None and state not in _BACKUP_STATES:
        state = BackupState.UNKNOWN_ENUM_VALUE.value
    return BACKUPS.row(
        backup_id=item.get("id"), region=region, compartment_id=item.get("compartmentId"),
        display_name=item.get("displayName"), boot_volume_id=item.get("bootVolumeId"), image_id=item.get("imageId"),
        lifecycle_state=state, source_type=item.get("sourceType"), backup_type=item.get("type"),
        time_created=item.get("timeCreated"), time_request_received=item.get("timeRequestReceived"),
        expiration_time=item.get("expirationTime"), size_in_gbs=item.get("sizeInGBs"),
        unique_size_in_gbs=item.get("uniqueSizeInGBs"), kms_key_id=item.get("kmsKeyId"),
        source_boot_volume_backup_id=item.get("sourceBootVolumeBackupId"),
        volume_group_backup_id=item.get("volumeGroupBackupId"))


def region_of_availability_domain(ad: str | None, key_to_region: Mapping[str, str]) -> str | None:
    """``Uocm:LHR-AD-1`` -> ``uk-london-1`` (via the tenancy's region keys, then the SDK's table)."""
    if not ad:
        return None
    # "Uocm:LHR-AD-1" carries the region key; some realms spell the name: "Uocm:UK-LONDON-1-AD-1"
    prefix = re.sub(r"-AD-\d+$", "", ad.split(":", 1)[-1], flags=re.IGNORECASE)
    return lookup_region(prefix, key_to_region)


def boot_volume_row(item: Wire, region: str, key_to_region: Mapping[str, str]) -> tuple:
    """One ``boot_volumes`` row; replicas become a count and their comma-separated regions."""
    replicas = item.get("bootVolumeReplicas") or []
    replica_regions = [region_of_availability_domain(r.get("availabilityDomain"), key_to_region) for r in replicas]
    return BOOT_VOLUMES.row(
        boot_volume_id=item.get("id"), region=region, compartment_id=item.get("compartmentId"),
        availability_domain=item.get("availabilityDomain"), display_name=item.get("displayName"),
        image_id=item.get("imageId"), lifecycle_state=item.get("lifecycleState"), size_in_gbs=item.get("sizeInGBs"),
        kms_key_id=item.get("kmsKeyId"), volume_group_id=item.get("volumeGroupId"),
        time_created=item.get("timeCreated"), replica_count=len(replicas),
        replica_regions=",".join(r for r in replica_regions if r) or None)


def image_row(item: Wire | None, image_id: str, region: str, status: str) -> dict[str, Any]:
    """One ``images`` row as a dict (its Marketplace columns are filled later by :func:`add_listing`);
    ``item`` is None when the image could not be read (``status`` says why)."""
    item = item or {}
    return dict(zip(IMAGES.column_names, IMAGES.row(
        image_id=image_id, region=region, compartment_id=item.get("compartmentId"),
        display_name=item.get("displayName"), operating_system=item.get("operatingSystem"),
        operating_system_version=item.get("operatingSystemVersion"), base_image_id=item.get("baseImageId"),
        listing_type=item.get("listingType"), launch_mode=item.get("launchMode"),
        lifecycle_state=item.get("lifecycleState"), time_created=item.get("timeCreated"), lookup_status=status),
        strict=True))


def add_listing(row: dict[str, Any], listing: Wire) -> None:
    """Record on an ``images`` row the Marketplace listing that publishes the image."""
    row["marketplace_listing_id"] = listing.get("id")
    row["marketplace_publisher"] = (listing.get("publisher") or {}).get("name")


def backup_policy_row(item: Wire, region: str) -> tuple:
    """One ``backup_policies`` row; schedules are kept as compact JSON."""
    schedules = item.get("schedules")
    return BACKUP_POLICIES.row(
        policy_id=item.get("id"), region=region, compartment_id=item.get("compartmentId"),
        display_name=item.get("displayName"), destination_region=item.get("destinationRegion"),
        schedules=None if schedules is None else json.dumps(schedules, sort_keys=True, separators=(",", ":")),
        time_created=item.get("timeCreated"))


def assignment_row(item: Wire, region: str) -> tuple:
    """One ``policy_assignments`` row."""
    return POLICY_ASSIGNMENTS.row(assignment_id=item.get("id"), region=region, asset_id=item.get("assetId"),
                                  asset_type=AssetType.BOOT_VOLUME.value,
                                  policy_id=item.get("policyId"), time_created=item.get("timeCreated"))


def iam_policy_rows(item: Wire) -> list[tuple]:
    """One ``iam_policies`` row per statement, numbered from 1 as in the Console."""
    return [IAM_POLICIES.row(policy_id=item.get("id"), compartment_id=item.get("compartmentId"),
                             policy_name=item.get("name"), statement_index=n, statement=statement,
                             lifecycle_state=item.get("lifecycleState"), time_created=item.get("timeCreated"))
            for n, statement in enumerate(item.get("statements") or [], start=1)]


def region_rows(subscriptions: Iterable[Wire], collected: set[str]) -> list[tuple]:
    """One ``regions`` row per subscription; ``collected`` says whether this run read it."""
    return [REGIONS.row(region=s.get("regionName"), region_key=s.get("regionKey"),
                        is_home_region=bool(s.get("isHomeRegion")), status=s.get("status"),
                        collected=s.get("regionName") in collected) for s in subscriptions]


def error_row(*, region: str | None, compartment_id: str | None, operation: str, resource_id: str | None,
              http_status: int | None, code: str | None, message: str | None, opc_request_id: str | None,
              time: str) -> tuple:
    """One ``errors`` row: a read that failed for good."""
    return ERRORS.row(region=region, compartment_id=compartment_id, operation=operation, resource_id=resource_id,
                      http_status=http_status, code=code, message=message, opc_request_id=opc_request_id, time=time)


def select_regions(subscriptions: Sequence[Wire], wanted: str | Sequence[str] | None) -> list[str]:
    """READY subscribed region names to collect: all of them, or the ones named (names or short codes).

    Raises :class:`InputError` for an unknown name or a region the tenancy does not subscribe to.
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
    return chosen


def frame(table: Table, rows: Iterable[tuple]) -> pd.DataFrame:
    """Build the declared frame for ``table`` from rows built by ``table.row`` (one conversion per column)."""
    data = list(rows)
    raw = pd.DataFrame.from_records(data, columns=table.column_names) if data else \
        pd.DataFrame({c: [] for c in table.column_names})
    return table.coerce(raw)


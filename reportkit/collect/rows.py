"""Pure conversions: OCI wire JSON (camelCase dicts) -> compact rows in the declared column order.

Nothing here talks to the network. Each ``*_row`` returns a tuple in the order of the matching
``reportkit.schema`` table, so a run holds 100k backups as tuples of strings, not SDK objects.
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
from reportkit.schema import BackupState, Table

Wire = Mapping[str, Any]
_BACKUP_STATES = {s.value for s in BackupState}


def backup_row(item: Wire, region: str) -> tuple:
    """One ``backups`` row; a lifecycle state the SDK would not know becomes UNKNOWN_ENUM_VALUE."""
    state = item.get("lifecycleState")
    if state is not None and state not in _BACKUP_STATES:
        state = BackupState.UNKNOWN_ENUM_VALUE.value
    return (item.get("id"), region, item.get("compartmentId"), item.get("displayName"), item.get("bootVolumeId"),
            item.get("imageId"), state, item.get("sourceType"), item.get("type"), item.get("timeCreated"),
            item.get("timeRequestReceived"), item.get("expirationTime"), item.get("sizeInGBs"),
            item.get("uniqueSizeInGBs"), item.get("kmsKeyId"), item.get("sourceBootVolumeBackupId"),
            item.get("volumeGroupBackupId"))


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
    return (item.get("id"), region, item.get("compartmentId"), item.get("availabilityDomain"), item.get("displayName"),
            item.get("imageId"), item.get("lifecycleState"), item.get("sizeInGBs"), item.get("kmsKeyId"),
            item.get("volumeGroupId"), item.get("timeCreated"), len(replicas),
            ",".join(r for r in replica_regions if r) or None)


def image_row(item: Wire | None, image_id: str, region: str, status: str,
              listing: Wire | None = None) -> tuple:
    """One ``images`` row; ``item`` is None when the image could not be read (status says why)."""
    item = item or {}
    publisher = (listing or {}).get("publisher") or {}
    return (image_id, region, item.get("compartmentId"), item.get("displayName"), item.get("operatingSystem"),
            item.get("operatingSystemVersion"), item.get("baseImageId"), item.get("listingType"),
            item.get("launchMode"), item.get("lifecycleState"), item.get("timeCreated"),
            (listing or {}).get("id"), publisher.get("name"), status)


def backup_policy_row(item: Wire, region: str) -> tuple:
    schedules = item.get("schedules")
    return (item.get("id"), region, item.get("compartmentId"), item.get("displayName"), item.get("destinationRegion"),
            None if schedules is None else json.dumps(schedules, sort_keys=True, separators=(",", ":")),
            item.get("timeCreated"))


def assignment_row(item: Wire, region: str) -> tuple:
    return (item.get("id"), region, item.get("assetId"), item.get("policyId"), item.get("timeCreated"))


def iam_policy_rows(item: Wire) -> list[tuple]:
    """One row per statement, numbered from 1 as in the Console."""
    return [(item.get("id"), item.get("compartmentId"), item.get("name"), n, statement, item.get("lifecycleState"),
             item.get("timeCreated")) for n, statement in enumerate(item.get("statements") or [], start=1)]


def region_rows(subscriptions: Iterable[Wire], collected: set[str]) -> list[tuple]:
    return [(s.get("regionName"), s.get("regionKey"), bool(s.get("isHomeRegion")), s.get("status"),
             s.get("regionName") in collected) for s in subscriptions]


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
    """Build the declared frame for ``table`` from row tuples (one conversion per column)."""
    data = list(rows)
    raw = pd.DataFrame.from_records(data, columns=table.column_names) if data else \
        pd.DataFrame({c: [] for c in table.column_names})
    return table.coerce(raw)


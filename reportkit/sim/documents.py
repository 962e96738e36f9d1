"""Tenancy documents (format: docs/sim.md): the empty one, loading one by name or file, validation, iteration."""
from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from reportkit.errors import InputError

# the models import this module (to validate what they load, and its time format), so it imports nothing from them
WireDict = dict[str, Any]

#: sections keyed by region name, each a list of records of that region (replicas: the replica's region)
RECORD_SECTIONS = ("images", "bootVolumes", "bootVolumeBackups", "volumeBackupPolicies",
                   "volumeBackupPolicyAssignments", "volumeGroups", "volumeGroupBackups", "bootVolumeReplicas",
                   "volumeGroupReplicas", "vaults", "keys")
#: sections keyed by region name, each a list of wire records without an ``id`` (named by other fields)
ENTRY_SECTIONS = ("shapes", "imageShapeCompatibility")
#: sections keyed by region name, each a list of names
NAME_SECTIONS = ("vaultKeys", "availabilityDomains")
REGIONAL_SECTIONS = RECORD_SECTIONS + ENTRY_SECTIONS + NAME_SECTIONS
#: tenancy-wide sections, each a list of records with an ``id``
GLOBAL_SECTIONS = ("compartments", "policies", "marketplaceListings")

SUBSCRIPTION_STATES = ("READY", "IN_PROGRESS")
COMPARTMENT_STATES = ("CREATING", "ACTIVE", "INACTIVE", "DELETING", "DELETED")
_BACKUP_STATES = ("REQUEST_RECEIVED", "CREATING", "AVAILABLE", "TERMINATING", "TERMINATED", "FAULTY")
_REPLICA_STATES = ("PROVISIONING", "AVAILABLE", "ACTIVATING", "TERMINATING", "TERMINATED", "FAULTY")
#: allowed lifecycleState values per section (the SDK models' enums)
LIFECYCLE_STATES: dict[str, tuple[str, ...]] = {
    "bootVolumeBackups": _BACKUP_STATES,
    "volumeGroupBackups": (*_BACKUP_STATES, "COMMITTED"),
    "volumeGroups": ("PROVISIONING", "AVAILABLE", "TERMINATING", "TERMINATED", "FAULTY", "UPDATE_PENDING"),
    "bootVolumeReplicas": _REPLICA_STATES,
    "volumeGroupReplicas": _REPLICA_STATES,
    "vaults": ("CREATING", "ACTIVE", "DELETING", "DELETED", "PENDING_DELETION", "SCHEDULING_DELETION",
               "CANCELLING_DELETION", "UPDATING", "BACKUP_IN_PROGRESS", "RESTORING"),
    "keys": ("CREATING", "ENABLING", "ENABLED", "DISABLING", "DISABLED", "DELETING", "DELETED", "PENDING_DELETION",
             "SCHEDULING_DELETION", "CANCELLING_DELETION", "UPDATING", "BACKUP_IN_PROGRESS", "RESTORING"),
}
VAULT_TYPES = ("VIRTUAL_PRIVATE", "EXTERNAL", "DEFAULT")
_TIME_FIELDS = ("timeCreated", "timeRequestReceived", "expirationTime", "timeRetentionExpiresAt", "timeLastSynced",
                "timeOfDeletion")
_BOOL_FIELDS = ("isRetentionLockEnabled", "isPreventDeletionEnabled", "isIndefiniteRetentionEnabled")
#: fields each record of a section must carry beyond its ``id`` (what OCI always sends and the fake relies on)
_REQUIRED: dict[str, tuple[str, ...]] = {
    "volumeGroups": ("compartmentId", "availabilityDomain", "volumeIds"),
    "volumeGroupBackups": ("compartmentId", "volumeBackupIds", "lifecycleState"),
    "bootVolumeReplicas": ("compartmentId", "availabilityDomain", "bootVolumeId", "lifecycleState", "timeLastSynced"),
    "volumeGroupReplicas": ("compartmentId", "availabilityDomain", "volumeGroupId", "lifecycleState",
                            "timeLastSynced", "memberReplicas"),
    "vaults": ("compartmentId", "displayName", "lifecycleState", "vaultType"),
    "keys": ("compartmentId", "vaultId", "displayName", "lifecycleState"),
}


def parse_time(value: str) -> datetime:
    """Parse an RFC3339 timestamp (``...Z`` or with offset) into an aware UTC datetime."""
    text = value.strip().replace("Z", "+00:00").replace("z", "+00:00")
    return datetime.fromisoformat(text).astimezone(timezone.utc)


def format_time(moment: datetime) -> str:
    """Format a datetime the way OCI does: ``2026-06-01T02:00:00.000Z``."""
    moment = moment.astimezone(timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def empty_document() -> WireDict:
    """Return the smallest valid tenancy document (one home region, nothing in it)."""
    return {
        "schemaVersion": 1,
        "asOf": "2026-11-01T00:00:00.000Z",
        "tenancy": {"id": "ocid1.tenancy.oc1..aaaaaaaasimempty", "name": "empty", "homeRegionKey": "LHR"},
        "regionSubscriptions": [
            {"regionKey": "LHR", "regionName": "uk-london-1", "status": "READY", "isHomeRegion": True}],
    }


def load_document(source: str) -> WireDict:
    """Return the tenancy document named by ``source``: ``demo`` (the built-in demo tenancy) or a JSON file.

    Raises :class:`InputError` (one line naming the source) for a missing or unreadable file; the
    document itself is validated when a backend loads it.
    """
    if source == "demo":
        from reportkit.sim.demo import build_demo_tenancy

        return build_demo_tenancy()
    path = Path(source)
    if not path.is_file():
        raise InputError(f"--tenancy {source}: no such file; pass 'demo' or a tenancy document JSON file")
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise InputError(f"--tenancy {source}: not a readable JSON file ({exc})") from exc


def home_region(doc: WireDict) -> str:
    """The home region's name (``uk-london-1`` when the document names none)."""
    return next((s["regionName"] for s in doc.get("regionSubscriptions", []) if s.get("isHomeRegion")),
                None) or "uk-london-1"


def validate_document(doc: Any) -> None:
    """Check a tenancy document's shape; raise :class:`InputError` saying what is wrong and where."""
    if not isinstance(doc, dict):
        raise InputError(f"tenancy document must be a JSON object, got {type(doc).__name__}")
    if doc.get("schemaVersion", 1) != 1:
        raise InputError(f"tenancy document schemaVersion {doc.get('schemaVersion')!r} is not supported (expected 1)")
    tenancy = doc.get("tenancy")
    if not isinstance(tenancy, dict) or not tenancy.get("id"):
        raise InputError("tenancy document: 'tenancy' must be an object with an 'id'")
    subs = doc.get("regionSubscriptions", [])
    if not isinstance(subs, list) or any(not isinstance(s, dict) or not s.get("regionName") for s in subs):
        raise InputError("tenancy document: 'regionSubscriptions' must be a list of objects with 'regionName'")
    for key in GLOBAL_SECTIONS:
        items = doc.get(key, [])
        if not isinstance(items, list) or any(not isinstance(i, dict) or not i.get("id") for i in items):
            raise InputError(f"tenancy document: '{key}' must be a list of objects each with an 'id'")
    for key in REGIONAL_SECTIONS:
        section = doc.get(key, {})
        if not isinstance(section, dict):
            raise InputError(f"tenancy document: '{key}' must be an object keyed by region name")
        for region, items in section.items():
            if not isinstance(items, list):
                raise InputError(f"tenancy document: '{key}.{region}' must be a list")
            if key in NAME_SECTIONS:
                if any(not isinstance(i, str) or not i for i in items):
                    raise InputError(f"tenancy document: '{key}.{region}' must be a list of names")
            elif key in ENTRY_SECTIONS:
                if any(not isinstance(i, dict) for i in items):
                    raise InputError(f"tenancy document: every item of '{key}.{region}' must be an object")
            elif key != "volumeBackupPolicyAssignments":
                bad = [i for i in items if not isinstance(i, dict) or not i.get("id")]
                if bad:
                    raise InputError(f"tenancy document: every item of '{key}.{region}' needs an 'id'")
    if "asOf" in doc:
        try:
            parse_time(str(doc["asOf"]))
        except ValueError as exc:
            raise InputError(f"tenancy document: 'asOf' is not an RFC3339 time: {doc['asOf']!r}") from exc
    _validate_states(doc)
    _validate_records(doc)
    _validate_references(doc)
    _validate_restorability(doc)


def _validate_states(doc: WireDict) -> None:
    """Subscriptions and compartments: known states; nothing lives in (or below) a DELETED compartment."""
    for sub in doc.get("regionSubscriptions", []):
        where = f"regionSubscriptions[{sub['regionName']}]"
        if sub.get("status", "READY") not in SUBSCRIPTION_STATES:
            raise InputError(f"tenancy document: {where}.status must be one of {list(SUBSCRIPTION_STATES)}")
        if "_readyAt" in sub:
            if sub.get("status") != "IN_PROGRESS":
                raise InputError(f"tenancy document: {where}._readyAt only applies to an IN_PROGRESS subscription")
            _check_time(sub["_readyAt"], f"{where}._readyAt")
    compartments = {c["id"]: c for c in doc.get("compartments", [])}
    for comp in compartments.values():
        if comp.get("lifecycleState", "ACTIVE") not in COMPARTMENT_STATES:
            raise InputError(f"tenancy document: compartment {comp['id']} lifecycleState must be one of "
                             f"{list(COMPARTMENT_STATES)}")
    deleted = {cid for cid, c in compartments.items() if c.get("lifecycleState") == "DELETED"}
    for comp in compartments.values():
        if comp.get("compartmentId") in deleted and comp["id"] not in deleted:
            raise InputError(f"tenancy document: compartment {comp['id']} is {comp.get('lifecycleState', 'ACTIVE')} "
                             f"inside DELETED compartment {comp['compartmentId']} (OCI deletes only empty compartments)")
    for section, region, item in _regional_records(doc):
        if item.get("compartmentId") in deleted:
            raise InputError(f"tenancy document: {section}.{region} {item['id']} is in DELETED compartment "
                             f"{item['compartmentId']} (OCI deletes only empty compartments)")
    for policy in doc.get("policies", []):
        if policy.get("compartmentId") in deleted:
            raise InputError(f"tenancy document: policy {policy['id']} is in DELETED compartment {policy['compartmentId']}")


def _validate_records(doc: WireDict) -> None:
    """Per record: required fields, enum states, RFC3339 times, booleans, and expiry on scheduled backups."""
    for section, region, item in _regional_records(doc):
        where = f"{section}.{region} {item['id']}"
        missing = [f for f in _REQUIRED.get(section, ()) if item.get(f) in (None, "")]
        if missing:
            raise InputError(f"tenancy document: {where} needs {', '.join(missing)}")
        states = LIFECYCLE_STATES.get(section)
        if states and "lifecycleState" in item and item["lifecycleState"] not in states:
            raise InputError(f"tenancy document: {where} lifecycleState {item['lifecycleState']!r} is not one of "
                             f"{list(states)}")
        for name in _TIME_FIELDS:
            if name in item:
                _check_time(item[name], f"{where}.{name}")
        for name in _BOOL_FIELDS:
            if name in item and not isinstance(item[name], bool):
                raise InputError(f"tenancy document: {where}.{name} must be true or false")
        if section in ("bootVolumeBackups", "volumeGroupBackups") and item.get("sourceType") == "SCHEDULED" \
                and not item.get("expirationTime"):
            raise InputError(f"tenancy document: {where} is SCHEDULED but has no expirationTime "
                             "(OCI always sets it on backups made by a policy)")
        for name in ("volumeIds", "volumeBackupIds"):
            if name in item and (not isinstance(item[name], list) or not all(isinstance(i, str) for i in item[name])):
                raise InputError(f"tenancy document: {where}.{name} must be a list of OCIDs")
        if "_syncIntervalSeconds" in item and not (isinstance(item["_syncIntervalSeconds"], (int, float))
                                                  and item["_syncIntervalSeconds"] > 0):
            raise InputError(f"tenancy document: {where}._syncIntervalSeconds must be a number > 0")


def _validate_references(doc: WireDict) -> None:
    """Links between records: group membership of backups, replicas' sources, availability domains."""
    group_backups = {(region, g["id"]): g for region, items in doc.get("volumeGroupBackups", {}).items()
                     for g in items}
    for region, backups in doc.get("bootVolumeBackups", {}).items():
        for bkp in backups:
            gid = bkp.get("volumeGroupBackupId")
            if not gid:
                continue
            group = group_backups.get((region, gid))
            if group is None or bkp["id"] not in group.get("volumeBackupIds", []):
                raise InputError(f"tenancy document: bootVolumeBackups.{region} {bkp['id']} names volume group "
                                 f"backup {gid}, which is not in volumeGroupBackups.{region} or does not list it "
                                 "in volumeBackupIds")
    volumes = {v["id"] for items in doc.get("bootVolumes", {}).values() for v in items}
    groups = {g["id"] for items in doc.get("volumeGroups", {}).values() for g in items}
    for section, field, known in (("bootVolumeReplicas", "bootVolumeId", volumes),
                                  ("volumeGroupReplicas", "volumeGroupId", groups)):
        for region, items in doc.get(section, {}).items():
            for rep in items:
                if rep[field] not in known:
                    raise InputError(f"tenancy document: {section}.{region} {rep['id']} replicates {rep[field]}, "
                                     f"which is not in {'bootVolumes' if field == 'bootVolumeId' else 'volumeGroups'}")
    for section in ("bootVolumes", "volumeGroups", "bootVolumeReplicas", "volumeGroupReplicas"):
        for region, items in doc.get(section, {}).items():
            for item in items:
                ad = item.get("availabilityDomain")
                if ad and not is_region_ad(doc, region, ad):
                    raise InputError(f"tenancy document: {section}.{region} {item['id']} is in availability domain "
                                     f"{ad}, which is not an availability domain of {region}")


def is_region_ad(doc: WireDict, region: str, ad: str) -> bool:
    """Whether ``ad`` can be an availability domain of ``region``: one of the region's declared ADs,
    else a name that points at the region or at no subscribed region."""
    declared = doc.get("availabilityDomains", {})
    if region in declared and ad not in declared[region]:
        return False
    return ad_region(ad, doc.get("regionSubscriptions", [])) in (None, region)


def ad_region(ad: str, subscriptions: list[WireDict]) -> str | None:
    """The subscribed region an availability domain's name points at, or None when it names none.

    OCI names ADs ``<tenancy prefix>:<region key or name>-AD-<n>``: ``Uocm:PHX-AD-1``,
    ``Uocm:US-ASHBURN-AD-1``, ``Uocm:EU-FRANKFURT-1-AD-1``.
    """
    stem = ad.split(":", 1)[-1].rsplit("-AD-", 1)[0].upper()
    for sub in subscriptions:
        name = str(sub["regionName"]).upper()
        if stem in (str(sub.get("regionKey", "")).upper(), name, name.rsplit("-", 1)[0]):
            return str(sub["regionName"])
    return None


def _regional_records(doc: WireDict) -> Iterable[tuple[str, str, WireDict]]:
    for section in RECORD_SECTIONS:
        if section == "volumeBackupPolicyAssignments":
            continue
        for region, items in doc.get(section, {}).items():
            for item in items:
                yield section, region, item


def _check_time(value: Any, where: str) -> None:
    try:
        parse_time(str(value))
    except ValueError as exc:
        raise InputError(f"tenancy document: {where} is not an RFC3339 time: {value!r}") from exc


def iter_models(doc: WireDict) -> Iterable[tuple[str, WireDict]]:
    """Yield (section, record) for every resource record of a document (for tests and tools)."""
    yield "tenancy", doc["tenancy"]
    for key in ("regionSubscriptions", *GLOBAL_SECTIONS):
        for item in doc.get(key, []):
            yield key, item
    for key in RECORD_SECTIONS + ENTRY_SECTIONS:
        for items in doc.get(key, {}).values():
            for item in items:
                yield key, item


def _validate_restorability(doc: WireDict) -> None:
    """Shapes, image shape compatibility, vaults and keys (the sections issue 19 reads)."""
    for region, shapes in doc.get("shapes", {}).items():
        seen: set[str] = set()
        for shape in shapes:
            name = shape.get("shape")
            if not isinstance(name, str) or not name or name in seen:
                raise InputError(f"tenancy document: every item of 'shapes.{region}' needs a 'shape' name, "
                                 f"once per region (got {name!r})")
            seen.add(name)
            ads = shape.get("_availabilityDomains", [])
            if not isinstance(ads, list) or not ads and "_availabilityDomains" in shape \
                    or any(not isinstance(ad, str) or not is_region_ad(doc, region, ad) for ad in ads):
                raise InputError(f"tenancy document: shapes.{region} {name}._availabilityDomains must be a non-empty "
                                 f"list of availability domains of {region}")
    images = {region: {i["id"] for i in items} for region, items in doc.get("images", {}).items()}
    for region, entries in doc.get("imageShapeCompatibility", {}).items():
        seen_pairs: set[tuple[str, str]] = set()
        for entry in entries:
            pair = (entry.get("imageId"), entry.get("shape"))
            if not all(isinstance(p, str) and p for p in pair) or pair in seen_pairs:
                raise InputError(f"tenancy document: every item of 'imageShapeCompatibility.{region}' needs an "
                                 f"'imageId' and a 'shape', once per pair (got {pair})")
            if pair[0] not in images.get(region, set()):
                raise InputError(f"tenancy document: imageShapeCompatibility.{region} names image {pair[0]}, which is "
                                 f"not in images.{region} (entries are served in the image's region)")
            seen_pairs.add(pair)
    _validate_vaults(doc)


def _validate_vaults(doc: WireDict) -> None:
    """Vault types, each key in a vault of its region, one region per key (vaultKeys included)."""
    vaults = {region: {v["id"] for v in items} for region, items in doc.get("vaults", {}).items()}
    for region, items in doc.get("vaults", {}).items():
        for vault in items:
            if vault["vaultType"] not in VAULT_TYPES:
                raise InputError(f"tenancy document: vaults.{region} {vault['id']} vaultType must be one of "
                                 f"{list(VAULT_TYPES)}")
    key_region: dict[str, str] = {}
    for region, items in doc.get("keys", {}).items():
        for key in items:
            if key["vaultId"] not in vaults.get(region, set()):
                raise InputError(f"tenancy document: keys.{region} {key['id']} names vault {key['vaultId']}, which is "
                                 f"not in vaults.{region} (a key lives in a vault of its own region)")
            if key_region.setdefault(key["id"], region) != region:
                raise InputError(f"tenancy document: key {key['id']} is in keys.{key_region[key['id']]} and "
                                 f"keys.{region}")
    for region, names in doc.get("vaultKeys", {}).items():
        for key_id in names:
            if key_region.get(key_id, region) != region:
                raise InputError(f"tenancy document: vaultKeys.{region} names key {key_id}, which is in "
                                 f"keys.{key_region[key_id]} (a key belongs to one region)")
    known = {v for ids in vaults.values() for v in ids}
    for vault_id in doc.get("access", {}).get("deniedVaults", []):
        if vault_id not in known:
            raise InputError(f"tenancy document: access.deniedVaults names {vault_id!r}, which is not in 'vaults'")

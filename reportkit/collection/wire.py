"""What an OCI answer must look like before it becomes rows: the record shapes the SDK models document.

Each :class:`Shape` names the fields collect reads from one SDK model (``oci.core.models.BootVolumeBackup``
and so on), with their JSON name, kind and whether the model marks them ``[Required]``
(``tests/test_collection_wire.py`` checks every shape against the installed SDK). :func:`check`
returns a record's values with every bad field replaced by None, plus one :class:`Problem` per bad
field; a record that is not a JSON object, or has no id, is unusable (``values`` None).
Extra fields and unknown enum values are not problems: OCI adds both, and they are kept as they are.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

#: what a field may hold (JSON): text, an RFC3339 time, an integer, a boolean, a list of texts, a list
#: of objects, an object
STR, TIME, INT, BOOL, STRLIST, OBJLIST, OBJ = "str", "time", "int", "bool", "strlist", "objlist", "obj"

#: pandas' datetime64[ns] range: a time outside it cannot be stored, so it is a bad value
_EARLIEST = datetime(1677, 9, 22, tzinfo=timezone.utc)
_LATEST = datetime(2262, 4, 11, tzinfo=timezone.utc)
_INT64 = 2 ** 63 - 1
_MISSING = object()
RAW_LIMIT = 200  # characters of a bad value kept in errors.raw_value


@dataclass(frozen=True)
class Field:
    """One wire field: JSON name, kind, required by the SDK model, and whether a bad value can change a
    verdict (``cosmetic`` fields — names, sizes, retention flags — cannot: their problems are not gaps)."""

    name: str
    kind: str
    required: bool = False
    cosmetic: bool = False


@dataclass(frozen=True)
class Shape:
    """The fields collect reads from one SDK model (``model`` names it, for messages and the SDK test)."""

    model: str
    fields: tuple[Field, ...]
    id_field: str = "id"
    _plan: tuple[tuple[str, str, bool], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_plan", tuple((f.name, f.kind, f.required) for f in self.fields))

    def cosmetic(self, name: str) -> bool:
        return any(f.name == name and f.cosmetic for f in self.fields)


@dataclass(frozen=True)
class Problem:
    """One bad field of one record (``field`` None: the record as a whole is unusable)."""

    field: str | None
    raw: str
    reason: str


def raw_text(value: Any) -> str:
    """``value`` as short text for errors.raw_value (lone surrogates escaped, so it can be stored)."""
    if value is _MISSING:
        return "<absent>"
    text = value if isinstance(value, str) else repr(value)
    return text.encode("utf-8", "backslashreplace").decode("utf-8")[:RAW_LIMIT]


def _bad_text(value: str) -> bool:
    # a lone surrogate (JSON "\ud800") cannot be written as UTF-8 (Parquet); ASCII is the fast path
    if value.isascii():
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def parse_time(value: str) -> datetime | None:
    """Return the UTC time an RFC3339 text names, or None if it is not one pandas can hold."""
    try:
        moment = datetime.fromisoformat(value)
    except (ValueError, TypeError):
        return None
    if moment.tzinfo is None:
        return None  # RFC3339 always carries an offset
    if not _EARLIEST <= moment <= _LATEST:
        return None
    return moment


def _reason(kind: str, value: Any) -> str | None:
    """None when ``value`` (not None) is a good ``kind``, else why not."""
    if kind == STR:
        if not isinstance(value, str):
            return f"expected text, got {type(value).__name__}"
        return "text with an unpaired surrogate (not valid Unicode)" if _bad_text(value) else None
    if kind == TIME:
        if not isinstance(value, str) or _bad_text(value):
            return f"expected an RFC3339 time, got {type(value).__name__}"
        return None if parse_time(value) is not None else "not an RFC3339 time between 1677 and 2262"
    if kind == INT:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return f"expected an integer, got {type(value).__name__}"
        if isinstance(value, float) and not value.is_integer():
            return "expected an integer, got a fraction"
        return None if -_INT64 <= value <= _INT64 else "integer out of range"
    if kind == BOOL:
        return None if isinstance(value, bool) else f"expected true/false, got {type(value).__name__}"
    if kind == STRLIST:
        if not isinstance(value, list):
            return f"expected a list of texts, got {type(value).__name__}"
        return None if all(isinstance(v, str) and v and not _bad_text(v) for v in value) else \
            "expected a list of texts, got another item"
    if kind == OBJLIST:
        if not isinstance(value, list):
            return f"expected a list of objects, got {type(value).__name__}"
        return None if all(isinstance(v, dict) for v in value) else "expected a list of objects, got another item"
    if kind == OBJ:
        return None if isinstance(value, dict) else f"expected an object, got {type(value).__name__}"
    raise ValueError(f"unknown field kind {kind!r}")


def check(shape: Shape, item: Any) -> tuple[dict[str, Any] | None, list[Problem]]:
    """Return (values by JSON name, problems) of one record; ``values`` is None when it is unusable.

    A bad or missing required field is None in ``values`` and one problem; integral floats (``50.0``)
    become ints. A record that is not an object, or whose id is not a non-empty text, is unusable.
    """
    if not isinstance(item, dict):
        return None, [Problem(None, raw_text(item), f"a {shape.model} record is not a JSON object")]
    ident = item.get(shape.id_field)
    if not isinstance(ident, str) or not ident or _bad_text(ident):
        return None, [Problem(shape.id_field, raw_text(item.get(shape.id_field, _MISSING)),
                              f"a {shape.model} record without a usable {shape.id_field}")]
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    get = item.get
    for name, kind, required in shape._plan:
        value = get(name, _MISSING)
        # fast paths for what OCI sends (100k records per run): plain text, a whole-second-or-finer UTC time
        kind_of = type(value)
        if kind_of is str and value.isascii():
            if kind is STR:
                values[name] = value
                continue
            if kind is TIME and "1677" < value[:4] < "2262":
                try:
                    if datetime.fromisoformat(value).tzinfo is not None:
                        values[name] = value
                        continue
                except ValueError:
                    pass
        elif kind_of is int and kind is INT and -_INT64 <= value <= _INT64:
            values[name] = value
            continue
        if value is _MISSING or value is None:
            values[name] = None
            if required:
                problems.append(Problem(name, raw_text(value), f"{name} is required by the SDK model but "
                                                               f"{'absent' if value is _MISSING else 'null'}"))
            continue
        reason = _reason(kind, value)
        if reason is None:
            values[name] = int(value) if kind == INT else value
        else:
            values[name] = None
            problems.append(Problem(name, raw_text(value), f"{name}: {reason}"))
    return values, problems


def _f(name: str, kind: str = STR, *, req: bool = False, cosmetic: bool = False) -> Field:
    return Field(name, kind, req, cosmetic)


_RETENTION = (_f("isRetentionLockEnabled", BOOL, cosmetic=True), _f("isPreventDeletionEnabled", BOOL, cosmetic=True),
              _f("timeRetentionExpiresAt", TIME, cosmetic=True))

# ------------------------------------------------------------------------------------ the shapes
BOOT_VOLUME_BACKUP = Shape("BootVolumeBackup", (
    _f("id", req=True), _f("compartmentId", req=True), _f("displayName", req=True, cosmetic=True),
    _f("bootVolumeId"), _f("imageId"), _f("lifecycleState", req=True), _f("sourceType"), _f("type"),
    _f("timeCreated", TIME, req=True), _f("timeRequestReceived", TIME), _f("expirationTime", TIME),
    _f("sizeInGBs", INT, cosmetic=True), _f("uniqueSizeInGBs", INT, cosmetic=True), _f("kmsKeyId"),
    _f("sourceBootVolumeBackupId"), _f("volumeGroupBackupId"), *_RETENTION))

BOOT_VOLUME = Shape("BootVolume", (
    _f("id", req=True), _f("compartmentId", req=True), _f("availabilityDomain", req=True),
    _f("displayName", cosmetic=True), _f("imageId"), _f("lifecycleState", req=True),
    _f("sizeInGBs", INT, cosmetic=True), _f("kmsKeyId"), _f("volumeGroupId"), _f("timeCreated", TIME, req=True),
    _f("bootVolumeReplicas", OBJLIST)))

BOOT_VOLUME_REPLICA_INFO = Shape("BootVolumeReplicaInfo", (
    _f("bootVolumeReplicaId", req=True), _f("availabilityDomain", req=True),
    _f("displayName", req=True, cosmetic=True)), id_field="bootVolumeReplicaId")

VOLUME_GROUP = Shape("VolumeGroup", (
    _f("id", req=True), _f("compartmentId", req=True), _f("availabilityDomain", req=True),
    _f("displayName", req=True, cosmetic=True), _f("lifecycleState", req=True), _f("timeCreated", TIME, req=True),
    _f("volumeIds", STRLIST, req=True), _f("volumeGroupReplicas", OBJLIST)))

VOLUME_GROUP_REPLICA_INFO = Shape("VolumeGroupReplicaInfo", (
    _f("volumeGroupReplicaId", req=True), _f("availabilityDomain", req=True),
    _f("displayName", req=True, cosmetic=True)), id_field="volumeGroupReplicaId")

VOLUME_GROUP_BACKUP = Shape("VolumeGroupBackup", (
    _f("id", req=True), _f("compartmentId", req=True), _f("displayName", req=True, cosmetic=True),
    _f("volumeGroupId"), _f("lifecycleState", req=True), _f("sourceType"), _f("type", req=True),
    _f("timeCreated", TIME, req=True), _f("timeRequestReceived", TIME), _f("expirationTime", TIME),
    _f("sourceVolumeGroupBackupId"), _f("sizeInGBs", INT, cosmetic=True), _f("uniqueSizeInGbs", INT, cosmetic=True),
    _f("volumeBackupIds", STRLIST, req=True), *_RETENTION))

BOOT_VOLUME_REPLICA = Shape("BootVolumeReplica", (
    _f("id", req=True), _f("compartmentId", req=True), _f("availabilityDomain", req=True),
    _f("displayName", req=True, cosmetic=True), _f("bootVolumeId", req=True), _f("lifecycleState", req=True),
    _f("timeCreated", TIME, req=True), _f("timeLastSynced", TIME, req=True), _f("volumeGroupReplicaId"),
    _f("kmsKeyId")))

VOLUME_GROUP_REPLICA = Shape("VolumeGroupReplica", (
    _f("id", req=True), _f("compartmentId", req=True), _f("availabilityDomain", req=True),
    _f("displayName", req=True, cosmetic=True), _f("volumeGroupId", req=True), _f("lifecycleState", req=True),
    _f("timeCreated", TIME, req=True), _f("timeLastSynced", TIME, req=True)))

POLICY_ASSIGNMENT = Shape("VolumeBackupPolicyAssignment", (
    _f("id", req=True), _f("assetId", req=True), _f("policyId", req=True), _f("timeCreated", TIME, req=True)))

BACKUP_POLICY = Shape("VolumeBackupPolicy", (
    _f("id", req=True), _f("displayName", req=True, cosmetic=True), _f("destinationRegion"),
    _f("schedules", OBJLIST, req=True), _f("timeCreated", TIME, req=True), _f("compartmentId")))

# Image.compartmentId is [Required] in the SDK, yet null for Oracle's platform images: not checked as required
IMAGE = Shape("Image", (
    _f("id", req=True), _f("compartmentId"), _f("displayName", cosmetic=True),
    _f("operatingSystem", req=True, cosmetic=True), _f("operatingSystemVersion", req=True, cosmetic=True),
    _f("baseImageId"), _f("listingType"), _f("launchMode"), _f("lifecycleState", req=True),
    _f("timeCreated", TIME, req=True)))

LISTING = Shape("ListingSummary", (_f("id"), _f("publisher", OBJ)))

IAM_POLICY = Shape("Policy", (
    _f("id", req=True), _f("compartmentId", req=True), _f("name", req=True, cosmetic=True),
    _f("statements", STRLIST, req=True), _f("lifecycleState", req=True, cosmetic=True),
    _f("timeCreated", TIME, req=True, cosmetic=True)))

# discovery problems never hide data: a compartment with a bad parent is read without a path, one with
# an unknown state is read and noted, a bad isAccessible vouches for nothing; a subscription whose
# status is unreadable is not read (a gap); so these fields are "cosmetic" (no gap row of their own)
COMPARTMENT = Shape("Compartment", (
    _f("id", req=True), _f("compartmentId", req=True, cosmetic=True), _f("name", req=True, cosmetic=True),
    _f("lifecycleState", req=True, cosmetic=True), _f("isAccessible", BOOL, cosmetic=True)))

REGION_SUBSCRIPTION = Shape("RegionSubscription", (
    _f("regionName", req=True), _f("regionKey", req=True, cosmetic=True), _f("status", req=True, cosmetic=True),
    _f("isHomeRegion", BOOL, req=True, cosmetic=True)), id_field="regionName")

TENANCY = Shape("Tenancy", (_f("id", cosmetic=True), _f("name", cosmetic=True), _f("homeRegionKey", cosmetic=True)))

AVAILABILITY_DOMAIN = Shape("AvailabilityDomain", (_f("name"),), id_field="name")

SEARCH_RESULT = Shape("ResourceSummary", (_f("identifier", req=True), _f("compartmentId", req=True)),
                      id_field="identifier")

#: every shape, by SDK model name (the SDK test walks this)
SHAPES: dict[str, Shape] = {s.model: s for s in (
    BOOT_VOLUME_BACKUP, BOOT_VOLUME, BOOT_VOLUME_REPLICA_INFO, VOLUME_GROUP, VOLUME_GROUP_REPLICA_INFO,
    VOLUME_GROUP_BACKUP, BOOT_VOLUME_REPLICA, VOLUME_GROUP_REPLICA, POLICY_ASSIGNMENT, BACKUP_POLICY, IMAGE,
    LISTING, IAM_POLICY, COMPARTMENT, REGION_SUBSCRIPTION, TENANCY, AVAILABILITY_DOMAIN, SEARCH_RESULT)}

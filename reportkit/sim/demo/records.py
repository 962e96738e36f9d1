"""The generator's vocabulary: seeded hashing, time helpers, and the plan's records (schedules, policies,
backups, volumes) with the wire form each has at a time T."""
from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pandas as pd

from reportkit.errors import InputError
from reportkit.sim.demo.spec import INELIGIBLE_KINDS

if TYPE_CHECKING:  # the group and replica modules build on this one
    from reportkit.sim.demo.groups import VolumeGroup
    from reportkit.sim.demo.replicas import Replica

# How long a deleted backup stays listed (TERMINATING for an hour, then TERMINATED).
_TERMINATING_FOR = timedelta(hours=1)
_TERMINATED_FOR = timedelta(days=3)
_WEEKDAYS = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")
_MONTHS = ("JANUARY", "FEBRUARY", "MARCH", "APRIL", "MAY", "JUNE", "JULY", "AUGUST", "SEPTEMBER",
           "OCTOBER", "NOVEMBER", "DECEMBER")


def parse_time(value: str | datetime | pd.Timestamp) -> datetime:
    """Return ``value`` as an aware UTC datetime (strings: RFC3339, 'Z' allowed)."""
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError) as exc:
        raise InputError(f"as_of/end {value!r} is not a timestamp; give e.g. '2026-11-01T00:00:00Z'") from exc
    if ts.tzinfo is None:
        ts = ts.tz_localize("UTC")
    return ts.tz_convert("UTC").to_pydatetime()


def ts(dt: datetime) -> str:
    """RFC3339 with milliseconds and 'Z', as OCI sends it."""
    return dt.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class Hasher:
    """Seeded hash-derived numbers, so per-record details do not depend on generation order."""

    def __init__(self, seed: int) -> None:
        self.seed = seed

    def digest(self, *parts: object, size: int = 24) -> bytes:
        text = "|".join(str(p) for p in (self.seed, *parts))
        return hashlib.blake2b(text.encode(), digest_size=size).digest()

    def draw(self, *parts: object) -> tuple[str, list[float]]:
        """One hash for a record: (hex for its OCID, four floats in [0, 1) for its details)."""
        d = self.digest(*parts, size=56)
        return d[:24].hex(), [int.from_bytes(d[i:i + 8], "big") / 2**64 for i in range(24, 56, 8)]

    def unit(self, *parts: object) -> float:
        """A float in [0, 1) determined by (seed, parts)."""
        return int.from_bytes(self.digest(*parts, size=8), "big") / 2**64

    def ocid(self, kind: str, region: str, *parts: object) -> str:
        """``ocid1.<kind>.oc1.<region>.aaaa<hex>``; region '' gives the '..' form (tenancy-wide)."""
        return f"ocid1.{kind}.oc1.{region}.aaaa{self.digest(kind, region, *parts).hex()}"


def lifecycle(at: datetime, t_request: datetime, t_created: datetime, t_done: datetime, *,
              t_expire: datetime | None = None, t_deleted: datetime | None = None, faulty: bool = False,
              t_committed: datetime | None = None) -> str | None:
    """A backup's (or group backup's) lifecycle state at ``at``; None when it is not listed then.

    REQUEST_RECEIVED until ``t_created``, CREATING until ``t_committed`` (group backups pass
    through COMMITTED, which is still pending) or ``t_done``, then AVAILABLE or FAULTY; after
    deletion TERMINATING for an hour, TERMINATED for three days, then gone; gone once expired.
    """
    if at < t_request or (t_expire is not None and at >= t_expire):
        return None
    if t_deleted is not None and at >= t_deleted:
        if at < t_deleted + _TERMINATING_FOR:
            return "TERMINATING"
        return "TERMINATED" if at < t_deleted + _TERMINATED_FOR else None
    if at < t_created:
        return "REQUEST_RECEIVED"
    if at < t_done:
        return "COMMITTED" if t_committed is not None and at >= t_committed else "CREATING"
    return "FAULTY" if faulty else "AVAILABLE"


def created_time(state: str, t_request: datetime, t_created: datetime) -> datetime:
    """``timeCreated`` as served: a request not yet started reports its request time (as the fake does
    for its own copies), so no record ever carries a time after the instant it is read at."""
    return t_request if state == "REQUEST_RECEIVED" else t_created


def optional_fields(at: datetime, *, t_expire: datetime | None, lock: RetentionLock | None,
                    **links: str | None) -> dict[str, Any]:
    """The fields a backup or group backup carries only when they are set: its links (given by JSON
    name: key, source, group), its expiry, and its retention lock once set."""
    out: dict[str, Any] = {name: value for name, value in links.items() if value}
    if t_expire is not None:
        out["expirationTime"] = ts(t_expire)
    if lock is not None:
        out.update(lock.wire(at))
    return out


@dataclass(frozen=True)
class RetentionLock:
    """A retention lock set on a backup after it was made (UpdateBootVolumeBackup, as Terraform does)."""

    t_set: datetime
    days: int

    def wire(self, at: datetime) -> dict[str, Any]:
        if at < self.t_set:
            return {}
        return {
            "isRetentionLockEnabled": True,
            "isPreventDeletionEnabled": True,
            "retentionPeriod": {"retentionTimeUnit": "DAYS", "retentionTimeAmount": self.days},
            "timeRetentionExpiresAt": ts(self.t_set + timedelta(days=self.days)),
        }


# ------------------------------------------------------------------------------------------------
# The plan: the tenancy over its whole life
# ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Schedule:
    period: str
    backup_type: str
    retention: timedelta
    hour: int
    day_of_week: str | None = None
    day_of_month: int | None = None
    month: str | None = None

    def fires_at(self, t: datetime) -> bool:
        if t.minute or t.second or t.microsecond or t.hour != self.hour:
            return False
        if self.period == "ONE_DAY":
            return True
        if self.period == "ONE_WEEK":
            return _WEEKDAYS[t.weekday()] == self.day_of_week
        if self.period == "ONE_MONTH":
            return t.day == self.day_of_month
        return t.day == self.day_of_month and _MONTHS[t.month - 1] == self.month

    def occurrences(self, lo: datetime, hi: datetime) -> Iterator[datetime]:
        """Instants in [lo, hi] at which this schedule fires."""
        if lo > hi:
            return
        if self.period in ("ONE_DAY", "ONE_WEEK"):
            day = lo.date()
            while day <= hi.date():
                t = datetime(day.year, day.month, day.day, self.hour, tzinfo=UTC)
                if lo <= t <= hi and self.fires_at(t):
                    yield t
                day += timedelta(days=1)
            return
        year, month = lo.year, lo.month
        while date(year, month, 1) <= hi.date():
            if self.period == "ONE_MONTH" or _MONTHS[month - 1] == self.month:
                t = datetime(year, month, self.day_of_month or 1, self.hour, tzinfo=UTC)
                if lo <= t <= hi:
                    yield t
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)

    def wire(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "backupType": self.backup_type,
            "period": self.period,
            "offsetType": "STRUCTURED",
            "hourOfDay": self.hour,
            "retentionSeconds": int(self.retention.total_seconds()),
            "timeZone": "UTC",
        }
        if self.day_of_week:
            out["dayOfWeek"] = self.day_of_week
        if self.day_of_month:
            out["dayOfMonth"] = self.day_of_month
        if self.month:
            out["month"] = self.month
        return out


@dataclass
class Policy:
    id: str
    region: str
    name: str
    kind: str  # gold/silver/bronze or the user policy key
    schedules: tuple[Schedule, ...]
    created: datetime
    compartment_id: str | None = None
    destination: str | None = None

    def wire(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "displayName": self.name,
            "id": self.id,
            "schedules": [s.wire() for s in self.schedules],
            "timeCreated": ts(self.created),
        }
        if self.compartment_id:
            out["compartmentId"] = self.compartment_id
        if self.destination:
            out["destinationRegion"] = self.destination
        return out


@dataclass
class Backup:
    """One backup (or cross-region copy) over its whole life; :meth:`wire` gives it at time T."""

    id: str
    region: str
    compartment_id: str
    volume_id: str
    image_id: str
    name: str
    source_type: str
    backup_type: str
    size: int
    unique_size: int
    t_request: datetime
    t_created: datetime
    t_done: datetime
    kms_key_id: str | None = None
    t_expire: datetime | None = None
    t_deleted: datetime | None = None
    faulty: bool = False
    source_id: str | None = None

    group_backup_id: str | None = None  # the volume group backup this backup is a member of
    moved: tuple[datetime, str] | None = None  # (when, compartment): ChangeBootVolumeBackupCompartment
    lock: RetentionLock | None = None

    def state(self, at: datetime) -> str | None:
        """Lifecycle state at ``at``; None when the backup is not listed then."""
        return lifecycle(at, self.t_request, self.t_created, self.t_done, t_expire=self.t_expire,
                         t_deleted=self.t_deleted, faulty=self.faulty)

    def compartment_at(self, at: datetime) -> str:
        if self.moved is not None and at >= self.moved[0]:
            return self.moved[1]
        return self.compartment_id

    def wire(self, at: datetime) -> dict[str, Any] | None:
        state = self.state(at)
        if state is None:
            return None
        out: dict[str, Any] = {
            "bootVolumeId": self.volume_id,
            "compartmentId": self.compartment_at(at),
            "displayName": self.name,
            "id": self.id,
            "imageId": self.image_id,
            "lifecycleState": state,
            "sizeInGBs": self.size,
            "sourceType": self.source_type,
            "timeCreated": ts(created_time(state, self.t_request, self.t_created)),
            "timeRequestReceived": ts(self.t_request),
            "type": self.backup_type,
            "freeformTags": {},
            "definedTags": {},
        }
        if state != "REQUEST_RECEIVED":
            out["uniqueSizeInGBs"] = self.unique_size
        out.update(optional_fields(at, t_expire=self.t_expire, lock=self.lock, kmsKeyId=self.kms_key_id,
                                   sourceBootVolumeBackupId=self.source_id, volumeGroupBackupId=self.group_backup_id))
        return out


@dataclass
class Period:
    """A backup policy assigned to a volume (or volume group) from ``start`` until ``stop`` (None = still)."""

    policy: Policy
    start: datetime
    stop: datetime | None = None

    def active(self, at: datetime) -> bool:
        return self.start <= at and (self.stop is None or at < self.stop)


def policy_fires(periods: list[Period], at: datetime) -> Iterator[tuple[Policy, Schedule, datetime]]:
    """(policy, schedule, instant) of every scheduled backup that may still be listed at ``at``.

    Within retention only; when several schedules of a policy fire at the same instant only the one
    with the longest retention is taken, as OCI does.
    """
    for period in periods:
        policy = period.policy
        hi = min(at, period.stop) if period.stop else at
        sched = sorted(policy.schedules, key=lambda s: -s.retention)
        for i, sc in enumerate(sched):
            lo = max(period.start, at - sc.retention)
            for t in sc.occurrences(lo, hi):
                if any(longer.fires_at(t) for longer in sched[:i]):
                    continue
                if period.stop is not None and t >= period.stop:
                    continue
                yield policy, sc, t


def unique_size(size: int, backup_type: str, u: float) -> int:
    """uniqueSizeInGBs: a full is most of the volume, an incremental a few per cent."""
    share = 0.35 + 0.5 * u if backup_type == "FULL" else 0.01 + 0.06 * u
    return max(1, round(size * share))


@dataclass
class Volume:
    id: str
    region: str
    compartment_id: str
    path: str
    ad: str
    name: str
    size: int
    vpus: int
    image_id: str
    image_kind: str
    created: datetime
    scenario: str
    protection: str = "none"
    kms_key_id: str | None = None
    periods: list[Period] = field(default_factory=list)
    copy_faulty: bool = False
    copy_kms_key_id: str | None = None  # key policy copies use in the destination (xrcKmsKeyId)
    replicas: list[Replica] = field(default_factory=list)  # boot volume replicas (group members' too)
    events: list[Backup] = field(default_factory=list)  # manual backups and manual copies
    tags: dict[str, str] = field(default_factory=dict)

    @property
    def copies_allowed(self) -> bool:
        return self.image_kind not in INELIGIBLE_KINDS

    def wire(self, at: datetime) -> dict[str, Any]:
        out: dict[str, Any] = {
            "availabilityDomain": self.ad,
            "compartmentId": self.compartment_id,
            "displayName": self.name,
            "id": self.id,
            "imageId": self.image_id,
            "isHydrated": True,
            "vpusPerGB": self.vpus,
            "lifecycleState": "PROVISIONING" if at < self.created + timedelta(minutes=10) else "AVAILABLE",
            "sizeInGBs": self.size,
            "sizeInMBs": self.size * 1024,
            "timeCreated": ts(self.created),
            "freeformTags": dict(self.tags),
            "definedTags": {},
        }
        if self.kms_key_id:
            out["kmsKeyId"] = self.kms_key_id
        infos = [i for i in (r.info(at) for r in self.replicas) if i is not None]
        if infos:
            out["bootVolumeReplicas"] = infos
        return out


@dataclass
class Plan:
    seed: int
    end: datetime
    spec: dict[str, Any]
    h: Hasher
    tenancy: dict[str, Any]
    subscriptions: list[dict[str, Any]]
    compartments: list[dict[str, Any]]
    paths: dict[str, str]  # compartment OCID -> path
    denied: list[str]
    iam_policies: list[dict[str, Any]]
    images: dict[str, dict[str, dict[str, Any]]]  # region -> image id -> record
    image_kinds: dict[str, str]  # image id -> ImageClass value ('unknown' for deleted)
    listings: list[dict[str, Any]]
    vault_keys: dict[str, list[str]]
    policies: dict[str, list[Policy]]
    volumes: list[Volume]
    groups: list[VolumeGroup]
    ads: dict[str, list[str]]  # region -> availability domain names
    subscribed_at: dict[str, datetime]  # region -> when a subscription still IN_PROGRESS at the end began
    left_active_at: dict[str, datetime]  # compartment OCID -> when it left ACTIVE (INACTIVE, DELETING)



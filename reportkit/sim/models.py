"""State of the fake OCI API and the service's rules, without HTTP (moto's ``models.py``).

A :class:`SimBackend` holds one tenancy: a global :class:`IdentityBackend` (tenancy, region
subscriptions, compartments, policies, what the auditing user may not read), one
:class:`RegionBackend` per region (images, boot volumes, backups, backup policies, Vault keys), the
global Marketplace listings, a simulated :class:`Clock` and the fault :class:`Knobs`. Resources are
kept in the OCI wire format (camelCase dicts, as in the tenancy document) and served through
``to_dict``; keys starting with ``_`` are private and never served.

Operations return plain lists/dicts; rules raise :mod:`reportkit.sim.exceptions` errors carrying
the OCI status and code. Pagination and serialisation are the HTTP layer's job.
"""
from __future__ import annotations

import copy as _copy
import dataclasses
import hashlib
import itertools
import json
import random
import re
import threading
import time
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from typing import Any

from reportkit.errors import InputError
from reportkit.sim.exceptions import (
    Conflict,
    IncorrectState,
    InvalidParameter,
    MissingParameter,
    NotAuthorizedOrNotFound,
)

WireDict = dict[str, Any]

#: lifecycle states of a backup copy that is still being made ("in flight")
IN_FLIGHT_STATES = frozenset({"REQUEST_RECEIVED", "CREATING"})

#: how long an opc-retry-token is remembered (OCI: 24 hours)
RETRY_TOKEN_TTL = timedelta(hours=24)


# --------------------------------------------------------------------------------------------- time
def parse_time(value: str) -> datetime:
    """Parse an RFC3339 timestamp (``...Z`` or with offset) into an aware UTC datetime."""
    text = value.strip().replace("Z", "+00:00").replace("z", "+00:00")
    return datetime.fromisoformat(text).astimezone(timezone.utc)


def format_time(moment: datetime) -> str:
    """Format a datetime the way OCI does: ``2026-06-01T02:00:00.000Z``."""
    moment = moment.astimezone(timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


class Clock:
    """The simulated clock: starts at the document's ``asOf`` and only moves when told to."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def advance(self, seconds: float) -> datetime:
        """Move the clock forward by ``seconds`` (>= 0); return the new time."""
        if seconds < 0:
            raise InvalidParameter(f"clock can only move forward; got seconds={seconds}")
        self.now = self.now + timedelta(seconds=seconds)
        return self.now


# -------------------------------------------------------------------------------------- resources
class Record:
    """One resource held as its wire dict. ``to_dict`` returns what is served."""

    def __init__(self, data: WireDict) -> None:
        self.data: WireDict = _copy.deepcopy(data)

    @property
    def id(self) -> str:
        return str(self.data.get("id", ""))

    @property
    def compartment_id(self) -> str | None:
        return self.data.get("compartmentId") or None

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)

    def to_dict(self, now: datetime | None = None) -> WireDict:
        """Return the wire dict without private (``_``-prefixed) keys or ``None`` values.

        Shallow: callers serialise it at once and never mutate it (deep copies cost ~10x on big lists).
        """
        return {k: v for k, v in self.data.items() if not k.startswith("_") and v is not None}


class BootVolumeBackup(Record):
    """A boot volume backup; a copy made through the fake moves through its lifecycle on the clock.

    ``schedule`` is ``(creating_at, available_at)`` for copies created by CopyBootVolumeBackup:
    REQUEST_RECEIVED before ``creating_at``, CREATING until ``available_at``, then AVAILABLE.
    Backups loaded from a document keep their stored state.
    """

    def __init__(self, data: WireDict, schedule: tuple[datetime, datetime] | None = None) -> None:
        super().__init__(data)
        self.schedule = schedule

    def lifecycle_state(self, now: datetime) -> str:
        """Return the state at simulated time ``now``."""
        if self.schedule is None:
            return str(self.data.get("lifecycleState", ""))
        creating_at, available_at = self.schedule
        if now < creating_at:
            return "REQUEST_RECEIVED"
        if now < available_at:
            return "CREATING"
        return "AVAILABLE"

    def to_dict(self, now: datetime | None = None) -> WireDict:
        out = super().to_dict()
        if now is not None:
            out["lifecycleState"] = self.lifecycle_state(now)
        return out


# -------------------------------------------------------------------------------------------- knobs
@dataclasses.dataclass
class Knobs:
    """Fault injection and timing settings; every fault is off by default.

    - ``latency_ms``: real delay added to every API request (in the handler thread).
    - ``rate_limit_rps`` / ``rate_limit_burst`` / ``rate_limit_operations``: token bucket per
      (region, operation); beyond it the request gets 429 TooManyRequests. Burst defaults to
      ``max(1, rate_limit_rps)``; operations ``None`` means every operation.
    - ``error_rate`` / ``error_seed`` / ``error_operations``: probability of a 500
      InternalServerError (seeded RNG, so a run is repeatable).
    - ``region_down``: ``{region: "503" | "drop"}`` (a list means 503 for each region).
    - ``denied_compartments``: compartments the auditing user may not read (adds to the document's).
    - ``malformed_page``: list of ``{"operation", "page" (1-based), "region" (optional)}``: that
      page of that list operation is answered with truncated JSON.
    - ``copy_request_received_seconds`` / ``copy_seconds_per_gb``: simulated durations of a copy's
      REQUEST_RECEIVED and CREATING states (CREATING lasts ``sizeInGBs * copy_seconds_per_gb``).
    """

    latency_ms: float = 0.0
    rate_limit_rps: float | None = None
    rate_limit_burst: float | None = None
    rate_limit_operations: list[str] | None = None
    error_rate: float = 0.0
    error_seed: int = 0
    error_operations: list[str] | None = None
    region_down: dict[str, str] = dataclasses.field(default_factory=dict)
    denied_compartments: list[str] = dataclasses.field(default_factory=list)
    malformed_page: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    copy_request_received_seconds: float = 60.0
    copy_seconds_per_gb: float = 2.0

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def updated(self, changes: dict[str, Any]) -> Knobs:
        """Return a copy with ``changes`` applied; unknown names or bad values -> InvalidParameter."""
        names = {f.name for f in dataclasses.fields(self)}
        unknown = sorted(set(changes) - names)
        if unknown:
            raise InvalidParameter(f"unknown knob(s) {unknown}; known knobs: {sorted(names)}")
        values = self.to_dict()
        values.update(_copy.deepcopy(changes))
        if isinstance(values["region_down"], (list, tuple)):
            values["region_down"] = {r: "503" for r in values["region_down"]}
        if values["region_down"] is None:
            values["region_down"] = {}
        for region, mode in values["region_down"].items():
            if mode not in ("503", "drop"):
                raise InvalidParameter(f"region_down[{region!r}] must be '503' or 'drop', got {mode!r}")
        if isinstance(values["malformed_page"], dict):
            values["malformed_page"] = [values["malformed_page"]]
        for entry in values["malformed_page"] or []:
            if "operation" not in entry:
                raise InvalidParameter("each malformed_page entry needs an 'operation' (and optional 'page', 'region')")
        values["malformed_page"] = list(values["malformed_page"] or [])
        values["denied_compartments"] = list(values["denied_compartments"] or [])
        if not 0.0 <= float(values["error_rate"]) <= 1.0:
            raise InvalidParameter(f"error_rate must be between 0 and 1, got {values['error_rate']}")
        if values["rate_limit_rps"] is not None and float(values["rate_limit_rps"]) <= 0:
            raise InvalidParameter("rate_limit_rps must be > 0 (or null to switch throttling off)")
        if float(values["latency_ms"]) < 0:
            raise InvalidParameter("latency_ms must be >= 0")
        return Knobs(**values)


# --------------------------------------------------------------------------------------- backends
class IdentityBackend:
    """Global identity state: tenancy, subscriptions, compartments, policies, denied compartments."""

    def __init__(self, doc: WireDict) -> None:
        self.tenancy = Record(doc["tenancy"])
        self.subscriptions: list[Record] = [Record(s) for s in doc.get("regionSubscriptions", [])]
        self.compartments: dict[str, Record] = {c["id"]: Record(c) for c in doc.get("compartments", [])}
        self.policies: list[Record] = [Record(p) for p in doc.get("policies", [])]
        self.doc_denied: set[str] = set(doc.get("access", {}).get("deniedCompartments", []))

    @property
    def tenancy_id(self) -> str:
        return self.tenancy.id

    def subscribed_region_names(self) -> list[str]:
        return [str(s.get("regionName")) for s in self.subscriptions]

    def compartment_exists(self, compartment_id: str) -> bool:
        return compartment_id == self.tenancy_id or compartment_id in self.compartments

    def children(self, compartment_id: str) -> list[Record]:
        return [c for c in self.compartments.values() if c.get("compartmentId") == compartment_id]

    def subtree(self, compartment_id: str) -> list[Record]:
        """Every compartment below ``compartment_id`` (not itself), parents before children."""
        out: list[Record] = []
        queue = [compartment_id]
        while queue:
            kids = self.children(queue.pop(0))
            out.extend(kids)
            queue.extend(k.id for k in kids)
        return out


class RegionBackend:
    """One region's regional resources."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.images: dict[str, Record] = {}
        self.boot_volumes: dict[str, Record] = {}
        self.boot_volume_backups: dict[str, BootVolumeBackup] = {}
        self.volume_backup_policies: dict[str, Record] = {}
        self.policy_assignments: list[Record] = []
        self.vault_keys: set[str] = set()


@dataclasses.dataclass
class LogEntry:
    """One request as the fake saw it (the request log)."""

    index: int
    time: float
    simTime: str
    region: str | None
    method: str
    path: str
    operation: str
    status: int
    code: str | None
    opcRequestId: str
    throttled: bool

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def _sort_records(records: list[WireDict], sort_by: str | None, sort_order: str | None,
                  *, name_key: str = "displayName") -> list[WireDict]:
    """Sort like OCI: TIMECREATED defaults to descending, DISPLAYNAME/NAME to ascending."""
    if sort_by is None:
        sort_by = "TIMECREATED"
    sort_by = sort_by.upper()
    if sort_by == "TIMECREATED":
        key = lambda r: (r.get("timeCreated") or "", r.get("id") or "")  # noqa: E731
        default_desc = True
    elif sort_by in ("DISPLAYNAME", "NAME"):
        key = lambda r: (r.get(name_key) or "", r.get("id") or "")  # noqa: E731
        default_desc = False
    else:
        raise InvalidParameter(f"sortBy must be TIMECREATED or {'NAME' if name_key == 'name' else 'DISPLAYNAME'}, got {sort_by!r}")
    if sort_order is None:
        descending = default_desc
    elif sort_order.upper() in ("ASC", "DESC"):
        descending = sort_order.upper() == "DESC"
    else:
        raise InvalidParameter(f"sortOrder must be ASC or DESC, got {sort_order!r}")
    return sorted(records, key=key, reverse=descending)


def _filtered(items: Iterable[WireDict], **wanted: str | None) -> list[WireDict]:
    """The items whose wire values equal every wanted one (a list call's filters; None or '' = no filter)."""
    active = [(key, value) for key, value in wanted.items() if value]
    if not active:
        return list(items)
    return [item for item in items if all(item.get(key) == value for key, value in active)]


def _region_key_for(name: str) -> str:
    """Return the upper-case region key (LHR) of a region name, or the name itself if unknown."""
    from reportkit.regions import region_key  # lazy: only subscribe_region needs the SDK's table

    return (region_key(name) or name).upper()


_OCID_COUNTER = itertools.count(1)


def new_ocid(kind: str, region: str | None) -> str:
    """Return a fresh, realistic-looking OCID (region segment empty for global resources)."""
    seed = f"{kind}:{region}:{next(_OCID_COUNTER)}:{time.monotonic_ns()}"
    unique = "aaaa" + hashlib.sha256(seed.encode()).hexdigest()[:56]
    return f"ocid1.{kind}.oc1.{region or ''}.{unique}"


class SimBackend:
    """The whole fake tenancy: identity, regions, listings, clock, knobs, request log.

    All public methods take the backend lock, so HTTP handler threads may call them concurrently.
    """

    def __init__(self, doc: WireDict | None = None) -> None:
        self.lock = threading.RLock()
        self.knobs = Knobs()
        self.log: list[LogEntry] = []
        # bumped whenever what a list or search call can see changes (load, copy, knobs, subscription);
        # the per-compartment indexes and the search result cache are keyed by it
        self.state_version = 0
        self._indexes: dict[tuple[str, str], tuple[tuple, dict[str | None, list[Record]]]] = {}
        self._search_cache: dict[tuple, list[WireDict]] = {}
        self._reset_fault_state()
        self.load(doc or empty_document())

    def _reset_fault_state(self) -> None:
        # token buckets per (region, operation): (tokens, last refill, real monotonic seconds)
        self.buckets: dict[tuple[str, str], tuple[float, float]] = {}
        self.rng = random.Random(self.knobs.error_seed)

    # ------------------------------------------------------------------------------ loading
    def load(self, doc: WireDict) -> None:
        """Replace the tenancy with ``doc`` (a tenancy document); knobs and the log are kept."""
        validate_document(doc)
        with self.lock:
            self.document = _copy.deepcopy(doc)
            self.clock = Clock(parse_time(doc.get("asOf") or format_time(datetime.now(timezone.utc))))
            self.identity = IdentityBackend(doc)
            self.regions: dict[str, RegionBackend] = {}
            names = set(self.identity.subscribed_region_names())
            for section in _REGIONAL_SECTIONS:
                names.update(doc.get(section, {}).keys())
            for name in sorted(names):
                self.regions[name] = RegionBackend(name)
            for name, items in doc.get("images", {}).items():
                self.regions[name].images = {i["id"]: Record(i) for i in items}
            for name, items in doc.get("bootVolumes", {}).items():
                self.regions[name].boot_volumes = {i["id"]: Record(i) for i in items}
            for name, items in doc.get("bootVolumeBackups", {}).items():
                self.regions[name].boot_volume_backups = {i["id"]: BootVolumeBackup(i) for i in items}
            for name, items in doc.get("volumeBackupPolicies", {}).items():
                self.regions[name].volume_backup_policies = {i["id"]: Record(i) for i in items}
            for name, items in doc.get("volumeBackupPolicyAssignments", {}).items():
                self.regions[name].policy_assignments = [Record(i) for i in items]
            for name, keys in doc.get("vaultKeys", {}).items():
                self.regions[name].vault_keys = set(keys)
            self.listings: list[Record] = [Record(x) for x in doc.get("marketplaceListings", [])]
            # (region, token) -> (request fingerprint, copy id, destination region, expiry)
            self.retry_tokens: dict[tuple[str, str], tuple[str, str, str, datetime]] = {}
            self.changed()

    def changed(self) -> None:
        """Note that resources, access or subscriptions changed: drop the indexes and search results."""
        with self.lock:
            self.state_version += 1
            self._indexes.clear()
            self._search_cache.clear()

    def reset(self) -> None:
        """Reload the last loaded document, switch every knob off and clear the request log."""
        with self.lock:
            doc = self.document
            self.knobs = Knobs()
            self.log = []
            self._reset_fault_state()
            self.load(doc)

    def set_knobs(self, **changes: Any) -> Knobs:
        """Change some knobs (see :class:`Knobs`); return the knobs now in force."""
        with self.lock:
            self.knobs = self.knobs.updated(changes)
            self._reset_fault_state()
            self.changed()  # denied_compartments changes what list and search calls show
            return self.knobs

    def take_token(self, region: str, operation: str) -> bool:
        """Token bucket per (region, operation) in real time; False means answer 429."""
        with self.lock:
            rps = self.knobs.rate_limit_rps
            ops = self.knobs.rate_limit_operations
            if rps is None or (ops is not None and operation not in ops):
                return True
            burst = float(self.knobs.rate_limit_burst or max(1.0, rps))
            now = time.monotonic()
            tokens, last = self.buckets.get((region, operation), (burst, now))
            tokens = min(burst, tokens + (now - last) * rps)
            if tokens < 1.0:
                self.buckets[(region, operation)] = (tokens, now)
                return False
            self.buckets[(region, operation)] = (tokens - 1.0, now)
            return True

    def inject_error(self, operation: str) -> bool:
        """True when this request should fail with a 500 (``error_rate``, seeded RNG)."""
        with self.lock:
            ops = self.knobs.error_operations
            if self.knobs.error_rate <= 0 or (ops is not None and operation not in ops):
                return False
            return self.rng.random() < self.knobs.error_rate

    def malformed(self, region: str | None, operation: str, page_number: int) -> bool:
        """True when this page of this list operation must be answered with broken JSON."""
        with self.lock:
            for entry in self.knobs.malformed_page:
                if entry.get("operation") != operation:
                    continue
                if entry.get("region") not in (None, region):
                    continue
                if int(entry.get("page", 1)) == page_number:
                    return True
            return False

    def subscribe_region(self, region_name: str, region_key: str | None = None) -> WireDict:
        """Make a new region appear (add a READY subscription) mid-run; return the subscription."""
        with self.lock:
            if region_name in self.identity.subscribed_region_names():
                raise Conflict(f"region {region_name} is already subscribed")
            sub = {"regionKey": region_key or _region_key_for(region_name), "regionName": region_name,
                   "status": "READY", "isHomeRegion": False}
            self.identity.subscriptions.append(Record(sub))
            self.regions.setdefault(region_name, RegionBackend(region_name))
            self.changed()
            return sub

    # ------------------------------------------------------------------------------ indexes
    def _by_compartment(self, backend: RegionBackend, kind: str) -> dict[str | None, list[Record]]:
        """Records of one region's ``boot_volume_backups`` or ``boot_volumes`` grouped by compartment.

        Built once per state version (and rebuilt if the dict was changed behind the backend's
        back, which its length shows), so a list call costs O(its compartment), not O(the region).
        Each group keeps the region's insertion order.
        """
        records: dict[str, Any] = getattr(backend, kind)
        key = (self.state_version, len(records))
        cached = self._indexes.get((backend.name, kind))
        if cached is not None and cached[0] == key:
            return cached[1]
        index: dict[str | None, list[Record]] = {}
        for rec in records.values():
            index.setdefault(rec.compartment_id, []).append(rec)
        self._indexes[(backend.name, kind)] = (key, index)
        return index

    # ------------------------------------------------------------------------------ access
    def denied(self) -> set[str]:
        return self.identity.doc_denied | set(self.knobs.denied_compartments)

    def region(self, name: str) -> RegionBackend:
        """Return the backend of a subscribed region; unknown or unsubscribed -> 404."""
        if name not in self.identity.subscribed_region_names() or name not in self.regions:
            raise NotAuthorizedOrNotFound(
                f"Region '{name}' is unknown or not subscribed by tenancy {self.identity.tenancy_id}.")
        return self.regions[name]

    def _check_list_compartment(self, compartment_id: str | None) -> str:
        """A list call's compartment must be given, exist and be readable."""
        if not compartment_id:
            raise MissingParameter("compartmentId is required.")
        if not self.identity.compartment_exists(compartment_id) or compartment_id in self.denied():
            raise NotAuthorizedOrNotFound(
                f"Authorization failed or requested resource not found: compartment {compartment_id}.")
        return compartment_id

    def _visible(self, record: Record | None, what: str, ocid: str) -> Record:
        if record is None or record.compartment_id in self.denied():
            raise NotAuthorizedOrNotFound(f"Authorization failed or requested resource not found: {what} {ocid}.")
        return record

    # ------------------------------------------------------------------------------ identity
    def get_tenancy(self, tenancy_id: str) -> WireDict:
        with self.lock:
            if tenancy_id != self.identity.tenancy_id:
                raise NotAuthorizedOrNotFound(f"Tenancy {tenancy_id} not found.")
            return self.identity.tenancy.to_dict()

    def list_region_subscriptions(self, tenancy_id: str) -> list[WireDict]:
        with self.lock:
            if tenancy_id != self.identity.tenancy_id:
                raise NotAuthorizedOrNotFound(f"Tenancy {tenancy_id} not found.")
            return [s.to_dict() for s in self.identity.subscriptions]

    def list_compartments(self, compartment_id: str | None, *, subtree: bool = False,
                          access_level: str | None = None, lifecycle_state: str | None = None,
                          name: str | None = None, sort_by: str | None = None,
                          sort_order: str | None = None) -> list[WireDict]:
        """Children (or, from the root with ``subtree``, all descendants) of a compartment.

        The root compartment itself is never in the result, as in OCI. With
        ``access_level=ACCESSIBLE`` compartments the auditing user may not read are left out; with
        ``ANY`` they are listed with ``isAccessible: false``.
        """
        with self.lock:
            self._check_list_compartment(compartment_id)
            assert compartment_id is not None
            if subtree and compartment_id != self.identity.tenancy_id:
                raise InvalidParameter("compartmentIdInSubtree can only be true when compartmentId is the tenancy (root compartment).")
            level = (access_level or "ANY").upper()
            if level not in ("ANY", "ACCESSIBLE"):
                raise InvalidParameter(f"accessLevel must be ANY or ACCESSIBLE, got {access_level!r}")
            records = self.identity.subtree(compartment_id) if subtree else self.identity.children(compartment_id)
            denied = self.denied()
            out = []
            for rec in records:
                item = rec.to_dict()
                item["isAccessible"] = rec.id not in denied
                if level == "ACCESSIBLE" and not item["isAccessible"]:
                    continue
                out.append(item)
            out = _filtered(out, lifecycleState=lifecycle_state, name=name)
            if sort_by:
                out = _sort_records(out, sort_by, sort_order, name_key="name")
            return out

    def list_policies(self, compartment_id: str | None, *, name: str | None = None,
                      lifecycle_state: str | None = None, sort_by: str | None = None,
                      sort_order: str | None = None) -> list[WireDict]:
        with self.lock:
            self._check_list_compartment(compartment_id)
            out = _filtered((p.to_dict() for p in self.identity.policies if p.compartment_id == compartment_id),
                            name=name, lifecycleState=lifecycle_state)
            return _sort_records(out, sort_by, sort_order, name_key="name") if sort_by else out

    # ------------------------------------------------------------------------------ block storage
    def list_boot_volume_backups(self, region: str, compartment_id: str | None, *,
                                 boot_volume_id: str | None = None, display_name: str | None = None,
                                 source_boot_volume_backup_id: str | None = None,
                                 lifecycle_state: str | None = None, sort_by: str | None = None,
                                 sort_order: str | None = None) -> list[WireDict]:
        with self.lock:
            backend = self.region(region)
            self._check_list_compartment(compartment_id)
            now = self.clock.now
            backups = self._by_compartment(backend, "boot_volume_backups").get(compartment_id, [])
            out = _filtered((bkp.to_dict(now) for bkp in backups), bootVolumeId=boot_volume_id,
                            displayName=display_name, sourceBootVolumeBackupId=source_boot_volume_backup_id,
                            lifecycleState=lifecycle_state)
            return _sort_records(out, sort_by, sort_order)

    def get_boot_volume_backup(self, region: str, backup_id: str) -> WireDict:
        with self.lock:
            backend = self.region(region)
            rec = self._visible(backend.boot_volume_backups.get(backup_id), "boot volume backup", backup_id)
            return rec.to_dict(self.clock.now)

    def list_boot_volumes(self, region: str, compartment_id: str | None, *,
                          availability_domain: str | None = None,
                          volume_group_id: str | None = None) -> list[WireDict]:
        with self.lock:
            backend = self.region(region)
            if compartment_id is not None:
                self._check_list_compartment(compartment_id)
            elif not volume_group_id:
                raise MissingParameter("compartmentId or volumeGroupId is required.")
            denied = self.denied()
            candidates = (backend.boot_volumes.values() if compartment_id is None
                          else self._by_compartment(backend, "boot_volumes").get(compartment_id, []))
            return [v.to_dict() for v in candidates
                    if v.compartment_id not in denied
                    and (not availability_domain or v.get("availabilityDomain") == availability_domain)
                    and (not volume_group_id or v.get("volumeGroupId") == volume_group_id)]

    def get_boot_volume(self, region: str, volume_id: str) -> WireDict:
        with self.lock:
            backend = self.region(region)
            return self._visible(backend.boot_volumes.get(volume_id), "boot volume", volume_id).to_dict()

    def list_volume_backup_policies(self, region: str, compartment_id: str | None) -> list[WireDict]:
        """User-defined policies of a compartment, or Oracle-defined ones when no compartment."""
        with self.lock:
            backend = self.region(region)
            if compartment_id is None:
                return [p.to_dict() for p in backend.volume_backup_policies.values() if not p.compartment_id]
            self._check_list_compartment(compartment_id)
            return [p.to_dict() for p in backend.volume_backup_policies.values()
                    if p.compartment_id == compartment_id]

    def get_volume_backup_policy(self, region: str, policy_id: str) -> WireDict:
        with self.lock:
            backend = self.region(region)
            rec = self._visible(backend.volume_backup_policies.get(policy_id), "volume backup policy", policy_id)
            return rec.to_dict()

    def get_volume_backup_policy_asset_assignment(self, region: str, asset_id: str | None) -> list[WireDict]:
        with self.lock:
            backend = self.region(region)
            if not asset_id:
                raise MissingParameter("assetId is required.")
            asset = backend.boot_volumes.get(asset_id)
            if asset is not None:
                self._visible(asset, "asset", asset_id)
            return [a.to_dict() for a in backend.policy_assignments if a.get("assetId") == asset_id]

    # ------------------------------------------------------------------------------ compute
    def get_image(self, region: str, image_id: str) -> WireDict:
        with self.lock:
            backend = self.region(region)
            return self._visible(backend.images.get(image_id), "image", image_id).to_dict()

    def list_images(self, region: str, compartment_id: str | None, *, display_name: str | None = None,
                    operating_system: str | None = None, operating_system_version: str | None = None,
                    lifecycle_state: str | None = None, sort_by: str | None = None,
                    sort_order: str | None = None) -> list[WireDict]:
        """Custom images of the compartment plus listed platform images (never partner images)."""
        with self.lock:
            backend = self.region(region)
            self._check_list_compartment(compartment_id)
            listed = self._listed_image_ids()
            out = []
            for img in backend.images.values():
                mine = img.compartment_id == compartment_id
                platform = not img.compartment_id and img.id not in listed and not img.get("_hiddenFromList")
                if not (mine or platform):
                    continue
                out.append(img.to_dict())
            out = _filtered(out, displayName=display_name, operatingSystem=operating_system,
                            operatingSystemVersion=operating_system_version, lifecycleState=lifecycle_state)
            return _sort_records(out, sort_by, sort_order)

    # ------------------------------------------------------------------------------ marketplace
    def _listed_image_ids(self) -> set[str]:
        return {i for lst in self.listings for i in lst.get("_imageIds", [])}

    def list_listings(self, *, image_id: str | None = None, listing_id: str | None = None,
                      name: str | None = None) -> list[WireDict]:
        with self.lock:
            return [x.to_dict() for x in self.listings
                    if (not image_id or image_id in x.get("_imageIds", []))
                    and (not listing_id or x.id == listing_id)
                    and (not name or x.get("name") == name)]

    # ------------------------------------------------------------------------------ search
    _QUERY = re.compile(
        r"^\s*query\s+(?P<types>[a-z]+(?:\s*,\s*[a-z]+)*)\s+resources"
        r"(?:\s+where\s+lifecycleState\s*=\s*'(?P<state>[^']*)')?\s*$", re.IGNORECASE)
    _SEARCH_TYPES = {"bootvolumebackup": ("boot_volume_backups", "BootVolumeBackup"),
                     "bootvolume": ("boot_volumes", "BootVolume")}

    def search_resources(self, region: str, query: str | None) -> list[WireDict]:
        """Structured search, region-scoped, only resources the auditing user can read.

        ``query bootvolume, bootvolumebackup resources`` (OCI's grammar: several types separated by
        commas) returns the types in the order given. The result list is built once per (region,
        query, state version, simulated time) and served from a cache, so paging through it costs
        O(page), as a real search index would; callers must not mutate it.
        """
        with self.lock:
            backend = self.region(region)
            if not query:
                raise MissingParameter("query is required.")
            match = self._QUERY.match(query)
            kinds = [t.strip().lower() for t in match.group("types").split(",")] if match else []
            if not kinds or any(k not in self._SEARCH_TYPES for k in kinds):
                raise InvalidParameter(
                    f"Unsupported query {query!r}: the fake understands 'query bootvolumebackup resources', "
                    "'query bootvolume resources' and 'query bootvolume, bootvolumebackup resources', "
                    "optionally with \"where lifecycleState = '...'\".")
            assert match is not None
            state = match.group("state")
            now = self.clock.now
            key = (region, tuple(dict.fromkeys(kinds)), state.upper() if state is not None else None,
                   self.state_version, now,
                   len(backend.boot_volume_backups), len(backend.boot_volumes))
            cached = self._search_cache.get(key)
            if cached is None:
                cached = self._search(backend, key[1], key[2], now)
                if len(self._search_cache) > 256:  # a run asks a handful of queries; bound the memory anyway
                    self._search_cache.clear()
                self._search_cache[key] = cached
            return cached

    def _search(self, backend: RegionBackend, kinds: tuple[str, ...], state: str | None,
                now: datetime) -> list[WireDict]:
        denied = self.denied()
        out = []
        for kind in kinds:
            attr, rtype = self._SEARCH_TYPES[kind]
            records: dict[str, Record] = getattr(backend, attr)
            for rec in records.values():  # the region's order, as before the cache
                if rec.compartment_id in denied:
                    continue
                item = rec.to_dict(now)
                if state and str(item.get("lifecycleState", "")).upper() != state:
                    continue
                summary = {
                    "resourceType": rtype,
                    "identifier": item["id"],
                    "compartmentId": item.get("compartmentId"),
                    "timeCreated": item.get("timeCreated"),
                    "displayName": item.get("displayName"),
                    "availabilityDomain": item.get("availabilityDomain"),
                    "lifecycleState": item.get("lifecycleState"),
                    "freeformTags": item.get("freeformTags", {}),
                    "definedTags": item.get("definedTags", {}),
                    "systemTags": item.get("systemTags", {}),
                    "identityContext": {},
                    "additionalDetails": {},
                }
                out.append({k: v for k, v in summary.items() if v is not None})
        return out

    # ------------------------------------------------------------------------------ copy
    def _find_backup(self, backup_id: str) -> tuple[str, BootVolumeBackup] | None:
        for name, backend in self.regions.items():
            if backup_id in backend.boot_volume_backups:
                return name, backend.boot_volume_backups[backup_id]
        return None

    def _source_region_of(self, copy_record: BootVolumeBackup) -> str | None:
        source_id = copy_record.get("sourceBootVolumeBackupId")
        if not source_id:
            return None
        found = self._find_backup(source_id)
        if found:
            return found[0]
        parts = source_id.split(".")
        return parts[3] if len(parts) > 4 else None

    def _find_image(self, region: str, image_id: str) -> Record | None:
        if image_id in self.regions[region].images:
            return self.regions[region].images[image_id]
        for backend in self.regions.values():
            if image_id in backend.images:
                return backend.images[image_id]
        return None

    def _check_platform_lineage(self, region: str, backup: BootVolumeBackup) -> None:
        """Refuse unless the backup's image chain ends in a platform image (OCI copy limitation)."""
        image_id = backup.get("imageId")
        if not image_id:
            volume = self.regions[region].boot_volumes.get(backup.get("bootVolumeId") or "")
            image_id = volume.get("imageId") if volume else None
        refusal = ("Boot volume backup {bkp} cannot be copied across regions: only backups of instances "
                   "created from platform images or custom images built from platform images can be "
                   "copied ({why}).")
        if not image_id:
            raise InvalidParameter(refusal.format(bkp=backup.id, why="the source image is unknown"))
        listed = self._listed_image_ids()
        seen: set[str] = set()
        current = image_id
        while True:
            if current in seen:
                raise InvalidParameter(refusal.format(bkp=backup.id, why=f"image {current} has a cyclic lineage"))
            seen.add(current)
            image = self._find_image(region, current)
            if image is None:
                raise InvalidParameter(refusal.format(bkp=backup.id, why=f"image {current} is deleted or unknown"))
            base = image.get("baseImageId")
            if not base:
                break
            current = base
        if image.compartment_id or image.id in listed or (image.get("listingType") or "NONE") != "NONE":
            raise InvalidParameter(refusal.format(bkp=backup.id, why=f"image {image.id} is not a platform image"))

    def copy_boot_volume_backup(self, region: str, backup_id: str, details: WireDict | None,
                                retry_token: str | None = None) -> tuple[WireDict, str]:
        """CopyBootVolumeBackup, sent to the source region; return (new backup wire, destination).

        The copy is a new backup in the destination region, in the source's compartment, with
        ``sourceBootVolumeBackupId`` set, starting in REQUEST_RECEIVED.
        """
        with self.lock:
            backend = self.region(region)
            if not isinstance(details, dict):
                raise InvalidParameter("The request body must be a CopyBootVolumeBackupDetails JSON object.")
            now = self.clock.now
            fingerprint = json.dumps({"id": backup_id, "details": details}, sort_keys=True)
            if retry_token:
                self._expire_retry_tokens(now)
                known = self.retry_tokens.get((region, retry_token))
                if known is not None:
                    if known[0] != fingerprint:
                        raise Conflict(f"opc-retry-token {retry_token!r} was already used for a different request.")
                    dest_name, copy_id = known[2], known[1]
                    return self.regions[dest_name].boot_volume_backups[copy_id].to_dict(now), dest_name
            source = self._visible(backend.boot_volume_backups.get(backup_id), "boot volume backup", backup_id)
            assert isinstance(source, BootVolumeBackup)
            destination = details.get("destinationRegion")
            if not destination:
                raise MissingParameter("destinationRegion is required.")
            if destination not in self.identity.subscribed_region_names() or destination not in self.regions:
                raise InvalidParameter(
                    f"destinationRegion '{destination}' is not a region name subscribed by this tenancy.")
            if destination == region:
                raise InvalidParameter(f"destinationRegion '{destination}' is the source region; copy to another region.")
            state = source.lifecycle_state(now)
            if state != "AVAILABLE":
                raise IncorrectState(f"Boot volume backup {backup_id} is {state}; only AVAILABLE backups can be copied.")
            kms_key_id = details.get("kmsKeyId")
            if kms_key_id and kms_key_id not in self.regions[destination].vault_keys:
                raise InvalidParameter(f"kmsKeyId {kms_key_id} is not a Vault key in the destination region {destination}.")
            self._check_platform_lineage(region, source)
            volume_id = source.get("bootVolumeId")
            for dest_backend in self.regions.values():
                for other in dest_backend.boot_volume_backups.values():
                    if (volume_id and other.get("sourceBootVolumeBackupId") and other.get("bootVolumeId") == volume_id
                            and other.lifecycle_state(now) in IN_FLIGHT_STATES
                            and self._source_region_of(other) == region):
                        raise Conflict(
                            f"A copy of a backup of boot volume {volume_id} from {region} is already in progress "
                            f"({other.id}, {other.lifecycle_state(now)}); only one copy per boot volume at a time.")
            data = {k: _copy.deepcopy(source.get(k)) for k in (
                "bootVolumeId", "compartmentId", "imageId", "sizeInGBs", "uniqueSizeInGBs", "type",
                "freeformTags", "definedTags") if source.get(k) is not None}
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
            creating_at = now + timedelta(seconds=self.knobs.copy_request_received_seconds)
            size = float(source.get("sizeInGBs") or 0)
            available_at = creating_at + timedelta(seconds=size * self.knobs.copy_seconds_per_gb)
            record = BootVolumeBackup(data, schedule=(creating_at, available_at))
            self.regions[destination].boot_volume_backups[new_id] = record
            self.changed()
            if retry_token:
                self.retry_tokens[(region, retry_token)] = (fingerprint, new_id, destination, now + RETRY_TOKEN_TTL)
            return record.to_dict(now), destination

    def _expire_retry_tokens(self, now: datetime) -> None:
        for key in [k for k, v in self.retry_tokens.items() if v[3] <= now]:
            del self.retry_tokens[key]

    # ------------------------------------------------------------------------------ request log
    def record(self, **fields: Any) -> LogEntry:
        """Append one request to the log; return the entry."""
        with self.lock:
            entry = LogEntry(index=len(self.log), time=time.time(), simTime=format_time(self.clock.now), **fields)
            self.log.append(entry)
            return entry

    def requests(self, since: int = 0) -> list[dict[str, Any]]:
        """Return the request log from index ``since`` on."""
        with self.lock:
            return [e.to_dict() for e in self.log[since:]]

    def clear_requests(self) -> None:
        with self.lock:
            self.log = []


# ------------------------------------------------------------------------------------- documents
def empty_document() -> WireDict:
    """Return the smallest valid tenancy document (one home region, nothing in it)."""
    return {
        "schemaVersion": 1,
        "asOf": "2026-11-01T00:00:00.000Z",
        "tenancy": {"id": "ocid1.tenancy.oc1..aaaaaaaasimempty", "name": "empty", "homeRegionKey": "LHR"},
        "regionSubscriptions": [
            {"regionKey": "LHR", "regionName": "uk-london-1", "status": "READY", "isHomeRegion": True}],
    }


_REGIONAL_SECTIONS = ("images", "bootVolumes", "bootVolumeBackups", "volumeBackupPolicies",
                      "volumeBackupPolicyAssignments", "vaultKeys")


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
    for key in ("compartments", "policies", "marketplaceListings"):
        items = doc.get(key, [])
        if not isinstance(items, list) or any(not isinstance(i, dict) or not i.get("id") for i in items):
            raise InputError(f"tenancy document: '{key}' must be a list of objects each with an 'id'")
    for key in _REGIONAL_SECTIONS:
        section = doc.get(key, {})
        if not isinstance(section, dict):
            raise InputError(f"tenancy document: '{key}' must be an object keyed by region name")
        for region, items in section.items():
            if not isinstance(items, list):
                raise InputError(f"tenancy document: '{key}.{region}' must be a list")
            if key not in ("vaultKeys", "volumeBackupPolicyAssignments"):
                bad = [i for i in items if not isinstance(i, dict) or not i.get("id")]
                if bad:
                    raise InputError(f"tenancy document: every item of '{key}.{region}' needs an 'id'")
    if "asOf" in doc:
        try:
            parse_time(str(doc["asOf"]))
        except ValueError as exc:
            raise InputError(f"tenancy document: 'asOf' is not an RFC3339 time: {doc['asOf']!r}") from exc


def iter_models(doc: WireDict) -> Iterable[tuple[str, WireDict]]:
    """Yield (section, record) for every resource record of a document (for tests and tools)."""
    yield "tenancy", doc["tenancy"]
    for key in ("regionSubscriptions", "compartments", "policies", "marketplaceListings"):
        for item in doc.get(key, []):
            yield key, item
    for key in _REGIONAL_SECTIONS:
        if key == "vaultKeys":
            continue
        for items in doc.get(key, {}).values():
            for item in items:
                yield key, item

"""The whole fake tenancy: loads a document into regional state, ties the service models together, and owns
the lock, the clock, the fault knobs, the request log and the access rules every service applies."""
from __future__ import annotations

import copy as _copy
import dataclasses
import threading
import time
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from reportkit.sim.documents import REGIONAL_SECTIONS, empty_document, validate_document
from reportkit.sim.exceptions import (
    Conflict,
    InvalidParameter,
    MissingParameter,
    NotAuthenticated,
    NotAuthorizedOrNotFound,
)
from reportkit.sim.faults import Faults, Knobs
from reportkit.sim.models.base import Clock, Record, TimedRecord, WireDict, format_time, parse_time, region_key_for
from reportkit.sim.models.blockstorage import BlockstorageBackend
from reportkit.sim.models.compute import ComputeBackend
from reportkit.sim.models.copies import CopyBackend
from reportkit.sim.models.identity import IdentityBackend
from reportkit.sim.models.kms import KmsBackend, derived_records
from reportkit.sim.models.marketplace import MarketplaceBackend
from reportkit.sim.models.replicas import ReplicaBackend
from reportkit.sim.models.search import SearchBackend
from reportkit.sim.models.volume_groups import VolumeGroupBackend


class RegionBackend:
    """One region's resources: the state the compute and block storage services share.

    Replicas are held by the region they live in (the replica's region), not their source's.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self.images: dict[str, Record] = {}
        self.boot_volumes: dict[str, Record] = {}
        self.boot_volume_backups: dict[str, TimedRecord] = {}
        self.volume_backup_policies: dict[str, Record] = {}
        self.policy_assignments: list[Record] = []
        self.shapes: list[Record] | None = None  # None: the document names none (default shapes)
        self.image_shapes: dict[str, list[Record]] = {}  # image OCID -> its compatibility entries
        self.vaults: dict[str, Record] = {}
        self.keys: dict[str, Record] = {}
        self.volume_groups: dict[str, Record] = {}
        self.volume_group_backups: dict[str, TimedRecord] = {}
        self.boot_volume_replicas: dict[str, Record] = {}
        self.volume_group_replicas: dict[str, Record] = {}

    def load(self, doc: WireDict) -> None:
        """Take this region's records from every regional section of ``doc``."""
        name = self.name
        self.images = {i["id"]: Record(i) for i in doc.get("images", {}).get(name, [])}
        self.boot_volumes = {i["id"]: Record(i) for i in doc.get("bootVolumes", {}).get(name, [])}
        self.boot_volume_backups = {i["id"]: TimedRecord(i) for i in doc.get("bootVolumeBackups", {}).get(name, [])}
        self.volume_backup_policies = {i["id"]: Record(i)
                                       for i in doc.get("volumeBackupPolicies", {}).get(name, [])}
        self.policy_assignments = [Record(i) for i in doc.get("volumeBackupPolicyAssignments", {}).get(name, [])]
        shapes = doc.get("shapes", {})
        self.shapes = [Record(s) for s in shapes[name]] if name in shapes else None
        self.image_shapes = {}
        for entry in doc.get("imageShapeCompatibility", {}).get(name, []):
            self.image_shapes.setdefault(entry["imageId"], []).append(Record(entry))
        self.vaults, self.keys = derived_records(doc, name)
        self.volume_groups = {i["id"]: Record(i) for i in doc.get("volumeGroups", {}).get(name, [])}
        self.volume_group_backups = {i["id"]: TimedRecord(i) for i in doc.get("volumeGroupBackups", {}).get(name, [])}
        self.boot_volume_replicas = {i["id"]: Record(i) for i in doc.get("bootVolumeReplicas", {}).get(name, [])}
        self.volume_group_replicas = {i["id"]: Record(i) for i in doc.get("volumeGroupReplicas", {}).get(name, [])}


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


class SimBackend:
    """The whole fake tenancy: identity, regions, services, clock, knobs, request log.

    The service models (``identity``, ``blockstorage``, ``volume_groups``, ``replicas``, ``copies``,
    ``compute``, ``kms``, ``marketplace``, ``search``) hold the operations; this object holds what they share. Every public method takes
    the lock, so HTTP handler threads may call them concurrently. ``clock_rate`` and
    ``time_source`` set how the simulated clock runs (see :class:`~reportkit.sim.models.base.Clock`).
    """

    def __init__(self, doc: WireDict | None = None, *, clock_rate: float = 0.0,
                 time_source: Callable[[], float] = time.monotonic) -> None:
        self.lock = threading.RLock()
        self.faults = Faults()
        self.log: list[LogEntry] = []
        # bumped whenever what a list or search call can see changes (load, copy, knobs, subscription);
        # the per-compartment indexes and the search result cache are keyed by it
        self.state_version = 0
        self._indexes: dict[tuple[str, str], tuple[tuple, dict[str | None, list[Record]]]] = {}
        self.clock_rate = clock_rate
        self.time_source = time_source
        self.identity = IdentityBackend(self)
        self.blockstorage = BlockstorageBackend(self)
        self.volume_groups = VolumeGroupBackend(self)
        self.replicas = ReplicaBackend(self)
        self.copies = CopyBackend(self)
        self.compute = ComputeBackend(self)
        self.kms = KmsBackend(self)
        self.marketplace = MarketplaceBackend(self)
        self.search = SearchBackend(self)
        self.load(doc or empty_document())

    # ------------------------------------------------------------------------------ loading
    def load(self, doc: WireDict) -> None:
        """Replace the tenancy with ``doc`` (a tenancy document); knobs and the log are kept."""
        validate_document(doc)
        with self.lock:
            self.document = _copy.deepcopy(doc)
            start = parse_time(doc.get("asOf") or format_time(datetime.now(timezone.utc)))
            self.clock = Clock(start, rate=self.clock_rate, time_source=self.time_source)
            self.identity.load(doc)
            names = set(self.identity.subscribed_region_names())
            for section in REGIONAL_SECTIONS:
                names.update(doc.get(section, {}).keys())
            self.regions: dict[str, RegionBackend] = {}
            for name in sorted(names):
                self.regions[name] = RegionBackend(name)
                self.regions[name].load(doc)
            self.marketplace.load(doc)
            self.kms.load(doc)
            self.copies.load(doc)
            self.changed()

    def changed(self) -> None:
        """Note that resources, access or subscriptions changed: drop the indexes and search results."""
        with self.lock:
            self.state_version += 1
            self._indexes.clear()
            self.search.clear_cache()

    def reset(self) -> None:
        """Reload the last loaded document, switch every knob off and clear the request log."""
        with self.lock:
            doc = self.document
            self.faults = Faults()
            self.log = []
            self.load(doc)

    # ------------------------------------------------------------------------------ faults
    @property
    def knobs(self) -> Knobs:
        return self.faults.knobs

    def set_knobs(self, **changes: Any) -> Knobs:
        """Change some knobs (see :class:`~reportkit.sim.faults.Knobs`); return the knobs now in force."""
        with self.lock:
            knobs = self.faults.set(changes)
            self.changed()  # denied_compartments changes what list and search calls show
            return knobs

    def take_token(self, region: str, operation: str) -> bool:
        """Token bucket per (region, operation) in real time; False means answer 429."""
        with self.lock:
            return self.faults.take_token(region, operation)

    def inject_error(self, operation: str) -> bool:
        """True when this request should fail with a 500 (``error_rate``, seeded RNG)."""
        with self.lock:
            return self.faults.inject_error(operation)

    def malformed(self, region: str | None, operation: str, page_number: int) -> bool:
        """True when this page of this list operation must be answered with broken JSON."""
        with self.lock:
            return self.faults.malformed(region, operation, page_number)

    # ------------------------------------------------------------------------------ admin
    def subscribe_region(self, region_name: str, region_key: str | None = None, *, status: str = "READY",
                         ready_at: str | None = None) -> WireDict:
        """Make a new region appear mid-run; return the subscription.

        ``status`` IN_PROGRESS makes a region being subscribed: listed, but every call to it
        answers 401 until :meth:`ready_region` or the simulated clock reaches ``ready_at``.
        """
        with self.lock:
            if region_name in self.identity.subscribed_region_names():
                raise Conflict(f"region {region_name} is already subscribed")
            if status not in ("READY", "IN_PROGRESS"):
                raise InvalidParameter(f"status must be READY or IN_PROGRESS, got {status!r}")
            if ready_at is not None and status != "IN_PROGRESS":
                raise InvalidParameter("readyAt only applies to an IN_PROGRESS subscription")
            key = region_key or region_key_for(region_name)
            sub: WireDict = {"regionKey": key, "regionName": region_name, "status": status, "isHomeRegion": False}
            if ready_at is not None:
                try:
                    sub["_readyAt"] = format_time(parse_time(ready_at))
                except ValueError as exc:
                    raise InvalidParameter(f"readyAt is not an RFC3339 time: {ready_at!r}") from exc
            self.identity.subscriptions.append(Record(sub))
            self.identity.availability_domains.setdefault(region_name, [f"Uocm:{key.upper()}-AD-1"])
            self.regions.setdefault(region_name, RegionBackend(region_name))
            self.changed()
            return {k: v for k, v in sub.items() if not k.startswith("_")}

    def ready_region(self, region_name: str) -> WireDict:
        """Complete an IN_PROGRESS subscription now; return it (READY)."""
        with self.lock:
            sub = self.identity.subscription(region_name)
            if sub is None:
                raise NotAuthorizedOrNotFound(f"region {region_name} is not subscribed")
            sub.data["status"] = "READY"
            sub.data.pop("_readyAt", None)
            self.changed()
            return sub.to_dict()

    def now(self) -> datetime:
        """The simulated time now."""
        with self.lock:
            return self.clock.now

    def set_clock_rate(self, rate: float) -> float:
        """Run the simulated clock at ``rate``x real time from now on (0 freezes it); return the rate.
        Kept across :meth:`load` and :meth:`reset`."""
        with self.lock:
            self.clock.set_rate(rate)
            self.clock_rate = float(rate)
            return self.clock_rate

    # ------------------------------------------------------------------------------ indexes
    def by_compartment(self, backend: RegionBackend, kind: str) -> dict[str | None, list[Record]]:
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
        """Compartments the auditing user may not read (the document's and the knob's)."""
        return self.identity.doc_denied | set(self.knobs.denied_compartments)

    def region(self, name: str) -> RegionBackend:
        """Return the backend of a READY subscribed region.

        Unknown or unsubscribed -> 404; a subscription still IN_PROGRESS -> 401 NotAuthenticated
        (the tenancy's identity has not reached the region yet, so no request there authenticates).
        """
        if name not in self.identity.subscribed_region_names() or name not in self.regions:
            raise NotAuthorizedOrNotFound(
                f"Region '{name}' is unknown or not subscribed by tenancy {self.identity.tenancy_id}.")
        if not self.identity.is_ready(name, self.clock.now):
            raise NotAuthenticated(f"The subscription of tenancy {self.identity.tenancy_id} to region '{name}' "
                                   "is IN_PROGRESS; requests there cannot be authenticated yet.")
        return self.regions[name]

    def check_list_compartment(self, compartment_id: str | None) -> str:
        """A list call's compartment must be given, exist, not be DELETED and be readable; return it."""
        if not compartment_id:
            raise MissingParameter("compartmentId is required.")
        if (not self.identity.compartment_exists(compartment_id) or compartment_id in self.denied()
                or self.identity.compartment_state(compartment_id) == "DELETED"):
            raise NotAuthorizedOrNotFound(
                f"Authorization failed or requested resource not found: compartment {compartment_id}.")
        return compartment_id

    def visible(self, record: Record | None, what: str, ocid: str) -> Record:
        """Return ``record`` if it exists and the auditing user may read it; else 404."""
        if record is None or record.compartment_id in self.denied():
            raise NotAuthorizedOrNotFound(f"Authorization failed or requested resource not found: {what} {ocid}.")
        return record

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

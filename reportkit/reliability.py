"""Fault injection: collect -> assess against the fake OCI API while it misbehaves, and judge the outcome.

``make reliability`` (``python -m reportkit.reliability``) runs every :data:`SCENARIOS` entry, prints
one table row per fault and writes the table to ``docs/reliability.md``; ``tests/test_reliability.py``
runs the same scenarios and asserts every column. Each run is judged against what the fake holds
(its state at the end of the run, not what collect says):

- **run completed**: collect returned an Inventory and assess an Assessment (no exception);
- **errors recorded**: every record the fake holds but the inventory lacks is explained by an
  ``errors`` row for that (region, compartment, list) or that resource, or by a whole-region
  error row for a region the ``regions`` table marks not collected; and the fault was injected;
- **gaps shown as unknown**: compared with a fault-free reference run, a verdict that changed is
  ``unknown``; a volume whose own listing or a possible destination's listing failed is never judged ``missing``/``stale``/... (claims that no good copy exists need complete
  data); a volume that vanished sits in a recorded gap; the assessment lists the gaps;
- **data complete**: nothing read is invented (no record without an id, no duplicate, nothing
  the fake does not hold) and every list that did not fail returned exactly what the fake holds.

The scenario tenancy (:func:`fault_tenancy`) is small (3 regions, 3 compartments, 18 volumes) so
the whole suite runs in seconds; retry waits are shrunk through :class:`~reportkit.collection.Tuning`.
"""
from __future__ import annotations

import contextlib
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pandas as pd

LHR, FRA, IAD, PHX = "uk-london-1", "eu-frankfurt-1", "us-ashburn-1", "us-phoenix-1"
TENANCY_ID = "ocid1.tenancy.oc1..aaaaaaaareliability"
AS_OF = "2026-11-01T00:00:00.000Z"
COMPARTMENTS = {name: f"ocid1.compartment.oc1..aaaaaaaa{name}" for name in ("prod", "dev", "hr")}
PLATFORM_IMAGE = f"ocid1.image.oc1.{LHR}.aaaaaaaaplatform"
#: retry waits of milliseconds, tiny pages (every list crosses page boundaries), quick give-up
FAST_TUNING = dict(page_limit=3, max_attempts=4, max_throttle_retries=200, backoff_base=0.005,
                   backoff_max=0.02, malformed_attempts=2, region_failures=8, timeout=(2.0, 5.0))
LIST_OPERATIONS = ("ListBootVolumeBackups", "ListBootVolumes")
#: verdicts that claim no good copy exists: they need every place a copy could be to have been read
ABSENCE_VERDICTS = frozenset({"missing", "stale", "failed", "in_progress", "no_backup"})


# --------------------------------------------------------------------------------------------
# The tenancy the faults are injected into
# --------------------------------------------------------------------------------------------
def _ocid(kind: str, region: str, name: str) -> str:
    return f"ocid1.{kind}.oc1.{region}.aaaaaaaa{name}"


def _ts(days_before: float) -> str:
    moment = datetime(2026, 11, 1, tzinfo=timezone.utc) - timedelta(days=days_before)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _backup(backup_id: str, volume_id: str, compartment: str, days_before: float, *,
            source: str | None = None) -> dict[str, Any]:
    out = {"id": backup_id, "displayName": f"backup {backup_id[-12:]}", "compartmentId": compartment,
           "bootVolumeId": volume_id, "imageId": PLATFORM_IMAGE, "lifecycleState": "AVAILABLE",
           "sourceType": "MANUAL", "type": "FULL", "sizeInGBs": 50, "uniqueSizeInGBs": 10,
           "timeCreated": _ts(days_before), "timeRequestReceived": _ts(days_before), "freeformTags": {},
           "definedTags": {}, "systemTags": {}}
    if source:
        out["sourceBootVolumeBackupId"] = source
    return out


def fault_tenancy() -> dict[str, Any]:
    """Return the scenario tenancy document (format: docs/sim.md).

    Regions London (home), Frankfurt, Ashburn; compartments prod, dev, hr. In London and Ashburn
    each compartment has three boot volumes: ``covered`` (fresh copy in Frankfurt), ``stale``
    (copy 20 days old) and ``missing`` (no copy). Phoenix is NOT subscribed but already holds a
    copy of Ashburn's prod/missing volume: the region that appears mid-run.
    """
    volumes: dict[str, list[dict[str, Any]]] = {LHR: [], IAD: []}
    backups: dict[str, list[dict[str, Any]]] = {LHR: [], FRA: [], IAD: [], PHX: []}
    for region in (LHR, IAD):
        for cname, cid in COMPARTMENTS.items():
            for kind, ages in (("covered", (1, 2, 3)), ("stale", (20, 21)), ("missing", (1, 2, 3))):
                tag = f"{region.split('-')[1]}{cname}{kind}"
                vid = _ocid("bootvolume", region, tag)
                volumes[region].append({
                    "id": vid, "displayName": f"{cname}-{kind} (Boot Volume)", "compartmentId": cid,
                    "imageId": PLATFORM_IMAGE, "availabilityDomain": f"Uocm:{region.upper()}-AD-1",
                    "lifecycleState": "AVAILABLE", "sizeInGBs": 50, "sizeInMBs": 51200, "vpusPerGB": 10,
                    "isHydrated": True, "timeCreated": _ts(90), "bootVolumeReplicas": [],
                    "freeformTags": {}, "definedTags": {}, "systemTags": {}})
                ids = [_ocid("bootvolumebackup", region, f"{tag}{age}") for age in ages]
                backups[region] += [_backup(b, vid, cid, age) for b, age in zip(ids, ages)]
                if kind in ("covered", "stale"):
                    backups[FRA].append(_backup(_ocid("bootvolumebackup", FRA, f"copy{tag}"), vid, cid,
                                                ages[0] - 0.1, source=ids[0]))
                if (region, cname, kind) == (IAD, "prod", "missing"):
                    backups[PHX].append(_backup(_ocid("bootvolumebackup", PHX, f"copy{tag}"), vid, cid,
                                                ages[0] - 0.1, source=ids[0]))
    image = {"id": PLATFORM_IMAGE, "displayName": "Oracle-Linux-8.10-2026.10.01-0", "createImageAllowed": True,
             "lifecycleState": "AVAILABLE", "operatingSystem": "Oracle Linux", "operatingSystemVersion": "8",
             "launchMode": "NATIVE", "listingType": "NONE", "sizeInMBs": 47694, "billableSizeInGBs": 3,
             "timeCreated": _ts(60), "freeformTags": {}, "definedTags": {}}
    return {
        "schemaVersion": 1, "asOf": AS_OF,
        "tenancy": {"id": TENANCY_ID, "name": "reliability", "description": "fault injection",
                    "homeRegionKey": "LHR", "freeformTags": {}, "definedTags": {}},
        "regionSubscriptions": [
            {"regionKey": "LHR", "regionName": LHR, "status": "READY", "isHomeRegion": True},
            {"regionKey": "FRA", "regionName": FRA, "status": "READY", "isHomeRegion": False},
            {"regionKey": "IAD", "regionName": IAD, "status": "READY", "isHomeRegion": False},
        ],
        "compartments": [{"id": cid, "compartmentId": TENANCY_ID, "name": name, "description": name,
                          "timeCreated": _ts(400), "lifecycleState": "ACTIVE"} for name, cid in COMPARTMENTS.items()],
        "policies": [{"id": "ocid1.policy.oc1..aaaaaaaaauditors", "compartmentId": TENANCY_ID, "name": "auditors",
                      "description": "read-only audit", "lifecycleState": "ACTIVE", "timeCreated": _ts(400),
                      "statements": ["Allow group Auditors to read boot-volume-backups in tenancy"]}],
        "images": {LHR: [image]},
        "bootVolumes": volumes,
        "bootVolumeBackups": backups,
        "volumeBackupPolicies": {}, "volumeBackupPolicyAssignments": {}, "marketplaceListings": [],
        "vaultKeys": {}, "access": {"deniedCompartments": []},
    }


# --------------------------------------------------------------------------------------------
# Faults that happen during the run
# --------------------------------------------------------------------------------------------
@contextlib.contextmanager
def after_requests(sim: Any, count: int, action: Callable[[Any], None], *,
                   operation: str | None = None) -> Iterator[threading.Event]:
    """Run ``action(sim)`` once, right after the fake has answered ``count`` requests (of ``operation``).

    Hooks the fake's request log, so the fault lands at a point of the run defined by traffic, not
    by a timer. Yields an Event that is set once the action ran.
    """
    backend = sim.backend
    original = backend.record
    fired = threading.Event()
    seen = [0]
    active = [True]
    lock = threading.Lock()

    def record(**entry: Any) -> Any:
        out = original(**entry)
        if active[0] and not fired.is_set() and (operation is None or entry.get("operation") == operation):
            with lock:
                seen[0] += 1
                due = seen[0] >= count and not fired.is_set()
                if due:
                    fired.set()
            if due:
                action(sim)
        return out

    backend.record = record
    try:
        yield fired
    finally:
        active[0] = False  # if another hook wrapped this one, it stays in the chain as a pass-through
        if backend.__dict__.get("record") is record:
            backend.record = original


_CLOCK_OFFSET = [pd.Timedelta(0)]


def wall_clock() -> pd.Timestamp:
    """The wall clock the collection runs of this suite read: UTC now plus :data:`_CLOCK_OFFSET`
    (an NTP step). Passed as ``CollectOptions.clock``; monotonic time is untouched, as a step
    leaves it untouched."""
    return pd.Timestamp.now(tz="UTC") + _CLOCK_OFFSET[0]


@contextlib.contextmanager
def stepped_wall_clock() -> Iterator[Callable[[pd.Timedelta], None]]:
    """Let :func:`wall_clock` be stepped during the block; yields ``step(delta)``."""
    def step(delta: pd.Timedelta) -> None:
        _CLOCK_OFFSET[0] += delta

    try:
        yield step
    finally:
        _CLOCK_OFFSET[0] = pd.Timedelta(0)


# --------------------------------------------------------------------------------------------
# Scenarios
# --------------------------------------------------------------------------------------------
@contextlib.contextmanager
def count_calls(obj: Any, method: str, hit: Callable[[Any, tuple, dict], bool]) -> Iterator[list[int]]:
    """Wrap ``obj.method`` for the block; yield a one-item list counting calls where ``hit(result, args, kwargs)``."""
    original = getattr(obj, method)
    count = [0]
    active = [True]
    lock = threading.Lock()

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        result = original(*args, **kwargs)
        if active[0] and hit(result, args, kwargs):
            with lock:
                count[0] += 1
        return result

    setattr(obj, method, wrapper)
    try:
        yield count
    finally:
        active[0] = False
        if obj.__dict__.get(method) is wrapper:
            setattr(obj, method, original)


def _failed_answers(sim: Any) -> contextlib.AbstractContextManager[list[int]]:
    """Requests the fake answered with an error (or dropped); a 404 of GetImage is a fact, not a fault."""
    return count_calls(sim.backend, "record", lambda _r, _a, kw: kw.get("status") != 200 and not (
        kw.get("operation") == "GetImage" and kw.get("status") == 404))


def _slowed(sim: Any) -> contextlib.AbstractContextManager[list[int]]:
    """Requests answered while the injected latency was on."""
    return count_calls(sim.backend, "record", lambda _r, _a, _kw: sim.backend.knobs.latency_ms > 0)


def _broken_pages(sim: Any) -> contextlib.AbstractContextManager[list[int]]:
    return count_calls(sim.backend, "malformed", lambda result, _a, _kw: bool(result))


def _new_subscriptions(sim: Any) -> contextlib.AbstractContextManager[list[int]]:
    return count_calls(sim.backend, "subscribe_region", lambda _r, _a, _kw: True)


def _clock_jumps(sim: Any) -> contextlib.AbstractContextManager[list[int]]:
    return count_calls(sim, "advance", lambda _r, _a, _kw: True)


@dataclass(frozen=True)
class Scenario:
    """One fault: how to inject it, how to count its hits, and what it must leave behind."""

    name: str
    injected: str                                     # what the fake was told to do, in words
    knobs: dict[str, Any] = field(default_factory=dict)   # set before the run
    during: Callable[[Any], contextlib.AbstractContextManager] | None = None  # fault during the run
    hits: Callable[[Any], contextlib.AbstractContextManager[list[int]]] = _failed_answers
    expect_errors: bool = True    # the fault cannot be retried away: error rows must exist
    transient: bool = False       # a retry can get past it: collect must have retried (retries > 0)
    changes_state: bool = False   # the fake's state differs after the run: take a fresh reference
    tuning: dict[str, Any] = field(default_factory=dict)  # overrides of FAST_TUNING


def _burst(knobs_on: dict[str, Any], knobs_off: dict[str, Any], start_after: int,
           length: int) -> Callable[[Any], contextlib.AbstractContextManager]:
    """A fault switched on after ``start_after`` requests and off ``length`` requests later."""

    @contextlib.contextmanager
    def during(sim: Any) -> Iterator[None]:
        def on(s: Any) -> None:
            s.set_knobs(**knobs_on)
            stack.enter_context(after_requests(s, length, lambda s2: s2.set_knobs(**knobs_off)))

        stack = contextlib.ExitStack()
        with after_requests(sim, start_after, on), stack:  # the "off" hook, added later, exits first
            yield
    return during


def _region_appears(sim: Any) -> contextlib.AbstractContextManager:
    return after_requests(sim, 1, lambda s: s.subscribe_region(PHX), operation="ListRegionSubscriptions")


@contextlib.contextmanager
def _clock_steps(sim: Any) -> Iterator[None]:
    """The wall clock steps back an hour and the fake's clock jumps a day, mid-collection."""
    with stepped_wall_clock() as step:
        def jump(s: Any) -> None:
            step(pd.Timedelta(hours=-1))
            s.advance(86400)
        with after_requests(sim, 4, jump, operation="ListBootVolumeBackups"):
            yield


SCENARIOS: tuple[Scenario, ...] = (
    Scenario("429 storm", "every list call limited to 40 req/s per region, burst 1",
             knobs={"rate_limit_rps": 40, "rate_limit_burst": 1, "rate_limit_operations": list(LIST_OPERATIONS)}, expect_errors=False, transient=True),
    Scenario("5xx burst", "35 % of requests answered 500 InternalServerError (seeded)",
             knobs={"error_rate": 0.35, "error_seed": 11}, expect_errors=False, transient=True),
    Scenario("timeouts", "after discovery, 40 requests take 300 ms against a 150 ms read timeout",
             during=_burst({"latency_ms": 300}, {"latency_ms": 0}, start_after=8, length=40), hits=_slowed,
             tuning={"timeout": (2.0, 0.15)}, expect_errors=False, transient=True),
    Scenario("dropped connections", "after discovery, London drops the connection of its next 30 requests",
             during=_burst({"region_down": {LHR: "drop"}}, {"region_down": {}}, start_after=8, length=30),
             expect_errors=False, transient=True),
    Scenario("region down", "Frankfurt (the copy destination) answers 503 to everything",
             knobs={"region_down": {FRA: "503"}}),
    Scenario("NotAuthorized compartment", "the auditor may not read compartment hr (404 NotAuthorizedOrNotFound)",
             knobs={"denied_compartments": [COMPARTMENTS["hr"]]}),
    Scenario("malformed JSON page", "page 2 of every ListBootVolumeBackups in London is truncated JSON",
             knobs={"malformed_page": [{"operation": "ListBootVolumeBackups", "page": 2, "region": LHR}]},
             hits=_broken_pages),
    Scenario("region appears mid-run", "Phoenix (holding a copy) is subscribed right after ListRegionSubscriptions",
             during=_region_appears, hits=_new_subscriptions, expect_errors=False, changes_state=True),
    Scenario("clock steps", "mid-collection the local wall clock steps back 1 h and the fake's clock jumps 1 day",
             during=_clock_steps, hits=_clock_jumps, expect_errors=False),
)


# --------------------------------------------------------------------------------------------
# Judging a run
# --------------------------------------------------------------------------------------------
@dataclass
class Outcome:
    """What one scenario did; every bool is a column of the table."""

    scenario: str
    injected: int = 0            # requests the fault hit
    completed: bool = False
    errors_recorded: bool = False
    gaps_unknown: bool = False
    data_complete: bool = False
    error_rows: int = 0
    retries: int = 0
    unknown_volumes: int = 0
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)

    retried: bool = True         # a transient fault was retried (not turned into error rows at once)

    @property
    def ok(self) -> bool:
        return (self.completed and self.errors_recorded and self.gaps_unknown and self.data_complete
                and self.retried)


def fake_holdings(sim: Any) -> dict[str, set[tuple[str, str, str]]]:
    """What the fake holds now, in regions subscribed now: {"backups"|"volumes": {(region, compartment, id)}}."""
    backend = sim.backend
    with backend.lock:
        regions = [str(s.get("regionName")) for s in backend.identity.subscriptions if s.get("status") == "READY"]
        out: dict[str, set[tuple[str, str, str]]] = {"backups": set(), "volumes": set()}
        for region in regions:
            state = backend.regions.get(region)
            if state is None:
                continue
            out["backups"] |= {(region, str(r.compartment_id), i) for i, r in state.boot_volume_backups.items()}
            out["volumes"] |= {(region, str(r.compartment_id), i) for i, r in state.boot_volumes.items()}
        return out


def _error_keys(errors: pd.DataFrame) -> tuple[set[tuple[str, str, str]], set[tuple[str, str]]]:
    """(region, compartment, operation) of failed lists, and (operation, resource) of failed look-ups."""
    lists = {(str(r), str(c), str(o)) for r, c, o, res in
             zip(errors["region"], errors["compartment_id"], errors["operation"], errors["resource_id"])
             if pd.isna(res)}
    lookups = {(str(o), str(res)) for o, res in zip(errors["operation"], errors["resource_id"]) if pd.notna(res)}
    return lists, lookups


def check_data(inv: Any, holdings: dict[str, set[tuple[str, str, str]]], out: Outcome) -> None:
    """Fill ``errors_recorded`` (half of it) and ``data_complete`` by comparing ``inv`` with the fake."""
    failed_lists, failed_lookups = _error_keys(inv.errors)
    collected_regions = set(inv.metadata.regions)
    # a region the inventory itself declares unread: listed with collected False AND an error row for it
    declared = set(inv.regions.loc[~inv.regions["collected"].fillna(False).astype(bool), "region"].astype(str))
    whole_region_gaps = declared & {r for r, c, _ in failed_lists if c in ("None", "<NA>", "nan")}
    junk: list[str] = []
    unexplained: list[str] = []
    for key, frame, id_col, op in (("backups", inv.backups, "backup_id", "ListBootVolumeBackups"),
                                   ("volumes", inv.boot_volumes, "boot_volume_id", "ListBootVolumes")):
        ids = frame[id_col]
        if ids.isna().any():
            junk.append(f"{int(ids.isna().sum())} {key} without an id")
        if ids.dropna().duplicated().any():
            junk.append(f"duplicate {key}: {sorted(ids[ids.duplicated()].astype(str))[:3]}")
        got = {(str(r), str(c), str(i)) for r, c, i in zip(frame["region"], frame["compartment_id"], ids)
               if pd.notna(i)}
        extra = got - holdings[key]
        if extra:
            junk.append(f"{len(extra)} {key} the fake does not hold, e.g. {sorted(extra)[0]}")
        for region, comp, ident in sorted(holdings[key] - got):
            if (region, comp, op) in failed_lists or region in whole_region_gaps:
                continue
            where = "its region was never read" if region not in collected_regions else "no error row"
            unexplained.append(f"{key} {ident} ({region}, {comp}) missing: {where}")
    # every volume read had its policy assignment looked up (the fixture has none: no rows expected)
    for vid in inv.policy_assignments["asset_id"].dropna():
        if vid not in set(inv.boot_volumes["boot_volume_id"]):
            junk.append(f"assignment of unknown volume {vid}")
    # every image referenced is read, or its failure recorded
    referenced = set(inv.backups["image_id"].dropna()) | set(inv.boot_volumes["image_id"].dropna())
    status = dict(zip(inv.images["image_id"], inv.images["lookup_status"].astype("string")))
    for image in sorted(referenced):
        if status.get(image) not in ("ok", "not_found") and ("GetImage", image) not in failed_lookups:
            unexplained.append(f"image {image} neither read nor recorded as an error")
    out.problems += junk + unexplained[:10]
    out.data_complete = not junk and not unexplained
    out.errors_recorded = not unexplained


def _candidates(required: str, region: str, subscribed: list[str]) -> list[str]:
    if not required or required == "any":
        return [r for r in subscribed if r != region]
    return [r.strip() for r in required.split(",") if r.strip()]


def check_verdicts(inv: Any, assessment: Any, reference: Any, subscribed: list[str], out: Outcome) -> None:
    """Fill ``gaps_unknown``: no verdict that depends on unread data is covered, missing or the like."""
    failed_lists, _ = _error_keys(inv.errors)
    unread_regions = set(subscribed) - set(inv.metadata.regions)
    gaps = {(r, c) for r, c, o in failed_lists if o in LIST_OPERATIONS}

    def unread(region: str, comp: str) -> bool:
        return region in unread_regions or (region, comp) in gaps or (region, "None") in gaps

    ref = reference.volumes.set_index("boot_volume_id")
    got = assessment.volumes.set_index("boot_volume_id")
    problems: list[str] = []
    for vid, row in got.iterrows():
        verdict = str(row["coverage_status"])
        before = str(ref.loc[vid, "coverage_status"]) if vid in ref.index else None
        if before is not None and verdict != before and verdict != "unknown":
            problems.append(f"{vid}: {verdict} although the full data says {before}")
        required = str(row["required_regions"]) if pd.notna(row["required_regions"]) else "any"
        comp = str(row["compartment_id"])
        # (a failed policy-assignment read is judged by the first rule: with every region read, "no
        # copy anywhere" stays true whatever the policy asks for)
        affected = unread(str(row["region"]), comp) or any(
            unread(d, comp) for d in _candidates(required, str(row["region"]), subscribed))
        if affected and verdict in ABSENCE_VERDICTS:
            problems.append(f"{vid}: {verdict} although data it depends on was not read")
    for vid, row in ref.iterrows():
        if vid not in got.index and not unread(str(row["region"]), str(row["compartment_id"])):
            problems.append(f"{vid} vanished from the assessment without a recorded gap")
    if len(inv.errors) and (assessment.summary.collection_gaps != len(inv.errors)):
        problems.append("the summary does not count every error row as a collection gap")
    if (gaps or unread_regions) and assessment.gaps.empty:
        problems.append("lists failed but the assessment shows no gap")
    out.problems += problems[:10]
    out.gaps_unknown = not problems


def run_scenario(scenario: Scenario, sim: Any, config_file: str | Path, profile: str = "DEFAULT", *,
                 reference: Any = None) -> tuple[Outcome, Any]:
    """Load :func:`fault_tenancy` into ``sim``, inject the fault, collect, assess, judge.

    ``reference``: the assessment of a fault-free run of the same tenancy (computed when None or
    when the scenario changes the fake's state). Returns (outcome, reference used).
    """
    from reportkit.assessment import assess
    from reportkit.collection import Tuning, collect
    from reportkit.errors import ReportkitError

    tuning = Tuning(**{**FAST_TUNING, **scenario.tuning})
    out = Outcome(scenario.name)
    sim.load(fault_tenancy())
    sim.reset()
    if reference is None:
        reference = reference_assessment(sim, config_file, profile)
        sim.reset()
    sim.set_knobs(**scenario.knobs)
    started = time.monotonic()
    inv = None
    hits = [0]
    try:
        with scenario.hits(sim) as hits, scenario.during(sim) if scenario.during else contextlib.nullcontext():
            inv = collect(profile, config_file=config_file, endpoint_template=sim.endpoint_template,
                          progress=False, tuning=tuning, clock=wall_clock)
        assessment = assess(inv, as_of=AS_OF)
        out.completed = True
    except ReportkitError as exc:
        out.problems.append(f"the run stopped: {type(exc).__name__}: {exc}")
        assessment = None
    out.seconds = round(time.monotonic() - started, 2)
    out.injected = hits[0]
    sim.set_knobs(**_KNOBS_OFF)
    holdings = fake_holdings(sim)
    subscribed = sorted({r for r, _, _ in holdings["volumes"] | holdings["backups"]}
                        | set(sim.backend.identity.subscribed_region_names()))
    if scenario.changes_state:
        reference = reference_assessment(sim, config_file, profile)
    if inv is not None and assessment is not None:
        out.error_rows, out.unknown_volumes = len(inv.errors), int(assessment.summary.unknown)
        check_data(inv, holdings, out)
        check_verdicts(inv, assessment, reference, subscribed, out)
        if scenario.expect_errors and inv.errors.empty:
            out.errors_recorded = False
            out.problems.append("the fault cannot be retried away, yet no error row was recorded")
        out.retries = int(inv.metadata.parameters.get("retries", 0))
        if scenario.transient and out.injected and not out.retries:
            out.retried = False
            out.problems.append("a fault a retry gets past was never retried (each hit became an error row)")
        if scenario.name == "clock steps" and inv.metadata.finished_at < inv.metadata.started_at:
            out.data_complete = False
            out.problems.append(f"metadata says the run finished ({inv.metadata.finished_at}) before it "
                                f"started ({inv.metadata.started_at})")
    if out.injected == 0:
        out.problems.append("the fault was never injected (the fake's log shows no failed request)")
        out.errors_recorded = False
    return out, reference


_KNOBS_OFF: dict[str, Any] = {"latency_ms": 0.0, "rate_limit_rps": None, "rate_limit_burst": None,
                              "rate_limit_operations": None, "error_rate": 0.0, "error_operations": None,
                              "region_down": {}, "denied_compartments": [], "malformed_page": []}


def reference_assessment(sim: Any, config_file: str | Path, profile: str) -> Any:
    """Assessment of a fault-free collection of what the fake holds now."""
    from reportkit.assessment import assess
    from reportkit.collection import Tuning, collect

    sim.set_knobs(**_KNOBS_OFF)
    inv = collect(profile, config_file=config_file, endpoint_template=sim.endpoint_template, progress=False,
                  tuning=Tuning(**FAST_TUNING))
    if not inv.errors.empty:
        raise RuntimeError(f"the fault-free reference run recorded errors:\n{inv.errors}")
    sim.clear_requests()
    return assess(inv, as_of=AS_OF)


# --------------------------------------------------------------------------------------------
# The table
# --------------------------------------------------------------------------------------------
_COLUMNS = ("fault", "injected", "run completed", "errors recorded", "gaps shown as unknown", "data complete")


def outcome_table(outcomes: list[Outcome], scenarios: tuple[Scenario, ...] = SCENARIOS) -> pd.DataFrame:
    """Return one row per scenario with the table's columns (yes/no) and the figures behind them."""
    what = {s.name: s.injected for s in scenarios}
    yes = {True: "yes", False: "NO"}
    return pd.DataFrame([{
        "fault": o.scenario, "injected": f"{what.get(o.scenario, '')} ({o.injected} hits, {o.retries} retries)",
        "run completed": yes[o.completed], "errors recorded": f"{yes[o.errors_recorded]} ({o.error_rows} rows)",
        "gaps shown as unknown": f"{yes[o.gaps_unknown]} ({o.unknown_volumes} unknown)",
        "data complete": yes[o.data_complete], "seconds": o.seconds,
    } for o in outcomes])


def to_markdown(table: pd.DataFrame, outcomes: list[Outcome]) -> str:
    """Return docs/reliability.md: how the suite works, the table, and every problem found."""
    header = "| " + " | ".join(table.columns) + " |\n|" + "---|" * len(table.columns) + "\n"
    rows = "".join("| " + " | ".join(str(v).replace("|", "\\|") for v in row) + " |\n"
                   for row in table.itertuples(index=False))
    problems = "".join(f"- **{o.scenario}**: " + "; ".join(o.problems[:5]) + "\n" for o in outcomes if o.problems)
    return f"""# Reliability: collect and assess while OCI misbehaves

Generated by `make reliability` (`python -m reportkit.reliability`); the same scenarios are asserted
by `tests/test_reliability.py`. Each fault is injected into the fake OCI API (`reportkit.sim`) while
the real `oci` SDK collects a small tenancy (3 regions, 3 compartments, 18 boot volumes, pages of 3
items), then the inventory is assessed and judged against what the fake holds:

- **run completed**: collect and assess returned (no exception, no traceback);
- **errors recorded**: every record the fake holds that the inventory lacks is explained by an
  `errors` row for its (region, compartment, list) or resource (or a whole-region row for a region
  marked not collected); transient faults were retried (the retries figure); faults that cannot be retried away
  (region down, denied compartment, broken page) leave rows;
- **gaps shown as unknown**: against a fault-free reference run, a verdict that changed is
  `unknown`; a volume whose listing or a possible copy destination's listing failed is never `missing`/`stale`/`failed`/`in_progress`/`no_backup` (claims that no good copy exists need
  complete data); the assessment's gaps table lists the failures;
- **data complete**: no record without an id, no duplicate, nothing the fake does not hold, and
  every list that did not fail returned exactly what the fake holds.

Retries wait milliseconds here (`reportkit.collection.Tuning`); with the defaults a real run waits
seconds, the outcome is the same.

{header}{rows}
## Problems found

{problems or "None: every fault passed every check."}
"""


def run_all(scenarios: tuple[Scenario, ...] = SCENARIOS) -> list[Outcome]:
    """Start a fake, run every scenario against it, return the outcomes (in order)."""
    from reportkit.sim import SimServer, write_oci_config

    outcomes = []
    with tempfile.TemporaryDirectory(prefix="reportkit-reliability-") as tmp, SimServer(fault_tenancy()) as sim:
        config, profile = write_oci_config(tmp, tenancy_id=TENANCY_ID)
        reference = None
        for scenario in scenarios:
            try:
                outcome, ref = run_scenario(scenario, sim, config, profile, reference=reference)
            except Exception as exc:  # noqa: BLE001 - a crash is an outcome of the table, not the end of it
                outcome, ref = Outcome(scenario.name, problems=[f"crashed: {type(exc).__name__}: {exc}"]), None
            if not scenario.changes_state:
                reference = ref
            outcomes.append(outcome)
    return outcomes


def main(argv: list[str] | None = None) -> int:
    """Run every scenario, print the table, write docs/reliability.md; exit 1 if any check failed."""
    import logging

    logging.getLogger("reportkit.sim").setLevel(logging.CRITICAL)
    args = list(sys.argv[1:] if argv is None else argv)
    doc_path = Path(args[0]) if args else Path(__file__).resolve().parents[1] / "docs" / "reliability.md"
    outcomes = run_all()
    table = outcome_table(outcomes)
    with pd.option_context("display.width", 250, "display.max_colwidth", 90, "display.max_columns", 10):
        print(table.to_string(index=False))
    for o in outcomes:
        for problem in o.problems[:5]:
            print(f"  {o.scenario}: {problem}")
    doc_path.parent.mkdir(parents=True, exist_ok=True)
    doc_path.write_text(to_markdown(table, outcomes), encoding="utf-8")
    print(f"\nwrote {doc_path}")
    return 0 if all(o.ok for o in outcomes) else 1


__all__ = ["SCENARIOS", "Scenario", "Outcome", "fault_tenancy", "run_scenario", "run_all", "outcome_table",
           "after_requests", "count_calls", "stepped_wall_clock", "fake_holdings", "check_data",
           "check_verdicts", "reference_assessment", "main"]

if __name__ == "__main__":
    sys.exit(main())

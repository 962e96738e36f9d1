"""The faults: how each is injected into the fake while collect runs, and how its hits are counted."""
from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import time

import pandas as pd

from .tenancy import COMPARTMENTS, FRA, IAD, LHR, LIST_OPERATIONS, PHX

# --------------------------------------------------------------------------------------------
# Faults that happen during the run
# --------------------------------------------------------------------------------------------
@contextlib.contextmanager
def after_requests(sim: Any, count: int, action: Callable[[Any], None], *,
                   operation: str | None = None) -> Iterator[threading.Event]:
    """Run ``action(sim)`` once, right after the fake has answered ``count`` requests (of ``operation``;
    ``"Operation@region"`` counts that region's only).

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
        if active[0] and not fired.is_set() and (operation is None or f"{entry.get('operation')}@{entry.get('region')}"
                                                 == operation or entry.get("operation") == operation):
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


def _answers(operation: str, region: str | None = None) -> Callable[[Any], contextlib.AbstractContextManager[list[int]]]:
    """Hits = answers of ``operation`` (in ``region``) the fake sent while the hostile knob was on."""
    return lambda sim: count_calls(sim.backend, "record", lambda _r, _a, kw: kw.get("operation") == operation and (
        region is None or kw.get("region") == region))


def _distorted_records(sim: Any) -> contextlib.AbstractContextManager[list[int]]:
    """Hits = records the fake damaged (its record_faults counters)."""
    @contextlib.contextmanager
    def counting() -> Iterator[list[int]]:
        hits = [0]
        yield hits
        hits[0] = sum(sim.backend.faults.record_counts.values())
    return counting()


@contextlib.contextmanager
def _ctrl_c(sim: Any) -> Iterator[None]:
    """SIGINT (Ctrl-C) to this process once Frankfurt's first (stalled) backup list reached the fake."""
    sent: list[float] = []

    def interrupt(_s: Any) -> None:
        sent.append(time.monotonic())
        os.kill(os.getpid(), signal.SIGINT)  # process-directed, as a terminal's Ctrl-C
    # Python leaves SIGINT ignored when it started ignored (tests run from a background shell): handle it
    # as a terminal's Ctrl-C for the scenario, then put back what was there
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with after_requests(sim, 1, interrupt, operation="ListBootVolumeBackups@" + FRA):
            yield
    finally:
        signal.signal(signal.SIGINT, previous)
    INTERRUPTS[:] = sent


#: monotonic time of the last Ctrl-C a scenario sent (the judge measures the stop from it)
INTERRUPTS: list[float] = []


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
    bound: float = 30.0           # seconds the run may take (Ctrl-C: from the signal to the partial inventory)
    interrupts: bool = False      # the scenario presses Ctrl-C: collect must return a partial inventory


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
    # hostile answers (issue 14)
    Scenario("wrong shape: list", "Frankfurt's backup lists answer a JSON object instead of a list",
             knobs={"wrong_shape": [{"operation": "ListBootVolumeBackups", "region": FRA, "shape": "object"}]},
             hits=_answers("ListBootVolumeBackups", FRA)),
    Scenario("wrong shape: assignment", "every policy assignment answer is a JSON object instead of a list",
             knobs={"wrong_shape": [{"operation": "GetVolumeBackupPolicyAssetAssignment", "shape": "object"}]},
             hits=_answers("GetVolumeBackupPolicyAssetAssignment")),
    Scenario("page-token loop", "London's volume lists repeat their next-page token forever",
             knobs={"page_loop": [{"operation": "ListBootVolumes", "region": LHR, "mode": "repeat"}]},
             hits=_answers("ListBootVolumes", LHR)),
    Scenario("page-token cycle", "Ashburn's backup lists cycle between two next-page tokens",
             knobs={"page_loop": [{"operation": "ListBootVolumeBackups", "region": IAD, "mode": "cycle"}]},
             hits=_answers("ListBootVolumeBackups", IAD)),
    Scenario("endless empty pages", "Frankfurt's backup lists answer empty pages that always promise more",
             knobs={"page_loop": [{"operation": "ListBootVolumeBackups", "region": FRA, "mode": "empty"}]},
             hits=_answers("ListBootVolumeBackups", FRA), tuning={"max_empty_pages": 5}),
    Scenario("trickling body", "Frankfurt's backup lists send one byte every 50 ms (deadline 0.5 s per request)",
             knobs={"trickle": [{"operation": "ListBootVolumeBackups", "region": FRA, "interval": 0.05}]},
             hits=_answers("ListBootVolumeBackups", FRA), tuning={"request_deadline": 0.5, "max_attempts": 2}),
    Scenario("stalled region", "Ashburn's volume lists stay silent for 60 s (region deadline 1 s)",
             knobs={"stall": [{"operation": "ListBootVolumes", "region": IAD, "seconds": 60}]},
             hits=_answers("ListBootVolumes", IAD), tuning={"region_deadline": 1.0, "timeout": (2.0, 120.0)},
             bound=15.0),
    Scenario("null ids", "every 2nd backup record and every 3rd volume record has \"id\": null",
             knobs={"record_faults": [{"operation": "ListBootVolumeBackups", "field": "id", "value": None, "every": 2},
                                      {"operation": "ListBootVolumes", "field": "id", "value": None, "every": 3}]},
             hits=_distorted_records),
    Scenario("unknown compartment state", "compartment dev is in a lifecycle state OCI may add (ARCHIVED)",
             knobs={"record_faults": [{"operation": "ListCompartments", "field": "lifecycleState",
                                       "value": "ARCHIVED", "ids": [COMPARTMENTS["dev"]]}]},
             hits=_distorted_records, expect_errors=False),
    Scenario("bad fields", "every 3rd backup has timeCreated 'yesterday', every 2nd volume sizeInGBs 'fifty', "
             "every 5th backup a display name with a lone surrogate, every 4th a year-2999 time",
             knobs={"record_faults": [
                 {"operation": "ListBootVolumeBackups", "field": "timeCreated", "value": "yesterday", "every": 3},
                 {"operation": "ListBootVolumes", "field": "sizeInGBs", "value": "fifty", "every": 2},
                 {"operation": "ListBootVolumeBackups", "field": "displayName", "value": "\ud800", "every": 5},
                 {"operation": "ListBootVolumeBackups", "field": "timeRequestReceived",
                  "value": "2999-01-01T00:00:00.000Z", "every": 4}]},
             hits=_distorted_records),
    Scenario("Ctrl-C", "SIGINT while Frankfurt's backup lists stall for 60 s (partial inventory kept)",
             knobs={"stall": [{"operation": "ListBootVolumeBackups", "region": FRA, "seconds": 60}]},
             during=_ctrl_c, hits=_answers("ListBootVolumeBackups", FRA), bound=2.0, interrupts=True),
)

"""Fault injection: collect -> assess against the fake OCI API while it misbehaves, and judge the outcome.

``make reliability`` (``python -m tests.reliability``) runs every :data:`SCENARIOS` entry, prints
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
  the fake does not hold) and every list that did not fail returned exactly what the fake holds;
- **no false covered**: no volume is covered that the fault-free reference does not call covered;
- **within its bound**: the run ended within the scenario's bound (Ctrl-C: from the signal to the
  partial inventory, 2 s).

A check that cannot fail for a scenario is "n/a": gaps shown as unknown when the run recorded no
errors row and read every region (nothing could become unknown), no false covered when nothing was
lost or damaged either (the data is the reference's, so are the verdicts).

The scenario tenancy (:func:`fault_tenancy`) is small (3 regions, 3 compartments, 18 volumes) so
the whole suite runs in seconds; retry waits are shrunk through :class:`~reportkit.collection.Tuning`.
"""
from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .faults import INTERRUPTS, Scenario, wall_clock
from .tenancy import ABSENCE_VERDICTS, AS_OF, FAST_TUNING, LIST_OPERATIONS, fault_tenancy

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
    no_false_covered: bool = False
    within_bound: bool = False
    bound: float = 0.0
    gaps_na: bool = False        # no gap was recorded: "gaps shown as unknown" cannot fail
    covered_na: bool = False     # nothing was lost or damaged: "no false covered" cannot fail

    @property
    def ok(self) -> bool:
        return (self.completed and self.errors_recorded and self.gaps_unknown and self.data_complete
                and self.retried and self.no_false_covered and self.within_bound)


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
    from reportkit.collection.run import CollectionInterrupted
    from reportkit.errors import ReportkitError

    tuning = Tuning(**{**FAST_TUNING, **scenario.tuning})
    out = Outcome(scenario.name, bound=scenario.bound)
    sim.load(fault_tenancy())
    sim.reset()
    if reference is None:
        reference = reference_assessment(sim, config_file, profile)
        sim.reset()
    sim.set_knobs(**scenario.knobs)
    started = time.monotonic()
    inv = None
    hits = [0]
    ended = None
    try:
        with scenario.hits(sim) as hits, scenario.during(sim) if scenario.during else contextlib.nullcontext():
            try:
                inv = collect(profile, config_file=config_file, endpoint_template=sim.endpoint_template,
                              progress=False, tuning=tuning, clock=wall_clock)
            except CollectionInterrupted as stop:
                ended = time.monotonic()
                inv = stop.inventory
                if not scenario.interrupts:
                    raise
        if scenario.interrupts and (inv is None or not inv.metadata.parameters.get("interrupted")):
            out.problems.append("Ctrl-C did not stop the run with a partial inventory marked interrupted")
            inv = None
        assessment = assess(inv, as_of=AS_OF) if inv is not None else None
        out.completed = assessment is not None
    except (ReportkitError, KeyboardInterrupt) as exc:
        out.problems.append(f"the run stopped: {type(exc).__name__}: {exc}")
        assessment = None
    out.seconds = round(time.monotonic() - started, 2)
    took = (ended - INTERRUPTS[0]) if scenario.interrupts and ended and INTERRUPTS else out.seconds
    out.within_bound = took <= scenario.bound
    if not out.within_bound:
        out.problems.append(f"took {took:.2f} s, over its bound of {scenario.bound:g} s")
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
        check_covered(inv, assessment, reference, out)
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
                              "region_down": {}, "denied_compartments": [], "malformed_page": [],
                              "wrong_shape": [], "page_loop": [], "record_faults": [], "stall": [], "trickle": []}


def check_covered(inv: Any, assessment: Any, reference: Any, out: Outcome) -> None:
    """Fill ``no_false_covered`` (and the n/a flags): no volume covered that the reference does not cover."""
    ref = reference.volumes.set_index("boot_volume_id")["coverage_status"].astype(str)
    got = assessment.volumes.set_index("boot_volume_id")["coverage_status"].astype(str)
    false = [v for v in got.index if got[v] == "covered" and ref.get(v) != "covered"]
    out.problems += [f"{v}: covered, the full data says {ref.get(v)}" for v in false[:5]]
    out.no_false_covered = not false
    uncollected = ~inv.regions["collected"].fillna(False).astype(bool)
    out.gaps_na = inv.errors.empty and not uncollected.any()
    out.covered_na = inv.errors.empty and out.data_complete


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

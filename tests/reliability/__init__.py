"""The fault-injection harness (not shipped in the package): collect -> assess while the fake misbehaves.

:mod:`.tenancy` (the scenario tenancy), :mod:`.faults` (how each fault is injected and counted),
:mod:`.judge` (how a run is judged against what the fake holds), :mod:`.table` (``make reliability``
prints the table and writes docs/reliability.md). ``tests/test_reliability.py`` asserts every column.
"""
from __future__ import annotations

from .faults import SCENARIOS, Scenario, after_requests, count_calls, stepped_wall_clock, wall_clock
from .judge import Outcome, check_covered, check_data, check_verdicts, fake_holdings, reference_assessment, run_scenario
from .table import main, outcome_table, run_all, to_markdown
from .tenancy import (
    ABSENCE_VERDICTS,
    AS_OF,
    COMPARTMENTS,
    FAST_TUNING,
    FRA,
    IAD,
    LHR,
    LIST_OPERATIONS,
    PHX,
    PLATFORM_IMAGE,
    TENANCY_ID,
    fault_tenancy,
)

__all__ = ["ABSENCE_VERDICTS", "AS_OF", "COMPARTMENTS", "FAST_TUNING", "FRA", "IAD", "LHR", "LIST_OPERATIONS", "PHX",
           "PLATFORM_IMAGE", "SCENARIOS", "TENANCY_ID", "Outcome", "Scenario", "after_requests", "check_covered", "check_data",
           "check_verdicts", "count_calls", "fake_holdings", "fault_tenancy", "main", "outcome_table",
           "reference_assessment", "run_all", "run_scenario", "stepped_wall_clock", "to_markdown", "wall_clock"]

"""The demo tenancy: a seeded, deterministic generator of tenancy documents for the fake OCI API.

A *tenancy document* (format: docs/sim.md) is one JSON-serialisable dict whose resource records
are in OCI wire format (camelCase keys of the SDK models' ``attribute_map``), so the fake serves
them as-is. The shape of the demo tenancy is declared in ``reportkit/sim/data/demo_tenancy.toml``
(regions, compartments, policies, IAM statements, how many boot volumes per scenario); everything
random comes from ``random.Random(seed)`` or from hashes of the seed, never from the clock or the
global RNG, so the same seed gives the same document.

    doc = build_demo_tenancy(seed=20261101, as_of="2026-11-01T00:00:00Z")
    history = build_history(months=6)       # [(month-end Timestamp, doc), ...] same tenancy evolving

How the tenancy evolves: the generator first *plans* the tenancy over its whole life
(:mod:`.planning`: regions, compartments, policies, where each volume and volume group lives;
:mod:`.scenarios`: each scenario's backup-policy assignments over time, scripted manual backups
and copies (copies of copies too), moves, retention locks, group membership over time, replicas
with their own sync timeline, deletions), then takes a *snapshot* at a time T
(:mod:`.snapshot`): only what exists at T is emitted, each backup or group backup in the lifecycle
state it has at T (REQUEST_RECEIVED / CREATING / COMMITTED while running, FAULTY if it failed,
TERMINATING / TERMINATED for a few days after deletion), scheduled ones only while within their
retention, subscriptions and compartment states as they were at T. Scheduled backups are
enumerated from the policy schedules (when several schedules of a policy fire at the same instant
only the one with the longest retention is taken, as OCI does); a policy with a
``destinationRegion`` copies every scheduled backup (or group backup, for a policy on a volume
group) there, into the same compartment. OCIDs and per-backup details come from a hash of (seed,
owner, time), so a backup keeps its OCID from one snapshot to the next. The scenarios and their
sizes are listed in docs/sim.md ("The demo tenancy").

``doc["_truth"]`` (never served) records per boot volume what the generator knows: the scenario
it was built for and the status that scenario is meant to show at the generator's end time
(``scenarioStatus``). The verdict a correct assessment must give is computed by the tests' own
oracle (``tests/fixtures/demo_oracle.py``), which the tests check against the scenarios.
"""
from __future__ import annotations

from reportkit.sim.demo.history import build_demo_tenancy, build_history
from reportkit.sim.demo.spec import (
    DEFAULT_AS_OF,
    DEFAULT_RPO_DAYS,
    DEFAULT_SEED,
    INELIGIBLE_KINDS,
    NOT_VISIBLE,
    SCENARIO_STATUS,
    SCHEMA_VERSION,
    SPEC_PATH,
    load_spec,
)

__all__ = ["DEFAULT_AS_OF", "DEFAULT_RPO_DAYS", "DEFAULT_SEED", "INELIGIBLE_KINDS", "NOT_VISIBLE",
           "SCENARIO_STATUS", "SCHEMA_VERSION", "SPEC_PATH", "build_demo_tenancy", "build_history", "load_spec"]

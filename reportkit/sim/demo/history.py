"""The public recipes: the demo tenancy at one time, and the same tenancy at several month ends."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from reportkit.errors import InputError
from reportkit.sim.demo.planning import plan_tenancy
from reportkit.sim.demo.records import parse_time
from reportkit.sim.demo.snapshot import snapshot
from reportkit.sim.demo.spec import DEFAULT_AS_OF, DEFAULT_SEED, load_spec


def build_demo_tenancy(seed: int = DEFAULT_SEED, as_of: str | datetime = DEFAULT_AS_OF,
                       spec: Path | str | None = None) -> dict[str, Any]:
    """Return the demo tenancy document as it stands at ``as_of`` (JSON-serialisable, OCI wire format).

    Same ``seed`` and ``as_of`` give an identical document. ``spec`` names another TOML spec
    (default: the packaged ``reportkit/sim/data/demo_tenancy.toml``). ``doc["_truth"]`` holds the
    ground truth per boot volume (read it with :func:`demo_truth`).
    """
    end = parse_time(as_of)
    return snapshot(plan_tenancy(load_spec(spec), int(seed), end), end)


def build_history(months: int = 6, seed: int = DEFAULT_SEED, end: str | datetime = DEFAULT_AS_OF,
                  spec: Path | str | None = None) -> list[tuple[pd.Timestamp, dict[str, Any]]]:
    """Return ``[(month_end, doc), ...]``, oldest first: the same tenancy at each of ``months`` month ends.

    Month ends are the instants ``end``, ``end - 1 month``, ... (for the default end, midnight UTC
    on the 1st of each month). The last document equals ``build_demo_tenancy(seed, end)``. Between
    snapshots volumes appear, scheduled backups accumulate and expire by retention, copies appear.
    """
    if months < 1:
        raise InputError(f"months={months}: give at least 1")
    end_dt = parse_time(end)
    plan = plan_tenancy(load_spec(spec), int(seed), end_dt)
    out = []
    for k in range(months - 1, -1, -1):
        at = (pd.Timestamp(end_dt) - pd.DateOffset(months=k)).to_pydatetime()
        out.append((pd.Timestamp(at), snapshot(plan, at)))
    return out



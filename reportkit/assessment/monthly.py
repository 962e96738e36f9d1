"""The monthly picture, pure: coverage trend per month, control results and finding changes between months.

:func:`reportkit.pipeline.monthly` picks the last snapshot of each month (snapshot catalog),
assesses each with the same settings as every other entry point and hands the assessments to
:func:`build_monthly`: there is one definition of "covered".
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from reportkit.assessment.result import Assessment
from reportkit.schema import CoverageStatus

#: the trend's columns per month: the summary's counts, statuses in the enum's order
SUMMARY_COLUMNS = ["total_volumes", *(s.value for s in CoverageStatus), "restorable_pct", "restorable_upper_pct",
                   "copyable_coverage_pct", "collection_gaps"]



def compare_findings(current: pd.DataFrame, previous: pd.DataFrame | None) -> pd.DataFrame:
    """Return the findings of both months with ``change``: new, persisting (in current) or resolved.

    Findings are matched on (control, resource_id). Without a previous month every current
    finding is ``new``. Resolved rows carry the previous month's details.
    """
    key = ["control", "resource_id"]
    cur = current.assign(control=current["control"].astype(str))
    if previous is None or previous.empty:
        return cur.assign(change="new").reset_index(drop=True)
    prev = previous.assign(control=previous["control"].astype(str))
    prev_keys = set(map(tuple, prev[key].astype(str).to_numpy()))
    cur_keys = set(map(tuple, cur[key].astype(str).to_numpy()))
    cur_change = ["persisting" if k in prev_keys else "new" for k in map(tuple, cur[key].astype(str).to_numpy())]
    resolved = prev[[k not in cur_keys for k in map(tuple, prev[key].astype(str).to_numpy())]]
    out = pd.concat([cur.assign(change=cur_change), resolved.assign(change="resolved")], ignore_index=True)
    return out


def change_counts(changes: pd.DataFrame) -> pd.DataFrame:
    """Return counts of new / persisting / resolved findings per control (plus a total row)."""
    order = ["new", "persisting", "resolved"]
    if changes.empty:
        return pd.DataFrame(columns=["control", *order])
    table = (pd.crosstab(changes["control"].astype(str), changes["change"])
             .reindex(columns=order, fill_value=0).reset_index().rename_axis(columns=None))
    total = pd.DataFrame([{"control": "all controls", **{c: int(table[c].sum()) for c in order}}])
    return pd.concat([table, total], ignore_index=True)


def control_status(controls: pd.DataFrame) -> pd.DataFrame:
    """Return the control table with ``result``: PASS, FAIL, or UNKNOWN (never PASS on unread data).

    FAIL when any resource does not comply; UNKNOWN when none fails but some could not be
    evaluated; PASS only when every evaluated resource complies and nothing is unknown.
    """
    non = pd.to_numeric(controls["non_compliant"], errors="coerce").fillna(0)
    unknown = pd.to_numeric(controls["unknown"], errors="coerce").fillna(0)
    result = ["FAIL" if n > 0 else "UNKNOWN" if u > 0 else "PASS" for n, u in zip(non, unknown)]
    cols = ["control", "description", "severity", "compliant", "non_compliant", "unknown", "pct_compliant"]
    return controls[[c for c in cols if c in controls.columns]].assign(result=result)


@dataclass(frozen=True)
class MonthlyHistory:
    """Everything the monthly compliance report shows, computed once."""

    month: str
    tenancy: str
    snapshots: pd.DataFrame          # month-end snapshots in the window, with manifest_sha256
    trend: pd.DataFrame              # one row per month: summary counts and the three percentages
    current: Assessment              # Assessment of the month's last snapshot
    previous: Assessment | None      # Assessment of the previous month's last snapshot, if any
    changes: pd.DataFrame            # compare_findings(current, previous)
    parameters: dict[str, Any] = field(default_factory=dict)


def build_monthly(month: str, months: int, snapshots: pd.DataFrame, assessments: Mapping[str, Assessment],
                  parameters: Mapping[str, Any]) -> MonthlyHistory:
    """Return the :class:`MonthlyHistory` of ``month`` from its month-end ``snapshots`` (one row per month,
    with manifest_sha256; one month more than shown) and the ``assessments`` of each month."""
    rows = [{"month": snap.month, "run": snap.run, **{c: assessments[snap.month].summary.to_dict().get(c)
                                                       for c in SUMMARY_COLUMNS}}
            for snap in snapshots.itertuples(index=False)]
    trend = _month_grid(pd.DataFrame(rows), end=month, months=months)
    current = assessments[month]
    previous = assessments.get(str(pd.Period(month, "M") - 1))
    shown = snapshots[snapshots["month"].map(lambda m: pd.Period(m, "M") > pd.Period(month, "M") - months)]
    return MonthlyHistory(
        month=month, tenancy=str(snapshots["tenancy"].iloc[-1]), snapshots=shown.reset_index(drop=True),
        trend=trend, current=current, previous=previous,
        changes=compare_findings(current.findings, previous.findings if previous is not None else None),
        parameters=dict(parameters),
    )


def _month_grid(rows: pd.DataFrame, *, end: str, months: int) -> pd.DataFrame:
    """Return one row per month of the window; months without a snapshot have NA values (a gap, not zero)."""
    last = pd.Period(end, "M")
    grid = pd.DataFrame({"month": [str(last - i) for i in range(months - 1, -1, -1)]})
    out = grid.merge(rows, on="month", how="left")
    # counts stay whole numbers: the NA of an empty month must not turn a column into floats
    counts = [c for c in out.columns if c in rows.columns and pd.api.types.is_integer_dtype(rows[c].dtype)]
    return out.astype({c: "Int64" for c in counts})


__all__ = ["MonthlyHistory", "build_monthly", "change_counts", "compare_findings", "control_status"]

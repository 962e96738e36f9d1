"""Month-by-month view of the snapshot history, for the monthly compliance report.

The snapshot folder (``reportkit.snapshot``) is Hive-partitioned::

    <root>/tenancy=<name>/date=<YYYY-MM-DD>/<YYYYMMDDTHHMMSSZ>[-N]/<table>.parquet + manifest.json

One DuckDB query reads every manifest (small JSON files; no Parquet table is loaded into pandas)
and picks the LAST complete snapshot of each month. Only those month-end snapshots (at most
``months + 1``) are loaded and assessed, so the trend uses exactly the same verdict logic as the
coverage report: there is one definition of "covered".
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from reportkit.errors import InputError

_SUMMARY_COLUMNS = ["total_volumes", "covered", "stale", "in_progress", "failed", "missing", "no_backup",
                    "ineligible", "unknown", "coverage_pct", "collection_gaps"]



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
    trend: pd.DataFrame              # one row per month: summary counts and coverage_pct
    current: Any                     # Assessment of the month's last snapshot
    previous: Any | None             # Assessment of the previous month's last snapshot, if any
    changes: pd.DataFrame            # compare_findings(current, previous)
    parameters: dict[str, Any] = field(default_factory=dict)


def load_monthly(root: str | Path | None, *, month: str | None = None, tenancy: str | None = None, months: int = 12,
                 rpo_days: int = 7, copy_targets: Mapping[str, str | Sequence[str]] | None = None) -> MonthlyHistory:
    """Return the monthly picture: month-end snapshots, coverage trend, controls and finding changes.

    Each month-end snapshot is loaded and assessed with the same ``rpo_days`` and
    ``copy_targets``, as of its own collection time. Raises InputError when ``month`` has no
    snapshot.
    """
    from reportkit.assess import assess
    from reportkit.settings import current
    from reportkit.snapshot import load_snapshot, manifest_sha256, month_end_snapshots

    root = current().snapshots if root is None else root
    # one month more than shown: the first shown month needs its predecessor for the changes
    snaps = month_end_snapshots(root, month=month, months=months + 1, tenancy=tenancy)
    if snaps.empty:
        raise InputError(f"no snapshot in or before {month} under {root}")
    month = month or snaps["month"].iloc[-1]
    if snaps["month"].iloc[-1] != month:
        raise InputError(f"no snapshot was taken in {month} under {root}; the latest before it is from "
                         f"{snaps['month'].iloc[-1]}. Collect one, or choose another month")
    snaps = snaps.assign(manifest_sha256=[manifest_sha256(p) for p in snaps["path"]])
    assessments = {}
    rows = []
    for snap in snaps.itertuples(index=False):
        result = assess(load_snapshot(snap.path), rpo_days=rpo_days, copy_targets=copy_targets)
        assessments[snap.month] = result
        summary = result.summary.to_dict()
        rows.append({"month": snap.month, "run": snap.run, **{c: summary.get(c) for c in _SUMMARY_COLUMNS}})
    trend = _month_grid(pd.DataFrame(rows), end=month, months=months)
    current = assessments[month]
    prev_month = str(pd.Period(month, "M") - 1)
    previous = assessments.get(prev_month)
    shown = snaps[snaps["month"].map(lambda m: pd.Period(m, "M") > pd.Period(month, "M") - months)]
    return MonthlyHistory(
        month=month, tenancy=str(snaps["tenancy"].iloc[-1]), snapshots=shown.reset_index(drop=True),
        trend=trend, current=current, previous=previous,
        changes=compare_findings(current.findings, previous.findings if previous is not None else None),
        parameters={"month": month, "rpo_days": rpo_days, "copy_targets": copy_targets, "months": months,
                    "history": str(root)},
    )


def _month_grid(rows: pd.DataFrame, *, end: str, months: int) -> pd.DataFrame:
    """Return one row per month of the window; months without a snapshot have NA values (a gap, not zero)."""
    last = pd.Period(end, "M")
    grid = pd.DataFrame({"month": [str(last - i) for i in range(months - 1, -1, -1)]})
    out = grid.merge(rows, on="month", how="left")
    # counts stay whole numbers: the NA of an empty month must not turn a column into floats
    counts = [c for c in out.columns if c in rows.columns and pd.api.types.is_integer_dtype(rows[c].dtype)]
    return out.astype({c: "Int64" for c in counts})


__all__ = ["MonthlyHistory", "change_counts", "compare_findings", "control_status", "load_monthly"]

"""Sections of the monthly compliance report: trend, control results, finding changes, evidence, sign-off."""
from __future__ import annotations

import pandas as pd
from pandas.io.formats.style import Styler

from reportkit.assessment.monthly import SUMMARY_COLUMNS
from reportkit.report.palette import STATUS_COLOURS
from reportkit.report.views.blocks import TOP_N, Html, _e, _tile, table
from reportkit.report.views.coverage import SEVERITY_ORDER
from reportkit.schema import CoverageStatus


def trend_table(trend: pd.DataFrame) -> Styler:
    """Return the monthly trend as a table (months without a snapshot show dashes)."""
    cols = ["month", "run", *SUMMARY_COLUMNS]
    return table(trend[[c for c in cols if c in trend.columns]], top_n=None,
                 labels={"run": "snapshot", "total_volumes": "volumes", "restorable_pct": "restorable %",
                         "restorable_upper_pct": "at most %", "copyable_coverage_pct": "copyable coverage %",
                         "collection_gaps": "gaps"})


_RESULT_COLOURS = {"PASS": STATUS_COLOURS[CoverageStatus.COVERED], "FAIL": STATUS_COLOURS[CoverageStatus.FAILED],
                   "UNKNOWN": STATUS_COLOURS[CoverageStatus.UNKNOWN]}


def control_table(controls: pd.DataFrame) -> Styler:
    """Return controls with PASS/FAIL/UNKNOWN and their counts; the result cell is coloured and worded."""
    order = {"FAIL": 0, "UNKNOWN": 1, "PASS": 2}
    data = controls.assign(_o=controls["result"].map(order)).sort_values(["_o", "control"]).drop(columns="_o")
    cols = ["result", "control", "severity", "description", "compliant", "non_compliant", "unknown", "pct_compliant"]
    styler = table(data[cols], top_n=None, labels={"non_compliant": "non-compliant", "pct_compliant": "% compliant"})
    return styler.map(lambda v: f"border-left: 6px solid {_RESULT_COLOURS.get(v, '#999')}; font-weight: bold"
                      if v in _RESULT_COLOURS else "", subset=["result"])


def change_tiles(changes: pd.DataFrame) -> Html:
    """Return three tiles: new, resolved and persisting findings since the previous month."""
    counts = changes["change"].value_counts() if len(changes) else pd.Series(dtype=int)
    spec = [("new", "New findings", "bad", STATUS_COLOURS[CoverageStatus.FAILED]),
            ("resolved", "Resolved", "good", STATUS_COLOURS[CoverageStatus.COVERED]),
            ("persisting", "Persisting", "warn", STATUS_COLOURS[CoverageStatus.STALE])]
    tiles = [_tile(f"findings_{k}", f"{int(counts.get(k, 0)):,}", int(counts.get(k, 0)), label,
                   "since the previous month", level if counts.get(k, 0) else "neutral", colour)
             for k, label, level, colour in spec]
    return Html('<div class="rk-kpis">' + "".join(tiles) + "</div>")


def changed_findings(changes: pd.DataFrame, *, top_n: int = TOP_N, full_data: str | None = None) -> Styler:
    """Return new findings first, then persisting, then resolved, most severe first within each."""
    data = changes.assign(_c=changes["change"].map({"new": 0, "persisting": 1, "resolved": 2}),
                          _s=changes["severity"].astype(str).map(SEVERITY_ORDER))
    data = data.sort_values(["_c", "_s", "control"], kind="stable")
    cols = ["change", "severity", "control", "region", "compartment_path", "resource_id", "message", "remediation"]
    return table(data[[c for c in cols if c in data.columns]], top_n=top_n, full_data=full_data,
                 labels={"compartment_path": "compartment", "resource_id": "resource"})


def evidence_table(snapshots: pd.DataFrame) -> Styler:
    """Return the month-end snapshots used: id, collection time, manifest sha256, versions, counts."""
    cols = ["month", "run", "finished_at", "manifest_sha256", "reportkit_version", "backups", "boot_volumes",
            "errors", "path"]
    return table(snapshots[[c for c in cols if c in snapshots.columns]], top_n=None,
                 labels={"run": "snapshot id", "finished_at": "collected (UTC)", "errors": "collection gaps"})


def signoff_block(month: str) -> Html:
    """Return an empty sign-off table (prepared by / reviewed by / approved by) for the month."""
    rows = "".join(f"<tr><th>{_e(role)}</th><td></td><td></td><td></td></tr>"
                   for role in ("Prepared by", "Reviewed by", "Approved by"))
    return Html(f'<table class="rk-signoff"><caption>Sign-off for {_e(month)}</caption>'
                "<tr><th></th><th>Name</th><th>Date</th><th>Signature</th></tr>" + rows + "</table>")

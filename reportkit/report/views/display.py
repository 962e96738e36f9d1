"""How an Assessment and an Inventory show themselves in Jupyter: one compact card each (headline, counts, gaps).

``Assessment._repr_html_`` and ``Inventory._repr_html_`` call these, so evaluating ``result`` in a
notebook cell shows a card of a few lines instead of ten thousand characters of DataFrame repr.
Everything from OCI is escaped (:mod:`~reportkit.report.views.blocks`).
"""
from __future__ import annotations

from typing import Any

import pandas as pd

from reportkit.report.palette import STATUS_COLOURS, STATUS_LABELS
from reportkit.report.views.blocks import _e, _get, headline, stale_data_note
from reportkit.schema import CoverageStatus

_CARD = 'style="border:1px solid #ddd;border-radius:6px;padding:8px 12px;max-width:980px;text-align:left"'
_CELL = 'style="text-align:left;padding:2px 10px 2px 0;vertical-align:top"'


def assessment_html(assessment: Any) -> str:
    """Return the card of an :class:`~reportkit.assessment.Assessment`: what was judged and when, the
    headline, volumes per status, collection gaps, and the tables it holds."""
    meta, summary = assessment.metadata, assessment.summary
    as_of = pd.Timestamp(_get(summary, "as_of"))
    parts = [f"<strong>Assessment</strong> of tenancy <strong>{_e(meta.tenancy_name)}</strong> as of "
             f"{as_of:%Y-%m-%d %H:%M} UTC · RPO {_e(_get(summary, 'rpo_days'))} days · data collected "
             f"{pd.Timestamp(meta.finished_at):%Y-%m-%d %H:%M} UTC"]
    note = stale_data_note(meta, summary)
    if note:
        parts.append(f'<div style="color:#a33c00"><strong>{_e(note)}</strong></div>')
    parts.append(str(headline(summary)))
    counts = {s: int(_get(summary, s.value, 0) or 0) for s in CoverageStatus}
    cells = "".join(f'<td {_CELL}><span style="border-left:6px solid {STATUS_COLOURS[s]};padding-left:4px">'
                    f"{_e(STATUS_LABELS[s])}</span> <strong>{n:,}</strong></td>" for s, n in counts.items())
    parts.append(f"<table><tr>{cells}</tr></table>")
    parts.append(_gaps_line(int(_get(summary, "collection_gaps", 0) or 0), getattr(assessment, "gaps", None)))
    parts.append(_tables_line("result", {name: getattr(assessment, name) for name in
                                         ("volumes", "backups", "findings", "controls", "images", "gaps")}))
    parts.append('<div style="color:#555;font-size:smaller">Narrow it down: <code>views.filter_volumes('
                 'result.volumes, region="lhr", status=["missing", "stale"])</code>; summaries are functions of '
                 "the tables: <code>reportkit.assessment.coverage_by_region(result.volumes)</code></div>")
    return f"<div {_CARD}>" + "".join(parts) + "</div>"


def inventory_html(inventory: Any) -> str:
    """Return the card of an :class:`~reportkit.inventory.Inventory`: tenancy, when it was collected,
    regions read, rows per table and collection gaps."""
    meta = inventory.metadata
    regions = ", ".join(meta.regions) or "none"
    parts = [f"<strong>Inventory</strong> of tenancy <strong>{_e(meta.tenancy_name)}</strong> collected "
             f"{pd.Timestamp(meta.finished_at):%Y-%m-%d %H:%M} UTC (home {_e(meta.home_region)}) · "
             f"regions read: {_e(regions)}"]
    errors = inventory.errors
    by_operation = (errors["operation"].astype(str).value_counts().head(5) if len(errors) else pd.Series(dtype=int))
    parts.append(_gaps_line(len(errors), None, by_operation))
    parts.append(_tables_line("inventory", inventory.tables()))
    parts.append('<div style="color:#555;font-size:smaller">Judge it: <code>reportkit.assess(inventory, '
                 "rpo_days=7)</code>, or <code>reportkit.pipeline.assess_snapshot(\"latest\")</code> with the "
                 "image overrides every command applies</div>")
    return f"<div {_CARD}>" + "".join(parts) + "</div>"


def assessment_text(assessment: Any) -> str:
    """Return a one-line repr of an Assessment (the DataFrames themselves are attributes)."""
    summary = assessment.summary
    counts = ", ".join(f"{s.value}={int(_get(summary, s.value, 0) or 0)}" for s in CoverageStatus)
    return (f"Assessment(tenancy={assessment.metadata.tenancy_name!r}, as_of={pd.Timestamp(summary.as_of).isoformat()!r}, "
            f"rpo_days={summary.rpo_days}, volumes={len(assessment.volumes)}, {counts}, "
            f"collection_gaps={_get(summary, 'collection_gaps', 0)})")


def _gaps_line(n: int, gaps: pd.DataFrame | None, by_operation: pd.Series | None = None) -> str:
    if not n:
        return '<div style="color:#006b4f">No collection gaps: every region and compartment was read.</div>'
    detail = ""
    if by_operation is not None and len(by_operation):
        detail = " (" + ", ".join(f"{_e(op)} {int(k)}" for op, k in by_operation.items()) + ")"
    elif gaps is not None and len(gaps) and "operation" in gaps.columns:
        top = gaps["operation"].astype(str).value_counts().head(5)
        detail = " (" + ", ".join(f"{_e(op)} {int(k)}" for op, k in top.items()) + ")"
    return (f'<div style="color:#a33c00"><strong>{n:,} collection gap{"s" if n != 1 else ""}</strong>{detail}: '
            "what they concern is unknown, never covered.</div>")


def _tables_line(name: str, tables: dict[str, pd.DataFrame]) -> str:
    shown = ", ".join(f"<code>{name}.{table}</code> ({len(frame):,})" for table, frame in tables.items()
                      if frame is not None)
    return f'<div style="color:#555;font-size:smaller">Tables (rows): {shown}</div>'

"""Display-ready pieces of the reports, for the notebooks: ``from reportkit.report import views``.

:mod:`~reportkit.report.views.blocks` (the escaping boundary, tiles, panels, tables) and one module
per report: :mod:`~reportkit.report.views.coverage`, :mod:`~reportkit.report.views.monthly`,
:mod:`~reportkit.report.views.explore`. A new report section adds a function to its report's
module and a cell to its notebook.
"""
from __future__ import annotations

from reportkit.report.views.blocks import (
    COVERAGE_GOOD,
    COVERAGE_WARN,
    TOP_N,
    Html,
    callout,
    coverage_level,
    data_freshness,
    dictionary,
    headline,
    kpi_tiles,
    parameters_table,
    stale_data_note,
    table,
    title_block,
)
from reportkit.report.views.coverage import (
    IMAGE_CLASS_GUIDANCE,
    collection_gaps,
    coverage_table,
    encryption_findings,
    image_classes,
    ineligible_volumes,
    lapsing,
    protection_kinds,
    rpo_table,
    severity_badges,
    top_findings,
)
from reportkit.report.views.explore import filter_summary, filter_volumes, first_volume_id, volume_card, volume_history
from reportkit.report.views.monthly import (
    change_tiles,
    changed_findings,
    control_table,
    evidence_table,
    signoff_block,
    trend_table,
)

__all__ = [
    "COVERAGE_GOOD", "COVERAGE_WARN", "IMAGE_CLASS_GUIDANCE", "TOP_N", "Html", "callout", "change_tiles",
    "changed_findings", "collection_gaps", "control_table", "coverage_level", "coverage_table", "data_freshness",
    "dictionary", "encryption_findings", "evidence_table", "filter_summary", "filter_volumes", "first_volume_id",
    "headline", "image_classes", "ineligible_volumes", "kpi_tiles", "lapsing", "parameters_table", "protection_kinds",
    "rpo_table", "severity_badges", "signoff_block", "stale_data_note", "table", "title_block", "top_findings",
    "trend_table", "volume_card",
    "volume_history",
]

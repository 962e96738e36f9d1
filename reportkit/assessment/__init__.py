"""Assess an Inventory: image eligibility, lineage of every backup, protection of every boot volume.

:func:`assess` (:mod:`~reportkit.assessment.recipe`) reads one inventory with one
:class:`AssessContext` (:mod:`~reportkit.assessment.context`) and returns an :class:`Assessment`
(:mod:`~reportkit.assessment.result`). The rule steps (the rule book of issue 13, docs/assess.md):
:mod:`~reportkit.assessment.existence` (what exists at as_of), :mod:`~reportkit.assessment.images`,
:mod:`~reportkit.assessment.lineage` (every backup traced to its root),
:mod:`~reportkit.assessment.volumes` (items, requirements, verdicts, reasons),
:mod:`~reportkit.assessment.backups`, :mod:`~reportkit.assessment.groups`,
:mod:`~reportkit.assessment.findings`; tables for people: :mod:`~reportkit.assessment.summaries`,
:mod:`~reportkit.assessment.monthly`; files: :mod:`~reportkit.assessment.export`.
"""
from __future__ import annotations

from reportkit.assessment.context import AssessContext, build_context
from reportkit.assessment.export import export_assessment
from reportkit.assessment.findings import CONTROL_INFO
from reportkit.assessment.images import classify_images, load_image_overrides, validate_image_overrides
from reportkit.assessment.monthly import MonthlyHistory, change_counts, compare_findings, control_status
from reportkit.assessment.params import parse_accept, parse_copy_targets, read_copy_targets
from reportkit.assessment.recipe import assess
from reportkit.assessment.result import Assessment, CoverageSummary
from reportkit.assessment.summaries import (
    copy_matrix,
    coverage_by_compartment,
    coverage_by_image_class,
    coverage_by_protection,
    coverage_by_region,
    lapsing_coverage,
    protection_by_kind,
)

__all__ = [
    "AssessContext", "Assessment", "CONTROL_INFO", "CoverageSummary", "MonthlyHistory", "assess", "build_context",
    "change_counts", "classify_images", "compare_findings", "control_status",
    "copy_matrix", "coverage_by_compartment", "coverage_by_image_class", "coverage_by_protection",
    "coverage_by_region", "export_assessment", "lapsing_coverage", "load_image_overrides", "parse_accept",
    "parse_copy_targets", "protection_by_kind", "read_copy_targets", "validate_image_overrides",
]

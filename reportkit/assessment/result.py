"""What an assessment returns: the Assessment (its tables) and the CoverageSummary (its headline numbers)."""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

import pandas as pd

from reportkit.assessment.summaries import headline_pcts
from reportkit.inventory import CollectionMetadata
from reportkit.schema import CoverageStatus


@dataclass(frozen=True)
class CoverageSummary:
    """Headline numbers of an assessment (rule book §8): volumes per coverage status and three percentages.

    One count field per :class:`~reportkit.schema.CoverageStatus` value (a test keeps them equal).
    ``restorable_pct`` is THE headline: covered / every volume in scope; unknown counts as not
    covered, so data that could not be read can never raise it.
    """

    as_of: pd.Timestamp
    rpo_days: int
    total_volumes: int
    covered: int
    stale: int
    in_progress: int
    failed: int
    missing: int
    no_backup: int
    ineligible: int
    unknown: int
    restorable_pct: float | None         # covered / total * 100; None if total is 0
    restorable_upper_pct: float | None   # (covered + unknown) / total * 100: if every unknown were covered
    copyable_coverage_pct: float | None  # covered / (total - ineligible) * 100; None if that is 0
    collection_gaps: int                 # rows in inventory.errors

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict (as_of in ISO 8601)."""
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out["as_of"] = self.as_of.isoformat()
        return out

    def counts(self) -> dict[str, int]:
        """Return volumes per coverage status, in the enum's order."""
        return {s.value: getattr(self, s.value) for s in CoverageStatus}

    def sentence(self) -> str:
        """Return the headline sentence: 'N of M boot volumes could be restored in another region from data
        no older than the RPO (R days)'."""
        return (f"{self.covered:,} of {self.total_volumes:,} boot volumes could be restored in another region "
                f"from data no older than the RPO ({self.rpo_days} days)")


@dataclass(frozen=True)
class Assessment:
    """Everything :func:`~reportkit.assessment.assess` derives from one inventory (tables declared in
    reportkit.schema)."""

    images: pd.DataFrame     # schema.ASSESSED_IMAGES
    backups: pd.DataFrame    # schema.ASSESSED_BACKUPS
    volumes: pd.DataFrame    # schema.ASSESSED_VOLUMES
    findings: pd.DataFrame   # schema.FINDINGS
    controls: pd.DataFrame   # schema.CONTROLS
    summary: CoverageSummary
    parameters: dict[str, Any]
    metadata: CollectionMetadata
    gaps: pd.DataFrame       # region, compartment_id ('' = whole region), operation, code
    group_backups: pd.DataFrame = field(default_factory=pd.DataFrame)  # schema.ASSESSED_GROUP_BACKUPS
    items: pd.DataFrame = field(default_factory=pd.DataFrame)          # schema.PROTECTION_ITEMS
    notes: tuple[str, ...] = ()  # what the assessment could not consider (e.g. tables the snapshot predates)
    regions: pd.DataFrame = field(default_factory=pd.DataFrame)  # the inventory's regions (subscription status)

    def __repr__(self) -> str:  # one line; the display code lives in reportkit.report.views.display
        from reportkit.report.views.display import assessment_text

        return assessment_text(self)

    def _repr_html_(self) -> str:
        from reportkit.report.views.display import assessment_html

        return assessment_html(self)


def summarize(volumes: pd.DataFrame, *, as_of: pd.Timestamp, rpo_days: int, errors: int) -> CoverageSummary:
    """Return the :class:`CoverageSummary` of assessed volumes (``errors``: rows of inventory.errors)."""
    counts = volumes["coverage_status"].astype("string").value_counts()
    n = {s.value: int(counts.get(s.value, 0)) for s in CoverageStatus}
    total = len(volumes)
    return CoverageSummary(as_of=as_of, rpo_days=rpo_days, total_volumes=total, **n,
                           **headline_pcts(n["covered"], total, n["ineligible"], n["unknown"]),
                           collection_gaps=errors)

"""Assess an Inventory: image eligibility, copy status of every backup, coverage of every boot volume.

Pure pandas: no I/O (except :func:`export_assessment` and :func:`load_image_overrides`, which
say so), no clock (``as_of`` defaults to the collection's ``finished_at``), no logging::

    result = assess(inventory, rpo_days=7, copy_targets={"lhr": "fra"})
    result.summary.coverage_pct, result.volumes, result.findings, result.controls

Recipe: validate parameters -> classify images -> index backups -> backup verdicts ->
volume verdicts -> findings -> controls -> summary. Status rules: docs/assess.md.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import pandas as pd

from reportkit.assess.backups import assess_backups, prepare_backups
from reportkit.assess.export import export_assessment
from reportkit.assess.findings import CONTROL_INFO, build_controls, build_findings, downgrade_rows
from reportkit.assess.gaps import find_gaps, unreadable_policies
from reportkit.assess.images import (classify_images, load_image_overrides, mark_failed_lookups,
                                     validate_image_overrides)
from reportkit.assess.params import (parse_copy_targets, read_copy_targets, resolve_as_of,
                                     resolve_copy_targets, validate_rpo_days)
from reportkit.assess.summaries import (
    copy_matrix,
    coverage_by_compartment,
    coverage_by_image_class,
    coverage_by_protection,
    coverage_by_region,
    coverage_pct,
)
from reportkit.assess.volumes import assess_volumes, select_volumes
from reportkit.compartments import paths_for
from reportkit.errors import InputError
from reportkit.inventory import CollectionMetadata, Inventory
from reportkit.schema import CoverageStatus

__all__ = [
    "Assessment", "CoverageSummary", "assess", "classify_images", "load_image_overrides",
    "parse_copy_targets", "read_copy_targets",
    "validate_image_overrides", "coverage_by_region", "coverage_by_compartment", "coverage_by_image_class",
    "coverage_by_protection", "copy_matrix", "export_assessment", "CONTROL_INFO",
]

_MAX_REGIONS = 64  # region sets are bit masks in a uint64


@dataclass(frozen=True)
class CoverageSummary:
    """Headline numbers of an assessment: volumes per coverage status and the coverage percentage."""

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
    coverage_pct: float | None  # covered / (total - ineligible - unknown) * 100; None if that is 0
    collection_gaps: int        # rows in inventory.errors

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict (as_of in ISO 8601)."""
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out["as_of"] = self.as_of.isoformat()
        return out


@dataclass(frozen=True)
class Assessment:
    """Everything :func:`assess` derives from one inventory (tables declared in reportkit.schema)."""

    images: pd.DataFrame     # schema.ASSESSED_IMAGES
    backups: pd.DataFrame    # schema.ASSESSED_BACKUPS
    volumes: pd.DataFrame    # schema.ASSESSED_VOLUMES
    findings: pd.DataFrame   # schema.FINDINGS
    controls: pd.DataFrame   # schema.CONTROLS
    summary: CoverageSummary
    parameters: dict[str, Any]
    metadata: CollectionMetadata
    gaps: pd.DataFrame       # region, compartment_id ('' = whole region), operation, code


def assess(inventory: Inventory, *, rpo_days: int = 7, as_of: pd.Timestamp | str | None = None,
           copy_targets: Mapping[str, str | Sequence[str]] | None = None,
           image_overrides: pd.DataFrame | None = None) -> Assessment:
    """Return the :class:`Assessment` of ``inventory``.

    ``rpo_days``: a copy is fresh when its *source* backup was created at most this many days
    before ``as_of``. ``as_of``: the instant judged (default: the collection's finished_at).
    ``copy_targets``: source region -> destination region(s) every volume of that region needs
    (names or short codes such as ``lhr``); without an entry a volume needs its policy's
    destination_region, or else any other subscribed region. ``image_overrides``: image_id,
    image_class, note rows that win over inference (see :func:`load_image_overrides`).
    Raises InputError for invalid parameters.
    """
    if not isinstance(inventory, Inventory):
        raise InputError(f"assess() needs an Inventory (from collect or load_snapshot), got {type(inventory).__name__}")
    rpo = validate_rpo_days(rpo_days)
    when = resolve_as_of(as_of, inventory.metadata)
    targets = resolve_copy_targets(copy_targets, inventory.regions)
    overrides = validate_image_overrides(image_overrides) if image_overrides is not None else None

    vocabulary = _region_vocabulary(inventory, targets)
    gaps = find_gaps(inventory.errors, inventory.regions, vocabulary)
    subscribed = np.isin(np.array(vocabulary, dtype=object),
                         inventory.regions["region"].astype("string").dropna().to_numpy(object))
    volumes_in = select_volumes(inventory.boot_volumes)
    referenced = pd.concat([inventory.backups["image_id"], volumes_in["image_id"]]).dropna().unique()
    images = classify_images(mark_failed_lookups(inventory.images, inventory.errors), overrides,
                             referenced=referenced)
    facts, evidence = prepare_backups(inventory.backups, images, vocabulary)
    images = images.assign(copy_evidence=pd.array(evidence, dtype="boolean"))

    backups = assess_backups(facts, images, paths_for(facts.frame["compartment_id"], inventory.compartments), gaps,
                             vocabulary, when)
    volumes = assess_volumes(volumes_in, facts, images, evidence, inventory.policy_assignments,
                             inventory.backup_policies,
                             paths_for(volumes_in["compartment_id"], inventory.compartments), gaps, vocabulary,
                             subscribed, targets, rpo, when,
                             policy_unknown=unreadable_policies(volumes_in, inventory.errors,
                                                                inventory.policy_assignments,
                                                                inventory.backup_policies))
    downgrades = downgrade_rows(backups, facts.src_pos)  # assessed backups keep the facts' row order
    findings = build_findings(volumes, backups, as_of=when, rpo_days=rpo, downgrades=downgrades)
    controls = build_controls(volumes, backups, as_of=when, rpo_days=rpo, downgrades=downgrades)
    summary = _summary(volumes, when, rpo, len(inventory.errors))
    parameters = {
        "rpo_days": rpo,
        "as_of": when.isoformat(),
        "copy_targets": {k: list(v) for k, v in targets.items()},
        "image_overrides": 0 if overrides is None else len(overrides),
    }
    return Assessment(images=images, backups=backups, volumes=volumes, findings=findings, controls=controls,
                      summary=summary, parameters=parameters, metadata=inventory.metadata, gaps=gaps.table)


def _region_vocabulary(inventory: Inventory, targets: dict[str, tuple[str, ...]]) -> list[str]:
    """Every region the assessment may mention, sorted: subscribed, holding data, or a destination."""
    def distinct(series: pd.Series) -> list[str]:
        # categories first: a million-row region column has a handful of distinct values
        values = series.cat.categories if isinstance(series.dtype, pd.CategoricalDtype) else series.unique()
        return [str(v).strip() for v in values if not pd.isna(v)]

    names = [*distinct(inventory.regions["region"]), *distinct(inventory.backups["region"]),
             *distinct(inventory.boot_volumes["region"]), *distinct(inventory.backup_policies["destination_region"]),
             *(r for pair in targets.items() for r in (pair[0], *pair[1]))]
    vocabulary = sorted({name for name in names if name})
    if len(vocabulary) > _MAX_REGIONS:
        raise InputError(f"the inventory mentions {len(vocabulary)} regions; assess supports at most {_MAX_REGIONS}")
    return vocabulary


def _summary(volumes: pd.DataFrame, as_of: pd.Timestamp, rpo_days: int, errors: int) -> CoverageSummary:
    counts = volumes["coverage_status"].astype("string").value_counts()
    n = {s.value: int(counts.get(s.value, 0)) for s in CoverageStatus}
    total = len(volumes)
    return CoverageSummary(as_of=as_of, rpo_days=rpo_days, total_volumes=total, **n,
                           coverage_pct=coverage_pct(n["covered"], total, n["ineligible"], n["unknown"]),
                           collection_gaps=errors)


# reportkit.assess(...) keeps working after `import reportkit.assess` (see reportkit/_callable_module.py)
from reportkit._callable_module import make_module_callable  # noqa: E402

make_module_callable(__name__, assess)

"""The assess() recipe: validate -> classify images -> backup verdicts -> volume verdicts -> findings -> summary.

Pure pandas: no I/O, no clock (``as_of`` defaults to the collection's ``finished_at``), no logging::

    result = assess(inventory, rpo_days=7, copy_targets={"lhr": "fra"})
    result.summary.coverage_pct, result.volumes, result.findings, result.controls

Status rules: docs/assess.md. Entry points do not call this directly with hand-picked
parameters: :mod:`reportkit.pipeline` loads the snapshot and the image overrides of the settings.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from reportkit.assessment.backups import assess_backups, prepare_backups
from reportkit.assessment.context import build_context
from reportkit.assessment.findings import build_controls, build_findings, downgrade_rows
from reportkit.assessment.images import classify_images, mark_failed_lookups
from reportkit.assessment.result import Assessment, summarize
from reportkit.assessment.volumes import assess_volumes, select_volumes
from reportkit.inventory import Inventory


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
    ctx = build_context(inventory, rpo_days=rpo_days, as_of=as_of, copy_targets=copy_targets,
                        image_overrides=image_overrides)
    volumes_in = select_volumes(inventory.boot_volumes)
    referenced = pd.concat([inventory.backups["image_id"], volumes_in["image_id"]]).dropna().unique()
    images = classify_images(mark_failed_lookups(inventory.images, inventory.errors), ctx.overrides,
                             referenced=referenced)
    facts, evidence = prepare_backups(inventory.backups, images, ctx.vocabulary)
    images = images.assign(copy_evidence=pd.array(evidence, dtype="boolean"))

    backups = assess_backups(ctx, facts, images)
    volumes = assess_volumes(ctx, volumes_in, facts, images, evidence)
    downgrades = downgrade_rows(backups, facts.src_pos)  # assessed backups keep the facts' row order
    findings = build_findings(volumes, backups, as_of=ctx.as_of, rpo_days=ctx.rpo_days, downgrades=downgrades)
    controls = build_controls(volumes, backups, as_of=ctx.as_of, rpo_days=ctx.rpo_days, downgrades=downgrades)
    summary = summarize(volumes, as_of=ctx.as_of, rpo_days=ctx.rpo_days, errors=len(inventory.errors))
    return Assessment(images=images, backups=backups, volumes=volumes, findings=findings, controls=controls,
                      summary=summary, parameters=ctx.parameters(), metadata=inventory.metadata,
                      gaps=ctx.gaps.table)

"""The assess() recipe: context -> images -> lineage -> protection items -> backups, group backups,
volumes -> findings -> summary.

Pure pandas: no I/O, no clock (``as_of`` defaults to the collection's ``finished_at``), no logging::

    result = assess(inventory, rpo_days=7, copy_targets={"lhr": "fra"}, accept={"copy", "replica"})
    result.summary.restorable_pct, result.volumes, result.items, result.findings, result.controls

Status rules: docs/assess.md (the rule book of issue 13). Entry points do not call this directly
with hand-picked parameters: :mod:`reportkit.pipeline` loads the snapshot and the image overrides
of the settings.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import pandas as pd

from reportkit.assessment._lookup import sort_unique
from reportkit.assessment.backups import assess_backups, copy_evidence
from reportkit.assessment.context import AssessContext, build_context
from reportkit.assessment.existence import collected_tables
from reportkit.assessment.findings import build_controls, build_findings, downgrade_rows
from reportkit.assessment.groups import assess_group_backups
from reportkit.assessment.images import classify_images, mark_failed_lookups
from reportkit.assessment.items import items_table
from reportkit.assessment.lineage import trace_chains
from reportkit.assessment.result import Assessment, summarize
from reportkit.assessment.volumes import assess_volumes, select_volumes, volume_regions
from reportkit.assessment.volumes.link import link_items
from reportkit.assessment.gaps import unseen_group_compartments
from reportkit.inventory import Inventory
from reportkit.schema import LATER_TABLES


def assess(inventory: Inventory, *, rpo_days: int = 7, as_of: pd.Timestamp | str | None = None,
           copy_targets: Mapping[str, str | Sequence[str]] | None = None,
           accept: Iterable[str] | str | None = None, image_overrides: pd.DataFrame | None = None) -> Assessment:
    """Return the :class:`Assessment` of ``inventory``.

    ``rpo_days``: an item is fresh when its data (the root backup's time, a replica's last sync) is
    at most this many days older than ``as_of``. ``as_of``: the instant judged (default: the
    collection's finished_at; it must lie between the oldest data and finished_at + 1 day).
    ``copy_targets``: source region -> destination region(s) every volume of that region needs
    (names or short codes such as ``lhr``); without an entry a volume needs its policy's
    destination_region, else its volume group's policy's, else any other subscribed region.
    ``accept``: the protection kinds that may make a volume covered, any of ``copy``,
    ``group_copy``, ``replica`` (default: all three). ``image_overrides``: image_id, image_class,
    note rows that win over inference (see :func:`load_image_overrides`).
    Raises InputError for invalid parameters.
    """
    ctx = build_context(inventory, rpo_days=rpo_days, as_of=as_of, copy_targets=copy_targets, accept=accept,
                        image_overrides=image_overrides)
    inv = ctx.inventory
    volumes_in = select_volumes(inv.boot_volumes)
    referenced = pd.concat([inv.backups["image_id"], volumes_in["image_id"]]).dropna().unique()
    images = classify_images(mark_failed_lookups(inv.images, inv.errors), ctx.overrides, referenced=referenced)
    chains = trace_chains(inv.backups, inv.volume_group_backups, inv.volume_group_backup_members, volumes_in,
                          ctx.vocabulary)
    home = volume_regions(volumes_in, ctx.vocabulary)
    replicas = sort_unique(inv.boot_volume_replicas, "replica_id")  # row order never decides
    items = link_items(chains, volumes_in, home, replicas, inv.volume_group_replicas, gaps=ctx.gaps,
                       vocabulary=ctx.vocabulary, ready=ctx.ready, aliases=_region_aliases(ctx), as_of=ctx.as_of,
                       cutoff=ctx.cutoff, accepted=ctx.accept,
                       replica_leads="boot_volume_replicas" in collected_tables(inventory))
    evidence = copy_evidence(chains, home, images)
    images = images.assign(copy_evidence=pd.array(evidence, dtype="boolean"))

    backups, roots = assess_backups(ctx, chains, images, items, evidence)
    group_backups = assess_group_backups(ctx, chains, items)
    volumes = assess_volumes(ctx, volumes_in, chains, items, images, evidence)
    downgrades = downgrade_rows(backups, chains.boot.source, roots)
    findings = build_findings(volumes, backups, group_backups, as_of=ctx.as_of, rpo_days=ctx.rpo_days,
                              downgrades=downgrades)
    controls = build_controls(volumes, backups, group_backups, as_of=ctx.as_of, rpo_days=ctx.rpo_days,
                              downgrades=downgrades)
    summary = summarize(volumes, as_of=ctx.as_of, rpo_days=ctx.rpo_days, errors=len(inv.errors))
    return Assessment(images=images, backups=backups, volumes=volumes, findings=findings, controls=controls,
                      summary=summary, parameters=ctx.parameters(), metadata=inventory.metadata,
                      gaps=ctx.gaps.table, group_backups=group_backups,
                      items=items_table(items, volumes_in, chains, replicas, ctx.vocabulary),
                      notes=_notes(inventory) + _group_note(ctx), regions=inv.regions)


def _region_aliases(ctx: AssessContext) -> dict[str, str]:
    """Lower-case region names and keys (``iad``, ``us-ashburn-1``) -> region name, for OCID segments."""
    regions = ctx.inventory.regions
    aliases = {name.lower(): name for name in ctx.vocabulary}
    aliases.update({str(k).strip().lower(): str(r) for k, r in zip(regions["region_key"], regions["region"],
                                                                   strict=True) if pd.notna(k) and pd.notna(r)})
    return aliases


def _notes(inventory: Inventory) -> tuple[str, ...]:
    """What this assessment could not consider, said once (rule book §9)."""
    absent = LATER_TABLES - collected_tables(inventory)
    if absent:
        return ("protection by volume groups/replicas not assessed: snapshot predates it "
                f"(tables not collected: {', '.join(sorted(absent))})",)
    return ()


def _group_note(ctx: AssessContext) -> tuple[str, ...]:
    """Say which volume group listings failed: a group there may hold volumes of other compartments,
    which this assessment cannot see (docs/assess.md, "Volume groups we could not list")."""
    unseen = unseen_group_compartments(ctx.gaps.table)
    if not unseen:
        return ()
    shown = ", ".join(ctx.paths(pd.Series(unseen, dtype="string")).astype(str)[:5])
    return (f"volume groups of {len(unseen)} compartment(s) could not be listed ({shown}); volumes of the same "
            "compartment are unknown unless copy targets or their own policy name the destination, and a group "
            "there holding volumes of OTHER compartments cannot be seen",)

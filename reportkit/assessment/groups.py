"""Per volume group backup verdicts: role, lineage, the boot volumes it holds, copy status and reason.

A root group backup is ``copied`` when an AVAILABLE copy of it (at any depth) exists in another
region; a copy whose chain is broken is an ``orphan`` (``unknown`` when a collection gap could hide
the missing record). The volumes a group backup holds are those its members (boot backups naming it,
or listed in its ``volume_backup_ids``) were taken from; a copy holds its root's (rule book §3).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from reportkit.assessment._lookup import at, compose_text, join_by_group, join_region_sets, region_bits
from reportkit.assessment.backups import copy_gap
from reportkit.assessment.lineage import NO_LINK, Break, Chains, lineage_columns
from reportkit.assessment.volumes.link import GROUP_COPY, UNKNOWN
from reportkit.schema import ASSESSED_GROUP_BACKUPS, CopyStatus, Role

if TYPE_CHECKING:
    from reportkit.assessment.context import AssessContext

_STATUSES = [c.value for c in CopyStatus]


def held_volumes(chains: Chains) -> pd.Series:
    """Return, per group backup row, the sorted comma-separated boot volume OCIDs it holds (its root's
    when its chain resolves, its own members' otherwise; '' when none)."""
    n = len(chains.groups)
    volume = chains.backups["boot_volume_id"].take(chains.members["backup"].to_numpy()).reset_index(drop=True)
    pairs = pd.DataFrame({"group": chains.members["group"].to_numpy(), "volume": volume.array}).dropna()
    pairs = pairs.drop_duplicates().sort_values(["group", "volume"], kind="stable")
    listed = join_by_group(pairs["group"].to_numpy(), pairs["volume"], n)
    holder = np.where(chains.group.root >= 0, chains.group.root, np.arange(n))
    return listed.take(holder).reset_index(drop=True)


def assess_group_backups(ctx: AssessContext, chains: Chains, items: pd.DataFrame) -> pd.DataFrame:
    """Return schema.ASSESSED_GROUP_BACKUPS: every volume group backup with its lineage and copy verdict."""
    g, lin = chains.groups, chains.group
    n = len(g)
    if not n:
        return ASSESSED_GROUP_BACKUPS.empty()
    is_copy = lin.source != NO_LINK
    state = g["lifecycle_state"].astype("string")
    rows = np.flatnonzero(is_copy & (lin.root >= 0))
    root = lin.root[rows]
    away = chains.group_region[rows] != chains.group_region[root]
    available = state.take(rows).eq("AVAILABLE").fillna(False).to_numpy(bool) & away
    pending = state.take(rows).isin(["REQUEST_RECEIVED", "CREATING", "COMMITTED"]).fillna(False).to_numpy(bool) & away
    faulty = state.take(rows).eq("FAULTY").fillna(False).to_numpy(bool) & away
    n_avail = np.bincount(root[available], minlength=n)[:n] if n else np.zeros(0, np.int64)
    n_pending = np.bincount(root[pending], minlength=n)[:n] if n else n_avail
    n_faulty = np.bincount(root[faulty], minlength=n)[:n] if n else n_avail
    masks = np.zeros(n, dtype=np.uint64)
    np.bitwise_or.at(masks, root[available], region_bits(chains.group_region[rows][available]))
    gap = copy_gap(chains.group_region, g["compartment_id"], ctx.gaps)
    hidden = np.zeros(n, dtype=bool)
    undecided = items[(items["kind"].to_numpy() == GROUP_COPY) & (items["state"].to_numpy() == UNKNOWN)]
    hidden[undecided["row"].to_numpy()] = True
    broken = is_copy & (lin.root < 0)
    source = ~is_copy
    code = _STATUSES.index
    status_code = np.select(
        [source & (n_avail > 0), source & (n_pending > 0), source & gap, source & (n_faulty > 0), source,
         broken & hidden, broken],
        [code(CopyStatus.COPIED), code(CopyStatus.IN_PROGRESS), code(CopyStatus.UNKNOWN), code(CopyStatus.FAILED),
         code(CopyStatus.NOT_COPIED), code(CopyStatus.UNKNOWN), code(CopyStatus.ORPHAN)], default=-1)
    status = np.append(np.array(_STATUSES, dtype=object), "")[status_code]
    copy_regions = join_region_sets(masks, ctx.vocabulary)
    src_id = g["source_volume_group_backup_id"]
    cases = [
        (status == CopyStatus.COPIED.value, lambda r: ["AVAILABLE copy in ", at(copy_regions, r)]),
        (status == CopyStatus.IN_PROGRESS.value, lambda r: "copy being made (REQUEST_RECEIVED/CREATING/COMMITTED); "
         "no AVAILABLE copy yet"),
        (source & (status == CopyStatus.UNKNOWN.value), lambda r: "no AVAILABLE copy found, but a region or "
         "compartment that could hold one could not be read"),
        (status == CopyStatus.FAILED.value, lambda r: "only FAULTY copies: the copy failed"),
        (status == CopyStatus.NOT_COPIED.value, lambda r: "no AVAILABLE, in-progress or FAULTY copy in another region"),
        (status == CopyStatus.UNKNOWN.value, lambda r: ["its chain breaks at ", at(lin.missing_id, r),
                                                        ", which is not in the inventory, and a region or "
                                                        "compartment that could hold it could not be read"]),
        ((status == CopyStatus.ORPHAN.value) & (lin.broken == Break.LOOP), lambda r: ["copy of ", at(src_id, r),
                                                                                      ": its chain of sources loops "
                                                                                      "or is longer than 32 links "
                                                                                      "(orphan copy)"]),
        (status == CopyStatus.ORPHAN.value, lambda r: ["copy of ", at(src_id, r), "; its chain breaks at ",
                                                       at(lin.missing_id, r),
                                                       ", which no longer exists (orphan copy)"]),
        (is_copy, lambda r: [at(g["lifecycle_state"], r), " copy of ", at(src_id, r)]),
    ]
    out = g.assign(
        compartment_path=ctx.paths(g["compartment_id"]).astype("string").array,
        role=pd.Categorical.from_codes(is_copy.astype(np.int8), categories=[Role.SOURCE.value, Role.COPY.value]),
        **lineage_columns(g["volume_group_backup_id"], g["time_created"], chains.group_region, lin, ctx.vocabulary),
        boot_volume_ids=held_volumes(chains).array,
        copy_status=pd.Categorical.from_codes(status_code, categories=_STATUSES),
        copy_regions=copy_regions.where(pd.Series(source)).astype("string").array,
        reason=compose_text(cases, n).astype("string").array,
    )
    return ASSESSED_GROUP_BACKUPS.validate(out[ASSESSED_GROUP_BACKUPS.column_names])

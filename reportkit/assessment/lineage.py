"""Lineage (rule book §2): every boot volume backup and volume group backup traced to its root.

A copy names its immediate source (``source_boot_volume_backup_id``, ``source_volume_group_backup_id``);
the **root** of its chain is the backup taken from the volume (group) itself, and the chain's data
is as old as the root (``data_time`` = the root's ``time_created``; a copy's own ``time_created``
is never used). Links are followed through every record present, whatever its lifecycle state,
up to 32 links; a link to a record the inventory lacks, a loop or a longer chain **breaks** the
chain: no root, no data time (age unprovable).

A boot backup without a source that is a member of a volume group backup COPY was not taken from
the volume: it is neither a root nor an item (the group copy stands for it), and a chain that
reaches it is broken.

The rule steps are relational (look up each record's source, follow to the root, read the root's
columns); :func:`follow_links` is the one positional step that walks the links of every row at once.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import numpy as np
import pandas as pd

from reportkit.assessment._lookup import category_codes, positions, present, sort_unique, take
from reportkit.schema import Role

MAX_LINKS = 32  # real chains are a few copies long; anything longer is corrupt or a loop
NO_LINK = -1    # the record names no source
ABSENT = -2     # the record names a source the inventory does not hold


class Break(IntEnum):
    """Why a chain has no root."""

    NONE = 0        # resolved: the chain ends at a root
    ABSENT = 1      # a link leads to a record the inventory does not hold (deleted, expired, unread)
    NOT_A_ROOT = 2  # the chain ends at a member of a group backup copy (not taken from the volume)
    LOOP = 3        # a loop, or more than MAX_LINKS links


def follow_links(parent: np.ndarray, max_links: int = MAX_LINKS) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Follow ``parent`` from every row at once; return (end row, links followed, endless).

    ``parent[i]`` is the row row *i* links to, or NO_LINK / ABSENT. Following stops at a row whose
    parent is not a row; ``endless`` is True where it was still going after ``max_links`` links (a
    loop or a longer chain). One positional pass per link level over the rows still walking.
    """
    n = len(parent)
    end = np.arange(n, dtype=np.int64)
    steps = np.zeros(n, dtype=np.int64)
    walking = np.flatnonzero(parent >= 0)
    for _ in range(max_links):
        if not len(walking):
            break
        end[walking] = parent[end[walking]]
        steps[walking] += 1
        walking = walking[parent[end[walking]] >= 0]
    endless = np.zeros(n, dtype=bool)
    endless[walking] = True
    return end, steps, endless


@dataclass(frozen=True)
class Lineage:
    """Lineage of the rows of one table of backups (aligned with it)."""

    source: np.ndarray     # row of the immediate source; NO_LINK or ABSENT
    root: np.ndarray       # row of the root; -1 when the chain is broken
    depth: np.ndarray      # links to the root (0 for a root); -1 when broken
    broken: np.ndarray     # Break value per row
    missing_id: pd.Series  # for Break.ABSENT: the OCID the chain stopped at (string, NA elsewhere)


def trace(ids: pd.Series, source_ids: pd.Series, root_candidate: np.ndarray) -> Lineage:
    """Return the :class:`Lineage` of records ``ids`` (unique) whose sources are ``source_ids``.

    ``root_candidate`` says which records without a source are roots (the others end a chain
    without a root).
    """
    has_source = present(source_ids)
    source = np.full(len(ids), NO_LINK, dtype=np.int64)
    found = positions(source_ids[has_source], ids)
    source[has_source] = np.where(found >= 0, found, ABSENT)
    end, steps, endless = follow_links(source)
    broken = np.select([endless, source[end] == ABSENT, ~root_candidate[end]],
                       [Break.LOOP, Break.ABSENT, Break.NOT_A_ROOT], Break.NONE).astype(np.int8)
    resolved = broken == Break.NONE
    missing = source_ids.reset_index(drop=True).take(end).reset_index(drop=True).astype("string")
    return Lineage(source=source, root=np.where(resolved, end, -1), depth=np.where(resolved, steps, -1),
                   broken=broken, missing_id=missing.where(pd.Series(broken == Break.ABSENT), pd.NA))


@dataclass(frozen=True)
class Chains:
    """The traced backups of one assessment, shared by the backup, group and volume steps.

    ``backups`` / ``groups`` are the boot volume backups / volume group backups that exist at
    as_of, sorted by OCID, one row per OCID; the arrays are aligned with them.
    """

    backups: pd.DataFrame
    backup_region: np.ndarray   # region code (vocabulary index)
    backup_volume: np.ndarray   # row of its boot_volume_id in the assessed volumes; -1 when not one
    role: np.ndarray            # index into Role: source, copy, group_copy_member
    boot: Lineage
    groups: pd.DataFrame
    group_region: np.ndarray
    group: Lineage
    members: pd.DataFrame       # group (row in groups), backup (row in backups): the member boot backups


_ROLES = [r.value for r in Role]
SOURCE, COPY, GROUP_COPY_MEMBER = (_ROLES.index(r) for r in (Role.SOURCE, Role.COPY, Role.GROUP_COPY_MEMBER))


def trace_chains(backups: pd.DataFrame, groups: pd.DataFrame, group_members: pd.DataFrame,
                 volumes: pd.DataFrame, vocabulary: list[str]) -> Chains:
    """Return the :class:`Chains` of the inventory's boot backups and group backups.

    ``group_members`` is the inventory's volume_group_backup_members; ``volumes`` the assessed
    volumes (sorted, unique). A group backup's members are the boot backups naming it
    (``volume_group_backup_id``) and those its ``volume_backup_ids`` list.
    """
    backups = sort_unique(backups, "backup_id")
    groups = sort_unique(groups, "volume_group_backup_id")
    group_ids = groups["volume_group_backup_id"]
    group_has_source = present(groups["source_volume_group_backup_id"])
    group_lineage = trace(group_ids, groups["source_volume_group_backup_id"], np.ones(len(groups), dtype=bool))

    # membership: each boot backup naming its group backup, plus each id a group backup lists
    named = positions(backups["volume_group_backup_id"], group_ids)
    listed_group = positions(group_members["volume_group_backup_id"], group_ids)
    listed_backup = positions(group_members["volume_backup_id"], backups["backup_id"])
    members = pd.DataFrame({
        "group": np.concatenate([named[named >= 0], listed_group]),
        "backup": np.concatenate([np.flatnonzero(named >= 0), listed_backup]),
    })
    members = members[(members["group"] >= 0) & (members["backup"] >= 0)].drop_duplicates().sort_values(
        ["group", "backup"]).reset_index(drop=True)

    # a boot backup without a source that belongs to a group backup COPY is a member of that copy
    has_source = present(backups["source_boot_volume_backup_id"])
    in_group_copy = np.zeros(len(backups), dtype=bool)
    copy_groups = members[group_has_source[members["group"].to_numpy()]]
    in_group_copy[copy_groups["backup"].to_numpy()] = True
    role = np.select([has_source, in_group_copy], [COPY, GROUP_COPY_MEMBER], SOURCE).astype(np.int8)
    boot_lineage = trace(backups["backup_id"], backups["source_boot_volume_backup_id"], role == SOURCE)
    return Chains(
        backups=backups, backup_region=category_codes(backups["region"], vocabulary),
        backup_volume=positions(backups["boot_volume_id"], volumes["boot_volume_id"]), role=role,
        boot=boot_lineage, groups=groups, group_region=category_codes(groups["region"], vocabulary),
        group=group_lineage, members=members)


def lineage_columns(ids: pd.Series, times: pd.Series, region_codes: np.ndarray, lineage: Lineage,
                    vocabulary: list[str]) -> dict[str, object]:
    """Return the declared lineage columns (root_backup_id, lineage_depth, data_time, origin_region)
    of a traced table, as arrays ready for the assessed table."""
    root = lineage.root
    resolved = root >= 0
    origin = np.full(len(root), -1, dtype=np.int64)
    origin[resolved] = region_codes[root[resolved]]
    return {
        "root_backup_id": take(ids.array, root).array,
        "lineage_depth": pd.arrays.IntegerArray(np.where(resolved, lineage.depth, 0), ~resolved),
        "data_time": take(times.array, root).array,
        "origin_region": pd.Categorical.from_codes(origin, categories=vocabulary),
    }

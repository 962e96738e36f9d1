"""Per-backup verdicts: role, lineage, copy status, copy regions, and the images copies prove copyable.

A root's copies are every copy of its data: a copy at any depth of its chain, or a volume group
backup copy of a group backup it is a member of; they count in regions other than the root's own.
A copy whose chain is broken is an ``orphan`` (``unknown`` when a collection gap could hide the
missing record). Members of a group backup copy are shown with the lineage of their group copy.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from reportkit.assessment._lookup import at, compose_text, is_in, join_region_sets, positions, region_bits, spell, \
    take, utc_times
from reportkit.assessment.gaps import Gaps
from reportkit.assessment.lineage import ABSENT, COPY, GROUP_COPY_MEMBER, NO_LINK, SOURCE, Break, Chains
from reportkit.assessment.volumes.link import BACKUP_COPY, NAT, UNKNOWN, ns
from reportkit.schema import ASSESSED_BACKUPS, BACKUPS, BackupState, CopyStatus, Role

if TYPE_CHECKING:
    from reportkit.assessment.context import AssessContext

_NS_PER_DAY = 86_400 * 10**9
_STATUSES = [c.value for c in CopyStatus]


def _state(states: pd.Series, *wanted: BackupState) -> np.ndarray:
    return states.isin([w.value for w in wanted]).fillna(False).to_numpy(bool)


def descendants(chains: Chains) -> pd.DataFrame:
    """Return one row per (root boot backup, copy of its data): ``root`` (row in backups), ``region``
    (code of the copy), ``state`` (AVAILABLE / pending / FAULTY / other as 0-3), ``time`` (ns, the
    copy's own time_created), for copies outside the root's region that are not TERMINATED/TERMINATING."""
    b, g = chains.backups, chains.groups
    rows = np.flatnonzero((chains.role == COPY) & (chains.boot.root >= 0))
    boot = pd.DataFrame({"root": chains.boot.root[rows], "region": chains.backup_region[rows],
                         "state": _copy_state(b["lifecycle_state"].take(rows)), "time": ns(b["time_created"])[rows]})
    # a group backup copy copies every member of its root group backup
    copies = np.flatnonzero((chains.group.source != NO_LINK) & (chains.group.root >= 0))
    if not len(copies):
        out = boot[(boot["region"].to_numpy() != chains.backup_region[boot["root"].to_numpy()])
                   & (boot["state"].to_numpy() != 4)]
        return out.reset_index(drop=True)
    grouped = pd.DataFrame({"group": chains.group.root[copies], "region": chains.group_region[copies],
                            "state": _copy_state(g["lifecycle_state"].take(copies)),
                            "time": ns(g["time_created"])[copies]})
    root_members = chains.members[chains.role[chains.members["backup"].to_numpy()] == SOURCE]
    grouped = grouped.merge(root_members, on="group").rename(columns={"backup": "root"}).drop(columns="group")
    out = pd.concat([boot, grouped], ignore_index=True)
    away = out["region"].to_numpy() != chains.backup_region[out["root"].to_numpy()]
    out = out[away & (out["state"].to_numpy() != 4)]
    return out.reset_index(drop=True)


def _copy_state(lifecycle: pd.Series) -> np.ndarray:
    """0 AVAILABLE, 1 being made, 2 FAULTY, 3 other, 4 TERMINATED/TERMINATING (never counts)."""
    return np.select([is_in(lifecycle, ["AVAILABLE"]), is_in(lifecycle, ["REQUEST_RECEIVED", "CREATING", "COMMITTED"]),
                      is_in(lifecycle, ["FAULTY"]), is_in(lifecycle, ["TERMINATED", "TERMINATING"])], [0, 1, 2, 4], 3)


def copy_evidence(chains: Chains, vol_region: np.ndarray, images: pd.DataFrame) -> np.ndarray:
    """Return a bool per image row: an AVAILABLE backup copy or group backup copy of a backup of the
    image exists outside the home region of its volume (the root's region when the volume is gone).
    Evidence beats inference: such an image is copyable whatever its class says."""
    b, g = chains.backups, chains.groups
    image_id = b["image_id"]
    rows = np.flatnonzero((chains.role == COPY) & _state(b["lifecycle_state"], BackupState.AVAILABLE))
    root = chains.boot.root[rows]
    anchor = np.where(root >= 0, root, rows)  # the root's image (a broken chain: the copy's own)
    images_of = image_id.take(anchor).reset_index(drop=True).fillna(image_id.take(rows).reset_index(drop=True))
    vol = chains.backup_volume[anchor]
    home = np.where(vol >= 0, vol_region[np.clip(vol, 0, None)] if len(vol_region) else -1,
                    np.where(root >= 0, chains.backup_region[anchor], -1))
    proof = [images_of[chains.backup_region[rows] != home]]
    # a group backup copy: the images of the members of the group backup it holds
    copies = np.flatnonzero((chains.group.source != NO_LINK) & is_in(g["lifecycle_state"], ["AVAILABLE"]))
    if not len(copies):
        copies = np.zeros(0, dtype=np.int64)
    holder = np.where(chains.group.root[copies] >= 0, chains.group.root[copies], copies)
    away = np.unique(holder[chains.group_region[copies] != chains.group_region[holder]])
    held = chains.members["backup"].to_numpy()[np.isin(chains.members["group"].to_numpy(), away)]
    proof.append(image_id.take(held))
    out = np.zeros(len(images), dtype=bool)
    found = pd.concat(proof, ignore_index=True).dropna().astype("string").drop_duplicates()
    pos = positions(found, images["image_id"])
    out[pos[pos >= 0]] = True
    return out


def copy_gap(region_code: np.ndarray, compartment_id: pd.Series, gaps: Gaps) -> np.ndarray:
    """True where a region other than the row's own, or its compartment there, could not be read:
    a copy could be hidden there (copies land in the same compartment)."""
    whole = gaps.whole_regions
    own_whole = np.where(region_code >= 0, whole[np.clip(region_code, 0, None)] if len(whole) else False, False)
    hit = np.broadcast_to((int(whole.sum()) - own_whole) > 0, region_code.shape).copy()
    if len(gaps.pairs):
        rows = np.flatnonzero(compartment_id.isin(gaps.pairs["compartment_id"]).fillna(False).to_numpy(bool))
        if len(rows):
            sub = pd.DataFrame({"row": rows, "compartment_id": compartment_id.take(rows).astype("string")
                                .to_numpy(object), "own": region_code[rows]})
            pairs = sub.merge(gaps.pairs.astype({"compartment_id": object}), on="compartment_id")
            hit[pairs.loc[pairs["region_code"] != pairs["own"], "row"].to_numpy(np.int64)] = True
    return hit


def assess_backups(ctx: AssessContext, chains: Chains, images: pd.DataFrame, items: pd.DataFrame,
                   image_evidence: np.ndarray) -> tuple[pd.DataFrame, np.ndarray]:
    """Return (schema.ASSESSED_BACKUPS, the row of each backup's root): every backup with role, lineage,
    copy status and its reason. A member of a group backup copy has as root the root group backup's
    member for the same volume."""
    b, lin, vocabulary = chains.backups, chains.boot, ctx.vocabulary
    n = len(b)
    desc = descendants(chains)
    root, state, region = desc["root"].to_numpy(), desc["state"].to_numpy(), desc["region"].to_numpy()
    n_avail = np.bincount(root[state == 0], minlength=n)[:n] if n else np.zeros(0, np.int64)
    n_pending = np.bincount(root[state == 1], minlength=n)[:n] if n else n_avail
    n_faulty = np.bincount(root[state == 2], minlength=n)[:n] if n else n_avail
    newest = np.full(n, NAT, dtype=np.int64)
    np.maximum.at(newest, root[state == 0], desc["time"].to_numpy()[state == 0])
    masks = np.zeros(n, dtype=np.uint64)
    np.bitwise_or.at(masks, root[state == 0], region_bits(region[state == 0]))

    # image: the backup's own, else its root's
    anchor = np.where(lin.root >= 0, lin.root, np.arange(n))
    image_id = b["image_id"].fillna(b["image_id"].take(anchor).reset_index(drop=True).set_axis(b.index))
    image_pos = positions(image_id, images["image_id"])
    eligible = take(images["copy_eligible"].array, image_pos).astype("boolean")
    eligible = eligible.mask(pd.Series(np.where(image_pos >= 0, np.append(image_evidence, False)[image_pos], False)),
                             True)
    source = chains.role == SOURCE
    inelig = eligible.eq(False).fillna(False).to_numpy(bool)
    elig_unknown = eligible.isna().to_numpy(bool)
    gap = copy_gap(chains.backup_region, b["compartment_id"], ctx.gaps)
    is_copy = chains.role == COPY
    broken = is_copy & (lin.root < 0)
    hidden = np.zeros(n, dtype=bool)
    copy_items = items[(items["kind"].to_numpy() == BACKUP_COPY) & (items["state"].to_numpy() == UNKNOWN)]
    hidden[copy_items["row"].to_numpy()] = True
    hidden &= broken
    code = _STATUSES.index
    status_code = np.select(
        [source & (n_avail > 0), source & (n_pending > 0), source & inelig, source & gap, source & (n_faulty > 0),
         source & elig_unknown, source, hidden, broken],
        [code(CopyStatus.COPIED), code(CopyStatus.IN_PROGRESS), code(CopyStatus.INELIGIBLE), code(CopyStatus.UNKNOWN),
         code(CopyStatus.FAILED), code(CopyStatus.UNKNOWN), code(CopyStatus.NOT_COPIED), code(CopyStatus.UNKNOWN),
         code(CopyStatus.ORPHAN)], default=-1)
    copy_regions = join_region_sets(masks, vocabulary)
    src = lin.source
    source_code = np.where(source, chains.backup_region, np.where(src >= 0, chains.backup_region[np.clip(src, 0, None)]
                                                                  if n else -1, -1))
    root_rows, lineage = _lineage(chains, vocabulary)
    classes = ASSESSED_BACKUPS.column("image_class").categories
    image_codes = np.append(positions(images["image_class"].astype("string"), list(classes)),
                            classes.index("unknown"))[image_pos]
    elig_reason = pd.concat([images["eligibility_reason"].astype("string"),
                             pd.Series(["backup has no image id"], dtype="string")], ignore_index=True)
    source_region = spell(source_code, vocabulary)
    reason = _reasons(status_code, chains, copy_regions, source_region, n_pending, n_faulty,
                      lambda r: at(elig_reason, np.where(image_pos[r] >= 0, image_pos[r], len(elig_reason) - 1)),
                      eligible)
    out = pd.DataFrame({
        **{name: b[name].array for name in BACKUPS.column_names},  # the inventory's columns, not copied
        "compartment_path": ctx.paths(b["compartment_id"]).array,
        "image_class": pd.Categorical.from_codes(image_codes, categories=list(classes)),
        "copy_eligible": eligible.array,
        "role": pd.Categorical.from_codes(chains.role, categories=[r.value for r in Role]),
        "source_region": source_region.array,
        **lineage,
        "copy_status": pd.Categorical.from_codes(status_code, categories=_STATUSES),
        "copy_regions": copy_regions.where(pd.Series(source)).array,
        "available_copies": pd.arrays.IntegerArray(np.where(source, n_avail, 0), ~source),
        "newest_copy_time": utc_times(newest).array,
        "newest_copy_age_days": pd.arrays.FloatingArray((ctx.as_of.value - newest) / _NS_PER_DAY, newest == NAT),
        "reason": reason.array,
    })
    return ASSESSED_BACKUPS.validate(out), root_rows


class _StatusCodes:
    """Compare an array of CopyStatus codes with statuses (``codes == CopyStatus.COPIED``)."""

    def __init__(self, codes: np.ndarray) -> None:
        self.codes = codes

    def __eq__(self, status: object) -> np.ndarray:  # type: ignore[override]
        return self.codes == _STATUSES.index(str(status))


def _lineage(chains: Chains, vocabulary: list[str]) -> tuple[np.ndarray, dict[str, object]]:
    """Return (the row of each backup's root, the declared lineage columns). A member of a group
    backup copy has the lineage of its group copy: its root is the root group backup's member for
    the same boot volume, its data time the root group backup's (built as arrays, then spelled once:
    writing into a million-row text column costs seconds)."""
    b, g, lin = chains.backups, chains.groups, chains.boot
    root, depth = lin.root.copy(), lin.depth.copy()
    valid = root >= 0
    data = np.full(len(root), NAT, dtype=np.int64)
    data[valid] = ns(b["time_created"])[root[valid]]
    origin = np.full(len(root), -1, dtype=np.int64)
    origin[valid] = chains.backup_region[root[valid]]
    members = chains.members
    sel = members[(chains.role[members["backup"].to_numpy()] == GROUP_COPY_MEMBER)
                  & (chains.group.source[members["group"].to_numpy()] != NO_LINK)]
    if len(sel):
        sel = sel.assign(root_group=chains.group.root[sel["group"].to_numpy()],
                         volume=b["boot_volume_id"].take(sel["backup"].to_numpy()).astype("string").to_numpy(object))
        sel = sel[sel["root_group"].to_numpy() >= 0]
        root_members = members.assign(volume=b["boot_volume_id"].take(members["backup"].to_numpy())
                                      .astype("string").to_numpy(object)).rename(columns={"group": "root_group",
                                                                                          "backup": "root"})
        sel = sel.merge(root_members, on=["root_group", "volume"], how="left").drop_duplicates("backup")
        rows, root_group = sel["backup"].to_numpy(), sel["root_group"].to_numpy()
        root[rows] = sel["root"].fillna(-1).to_numpy(np.int64)
        depth[rows] = chains.group.depth[sel["group"].to_numpy()]
        data[rows] = ns(g["time_created"])[root_group]
        origin[rows] = chains.group_region[root_group]
        valid[rows] = True
    columns = {
        "root_backup_id": take(b["backup_id"].array, root).array,
        "lineage_depth": pd.arrays.IntegerArray(np.where(valid, depth, 0), ~valid),
        "data_time": utc_times(data).array,
        "origin_region": pd.Categorical.from_codes(origin, categories=vocabulary),
    }
    return root, columns


def _reasons(status_code: np.ndarray, chains: Chains, copy_regions: pd.Series, source_region: pd.Series,
             n_pending: np.ndarray, n_faulty: np.ndarray, elig_reason: object, eligible: pd.Series) -> pd.Series:
    """One sentence per backup explaining its copy status (or, for copies, what it is a copy of);
    ``elig_reason(rows)`` spells the eligibility of those rows' images."""
    b, lin = chains.backups, chains.boot
    status = _StatusCodes(status_code)
    src_id = b["source_boot_volume_backup_id"]
    missing = lin.missing_id
    is_copy = chains.role == COPY
    live_copy = is_copy & (lin.root >= 0)
    origin = np.where(lin.root >= 0, chains.backup_region[np.clip(lin.root, 0, None)] if len(lin.root) else -1, -2)
    back_home = live_copy & (chains.backup_region == origin)
    unknown = status == CopyStatus.UNKNOWN
    eligibility_known = ~eligible.isna().to_numpy(bool)
    cases = [
        (status == CopyStatus.COPIED, lambda r: ["AVAILABLE copy in ", at(copy_regions, r)]),
        (status == CopyStatus.IN_PROGRESS, lambda r: ["copy being made (REQUEST_RECEIVED/CREATING), ",
                                                      at(n_pending, r), " in progress; no AVAILABLE copy yet"]),
        (status == CopyStatus.INELIGIBLE, lambda r: ["not copied and its image cannot be copied: ", elig_reason(r)]),
        (unknown & ~is_copy & eligibility_known, lambda r: "no AVAILABLE copy found, but a region or compartment "
         "that could hold one could not be read"),
        (status == CopyStatus.FAILED, lambda r: ["only FAULTY copies (", at(n_faulty, r), "): the copy failed"]),
        (unknown & ~is_copy, lambda r: ["no copy found and eligibility unknown: ", elig_reason(r)]),
        (status == CopyStatus.NOT_COPIED, lambda r: "no AVAILABLE, in-progress or FAULTY copy in another "
         "region"),
        (chains.role == GROUP_COPY_MEMBER, lambda r: "member of a volume group backup copy (the group copy stands "
         "for it; see assessed_group_backups)"),
        (unknown & is_copy, lambda r: ["its chain breaks at ", at(missing, r), ", which is not in the inventory, and "
         "a region or compartment that could hold it could not be read"]),
        ((status == CopyStatus.ORPHAN) & (lin.broken == Break.LOOP),
         lambda r: ["copy of ", at(src_id, r), ": its chain of sources loops or is longer than 32 links "
                    "(orphan copy)"]),
        ((status == CopyStatus.ORPHAN) & (lin.broken == Break.NOT_A_ROOT),
         lambda r: ["copy of ", at(src_id, r), ": its chain ends at a member of a volume group backup copy, not at a "
                    "backup of the volume (orphan copy)"]),
        (status == CopyStatus.ORPHAN, lambda r: ["copy of ", at(src_id, r), "; its chain breaks at ", at(missing, r),
                                                 ", which no longer exists (orphan copy)"]),
        (back_home, lambda r: ["copy of ", at(src_id, r), " in its own region (the region its data comes from): not "
         "a cross-region copy"]),
        (live_copy, lambda r: [at(b["lifecycle_state"], r), " copy of ", at(src_id, r), " from ",
                               at(source_region, r)]),
    ]
    return compose_text(cases, len(b))


__all__ = ["ABSENT", "assess_backups", "copy_evidence", "copy_gap", "descendants"]

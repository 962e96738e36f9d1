"""Per-backup verdicts: role, source region, copy status, copy regions, age of the newest copy.

Everything is positional: ``src_pos[i]`` is the row of backup *i*'s source (-1 when absent), so a
million backups cost a handful of numpy passes. The arrays are kept in :class:`BackupFacts` for
the volume assessment, which pairs the same copies with their volumes.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from reportkit.assessment._lookup import (
    at,
    category_codes,
    compose_text,
    join_region_sets,
    positions,
    region_bits,
    sort_unique,
    spell,
)
from reportkit.assessment.gaps import Gaps
from reportkit.schema import ASSESSED_BACKUPS, BackupState, CopyStatus, Role

if TYPE_CHECKING:
    from reportkit.assessment.context import AssessContext

_NS_PER_DAY = 86_400 * 10**9
_NAT = np.iinfo(np.int64).min


@dataclass(frozen=True)
class BackupFacts:
    """Positional facts about the (sorted, deduplicated) backups, shared with the volume assessment."""

    frame: pd.DataFrame          # the backups, sorted by backup_id
    region_code: np.ndarray      # index into the region vocabulary
    src_pos: np.ndarray          # row of the source backup; -1 for sources and orphan copies
    is_copy: np.ndarray
    cross_copy: np.ndarray       # copy of a present source in another region, not TERMINATED/TERMINATING
    available: np.ndarray        # lifecycle AVAILABLE
    pending: np.ndarray          # REQUEST_RECEIVED or CREATING
    faulty: np.ndarray
    time_ns: np.ndarray          # time_created as int64 ns (NaT = int64 min)
    source_time_ns: np.ndarray   # for copies: the source's time_created; for sources: their own
    image_pos: np.ndarray        # row in the assessed images table (-1 when no image id)
    eligible: pd.array           # boolean (NA unknown) after evidence from copies


def _state_mask(states: pd.Series, *wanted: BackupState) -> np.ndarray:
    return states.isin([w.value for w in wanted]).fillna(False).to_numpy(bool)


def _time_ns(series: pd.Series) -> np.ndarray:
    values = series.to_numpy(dtype="datetime64[ns]", na_value=np.datetime64("NaT"))
    return values.view(np.int64)


def prepare_backups(backups: pd.DataFrame, images: pd.DataFrame, vocabulary: list[str]) -> tuple[BackupFacts,
                                                                                                  np.ndarray]:
    """Sort and index the backups; return (facts, copy_evidence per image row).

    A backup's image is its own image_id, or for a copy without one, its source's. An image has
    copy evidence when an AVAILABLE cross-region copy of one of its backups exists: evidence beats
    inference, so such backups (and volumes) count as eligible whatever the image class says.
    """
    frame = sort_unique(backups, "backup_id")
    n = len(frame)
    region_code = category_codes(frame["region"], vocabulary)
    is_copy = frame["source_boot_volume_backup_id"].fillna("").str.strip().ne("").to_numpy(bool)
    src_pos = np.full(n, -1, dtype=np.int64)
    src_pos[is_copy] = positions(frame["source_boot_volume_backup_id"][is_copy], frame["backup_id"])
    state = frame["lifecycle_state"]
    alive = ~_state_mask(state, BackupState.TERMINATED, BackupState.TERMINATING)
    available = _state_mask(state, BackupState.AVAILABLE)
    pending = _state_mask(state, BackupState.REQUEST_RECEIVED, BackupState.CREATING)
    faulty = _state_mask(state, BackupState.FAULTY)
    safe_src = np.clip(src_pos, 0, None)
    has_src = src_pos >= 0
    cross_copy = is_copy & has_src & alive & (region_code != region_code[safe_src] if n else False)
    time_ns = _time_ns(frame["time_created"])
    source_time_ns = np.where(has_src, time_ns[safe_src] if n else _NAT, time_ns)

    image_pos = positions(frame["image_id"], images["image_id"])
    # a copy without an image id inherits its source's
    image_pos = np.where((image_pos < 0) & has_src, image_pos[safe_src] if n else -1, image_pos)
    evidence = np.zeros(len(images), dtype=bool)
    proof = cross_copy & available & (image_pos >= 0)
    evidence[image_pos[proof]] = True
    # The source's image counts too when the copy carries another (or no) image id.
    src_image = np.where(has_src, image_pos[safe_src] if n else -1, -1)
    evidence[src_image[proof & (src_image >= 0)]] = True

    image_eligible = np.append(images["copy_eligible"].to_numpy(dtype="float64", na_value=np.nan), np.nan)
    eligible = image_eligible[image_pos]
    eligible[(image_pos >= 0) & np.append(evidence, False)[image_pos]] = 1.0
    eligible = pd.array(eligible, dtype="Float64").astype("boolean")
    facts = BackupFacts(frame=frame, region_code=region_code, src_pos=src_pos, is_copy=is_copy,
                        cross_copy=cross_copy, available=available, pending=pending, faulty=faulty,
                        time_ns=time_ns, source_time_ns=source_time_ns, image_pos=image_pos,
                        eligible=eligible)
    return facts, evidence


def copy_gap(region_code: np.ndarray, compartment_id: pd.Series, gaps: Gaps, *, other_region: bool) -> np.ndarray:
    """True where a region (other than the row's own, when ``other_region``) could hide a copy.

    Copies land in the same compartment in the destination region, so a row is affected by
    whole-region gaps and by gaps of its own compartment.
    """
    whole = gaps.whole_regions
    own_whole = np.where(region_code >= 0, whole[np.clip(region_code, 0, None)] if len(whole) else False, False)
    n_whole = int(whole.sum())
    hit = (n_whole - (own_whole if other_region else 0)) > 0
    hit = np.broadcast_to(hit, region_code.shape).copy()
    if len(gaps.pairs):
        rows = np.flatnonzero(compartment_id.isin(gaps.pairs["compartment_id"]).fillna(False).to_numpy(bool))
        if len(rows):
            sub = pd.DataFrame({"row": rows, "compartment_id": compartment_id.take(rows).to_numpy(object),
                                "own": region_code[rows]})
            pairs = sub.merge(gaps.pairs, on="compartment_id")
            if other_region:
                pairs = pairs[pairs["region_code"] != pairs["own"]]
            hit[pairs["row"].to_numpy(np.int64)] = True
    return hit


def assess_backups(ctx: AssessContext, facts: BackupFacts, images: pd.DataFrame) -> pd.DataFrame:
    """Return schema.ASSESSED_BACKUPS: every backup with role, copy status and its reason.

    Status rules: docs/assess.md.
    """
    gaps, vocabulary, as_of = ctx.gaps, ctx.vocabulary, ctx.as_of
    paths = ctx.paths(facts.frame["compartment_id"])
    f = facts
    frame = f.frame
    n = len(frame)
    avail_copy = f.cross_copy & f.available
    targets = f.src_pos[avail_copy]
    n_avail = np.bincount(targets, minlength=n)[:n] if n else np.zeros(0, np.int64)
    n_pending = np.bincount(f.src_pos[f.cross_copy & f.pending], minlength=n)[:n] if n else n_avail
    n_faulty = np.bincount(f.src_pos[f.cross_copy & f.faulty], minlength=n)[:n] if n else n_avail
    newest = np.full(n, _NAT, dtype=np.int64)
    np.maximum.at(newest, targets, f.time_ns[avail_copy])
    masks = np.zeros(n, dtype=np.uint64)
    np.bitwise_or.at(masks, targets, region_bits(f.region_code[avail_copy]))

    source = ~f.is_copy
    eligible = pd.Series(f.eligible)
    inelig = eligible.eq(False).fillna(False).to_numpy(bool)
    elig_unknown = eligible.isna().to_numpy(bool)
    gap = copy_gap(f.region_code, frame["compartment_id"], gaps, other_region=True)
    orphan = f.is_copy & (f.src_pos < 0)
    copied = n_avail > 0
    statuses = [c.value for c in CopyStatus]
    code = statuses.index
    status_code = np.select(
        [source & copied, source & (n_pending > 0), source & inelig, source & gap, source & (n_faulty > 0),
         source & elig_unknown, source, orphan & gap, orphan],
        [code(CopyStatus.COPIED), code(CopyStatus.IN_PROGRESS), code(CopyStatus.INELIGIBLE),
         code(CopyStatus.UNKNOWN), code(CopyStatus.FAILED), code(CopyStatus.UNKNOWN), code(CopyStatus.NOT_COPIED),
         code(CopyStatus.UNKNOWN), code(CopyStatus.ORPHAN)],
        default=-1)
    status = np.append(np.array(statuses, dtype=object), "")[status_code]
    copy_regions = join_region_sets(masks, vocabulary)
    source_code = np.where(source, f.region_code, np.where(f.src_pos >= 0,
                                                           f.region_code[np.clip(f.src_pos, 0, None)]
                                                           if n else -1, -1))
    source_region = spell(source_code, vocabulary)
    newest_ts = pd.Series(pd.to_datetime(np.where(newest == _NAT, np.datetime64("NaT", "ns"),
                                                  newest.view("datetime64[ns]")), utc=True))
    age = np.where(newest == _NAT, np.nan, (as_of.value - newest) / _NS_PER_DAY)
    classes = ASSESSED_BACKUPS.column("image_class").categories
    image_codes = np.append(positions(images["image_class"].astype("string"), list(classes)),
                            classes.index("unknown"))[f.image_pos]
    elig_reason = np.append(images["eligibility_reason"].to_numpy(object), "backup has no image id")[f.image_pos]
    reason = _backup_reasons(status, f, copy_regions, source_region, n_pending, n_faulty, elig_reason, frame)
    out = frame.assign(
        compartment_path=paths.array,
        image_class=pd.Categorical.from_codes(image_codes, categories=list(classes)),
        copy_eligible=eligible.array,
        role=pd.Categorical.from_codes(f.is_copy.astype(np.int8), categories=[r.value for r in Role]),
        source_region=source_region.array,
        copy_status=pd.Categorical.from_codes(status_code, categories=statuses),
        copy_regions=copy_regions.where(pd.Series(source)).array,
        available_copies=pd.array(np.where(source, n_avail, 0), dtype="Int64"),
        newest_copy_time=newest_ts.array,
        newest_copy_age_days=pd.array(age, dtype="Float64"),
        reason=reason.array,
    )
    out["available_copies"] = out["available_copies"].mask(pd.Series(f.is_copy))
    return _typed(out)


def _typed(out: pd.DataFrame) -> pd.DataFrame:
    """Cast the new text columns to their declared dtypes (the categoricals are built from codes)."""
    for name in ("compartment_path", "source_region", "copy_regions", "reason"):
        out[name] = out[name].astype("string")
    out["newest_copy_time"] = out["newest_copy_time"].astype("datetime64[ns, UTC]")
    return ASSESSED_BACKUPS.validate(out[ASSESSED_BACKUPS.column_names])


def _backup_reasons(status: np.ndarray, f: BackupFacts, copy_regions: pd.Series, source_region: pd.Series,
                    n_pending: np.ndarray, n_faulty: np.ndarray, elig_reason: pd.Series,
                    frame: pd.DataFrame) -> pd.Series:
    """One sentence per backup explaining its copy status (or, for copies, what it is a copy of)."""
    src_id = frame["source_boot_volume_backup_id"]
    live_copy = f.is_copy & (f.src_pos >= 0)
    src_code = np.where(f.src_pos >= 0, f.region_code[np.clip(f.src_pos, 0, None)] if len(f.src_pos) else -1, -2)
    same_region = live_copy & (f.region_code == src_code)
    unknown = status == CopyStatus.UNKNOWN.value
    eligibility_known = ~pd.Series(f.eligible).isna().to_numpy(bool)
    cases = [
        (status == CopyStatus.COPIED.value, lambda r: "AVAILABLE copy in " + at(copy_regions, r)),
        (status == CopyStatus.IN_PROGRESS.value, lambda r: "copy being made (REQUEST_RECEIVED/CREATING), "
         + at(n_pending, r) + " in progress; no AVAILABLE copy yet"),
        (status == CopyStatus.INELIGIBLE.value, lambda r: "not copied and its image cannot be copied: "
         + at(elig_reason, r)),
        (unknown & ~f.is_copy & eligibility_known, lambda r: "no AVAILABLE copy found, but a region or compartment "
         "that could hold one could not be read"),
        (status == CopyStatus.FAILED.value, lambda r: "only FAULTY copies (" + at(n_faulty, r)
         + "): the copy failed"),
        (unknown & ~f.is_copy, lambda r: "no copy found and eligibility unknown: " + at(elig_reason, r)),
        (status == CopyStatus.NOT_COPIED.value, lambda r: "no AVAILABLE, in-progress or FAULTY copy in another "
         "region"),
        (unknown & f.is_copy, lambda r: "source backup " + at(src_id, r) + " is not in the inventory and a region "
         "or compartment that could hold it could not be read"),
        (status == CopyStatus.ORPHAN.value, lambda r: "copy of " + at(src_id, r)
         + ", which no longer exists (orphan copy)"),
        (same_region, lambda r: "copy of " + at(src_id, r) + " in its own region: not a cross-region copy"),
        (live_copy, lambda r: at(frame["lifecycle_state"], r) + " copy of " + at(src_id, r) + " from "
         + at(source_region, r)),
    ]
    return compose_text(cases, len(frame))

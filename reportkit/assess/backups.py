"""Per-backup verdicts: role, source region, copy status, copy regions, age of the newest copy.

Everything is positional: ``src_pos[i]`` is the row of backup *i*'s source (-1 when absent), so a
million backups cost a handful of numpy passes. The arrays are kept in :class:`BackupFacts` for
the volume assessment, which pairs the same copies with their volumes.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from reportkit.assess._lookup import join_region_sets, positions, region_bits, take
from reportkit.assess.gaps import Gaps
from reportkit.schema import ASSESSED_BACKUPS, BackupState, CopyStatus, Role

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
    return states.isin([w.value for w in wanted]).to_numpy(bool)


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
    frame = backups.sort_values(["backup_id", "region"], kind="stable").drop_duplicates("backup_id")
    frame = frame.reset_index(drop=True)
    n = len(frame)
    region_cat = frame["region"].astype("category")
    region_code = positions(pd.Series(region_cat.cat.categories.astype("string")), vocabulary)
    region_code = np.where(region_cat.cat.codes.to_numpy() >= 0,
                           region_code[np.clip(region_cat.cat.codes.to_numpy(), 0, None)] if n else 0, -1)
    is_copy = frame["source_boot_volume_backup_id"].fillna("").str.strip().ne("").to_numpy(bool)
    src_pos = np.where(is_copy, positions(frame["source_boot_volume_backup_id"], frame["backup_id"]), -1)
    state = frame["lifecycle_state"].astype("string")
    alive = ~_state_mask(state, BackupState.TERMINATED, BackupState.TERMINATING)
    available = _state_mask(state, BackupState.AVAILABLE)
    pending = _state_mask(state, BackupState.REQUEST_RECEIVED, BackupState.CREATING)
    faulty = _state_mask(state, BackupState.FAULTY)
    safe_src = np.clip(src_pos, 0, None)
    has_src = src_pos >= 0
    cross_copy = is_copy & has_src & alive & (region_code != region_code[safe_src] if n else False)
    time_ns = _time_ns(frame["time_created"])
    source_time_ns = np.where(has_src, time_ns[safe_src] if n else _NAT, time_ns)

    image_id = frame["image_id"].astype("string")
    image_id = image_id.mask(image_id.isna() & pd.Series(has_src), take(image_id.array, src_pos))
    image_pos = positions(image_id, images["image_id"])
    evidence = np.zeros(len(images), dtype=bool)
    proof = cross_copy & available & (image_pos >= 0)
    evidence[image_pos[proof]] = True
    # The source's image counts too when the copy carries another (or no) image id.
    src_image = np.where(has_src, image_pos[safe_src] if n else -1, -1)
    evidence[src_image[proof & (src_image >= 0)]] = True

    eligible = take(images["copy_eligible"].array, image_pos)
    eligible = eligible.mask(pd.Series(evidence[np.clip(image_pos, 0, None)] & (image_pos >= 0)), True)
    facts = BackupFacts(frame=frame, region_code=region_code, src_pos=src_pos, is_copy=is_copy,
                        cross_copy=cross_copy, available=available, pending=pending, faulty=faulty,
                        time_ns=time_ns, source_time_ns=source_time_ns, image_pos=image_pos,
                        eligible=pd.array(eligible, dtype="boolean"))
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
        comp = compartment_id.astype("string").fillna("")
        rows = np.flatnonzero(comp.isin(gaps.pairs["compartment_id"]).to_numpy(bool))
        if len(rows):
            sub = pd.DataFrame({"row": rows, "compartment_id": comp.to_numpy(object)[rows],
                                "own": region_code[rows]})
            pairs = sub.merge(gaps.pairs, on="compartment_id")
            if other_region:
                pairs = pairs[pairs["region_code"] != pairs["own"]]
            hit[pairs["row"].to_numpy(np.int64)] = True
    return hit


def assess_backups(facts: BackupFacts, images: pd.DataFrame, paths: pd.Series, gaps: Gaps,
                   vocabulary: list[str], as_of: pd.Timestamp) -> pd.DataFrame:
    """Return schema.ASSESSED_BACKUPS: every backup with role, copy status and its reason.

    ``paths`` maps each backup row to its compartment path. Status rules: docs/assess.md.
    """
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
    status = np.select(
        [source & copied, source & (n_pending > 0), source & inelig, source & gap, source & (n_faulty > 0),
         source & elig_unknown, source, orphan & gap, orphan],
        [CopyStatus.COPIED.value, CopyStatus.IN_PROGRESS.value, CopyStatus.INELIGIBLE.value,
         CopyStatus.UNKNOWN.value, CopyStatus.FAILED.value, CopyStatus.UNKNOWN.value,
         CopyStatus.NOT_COPIED.value, CopyStatus.UNKNOWN.value, CopyStatus.ORPHAN.value],
        default="",
    )
    copy_regions = join_region_sets(masks, vocabulary)
    region_s = frame["region"].astype("string")
    source_region = region_s.where(pd.Series(source), take(region_s.array, f.src_pos))
    newest_ts = pd.Series(pd.to_datetime(np.where(newest == _NAT, np.datetime64("NaT", "ns"),
                                                  newest.view("datetime64[ns]")), utc=True))
    age = (as_of - newest_ts) / pd.Timedelta(days=1)
    image_class = take(images["image_class"].array, f.image_pos, fill=pd.NA).astype("string").fillna("unknown")
    elig_reason = take(images["eligibility_reason"].array, f.image_pos).astype("string").fillna(
        "backup has no image id")
    reason = _backup_reasons(status, f, copy_regions, source_region, n_pending, n_faulty, elig_reason, frame)
    out = frame.assign(
        compartment_path=paths.to_numpy(object),
        image_class=image_class.to_numpy(object),
        copy_eligible=eligible.array,
        role=np.where(f.is_copy, Role.COPY.value, Role.SOURCE.value),
        source_region=source_region.array,
        copy_status=pd.Series(status).replace("", None).to_numpy(object),
        copy_regions=copy_regions.where(pd.Series(source)).array,
        available_copies=pd.array(np.where(source, n_avail, 0), dtype="Int64").astype("Int64"),
        newest_copy_time=newest_ts.array,
        newest_copy_age_days=pd.array(age.to_numpy(dtype="float64", na_value=np.nan), dtype="Float64"),
        reason=reason.array,
    )
    out["available_copies"] = out["available_copies"].mask(pd.Series(f.is_copy))
    return _typed(out)


def _typed(out: pd.DataFrame) -> pd.DataFrame:
    """Cast the new columns to their declared dtypes without re-casting the inventory columns."""
    for name in ("image_class", "role", "copy_status"):
        col = ASSESSED_BACKUPS.column(name)
        out[name] = pd.Categorical(out[name], categories=list(col.categories))
    for name in ("compartment_path", "source_region", "copy_regions", "reason"):
        out[name] = out[name].astype("string")
    out["copy_eligible"] = out["copy_eligible"].astype("boolean")
    out["newest_copy_time"] = out["newest_copy_time"].astype("datetime64[ns, UTC]")
    return ASSESSED_BACKUPS.validate(out[ASSESSED_BACKUPS.column_names])


def _backup_reasons(status: np.ndarray, f: BackupFacts, copy_regions: pd.Series, source_region: pd.Series,
                    n_pending: np.ndarray, n_faulty: np.ndarray, elig_reason: pd.Series,
                    frame: pd.DataFrame) -> pd.Series:
    """One sentence per backup explaining its copy status (or, for copies, what it is a copy of)."""
    idx = frame.index
    const = lambda text: pd.Series(text, index=idx, dtype="string")  # noqa: E731 - local shorthand
    src_id = frame["source_boot_volume_backup_id"].astype("string").fillna("?")
    src_region = source_region.fillna("?")
    state = frame["lifecycle_state"].astype("string").fillna("?")
    live_copy = f.is_copy & (f.src_pos >= 0)
    same_region = live_copy & ~f.cross_copy & (f.region_code == np.where(f.src_pos >= 0,
                                                                         f.region_code[np.clip(f.src_pos, 0, None)]
                                                                         if len(f.src_pos) else -1, -2))
    conditions = [
        status == CopyStatus.COPIED.value,
        status == CopyStatus.IN_PROGRESS.value,
        status == CopyStatus.INELIGIBLE.value,
        (status == CopyStatus.UNKNOWN.value) & ~f.is_copy & ~pd.Series(f.eligible).isna().to_numpy(bool),
        status == CopyStatus.FAILED.value,
        (status == CopyStatus.UNKNOWN.value) & ~f.is_copy,
        status == CopyStatus.NOT_COPIED.value,
        (status == CopyStatus.UNKNOWN.value) & f.is_copy,
        status == CopyStatus.ORPHAN.value,
        same_region,
        live_copy,
    ]
    choices = [
        "AVAILABLE copy in " + copy_regions.fillna("?"),
        "copy being made (REQUEST_RECEIVED/CREATING), " + pd.Series(n_pending, index=idx).astype("string")
        + " in progress; no AVAILABLE copy yet",
        "not copied and its image cannot be copied: " + elig_reason,
        const("no AVAILABLE copy found, but a region or compartment that could hold one could not be read"),
        "only FAULTY copies (" + pd.Series(n_faulty, index=idx).astype("string") + "): the copy failed",
        "no copy found and eligibility unknown: " + elig_reason,
        const("no AVAILABLE, in-progress or FAULTY copy in another region"),
        "source backup " + src_id + " is not in the inventory and a region or compartment that could hold it "
        "could not be read",
        "copy of " + src_id + ", which no longer exists (orphan copy)",
        "copy of " + src_id + " in its own region: not a cross-region copy",
        state + " copy of " + src_id + " from " + src_region,
    ]
    out = pd.Series(pd.NA, index=idx, dtype="string")
    for condition, choice in zip(reversed(conditions), reversed(choices), strict=True):
        out = out.mask(np.asarray(condition, dtype=bool), choice)
    return out

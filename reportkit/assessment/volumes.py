"""Per-volume coverage: is every boot volume protected by a fresh copy in every required region?

Requirements are (volume, destination) pairs, where the destination is a region code or ANY
("any other subscribed region", the default without a policy destination or copy target).
Copies are matched to requirements through an integer key, aggregated once, and each pair gets
a destination state; the volume's verdict combines its pairs (rules in docs/assess.md).
"""
from __future__ import annotations

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
    take,
)
from reportkit.assessment.backups import _NAT, _NS_PER_DAY, BackupFacts
from reportkit.assessment.gaps import Gaps, unreadable_policies
from reportkit.schema import ASSESSED_VOLUMES, CoverageStatus, ImageClass, Protection

if TYPE_CHECKING:
    from reportkit.assessment.context import AssessContext

ANY = -1  # destination code meaning "any other subscribed region"

# per-destination states, from best to worst; a volume takes the worst of its unsatisfied pairs
_FRESH, _IN_PROGRESS, _STALE, _FAILED, _MISSING, _UNKNOWN = range(6)
_DEST_STATUS = {
    _IN_PROGRESS: CoverageStatus.IN_PROGRESS, _STALE: CoverageStatus.STALE, _FAILED: CoverageStatus.FAILED,
    _MISSING: CoverageStatus.MISSING, _UNKNOWN: CoverageStatus.UNKNOWN,
}


def select_volumes(boot_volumes: pd.DataFrame) -> pd.DataFrame:
    """Return the boot volumes that exist (not TERMINATED), one row per OCID, sorted by OCID."""
    state = boot_volumes["lifecycle_state"].astype("string").fillna("").str.upper()
    frame = boot_volumes[state.ne("TERMINATED").to_numpy(bool)]
    return sort_unique(frame, "boot_volume_id")


def assess_volumes(ctx: AssessContext, volumes: pd.DataFrame, facts: BackupFacts, images: pd.DataFrame,
                   image_evidence: np.ndarray) -> pd.DataFrame:
    """Return schema.ASSESSED_VOLUMES for ``volumes`` (from :func:`select_volumes`).

    ``facts`` are the prepared backups, ``images`` the classified images and ``image_evidence`` a
    bool per image row (an AVAILABLE cross-region copy of one of its backups exists).
    """
    inv = ctx.inventory
    assignments, policies = inv.policy_assignments, inv.backup_policies
    gaps, vocabulary, subscribed, targets = ctx.gaps, ctx.vocabulary, ctx.subscribed, ctx.targets
    rpo_days, as_of = ctx.rpo_days, ctx.as_of
    paths = ctx.paths(volumes["compartment_id"])
    # a volume whose backup policy could not be read has an unknown required destination
    policy_unknown = unreadable_policies(volumes, inv.errors, assignments, policies)
    m = len(volumes)
    r = len(vocabulary)
    vol_region = category_codes(volumes["region"], vocabulary)
    cutoff_ns = (as_of - pd.Timedelta(days=rpo_days)).value
    as_of_ns = as_of.value

    # --- which volume each backup belongs to (a copy: its source's volume) ------------------------
    frame = facts.frame
    own_vol = positions(frame["boot_volume_id"], volumes["boot_volume_id"])
    safe_src = np.clip(facts.src_pos, 0, None)
    vol_of = np.where(facts.src_pos >= 0, own_vol[safe_src] if len(own_vol) else -1, own_vol)
    source_rows = ~facts.is_copy & (own_vol >= 0)
    avail_source = source_rows & facts.available
    n_sources = np.bincount(own_vol[avail_source], minlength=m)[:m] if m else np.zeros(0, np.int64)
    newest_backup = np.full(m, _NAT, dtype=np.int64)
    np.maximum.at(newest_backup, own_vol[avail_source], facts.time_ns[avail_source])

    # Evidence of eligibility: an AVAILABLE copy in another region (an orphan copy counts when it
    # still names the volume), or any such copy of the volume's image.
    orphan_avail = facts.is_copy & (facts.src_pos < 0) & facts.available & (own_vol >= 0)
    orphan_avail &= facts.region_code != np.where(own_vol >= 0, vol_region[np.clip(own_vol, 0, None)]
                                                  if m else -1, -1)
    proof_rows = (facts.cross_copy & facts.available & (vol_of >= 0)) | orphan_avail
    own_copy = np.zeros(m, dtype=bool)  # the volume itself has an AVAILABLE cross-region copy
    own_copy[vol_of[proof_rows]] = True
    evidence = own_copy.copy()
    image_pos = positions(volumes["image_id"], images["image_id"])
    has_image = image_pos >= 0
    evidence |= np.where(has_image, image_evidence[np.clip(image_pos, 0, None)] if len(image_evidence) else False,
                         False)
    eligible = take(images["copy_eligible"].array, image_pos).astype("boolean")
    eligible = eligible.mask(pd.Series(evidence), True)

    # --- policy and protection --------------------------------------------------------------------
    ordered = assignments.sort_values(["asset_id", "time_created", "policy_id"], kind="stable",
                                      na_position="first")
    # the most recent assignment wins when a volume has several (deterministic on row order)
    ordered = ordered.drop_duplicates("asset_id", keep="last")
    a_pos = positions(volumes["boot_volume_id"], ordered["asset_id"])
    policy_id = take(ordered["policy_id"].astype("string").array, a_pos)
    p_pos = positions(policy_id, policies["policy_id"])
    policy_name = take(policies["display_name"].astype("string").array, p_pos)
    policy_dest = take(policies["destination_region"].astype("string").array, p_pos)
    policy_dest = policy_dest.where(policy_dest.fillna("").str.strip().ne(""))
    replica = volumes["replica_regions"].astype("string")
    has_replica = replica.fillna("").str.strip().ne("").to_numpy(bool)
    has_copy_activity = np.zeros(m, dtype=bool)
    has_copy_activity[vol_of[facts.cross_copy & (vol_of >= 0)]] = True
    protection = np.select(
        [policy_dest.notna().to_numpy(bool), has_copy_activity, has_replica],
        [Protection.POLICY_COPY.value, Protection.MANUAL_COPY.value, Protection.REPLICA.value],
        default=Protection.NONE.value)

    # --- requirements: (volume, destination code) --------------------------------------------------
    req = _requirements(vol_region, policy_dest, targets, vocabulary)

    # --- copies per requirement key ------------------------------------------------------------
    # An orphan copy (its source backup is gone) still restores the volume, but the age of its data
    # cannot be proven: it counts as a copy that is never fresh (stale at best), never as no copy.
    copy_rows = np.flatnonzero((facts.cross_copy & (vol_of >= 0)) | orphan_avail)
    c_vol = vol_of[copy_rows]
    c_dest = facts.region_code[copy_rows]
    c_src_time = np.where(orphan_avail[copy_rows], _NAT, facts.source_time_ns[copy_rows])
    width = r + 1
    copies = pd.DataFrame({
        "key": np.concatenate([c_vol * width + (c_dest + 1), c_vol * width + (ANY + 1)]),
        "src_time": np.tile(c_src_time, 2),
        "time": np.tile(facts.time_ns[copy_rows], 2),
        "available": np.tile(facts.available[copy_rows], 2),
        "pending": np.tile(facts.pending[copy_rows], 2),
        "faulty": np.tile(facts.faulty[copy_rows], 2),
    })
    req_key = req["vol"].to_numpy() * width + (req["dest"].to_numpy() + 1)
    copies = copies[np.isin(copies["key"].to_numpy(), req_key)]
    copies["avail_src_time"] = np.where(copies["available"], copies["src_time"], _NAT)
    agg = copies.groupby("key", sort=False).agg(
        newest_src=("avail_src_time", "max"), any_avail=("available", "any"), any_pending=("pending", "any"))
    # latest attempt per key: last row after sorting by (key, time, faulty) - ties count as FAULTY
    keys = copies["key"].to_numpy()
    order = np.lexsort((copies["faulty"].to_numpy(), copies["time"].to_numpy(), keys))
    last = order[np.r_[keys[order][1:] != keys[order][:-1], True]] if len(order) else order
    agg["latest_faulty"] = pd.Series(copies["faulty"].to_numpy()[last], index=keys[last])
    agg = agg.sort_index()
    agg_keys = agg.index.to_numpy()
    kp = np.clip(np.searchsorted(agg_keys, req_key), 0, max(len(agg_keys) - 1, 0))
    found = (agg_keys[kp] == req_key) if len(agg_keys) else np.zeros(len(req_key), dtype=bool)
    pick = lambda col, fill: np.where(found, agg[col].to_numpy()[kp] if len(agg) else fill, fill)  # noqa: E731
    newest_src = pick("newest_src", _NAT).astype(np.int64)
    any_avail = pick("any_avail", False).astype(bool)
    any_pending = pick("any_pending", False).astype(bool)
    latest_faulty = pick("latest_faulty", False).astype(bool)
    fresh = any_avail & (newest_src >= cutoff_ns) & (newest_src != _NAT)

    # --- gaps per requirement ------------------------------------------------------------------
    dest_gap = _destination_gaps(req, vol_region, volumes["compartment_id"], facts, own_vol, gaps, subscribed, r)
    state = np.select([fresh, dest_gap, any_pending, latest_faulty, any_avail],
                      [_FRESH, _UNKNOWN, _IN_PROGRESS, _FAILED, _STALE], default=_MISSING)
    req = req.assign(state=state, newest_src=np.where(any_avail, newest_src, _NAT), fresh=fresh)

    # --- combine per volume ----------------------------------------------------------------------
    worst = np.full(m, _FRESH, dtype=np.int64)
    np.maximum.at(worst, req["vol"].to_numpy(), state)
    # recoverable point in every required destination: min over destinations of the newest copy
    recover = np.full(m, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(recover, req["vol"].to_numpy(), req["newest_src"].to_numpy())
    recover = np.where(recover == np.iinfo(np.int64).max, _NAT, recover)
    state_masks = {}
    state_any = {}
    for s in (_IN_PROGRESS, _STALE, _FAILED, _MISSING, _UNKNOWN):
        sel = (req["state"].to_numpy() == s)
        vm = np.zeros(m, dtype=np.uint64)
        explicit = sel & (req["dest"].to_numpy() >= 0)
        np.bitwise_or.at(vm, req["vol"].to_numpy()[explicit], region_bits(req["dest"].to_numpy()[explicit]))
        state_masks[s] = vm
        flag = np.zeros(m, dtype=bool)
        flag[req["vol"].to_numpy()[sel & (req["dest"].to_numpy() == ANY)]] = True
        state_any[s] = flag

    covered_mask = np.zeros(m, dtype=np.uint64)
    fresh_rows = facts.cross_copy & facts.available & (vol_of >= 0) & (facts.source_time_ns >= cutoff_ns) & (
        facts.source_time_ns != _NAT)
    np.bitwise_or.at(covered_mask, vol_of[fresh_rows], region_bits(facts.region_code[fresh_rows]))

    elig = pd.Series(eligible)
    source_gap = _source_gaps(vol_region, volumes["compartment_id"], gaps)
    status = np.select(
        [worst == _FRESH,
         ~evidence & elig.eq(False).fillna(False).to_numpy(bool),
         elig.isna().to_numpy(bool),
         source_gap,
         (n_sources == 0) & ~own_copy],
        [CoverageStatus.COVERED.value, CoverageStatus.INELIGIBLE.value, CoverageStatus.UNKNOWN.value,
         CoverageStatus.UNKNOWN.value, CoverageStatus.NO_BACKUP.value],
        default="")
    by_worst = pd.Series(worst).map({k: v.value for k, v in _DEST_STATUS.items()}).to_numpy(object)
    status = np.where(status == "", by_worst, status)
    cause = np.select(
        [worst == _FRESH, ~evidence & elig.eq(False).fillna(False).to_numpy(bool), elig.isna().to_numpy(bool),
         source_gap, (n_sources == 0) & ~own_copy],
        ["covered", "ineligible", "image_unknown", "source_gap", "no_backup"], default="dest")
    # Without its backup policy (unreadable) a volume's required region is unknown, unless
    # copy_targets name it: a verdict that depends on *where* copies are (covered, stale, in
    # progress, failed) would be a guess. 'missing' (no usable copy in any region) still holds.
    targeted = volumes["region"].astype("string").isin(list(targets)).fillna(False).to_numpy(bool)
    guess = policy_unknown & ~targeted & np.isin(status, [CoverageStatus.COVERED.value, CoverageStatus.STALE.value,
                                                         CoverageStatus.IN_PROGRESS.value,
                                                         CoverageStatus.FAILED.value])
    status = np.where(guess, CoverageStatus.UNKNOWN.value, status)
    cause = np.where(guess, "policy_unknown", cause)

    required = _required_text(req, m, vocabulary)
    image_class = take(images["image_class"].array, image_pos).astype("string").fillna(ImageClass.UNKNOWN.value)
    elig_reason = take(images["eligibility_reason"].array, image_pos).astype("string").fillna(
        "the volume has no image id")
    out = pd.DataFrame({
        "boot_volume_id": volumes["boot_volume_id"],
        "region": volumes["region"],
        "compartment_id": volumes["compartment_id"],
        "compartment_path": paths.array,
        "display_name": volumes["display_name"],
        "availability_domain": volumes["availability_domain"],
        "lifecycle_state": volumes["lifecycle_state"],
        "image_id": volumes["image_id"],
        "image_class": image_class.to_numpy(object),
        "copy_eligible": eligible.array,
        "kms_key_id": volumes["kms_key_id"],
        "policy_id": policy_id.array,
        "policy_name": policy_name.array,
        "policy_destination_region": policy_dest.array,
        "replica_regions": replica.array,
        "protection": protection,
        "required_regions": required.array,
        "covered_regions": join_region_sets(covered_mask, vocabulary).array,
        "source_backups": n_sources,
        "newest_backup_time": _ts(newest_backup),
        "newest_copy_source_time": _ts(recover),
        "rpo_age_days": np.where(recover == _NAT, np.nan, (as_of_ns - recover) / _NS_PER_DAY),
        "coverage_status": status,
    })
    texts = _explain(out, cause, state_masks, state_any, vocabulary, elig_reason, gaps, rpo_days)
    out["reason"] = texts[0].array
    out["remediation"] = texts[1].array
    return ASSESSED_VOLUMES.coerce(out)


def _ts(ns: np.ndarray) -> pd.Series:
    return pd.Series(pd.to_datetime(np.where(ns == _NAT, np.datetime64("NaT", "ns"), ns.view("datetime64[ns]")),
                                    utc=True))


def _requirements(vol_region: np.ndarray, policy_dest: pd.Series, targets: dict[str, tuple[str, ...]],
                  vocabulary: list[str]) -> pd.DataFrame:
    """Return (vol, dest) pairs: copy_targets for the volume's region, else the policy's destination, else ANY."""
    m = len(vol_region)
    pairs = []
    targeted = np.zeros(m, dtype=bool)
    if targets:
        t = pd.DataFrame([(vocabulary.index(src), vocabulary.index(dst)) for src, dsts in targets.items()
                          for dst in dsts], columns=["region", "dest"])
        v = pd.DataFrame({"vol": np.arange(m), "region": vol_region})
        joined = v.merge(t, on="region")
        pairs.append(joined[["vol", "dest"]])
        targeted[joined["vol"].to_numpy()] = True
    dest_code = positions(policy_dest, vocabulary)
    by_policy = ~targeted & policy_dest.notna().to_numpy(bool)
    pairs.append(pd.DataFrame({"vol": np.flatnonzero(by_policy), "dest": dest_code[by_policy]}))
    rest = ~targeted & ~by_policy
    pairs.append(pd.DataFrame({"vol": np.flatnonzero(rest), "dest": np.full(int(rest.sum()), ANY)}))
    req = pd.concat(pairs, ignore_index=True).astype({"vol": np.int64, "dest": np.int64})
    return req.sort_values(["vol", "dest"], kind="stable").reset_index(drop=True)


def _destination_gaps(req: pd.DataFrame, vol_region: np.ndarray, vol_compartment: pd.Series, facts: BackupFacts,
                      own_vol: np.ndarray, gaps: Gaps, subscribed: np.ndarray, r: int) -> np.ndarray:
    """True per requirement when a region/compartment that could hold its copy could not be read.

    Copies land in the compartment of their source backup, so the volume's own compartment and
    the compartments of its backups count. For ANY, every other subscribed region counts.
    """
    vol = req["vol"].to_numpy()
    dest = req["dest"].to_numpy()
    whole = gaps.whole_regions
    gap = np.zeros(len(req), dtype=bool)
    explicit = dest >= 0
    gap[explicit] = whole[dest[explicit]]
    others = whole & subscribed
    n_other = int(others.sum())
    own_whole = np.where(vol_region >= 0, others[np.clip(vol_region, 0, None)] if r else False, False)
    any_rows = ~explicit
    gap[any_rows] = (n_other - own_whole[vol[any_rows]]) > 0
    if len(gaps.pairs):
        wanted = set(gaps.pairs["compartment_id"])
        comp_v = vol_compartment.astype("string").fillna("")
        vc = pd.DataFrame({"vol": np.arange(len(comp_v)), "compartment_id": comp_v.to_numpy(object)})
        b_comp = facts.frame["compartment_id"]
        rows = np.flatnonzero(b_comp.isin(wanted).fillna(False).to_numpy(bool) & (own_vol >= 0) & ~facts.is_copy)
        bc = pd.DataFrame({"vol": own_vol[rows], "compartment_id": b_comp.take(rows).to_numpy(object)})
        vc = pd.concat([vc[vc["compartment_id"].isin(wanted)], bc], ignore_index=True).drop_duplicates()
        hits = vc.merge(gaps.pairs, on="compartment_id")[["vol", "region_code"]].drop_duplicates()
        hits = hits[hits["region_code"].to_numpy() != vol_region[hits["vol"].to_numpy()]]
        key = hits["vol"].to_numpy() * (r + 1) + hits["region_code"].to_numpy() + 1
        req_key = vol * (r + 1) + dest + 1
        gap |= np.isin(req_key, key)
        any_hit = np.zeros(len(vol_region), dtype=bool)
        any_hit[hits["vol"].to_numpy()] = True
        gap |= any_rows & any_hit[vol]
    return gap


def _source_gaps(vol_region: np.ndarray, vol_compartment: pd.Series, gaps: Gaps) -> np.ndarray:
    """True when the volume's own region, or its compartment there, could not be read (backups may hide)."""
    whole = gaps.whole_regions
    out = np.where(vol_region >= 0, whole[np.clip(vol_region, 0, None)] if len(whole) else False, False)
    if len(gaps.pairs):
        v = pd.DataFrame({"vol": np.arange(len(vol_region)), "region_code": vol_region,
                          "compartment_id": vol_compartment.astype("string").fillna("").to_numpy(object)})
        hit = v.merge(gaps.pairs, on=["region_code", "compartment_id"])["vol"].to_numpy()
        out[hit] = True
    return out.astype(bool)


def _required_text(req: pd.DataFrame, m: int, vocabulary: list[str]) -> pd.Series:
    mask = np.zeros(m, dtype=np.uint64)
    explicit = req["dest"].to_numpy() >= 0
    np.bitwise_or.at(mask, req["vol"].to_numpy()[explicit], region_bits(req["dest"].to_numpy()[explicit]))
    text = join_region_sets(mask, vocabulary)
    any_flag = np.zeros(m, dtype=bool)
    any_flag[req["vol"].to_numpy()[~explicit]] = True
    return text.mask(pd.Series(any_flag), "any")


def _explain(out: pd.DataFrame, cause: np.ndarray, state_masks: dict, state_any: dict, vocabulary: list[str],
             elig_reason: pd.Series, gaps: Gaps, rpo_days: int) -> tuple[pd.Series, pd.Series]:
    """Return (reason, remediation) per volume: the evidence behind the verdict and what to do."""
    m = len(out)

    def regions(state: int):
        text = join_region_sets(state_masks[state], vocabulary)
        text = text.mask(pd.Series(state_any[state]) & text.isna(), "any other region").mask(
            pd.Series(state_any[state]) & text.notna(), text + ", any other region")
        return lambda r: at(text, r)

    age = np.round(out["rpo_age_days"].to_numpy(dtype=float, na_value=np.nan), 1)
    rpo = str(rpo_days)
    required = out["required_regions"].astype("string").replace("any", "any other region")
    replica = out["replica_regions"].astype("string")
    status = out["coverage_status"].astype("string").to_numpy(object)
    has_replica = replica.fillna("").str.strip().ne("").to_numpy(bool)
    missing, failed, stale, pending, unknown = (regions(s) for s in (_MISSING, _FAILED, _STALE, _IN_PROGRESS,
                                                                     _UNKNOWN))
    rules = [
        (cause == "policy_unknown",
         lambda r: "the volume's backup policy could not be read (see errors), so its required destination "
         "region is unknown; fresh copies in: " + at(out["covered_regions"].astype("string").fillna("no region"), r),
         lambda r: "Fix the read error and collect again, or name the destination with copy_targets"),
        (cause == "covered",
         lambda r: "fresh AVAILABLE copy in " + at(required, r) + " (data " + at(age, r) + " days old, rpo "
         + rpo + " days)", lambda r: None),
        ((cause == "ineligible") & has_replica,
         lambda r: "image cannot be copied (" + at(elig_reason, r) + "); replicated to " + at(replica, r),
         lambda r: "Keep the boot volume replica as the cross-region protection; backups of this image cannot "
         "be copied"),
        (cause == "ineligible",
         lambda r: "image cannot be copied (" + at(elig_reason, r) + ")",
         lambda r: "Enable cross-region boot volume replication, or rebuild the instance from a platform image"),
        (cause == "image_unknown",
         lambda r: "no AVAILABLE copy proves eligibility and " + at(elig_reason, r),
         lambda r: "Add the image to data/image_overrides.csv if you know its origin, or re-collect"),
        (cause == "source_gap",
         lambda r: "the volume's region or compartment could not be fully read (see errors): backups may be "
         "missing from the inventory",
         lambda r: "Fix the collection error (permissions, throttling) and collect again"),
        (cause == "no_backup",
         lambda r: "no AVAILABLE backup of this volume",
         lambda r: "Assign a backup policy with a cross-region destination_region, or take a backup and copy it"),
        (status == CoverageStatus.UNKNOWN.value,
         lambda r: "a region or compartment that could hold the copy could not be read: " + unknown(r),
         lambda r: "Fix the collection error in that region/compartment (see errors) and collect again"),
        (status == CoverageStatus.MISSING.value,
         lambda r: "no AVAILABLE copy in required destination " + missing(r),
         lambda r: "Copy the newest backup to " + missing(r)
         + " (reportkit plan), or set destination_region on the backup policy"),
        (status == CoverageStatus.FAILED.value,
         lambda r: "latest copy attempt to " + failed(r) + " is FAULTY",
         lambda r: "Investigate the FAULTY copy and copy the newest backup to " + failed(r) + " again"),
        ((status == CoverageStatus.STALE.value) & np.isnan(age),
         lambda r: "copies in " + stale(r) + " exist but the age of their data cannot be proven within rpo "
         + rpo + " days (an orphan copy: its source backup is gone)",
         lambda r: "Copy a backup newer than " + rpo + " days to " + stale(r) + "; check the policy schedule"),
        (status == CoverageStatus.STALE.value,
         lambda r: "newest copy in " + stale(r) + " is of a backup older than rpo " + rpo + " days (data "
         + at(age, r) + " days old)",
         lambda r: "Copy a backup newer than " + rpo + " days to " + stale(r) + "; check the policy schedule"),
        (status == CoverageStatus.IN_PROGRESS.value,
         lambda r: "a copy to " + pending(r) + " is being made (REQUEST_RECEIVED/CREATING); no fresh copy there yet",
         lambda r: "Wait for the copy to finish, then collect and assess again"),
    ]
    reason = compose_text([(cond, text) for cond, text, _ in rules], m)
    remedy = compose_text([(cond, fix) for cond, _, fix in rules], m)
    return reason, remedy

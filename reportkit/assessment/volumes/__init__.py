"""Per-volume coverage (rule book §3-§7): is every boot volume protected in every required region, freshly?

The steps, each a module: :mod:`.link` (each protection item linked to the volume it protects,
with its state), :mod:`.requirements` (which destinations must be fresh), :mod:`.verdict`
(destination states, then the volume's verdict), :mod:`.explain` (reason and remediation).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from reportkit.assessment._lookup import category_codes, is_in, join_region_sets, positions, region_bits, sort_unique, \
    take, utc_times
from reportkit.assessment.existence import exists_at
from reportkit.assessment.gaps import group_listing_gaps, unreadable_policy_assets
from reportkit.assessment.lineage import NO_LINK, SOURCE, Chains
from reportkit.assessment.volumes.explain import Wording, explain
from reportkit.assessment.volumes.link import FRESH, NAT, NONE, REPLICA, ns
from reportkit.assessment.volumes.requirements import ANY, SOURCES, Requirements, find_requirements
from reportkit.assessment.volumes.verdict import combine, destination_states, kinds_text, verdicts
from reportkit.schema import ASSESSED_VOLUMES, CoverageStatus, ImageClass

if TYPE_CHECKING:
    from reportkit.assessment.context import AssessContext

_NS_PER_DAY = 86_400 * 10**9


def select_volumes(boot_volumes: pd.DataFrame, as_of: pd.Timestamp | None = None) -> pd.DataFrame:
    """Return the boot volumes that exist (not TERMINATED; created by ``as_of``), one row per OCID,
    sorted by OCID."""
    state = boot_volumes["lifecycle_state"].astype("string").fillna("").str.upper()
    keep = state.ne("TERMINATED").to_numpy(bool)
    if as_of is not None:
        keep &= exists_at(boot_volumes, as_of)
    return sort_unique(boot_volumes[keep] if not keep.all() else boot_volumes, "boot_volume_id")


def volume_regions(volumes: pd.DataFrame, vocabulary: list[str]) -> np.ndarray:
    """Region code of each volume (its home region)."""
    return category_codes(volumes["region"], vocabulary)


def assess_volumes(ctx: AssessContext, volumes: pd.DataFrame, chains: Chains, items: pd.DataFrame,
                   images: pd.DataFrame, image_evidence: np.ndarray) -> pd.DataFrame:
    """Return schema.ASSESSED_VOLUMES for ``volumes`` (from :func:`select_volumes`).

    ``items`` are the protection items (:func:`.link.link_items`), ``images`` the classified images
    and ``image_evidence`` a bool per image row (an AVAILABLE cross-region copy proves it copyable).
    """
    inv = ctx.inventory
    m, r = len(volumes), len(ctx.vocabulary)
    home = volume_regions(volumes, ctx.vocabulary)
    req = find_requirements(volumes, home, targets=ctx.targets, vocabulary=ctx.vocabulary,
                            assignments=inv.policy_assignments, policies=inv.backup_policies, groups=inv.volume_groups,
                            group_members=inv.volume_group_members,
                            unreadable=unreadable_policy_assets(inv.errors, inv.policy_assignments,
                                                                inv.backup_policies),
                            groups_unread=group_listing_gaps(ctx.gaps.table, volumes, inv.volume_groups))
    is_any = np.zeros(m, dtype=bool)
    is_any[req.pairs.loc[req.pairs["dest"].to_numpy() == ANY, "vol"].to_numpy()] = True

    # --- the volume's own backups and where its data could hide ----------------------------------
    b = chains.backups
    roots = np.flatnonzero((chains.role == SOURCE) & (chains.backup_volume >= 0))
    available_root = roots[is_in(b["lifecycle_state"], ["AVAILABLE"])[roots]]
    n_sources = np.bincount(chains.backup_volume[available_root], minlength=m)[:m] if m else np.zeros(0, np.int64)
    newest_backup = np.full(m, NAT, dtype=np.int64)
    np.maximum.at(newest_backup, chains.backup_volume[available_root], ns(b["time_created"])[available_root])
    gap_keys, any_gap, home_gap = _gaps(ctx, volumes, home, chains, roots, req)

    # --- destinations and verdict ----------------------------------------------------------------
    dest = destination_states(items, req, home, gap_keys=gap_keys, gaps=ctx.gaps, ready=ctx.ready,
                              subscribing=ctx.subscribing, rpo_ns=pd.Timedelta(days=ctx.rpo_days).value)
    outcome = combine(dest, req, m, any_gap=any_gap)
    vol = items["vol"].to_numpy()
    kind = items["kind"].to_numpy()
    available_away = items["available"].to_numpy() & items["away"].to_numpy()
    copy_proof = np.zeros(m, dtype=bool)
    copy_proof[vol[available_away & (kind != REPLICA)]] = True
    image_pos = positions(volumes["image_id"], images["image_id"])
    evidence = copy_proof | np.where(image_pos >= 0, np.append(image_evidence, False)[image_pos], False)
    eligible = take(images["copy_eligible"].array, image_pos).astype("boolean").mask(pd.Series(evidence), True)
    anything = n_sources > 0
    anything[vol[available_away]] = True  # an item in the home region is shown, never counted (§3)
    status, cause = verdicts(outcome, eligible=eligible, evidence=evidence, home_gap=home_gap, any_backup=anything,
                             policy_unknown=req.per_volume["policy_unknown"].to_numpy(bool))
    covered = status == CoverageStatus.COVERED.value

    # --- the columns of §7 -------------------------------------------------------------------------
    counted = items["away"].to_numpy() & items["accepted"].to_numpy()
    fresh = counted & (items["state"].to_numpy() == FRESH)
    in_chosen = np.isin(vol.astype(np.int64) * dest.width + items["region"].to_numpy(np.int64), outcome.chosen_keys)
    covering = fresh & in_chosen & covered[vol]
    replica_rows = (kind == REPLICA) & (items["state"].to_numpy() != NONE)
    cross_ad = np.zeros(m, dtype=bool)
    cross_ad[vol[replica_rows & ~items["away"].to_numpy()]] = True
    per = req.per_volume
    newest_ts = _ts(outcome.newest)
    classes = [c.value for c in ImageClass]
    class_codes = np.append(images["image_class"].cat.codes.to_numpy(), classes.index(ImageClass.UNKNOWN.value))
    image_class = pd.Categorical.from_codes(np.where(image_pos >= 0, class_codes[image_pos],
                                                     classes.index(ImageClass.UNKNOWN.value)), categories=classes)
    out = pd.DataFrame({
        "boot_volume_id": volumes["boot_volume_id"].array,
        "region": volumes["region"].array,
        "compartment_id": volumes["compartment_id"].array,
        "compartment_path": ctx.paths(volumes["compartment_id"]).array,
        "display_name": volumes["display_name"].array,
        "availability_domain": volumes["availability_domain"].array,
        "lifecycle_state": volumes["lifecycle_state"].array,
        "image_id": volumes["image_id"].array,
        "image_class": image_class,
        "copy_eligible": eligible.array,
        "kms_key_id": volumes["kms_key_id"].array,
        "policy_id": per["policy_id"].array,
        "policy_name": per["policy_name"].array,
        "policy_destination_region": per["policy_destination_region"].array,
        "volume_group_id": per["volume_group_id"].array,
        "copies_scheduled": _flags(per["copies_scheduled"].to_numpy(bool)),
        "requirement_source": pd.Categorical.from_codes(per["source"].to_numpy(), categories=SOURCES),
        "replica_regions": _region_sets(vol[replica_rows & items["away"].to_numpy()],
                                        items["region"].to_numpy()[replica_rows & items["away"].to_numpy()], m,
                                        ctx.vocabulary).array,
        "cross_ad_replica": _flags(cross_ad),
        "protection": kinds_text(vol[available_away], kind[available_away], m).array,
        "required_regions": _required_text(req, m, ctx.vocabulary).array,
        "covered_regions": _region_sets(vol[fresh], items["region"].to_numpy()[fresh], m, ctx.vocabulary).array,
        "covered_by": kinds_text(vol[covering], kind[covering], m).array,
        "source_backups": pd.arrays.IntegerArray(n_sources.astype(np.int64), np.zeros(m, dtype=bool)),
        "newest_backup_time": _ts(newest_backup).array,
        "newest_copy_source_time": newest_ts.array,
        "rpo_age_days": pd.arrays.FloatingArray((ctx.as_of.value - outcome.newest) / _NS_PER_DAY,
                                                outcome.newest == NAT),
        "protected_until": _ts(np.where(covered, outcome.until, NAT)).array,
        "copy_expires_at": _ts(np.where(covered, outcome.until_expires, NAT)).array,
        "coverage_status": pd.Categorical(status, categories=[c.value for c in CoverageStatus]),
    })
    elig_reason = take(images["eligibility_reason"].array, image_pos).astype("string").fillna(
        "the volume has no image id")
    paths = dict(zip(inv.compartments["compartment_id"].astype(str), inv.compartments["path"].astype(str)))
    reason, remedy = explain(out, cause, dest, is_any, elig_reason,
                             Wording(vocabulary=ctx.vocabulary, rpo_days=ctx.rpo_days, gaps=ctx.gaps, paths=paths))
    out["reason"] = reason.array
    out["remediation"] = remedy.array
    return ASSESSED_VOLUMES.coerce(out)


def _gaps(ctx: AssessContext, volumes: pd.DataFrame, home: np.ndarray, chains: Chains, roots: np.ndarray,
          req: Requirements) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (gap keys, any-candidate gap, home gap): where a collection gap could hide a volume's items.

    Copies land in their source's compartment (unless moved), so the compartments that count in a
    destination are the volume's own and those of its root backups and root group backups.
    """
    gaps, r, m = ctx.gaps, len(ctx.vocabulary), len(volumes)
    whole = gaps.whole_regions
    home_gap = np.where(home >= 0, whole[np.clip(home, 0, None)] if r else False, False)
    home_gap |= gaps.compartment_gap(home, volumes["compartment_id"].reset_index(drop=True))
    candidates = whole & ctx.ready
    any_gap = (int(candidates.sum()) - np.where(home >= 0, candidates[np.clip(home, 0, None)] if r else False,
                                                False)) > 0
    if not len(gaps.pairs):
        return np.zeros(0, dtype=np.int64), any_gap, home_gap
    regions_of = gaps.regions_by_compartment()
    wanted = list(regions_of)
    b = chains.backups
    # the compartments where each volume's data could be: its own, its root backups', its root group backups'
    root_groups = chains.members[chains.group.source[chains.members["group"].to_numpy()] == NO_LINK]
    sources = ((np.arange(m), volumes["compartment_id"].reset_index(drop=True), np.arange(m)),
               (chains.backup_volume[roots], b["compartment_id"], roots),
               (chains.backup_volume[root_groups["backup"].to_numpy()], chains.groups["compartment_id"],
                root_groups["group"].to_numpy()))
    found_vol, found_comp = [], []
    for vol, compartment, rows in sources:
        keep = np.flatnonzero(compartment.isin(wanted).fillna(False).to_numpy(bool)[rows] & (vol >= 0))
        found_vol.append(vol[keep])
        found_comp.append(positions(compartment.take(rows[keep]), pd.Series(wanted, dtype="string")))
    pairs = np.unique(np.concatenate(found_vol) * len(wanted) + np.concatenate(found_comp)) if wanted else []
    hits: set[tuple[int, int]] = set()
    for pair in pairs:  # one per (volume, compartment a gap names)
        v, c = divmod(int(pair), len(wanted))
        hits.update((v, code) for code in regions_of[wanted[c]] if code != home[v])
    keys = np.array([v * r + code for v, code in hits], dtype=np.int64)
    any_gap = any_gap.copy()
    any_gap[[v for v, code in hits if ctx.ready[code]]] = True
    return np.unique(keys), any_gap, home_gap


def _flags(values: np.ndarray) -> pd.arrays.BooleanArray:
    return pd.arrays.BooleanArray(np.asarray(values, dtype=bool), np.zeros(len(values), dtype=bool))


def _ts(values: np.ndarray) -> pd.Series:
    return utc_times(values)


def _region_sets(vol: np.ndarray, region: np.ndarray, m: int, vocabulary: list[str]) -> pd.Series:
    mask = np.zeros(m, dtype=np.uint64)
    np.bitwise_or.at(mask, vol, region_bits(region))
    return join_region_sets(mask, vocabulary)


def _required_text(req: Requirements, m: int, vocabulary: list[str]) -> pd.Series:
    explicit = req.pairs[req.pairs["dest"].to_numpy() != ANY]
    text = _region_sets(explicit["vol"].to_numpy(), explicit["dest"].to_numpy(), m, vocabulary)
    any_flag = np.zeros(m, dtype=bool)
    any_flag[req.pairs.loc[req.pairs["dest"].to_numpy() == ANY, "vol"].to_numpy()] = True
    return text.mask(pd.Series(any_flag), "any")

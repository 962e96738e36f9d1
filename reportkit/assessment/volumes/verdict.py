"""Destination states and the volume verdict (rule book §6, §7).

Per (volume, destination) the accepted items outside the home region give the destination state,
the first of: fresh -> unknown (a gap there could hide an item, or an item is undecided) ->
in_progress -> failed (the latest copy attempt, or a replica, is FAULTY) -> stale -> missing. A
region still being subscribed holds nothing: missing there, never unknown. For ``any``, every
READY region other than home is a candidate and the volume takes the best one (fresh anywhere:
covered; else a candidate that could hide one: unknown; else the least bad).

Then the verdict, the first of: covered (every required destination fresh), ineligible, unknown
(image), unknown (home region or compartment unread), no_backup, the worst destination; and a
volume whose backup policy could not be read cannot be covered, stale, in_progress or failed.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from reportkit.assessment._lookup import key_positions, last_per_key
from reportkit.assessment.gaps import Gaps
from reportkit.assessment.volumes.link import (
    BACKUP_COPY,
    FAILED,
    FRESH,
    IN_PROGRESS,
    KINDS,
    NAT,
    NONE,
    REPLICA,
    STALE,
    UNKNOWN,
)
from reportkit.assessment.volumes.requirements import ANY, Requirements
from reportkit.schema import CoverageStatus

#: destination states, best first; a volume's verdict is its worst required destination
D_FRESH, D_IN_PROGRESS, D_STALE, D_FAILED, D_MISSING, D_UNKNOWN = range(6)
DEST_STATUS = {D_IN_PROGRESS: CoverageStatus.IN_PROGRESS, D_STALE: CoverageStatus.STALE,
               D_FAILED: CoverageStatus.FAILED, D_MISSING: CoverageStatus.MISSING, D_UNKNOWN: CoverageStatus.UNKNOWN}
_NEVER = np.iinfo(np.int64).max  # an expiry that never comes sorts last


@dataclass(frozen=True)
class Destinations:
    """One row per (volume, destination) judged: ``vol``, ``dest`` (region code), ``state`` (D_*),
    ``newest`` (newest data time of an AVAILABLE accepted item, ns), ``until`` / ``until_expires``
    (protected until, and the expiry of the item giving it, ns), ``required`` (False for the
    candidate regions of an ``any`` requirement), ``subscribing``."""

    frame: pd.DataFrame
    width: int  # number of region codes: a (volume, region) key is vol * width + region


def destination_states(items: pd.DataFrame, req: Requirements, vol_region: np.ndarray, *, gap_keys: np.ndarray,
                       gaps: Gaps, ready: np.ndarray, subscribing: np.ndarray, rpo_ns: int) -> Destinations:
    """Return the state of every required destination, and of every candidate region of an ``any``
    requirement that holds an item. ``gap_keys`` are the (vol * regions + region) keys where a
    compartment holding the volume's data could not be read."""
    r = len(ready)
    counted = items["away"].to_numpy() & items["accepted"].to_numpy()
    item_vol, item_region = items["vol"].to_numpy(np.int64), items["region"].to_numpy(np.int64)
    item_key = item_vol * r + item_region
    pairs_vol, pairs_dest = req.pairs["vol"].to_numpy(np.int64), req.pairs["dest"].to_numpy(np.int64)
    explicit = pairs_dest != ANY
    any_vol = np.zeros(len(vol_region), dtype=bool)
    any_vol[pairs_vol[~explicit]] = True
    # for `any`: the READY regions other than home where an accepted item is
    candidate_keys = np.unique(item_key[counted & any_vol[item_vol] & ready[item_region]])
    keys = np.concatenate([pairs_vol[explicit] * r + pairs_dest[explicit], candidate_keys])
    required = np.r_[np.ones(int(explicit.sum()), dtype=bool), np.zeros(len(candidate_keys), dtype=bool)]
    order = np.argsort(keys, kind="stable")
    keys, required = keys[order], required[order]
    sel = np.flatnonzero(counted & np.isin(item_key, keys))
    agg = _aggregate(items, sel, item_key[sel], rpo_ns)
    at = key_positions(keys, agg["key"])
    found = at >= 0

    def pick(name: str, fill: object) -> np.ndarray:
        return np.where(found, agg[name][np.clip(at, 0, None)] if len(agg["key"]) else fill, fill)

    dest = keys % r if r else keys
    gap = gaps.whole_regions[dest] | np.isin(keys, gap_keys)
    queued = subscribing[dest]
    state = np.select([queued, pick("fresh", False), gap | pick("unknown", False), pick("in_progress", False),
                       pick("failed", False), pick("stale", False)],
                      [D_MISSING, D_FRESH, D_UNKNOWN, D_IN_PROGRESS, D_FAILED, D_STALE], D_MISSING).astype(np.int8)
    return Destinations(pd.DataFrame({
        "vol": keys // r if r else keys, "dest": dest, "required": required, "state": state, "subscribing": queued,
        "newest": pick("newest", NAT).astype(np.int64), "until": pick("until", NAT).astype(np.int64),
        "until_expires": pick("until_expires", NAT).astype(np.int64)}), width=r)


def _aggregate(items: pd.DataFrame, rows: np.ndarray, key: np.ndarray, rpo_ns: int) -> dict[str, np.ndarray]:
    """Per distinct ``key`` of the items at ``rows``: which states they are in, the newest data of an
    AVAILABLE one, whether the latest copy attempt (or a replica) failed, and the protection of the best
    fresh item (the latest min(data + rpo, expiry); ties: the later expiry)."""
    state = items["state"].to_numpy()[rows]
    kind = items["kind"].to_numpy()[rows]
    data, expires = items["data"].to_numpy()[rows], items["expires"].to_numpy()[rows]
    uniq, group = np.unique(key, return_inverse=True)
    n = len(uniq)
    out: dict[str, np.ndarray] = {"key": uniq}
    for name, code in (("fresh", FRESH), ("unknown", UNKNOWN), ("in_progress", IN_PROGRESS), ("stale", STALE)):
        out[name] = np.bincount(group, weights=state == code, minlength=n) > 0
    newest = np.full(n, NAT, dtype=np.int64)
    np.maximum.at(newest, group, np.where(items["available"].to_numpy()[rows], data, NAT))
    out["newest"] = newest
    # failed: the latest copy attempt (copies that still exist; ties count as FAULTY), or a FAULTY replica
    failed = np.bincount(group, weights=(state == FAILED) & (kind == REPLICA), minlength=n) > 0
    copies = np.flatnonzero((kind != REPLICA) & (state != NONE))
    latest = copies[last_per_key(group[copies], items["attempt"].to_numpy()[rows][copies], state[copies] == FAILED)]
    failed[group[latest]] |= state[latest] == FAILED
    out["failed"] = failed
    fresh = np.flatnonzero(state == FRESH)
    until = np.where(expires == NAT, data + rpo_ns, np.minimum(data + rpo_ns, expires))
    best = fresh[last_per_key(group[fresh], until[fresh], np.where(expires[fresh] == NAT, _NEVER, expires[fresh]))]
    out["until"] = np.full(n, NAT, dtype=np.int64)
    out["until"][group[best]] = until[best]
    out["until_expires"] = np.full(n, NAT, dtype=np.int64)
    out["until_expires"][group[best]] = expires[best]
    return out


@dataclass(frozen=True)
class VolumeOutcome:
    """Per volume: the worst/best destination state (D_*), the recoverable point, the protection
    horizon, and whether an ``any`` requirement found a candidate that could hide an item."""

    dest_state: np.ndarray      # D_* deciding the verdict when no earlier rule applies
    newest: np.ndarray          # point in time recoverable in every required destination (ns)
    until: np.ndarray           # protected_until (ns), when covered
    until_expires: np.ndarray   # copy_expires_at (ns), when covered
    chosen_keys: np.ndarray     # vol * regions + dest: the destinations that make the volume covered


def combine(dest: Destinations, req: Requirements, m: int, *, any_gap: np.ndarray) -> VolumeOutcome:
    """Combine the destination states per volume: every required destination for explicit
    requirements (the worst decides), the best candidate for ``any``."""
    d = dest.frame
    vol, state_of, required = d["vol"].to_numpy(), d["state"].to_numpy().astype(np.int64), d["required"].to_numpy()
    newest_of, until_of, expires_of = d["newest"].to_numpy(), d["until"].to_numpy(), d["until_expires"].to_numpy()
    r = dest.width
    is_any = np.zeros(m, dtype=bool)
    is_any[req.pairs.loc[req.pairs["dest"].to_numpy() == ANY, "vol"].to_numpy()] = True
    big = np.iinfo(np.int64).max

    def reduce(ufunc: np.ufunc, start: int, values: np.ndarray, rows: np.ndarray) -> np.ndarray:
        out = np.full(m, start, dtype=np.int64)
        ufunc.at(out, vol[rows], values[rows])
        return out

    req_rows = np.flatnonzero(required)
    state = reduce(np.maximum, D_FRESH, state_of, req_rows)
    newest = reduce(np.minimum, big, newest_of, req_rows)
    until = reduce(np.minimum, big, until_of, req_rows)
    expires = reduce(np.minimum, _NEVER, np.where(expires_of == NAT, _NEVER, expires_of), req_rows)

    # `any`: the best candidate region (fresh; else unknown when one could hide an item; else least bad)
    cand = np.flatnonzero(~required)
    best = reduce(np.minimum, D_MISSING, state_of, cand)
    unknown_there = np.zeros(m, dtype=bool)
    unknown_there[vol[cand[state_of[cand] == D_UNKNOWN]]] = True
    best = np.where((best != D_FRESH) & (any_gap | unknown_there), D_UNKNOWN, best)
    fresh_cand = cand[state_of[cand] == D_FRESH]
    pick = fresh_cand[last_per_key(vol[fresh_cand], until_of[fresh_cand],
                                   np.where(expires_of[fresh_cand] == NAT, _NEVER, expires_of[fresh_cand]))]
    any_until = np.full(m, NAT, dtype=np.int64)
    any_until[vol[pick]] = until_of[pick]
    any_expires = np.full(m, NAT, dtype=np.int64)
    any_expires[vol[pick]] = expires_of[pick]
    chosen = np.r_[req_rows, fresh_cand]
    return VolumeOutcome(
        dest_state=np.where(is_any, best, state),
        newest=np.where(is_any, reduce(np.maximum, NAT, newest_of, cand), np.where(newest == big, NAT, newest)),
        until=np.where(is_any, any_until, np.where(until == big, NAT, until)),
        until_expires=np.where(is_any, any_expires, np.where(expires == _NEVER, NAT, expires)),
        chosen_keys=vol[chosen].astype(np.int64) * r + d["dest"].to_numpy()[chosen])


def verdicts(outcome: VolumeOutcome, *, eligible: pd.Series, evidence: np.ndarray, home_gap: np.ndarray,
             any_backup: np.ndarray, policy_unknown: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return (coverage_status values, cause) per volume: the first rule that applies (module docstring).

    ``eligible`` is the image's copy eligibility (NA unknown), ``evidence`` an AVAILABLE copy proving
    it, ``home_gap`` the home region or compartment unread, ``any_backup`` an AVAILABLE root backup or
    item of any kind outside the home region, ``policy_unknown`` a policy that could not be read.
    """
    covered = outcome.dest_state == D_FRESH
    ineligible = ~evidence & eligible.eq(False).fillna(False).to_numpy(bool)
    image_unknown = ~evidence & eligible.isna().to_numpy(bool)
    causes = [covered, ineligible, image_unknown, home_gap, ~any_backup]
    names = ["covered", "ineligible", "image_unknown", "source_gap", "no_backup"]
    statuses = [CoverageStatus.COVERED, CoverageStatus.INELIGIBLE, CoverageStatus.UNKNOWN, CoverageStatus.UNKNOWN,
                CoverageStatus.NO_BACKUP]
    by_dest = np.array([DEST_STATUS.get(s, CoverageStatus.MISSING).value for s in range(6)], dtype=object)[
        outcome.dest_state]
    status = np.select(causes, [s.value for s in statuses], "")
    status = np.where(status == "", by_dest, status)
    cause = np.select(causes, names, "dest")
    guess = policy_unknown & np.isin(status, [CoverageStatus.COVERED.value, CoverageStatus.STALE.value,
                                              CoverageStatus.IN_PROGRESS.value, CoverageStatus.FAILED.value])
    return np.where(guess, CoverageStatus.UNKNOWN.value, status), np.where(guess, "policy_unknown", cause)


def kinds_text(vol: np.ndarray, kind: np.ndarray, m: int) -> pd.Series:
    """Comma-separated kind names per volume, in the enum's order ('' when none)."""
    mask = np.zeros(m, dtype=np.int64)
    np.bitwise_or.at(mask, vol, np.left_shift(1, kind.astype(np.int64)))
    spelled = np.array([",".join(k for i, k in enumerate(KINDS) if code >> i & 1) for code in range(1 << len(KINDS))],
                       dtype=object)
    return pd.Series(pd.array(spelled[mask], dtype="string"))


__all__ = ["BACKUP_COPY", "D_FRESH", "D_IN_PROGRESS", "D_STALE", "D_FAILED", "D_MISSING", "D_UNKNOWN", "DEST_STATUS",
           "Destinations", "VolumeOutcome", "combine", "destination_states", "kinds_text", "verdicts"]

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


def destination_states(items: pd.DataFrame, req: Requirements, vol_region: np.ndarray, *, gap_keys: np.ndarray,
                       gaps: Gaps, ready: np.ndarray, subscribing: np.ndarray, rpo_ns: int) -> Destinations:
    """Return the state of every required destination, and of every candidate region of an ``any``
    requirement that holds an item. ``gap_keys`` are the (vol * regions + region) keys where a
    compartment holding the volume's data could not be read."""
    r = len(ready)
    counted = items[items["away"].to_numpy() & items["accepted"].to_numpy()]
    explicit = req.pairs[req.pairs["dest"].to_numpy() != ANY]
    any_vols = req.pairs.loc[req.pairs["dest"].to_numpy() == ANY, "vol"].to_numpy()
    # for `any`: the READY regions other than home where an accepted item is
    any_rows = counted[np.isin(counted["vol"].to_numpy(), any_vols) & ready[counted["region"].to_numpy()]]
    candidates = any_rows[["vol", "region"]].drop_duplicates().rename(columns={"region": "dest"})
    dests = pd.concat([explicit.assign(required=True), candidates.assign(required=False)], ignore_index=True)
    dests["key"] = dests["vol"].to_numpy(np.int64) * r + dests["dest"].to_numpy(np.int64)

    keyed = counted.assign(key=counted["vol"].to_numpy(np.int64) * r + counted["region"].to_numpy(np.int64))
    keyed = keyed[np.isin(keyed["key"].to_numpy(), dests["key"].to_numpy())]
    agg = _aggregate(keyed, rpo_ns)
    out = dests.merge(agg, on="key", how="left")
    for flag in ("fresh", "unknown", "in_progress", "failed", "stale"):
        out[flag] = out[flag].fillna(False).astype(bool)
    for column in ("newest", "until", "until_expires"):
        out[column] = out[column].fillna(NAT).astype(np.int64)
    dest = out["dest"].to_numpy(np.int64)
    gap = gaps.whole_regions[dest] | np.isin(out["key"].to_numpy(), gap_keys)
    out["subscribing"] = subscribing[dest]
    out["state"] = np.select(
        [out["subscribing"].to_numpy(), out["fresh"].to_numpy(), gap | out["unknown"].to_numpy(),
         out["in_progress"].to_numpy(), out["failed"].to_numpy(), out["stale"].to_numpy()],
        [D_MISSING, D_FRESH, D_UNKNOWN, D_IN_PROGRESS, D_FAILED, D_STALE], D_MISSING).astype(np.int8)
    columns = ["vol", "dest", "required", "state", "subscribing", "newest", "until", "until_expires"]
    return Destinations(out[columns].sort_values(["vol", "dest"], kind="stable").reset_index(drop=True))


def _aggregate(keyed: pd.DataFrame, rpo_ns: int) -> pd.DataFrame:
    """Per key: which states its items are in, the newest data, and the protection of its fresh items."""
    state = keyed["state"].to_numpy()
    flags = pd.DataFrame({
        "key": keyed["key"].to_numpy(),
        "fresh": state == FRESH, "unknown": state == UNKNOWN, "in_progress": state == IN_PROGRESS,
        "stale": state == STALE,
        "replica_failed": (state == FAILED) & (keyed["kind"].to_numpy() == REPLICA),
        "newest": np.where(keyed["available"].to_numpy(), keyed["data"].to_numpy(), NAT),
    })
    agg = flags.groupby("key").agg(fresh=("fresh", "any"), unknown=("unknown", "any"),
                                   in_progress=("in_progress", "any"), stale=("stale", "any"),
                                   replica_failed=("replica_failed", "any"), newest=("newest", "max"))
    # failed: the latest copy attempt (copies that still exist; ties count as FAULTY), or a FAULTY replica
    copies = keyed[(keyed["kind"].to_numpy() != REPLICA) & (state != NONE)]
    latest = (copies.assign(faulty=copies["state"].to_numpy() == FAILED)
              .sort_values(["key", "attempt", "faulty"], kind="stable").drop_duplicates("key", keep="last"))
    agg["failed"] = agg["replica_failed"] | latest.set_index("key")["faulty"].reindex(agg.index, fill_value=False)
    # protected until: the best fresh item (latest min(data + rpo, expiry); ties: the later expiry)
    fresh = keyed[state == FRESH]
    expires = fresh["expires"].to_numpy()
    until = np.where(expires == NAT, fresh["data"].to_numpy() + rpo_ns, np.minimum(fresh["data"].to_numpy() + rpo_ns,
                                                                                    expires))
    best = (pd.DataFrame({"key": fresh["key"].to_numpy(), "until": until,
                          "order": np.where(expires == NAT, _NEVER, expires), "until_expires": expires})
            .sort_values(["key", "until", "order"], kind="stable").drop_duplicates("key", keep="last")
            .set_index("key"))
    agg["until"] = best["until"].reindex(agg.index)
    agg["until_expires"] = best["until_expires"].reindex(agg.index)
    return agg.drop(columns="replica_failed").reset_index()


@dataclass(frozen=True)
class VolumeOutcome:
    """Per volume: the worst/best destination state (D_*), the recoverable point, the protection
    horizon, and whether an ``any`` requirement found a candidate that could hide an item."""

    dest_state: np.ndarray      # D_* deciding the verdict when no earlier rule applies
    newest: np.ndarray          # point in time recoverable in every required destination (ns)
    until: np.ndarray           # protected_until (ns), when covered
    until_expires: np.ndarray   # copy_expires_at (ns), when covered
    chosen: pd.DataFrame        # vol, dest: the destinations that make the volume covered


def combine(dest: Destinations, req: Requirements, m: int, *, any_gap: np.ndarray) -> VolumeOutcome:
    """Combine the destination states per volume: every required destination for explicit
    requirements (the worst decides), the best candidate for ``any``."""
    d = dest.frame
    is_any = np.zeros(m, dtype=bool)
    is_any[req.pairs.loc[req.pairs["dest"].to_numpy() == ANY, "vol"].to_numpy()] = True
    req_rows = d[d["required"].to_numpy()]
    state = np.full(m, D_FRESH, dtype=np.int64)
    np.maximum.at(state, req_rows["vol"].to_numpy(), req_rows["state"].to_numpy().astype(np.int64))
    newest = np.full(m, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(newest, req_rows["vol"].to_numpy(), req_rows["newest"].to_numpy())
    newest = np.where(newest == np.iinfo(np.int64).max, NAT, newest)
    until = np.full(m, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(until, req_rows["vol"].to_numpy(), req_rows["until"].to_numpy())
    until = np.where(until == np.iinfo(np.int64).max, NAT, until)
    expires = np.full(m, _NEVER, dtype=np.int64)
    exp = req_rows["until_expires"].to_numpy()
    np.minimum.at(expires, req_rows["vol"].to_numpy(), np.where(exp == NAT, _NEVER, exp))
    expires = np.where(expires == _NEVER, NAT, expires)
    chosen = [req_rows[["vol", "dest"]]]

    # `any`: the best candidate region (fresh; else unknown when one could hide an item; else least bad)
    cand = d[~d["required"].to_numpy()]
    best = np.full(m, D_MISSING, dtype=np.int64)
    np.minimum.at(best, cand["vol"].to_numpy(), cand["state"].to_numpy().astype(np.int64))
    covered_any = best == D_FRESH
    best = np.where(~covered_any & (any_gap | _has(cand, m, D_UNKNOWN)), D_UNKNOWN, best)
    fresh_cand = cand[cand["state"].to_numpy() == D_FRESH]
    pick = (fresh_cand.assign(order=np.where(fresh_cand["until_expires"].to_numpy() == NAT, _NEVER,
                                             fresh_cand["until_expires"].to_numpy()))
            .sort_values(["vol", "until", "order"], kind="stable").drop_duplicates("vol", keep="last"))
    any_newest = np.full(m, NAT, dtype=np.int64)
    np.maximum.at(any_newest, cand["vol"].to_numpy(), cand["newest"].to_numpy())
    any_until = np.full(m, NAT, dtype=np.int64)
    any_until[pick["vol"].to_numpy()] = pick["until"].to_numpy()
    any_expires = np.full(m, NAT, dtype=np.int64)
    any_expires[pick["vol"].to_numpy()] = pick["until_expires"].to_numpy()
    chosen.append(fresh_cand[["vol", "dest"]])
    return VolumeOutcome(
        dest_state=np.where(is_any, best, state), newest=np.where(is_any, any_newest, newest),
        until=np.where(is_any, any_until, until), until_expires=np.where(is_any, any_expires, expires),
        chosen=pd.concat(chosen, ignore_index=True))


def _has(frame: pd.DataFrame, m: int, state: int) -> np.ndarray:
    out = np.zeros(m, dtype=bool)
    out[frame.loc[frame["state"].to_numpy() == state, "vol"].to_numpy()] = True
    return out


def verdicts(outcome: VolumeOutcome, *, eligible: pd.Series, evidence: np.ndarray, home_gap: np.ndarray,
             any_backup: np.ndarray, policy_unknown: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return (coverage_status values, cause) per volume: the first rule that applies (module docstring).

    ``eligible`` is the image's copy eligibility (NA unknown), ``evidence`` an AVAILABLE copy proving
    it, ``home_gap`` the home region or compartment unread, ``any_backup`` an AVAILABLE root backup or
    item of any kind, ``policy_unknown`` a policy that could not be read.
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

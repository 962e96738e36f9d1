"""Reason and remediation per boot volume: the evidence behind its verdict and what to do about it.

Texts are composed only for the rows each rule decides (:func:`compose_text`), and pieces that
depend on a set of regions are spelled once per distinct set.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from reportkit.assessment._lookup import at, category_codes, compose_text, is_in, join_region_sets, region_bits
from reportkit.assessment.gaps import Gaps
from reportkit.assessment.volumes.verdict import D_FAILED, D_IN_PROGRESS, D_MISSING, D_STALE, D_UNKNOWN, Destinations
from reportkit.schema import CoverageStatus, RequirementSource

_WHAT = {"backup_copy": "copy", "group_backup_copy": "group backup copy", "replica": "replica"}


@dataclass(frozen=True)
class Wording:
    """What the texts need besides the volume table."""

    vocabulary: list[str]
    rpo_days: int
    gaps: Gaps
    paths: dict[str, str]  # compartment OCID -> path, for the compartments named in reasons


def explain(out: pd.DataFrame, cause: np.ndarray, dest: Destinations, is_any: np.ndarray,
            elig_reason: pd.Series, w: Wording) -> tuple[pd.Series, pd.Series]:
    """Return (reason, remediation) per volume of ``out`` (the assessed volumes so far)."""
    m = len(out)
    d = dest.frame
    required = d[d["required"].to_numpy()]
    vol, dests, states = required["vol"].to_numpy(), required["dest"].to_numpy(), required["state"].to_numpy()

    def state_mask(state: int) -> np.ndarray:
        mask = np.zeros(m, dtype=np.uint64)
        sel = states == state
        np.bitwise_or.at(mask, vol[sel], region_bits(dests[sel]))
        return mask

    masks = {s: state_mask(s) for s in (D_MISSING, D_FAILED, D_STALE, D_IN_PROGRESS, D_UNKNOWN)}

    def regions(state: int):
        """The regions in ``state`` of the rows a rule decides (texts built for those rows only)."""
        def spell(r: np.ndarray) -> pd.Series:
            return join_region_sets(masks[state][r], w.vocabulary).mask(pd.Series(is_any[r]), "any other region")
        return spell

    def extra(r: np.ndarray) -> pd.Series:
        """'; region X is still being subscribed' and the compartments that could hold a moved copy."""
        queued = np.zeros(m, dtype=np.uint64)
        sel = required["subscribing"].to_numpy()
        np.bitwise_or.at(queued, vol[sel], region_bits(dests[sel]))
        subscribing = _per_value(join_region_sets(queued[r], w.vocabulary).fillna(""),
                                 lambda t: f"; region {t} is still being subscribed" if t else "")
        where = np.where(is_any[r], _candidate_mask(out["region"].take(r), w.vocabulary),
                         masks[D_MISSING][r] | masks[D_STALE][r])
        return _join(subscribing, _other_gaps_text(where, w))

    def where(r: np.ndarray) -> pd.Series:
        covered = out["covered_regions"].take(r).astype("string").fillna("").reset_index(drop=True)
        named = _per_value(covered, lambda regions: f"any other region ({regions})")
        return out["required_regions"].take(r).astype("string").reset_index(drop=True).mask(pd.Series(is_any[r]), named)

    def what(r: np.ndarray) -> pd.Series:
        return _per_value(out["covered_by"].take(r).astype("string").fillna(""),
                          lambda kinds: " and ".join(_WHAT[k] for k in kinds.split(",") if k) or "copy")

    age = np.round(out["rpo_age_days"].to_numpy(dtype=float, na_value=np.nan), 1)
    rpo = str(w.rpo_days)
    status = out["coverage_status"].astype("string").to_numpy(object)
    replica = out["replica_regions"].astype("string")
    has_replica = replica.notna().to_numpy(bool)
    covered_where = out["covered_regions"].astype("string").fillna("no region")
    group = is_in(out["requirement_source"], [RequirementSource.GROUP_POLICY.value])
    missing, failed, stale, pending, unknown = (regions(s) for s in (D_MISSING, D_FAILED, D_STALE, D_IN_PROGRESS,
                                                                     D_UNKNOWN))
    copy_what = np.where(group, "volume group backup", "backup")
    rules = [
        (cause == "policy_unknown",
         lambda r: ["the backup policy of the volume or of a volume group that may hold it could not be read (see "
         "errors), so its required destination region is unknown; fresh items in: ", at(covered_where, r)],
         lambda r: "Fix the read error and collect again, or name the destination with copy_targets"),
        (cause == "covered",
         lambda r: ["fresh AVAILABLE ", what(r), " in ", where(r), " (data ", at(age, r), " days old, rpo ", rpo,
                    " days)"], lambda r: None),
        ((cause == "ineligible") & has_replica,
         lambda r: ["image cannot be copied (", at(elig_reason, r), "); a replica in ", at(replica, r),
                    " exists but does not cover it (not fresh, or replicas are not accepted)"],
         lambda r: "Fix the boot volume replica so that it syncs within the RPO; backups of this image cannot be "
         "copied"),
        (cause == "ineligible",
         lambda r: ["image cannot be copied (", at(elig_reason, r), ")"],
         lambda r: "Enable cross-region boot volume replication, or rebuild the instance from a platform image"),
        (cause == "image_unknown",
         lambda r: ["no AVAILABLE copy proves eligibility and ", at(elig_reason, r)],
         lambda r: "Add the image to data/image_overrides.csv if you know its origin, or re-collect"),
        (cause == "source_gap",
         lambda r: "the volume's region or compartment could not be fully read (see errors): backups may be "
         "missing from the inventory",
         lambda r: "Fix the collection error (permissions, throttling) and collect again"),
        (cause == "no_backup",
         lambda r: "no AVAILABLE backup of this volume, and no AVAILABLE copy or replica of it",
         lambda r: "Assign a backup policy with a cross-region destination_region, or take a backup and copy it"),
        (status == CoverageStatus.UNKNOWN.value,
         lambda r: ["a region or compartment that could hold a copy or replica could not be read, or an item there "
         "cannot be judged (see errors): ", unknown(r)],
         lambda r: "Fix the collection error in that region/compartment (see errors) and collect again"),
        (status == CoverageStatus.MISSING.value,
         lambda r: ["no AVAILABLE copy in required destination ", missing(r), extra(r)],
         lambda r: ["Copy the newest ", pd.Series(copy_what[r], dtype="string"), " to ", missing(r),
                    " (reportkit plan), or set destination_region on the backup policy"]),
        (status == CoverageStatus.FAILED.value,
         lambda r: ["latest copy attempt (or a replica) in ", failed(r), " is FAULTY"],
         lambda r: ["Investigate the FAULTY copy or replica and copy the newest ",
                    pd.Series(copy_what[r], dtype="string"), " to ", failed(r), " again"]),
        ((status == CoverageStatus.STALE.value) & np.isnan(age),
         lambda r: ["copies in ", stale(r), " exist but the age of their data cannot be proven within rpo ", rpo,
                    " days (an orphan copy: its chain breaks before its root backup)", extra(r)],
         lambda r: ["Copy a backup newer than ", rpo, " days to ", stale(r), "; check the policy schedule"]),
        (status == CoverageStatus.STALE.value,
         lambda r: ["newest copy or replica in ", stale(r), " holds data older than rpo ", rpo, " days (data ",
                    at(age, r), " days old)", extra(r)],
         lambda r: ["Copy a backup newer than ", rpo, " days to ", stale(r), "; check the policy schedule "
         "and the replicas' sync"]),
        (status == CoverageStatus.IN_PROGRESS.value,
         lambda r: ["a copy to ", pending(r), " is being made (REQUEST_RECEIVED/CREATING) or a replica is being "
         "provisioned; no fresh item there yet"],
         lambda r: "Wait for the copy to finish, then collect and assess again"),
    ]
    reason = compose_text([(cond, text) for cond, text, _ in rules], m)
    remedy = compose_text([(cond, fix) for cond, _, fix in rules], m)
    return reason, remedy


def _per_value(values: pd.Series, spell: object) -> pd.Series:
    """``spell(value)`` for each row, computed once per distinct value (text columns with few values)."""
    codes, uniques = pd.factorize(values.reset_index(drop=True))
    words = pd.array([spell(str(u)) for u in uniques] + [pd.NA], dtype="string")
    return pd.Series(words).take(np.where(codes < 0, len(uniques), codes)).reset_index(drop=True)


def _join(*parts: pd.Series) -> pd.Series:
    """Row-wise concatenation of text Series (NA as ''), in Arrow."""
    import pyarrow as pa
    import pyarrow.compute as pc

    arrays = [pa.array(p.fillna("").astype("string").array).cast(pa.large_string()) for p in parts]
    return pd.Series(pd.array(pc.binary_join_element_wise(*arrays, pa.scalar("", type=pa.large_string())),
                              dtype="string"))


def _candidate_mask(home: pd.Series, vocabulary: list[str]) -> np.ndarray:
    """All regions other than ``home``, as a bit mask (the gaps an ``any`` requirement is told about)."""
    everything = np.uint64((1 << len(vocabulary)) - 1) if len(vocabulary) < 64 else np.uint64(2**64 - 1)
    return everything & ~region_bits(category_codes(home.reset_index(drop=True), vocabulary))


def _other_gaps_text(masks: np.ndarray, w: Wording) -> pd.Series:
    """'; compartments A, B in R could not be read and could hold a moved copy' per row, for the
    compartment gaps in the regions of each row's mask (spelled once per distinct mask)."""
    pairs = w.gaps.pairs
    if not len(pairs):
        return pd.Series([""] * len(masks), dtype="string")
    distinct, inverse = np.unique(masks, return_inverse=True)
    spelled = []
    for mask in distinct.tolist():
        where: dict[str, list[str]] = {}
        for code, compartment in zip(pairs["region_code"], pairs["compartment_id"], strict=True):
            if (mask >> int(code)) & 1:
                where.setdefault(w.paths.get(str(compartment), str(compartment)), []).append(w.vocabulary[int(code)])
        parts = [f"{path} ({', '.join(sorted(regions))})" for path, regions in sorted(where.items())]
        noun = "compartment" if len(parts) == 1 else "compartments"
        spelled.append(f"; {noun} {', '.join(parts)} could not be read and could hold a moved copy" if parts else "")
    return pd.Series(pd.array(spelled, dtype="string")).take(inverse.ravel()).reset_index(drop=True)

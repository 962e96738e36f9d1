"""Coverage summaries (by region, compartment, image class, protection) and the copy matrix.

The headline (rule book §8) counts every volume in scope: unknown is NOT covered, so data that
could not be read can never raise it, and an ineligible volume is at risk unless another kind
covers it. Every summary has, per group:

- ``restorable_pct`` = covered / total x 100;
- ``restorable_upper_pct`` = (covered + unknown) / total x 100 (if every unknown were covered);
- ``copyable_coverage_pct`` = covered / (total - ineligible) x 100;

each empty when its denominator is 0; ineligible and unknown are always shown beside them.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from reportkit.compartments import CompartmentTree
from reportkit.schema import LAPSING_COVERAGE, PROTECTION_BY_KIND, CoverageStatus, ProtectionKind, Role

STATUSES = [s.value for s in CoverageStatus]
PCT_COLUMNS = ["restorable_pct", "restorable_upper_pct", "copyable_coverage_pct"]
SUMMARY_COLUMNS = ["total", *STATUSES, *PCT_COLUMNS]
LAPSE_DAYS = 7


def _pct(numerator, denominator):
    if isinstance(denominator, pd.Series):
        return (numerator / denominator.where(denominator > 0) * 100).astype("Float64")
    return None if denominator <= 0 else numerator / denominator * 100


def headline_pcts(covered: pd.Series | int, total: pd.Series | int, ineligible: pd.Series | int,
                  unknown: pd.Series | int) -> dict[str, object]:
    """Return {restorable_pct, restorable_upper_pct, copyable_coverage_pct} (module docstring); NA (None
    for scalars) where a denominator is 0."""
    return {"restorable_pct": _pct(covered, total), "restorable_upper_pct": _pct(covered + unknown, total),
            "copyable_coverage_pct": _pct(covered, total - ineligible)}


def _counts(volumes: pd.DataFrame, by: str) -> pd.DataFrame:
    status = pd.Categorical(volumes["coverage_status"].astype("string"), categories=STATUSES)
    key = volumes[by].astype("string").fillna("(none)")
    table = pd.crosstab(key, status, dropna=False).reindex(columns=STATUSES, fill_value=0)
    table.columns = list(STATUSES)
    table.index.name = by
    table.insert(0, "total", table.sum(axis=1))
    return table.astype("Int64")


def _finish(table: pd.DataFrame) -> pd.DataFrame:
    table = table.copy()
    for name, values in headline_pcts(table["covered"], table["total"], table["ineligible"],
                                      table["unknown"]).items():
        table[name] = values
    return table.reset_index()


def coverage_by_region(volumes: pd.DataFrame) -> pd.DataFrame:
    """Return one row per region: total, a count per coverage status, the three percentages."""
    return _finish(_counts(volumes, "region"))


def coverage_by_image_class(volumes: pd.DataFrame) -> pd.DataFrame:
    """Return one row per image class: total, a count per coverage status, the three percentages."""
    return _finish(_counts(volumes, "image_class"))


def coverage_by_protection(volumes: pd.DataFrame) -> pd.DataFrame:
    """Return one row per combination of protection kinds ('' = none): total, a count per coverage
    status, the three percentages."""
    return _finish(_counts(volumes.assign(protection=volumes["protection"].astype("string").replace("", "none")),
                           "protection"))


def protection_by_kind(volumes: pd.DataFrame, items: pd.DataFrame) -> pd.DataFrame:
    """Return schema.PROTECTION_BY_KIND: per kind, the volumes with an AVAILABLE item of it outside
    their home region, with a fresh one, the covered volumes it covers, and those it alone protects."""
    kinds = [k.value for k in ProtectionKind]
    protection = volumes["protection"].astype("string").fillna("")
    covered_by = volumes["covered_by"].astype("string").fillna("")
    away = items[items["away"].fillna(False).to_numpy(bool)]
    fresh = away[away["state"].astype("string").eq("fresh").to_numpy(bool)]
    accepted = away.groupby(away["kind"].astype("string"))["accepted"].any()
    rows = []
    for kind in kinds:
        has = protection.str.split(",").map(lambda ks, k=kind: k in ks)
        rows.append({
            "kind": kind,
            "accepted": bool(accepted.get(kind, kind in set(items.loc[items["accepted"].fillna(False).to_numpy(bool),
                                                                      "kind"].astype("string")))),
            "volumes_protected": int(has.sum()),
            "volumes_fresh": int(fresh.loc[fresh["kind"].astype("string").eq(kind).to_numpy(bool),
                                           "boot_volume_id"].nunique()),
            "volumes_covered_by": int(covered_by.str.split(",").map(lambda ks, k=kind: k in ks).sum()),
            "only_protection": int(protection.eq(kind).sum()),
        })
    return PROTECTION_BY_KIND.coerce(pd.DataFrame(rows))


def lapsing_coverage(volumes: pd.DataFrame, *, as_of: pd.Timestamp, days: int = LAPSE_DAYS) -> pd.DataFrame:
    """Return schema.LAPSING_COVERAGE (rule book §10): covered volumes whose protection lapses within
    ``days`` with nothing scheduled to renew it: protected_until <= as_of + days AND (no policy copies
    its backups, OR the covering copy expires before its data would age out). Soonest first."""
    covered = volumes["coverage_status"].astype("string").eq(CoverageStatus.COVERED.value).to_numpy(bool)
    until = volumes["protected_until"]
    expires = volumes["copy_expires_at"]
    soon = (until <= as_of + pd.Timedelta(days=days)).fillna(False).to_numpy(bool)
    manual = ~volumes["copies_scheduled"].fillna(False).to_numpy(bool)
    # the expiry binds when the covering item disappears before its data would age out (protected_until
    # is the earlier of the two, so it equals the expiry then)
    expiring = (expires <= until).fillna(False).to_numpy(bool)
    sel = volumes[covered & soon & (manual | expiring)]
    reason = np.where(expiring[covered & soon & (manual | expiring)],
                      "covering copy expires " + sel["copy_expires_at"].dt.strftime("%Y-%m-%d").fillna("").to_numpy(
                          object),
                      "manual copies: nothing scheduled")
    out = sel.assign(lapse_reason=reason)[LAPSING_COVERAGE.column_names]
    return LAPSING_COVERAGE.coerce(out.sort_values(["protected_until", "boot_volume_id"], kind="stable"))


def coverage_by_compartment(volumes: pd.DataFrame, compartments: pd.DataFrame, *, rollup: bool = True) -> pd.DataFrame:
    """Return one row per compartment: compartment_id, path, depth, total, counts, restorable_pct.

    With ``rollup`` each compartment also counts the volumes of all its sub-compartments (the
    root then counts every volume). Every compartment has a row (zeros when empty); volumes in a
    compartment missing from ``compartments`` are shown under its OCID with an empty path.
    """
    own = _counts(volumes, "compartment_id")
    comps = compartments[["compartment_id", "parent_compartment_id", "path", "depth"]].drop_duplicates(
        "compartment_id")
    if rollup and len(comps):
        pairs = CompartmentTree.from_frame(compartments.drop_duplicates("compartment_id")).rollup_pairs()
        unlisted = own.index[~own.index.isin(comps["compartment_id"])]
        pairs = pd.concat([pairs, pd.DataFrame({"compartment_id": unlisted, "ancestor": unlisted})],
                          ignore_index=True).drop_duplicates()
        joined = pairs.merge(own, left_on="compartment_id", right_index=True)
        table = joined.drop(columns="compartment_id").groupby("ancestor").sum()
        table.index.name = "compartment_id"
    else:
        table = own
    # every compartment gets a row, even with no volume (a manager looks for their compartment)
    everything = pd.Index(comps["compartment_id"]).append(own.index).unique()
    table = table.reindex(everything, fill_value=0)
    table.index.name = "compartment_id"
    table = _finish(table.astype("Int64"))
    table = table.merge(comps[["compartment_id", "path", "depth"]], on="compartment_id", how="left")
    table = table[["compartment_id", "path", "depth", *SUMMARY_COLUMNS]]
    return table.sort_values(["path", "compartment_id"], na_position="last").reset_index(drop=True)


def copy_matrix(backups: pd.DataFrame) -> pd.DataFrame:
    """Return AVAILABLE cross-region copies counted by immediate source region (rows) and destination
    (columns)."""
    sel = backups[(backups["role"] == Role.COPY.value).to_numpy(bool)
                  & (backups["lifecycle_state"] == "AVAILABLE").to_numpy(bool)
                  & backups["source_region"].notna().to_numpy(bool)]
    sel = sel[(sel["source_region"].astype("string") != sel["region"].astype("string")).to_numpy(bool)]
    matrix = pd.crosstab(sel["source_region"].astype("string").rename("source_region"),
                         sel["region"].astype("string").rename("destination_region"))
    return matrix.astype(np.int64)

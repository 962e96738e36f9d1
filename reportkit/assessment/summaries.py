"""Coverage summaries (by region, compartment, image class, protection) and the copy matrix.

Every summary shows ineligible and unknown beside coverage_pct, never hides them:
coverage_pct = covered / (total - ineligible - unknown) * 100, empty when that is zero.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from reportkit.compartments import CompartmentTree
from reportkit.schema import CoverageStatus, Role

STATUSES = [s.value for s in CoverageStatus]
SUMMARY_COLUMNS = ["total", *STATUSES, "coverage_pct"]


def coverage_pct(covered: pd.Series | int, total: pd.Series | int, ineligible: pd.Series | int,
                 unknown: pd.Series | int):
    """covered / (total - ineligible - unknown) * 100; NA (or None for scalars) when the denominator is 0."""
    denominator = total - ineligible - unknown
    if isinstance(denominator, pd.Series):
        return (covered / denominator.where(denominator > 0) * 100).astype("Float64")
    return None if denominator <= 0 else covered / denominator * 100


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
    table["coverage_pct"] = coverage_pct(table["covered"], table["total"], table["ineligible"], table["unknown"])
    return table.reset_index()


def coverage_by_region(volumes: pd.DataFrame) -> pd.DataFrame:
    """Return one row per region: total, a count per coverage status, coverage_pct."""
    return _finish(_counts(volumes, "region"))


def coverage_by_image_class(volumes: pd.DataFrame) -> pd.DataFrame:
    """Return one row per image class: total, a count per coverage status, coverage_pct."""
    return _finish(_counts(volumes, "image_class"))


def coverage_by_protection(volumes: pd.DataFrame) -> pd.DataFrame:
    """Return one row per protection kind: total, a count per coverage status, coverage_pct."""
    return _finish(_counts(volumes, "protection"))


def coverage_by_compartment(volumes: pd.DataFrame, compartments: pd.DataFrame, *, rollup: bool = True) -> pd.DataFrame:
    """Return one row per compartment: compartment_id, path, depth, total, counts, coverage_pct.

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
    """Return AVAILABLE cross-region copies counted by source region (rows) and destination (columns)."""
    sel = backups[(backups["role"] == Role.COPY.value).to_numpy(bool)
                  & (backups["lifecycle_state"] == "AVAILABLE").to_numpy(bool)
                  & backups["source_region"].notna().to_numpy(bool)]
    sel = sel[(sel["source_region"].astype("string") != sel["region"].astype("string")).to_numpy(bool)]
    matrix = pd.crosstab(sel["source_region"].astype("string").rename("source_region"),
                         sel["region"].astype("string").rename("destination_region"))
    return matrix.astype(np.int64)

"""Collection gaps: the regions and compartments whose contents we could not fully read.

A gap turns a verdict that depends on those contents into ``unknown``: data we could not read
is never shown as covered, and never as missing either.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from reportkit.assessment._lookup import positions

# Failures that cannot hide a boot volume, a backup or a copy (IAM statements are read for the
# IAM checks only). Everything else with a region and no resource id is a listing gap.
IRRELEVANT_OPERATIONS = frozenset({"ListPolicies", "GetPolicy", "ListTagNamespaces"})


@dataclass(frozen=True)
class Gaps:
    """Where reading failed, as region codes over the assessment's region vocabulary."""

    whole_regions: np.ndarray        # bool per region code: the whole region is unread
    pairs: pd.DataFrame              # region_code (int), compartment_id (str): one compartment unread
    table: pd.DataFrame              # region, compartment_id ('' = whole region), operation, code

    def any(self) -> bool:
        """True when anything could not be read."""
        return bool(self.whole_regions.any()) or len(self.pairs) > 0

    def any_region_gap(self) -> np.ndarray:
        """A bool per region code: the region, or some compartment of it, could not be read."""
        out = self.whole_regions.copy()
        out[self.pairs["region_code"].to_numpy(np.int64)] = True
        return out

    def compartment_gap(self, region_code: np.ndarray, compartment_id: pd.Series) -> np.ndarray:
        """A bool per row: compartment ``compartment_id`` could not be read in region ``region_code``
        (code -1: in some region)."""
        out = np.zeros(len(region_code), dtype=bool)
        if not len(self.pairs) or not len(region_code):
            return out
        rows = pd.DataFrame({"row": np.arange(len(region_code)), "code": region_code,
                             "compartment_id": compartment_id.astype("string").to_numpy(object)})
        hits = rows.merge(self.pairs.astype({"compartment_id": object}), on="compartment_id")
        hits = hits[(hits["code"] == -1) | (hits["code"] == hits["region_code"])]
        out[hits["row"].to_numpy(np.int64)] = True
        return out


def subscribing_regions(regions: pd.DataFrame) -> set[str]:
    """Return the regions whose subscription is still IN_PROGRESS: they hold nothing yet, so they are
    never a gap and never a destination candidate (rule book §5)."""
    status = regions["status"].astype("string").fillna("").str.strip().str.upper()
    return set(regions.loc[status.eq("IN_PROGRESS").to_numpy(bool), "region"].dropna().astype(str))


def find_gaps(errors: pd.DataFrame, regions: pd.DataFrame, vocabulary: list[str]) -> Gaps:
    """Return the gaps from the inventory ``errors`` and the ``regions`` not collected.

    A row of ``errors`` counts when it names a region, no single resource (look-ups of one image
    are reflected in ``images.lookup_status`` instead) and an operation that can hide backups or
    volumes. An empty compartment_id means the whole region failed. A region we need but did not
    read is a whole-region gap, unless its subscription is still IN_PROGRESS (it holds nothing).
    """
    err = errors.copy()
    region = err["region"].astype("string").fillna("").str.strip()
    resource = err["resource_id"].astype("string").fillna("").str.strip()
    operation = err["operation"].astype("string").fillna("")
    subscribing = subscribing_regions(regions)
    relevant = (region.ne("") & resource.eq("") & ~operation.isin(sorted(IRRELEVANT_OPERATIONS))
                & ~region.isin(sorted(subscribing)))
    table = pd.DataFrame({
        "region": region[relevant],
        "compartment_id": err.loc[relevant, "compartment_id"].astype("string").fillna("").str.strip(),
        "operation": operation[relevant],
        "code": err.loc[relevant, "code"].astype("string"),
    })
    # A region we need (it holds data, or is a destination) but did not read is a whole-region gap.
    read = set(regions.loc[regions["collected"].fillna(False).astype(bool), "region"].astype(str))
    uncollected = [name for name in vocabulary if name not in read and name not in subscribing]
    if uncollected:
        table = pd.concat([table, pd.DataFrame({
            "region": pd.Series(uncollected, dtype="string"), "compartment_id": "",
            "operation": "(region not collected)", "code": pd.NA}).astype({"compartment_id": "string",
                                                                            "operation": "string",
                                                                            "code": "string"})],
            ignore_index=True)
    table = table.drop_duplicates(["region", "compartment_id", "operation"]).sort_values(
        ["region", "compartment_id", "operation"]).reset_index(drop=True)
    codes = positions(table["region"], vocabulary)
    whole = np.zeros(len(vocabulary), dtype=bool)
    whole_mask = table["compartment_id"].eq("").to_numpy(bool) & (codes >= 0)
    whole[codes[whole_mask]] = True
    pairs = pd.DataFrame({"region_code": codes, "compartment_id": table["compartment_id"]})
    pairs = pairs[~table["compartment_id"].eq("").to_numpy(bool) & (codes >= 0)].drop_duplicates()
    return Gaps(whole_regions=whole, pairs=pairs.reset_index(drop=True), table=table)


def unreadable_policy_assets(errors: pd.DataFrame, assignments: pd.DataFrame, policies: pd.DataFrame) -> set[str]:
    """Return the boot volumes and volume groups whose backup policy could not be read.

    That is, the asset's GetVolumeBackupPolicyAssetAssignment failed (an errors row naming it), or
    it is assigned a policy missing from ``policies`` (its GetVolumeBackupPolicy failed). Such an
    asset's required destination region is unknown: the policy may name one (rule book §5).
    """
    operation = errors["operation"].astype("string")
    failed_lookup = errors.loc[operation.eq("GetVolumeBackupPolicyAssetAssignment").fillna(False).to_numpy(bool),
                               "resource_id"].dropna()
    dangling = assignments.loc[~assignments["policy_id"].isin(policies["policy_id"]).to_numpy(bool)
                               & assignments["policy_id"].notna().to_numpy(bool), "asset_id"].dropna()
    return set(failed_lookup.astype(str)) | set(dangling.astype(str))

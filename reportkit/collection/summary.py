"""Pure: a one-screen, per-region summary of an :class:`~reportkit.inventory.Inventory`."""
from __future__ import annotations

import pandas as pd

from reportkit.inventory import Inventory


def collection_summary(inv: Inventory) -> pd.DataFrame:
    """Return one row per subscribed region: collected?, backups, boot_volumes, errors (Int64).

    Errors without a region (tenancy-wide) are counted on a last row named ``(tenancy)``.
    """
    regions = inv.regions[["region", "collected"]].astype({"region": "string"})
    counts = {
        "backups": inv.backups["region"].astype("string").value_counts(),
        "boot_volumes": inv.boot_volumes["region"].astype("string").value_counts(),
        "errors": inv.errors["region"].astype("string").fillna("(tenancy)").value_counts(),
    }
    out = regions.set_index("region")
    if (counts["errors"].index == "(tenancy)").any():
        out.loc["(tenancy)", "collected"] = pd.NA
    for name, series in counts.items():
        out[name] = series.reindex(out.index).fillna(0).astype("Int64")
    return out.reset_index()

"""Sections of the explore report: filter the volumes, then one boot volume's backups and copies."""
from __future__ import annotations

from typing import Any

import pandas as pd
from pandas.io.formats.style import Styler

from reportkit.compartments import subtree_mask
from reportkit.report.palette import STATUS_LABELS
from reportkit.report.views.blocks import Html, _e, _format_value, callout, table
from reportkit.schema import CoverageStatus


def filter_volumes(volumes: pd.DataFrame, *, region: str | None = None, compartment: str | None = None,
                   image_class: str | None = None, status: str | None = None) -> pd.DataFrame:
    """Return the volumes matching every given filter (compartment matches a path prefix)."""
    mask = pd.Series(True, index=volumes.index)
    if region:
        mask &= volumes["region"].astype(str) == region
    if compartment:
        mask &= subtree_mask(volumes["compartment_path"], compartment)
    if image_class:
        mask &= volumes["image_class"].astype(str) == image_class
    if status:
        mask &= volumes["coverage_status"].astype(str) == status
    return volumes[mask].reset_index(drop=True)


def filter_summary(selected: pd.DataFrame, volumes: pd.DataFrame, **filters: Any) -> Html:
    """Return a sentence: how many volumes match which filters, and their statuses."""
    given = ", ".join(f"{k.replace('_', ' ')} = {v}" for k, v in filters.items() if v) or "no filter"
    counts = selected["coverage_status"].astype(str).value_counts()
    parts = ", ".join(f"{STATUS_LABELS[s]}: {int(counts[s.value])}" for s in CoverageStatus if counts.get(s.value))
    return Html(f'<p data-kpi="filtered_volumes" data-value="{len(selected)}">{_e(len(selected))} of '
                f"{_e(len(volumes))} boot volumes match ({_e(given)}). {_e(parts)}</p>")


def first_volume_id(volumes: pd.DataFrame) -> str | None:
    """Return the OCID of the first volume of ``volumes`` (None when empty)."""
    return None if volumes.empty else str(volumes["boot_volume_id"].iloc[0])


def volume_card(volumes: pd.DataFrame, boot_volume_id: str | None) -> Html | Styler:
    """Return one volume's verdict as a two-column table, or a note when it is not in the snapshot."""
    if not boot_volume_id:
        return callout("No boot volume matches the filters.")
    row = volumes[volumes["boot_volume_id"].astype(str) == boot_volume_id]
    if row.empty:
        return callout(f"Boot volume {boot_volume_id} is not in this snapshot.")
    record = row.iloc[0]
    frame = pd.DataFrame({"field": list(record.index), "value": [_format_value(v) for v in record.to_numpy()]})
    return table(frame, top_n=None)


def volume_history(backups: pd.DataFrame, boot_volume_id: str | None, *, top_n: int = 50) -> Styler | Html:
    """Return every backup of a volume and every copy of them, newest first."""
    if not boot_volume_id:
        return callout("No boot volume selected.")
    own = backups["boot_volume_id"].astype(str) == boot_volume_id
    ids = set(backups.loc[own, "backup_id"].astype(str))
    copies = backups["source_boot_volume_backup_id"].astype(str).isin(ids)
    data = backups[own | copies].sort_values("time_created", ascending=False)
    cols = ["time_created", "role", "region", "display_name", "lifecycle_state", "backup_type", "source_type",
            "copy_status", "copy_regions", "newest_copy_age_days", "kms_key_id", "backup_id"]
    return table(data[[c for c in cols if c in data.columns]], top_n=top_n,
                 caption=f"{int(own.sum())} backups of the volume and {int((copies & ~own).sum())} copies.")

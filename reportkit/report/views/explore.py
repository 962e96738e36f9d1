"""Sections of the explore report, and the analyst's filters: narrow the volumes, then one volume's history.

:func:`filter_volumes` forgives what the CLI forgives (region keys such as ``lhr``, any case, one
value or a list) and refuses what would silently match nothing (a misspelt status, image class,
region or column), with an error listing the valid values.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from enum import StrEnum
from typing import Any

import numpy as np
import pandas as pd
from pandas.io.formats.style import Styler

from reportkit.compartments import subtree_mask
from reportkit.errors import InputError
from reportkit.regions import lookup_region, region_key
from reportkit.report.palette import STATUS_LABELS
from reportkit.report.views.blocks import Html, _e, _format_value, callout, table
from reportkit.schema import CoverageStatus, ImageClass

Values = str | Iterable[str] | None


def filter_volumes(volumes: pd.DataFrame, *, region: Values = None, compartment: Values = None,
                   image_class: Values = None, status: Values = None, columns: Sequence[str] | None = None,
                   regions: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return the volumes matching every given filter, index reset (only ``columns`` when given).

    Each filter takes one value or a list (a volume matches when it matches any of them):
    ``region`` a name or key in any case (``uk-london-1``, ``LHR``, ``lhr``; the snapshot's
    ``regions`` table resolves keys OCI's SDK may not know), ``compartment`` a path prefix
    (``Prod`` matches ``Prod/App``), ``image_class`` and ``status`` values of
    :class:`~reportkit.schema.ImageClass` and :class:`~reportkit.schema.CoverageStatus`
    (``"no backup"`` is ``no_backup``). Raises InputError listing the valid values for a status,
    image class, region or column that does not exist.
    """
    mask = np.ones(len(volumes), dtype=bool)
    if region is not None:
        wanted = [_region_name(r, volumes, regions) for r in _values(region, "region")]
        mask &= volumes["region"].astype("string").isin(wanted).fillna(False).to_numpy(bool)
    if compartment is not None:
        paths = volumes["compartment_path"]
        mask &= np.logical_or.reduce([subtree_mask(paths, c) for c in _values(compartment, "compartment")])
    if image_class is not None:
        mask &= _isin(volumes["image_class"], _enum_values(image_class, ImageClass, "image_class"))
    if status is not None:
        mask &= _isin(volumes["coverage_status"], _enum_values(status, CoverageStatus, "status"))
    selected = volumes[mask]
    if columns is not None:
        selected = selected[_columns(columns, volumes)]
    return selected.reset_index(drop=True)


def _values(value: Values, what: str) -> list[str]:
    """One value or a list of them as a list of stripped strings (InputError for anything else)."""
    items = [value] if isinstance(value, str) else list(value) if isinstance(value, Iterable) else [value]
    if not items or not all(isinstance(v, str) and v.strip() for v in items):
        raise InputError(f"{what} must be a non-empty text or a list of them, got {value!r}")
    return [v.strip() for v in items]


def _isin(column: pd.Series, wanted: list[str]) -> np.ndarray:
    return column.astype("string").isin(wanted).fillna(False).to_numpy(bool)


def _enum_values(value: Values, enum: type[StrEnum], what: str) -> list[str]:
    valid = [member.value for member in enum]
    out = []
    for item in _values(value, what):
        text = item.lower().replace(" ", "_").replace("-", "_")
        if text not in valid:
            raise InputError(f"{what} {item!r} is not one of: {', '.join(valid)}")
        out.append(text)
    return out


def _region_name(text: str, volumes: pd.DataFrame, regions: pd.DataFrame | None) -> str:
    known = set(volumes["region"].dropna().astype(str))
    keys: dict[str, str] = {}
    if regions is not None and len(regions):
        known |= set(regions["region"].dropna().astype(str))
        keys = {str(k): str(r) for k, r in zip(regions["region_key"], regions["region"], strict=True)
                if pd.notna(k) and pd.notna(r)}
    name = lookup_region(text, keys)
    if name in known or (not known and region_key(name) is not None):
        return name
    raise InputError(f"region {text!r} is not a region of this snapshot; give a name or key of: "
                     f"{', '.join(sorted(known)) or 'none'}")


def _columns(columns: Sequence[str], volumes: pd.DataFrame) -> list[str]:
    wanted = [columns] if isinstance(columns, str) else list(columns)
    unknown = [c for c in wanted if c not in volumes.columns]
    if unknown:
        raise InputError(f"no column {', '.join(map(repr, unknown))}; the columns are: {', '.join(volumes.columns)}")
    return wanted


def filter_summary(selected: pd.DataFrame, volumes: pd.DataFrame, **filters: Any) -> Html:
    """Return a sentence: how many volumes match which filters, and their statuses."""
    given = ", ".join(f"{k.replace('_', ' ')} = {v if isinstance(v, str) else ' or '.join(map(str, v))}"
                      for k, v in filters.items() if v) or "no filter"
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

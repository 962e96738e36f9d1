"""The result of a collection run: one DataFrame per declared table plus the run's metadata.

``Inventory`` is what ``reportkit.collect`` returns, what a snapshot stores and loads, and what
``reportkit.assess`` reads. It holds plain DataFrames, validated against ``reportkit.schema``.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import pandas as pd

from reportkit.schema import INVENTORY_TABLES


@dataclass(frozen=True)
class CollectionMetadata:
    """Who and what was collected, when, and with which parameters (stored in the manifest)."""

    tenancy_id: str
    tenancy_name: str
    home_region: str
    started_at: pd.Timestamp
    finished_at: pd.Timestamp
    reportkit_version: str
    parameters: dict[str, Any] = field(default_factory=dict)
    # regions read in this run (names); a subscribed region not listed here was not collected
    regions: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out["started_at"] = self.started_at.isoformat()
        out["finished_at"] = self.finished_at.isoformat()
        out["parameters"] = dict(self.parameters)
        out["regions"] = list(self.regions)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CollectionMetadata:
        values = dict(data)
        values["started_at"] = pd.Timestamp(values["started_at"]).tz_convert("UTC")
        values["finished_at"] = pd.Timestamp(values["finished_at"]).tz_convert("UTC")
        return cls(**{f.name: values[f.name] for f in fields(cls) if f.name in values})


@dataclass(frozen=True)
class Inventory:
    """Everything collected from one tenancy in one run.

    Every table attribute is a DataFrame with exactly the columns declared in
    ``reportkit.schema.INVENTORY_TABLES`` (the constructor coerces and validates).
    """

    metadata: CollectionMetadata
    backups: pd.DataFrame
    boot_volumes: pd.DataFrame
    images: pd.DataFrame
    backup_policies: pd.DataFrame
    policy_assignments: pd.DataFrame
    compartments: pd.DataFrame
    regions: pd.DataFrame
    iam_policies: pd.DataFrame
    errors: pd.DataFrame
    volume_groups: pd.DataFrame
    volume_group_members: pd.DataFrame
    volume_group_backups: pd.DataFrame
    volume_group_backup_members: pd.DataFrame
    boot_volume_replicas: pd.DataFrame
    volume_group_replicas: pd.DataFrame

    def __post_init__(self) -> None:
        for name, table in INVENTORY_TABLES.items():
            frame = getattr(self, name)
            if not _matches(frame, table):
                frame = table.coerce(frame)
            object.__setattr__(self, name, table.validate(frame))

    @classmethod
    def from_tables(cls, metadata: CollectionMetadata, **tables: pd.DataFrame) -> Inventory:
        """Build an inventory; tables not given are empty (useful for hand-built test inventories)."""
        unknown = set(tables) - set(INVENTORY_TABLES)
        if unknown:
            raise TypeError(f"unknown inventory tables: {sorted(unknown)}")
        frames = {name: tables.get(name, table.empty()) for name, table in INVENTORY_TABLES.items()}
        return cls(metadata=metadata, **frames)

    def tables(self) -> dict[str, pd.DataFrame]:
        """Return every table by name, in declaration order."""
        return {name: getattr(self, name) for name in INVENTORY_TABLES}

    def save(self, root: str | Path | None = None) -> Path:
        """Write this inventory as a new snapshot folder under ``root`` (default: the settings' snapshot
        root, see :mod:`reportkit.settings`); return its path."""
        from reportkit.snapshot import save_snapshot

        return save_snapshot(self, root)

    def __repr__(self) -> str:
        counts = ", ".join(f"{name}={len(df)}" for name, df in self.tables().items())
        return f"Inventory(tenancy={self.metadata.tenancy_name!r}, {counts})"

    def _repr_html_(self) -> str:  # the display code lives in reportkit.report.views.display
        from reportkit.report.views.display import inventory_html

        return inventory_html(self)


def _matches(frame: pd.DataFrame, table) -> bool:
    try:
        table.validate(frame)
    except Exception:  # noqa: BLE001 - any mismatch means "coerce it"
        return False
    return True

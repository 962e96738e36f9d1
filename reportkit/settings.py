"""Where reportkit reads and writes by default (every ``data/...`` path), resolved when a command runs.

Nothing here is read at import time: :meth:`Settings.from_environment` looks at the environment
and the file system when it is called, so a test, a notebook kernel or a scheduler can change
``REPORTKIT_DATA`` / ``REPORTKIT_SNAPSHOTS`` and the next call sees it.

- ``REPORTKIT_DATA``: the data folder (default ``data``, relative to the working directory);
  snapshots, assessments, reports and plans go below it, and the image overrides file is
  ``<data>/image_overrides.csv``;
- ``REPORTKIT_SNAPSHOTS``: the snapshot root alone (default ``<data>/snapshots``).
"""
from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

DATA_ENV = "REPORTKIT_DATA"
SNAPSHOTS_ENV = "REPORTKIT_SNAPSHOTS"
OVERRIDES_FILE = "image_overrides.csv"


@dataclass(frozen=True)
class Settings:
    """Default folders and files of one run.

    ``overrides`` is the image overrides CSV every assessment applies (None: no overrides). By
    default it is ``<data>/image_overrides.csv`` when that file exists; a file set explicitly
    must exist (:meth:`image_overrides` raises InputError otherwise).
    """

    data: Path = Path("data")
    snapshots: Path = Path("data/snapshots")
    assessments: Path = Path("data/assessments")
    reports: Path = Path("data/reports")
    plans: Path = Path("data/plans")
    overrides: Path | None = None

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Return the settings the environment (default ``os.environ``) and the working directory give now."""
        env = os.environ if environ is None else environ
        data = Path(env.get(DATA_ENV) or "data")
        overrides = data / OVERRIDES_FILE
        return cls(data=data, snapshots=Path(env.get(SNAPSHOTS_ENV) or data / "snapshots"),
                   assessments=data / "assessments", reports=data / "reports", plans=data / "plans",
                   overrides=overrides if overrides.is_file() else None)

    def replace(self, **changes: object) -> Settings:
        """Return a copy with ``changes`` applied; None values are ignored (handy for optional CLI flags)."""
        return dataclasses.replace(self, **{k: (Path(v) if isinstance(v, (str, os.PathLike)) else v)
                                            for k, v in changes.items() if v is not None})

    def with_overrides(self, value: str | os.PathLike[str] | None) -> Settings:
        """Return a copy whose overrides file is ``value``: None keeps the current one, ``"none"`` (or
        ``""``) means no overrides at all, anything else is a path (it must exist when used)."""
        if value is None:
            return self
        text = str(value).strip()
        return dataclasses.replace(self, overrides=None if text.lower() in ("", "none") else Path(text))

    def image_overrides(self) -> pd.DataFrame | None:
        """Return the validated overrides table of :attr:`overrides`, or None when there is none.

        Raises InputError naming the file when it is missing or breaks a rule.
        """
        if self.overrides is None:
            return None
        from reportkit.assessment.images import load_image_overrides

        return load_image_overrides(self.overrides)


def current(settings: Settings | None = None) -> Settings:
    """Return ``settings``, or the settings of the environment right now when it is None."""
    return Settings.from_environment() if settings is None else settings

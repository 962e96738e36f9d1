"""The recipes every entry point shares: one snapshot and one Settings give one verdict everywhere.

The CLI (``assess``, ``plan``, ``report``), the report notebooks, the monthly history and the demo
all go through these functions, so the same snapshot is always judged with the same image
overrides (``<data>/image_overrides.csv`` when it exists, or the settings' file) and the same
parameters::

    snapshot --load--> Inventory --assess(+ overrides)--> Assessment --> export | report | make_plan
"""
from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from reportkit.assessment import Assessment, assess, export_assessment
from reportkit.assessment.monthly import MonthlyHistory, build_monthly
from reportkit.errors import InputError
from reportkit.inventory import Inventory
from reportkit.report.parameters import check_as_of
from reportkit.settings import Settings
from reportkit.settings import current as current_settings
from reportkit.snapshot import load_snapshot, manifest_sha256, month_end_snapshots, resolve_snapshot, snapshot_place

CopyTargets = Mapping[str, str | Sequence[str]]


@dataclass(frozen=True)
class AssessedSnapshot:
    """One snapshot folder, the inventory it holds and its assessment."""

    path: Path
    inventory: Inventory
    assessment: Assessment


@dataclass(frozen=True)
class PlannedSnapshot:
    """An assessed snapshot and the copy plan that closes its gaps; ``iam_checked`` says whether the
    plan's copies were checked against the snapshot's IAM policies."""

    assessed: AssessedSnapshot
    plan: Any  # reportkit.plan.CopyPlan
    iam_checked: bool


def settings(image_overrides: str | os.PathLike[str] | None = None) -> Settings:
    """Return the settings of the environment now, with ``image_overrides`` when given (``"none"``: no
    overrides at all). What a notebook's ``image_overrides`` parameter turns into."""
    return current_settings().with_overrides(image_overrides)


def assess_snapshot(snapshot: str | os.PathLike[str] = "latest", settings: Settings | None = None, *,
                    rpo_days: object = 7, as_of: pd.Timestamp | str | None = None,
                    copy_targets: CopyTargets | None = None, accept: Iterable[str] | str | None = None,
                    tenancy: str | None = None) -> AssessedSnapshot:
    """Load ``snapshot`` (a folder, a root, or ``"latest"`` under the settings' snapshot root) and assess
    it with the settings' image overrides; return the :class:`AssessedSnapshot`.

    The overrides file used is recorded in ``assessment.parameters["image_overrides_file"]``.
    Raises SnapshotError / InputError naming what is wrong.
    """
    s = current_settings(settings)
    root = Path(snapshot) if str(snapshot) != "latest" else s.snapshots
    path = resolve_snapshot(root, tenancy=tenancy)
    if as_of is not None:  # refused in one line before anything is loaded (also far past or future times)
        as_of = check_as_of(as_of.isoformat() if isinstance(as_of, pd.Timestamp) else as_of)
    inventory = load_snapshot(path)
    result = assess(inventory, rpo_days=rpo_days, as_of=as_of, copy_targets=copy_targets, accept=accept,
                    image_overrides=s.image_overrides())
    parameters = {**result.parameters, "image_overrides_file": _recorded(s.overrides)}
    return AssessedSnapshot(path, inventory, dataclasses.replace(result, parameters=parameters))


def export(assessed: AssessedSnapshot, out_dir: str | os.PathLike[str] | None = None,
           settings: Settings | None = None) -> dict[str, Path]:
    """Write the assessment's CSV files and summary.json (see :func:`export_assessment`).

    Default folder: ``<assessments>/tenancy=<t>/date=<d>/<run>`` after the snapshot's own place, so
    exports of many snapshots sit side by side. Returns {file name: path written}.
    """
    if out_dir is None:
        out_dir = current_settings(settings).assessments / snapshot_place(assessed.path)
    return export_assessment(assessed.assessment, out_dir)


def plan_from_snapshot(snapshot: str | os.PathLike[str] = "latest", settings: Settings | None = None, *,
                       rpo_days: object = 7, as_of: pd.Timestamp | str | None = None, copy_targets: CopyTargets | None = None,
                       accept: Iterable[str] | str | None = None,
                       kms_key_map: Mapping[str, str] | None = None, allow_encryption_downgrade: bool = False,
                       group: str | None = None) -> PlannedSnapshot:
    """Assess ``snapshot`` (:func:`assess_snapshot`) and plan the copies that close its gaps.

    ``as_of`` is the instant judged (default: when the snapshot was collected), as in
    :func:`assess_snapshot`. With ``group``, copies the snapshot's IAM policies do not allow that
    group are blocked up front (when the snapshot holds no IAM policy, ``iam_checked`` is False).
    """
    from reportkit.plan import iam_check_for_group, make_plan

    assessed = assess_snapshot(snapshot, settings, rpo_days=rpo_days, as_of=as_of, copy_targets=copy_targets,
                               accept=accept)
    iam = iam_check_for_group(assessed.inventory, group) if group else None
    plan = make_plan(assessed.assessment, kms_key_map=kms_key_map,
                     allow_encryption_downgrade=allow_encryption_downgrade, iam_verdicts=iam, group=group)
    return PlannedSnapshot(assessed, plan, iam_checked=iam is not None)


def monthly(settings: Settings | None = None, *, history: str | os.PathLike[str] | None = None,
            month: str | None = None, tenancy: str | None = None, months: int = 12, rpo_days: object = 7,
            copy_targets: CopyTargets | None = None, accept: Iterable[str] | str | None = None,
            as_of: pd.Timestamp | str | None = None) -> MonthlyHistory:
    """Return the monthly picture: month-end snapshots, coverage trend, controls and finding changes.

    ``history`` is the snapshots folder (default: the settings' root). Each month-end snapshot is
    assessed by :func:`assess_snapshot` (same overrides, ``rpo_days`` and ``copy_targets``) as of
    its own collection time, except the report month's, judged as of ``as_of`` when given.
    Raises InputError when ``month`` has no snapshot.
    """
    s = current_settings(settings)
    root = Path(history) if history is not None else s.snapshots
    month, _ = report_month(root, month=month, tenancy=tenancy)
    # one month more than shown: the first shown month needs its predecessor for the changes
    snaps = month_end_snapshots(root, month=month, months=months + 1, tenancy=tenancy)
    snaps = snaps.assign(manifest_sha256=[manifest_sha256(p) for p in snaps["path"]])
    assessments = {snap.month: assess_snapshot(snap.path, s, rpo_days=rpo_days, copy_targets=copy_targets,
                                               accept=accept, as_of=as_of if snap.month == month else None).assessment
                   for snap in snaps.itertuples(index=False)}
    parameters = {"month": month, "rpo_days": assessments[month].parameters["rpo_days"], "as_of": as_of,
                  "copy_targets": copy_targets, "accept": assessments[month].parameters.get("accept"),
                  "months": months, "history": str(root),
                  "image_overrides_file": _recorded(s.overrides)}
    return build_monthly(month, months, snaps, assessments, parameters)


def report_month(history: str | os.PathLike[str], *, month: str | None = None,
                 tenancy: str | None = None) -> tuple[str, Path]:
    """Return (month, its last snapshot folder) for a monthly report over ``history``: ``month`` (YYYY-MM)
    or, when None, the newest snapshot's month. Reads manifests only; raises InputError when the
    folder holds no snapshot (or several tenancies and ``tenancy`` is None) or none of ``month``."""
    snaps = month_end_snapshots(history, month=month, months=1, tenancy=tenancy)
    if snaps.empty:
        listed = month_end_snapshots(history, months=1, tenancy=tenancy)
        latest = listed["month"].iloc[-1] if len(listed) else "none"
        raise InputError(f"no snapshot was taken in {month} under {history} (the newest is from {latest}); "
                         "collect one, or choose another month with --month")
    return str(snaps["month"].iloc[-1]), Path(snaps["path"].iloc[-1])


def _recorded(path: Path | None) -> str | None:
    """How an input file is recorded with a result: its absolute path (None when there is none)."""
    return None if path is None else str(Path(path).resolve())

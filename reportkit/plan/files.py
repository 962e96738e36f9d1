"""Plan files: the JSON plan of record (with a CSV for people beside it) and the kms key map file."""
from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pandas as pd

from reportkit._io import json_records, publish_files, reserve_stem, stage_folder, write_csv, write_json
from reportkit.errors import InputError, PlanError, SchemaError
from reportkit.plan.model import PLAN_FORMAT, PLAN_FORMAT_VERSION, CopyPlan, entry_id_for, summarize_plan
from reportkit.plan.planner import normalise_kms_key_map
from reportkit.schema import PLAN_ENTRIES, PLAN_SKIPPED, PlanStatus


def save_plan(plan: CopyPlan, path: str | Path) -> Path:
    """Write ``plan`` as JSON at ``path`` with a CSV of its entries beside it (same stem, ``.csv``).

    Never overwrites: when either file exists the stem gets ``-2``, ``-3``... Both files are
    staged and published at once. Returns the path of the JSON file written.
    """
    path = Path(path)
    suffix = path.suffix or ".json"
    doc = {
        "format": PLAN_FORMAT,
        "version": PLAN_FORMAT_VERSION,
        "plan_id": plan.plan_id,
        "parameters": plan.parameters,
        "summary": plan.summary.to_dict(),
        "entries": json_records(plan.entries),
        "skipped": json_records(plan.skipped),
    }
    try:
        stem, lock = reserve_stem(path.parent, path.stem, (suffix, ".csv"))
    except FileExistsError as exc:
        raise PlanError(f"{exc}; pass another --out") from None
    staging = stage_folder(path.parent, stem)
    try:
        write_json(doc, staging / f"{stem}{suffix}")
        write_csv(plan.entries, staging / f"{stem}.csv")
        publish_files(staging, path.parent, stem)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        lock.unlink(missing_ok=True)
    return path.with_name(f"{stem}{suffix}")


def _read_json(path: Path, what: str, error: type[Exception], *, missing_hint: str = "",
               broken_hint: str = "") -> Any:
    """Return the JSON document in ``path``; raise ``error`` naming ``what`` and the file otherwise."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise error(f"{what} {path} does not exist{missing_hint}") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise error(f"{what} {path} is not readable JSON ({exc}){broken_hint}") from None


def read_kms_key_map(path: str | Path) -> dict[str, str]:
    """I/O: return the kms key map of a JSON file (destination region -> Vault key OCID there), checked
    by :func:`normalise_kms_key_map`; raise InputError naming the file otherwise."""
    path = Path(path)
    data = _read_json(path, "kms key map file", InputError)
    if not isinstance(data, dict):
        raise InputError(f"kms key map file {path} must hold a JSON object (region -> value), not {type(data).__name__}")
    return normalise_kms_key_map(data)


def load_plan(path: str | Path) -> CopyPlan:
    """Read a plan written by :func:`save_plan`; raise :class:`PlanError` naming what is wrong.

    Checks the format marker and version, the columns, that every planned entry names a backup,
    regions, retry token and wave, that entry ids are unique, and that no two planned copies of
    one boot volume from one source region share a wave (OCI would refuse the second).
    """
    path = Path(path)
    doc = _read_json(path, "plan file", PlanError, missing_hint=f"; make one with `reportkit plan --out {path}`",
                     broken_hint="; regenerate it with `reportkit plan`")
    if not isinstance(doc, dict) or doc.get("format") != PLAN_FORMAT:
        raise PlanError(f"{path} is not a reportkit copy plan (no \"format\": \"{PLAN_FORMAT}\")")
    if doc.get("version") != PLAN_FORMAT_VERSION:
        raise PlanError(f"plan file {path} has version {doc.get('version')!r}; this reportkit reads version "
                        f"{PLAN_FORMAT_VERSION}: regenerate the plan")
    records = doc.get("entries") or []
    statuses = {s.value for s in PlanStatus}
    for rec in records:
        if not isinstance(rec, dict) or rec.get("status") not in statuses:
            what = rec.get("entry_id") if isinstance(rec, dict) else rec
            raise PlanError(f"plan file {path}: entry {what!r} has a status other than {sorted(statuses)}")
    try:
        entries = PLAN_ENTRIES.coerce(pd.DataFrame(doc["entries"]) if doc.get("entries") else PLAN_ENTRIES.empty())
        skipped = PLAN_SKIPPED.coerce(pd.DataFrame(doc.get("skipped") or [])
                                      if doc.get("skipped") else PLAN_SKIPPED.empty())
    except (SchemaError, ValueError, TypeError) as exc:
        raise PlanError(f"plan file {path}: entries are malformed ({exc}); regenerate the plan") from None
    _validate_entries(entries, path)
    return CopyPlan(entries, skipped, summarize_plan(entries, skipped), dict(doc.get("parameters") or {}))


def export_plan_csv(plan: CopyPlan, path: str | Path) -> Path:
    """Write the plan's entries as CSV for people (formula-like cells neutralised); return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_csv(plan.entries, path)


def _validate_entries(entries: pd.DataFrame, path: Path) -> None:
    dupes = entries["entry_id"][entries["entry_id"].duplicated()]
    if len(dupes):
        raise PlanError(f"plan file {path}: entry {dupes.iloc[0]} appears twice; regenerate the plan")
    planned = entries[entries["status"] == PlanStatus.PLANNED]
    required = ["entry_id", "backup_id", "source_region", "destination_region", "boot_volume_id",
                "retry_token", "wave"]
    for col in required:
        missing = planned[col].isna() | (planned[col].astype("string") == "")
        if missing.any():
            raise PlanError(f"plan file {path}: planned entry {planned['entry_id'][missing].iloc[0]} has no {col}")
    for entry_id, backup_id, dest in zip(planned["entry_id"], planned["backup_id"], planned["destination_region"],
                                         strict=True):
        if entry_id != entry_id_for(backup_id, dest):
            raise PlanError(f"plan file {path}: entry {entry_id} does not match its backup and destination "
                            "(edited by hand?); regenerate the plan")
    clash = planned.duplicated(["boot_volume_id", "source_region", "wave"], keep=False)
    if clash.any():
        row = planned[clash].iloc[0]
        raise PlanError(f"plan file {path}: boot volume {row['boot_volume_id']} has two copies from "
                        f"{row['source_region']} in wave {row['wave']}; OCI allows one at a time: regenerate the plan")

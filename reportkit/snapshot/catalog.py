"""The snapshot catalog: the one reader of ``manifest.json``. Finds snapshots, lists them, picks month ends.

Every question about which snapshots exist and what they hold (``latest``, the list of a root,
the last snapshot of each month, the tenancy and date a report is named after) is answered here
from the manifests, validated the same way every time. The data files themselves are read (and
their sha256 checked) by :mod:`reportkit.snapshot.store`.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path
from typing import Any

import pandas as pd

from reportkit.errors import InputError, SnapshotError
from reportkit.schema import INVENTORY_TABLES
from reportkit.settings import current as current_settings

SNAPSHOT_SCHEMA_VERSION = 1
MANIFEST = "manifest.json"
_HIVE = re.compile(r"^(tenancy|date)=(.+)$")


def snapshot_root(root: str | os.PathLike[str] | None) -> Path:
    """The snapshots root to use: ``root``, or the settings' snapshot root (resolved now) when None."""
    return current_settings().snapshots if root is None else Path(root)


def read_manifest(path: Path) -> dict[str, Any]:
    """Return the parsed ``manifest.json`` at ``path``; raise :class:`SnapshotError` naming the file when it
    is missing, not JSON, not a reportkit manifest, of a newer schema, or lacks its sections."""
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SnapshotError(f"{path} is missing: this snapshot is partial") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SnapshotError(f"{path} is corrupt ({type(exc).__name__}: {exc})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != "reportkit-snapshot":
        raise SnapshotError(f"{path} is not a reportkit snapshot manifest")
    version = manifest.get("schema_version")
    if not isinstance(version, int):
        raise SnapshotError(f"{path} has no valid schema_version")
    if version > SNAPSHOT_SCHEMA_VERSION:
        raise SnapshotError(f"{path} has snapshot schema {version}, newer than this reportkit understands "
                            f"({SNAPSHOT_SCHEMA_VERSION}); upgrade reportkit to read it")
    for key in ("files", "metadata"):
        if not isinstance(manifest.get(key), dict):
            raise SnapshotError(f"{path} has no {key!r} section; the manifest is corrupt")
    return manifest


def resolve_snapshot(path: str | os.PathLike[str] = "latest", *, root: str | os.PathLike[str] | None = None,
                     tenancy: str | None = None) -> Path:
    """Return the snapshot folder ``path`` designates (see :func:`load_snapshot`)."""
    folder = snapshot_root(root) if str(path) == "latest" else Path(path)
    if not folder.exists():
        raise SnapshotError(f"snapshot path {folder} does not exist (run `reportkit collect` first)")
    if (folder / MANIFEST).exists():
        return folder
    if any(folder.glob("*.parquet")):
        raise SnapshotError(f"{folder / MANIFEST} is missing: this snapshot is partial (an interrupted write?)")
    found = list_snapshots(folder)
    if tenancy is not None and len(found):
        found = found[(found["tenancy_name"] == tenancy) | (found["tenancy_id"] == tenancy)
                      | (found["tenancy"] == tenancy)]
    found = found[found["problem"].isna()] if len(found) else found
    if not len(found):
        which = f" for tenancy {tenancy!r}" if tenancy else ""
        raise SnapshotError(f"no complete snapshot{which} under {folder} (run `reportkit collect` first)")
    return Path(found.iloc[-1]["path"])


_LIST_COLUMNS = ["path", "tenancy", "date", "run", "tenancy_id", "tenancy_name", "home_region", "started_at",
                 "finished_at", "schema_version", "reportkit_version", "regions", *INVENTORY_TABLES, "problem"]


def list_snapshots(root: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """Return one row per snapshot folder under ``root``, oldest first, read from the manifests.

    Columns: path, the Hive partitions (tenancy, date), run (folder name), tenancy ids and
    names, started/finished (UTC), versions, regions, one row-count column per table, and
    ``problem`` (empty when the manifest is readable; unreadable snapshots are listed, not hidden).
    Hidden ``.tmp-*`` folders of interrupted writes are ignored.
    """
    base = snapshot_root(root)
    rows = []
    for folder in sorted(base.glob("tenancy=*/date=*/*")) if base.exists() else []:
        if not folder.is_dir() or folder.name.startswith("."):
            continue
        row: dict[str, Any] = {"path": str(folder), "tenancy": folder.parent.parent.name.split("=", 1)[1],
                               "date": folder.parent.name.split("=", 1)[1], "run": folder.name, "problem": None}
        try:
            manifest = read_manifest(folder / MANIFEST)
            row.update({k: manifest.get(k) for k in ("tenancy_id", "tenancy_name", "home_region", "started_at",
                                                     "finished_at", "schema_version", "reportkit_version")})
            row["regions"] = ",".join(manifest.get("regions", []))
            row.update({name: manifest.get("counts", {}).get(name) for name in INVENTORY_TABLES})
        except SnapshotError as exc:
            row["problem"] = str(exc)
        rows.append(row)
    frame = pd.DataFrame(rows, columns=_LIST_COLUMNS)
    for col in ("started_at", "finished_at"):
        frame[col] = pd.to_datetime(frame[col], utc=True, format="ISO8601")
    for col in ("schema_version", *INVENTORY_TABLES):
        frame[col] = frame[col].astype("Int64")
    for col in ("path", "tenancy", "date", "run", "tenancy_id", "tenancy_name", "home_region",
                "reportkit_version", "regions", "problem"):
        frame[col] = frame[col].astype("string")
    return frame.sort_values(["started_at", "path"], na_position="first", kind="stable").reset_index(drop=True)


def month_end_snapshots(root: str | os.PathLike[str] | None, *, month: str | None = None, months: int = 12,
                        tenancy: str | None = None) -> pd.DataFrame:
    """Return the last snapshot of each month, for ``months`` months ending with ``month`` (YYYY-MM).

    Read from the manifests (:func:`list_snapshots`). ``month`` None means the month of the
    newest snapshot. Columns: tenancy, month, date, run, path, finished_at, reportkit_version,
    backups, boot_volumes, errors. Raises InputError when the folder holds no snapshot, or several
    tenancies and ``tenancy`` was not given; SnapshotError when a snapshot of a month in the
    window has an unreadable manifest (it could be that month's last one: never guess around it).
    """
    base = snapshot_root(root)
    listed = list_snapshots(base)
    if listed.empty:
        raise InputError(f"no snapshot under {base}; run `reportkit collect` (or `reportkit demo`) first")
    tenancies = sorted(listed["tenancy"].dropna().unique())
    if tenancy is not None:
        listed = listed[listed["tenancy"] == tenancy]
        if listed.empty:
            raise InputError(f"no snapshot of tenancy {tenancy!r} under {base}; found: {', '.join(tenancies)}")
    elif len(tenancies) > 1:
        raise InputError(f"{base} holds snapshots of several tenancies ({', '.join(tenancies)}); "
                         "choose one with -p tenancy NAME")
    listed = listed.assign(month=listed["date"].str.slice(0, 7))
    month = month or listed.loc[listed["problem"].isna(), "month"].max()
    if pd.isna(month):
        month = listed["month"].max()
    end = pd.Period(month, "M")
    periods = listed["month"].map(lambda m: pd.Period(m, "M"))
    window = listed[(periods >= end - (months - 1)) & (periods <= end)]
    broken = window[window["problem"].notna()]
    if len(broken):
        first = broken.iloc[0]
        raise SnapshotError(f"snapshot {first['path']} cannot be read ({first['problem']}); it may be its month's "
                            "last snapshot: repair it or move it out of the snapshots folder")
    window = window.sort_values(["tenancy", "month", "date", "finished_at", "run"], kind="stable")
    last = window.groupby(["tenancy", "month"], sort=True).tail(1)
    out = last[["tenancy", "month", "date", "run", "path", "finished_at", "reportkit_version", "backups",
                "boot_volumes", "errors"]]
    return out.sort_values(["tenancy", "month"]).reset_index(drop=True)


def manifest_sha256(folder: str | os.PathLike[str]) -> str:
    """Return the sha256 of a snapshot's manifest.json (which itself holds every file's sha256)."""
    return hashlib.sha256((Path(folder) / MANIFEST).read_bytes()).hexdigest()


def snapshot_place(folder: str | os.PathLike[str]) -> Path:
    """Return where a snapshot sits below its root: ``tenancy=<t>/date=<d>/<run>`` (for outputs kept
    side by side with the same layout, such as assessment exports)."""
    folder = Path(folder)
    return Path(folder.parent.parent.name, folder.parent.name, folder.name)


def snapshot_identity(folder: str | os.PathLike[str]) -> dict[str, Any]:
    """Return what names a snapshot for people: tenancy and date (from the Hive folders, else the
    manifest), snapshot_id (the run folder) and manifest_sha256 (None without a manifest)."""
    folder = Path(folder)
    found = {m.group(1): m.group(2) for m in map(_HIVE.match, folder.parts) if m}
    has_manifest = (folder / MANIFEST).is_file()
    if has_manifest and ("tenancy" not in found or "date" not in found):
        try:
            meta = read_manifest(folder / MANIFEST)["metadata"]
        except SnapshotError:
            meta = {}
        found.setdefault("tenancy", str(meta.get("tenancy_name", "tenancy")))
        if meta.get("finished_at"):
            found.setdefault("date", pd.Timestamp(meta["finished_at"]).strftime("%Y-%m-%d"))
    return {"tenancy": found.get("tenancy", "tenancy"), "date": found.get("date", "undated"),
            "snapshot": str(folder), "snapshot_id": folder.name,
            "manifest_sha256": manifest_sha256(folder) if has_manifest else None}

"""Snapshots: an :class:`~reportkit.inventory.Inventory` on disk, and the history of all of them.

Layout (Hive-style, so DuckDB, Spark or Dask read the whole history with partition columns)::

    <root>/tenancy=<safe name>/date=<YYYY-MM-DD>/<YYYYMMDDTHHMMSSZ>[-N]/
        backups.parquet  boot_volumes.parquet  ...  errors.parquet
        manifest.json    # written last: schema version, counts, sha256 of each file, metadata

A snapshot is written into a hidden temporary folder next to its final place, every file is
fsync'ed, and the folder is renamed into place in one step: readers never see half a snapshot,
and a killed writer leaves only a hidden ``.tmp-*`` folder that every reader ignores. An
existing snapshot is never overwritten (a ``-2``, ``-3``... suffix keeps names unique).
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import unicodedata
from pathlib import Path
from typing import Any

import pandas as pd

from reportkit._io import fsync_dir, publish_folder, stage_folder, write_bytes
from reportkit.errors import SchemaError, SnapshotError
from reportkit.inventory import CollectionMetadata, Inventory
from reportkit.schema import CATEGORY, INVENTORY_TABLES
from reportkit.settings import current as current_settings

SNAPSHOT_SCHEMA_VERSION = 1
MANIFEST = "manifest.json"


def _root(root: str | os.PathLike[str] | None) -> Path:
    """The snapshots root to use: ``root``, or the settings' snapshot root (resolved now) when None."""
    return current_settings().snapshots if root is None else Path(root)
_RUN_FORMAT = "%Y%m%dT%H%M%SZ"
_RUN_NAME = re.compile(r"^\d{8}T\d{6}Z(-\d+)?$")


# --------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------
def safe_tenancy_name(name: str) -> str:
    """Return ``name`` reduced to ``[A-Za-z0-9._-]`` (max 64 chars), safe as one path segment.

    A hostile tenancy name (``../../etc``, ``a/b``, ``tenancy=x``, control characters) can
    neither leave the snapshot root nor fake a Hive partition.
    """
    text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode()
    text = re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("._-")
    return text[:64] or "tenancy"


def save_snapshot(inv: Inventory, root: str | os.PathLike[str] | None = None) -> Path:
    """Write ``inv`` as a new snapshot folder under ``root`` and return the folder's path.

    Atomic (hidden staging folder in the same parent, fsync, rename); never overwrites.
    """
    meta = inv.metadata
    started = pd.Timestamp(meta.started_at).tz_convert("UTC")
    parent = _root(root) / f"tenancy={safe_tenancy_name(meta.tenancy_name)}" / f"date={started:%Y-%m-%d}"
    run = started.strftime(_RUN_FORMAT)
    tmp = stage_folder(parent, run)
    files: dict[str, dict[str, Any]] = {}
    categories: dict[str, dict[str, list[str]]] = {}
    for name, frame in inv.tables().items():
        files[name] = _write_table(tmp / f"{name}.parquet", frame)
        # categories (their order, unused ones and the dtype of the labels) are kept exactly
        cats = {c.name: {"values": [str(v) for v in frame[c.name].cat.categories],
                         "dtype": str(frame[c.name].cat.categories.dtype)}
                for c in INVENTORY_TABLES[name].columns if c.dtype == CATEGORY}
        if cats:
            categories[name] = cats
    meta_dict = meta.to_dict()
    manifest = {
        "format": "reportkit-snapshot",
        "schema_version": SNAPSHOT_SCHEMA_VERSION,
        "reportkit_version": meta.reportkit_version,
        "tenancy_id": meta.tenancy_id,
        "tenancy_name": meta.tenancy_name,
        "home_region": meta.home_region,
        "started_at": meta_dict["started_at"],
        "finished_at": meta_dict["finished_at"],
        "regions": list(meta.regions),
        "parameters": meta.parameters,
        "counts": {name: info["rows"] for name, info in files.items()},
        "errors": files["errors"]["rows"],
        "files": files,
        "categories": categories,
        "metadata": meta_dict,
    }
    write_bytes(tmp / MANIFEST, json.dumps(manifest, indent=2, sort_keys=True, default=str).encode())
    fsync_dir(tmp)
    try:
        return publish_folder(tmp, parent / run)
    except FileExistsError as exc:
        raise SnapshotError(str(exc)) from None


def _write_table(path: Path, frame: pd.DataFrame) -> dict[str, Any]:
    """Write one table as Parquet, fsync it, return its manifest entry (file, rows, sha256, bytes)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(frame, preserve_index=False)
    with open(path, "wb") as fh:
        pq.write_table(table, fh, compression="zstd")
        fh.flush()
        os.fsync(fh.fileno())
    return {"file": path.name, "rows": int(len(frame)), "sha256": _sha256(path), "bytes": path.stat().st_size}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------
def load_snapshot(path: str | os.PathLike[str] = "latest", *, root: str | os.PathLike[str] | None = None,
                  tenancy: str | None = None) -> Inventory:
    """Return the :class:`Inventory` stored in a snapshot, every dtype as it was saved.

    ``path`` is a snapshot folder, a root folder (its newest snapshot), or ``"latest"`` (the
    newest snapshot under ``root``); ``tenancy`` (name or OCID) narrows "newest" to one tenancy.
    Raises :class:`SnapshotError` naming the file for anything missing, corrupt, tampered with,
    or written by a newer reportkit.
    """
    folder = resolve_snapshot(path, root=root, tenancy=tenancy)
    manifest = _read_manifest(folder / MANIFEST)
    frames = {}
    for name, table in INVENTORY_TABLES.items():
        entry = manifest["files"].get(name)
        if entry is None:
            raise SnapshotError(f"{folder / MANIFEST}: table {name!r} is not listed; the snapshot is incomplete")
        frames[name] = _read_table(folder, name, entry, manifest.get("categories", {}).get(name, {}))
    meta = CollectionMetadata.from_dict(manifest["metadata"])
    return Inventory(metadata=meta, **frames)


def resolve_snapshot(path: str | os.PathLike[str] = "latest", *, root: str | os.PathLike[str] | None = None,
                     tenancy: str | None = None) -> Path:
    """Return the snapshot folder ``path`` designates (see :func:`load_snapshot`)."""
    folder = _root(root) if str(path) == "latest" else Path(path)
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


def _read_manifest(path: Path) -> dict[str, Any]:
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


def _read_table(folder: Path, name: str, entry: dict[str, Any], categories: dict[str, Any]) -> pd.DataFrame:
    import pyarrow.parquet as pq

    file = folder / str(entry.get("file", ""))
    if file.parent != folder or file.name != f"{name}.parquet":
        raise SnapshotError(f"{folder / MANIFEST}: table {name!r} points to an unexpected file {entry.get('file')!r}")
    if not file.is_file():
        raise SnapshotError(f"{file} is missing: the snapshot is partial")
    if _sha256(file) != entry.get("sha256"):
        raise SnapshotError(f"{file} does not match the sha256 in {MANIFEST}: the file was modified or is corrupt")
    try:
        frame = pq.read_table(file).to_pandas()
    except Exception as exc:  # noqa: BLE001 - any Parquet failure is a corrupt file
        raise SnapshotError(f"{file} cannot be read as Parquet ({type(exc).__name__}: {exc})") from None
    if len(frame) != entry.get("rows"):
        raise SnapshotError(f"{file} has {len(frame)} rows, the manifest says {entry.get('rows')}")
    table = INVENTORY_TABLES[name]
    try:
        frame = table.coerce(frame)
    except SchemaError as exc:
        raise SnapshotError(f"{file}: {exc}") from None
    for column, cats in categories.items():
        if column in frame.columns:
            labels = pd.Index(cats["values"], dtype="object" if cats.get("dtype") == "object" else "str")
            frame[column] = frame[column].cat.set_categories(labels)
    return frame


# --------------------------------------------------------------------------------------------
# History (DuckDB over the Parquet tree)
# --------------------------------------------------------------------------------------------
_LIST_COLUMNS = ["path", "tenancy", "date", "run", "tenancy_id", "tenancy_name", "home_region", "started_at",
                 "finished_at", "schema_version", "reportkit_version", "regions", *INVENTORY_TABLES, "problem"]


def list_snapshots(root: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """Return one row per snapshot folder under ``root``, oldest first, read from the manifests.

    Columns: path, the Hive partitions (tenancy, date), run (folder name), tenancy ids and
    names, started/finished (UTC), versions, regions, one row-count column per table, and
    ``problem`` (empty when the manifest is readable; unreadable snapshots are listed, not hidden).
    Hidden ``.tmp-*`` folders of interrupted writes are ignored.
    """
    base = _root(root)
    rows = []
    for folder in sorted(base.glob("tenancy=*/date=*/*")) if base.exists() else []:
        if not folder.is_dir() or folder.name.startswith("."):
            continue
        row: dict[str, Any] = {"path": str(folder), "tenancy": folder.parent.parent.name.split("=", 1)[1],
                               "date": folder.parent.name.split("=", 1)[1], "run": folder.name, "problem": None}
        try:
            manifest = _read_manifest(folder / MANIFEST)
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


snapshot_history = list_snapshots  # the monthly report's name for the same thing


def history_connection(root: str | os.PathLike[str] | None = None) -> Any:
    """Return a DuckDB connection with one view per table over every complete snapshot under ``root``.

    Each view has the table's columns plus ``tenancy`` and ``date`` (Hive partitions) and
    ``run`` (the snapshot folder name). Only snapshots with a readable manifest are included.
    """
    import duckdb

    snaps = list_snapshots(root)
    snaps = snaps[snaps["problem"].isna()]
    con = duckdb.connect()
    for name in INVENTORY_TABLES:
        files = [str(Path(p) / f"{name}.parquet") for p in snaps["path"]]
        files = [f for f in files if Path(f).is_file()]
        if not files:
            continue
        listing = ", ".join("'" + f.replace("'", "''") + "'" for f in files)
        con.execute(
            f"CREATE VIEW {name} AS SELECT * EXCLUDE (filename), "
            f"regexp_extract(filename, '[/\\\\]([^/\\\\]+)[/\\\\][^/\\\\]+$', 1) AS run "
            f"FROM read_parquet([{listing}], hive_partitioning = true, union_by_name = true, filename = true)"
        )
    return con


def query_history(root: str | os.PathLike[str], sql_or_table: str) -> pd.DataFrame:
    """Return a table's rows across all snapshots (give its name) or the result of a SQL query.

    In SQL, every inventory table is a view over its whole history, with ``tenancy``, ``date``
    and ``run`` columns, e.g.
    ``query_history(root, "SELECT date, count(*) FROM backups GROUP BY date ORDER BY date")``.
    """
    con = history_connection(root)
    try:
        if sql_or_table in INVENTORY_TABLES:
            views = {r[0] for r in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()}
            if sql_or_table not in views:
                return INVENTORY_TABLES[sql_or_table].empty()
            return con.execute(f"SELECT * FROM {sql_or_table} ORDER BY date, run").df()
        return con.execute(sql_or_table).df()
    finally:
        con.close()


history_query = query_history

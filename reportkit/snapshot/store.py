"""Snapshots on disk: write an :class:`~reportkit.inventory.Inventory` atomically, read one back verified.

Layout (Hive-style, so DuckDB, Spark or Dask read the whole history with partition columns)::

    <root>/tenancy=<safe name>/date=<YYYY-MM-DD>/<YYYYMMDDTHHMMSSZ>[-N]/
        backups.parquet  boot_volumes.parquet  ...  errors.parquet
        manifest.json    # written last: schema version, counts, sha256 of each file, metadata

A snapshot is written into a hidden temporary folder next to its final place, every file is
fsync'ed, and the folder is renamed into place in one step (:mod:`reportkit._io`): readers never
see half a snapshot, and a killed writer leaves only a hidden ``.tmp-*`` folder that every reader
ignores. An existing snapshot is never overwritten (a ``-2``, ``-3``... suffix keeps names unique).
"""
from __future__ import annotations

import dataclasses

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
from reportkit.schema import CATEGORY, INVENTORY_TABLES, LATER_TABLES
from reportkit.snapshot.catalog import MANIFEST, SNAPSHOT_SCHEMA_VERSION, read_manifest, resolve_snapshot, snapshot_root

_RUN_FORMAT = "%Y%m%dT%H%M%SZ"

#: tables stored in the order of their OCID column: the same tenancy gives the same files whatever
#: order the collector's threads finished in, and assess finds them already in its canonical order
#: (sorting a million backups costs it half a second otherwise)
SORTED_BY = {"backups": "backup_id", "boot_volumes": "boot_volume_id", "volume_group_backups": "volume_group_backup_id",
             "boot_volume_replicas": "replica_id"}


def _canonical(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` sorted by its OCID column (stable; NA last) unless it already is."""
    key = SORTED_BY.get(name)
    if key is None or len(frame) < 2:
        return frame
    import pyarrow as pa
    import pyarrow.compute as pc

    ids = pa.array(frame[key].astype("string").array)
    ids = ids.combine_chunks() if isinstance(ids, pa.ChunkedArray) else ids
    if ids.null_count == 0 and pc.all(pc.less_equal(ids.slice(0, len(ids) - 1), ids.slice(1))).as_py():
        return frame
    order = pc.array_sort_indices(ids, null_placement="at_end").to_numpy()
    return frame.take(order).reset_index(drop=True)


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
    parent = snapshot_root(root) / f"tenancy={safe_tenancy_name(meta.tenancy_name)}" / f"date={started:%Y-%m-%d}"
    run = started.strftime(_RUN_FORMAT)
    tmp = stage_folder(parent, run)
    files: dict[str, dict[str, Any]] = {}
    categories: dict[str, dict[str, list[str]]] = {}
    for name, frame in inv.tables().items():
        files[name] = _write_table(tmp / f"{name}.parquet", _canonical(name, frame))
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
    return {"file": path.name, "rows": int(len(frame)), "sha256": sha256_of(path), "bytes": path.stat().st_size}


def load_snapshot(path: str | os.PathLike[str] = "latest", *, root: str | os.PathLike[str] | None = None,
                  tenancy: str | None = None) -> Inventory:
    """Return the :class:`Inventory` stored in a snapshot, every dtype as it was saved.

    ``path`` is a snapshot folder, a root folder (its newest snapshot), or ``"latest"`` (the
    newest snapshot under ``root``); ``tenancy`` (name or OCID) narrows "newest" to one tenancy.
    Raises :class:`SnapshotError` naming the file for anything missing, corrupt, tampered with,
    or written by a newer reportkit.
    """
    folder = resolve_snapshot(path, root=root, tenancy=tenancy)
    manifest = read_manifest(folder / MANIFEST)
    # a snapshot written before a table existed loads it empty; its metadata says so (never silently)
    absent = sorted(name for name in LATER_TABLES if name not in manifest.get("files", {}))
    frames = {name: INVENTORY_TABLES[name].empty() if name in absent else _table_of(folder, manifest, name)
              for name in INVENTORY_TABLES}
    try:
        meta = CollectionMetadata.from_dict(manifest["metadata"])
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise SnapshotError(f"{folder / MANIFEST}: the collection metadata is incomplete or malformed "
                            f"({type(exc).__name__}: {exc})") from None
    if absent:
        meta = dataclasses.replace(meta, parameters={**meta.parameters, "tables_not_collected": absent})
    return Inventory(metadata=meta, **frames)


def load_table(path: str | os.PathLike[str], name: str) -> pd.DataFrame:
    """Return one inventory table of the snapshot ``path`` designates, verified as :func:`load_snapshot`
    verifies it (for a quick look without loading the whole snapshot)."""
    if name not in INVENTORY_TABLES:
        raise SnapshotError(f"a snapshot has no table {name!r}; tables: {', '.join(INVENTORY_TABLES)}")
    folder = resolve_snapshot(path)
    return _table_of(folder, read_manifest(folder / MANIFEST), name)


def _table_of(folder: Path, manifest: dict[str, Any], name: str) -> pd.DataFrame:
    entry = manifest["files"].get(name)
    if entry is None:
        raise SnapshotError(f"{folder / MANIFEST}: table {name!r} is not listed; the snapshot is incomplete")
    return _read_table(folder, name, entry, manifest.get("categories", {}).get(name, {}))


def sha256_of(path: Path) -> str:
    """Return the hex sha256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _read_table(folder: Path, name: str, entry: dict[str, Any], categories: dict[str, Any]) -> pd.DataFrame:
    import pyarrow.parquet as pq

    file = folder / str(entry.get("file", ""))
    if file.parent != folder or file.name != f"{name}.parquet":
        raise SnapshotError(f"{folder / MANIFEST}: table {name!r} points to an unexpected file {entry.get('file')!r}")
    if not file.is_file():
        raise SnapshotError(f"{file} is missing: the snapshot is partial")
    if sha256_of(file) != entry.get("sha256"):
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

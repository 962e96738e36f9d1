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
import shutil
import tempfile
import unicodedata
from pathlib import Path
from typing import Any

import pandas as pd

from reportkit._io import fsync_dir, publish_folder, stage_folder, write_bytes
from reportkit.errors import SchemaError, SnapshotError, SnapshotWriteError
from reportkit.inventory import CollectionMetadata, Inventory
from reportkit.schema import CATEGORY, INVENTORY_TABLES, LATER_TABLES
from reportkit.snapshot.catalog import MANIFEST, SNAPSHOT_SCHEMA_VERSION, read_manifest, resolve_snapshot, snapshot_root

_RUN_FORMAT = "%Y%m%dT%H%M%SZ"
#: the least free space a snapshot root must have before a collection starts (a rough estimate: twice the
#: newest snapshot under it counts when larger)
MIN_FREE_BYTES = 16 << 20

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


def check_writable(root: str | os.PathLike[str] | None = None) -> Path:
    """Return the snapshot root ``root`` designates after proving it can take a snapshot, leaving no
    trace: it is a folder (or can be created inside its nearest existing parent), a folder can be
    created in it, and it has room for a rough estimate (twice the newest snapshot under it, at least
    16 MiB). Raises :class:`SnapshotError` (one line, exit 2) otherwise, so a bad ``--out`` fails
    before anything is collected."""
    path = snapshot_root(root)
    base = path
    while not base.exists() and base != base.parent:
        base = base.parent
    try:
        if not base.is_dir():
            raise NotADirectoryError(20, f"{base} is not a folder")
        os.rmdir(tempfile.mkdtemp(dir=base, prefix=".reportkit-write-test-"))
        free = shutil.disk_usage(base).free
    except OSError as exc:
        raise SnapshotError(f"snapshot folder {path} is not writable ({exc.strerror or exc}); "
                            "give another --out") from None
    need = max(MIN_FREE_BYTES, 2 * _newest_size(path))
    if free < need:
        raise SnapshotError(f"snapshot folder {path} has {free / 2**20:.1f} MiB free, a snapshot may need "
                            f"{need / 2**20:.0f} MiB; free some space or give another --out")
    return path


def _newest_size(root: Path) -> int:
    """Bytes of the newest snapshot under ``root`` (0 when there is none or it cannot be read)."""
    try:
        manifests = sorted(root.glob("tenancy=*/date=*/*/" + MANIFEST), key=lambda p: p.stat().st_mtime)
        files = json.loads(manifests[-1].read_text(encoding="utf-8")).get("files", {}) if manifests else {}
        return sum(int(f.get("bytes", 0)) for f in files.values() if isinstance(f, dict))
    except (OSError, ValueError, TypeError, AttributeError):
        return 0


def save_snapshot(inv: Inventory, root: str | os.PathLike[str] | None = None) -> Path:
    """Write ``inv`` as a new snapshot folder under ``root`` and return the folder's path.

    Atomic (hidden staging folder in the same parent, fsync, rename); never overwrites. When writing
    fails (disk full, read-only), the staging folder is removed and :class:`SnapshotWriteError` says why.
    """
    meta = inv.metadata
    started = pd.Timestamp(meta.started_at).tz_convert("UTC")
    parent = snapshot_root(root) / f"tenancy={safe_tenancy_name(meta.tenancy_name)}" / f"date={started:%Y-%m-%d}"
    run = started.strftime(_RUN_FORMAT)
    try:
        tmp = stage_folder(parent, run)
    except OSError as exc:
        raise SnapshotWriteError(f"could not write the snapshot under {parent} ({exc.strerror or exc})") from None
    try:
        return _write(inv, tmp, parent / run)
    except BaseException as exc:
        shutil.rmtree(tmp, ignore_errors=True)  # a failed write must not keep the disk full
        if isinstance(exc, OSError):
            raise SnapshotWriteError(f"could not write the snapshot under {parent} "
                                     f"({exc.strerror or exc})") from None
        raise


def _write(inv: Inventory, tmp: Path, target: Path) -> Path:
    meta = inv.metadata
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
        "complete": not meta.parameters.get("interrupted", False),
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
        return publish_folder(tmp, target)
    except FileExistsError as exc:
        raise SnapshotError(str(exc)) from None


def save_elsewhere(inv: Inventory) -> Path | None:
    """Write ``inv`` as a snapshot under a new folder of the system's temporary folder (after the write to
    the snapshot root failed) and return that root; None if even that fails (its folder is removed)."""
    root = None
    try:
        root = Path(tempfile.mkdtemp(prefix="reportkit-unsaved-"))
        save_snapshot(inv, root)
        return root
    except (OSError, SnapshotError):
        if root is not None:
            shutil.rmtree(root, ignore_errors=True)
        return None


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

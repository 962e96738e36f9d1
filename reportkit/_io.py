"""Writing files safely: stage then publish without ever overwriting, the one CSV writer, JSON-ready values.

Every writer of reportkit (snapshots, assessment exports, reports, plans) follows one rule: write
into a hidden staging place next to the destination, fsync, then publish in one step under a name
nobody holds yet (``name``, ``name-2``, ``name-3``...). A reader never sees half a result and an
earlier result is never replaced. Two shapes exist:

- a *folder* (snapshot, export): :func:`stage_folder` then :func:`publish_folder` (one rename);
- *files sharing a stem* in a shared folder (report, plan): :func:`reserve_stem` then
  :func:`publish_files` (hard links, which fail rather than replace an existing file; all or nothing);
- *one file* (a failed report's notebook): :func:`publish_file`.

CSV cells a spreadsheet would run as a formula are neutralised (OWASP: prefix a single quote):
OCI display names are free text, and ``=HYPERLINK(...)`` must not become a live formula.
"""
from __future__ import annotations

import errno
import json
import math
import os
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

#: a cell starting with one of these is run as a formula by spreadsheets
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
#: how timestamps are written in every CSV and JSON file: ISO 8601, UTC, "Z"
ISO_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
_MAX_SUFFIX = 10_000
# rename() onto an existing non-empty folder (or a file) fails with one of these: try the next name
_TAKEN = (errno.EEXIST, errno.ENOTEMPTY, errno.EISDIR, errno.ENOTDIR)


# --------------------------------------------------------------------------------------------
# Durable writes
# --------------------------------------------------------------------------------------------
def fsync_dir(path: Path) -> None:
    """Flush a folder's entries (a rename is durable only once its parent folder is synced)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` and fsync it before returning."""
    with open(path, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def candidates(name: str) -> Iterable[str]:
    """``name``, ``name-2``, ``name-3``, ... : the names a published result may take, in order."""
    yield name
    for n in range(2, _MAX_SUFFIX):
        yield f"{name}-{n}"


# --------------------------------------------------------------------------------------------
# Folders
# --------------------------------------------------------------------------------------------
def stage_folder(parent: Path, name: str) -> Path:
    """Create and return a hidden staging folder for ``name`` inside ``parent`` (created if needed).

    Readers ignore names starting with a dot, so a killed writer leaves nothing they would read.
    """
    parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f".tmp-{name}-", dir=parent))


def publish_folder(staging: Path, target: Path) -> Path:
    """Rename ``staging`` to ``target`` or the first free ``target-N``; return the folder published.

    The files inside should already be fsynced. A rename onto an existing non-empty folder fails,
    so two concurrent writers never land in, or clobber, the same folder. Raises FileExistsError
    when every name is taken and OSError for any other failure (callers say what and where).
    """
    for name in candidates(target.name):
        final = target.with_name(name)
        if final.exists():
            continue
        try:
            os.rename(staging, final)
        except OSError as exc:
            if exc.errno in _TAKEN or final.exists():
                continue
            raise
        fsync_dir(final.parent)
        return final
    raise FileExistsError(f"{_MAX_SUFFIX} folders named {target.name}[-N] already exist in {target.parent}")


# --------------------------------------------------------------------------------------------
# Files sharing a stem
# --------------------------------------------------------------------------------------------
def reserve_stem(out: Path, base: str, suffixes: Iterable[str] = ()) -> tuple[str, Path]:
    """Return the first stem (``base``, ``base-2``, ...) no file of ``out`` uses yet, and its lock file,
    created exclusively so two concurrent runs never pick the same stem.

    A stem is in use when a file is named ``stem + suffix`` for one of ``suffixes``, or starts with
    ``stem.`` or ``stem_`` (any companion: ``<stem>_summary.json``, ``<stem>.json.journal.jsonl``), so
    a result is never published next to a stale file of an earlier one. The caller deletes the lock
    when it has published (or failed).
    """
    out.mkdir(parents=True, exist_ok=True)
    ends = tuple(suffixes)
    for stem in candidates(base):
        if _stem_in_use(out, stem, ends):
            continue
        lock = out / f".{stem}.lock"
        try:
            lock.touch(exist_ok=False)  # O_EXCL
        except FileExistsError:
            continue
        return stem, lock
    raise FileExistsError(f"{_MAX_SUFFIX} results named {base}[-N] already exist in {out}")


def _stem_in_use(out: Path, stem: str, ends: tuple[str, ...]) -> bool:
    if any((out / f"{stem}{end}").exists() for end in ends):
        return True
    return any(name.startswith((f"{stem}.", f"{stem}_")) for name in os.listdir(out) if not name.startswith("."))


def publish_files(staging: Path, out: Path, stem: str) -> list[Path]:
    """Hard-link every file of ``staging`` into ``out``, all or nothing; return the published paths.

    A file already named ``<stem>...`` keeps its name; any other gets ``<stem>_`` in front. Hidden
    files are not published. ``os.link`` fails rather than replace an existing file; when one link
    fails (a file of that name appeared, the disk is full), the links already made are removed and
    the error is raised, so a reader never finds half a result next to an older one.
    """
    sources = [path for path in sorted(staging.rglob("*")) if path.is_file() and not path.name.startswith(".")]
    published: list[Path] = []
    try:
        for path in sources:
            target = out / (path.name if path.name.startswith(stem) else f"{stem}_{path.name}")
            os.link(path, target)
            published.append(target)
    except OSError:
        for target in published:
            target.unlink(missing_ok=True)
        raise
    fsync_dir(out)
    return published


def publish_file(source: Path, folder: Path, name: str) -> Path:
    """Hard-link ``source`` into ``folder`` as ``name``, or ``stem-2.suffix``, ``stem-3.suffix``... when taken;
    return the path published. Never replaces a file (``os.link`` fails on an existing name)."""
    folder.mkdir(parents=True, exist_ok=True)
    stem, dot, suffix = name.partition(".")
    for candidate in candidates(stem):
        target = folder / f"{candidate}{dot}{suffix}"
        try:
            os.link(source, target)
        except FileExistsError:
            continue
        fsync_dir(folder)
        return target
    raise FileExistsError(f"{_MAX_SUFFIX} files named {name}[-N] already exist in {folder}")


# --------------------------------------------------------------------------------------------
# CSV
# --------------------------------------------------------------------------------------------
def neutralise_formulas(df: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of ``df`` whose text cells starting with = + - @ tab or CR get a leading ``'``.

    Only text columns (string, object, categorical) are touched; numbers stay numbers, so a
    negative number is not altered. Categorical columns come back as strings.
    """
    out = df.copy()
    for name in out.columns:
        col = out[name]
        if isinstance(col.dtype, pd.CategoricalDtype):
            col = col.astype("string")
        elif not (pd.api.types.is_string_dtype(col.dtype) or col.dtype == object):
            continue
        text = col.astype("string")
        risky = text.str.startswith(FORMULA_PREFIXES).fillna(False)
        # object columns may hold numbers; only real strings are neutralised
        if col.dtype == object:
            risky &= col.map(lambda v: isinstance(v, str)).astype(bool)
        if risky.any():
            out[name] = text.mask(risky, "'" + text)
        elif isinstance(out[name].dtype, pd.CategoricalDtype):
            out[name] = text
    return out


def iso_times(frame: pd.DataFrame) -> pd.DataFrame:
    """Return ``frame`` with every tz-aware timestamp column as ISO 8601 UTC text (``...Z``)."""
    out = frame.copy()
    for name, dtype in frame.dtypes.items():
        if isinstance(dtype, pd.DatetimeTZDtype):
            out[name] = frame[name].dt.tz_convert("UTC").dt.strftime(ISO_FORMAT).astype("string")
    return out


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    """Write ``frame`` as CSV at ``path`` the one way reportkit writes CSV; return the path.

    No index; timestamps ISO 8601 UTC; formula-like cells neutralised; ``\\n`` line ends; empty
    cells for missing values. Written to a hidden temporary file and renamed, so a reader never
    sees half a file (publishing next to earlier files is the caller's job: see the module doc).
    """
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    neutralise_formulas(iso_times(frame)).to_csv(tmp, index=False, lineterminator="\n")
    os.replace(tmp, path)
    return path


# --------------------------------------------------------------------------------------------
# JSON
# --------------------------------------------------------------------------------------------
def json_value(value: Any) -> Any:
    """Return ``value`` as plain JSON data: NA/NaN/NaT -> None, timestamps -> ISO text,
    numpy scalars -> Python numbers, containers converted item by item."""
    if value is None or isinstance(value, (str, bool)):
        return value
    if isinstance(value, Mapping):
        return {str(k): json_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [json_value(v) for v in value]
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.isoformat()
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):  # arrays and other containers: not NA as a whole
        return value
    if hasattr(value, "item"):  # numpy scalar
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def json_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Return ``frame`` as a list of JSON-ready dicts, one per row (see :func:`json_value`)."""
    return [{str(k): json_value(v) for k, v in row.items()} for row in frame.to_dict("records")]


def write_json(data: Any, path: Path, *, sort_keys: bool = False) -> Path:
    """Write ``data`` (made JSON-ready) as indented JSON at ``path`` via a temporary file; return the path."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    text = json.dumps(json_value(data), indent=2, sort_keys=sort_keys, default=str) + "\n"
    write_bytes(tmp, text.encode("utf-8"))
    os.replace(tmp, path)
    return path

"""Validation of assess parameters: rpo_days, as_of, copy_targets and accept (pure, except read_copy_targets)."""
from __future__ import annotations

import json
import numbers
from pathlib import Path
from collections.abc import Mapping, Sequence

import pandas as pd

from reportkit.errors import InputError
from reportkit.inventory import CollectionMetadata
from reportkit.regions import lookup_region
from reportkit.schema import ACCEPTED_KIND, Accept, ProtectionKind


def validate_rpo_days(rpo_days: object) -> int:
    """Return ``rpo_days`` as a positive int; raise InputError naming the parameter otherwise.

    Accepts ints and strings of digits (the CLI passes text); rejects bools, fractions, zero.
    """
    value = rpo_days
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or int(value) < 1:
        raise InputError(f"rpo_days must be a positive whole number of days (e.g. 7), got {rpo_days!r}")
    return int(value)


def resolve_as_of(as_of: pd.Timestamp | str | None, metadata: CollectionMetadata) -> pd.Timestamp:
    """Return the assessment instant in UTC: ``as_of`` if given, else the collection's finished_at.

    A naive timestamp is taken as UTC. Never reads the clock: the same inventory always gives the
    same verdicts.
    """
    value = metadata.finished_at if as_of is None else as_of
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError) as exc:
        raise InputError(f"as_of must be an ISO 8601 timestamp such as 2024-05-01T00:00:00Z, got {as_of!r}") from exc
    if stamp is pd.NaT or pd.isna(stamp):
        raise InputError(f"as_of must be an ISO 8601 timestamp such as 2024-05-01T00:00:00Z, got {as_of!r}")
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


def check_as_of_bounds(as_of: pd.Timestamp, oldest: pd.Timestamp | None, finished_at: pd.Timestamp) -> None:
    """Raise InputError (one line) unless ``oldest <= as_of <= finished_at + 1 day`` (rule book §1).

    Before the oldest data nothing is known; after the collection (plus a day of clock slack) the
    snapshot cannot say what exists. ``oldest`` is None for an inventory without timestamps.
    """
    latest = finished_at + pd.Timedelta(days=1)
    if as_of > latest:
        raise InputError(f"as_of {as_of.isoformat()} is after the snapshot (collected until "
                         f"{finished_at.isoformat()}, + 1 day): the snapshot cannot say what exists after it was taken")
    if oldest is not None and as_of < oldest:
        raise InputError(f"as_of {as_of.isoformat()} is before the oldest data in the snapshot "
                         f"({oldest.isoformat()}): nothing is known about that time")


def parse_accept(value: object, *, where: str = "accept") -> frozenset[ProtectionKind]:
    """Return the protection kinds ``value`` accepts (rule book §0); None means all three.

    ``value`` is an iterable of names or comma-separated text: ``copy`` (boot volume backup copies),
    ``group_copy`` (volume group backup copies), ``replica`` (boot volume replicas); the kind names
    themselves (``backup_copy``, ...) are accepted too. ``where`` names the option in errors. The one
    parser of --accept, the ``accept`` report parameter and ``assess(accept=)``.
    """
    if value is None:
        return frozenset(ACCEPTED_KIND.values())
    items = value.split(",") if isinstance(value, str) else list(value) if isinstance(value, (list, tuple, set,
                                                                                                  frozenset)) else None
    names = {str(a.value): k for a, k in ACCEPTED_KIND.items()} | {k.value: k for k in ProtectionKind}
    allowed = ", ".join(a.value for a in Accept)
    if items is None:
        raise InputError(f"{where} must name protection kinds ({allowed}), got {value!r}")
    kinds = set()
    for item in items:
        text = str(item).strip().lower() if isinstance(item, (str, Accept, ProtectionKind)) else None
        if not text:
            if text == "" and isinstance(value, str):
                continue
            raise InputError(f"{where}: {item!r} is not a protection kind; give one or more of {allowed}")
        if text not in names:
            raise InputError(f"{where}: {item!r} is not a protection kind; give one or more of {allowed}, "
                             "e.g. copy,replica")
        kinds.add(names[text])
    if not kinds:
        raise InputError(f"{where} names no protection kind; give one or more of {allowed}")
    return frozenset(kinds)


def resolve_region(name: str, regions: pd.DataFrame, *, what: str) -> str:
    """Return the region name for ``name`` (a name, a region key such as LHR, or a short code such as lhr).

    Raises InputError when it is not one of the tenancy's subscribed regions (``regions`` table).
    """
    if not isinstance(name, str) or not name.strip():
        raise InputError(f"copy_targets: {what} must be a region name or short code, got {name!r}")
    text = name.strip().lower()
    subscribed = [str(r) for r in regions["region"].dropna()]
    by_key = {str(k).lower(): str(r) for k, r in zip(regions["region_key"], regions["region"], strict=True)
              if pd.notna(k) and pd.notna(r)}
    resolved = text if text in subscribed else lookup_region(text, by_key)
    if resolved in subscribed:
        return resolved
    known = ", ".join(sorted(subscribed)) or "none"
    raise InputError(f"copy_targets: {what} {name!r} is not a region this tenancy subscribes to "
                     f"(subscribed: {known}); fix the copy targets file or subscribe to the region")


def resolve_copy_targets(copy_targets: Mapping[str, str | Sequence[str]] | None,
                         regions: pd.DataFrame) -> dict[str, tuple[str, ...]]:
    """Return {source region name: sorted destination region names}, validated against ``regions``.

    Each value may be one region or a list; short codes are accepted. A destination equal to its
    source, or an unsubscribed region, raises InputError.
    """
    if copy_targets is None:
        return {}
    if not isinstance(copy_targets, Mapping):
        raise InputError(f"copy_targets must map a source region to destination region(s), got {type(copy_targets).__name__}")
    out: dict[str, tuple[str, ...]] = {}
    for source, targets in copy_targets.items():
        src = resolve_region(source, regions, what="source region")
        items = [targets] if isinstance(targets, str) else list(targets or [])
        if not items:
            raise InputError(f"copy_targets: source region {source!r} has no destination region")
        dests = sorted({resolve_region(t, regions, what=f"destination of {source!r}") for t in items})
        if src in dests:
            raise InputError(f"copy_targets: {source!r} lists itself as a destination; a cross-region copy "
                             "must go to another region")
        if src in out:
            raise InputError(f"copy_targets: source region {source!r} appears twice")
        out[src] = tuple(dests)
    return out


def parse_copy_targets(value: object, *, where: str) -> dict[str, list[str]]:
    """Return {source region: [destination regions]} from a mapping, JSON text, or plain text.

    Plain text has one entry per line (or per ``;``), written ``source: dest[, dest]`` or
    ``source=dest[+dest]``; with ``=``, entries may also be separated by commas
    (``lhr=fra+ams,iad=phx``, handy on a command line). ``#`` starts a comment. Region names are
    not checked here (:func:`resolve_copy_targets` does that against the tenancy's regions);
    ``where`` names the file or parameter in error messages.
    """
    if isinstance(value, str) and value.strip().startswith("{"):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as exc:
            raise InputError(f"{where}: invalid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})") from None
    if isinstance(value, str):
        return _parse_copy_target_text(value, where=where)
    if not isinstance(value, Mapping):
        raise InputError(f"{where} must map source regions to destination regions, "
                         f"e.g. {{'uk-london-1': 'eu-frankfurt-1'}}, got {value!r}")
    out: dict[str, list[str]] = {}
    for source, dests in value.items():
        items = [dests] if isinstance(dests, str) else list(dests) if isinstance(dests, (list, tuple)) else None
        if not isinstance(source, str) or not items or not all(isinstance(d, str) and d.strip() for d in items):
            raise InputError(f"{where}: {source!r} must map to a region name or a list of them, got {dests!r}")
        out[source.strip()] = [d.strip() for d in items]
    return out


def _parse_copy_target_text(text: str, *, where: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for number, line in enumerate(text.replace(";", "\n").splitlines(), start=1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        if "=" in line:
            entries = [(src, dst.split("+")) for src, _, dst in (item.partition("=") for item in line.split(","))]
        else:
            src, sep, dst = line.partition(":")
            entries = [(src if sep else "", dst.replace("[", "").replace("]", "").split(","))]
        for src, dests in entries:
            names = [d.strip().strip("\"' ") for d in dests if d.strip().strip("\"' ")]
            if not src.strip() or not names:
                raise InputError(f"{where}, line {number}: expected 'source: destination[, ...]' or "
                                 f"'source=destination[+...]', got {line!r}")
            if src.strip() in out:
                raise InputError(f"{where}, line {number}: source region {src.strip()!r} appears twice")
            out[src.strip()] = names
    if not out:
        raise InputError(f"{where} lists no source region")
    return out


def read_copy_targets(path: str | Path) -> dict[str, list[str]]:
    """I/O (the one function here that reads a file): return the copy targets of a file.

    The file is a JSON object or ``source: dest[, dest]`` lines (:func:`parse_copy_targets`);
    anything else raises InputError naming the file (and line).
    """
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"copy targets file {path} cannot be read: {exc}") from None
    return parse_copy_targets(text, where=f"copy targets file {path}")

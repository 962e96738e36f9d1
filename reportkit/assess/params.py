"""Validation of assess parameters: rpo_days, as_of and copy_targets (pure, no I/O)."""
from __future__ import annotations

import numbers
from collections.abc import Mapping, Sequence

import pandas as pd

from reportkit.errors import InputError
from reportkit.inventory import CollectionMetadata


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
    if text in subscribed:
        return text
    if text in by_key:
        return by_key[text]
    from oci.regions import REGIONS_SHORT_NAMES  # lazy: only needed for short codes not in the inventory

    resolved = REGIONS_SHORT_NAMES.get(text, text)
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

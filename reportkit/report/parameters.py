"""Report parameters: what each notebook accepts, checked and normalised before any kernel starts.

:data:`PARAMETERS` must match each notebook's tagged ``parameters`` cell (a test checks). The value
checks (:func:`check_rpo_days`, :func:`check_as_of`, :func:`check_copy_targets`) are also what the
CLI applies to ``--rpo-days``, ``--as-of`` and ``--copy-targets``, so a value is refused the same
way, in one line, wherever it is given.
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from reportkit.errors import InputError

#: Parameters reportkit sets itself (where the notebook writes its CSV/JSON files).
INTERNAL_PARAMETERS = ("output_dir", "output_stem")
#: Largest RPO accepted: ten years. Beyond it no backup is ever stale, and day counts near pandas'
#: Timedelta limit (106,751 days) overflow.
MAX_RPO_DAYS = 3650
#: The instants an ``as_of`` may name: OCI did not exist before the first, and the arithmetic of an
#: assessment (as_of minus the RPO, ages in days) stays far inside pandas' nanosecond range.
EARLIEST_AS_OF = pd.Timestamp("1970-01-01", tz="UTC")
LATEST_AS_OF = pd.Timestamp("2200-01-01", tz="UTC")


def _int(minimum: int, maximum: int) -> Callable[[str, Any], int]:
    def check(name: str, value: Any) -> int:
        number = value
        if isinstance(value, str) and re.fullmatch(r"\s*[0-9]{1,12}\s*", value):  # ASCII digits: not '²'
            number = int(value)
        if isinstance(number, bool) or not isinstance(number, int) or not minimum <= number <= maximum:
            raise InputError(f"{name} must be a whole number from {minimum} to {maximum:,}, got {value!r}")
        return number
    return check


def check_rpo_days(value: Any, *, name: str = "rpo_days") -> int:
    """Return ``value`` (an int or ASCII digits) as a number of days from 1 to :data:`MAX_RPO_DAYS`;
    raise InputError naming ``name`` otherwise."""
    return _int(1, MAX_RPO_DAYS)(name, value)


def check_as_of(value: Any, *, name: str = "as_of") -> str:
    """Return ``value`` (ISO 8601; a naive time is UTC) as UTC ISO text; raise InputError naming ``name``
    when it is not a time or lies outside [:data:`EARLIEST_AS_OF`, :data:`LATEST_AS_OF`)."""
    try:
        stamp = pd.Timestamp(value) if isinstance(value, (str, pd.Timestamp)) else None
    except (TypeError, ValueError, OverflowError):
        stamp = None
    if stamp is None or pd.isna(stamp):
        raise InputError(f"{name} must be an ISO date or time such as 2026-11-01 or 2026-11-01T00:00Z, got {value!r}")
    try:
        stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
        inside = EARLIEST_AS_OF <= stamp < LATEST_AS_OF
    except (OverflowError, ValueError):
        inside = False
    if not inside:
        raise InputError(f"{name} {value!r} is outside {EARLIEST_AS_OF:%Y-%m-%d} .. {LATEST_AS_OF:%Y-%m-%d}; "
                         "give the instant to judge, e.g. 2026-11-01")
    return stamp.as_unit("ns").isoformat()


def _no_duplicate_keys(where: str) -> Callable[[list[tuple[str, Any]]], dict[str, Any]]:
    def pairs_to_dict(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in pairs:
            if key in out:
                raise InputError(f"{where}: {key!r} appears twice; list every destination of a source once, "
                                 'e.g. {"lhr": ["fra", "ams"]}')
            out[key] = value
        return out
    return pairs_to_dict


def check_copy_targets(value: Any, *, where: str) -> dict[str, list[str]]:
    """Return {source region: [destination regions]} from a mapping, JSON text or ``src=dst`` text.

    Like :func:`reportkit.assessment.parse_copy_targets`, but JSON text with a key given twice is
    refused (``json.loads`` would silently keep the last one and drop a destination).
    """
    from reportkit.assessment.params import parse_copy_targets

    if isinstance(value, str) and value.strip().startswith("{"):
        try:
            value = json.loads(value, object_pairs_hook=_no_duplicate_keys(where))
        except json.JSONDecodeError as exc:
            raise InputError(f"{where}: invalid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})") from None
    return parse_copy_targets(value, where=where)


def read_copy_targets_file(path: str | Path) -> dict[str, list[str]]:
    """Return the copy targets of a file (JSON object or ``source: dest`` lines); InputError naming the file."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"copy targets file {path} cannot be read: {exc}") from None
    return check_copy_targets(text, where=f"copy targets file {path}")


def _text(name: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"parameter {name!r} must be a non-empty text, got {value!r}")
    return value


def _optional(check: Callable[[str, Any], Any]) -> Callable[[str, Any], Any]:
    def optional(name: str, value: Any) -> Any:
        if value is None or (isinstance(value, str) and value.strip().lower() in ("", "none", "null")):
            return None
        return check(name, value)
    return optional


def _timestamp(name: str, value: Any) -> str:
    return check_as_of(value, name=f"parameter {name!r}")


def _month(name: str, value: Any) -> str:
    text = str(value).strip() if isinstance(value, str) else None
    if not text or not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", text):
        raise InputError(f"parameter {name!r} must be a month written YYYY-MM (e.g. 2025-06), got {value!r}")
    return text


def _copy_targets(name: str, value: Any) -> dict[str, list[str]]:
    """Accept a mapping, JSON text, or ``src=dst[+dst2],src2=dst`` text; return region -> [regions]."""
    return check_copy_targets(value, where=f"parameter {name!r}")


def _rpo_days(name: str, value: Any) -> int:
    return check_rpo_days(value, name=f"parameter {name!r}")


def _top_n(name: str, value: Any) -> int:
    return _int(1, 100_000)(f"parameter {name!r}", value)


def _accept(name: str, value: Any) -> list[str]:
    """Accept a list or comma-separated text of protection kinds (copy, group_copy, replica); return the
    accepted names, sorted (the one parser of --accept, :func:`reportkit.assessment.parse_accept`)."""
    from reportkit.assessment.params import parse_accept
    from reportkit.schema import ACCEPTED_KIND

    kinds = parse_accept(value, where=f"parameter {name!r}")
    return sorted(a.value for a, kind in ACCEPTED_KIND.items() if kind in kinds)


def _snapshot(name: str, value: Any) -> str:
    text = _text(name, value)
    if text == "latest":
        return text
    path = Path(text).expanduser()
    if not path.exists():
        raise InputError(f"parameter {name!r}: snapshot folder {text!r} does not exist; "
                         "run `reportkit collect` first or pass --snapshot latest")
    return str(path.resolve())


def _folder(name: str, value: Any) -> str:
    path = Path(_text(name, value)).expanduser()
    if not path.is_dir():
        raise InputError(f"parameter {name!r}: folder {str(path)!r} does not exist; "
                         "it should be the snapshots folder written by `reportkit collect`")
    return str(path.resolve())


def _choice(enum_values: Callable[[], list[str]]) -> Callable[[str, Any], str]:
    def check(name: str, value: Any) -> str:
        allowed = enum_values()
        if value not in allowed:
            raise InputError(f"parameter {name!r} must be one of {', '.join(allowed)}; got {value!r}")
        return str(value)
    return check


def _enum_values(enum_name: str) -> Callable[[], list[str]]:
    def values() -> list[str]:
        from reportkit import schema

        return [v.value for v in getattr(schema, enum_name)]
    return values


_COMMON = {"title": _text, "image_overrides": _optional(_text), "output_dir": _optional(_text),
           "output_stem": _optional(_text)}

#: kind -> parameter name -> validator (name, value) -> normalised value. Must match each
#: notebook's parameters cell (a test checks).
PARAMETERS: dict[str, dict[str, Callable[[str, Any], Any]]] = {
    "coverage": {
        "snapshot": _snapshot, "rpo_days": _rpo_days, "copy_targets": _optional(_copy_targets),
        "as_of": _optional(_timestamp), "accept": _optional(_accept), "top_n": _top_n, **_COMMON,
    },
    "monthly": {
        "month": _optional(_month), "history": _optional(_folder), "tenancy": _optional(_text), "rpo_days": _rpo_days,
        "copy_targets": _optional(_copy_targets), "as_of": _optional(_timestamp), "top_n": _top_n, **_COMMON,
    },
    "explore": {
        "snapshot": _snapshot, "rpo_days": _rpo_days, "as_of": _optional(_timestamp),
        "copy_targets": _optional(_copy_targets), "accept": _optional(_accept), "region": _optional(_text),
        "compartment": _optional(_text),
        "image_class": _optional(_choice(_enum_values("ImageClass"))),
        "status": _optional(_choice(_enum_values("CoverageStatus"))),
        "boot_volume_id": _optional(_text), "top_n": _top_n, **_COMMON,
    },
}


def validate_parameters(kind: str, parameters: Mapping[str, Any]) -> dict[str, Any]:
    """Return ``parameters`` checked and normalised for report ``kind``; raise InputError naming the bad one.

    Strings from the command line are converted (``"7"`` -> 7); wrong types are refused
    (``rpo_days="seven"``), as are names the notebook does not declare.
    """
    if kind not in PARAMETERS:
        raise InputError(f"unknown report {kind!r}; choose one of {', '.join(PARAMETERS)}")
    spec = PARAMETERS[kind]
    unknown = sorted(set(parameters) - set(spec))
    if unknown:
        known = ", ".join(n for n in spec if n not in INTERNAL_PARAMETERS)
        raise InputError(f"the {kind} report has no parameter {', '.join(map(repr, unknown))}; known: {known}")
    return {name: spec[name](name, value) for name, value in parameters.items()}

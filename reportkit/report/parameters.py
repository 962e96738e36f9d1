"""Report parameters: what each notebook accepts, checked and normalised before any kernel starts.

:data:`PARAMETERS` must match each notebook's tagged ``parameters`` cell (a test checks).
"""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from reportkit.errors import InputError

#: Parameters reportkit sets itself (where the notebook writes its CSV/JSON files).
INTERNAL_PARAMETERS = ("output_dir", "output_stem")


def _int(minimum: int) -> Callable[[str, Any], int]:
    def check(name: str, value: Any) -> int:
        if isinstance(value, bool):
            raise InputError(f"parameter {name!r} must be a whole number, got {value!r}")
        if isinstance(value, str) and re.fullmatch(r"\s*\d+\s*", value):
            value = int(value)
        if not isinstance(value, int):
            raise InputError(f"parameter {name!r} must be a whole number, got {value!r}; e.g. -p {name} 7")
        if value < minimum:
            raise InputError(f"parameter {name!r} must be at least {minimum}, got {value}")
        return value
    return check


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
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError) as exc:
        raise InputError(f"parameter {name!r} must be an ISO date or time such as 2025-06-30T00:00Z, "
                         f"got {value!r}") from exc
    if pd.isna(stamp):
        raise InputError(f"parameter {name!r} must be an ISO date or time, got {value!r}")
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    return stamp.isoformat()


def _month(name: str, value: Any) -> str:
    text = str(value).strip() if isinstance(value, str) else None
    if not text or not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", text):
        raise InputError(f"parameter {name!r} must be a month written YYYY-MM (e.g. 2025-06), got {value!r}")
    return text


def _copy_targets(name: str, value: Any) -> dict[str, list[str]]:
    """Accept a mapping, JSON text, or ``src=dst[+dst2],src2=dst`` text; return region -> [regions]."""
    from reportkit.assessment.params import parse_copy_targets

    return parse_copy_targets(value, where=f"parameter {name!r}")


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
        "snapshot": _snapshot, "rpo_days": _int(1), "copy_targets": _optional(_copy_targets),
        "as_of": _optional(_timestamp), "accept": _optional(_accept), "top_n": _int(1), **_COMMON,
    },
    "monthly": {
        "month": _optional(_month), "history": _optional(_folder), "tenancy": _optional(_text), "rpo_days": _int(1),
        "copy_targets": _optional(_copy_targets), "top_n": _int(1), **_COMMON,
    },
    "explore": {
        "snapshot": _snapshot, "rpo_days": _int(1), "accept": _optional(_accept), "region": _optional(_text),
        "compartment": _optional(_text),
        "image_class": _optional(_choice(_enum_values("ImageClass"))),
        "status": _optional(_choice(_enum_values("CoverageStatus"))),
        "boot_volume_id": _optional(_text), "top_n": _int(1), **_COMMON,
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

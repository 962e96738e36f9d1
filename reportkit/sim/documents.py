"""Tenancy documents (format: docs/sim.md): the empty one, loading one by name or file, validation, iteration."""
from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from reportkit.errors import InputError

# the models import this module (to validate what they load), so it imports nothing from them
WireDict = dict[str, Any]

#: sections keyed by region name, each a list of records of that region
REGIONAL_SECTIONS = ("images", "bootVolumes", "bootVolumeBackups", "volumeBackupPolicies",
                     "volumeBackupPolicyAssignments", "vaultKeys")
#: tenancy-wide sections, each a list of records with an ``id``
GLOBAL_SECTIONS = ("compartments", "policies", "marketplaceListings")


def empty_document() -> WireDict:
    """Return the smallest valid tenancy document (one home region, nothing in it)."""
    return {
        "schemaVersion": 1,
        "asOf": "2026-11-01T00:00:00.000Z",
        "tenancy": {"id": "ocid1.tenancy.oc1..aaaaaaaasimempty", "name": "empty", "homeRegionKey": "LHR"},
        "regionSubscriptions": [
            {"regionKey": "LHR", "regionName": "uk-london-1", "status": "READY", "isHomeRegion": True}],
    }


def load_document(source: str) -> WireDict:
    """Return the tenancy document named by ``source``: ``demo`` (the built-in demo tenancy) or a JSON file.

    Raises :class:`InputError` (one line naming the source) for a missing or unreadable file; the
    document itself is validated when a backend loads it.
    """
    if source == "demo":
        from reportkit.sim.demo import build_demo_tenancy

        return build_demo_tenancy()
    path = Path(source)
    if not path.is_file():
        raise InputError(f"--tenancy {source}: no such file; pass 'demo' or a tenancy document JSON file")
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise InputError(f"--tenancy {source}: not a readable JSON file ({exc})") from exc


def home_region(doc: WireDict) -> str:
    """The home region's name (``uk-london-1`` when the document names none)."""
    return next((s["regionName"] for s in doc.get("regionSubscriptions", []) if s.get("isHomeRegion")),
                None) or "uk-london-1"


def validate_document(doc: Any) -> None:
    """Check a tenancy document's shape; raise :class:`InputError` saying what is wrong and where."""
    if not isinstance(doc, dict):
        raise InputError(f"tenancy document must be a JSON object, got {type(doc).__name__}")
    if doc.get("schemaVersion", 1) != 1:
        raise InputError(f"tenancy document schemaVersion {doc.get('schemaVersion')!r} is not supported (expected 1)")
    tenancy = doc.get("tenancy")
    if not isinstance(tenancy, dict) or not tenancy.get("id"):
        raise InputError("tenancy document: 'tenancy' must be an object with an 'id'")
    subs = doc.get("regionSubscriptions", [])
    if not isinstance(subs, list) or any(not isinstance(s, dict) or not s.get("regionName") for s in subs):
        raise InputError("tenancy document: 'regionSubscriptions' must be a list of objects with 'regionName'")
    for key in GLOBAL_SECTIONS:
        items = doc.get(key, [])
        if not isinstance(items, list) or any(not isinstance(i, dict) or not i.get("id") for i in items):
            raise InputError(f"tenancy document: '{key}' must be a list of objects each with an 'id'")
    for key in REGIONAL_SECTIONS:
        section = doc.get(key, {})
        if not isinstance(section, dict):
            raise InputError(f"tenancy document: '{key}' must be an object keyed by region name")
        for region, items in section.items():
            if not isinstance(items, list):
                raise InputError(f"tenancy document: '{key}.{region}' must be a list")
            if key not in ("vaultKeys", "volumeBackupPolicyAssignments"):
                bad = [i for i in items if not isinstance(i, dict) or not i.get("id")]
                if bad:
                    raise InputError(f"tenancy document: every item of '{key}.{region}' needs an 'id'")
    if "asOf" in doc:
        try:
            _parse_time(str(doc["asOf"]))
        except ValueError as exc:
            raise InputError(f"tenancy document: 'asOf' is not an RFC3339 time: {doc['asOf']!r}") from exc


def _parse_time(value: str) -> None:
    from reportkit.sim.models.base import parse_time

    parse_time(value)


def iter_models(doc: WireDict) -> Iterable[tuple[str, WireDict]]:
    """Yield (section, record) for every resource record of a document (for tests and tools)."""
    yield "tenancy", doc["tenancy"]
    for key in ("regionSubscriptions", *GLOBAL_SECTIONS):
        for item in doc.get(key, []):
            yield key, item
    for key in REGIONAL_SECTIONS:
        if key == "vaultKeys":
            continue
        for items in doc.get(key, {}).values():
            for item in items:
                yield key, item

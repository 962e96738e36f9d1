"""Region keys and names: ``lhr``, ``LHR`` and ``uk-london-1`` are the same region.

The one place reportkit maps between them (collect, assess, iam, plan and the fake all use it).

The table is the OCI SDK's ``oci.regions.REGIONS_SHORT_NAMES`` (key -> region identifier), loaded
on first use because importing ``oci`` costs about half a second.
"""
from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

from reportkit.errors import InputError


@lru_cache(maxsize=1)
def _tables() -> tuple[dict[str, str], dict[str, str]]:
    import oci.regions  # lazily: only commands that compare regions pay for the import

    key_to_name = {k.lower(): v.lower() for k, v in oci.regions.REGIONS_SHORT_NAMES.items()}
    name_to_key = {v: k for k, v in key_to_name.items()}
    for name in getattr(oci.regions, "REGIONS", ()):
        name_to_key.setdefault(name.lower(), name.lower())
    return key_to_name, name_to_key


def region_key(text: str) -> str | None:
    """Return the lower-case 3-letter key for a key or region name (any case), or None if unknown."""
    value = text.strip().lower()
    key_to_name, name_to_key = _tables()
    if value in key_to_name:
        return value
    return name_to_key.get(value)


def region_name(key: str) -> str:
    """Return the region identifier (``uk-london-1``) for a key, or the key itself if unknown."""
    return _tables()[0].get(key.lower(), key.lower())


def lookup_region(text: str, keys: Mapping[str, str] | None = None) -> str:
    """Return the region name ``text`` designates: a name as is, else a key of the tenancy's own
    ``keys`` (region key -> name, any case; ListRegionSubscriptions knows keys the SDK may not), else
    a key of the SDK's table. Unknown text comes back stripped and lower-cased; callers check it
    against the regions they accept."""
    value = str(text).strip().lower()
    own = {str(k).strip().lower(): v for k, v in (keys or {}).items()}
    return own.get(value) or region_name(value)


def resolve_region(text: str) -> tuple[str, str]:
    """Return ``(key, name)`` for a region given as key or name; raise InputError if unknown."""
    key = region_key(text)
    if key is None:
        raise InputError(f"unknown region {text!r}: give a region key such as 'lhr' or a name such as "
                         f"'uk-london-1' (known regions come from oci.regions.REGIONS_SHORT_NAMES)")
    return key, region_name(key)

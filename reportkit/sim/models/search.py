"""Resource Search in the fake: structured queries for boot volumes and boot volume backups, cached per state."""
from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING

from reportkit.sim.exceptions import InvalidParameter, MissingParameter
from reportkit.sim.models.base import Record, WireDict

if TYPE_CHECKING:
    from reportkit.sim.models.backend import RegionBackend, SimBackend

_QUERY = re.compile(
    r"^\s*query\s+(?P<types>[a-z]+(?:\s*,\s*[a-z]+)*)\s+resources"
    r"(?:\s+where\s+lifecycleState\s*=\s*'(?P<state>[^']*)')?\s*$", re.IGNORECASE)
_SEARCH_TYPES = {"bootvolumebackup": ("boot_volume_backups", "BootVolumeBackup"),
                 "bootvolume": ("boot_volumes", "BootVolume")}


class SearchBackend:
    """SearchResources (structured), region-scoped, over what the auditing user can read."""

    def __init__(self, sim: SimBackend) -> None:
        self.sim = sim
        self._cache: dict[tuple, list[WireDict]] = {}

    def clear_cache(self) -> None:
        self._cache.clear()

    def search_resources(self, region: str, query: str | None) -> list[WireDict]:
        """Structured search, region-scoped, only resources the auditing user can read.

        ``query bootvolume, bootvolumebackup resources`` (OCI's grammar: several types separated by
        commas) returns the types in the order given. The result list is built once per (region,
        query, state version, simulated time) and served from a cache, so paging through it costs
        O(page), as a real search index would; callers must not mutate it.
        """
        with self.sim.lock:
            backend = self.sim.region(region)
            if not query:
                raise MissingParameter("query is required.")
            match = _QUERY.match(query)
            kinds = [t.strip().lower() for t in match.group("types").split(",")] if match else []
            if not kinds or any(k not in _SEARCH_TYPES for k in kinds):
                raise InvalidParameter(
                    f"Unsupported query {query!r}: the fake understands 'query bootvolumebackup resources', "
                    "'query bootvolume resources' and 'query bootvolume, bootvolumebackup resources', "
                    "optionally with \"where lifecycleState = '...'\".")
            assert match is not None
            state = match.group("state")
            now = self.sim.clock.now
            key = (region, tuple(dict.fromkeys(kinds)), state.upper() if state is not None else None,
                   self.sim.state_version, now,
                   len(backend.boot_volume_backups), len(backend.boot_volumes))
            cached = self._cache.get(key)
            if cached is None:
                cached = self._search(backend, key[1], key[2], now)
                if len(self._cache) > 256:  # a run asks a handful of queries; bound the memory anyway
                    self._cache.clear()
                self._cache[key] = cached
            return cached

    def _search(self, backend: RegionBackend, kinds: tuple[str, ...], state: str | None,
                now: datetime) -> list[WireDict]:
        denied = self.sim.denied()
        out = []
        for kind in kinds:
            attr, rtype = _SEARCH_TYPES[kind]
            records: dict[str, Record] = getattr(backend, attr)
            for rec in records.values():  # the region's order, as before the cache
                if rec.compartment_id in denied:
                    continue
                item = rec.to_dict(now)
                if state and str(item.get("lifecycleState", "")).upper() != state:
                    continue
                summary = {
                    "resourceType": rtype,
                    "identifier": item["id"],
                    "compartmentId": item.get("compartmentId"),
                    "timeCreated": item.get("timeCreated"),
                    "displayName": item.get("displayName"),
                    "availabilityDomain": item.get("availabilityDomain"),
                    "lifecycleState": item.get("lifecycleState"),
                    "freeformTags": item.get("freeformTags", {}),
                    "definedTags": item.get("definedTags", {}),
                    "systemTags": item.get("systemTags", {}),
                    "identityContext": {},
                    "additionalDetails": {},
                }
                out.append({k: v for k, v in summary.items() if v is not None})
        return out

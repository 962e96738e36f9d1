"""The Resource Search pre-filter (``use_search``): which compartments a list must still run in (mixed into
:class:`~reportkit.collection.readers.Collection`)."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reportkit.collection import wire
from reportkit.collection.calls import CallFailed, Stopped

#: per list operation, the structured query (one per region) that finds the compartments holding
#: its resources; volumes first, so that their assignment calls start as early as possible
SEARCHES = {"ListBootVolumes": "query bootvolume resources",
            "ListBootVolumeBackups": "query bootvolumebackup resources"}


class SearchReaders:
    """``search_region`` and what it did (``search_parameters``); state lives on the Collection."""

    caller: Any
    searched: set[tuple[str, str]]
    search_fallbacks: dict[str, list[str]]
    skipped: dict[tuple[str, str], set[str]]
    bar: Any
    _lock: Any
    _units_done: int

    def search_region(self, region: str, operation: str, compartments: Sequence[str], vouched: set[str]) -> None:
        """Page through the Resource Search for ``operation``'s resource type in ``region``, then run
        ``operation`` only in the compartments the search cannot vouch empty: those with a hit, plus
        every compartment not in ``vouched`` (the root, and compartments ListCompartments did not
        mark accessible: search is silent where we cannot read, so only a direct list can show
        that gap as an ``errors`` row).

        Any failure of the search (after the caller's retries), or an answer we cannot read (a page of
        the wrong shape, a hit without a compartment), means it vouches for nothing: ``operation``
        runs in every compartment and the reason is recorded.
        """
        query = SEARCHES[operation]
        body = {"type": "Structured", "query": query, "matchingContextType": "NONE"}
        try:
            hits: set[str] = set()
            for page in self.caller.pages("search", region, "SearchResources", "/resources", {},
                                          method="POST", body=body, wrapped=True):
                for item in page:
                    values, problems = wire.check(wire.SEARCH_RESULT, item)
                    if values is None or problems:
                        raise CallFailed("SearchResources", 200, "WrongShape",
                                         f"a search result without a usable identifier or compartmentId", None)
                    hits.add(values["compartmentId"])
        except Stopped:
            raise
        except Exception as exc:  # noqa: BLE001 - a failed pre-filter costs requests, never data
            reason = (f"{exc.http_status or ''} {exc.code}: {exc.message}".strip() if isinstance(exc, CallFailed)
                      else f"{type(exc).__name__}: {str(exc)[:200]}")
            with self._lock:
                self.search_fallbacks.setdefault(region, []).append(f"{query}: {reason}")
            self.list_region(region, operation, compartments)
            return
        listed = [cid for cid in compartments if cid in hits or cid not in vouched]
        skipped = set(compartments) - set(listed)
        with self._lock:
            self.searched.add((region, operation))
            self.skipped[(region, operation)] = skipped
            self._units_done += len(skipped)
            if self.bar is not None and skipped:
                self.bar.update(len(skipped))
        self.list_region(region, operation, listed)

    def search_parameters(self, enabled: bool, regions: Sequence[str]) -> dict[str, Any]:
        """What the pre-filter did, for ``CollectionMetadata.parameters["search"]``:
        regions whose searches all succeeded, fallback regions with the reasons, and per region
        the compartments where neither list ran (``compartments_skipped``) and the list calls
        not made (``lists_skipped``)."""
        if not enabled:
            return {"enabled": False}
        both: dict[str, int] = {}
        lists: dict[str, int] = {}
        for region in regions:
            sets = [self.skipped.get((region, op)) for op in SEARCHES]
            lists[region] = sum(len(x) for x in sets if x)
            both[region] = len(set.intersection(*sets)) if all(x is not None for x in sets) else 0
        return {"enabled": True, "queries": list(SEARCHES.values()),
                "regions_searched": sorted(r for r in regions if all((r, op) in self.searched for op in SEARCHES)),
                "fallback_regions": {r: "; ".join(v) for r, v in sorted(self.search_fallbacks.items())},
                "compartments_skipped": both, "compartments_skipped_total": sum(both.values()),
                "lists_skipped": lists, "lists_skipped_total": sum(lists.values())}

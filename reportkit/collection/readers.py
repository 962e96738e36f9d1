"""One collection run's state and its readers: a method per OCI list or get, each turning pages into rows.

The run (:mod:`reportkit.collection.run`) queues the readers on the region scheduler; each reader
appends rows (built by name, :mod:`~reportkit.collection.rows`) and queues the follow-up reads its
answers imply (a boot volume's policy assignment, a new image, a Marketplace listing). Failures
never stop the run: each becomes one ``errors`` row.
"""
from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import quote

import pandas as pd

from reportkit.collection import rows as R
from reportkit.collection.calls import CallFailed, OciCaller
from reportkit.collection.options import utc_now
from reportkit.collection.pacing import RegionScheduler
from reportkit.regions import region_name
from reportkit.schema import INVENTORY_TABLES

_NO_POLICY_STATES = {"TERMINATING", "TERMINATED"}

#: per list operation, the structured query (one per region) that finds the compartments holding
#: its resources; volumes first, so that their assignment calls start as early as possible
SEARCHES = {"ListBootVolumes": "query bootvolume resources",
            "ListBootVolumeBackups": "query bootvolumebackup resources"}


class Collection:
    """One run's state: rows per table, errors, de-duplication sets, progress."""

    def __init__(self, caller: OciCaller, *, workers: int, per_region: int, progress: bool,
                 clock: Callable[[], pd.Timestamp] = utc_now) -> None:
        self.caller = caller
        self.clock = clock
        self.rows: dict[str, list[tuple]] = {name: [] for name in INVENTORY_TABLES}
        self.images: dict[str, dict[str, Any]] = {}
        self._image_region: dict[str, str] = {}
        self._policies: set[tuple[str, str]] = set()
        self._lock = threading.Lock()
        self._open: Counter = Counter()
        self._units_done = 0
        self._region_open: Counter = Counter()
        self.regions_done: set[str] = set()
        self.list_ok = 0
        self.scheduler = RegionScheduler(workers, per_region, self._crashed, pacer=caller.pacer)
        caller.prepaid = self.scheduler.prepaid
        self.progress = progress
        self.bar: Any = None
        self.ready_regions: set[str] = set()
        self.key_to_region: dict[str, str] = {}
        self.lists_made = 0
        # Resource Search pre-filter: what it did per region (see search_region)
        self.searched: set[tuple[str, str]] = set()  # (region, list operation) vouched by a search
        self.search_fallbacks: dict[str, list[str]] = {}
        self.skipped: dict[tuple[str, str], set[str]] = {}  # (region, list operation) -> compartments

    # ------------------------------------------------------------------------------ plumbing
    def submit(self, region: str, unit: tuple[str, ...] | None, operation: str, fn: Callable[..., None],
               *args: Any, compartment: str | None = None, resource: str | None = None) -> None:
        with self._lock:
            if unit is not None:
                self._open[unit] += 1
            self._region_open[region] += 1
        self.scheduler.submit(region, self._run, region, unit, operation, compartment, resource, fn, args,
                              stream=operation)

    def _run(self, region: str, unit: tuple[str, ...] | None, operation: str, compartment: str | None,
             resource: str | None, fn: Callable[..., None], args: tuple) -> None:
        try:
            fn(*args)
        except CallFailed as exc:
            self.error(region, compartment, exc.operation, resource, exc.http_status, exc.code, exc.message,
                       exc.opc_request_id)
        except Exception as exc:  # noqa: BLE001 - a bug on one record must not lose the run; it is recorded
            self.error(region, compartment, operation, resource, None, type(exc).__name__, str(exc)[:300], None)
        finally:
            self._finished(region, unit)

    def _finished(self, region: str, unit: tuple[str, ...] | None) -> None:
        with self._lock:
            if unit is not None:
                self._open[unit] -= 1
                if self._open[unit] == 0:
                    self._units_done += 1
                    if self.bar is not None:
                        self.bar.update(1)
            self._region_open[region] -= 1
            if self._region_open[region] == 0:
                self.regions_done.add(region)
            if self.bar is not None:
                stats = self.caller.stats
                self.bar.set_postfix_str(
                    f"regions {len(self.regions_done)}/{len(self.ready_regions)} "
                    f"backups {len(self.rows['backups'])} volumes {len(self.rows['boot_volumes'])} "
                    f"calls {stats['calls']} retries {stats['retries']} errors {len(self.rows['errors'])}",
                    refresh=False)

    def _crashed(self, region: Any, exc: BaseException) -> None:
        self.error(str(region), None, "internal", None, None, type(exc).__name__, str(exc)[:300], None)

    def error(self, region: str | None, compartment: str | None, operation: str, resource: str | None,
              status: int | None, code: str | None, message: str | None, request_id: str | None) -> None:
        self.rows["errors"].append(R.error_row(
            region=region, compartment_id=compartment, operation=operation, resource_id=resource, http_status=status,
            code=code, message=message, opc_request_id=request_id, time=self.clock().isoformat()))

    # ------------------------------------------------------------------------------ readers
    def list_region(self, region: str, operation: str, compartments: Sequence[str]) -> None:
        """Queue ``operation`` (ListBootVolumeBackups or ListBootVolumes) for each compartment."""
        reader = self.list_volumes if operation == "ListBootVolumes" else self.list_backups
        with self._lock:
            self.lists_made += len(compartments)
        for cid in compartments:
            self.submit(region, (region, cid, operation), operation, reader, region, cid, compartment=cid)

    def search_region(self, region: str, operation: str, compartments: Sequence[str], vouched: set[str]) -> None:
        """Page through the Resource Search for ``operation``'s resource type in ``region``, then run
        ``operation`` only in the compartments the search cannot vouch empty: those with a hit, plus
        every compartment not in ``vouched`` (the root, and compartments ListCompartments did not
        mark accessible: search is silent where we cannot read, so only a direct list can show
        that gap as an ``errors`` row).

        Any failure of the search (after the caller's retries), or an answer we cannot read, means
        it vouches for nothing: ``operation`` runs in every compartment and the reason is recorded.
        """
        query = SEARCHES[operation]
        body = {"type": "Structured", "query": query, "matchingContextType": "NONE"}
        try:
            hits: set[str] = set()
            for page in self.caller.pages("search", region, "SearchResources", "/resources", {},
                                          method="POST", body=body):
                hits.update(str(item["compartmentId"]) for item in page if item.get("compartmentId"))
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

    def list_backups(self, region: str, compartment: str) -> None:
        for page in self.caller.pages("blockstorage", region, "ListBootVolumeBackups", "/bootVolumeBackups",
                                      {"compartmentId": compartment}):
            self.rows["backups"].extend(R.backup_row(item, region) for item in page)
            for item in page:
                self.note_image(item.get("imageId"), region)
        with self._lock:
            self.list_ok += 1

    def list_volumes(self, region: str, compartment: str) -> None:
        unit = (region, compartment, "ListBootVolumes")  # its assignment calls finish the same unit
        for page in self.caller.pages("blockstorage", region, "ListBootVolumes", "/bootVolumes",
                                      {"compartmentId": compartment}):
            self.rows["boot_volumes"].extend(R.boot_volume_row(item, region, self.key_to_region) for item in page)
            for item in page:
                self.note_image(item.get("imageId"), region)
                if item.get("lifecycleState") not in _NO_POLICY_STATES and item.get("id"):
                    self.submit(region, unit, "GetVolumeBackupPolicyAssetAssignment", self.assignment, region,
                                item["id"], compartment=compartment, resource=item["id"])
        with self._lock:
            self.list_ok += 1

    def assignment(self, region: str, volume_id: str) -> None:
        for page in self.caller.pages("blockstorage", region, "GetVolumeBackupPolicyAssetAssignment",
                                      "/volumeBackupPolicyAssignments", {"assetId": volume_id}):
            for item in page:
                self.rows["policy_assignments"].append(R.assignment_row(item, region))
                policy = item.get("policyId")
                with self._lock:
                    new = policy and (region, policy) not in self._policies
                    if new:
                        self._policies.add((region, policy))
                if new:
                    self.submit(region, None, "GetVolumeBackupPolicy", self.policy, region, policy, resource=policy)

    def policy(self, region: str, policy_id: str) -> None:
        data, _ = self.caller.call("blockstorage", region, "GetVolumeBackupPolicy",
                                   f"/volumeBackupPolicies/{quote(policy_id, safe='')}")
        self.rows["backup_policies"].append(R.backup_policy_row(data, region))

    def note_image(self, image_id: str | None, referenced_in: str) -> None:
        """Queue one GetImage per distinct image OCID (see the module docstring for the region rule)."""
        if not image_id:
            return
        with self._lock:
            if image_id in self._image_region:
                return
            region = self.image_region(image_id, referenced_in)
            self._image_region[image_id] = region
        self.submit(region, None, "GetImage", self.image, region, image_id, resource=image_id)

    def image_region(self, image_id: str, referenced_in: str) -> str:
        parts = image_id.split(".")
        if len(parts) >= 5 and parts[3]:
            named = region_name(parts[3])
            if named in self.ready_regions:
                return named
        return referenced_in

    def image(self, region: str, image_id: str) -> None:
        try:
            data, _ = self.caller.call("compute", region, "GetImage", f"/images/{quote(image_id, safe='')}")
        except CallFailed as exc:
            status = "not_found" if exc.http_status == 404 else "error"
            with self._lock:
                self.images[image_id] = R.image_row(None, image_id, region, status)
            if status == "error":
                raise
            # 404 = deleted or not visible: a fact about the image (lookup_status), not a failed read
            self.submit(region, None, "ListListings", self.listing, region, image_id, resource=image_id)
            return
        with self._lock:
            self.images[image_id] = R.image_row(data, image_id, region, "ok")
        base = data.get("baseImageId")
        if base:
            self.note_image(base, region)
        elif not data.get("compartmentId"):
            self.submit(region, None, "ListListings", self.listing, region, image_id, resource=image_id)

    def listing(self, region: str, image_id: str) -> None:
        for page in self.caller.pages("marketplace", region, "ListListings", "/listings", {"imageId": image_id}):
            if page:
                with self._lock:
                    R.add_listing(self.images[image_id], page[0])
                return

    def iam_policies(self, region: str, compartment: str) -> None:
        for page in self.caller.pages("identity", region, "ListPolicies", "/policies", {"compartmentId": compartment}):
            for item in page:
                self.rows["iam_policies"].extend(R.iam_policy_rows(item))

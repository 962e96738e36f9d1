"""The collection run: discovery, then every (region, compartment) read in parallel.

Request plan (what a tenancy of R regions and C compartments costs):
- discovery: GetTenancy + ListRegionSubscriptions (auth region), ListCompartments once for the
  whole tree (home region, ``compartmentIdInSubtree=true``, ``accessLevel=ANY``);
- per region, with the search pre-filter on (``use_search=True`` / ``--search``; off by default):
  two Resource Searches, ``query bootvolume resources`` then ``query bootvolumebackup resources``
  (SearchResources, limit 1000, every page);
- per region x compartment: ListBootVolumeBackups and ListBootVolumes (limit 1000, every page).
  With the pre-filter, each only in the compartments its search cannot vouch empty: those with a
  hit of that type, the root, and every compartment ListCompartments does not mark
  ``isAccessible: true`` (search shows nothing where we cannot read, so those are listed and their
  failure is an ``errors`` row). Volumes are searched first: their listings feed the assignment
  calls, the largest per-region stream. A failed search means that list in every compartment of
  the region (recorded in ``parameters["search"]``);
- per boot volume that can still have a policy (not TERMINATING/TERMINATED):
  GetVolumeBackupPolicyAssetAssignment (OCI has no bulk call for assignments);
- per distinct backup policy and region: GetVolumeBackupPolicy, once;
- per distinct image OCID: GetImage once, following ``baseImageId`` to the root. The image is
  looked up in the region named in its OCID when that region is subscribed (copies in another
  region reference the source region's image), else in the region of the resource using it;
- Marketplace ``ListListings(imageId=...)`` once for each root image without a compartment
  (Oracle-owned platform or partner image) and for each image GetImage cannot see (404; such an
  image is a row with ``lookup_status = not_found``, not an error: deleted images are normal);
- per compartment: ListPolicies (home region), for the IAM analysis.
Failures never stop the run: each becomes one ``errors`` row (region, compartment, operation).
"""
from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import quote

import pandas as pd

from reportkit import __version__
from reportkit.auth import AuthContext
from reportkit.collect import rows as R
from reportkit.compartments import CompartmentTree
from reportkit.collect.calls import CallFailed, OciCaller, Tuning
from reportkit.collect.pacing import RegionScheduler
from reportkit.errors import CollectionError
from reportkit.inventory import CollectionMetadata, Inventory
from reportkit.schema import INVENTORY_TABLES

_NO_POLICY_STATES = {"TERMINATING", "TERMINATED"}

#: per list operation, the structured query (one per region) that finds the compartments holding
#: its resources; volumes first, so that their assignment calls start as early as possible
SEARCHES = {"ListBootVolumes": "query bootvolume resources",
            "ListBootVolumeBackups": "query bootvolumebackup resources"}


class Collection:
    """One run's state: rows per table, errors, de-duplication sets, progress."""

    def __init__(self, caller: OciCaller, *, workers: int, per_region: int, progress: bool) -> None:
        self.caller = caller
        self.rows: dict[str, list[tuple]] = {name: [] for name in INVENTORY_TABLES}
        self.images: dict[str, list[Any]] = {}
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
        now = pd.Timestamp.now(tz="UTC").isoformat()
        self.rows["errors"].append((region, compartment, operation, resource, status, code, message, request_id, now))

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
            from reportkit.regions import region_name

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
                self.images[image_id] = list(R.image_row(None, image_id, region, status))
            if status == "error":
                raise
            # 404 = deleted or not visible: a fact about the image (lookup_status), not a failed read
            self.submit(region, None, "ListListings", self.listing, region, image_id, resource=image_id)
            return
        with self._lock:
            self.images[image_id] = list(R.image_row(data, image_id, region, "ok"))
        base = data.get("baseImageId")
        if base:
            self.note_image(base, region)
        elif not data.get("compartmentId"):
            self.submit(region, None, "ListListings", self.listing, region, image_id, resource=image_id)

    def listing(self, region: str, image_id: str) -> None:
        for page in self.caller.pages("marketplace", region, "ListListings", "/listings", {"imageId": image_id}):
            if page:
                filled = R.image_row(None, image_id, region, "", page[0])
                with self._lock:
                    row = self.images[image_id]
                    row[11], row[12] = filled[11], filled[12]
                return

    def iam_policies(self, region: str, compartment: str) -> None:
        for page in self.caller.pages("identity", region, "ListPolicies", "/policies", {"compartmentId": compartment}):
            for item in page:
                self.rows["iam_policies"].extend(R.iam_policy_rows(item))


def _import_services() -> None:
    import oci.core  # noqa: F401
    import oci.marketplace  # noqa: F401


def _discover(caller: OciCaller, auth: AuthContext) -> tuple[dict, list[dict], str, list[dict]]:
    """Return (tenancy, subscriptions, home region, compartments) or raise CollectionError."""
    tid = quote(auth.tenancy_id, safe="")
    where = auth.region
    try:
        tenancy, _ = caller.call("identity", where, "GetTenancy", f"/tenancies/{tid}")
        subs, _ = caller.call("identity", where, "ListRegionSubscriptions", f"/tenancies/{tid}/regionSubscriptions")
        home = next((s["regionName"] for s in subs if s.get("isHomeRegion")), None) or next(
            (s["regionName"] for s in subs if s.get("regionKey") == tenancy.get("homeRegionKey")), where)
        where = home
        compartments: list[dict] = []
        for page in caller.pages("identity", home, "ListCompartments", "/compartments",
                                 {"compartmentId": auth.tenancy_id, "compartmentIdInSubtree": "true",
                                  "accessLevel": "ANY"}):
            compartments.extend(page)
    except CallFailed as exc:
        raise CollectionError(
            f"discovery failed in {where}: {exc.operation} returned {exc.http_status or 'no response'} {exc.code}: "
            f"{exc.message} (opc-request-id {exc.opc_request_id}); nothing was collected. Check the endpoint, "
            f"the credentials ({auth.source}) and that the user may inspect tenancies and compartments") from None
    return tenancy, subs, home, compartments


def _late_subscriptions(run: Collection, caller: OciCaller, auth: AuthContext, home: str,
                        subs: list[dict]) -> list[dict]:
    """Re-list the region subscriptions after the run; a region that became READY meanwhile was not read.

    It is added to the subscriptions (so ``regions`` shows it with collected False) and recorded as an
    ``errors`` row, so assess treats it as a gap instead of judging volumes without it.
    """
    try:
        now, _ = caller.call("identity", home, "ListRegionSubscriptions",
                             f"/tenancies/{quote(auth.tenancy_id, safe='')}/regionSubscriptions")
    except CallFailed as exc:
        run.error(home, None, exc.operation, None, exc.http_status, exc.code,
                  f"could not re-check region subscriptions after the run: {exc.message}", exc.opc_request_id)
        return subs
    known = {s.get("regionName") for s in subs}
    late = [s for s in now or [] if s.get("regionName") not in known and s.get("status") == "READY"]
    for sub in late:
        run.error(sub["regionName"], None, "ListRegionSubscriptions", None, None, "RegionSubscribedDuringRun",
                  f"region {sub['regionName']} became subscribed while collecting and was not read; "
                  "collect again to include it", None)
    return [*subs, *late]


def run_collection(auth: AuthContext, *, regions: str | Sequence[str] | None, compartment: str | None,
                   endpoint_template: str | None, workers: int, per_region: int, progress: bool,
                   tuning: Tuning, parameters: dict[str, Any], use_search: bool = False) -> Inventory:
    """Discover, read everything, and return the :class:`Inventory` (see :func:`reportkit.collect`)."""
    started = pd.Timestamp.now(tz="UTC")
    clock = time.monotonic()  # finished_at = started_at + elapsed: a wall-clock step mid-run cannot invert them
    # importing the SDK's service modules takes ~1 s of CPU: do it while discovery runs
    warm = threading.Thread(target=_import_services, daemon=True)
    warm.start()
    caller = OciCaller(auth, endpoint_template=endpoint_template, tuning=tuning)
    tenancy, subs, home, compartment_items = _discover(caller, auth)
    chosen = R.select_regions(subs, regions)
    tree = CompartmentTree.from_wire(tenancy, compartment_items)
    selected_ids = tree.subtree(compartment)
    run = Collection(caller, workers=workers, per_region=per_region, progress=progress)
    run.ready_regions = {s["regionName"] for s in subs if s.get("status") == "READY"}
    run.key_to_region = {str(s.get("regionKey", "")).upper(): s["regionName"] for s in subs}
    if progress:
        from tqdm.auto import tqdm

        run.bar = tqdm(total=2 * len(chosen) * len(selected_ids), unit="list", desc="collect",
                       dynamic_ncols=True, leave=True)
    try:
        if use_search:
            # only an explicit isAccessible: true lets the search vouch for a compartment's emptiness
            vouched = {str(c["id"]) for c in compartment_items if c.get("isAccessible") is True}
            for operation in SEARCHES:
                for region in chosen:
                    run.submit(region, None, "SearchResources", run.search_region, region, operation, selected_ids,
                               vouched)
        else:
            for operation in SEARCHES:
                for region in chosen:
                    run.list_region(region, operation, selected_ids)
        for cid in selected_ids + tree.ancestors_outside(selected_ids):
            run.submit(home, None, "ListPolicies", run.iam_policies, home, cid, compartment=cid)
        run.scheduler.join()
    finally:
        if run.bar is not None:
            run.bar.close()
    if run.list_ok == 0 and run.lists_made:  # none made = the search vouched every compartment empty
        first = run.rows["errors"][:3]
        detail = "; ".join(f"{e[0]} {e[2]}: {e[4] or ''} {e[5]} {e[6]}" for e in first)
        raise CollectionError(f"nothing usable was collected: every list call failed ({len(run.rows['errors'])} "
                              f"errors; first: {detail})")
    subs = _late_subscriptions(run, caller, auth, home, subs)
    finished = started + pd.Timedelta(seconds=time.monotonic() - clock)
    meta = CollectionMetadata(
        tenancy_id=auth.tenancy_id, tenancy_name=str(tenancy.get("name") or auth.tenancy_id), home_region=home,
        started_at=started, finished_at=finished, reportkit_version=__version__,
        parameters={**parameters, "calls": int(caller.stats["calls"]), "retries": int(caller.stats["retries"]),
                    "regions_down": caller.regions_down, "search": run.search_parameters(use_search, chosen)},
        regions=list(chosen),
    )
    tables = {name: R.frame(INVENTORY_TABLES[name], run.rows[name])
              for name in ("backups", "boot_volumes", "backup_policies", "policy_assignments", "iam_policies",
                           "errors")}
    tables["images"] = R.frame(INVENTORY_TABLES["images"], (tuple(r) for r in run.images.values()))
    chosen_ids = set(selected_ids)
    tables["compartments"] = INVENTORY_TABLES["compartments"].coerce(
        [row for row in tree.rows() if row["compartment_id"] in chosen_ids])
    tables["regions"] = R.frame(INVENTORY_TABLES["regions"], R.region_rows(subs, set(chosen)))
    return Inventory(metadata=meta, **tables)

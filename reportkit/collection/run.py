"""Read a whole tenancy into an Inventory: :func:`collect`, then discovery and every (region,
compartment) read in parallel.

Request plan (what a tenancy of R regions and C compartments costs; bench/README.md measures it):
- discovery: GetTenancy + ListRegionSubscriptions (auth region), ListCompartments once for the
  whole tree (home region, ``compartmentIdInSubtree=true``, ``accessLevel=ANY``); every compartment
  but DELETED ones is read; IN_PROGRESS subscriptions are kept in ``regions`` (collected False),
  named in the metadata, never read and never a gap;
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
- volume groups, group backups and replicas only where the first listings show they can be
  (:mod:`~reportkit.collection.protection`);
- per boot volume that can still have a policy (not TERMINATING/TERMINATED), and per volume group:
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
Ctrl-C stops it within seconds: :class:`CollectionInterrupted` carries the partial inventory.
"""
from __future__ import annotations

import dataclasses
import threading
import time
from typing import Any

import pandas as pd

from reportkit import __version__
from reportkit.auth import AuthContext, load_auth
from reportkit.collection import frames as F
from reportkit.collection import rows as R
from reportkit.collection import wire
from reportkit.collection.calls import OciCaller
from reportkit.collection.discovery import Discovery, discover, late_subscriptions, notes
from reportkit.collection.options import CollectOptions
from reportkit.collection.readers import Collection
from reportkit.collection.search import SEARCHES
from reportkit.compartments import CompartmentTree
from reportkit.errors import CollectionError
from reportkit.inventory import CollectionMetadata, Inventory
from reportkit.schema import COMPARTMENTS, ERRORS, INVENTORY_TABLES

#: seconds the run waits for reads in flight to end after Ctrl-C (they are cut off at once)
STOP_WAIT = 1.0
_MAX_ROUNDS = 6  # lead rounds (availability domains, then Gets): each can only add what the last found


class CollectionInterrupted(KeyboardInterrupt):
    """Ctrl-C during collection: ``inventory`` holds what was read, every read not done an errors row,
    and ``metadata.parameters["interrupted"]`` is True."""

    def __init__(self, inventory: Inventory | None) -> None:
        super().__init__("collection interrupted")
        self.inventory = inventory


def collect(profile: str | None = None, options: CollectOptions | None = None, **changes: Any) -> Inventory:
    """Read every subscribed region and compartment and return the :class:`Inventory`.

    ``options`` (:class:`~reportkit.collection.options.CollectOptions`) says how; any of its fields
    can also be given by keyword (``collect("DEFAULT", regions="lhr,fra", progress=False)``).

    ``use_search`` pre-filters compartments with OCI Resource Search (per region, one paged
    ``query bootvolume resources`` and one ``query bootvolumebackup resources``) and lists boot
    volumes (backups) only where it found some, in the root, and in every compartment
    ListCompartments does not mark accessible. Most compartments of a real tenancy are empty,
    so this saves most of the requests (about half the wall time on the benchmark tenancy).
    **Off by default**, because it can hide a gap: search shows only what the caller may
    inspect, and ``isAccessible`` says a compartment can be read at all, not that its boot
    volumes and backups can; under a per-compartment auditor policy a compartment whose volumes
    we may not list looks empty to search and would be skipped with no ``errors`` row. Turn it
    on when the auditing group has ``inspect`` on volumes and boot-volume-backups in the whole
    tenancy (the policy in docs/security.md does). Also, the search index lags: a resource
    created in the last minutes may not be indexed yet. A region whose search fails is listed
    in full. What the search did is in ``inv.metadata.parameters["search"]`` (regions searched,
    fallback regions with the reason, compartments skipped per region).

    Against the fake OCI API (an ``endpoint_template`` on loopback whose answers carry
    ``opc-sim-time``), ``started_at``/``finished_at`` are the fake's simulated times and the wall
    clock is recorded in ``parameters["clock"]``; a real endpoint is never asked for the time.

    Partial failures are rows of ``inv.errors``; raises :class:`~reportkit.errors.CollectionError`
    only when nothing usable was read, :class:`~reportkit.errors.WireError` when discovery answers
    have the wrong shape, :class:`~reportkit.errors.ConfigError` / :class:`~reportkit.errors.InputError`
    for bad credentials or parameters, and :class:`CollectionInterrupted` (a KeyboardInterrupt) on
    Ctrl-C, carrying the partial inventory.
    """
    opts = dataclasses.replace(options or CollectOptions(), **changes)
    if profile is not None:
        opts = dataclasses.replace(opts, profile=profile)
    opts = opts.validated()
    auth = load_auth(profile=opts.profile, config_file=opts.config_file, auth=opts.auth)
    return run_collection(auth, opts, opts.recorded(auth.method, auth.source))


def _import_services() -> None:
    import oci.core  # noqa: F401
    import oci.marketplace  # noqa: F401


def _tree(found: Discovery, run: Collection) -> tuple[CompartmentTree, list[dict[str, Any]]]:
    """The compartment tree of every kept compartment, and rows for those it cannot place (their parent
    is not listed): they are still read, and each is an errors row."""
    tree = CompartmentTree.from_wire(found.tenancy, found.compartments, keep=lambda c: True)
    unplaced = []
    for comp in found.compartments:
        if comp["id"] not in tree.parent:
            run.error(found.home, comp["id"], "ListCompartments", comp["id"], 200, "UnplacedCompartment",
                      f"compartment {comp['name']} has parent {comp['compartmentId']!r}, which is not listed: read "
                      "anyway, without a path", None)
            unplaced.append({"compartment_id": comp["id"], "parent_compartment_id": comp["compartmentId"],
                             "name": comp["name"], "path": None, "depth": None,
                             "lifecycle_state": comp["lifecycleState"]})
    return tree, unplaced


def run_collection(auth: AuthContext, options: CollectOptions, parameters: dict[str, Any]) -> Inventory:
    """Discover, read everything, and return the :class:`Inventory` (see :func:`collect`)."""
    o = options
    wall_started = o.clock()
    clock = time.monotonic()  # finished_at = started_at + elapsed: a wall-clock step mid-run cannot invert them
    # importing the SDK's service modules takes ~1 s of CPU: do it while discovery runs
    warm = threading.Thread(target=_import_services, daemon=True)
    warm.start()
    caller = OciCaller(auth, endpoint_template=o.endpoint_template, tuning=o.tuning)
    try:
        return _run(auth, o, parameters, caller, wall_started, clock)
    finally:
        caller.close()


def _run(auth: AuthContext, o: CollectOptions, parameters: dict[str, Any], caller: OciCaller,
         wall_started: pd.Timestamp, clock: float) -> Inventory:
    found = discover(caller, auth)
    started = caller.sim_time if found.sim_clock and caller.sim_time is not None else wall_started
    subs = found.subscriptions
    chosen = R.select_regions(subs, o.regions)
    run = Collection(caller, workers=o.workers, per_region=o.per_region, progress=o.progress,
                     clock=lambda: caller.sim_time if found.sim_clock and caller.sim_time is not None else o.clock())
    shapes = {"GetTenancy": wire.TENANCY, "ListCompartments": wire.COMPARTMENT,
              "ListRegionSubscriptions": wire.REGION_SUBSCRIPTION}
    for record, operation, problem in found.problems:
        run.bad_fields(found.home, record if operation == "ListCompartments" else None, operation, record,
                       shapes[operation], [problem])
    tree, unplaced = _tree(found, run)
    selected_ids = tree.subtree(o.compartment) + ([u["compartment_id"] for u in unplaced] if not o.compartment else [])
    run.ready_regions = {s["regionName"] for s in subs if s.get("status") == "READY"}
    run.subscribed = {s["regionName"] for s in subs}
    run.chosen, run.tenancy_id = list(chosen), auth.tenancy_id
    run.key_to_region = {str(s.get("regionKey") or "").upper(): s["regionName"] for s in subs}
    if o.progress:
        from tqdm.auto import tqdm

        run.bar = tqdm(total=2 * len(chosen) * len(selected_ids), unit="list", desc="collect",
                       dynamic_ncols=True, leave=True)
    try:
        try:
            _read(run, o, chosen, selected_ids, tree, found)
        except KeyboardInterrupt:
            run.stop()
            run.scheduler.join(STOP_WAIT)
    finally:
        run.scheduler.close()
        if run.bar is not None:
            run.bar.close()
    if not run.interrupted and run.list_ok == 0 and run.lists_made:  # none made = search vouched all empty
        first = [dict(zip(ERRORS.column_names, e, strict=True)) for e in run.rows["errors"][:3]]
        detail = "; ".join(f"{e['region']} {e['operation']}: {e['http_status'] or ''} {e['code']} {e['message']}"
                           for e in first)
        raise CollectionError(f"nothing usable was collected: every list call failed ({len(run.rows['errors'])} "
                              f"errors; first: {detail})")
    if not run.interrupted:
        subs = late_subscriptions(caller, auth, found.home, subs, run.error)
    if found.sim_clock and caller.sim_time is not None:
        finished = max(caller.sim_time, started)
    else:
        finished = started + pd.Timedelta(seconds=time.monotonic() - clock)
    inventory = _inventory(run, o, parameters, found, tree, unplaced, selected_ids, subs, chosen,
                           started, finished, wall_started, clock)
    if run.interrupted:
        raise CollectionInterrupted(inventory)
    return inventory


def _read(run: Collection, o: CollectOptions, chosen: list[str], selected_ids: list[str], tree: CompartmentTree,
          found: Discovery) -> None:
    """Queue the first reads (each one is planned first, so that a Ctrl-C while queueing still names every
    read not done), then wait, then follow the leads round by round."""
    plan: list[tuple[str, str | None, str, Any, tuple]] = []
    if o.use_search:
        # only an explicit isAccessible: true lets the search vouch for a compartment's emptiness
        vouched = {c["id"] for c in found.compartments if c.get("isAccessible") is True}
        plan += [(region, None, "SearchResources", run.search_region, (region, operation, selected_ids, vouched))
                 for operation in SEARCHES for region in chosen]
    else:
        plan += [(region, cid, operation, None, ()) for operation in SEARCHES for region in chosen
                 for cid in selected_ids]
    plan += [(found.home, cid, "ListPolicies", run.iam_policies, (found.home, cid))
             for cid in selected_ids + tree.ancestors_outside(selected_ids)]
    run.plan = plan
    for index, (region, cid, operation, fn, args) in enumerate(plan):
        if fn is None:
            run.list_region(region, operation, [cid])
        else:
            run.submit(region, None, operation, fn, *args, compartment=cid)
        run.planned_done = index + 1
    run.scheduler.join()
    for _ in range(_MAX_ROUNDS):
        if not run.next_round():
            break
        run.scheduler.join()


def _inventory(run: Collection, o: CollectOptions, parameters: dict[str, Any], found: Discovery,
               tree: CompartmentTree, unplaced: list[dict[str, Any]], selected_ids: list[str],
               subs: list[dict[str, Any]], chosen: list[str], started: pd.Timestamp, finished: pd.Timestamp,
               wall_started: pd.Timestamp, clock: float) -> Inventory:
    """The frames, the checks of times after the collection, and the metadata."""
    problems: list[F.CellProblem] = []
    tables = {name: F.frame(table, run.rows[name], problems) for name, table in INVENTORY_TABLES.items()
              if name not in ("images", "compartments", "regions", "errors")}
    tables["images"] = F.frame(INVENTORY_TABLES["images"], [tuple(r.values()) for r in run.images.values()], problems)
    duplicates = F.drop_duplicates(tables)
    problems += F.future_times(tables, R.ROW_MAPS, finished)
    maps = {m.table.name: m for m in R.ROW_MAPS}
    for p in problems:
        rowmap = maps.get(p.table)
        field = rowmap.columns.get(p.column, p.column) if rowmap else p.column
        code = "FutureTime" if "after the collection" in p.reason else "BadField"
        run.error(p.region, p.compartment_id, rowmap.operation if rowmap else p.table, p.record_id, 200, code,
                  f"record kept with {field} empty: {p.reason}", None, field=field, raw=p.raw)
        if not (rowmap and rowmap.shape.cosmetic(field)):
            run.damaged(p.region, p.compartment_id, rowmap.operation if rowmap else p.table)
    tables["errors"] = F.frame(ERRORS, run.rows["errors"])
    chosen_ids = set(selected_ids)
    tables["compartments"] = COMPARTMENTS.coerce(
        [row for row in tree.rows() if row["compartment_id"] in chosen_ids] + unplaced)
    tables["regions"] = F.frame(INVENTORY_TABLES["regions"], R.region_rows(subs, set(chosen)))
    states = {c["id"]: c["lifecycleState"] for c in found.compartments}
    wall_finished = wall_started + pd.Timedelta(seconds=time.monotonic() - clock)
    meta = CollectionMetadata(
        tenancy_id=found.tenancy["id"], tenancy_name=str(found.tenancy["name"]), home_region=found.home,
        started_at=started, finished_at=finished, reportkit_version=__version__,
        parameters={**parameters, "calls": int(run.caller.stats["calls"]), "retries": int(run.caller.stats["retries"]),
                    "regions_down": run.caller.regions_down, "search": run.search_parameters(o.use_search, chosen),
                    "compartments": notes(found, [c for c in selected_ids if c != found.tenancy["id"]], states),
                    "regions_in_progress": sorted(s["regionName"] for s in subs if s.get("status") == "IN_PROGRESS"),
                    "regions_other_status": {s["regionName"]: s["status"] for s in subs
                                             if s.get("status") not in ("READY", "IN_PROGRESS")},
                    "protection": run.protection_parameters(),
                    "clock": {"source": "fake OCI API (opc-sim-time)" if found.sim_clock else "wall clock",
                              "wall_started_at": wall_started.isoformat(), "wall_finished_at": wall_finished.isoformat()},
                    "tables": sorted(INVENTORY_TABLES), "interrupted": run.interrupted,
                    "duplicates_dropped": duplicates},
        regions=list(chosen),
    )
    return Inventory(metadata=meta, **tables)

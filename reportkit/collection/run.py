"""Read a whole tenancy into an Inventory: :func:`collect`, then discovery and every (region,
compartment) read in parallel.

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

import dataclasses
import threading
import time
from typing import Any
from urllib.parse import quote

import pandas as pd

from reportkit import __version__
from reportkit.auth import AuthContext, load_auth
from reportkit.collection import rows as R
from reportkit.collection.calls import CallFailed, OciCaller
from reportkit.collection.options import CollectOptions
from reportkit.collection.readers import SEARCHES, Collection
from reportkit.compartments import CompartmentTree
from reportkit.errors import CollectionError
from reportkit.inventory import CollectionMetadata, Inventory
from reportkit.schema import ERRORS, INVENTORY_TABLES


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

    Partial failures are rows of ``inv.errors``; raises :class:`~reportkit.errors.CollectionError`
    only when nothing usable was read, :class:`~reportkit.errors.ConfigError` /
    :class:`~reportkit.errors.InputError` for bad credentials or parameters.
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


def run_collection(auth: AuthContext, options: CollectOptions, parameters: dict[str, Any]) -> Inventory:
    """Discover, read everything, and return the :class:`Inventory` (see :func:`collect`)."""
    o = options
    started = o.clock()
    clock = time.monotonic()  # finished_at = started_at + elapsed: a wall-clock step mid-run cannot invert them
    # importing the SDK's service modules takes ~1 s of CPU: do it while discovery runs
    warm = threading.Thread(target=_import_services, daemon=True)
    warm.start()
    caller = OciCaller(auth, endpoint_template=o.endpoint_template, tuning=o.tuning)
    tenancy, subs, home, compartment_items = _discover(caller, auth)
    chosen = R.select_regions(subs, o.regions)
    tree = CompartmentTree.from_wire(tenancy, compartment_items)
    selected_ids = tree.subtree(o.compartment)
    run = Collection(caller, workers=o.workers, per_region=o.per_region, progress=o.progress, clock=o.clock)
    run.ready_regions = {s["regionName"] for s in subs if s.get("status") == "READY"}
    run.key_to_region = {str(s.get("regionKey", "")).upper(): s["regionName"] for s in subs}
    if o.progress:
        from tqdm.auto import tqdm

        run.bar = tqdm(total=2 * len(chosen) * len(selected_ids), unit="list", desc="collect",
                       dynamic_ncols=True, leave=True)
    try:
        if o.use_search:
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
        first = [dict(zip(ERRORS.column_names, e, strict=True)) for e in run.rows["errors"][:3]]
        detail = "; ".join(f"{e['region']} {e['operation']}: {e['http_status'] or ''} {e['code']} {e['message']}"
                           for e in first)
        raise CollectionError(f"nothing usable was collected: every list call failed ({len(run.rows['errors'])} "
                              f"errors; first: {detail})")
    subs = _late_subscriptions(run, caller, auth, home, subs)
    finished = started + pd.Timedelta(seconds=time.monotonic() - clock)
    meta = CollectionMetadata(
        tenancy_id=auth.tenancy_id, tenancy_name=str(tenancy.get("name") or auth.tenancy_id), home_region=home,
        started_at=started, finished_at=finished, reportkit_version=__version__,
        parameters={**parameters, "calls": int(caller.stats["calls"]), "retries": int(caller.stats["retries"]),
                    "regions_down": caller.regions_down, "search": run.search_parameters(o.use_search, chosen)},
        regions=list(chosen),
    )
    tables = {name: R.frame(INVENTORY_TABLES[name], run.rows[name])
              for name in ("backups", "boot_volumes", "backup_policies", "policy_assignments", "iam_policies",
                           "errors")}
    tables["images"] = INVENTORY_TABLES["images"].coerce(list(run.images.values()) or INVENTORY_TABLES["images"].empty())
    chosen_ids = set(selected_ids)
    tables["compartments"] = INVENTORY_TABLES["compartments"].coerce(
        [row for row in tree.rows() if row["compartment_id"] in chosen_ids])
    tables["regions"] = R.frame(INVENTORY_TABLES["regions"], R.region_rows(subs, set(chosen)))
    # tables this collector does not read yet are empty (volume groups, replicas: issue 13)
    tables.update({name: table.empty() for name, table in INVENTORY_TABLES.items() if name not in tables})
    return Inventory(metadata=meta, **tables)

"""Benchmark: collecting a large tenancy, reportkit against what users would do instead.

Run alone: ``.venv/bin/python bench/bench_collect.py [--quick]`` (prints the figures; ``run()``
returns them). Part of ``make bench``.

Set-up: the fake OCI API (``reportkit.sim``) in its own process serves
``build_scaled_tenancy(regions=10, compartments=200, volumes=2000, backups=100_000)``, with
50 ms of real latency on every call and a token bucket of 25 requests/s (burst 25) per region
AND operation (the fake's limiter; 429 TooManyRequests beyond it). Every client uses the real
``oci`` SDK or CLI over HTTP.

Compared in one run:
- ``reportkit.collect`` (median of ``COLLECT_REPEATS`` runs, each in a fresh process: wall,
  user CPU, peak RSS, requests, 429s);
- the loop a user writes first: the SDK with ``oci.pagination.list_call_get_all_results``, one
  region and compartment after another, then a DataFrame. Run on ``SDK_SLICE_REGIONS`` region(s)
  (every compartment); full-tenancy time = slice time / slice requests x the loop's requests on
  the whole tenancy (counted from the document: pages of 100 per region x compartment for
  backups and volumes, one assignment call per volume, one GetImage per distinct image, plus
  the discovery calls). The model's request count for the slice is checked against the fake's
  request log;
- the ``oci`` CLI in a bash loop (``--all`` listings, ``jq`` for the volume ids, one
  ``get-volume-backup-policy-asset-assignment`` per volume) on a slice of one region and the
  first ``CLI_SLICE_COMPARTMENTS`` compartments (1 in 11 holds volumes, as 20 in 201 do in the
  whole tenancy); full-tenancy time = slice time / slice invocations x invocations on the whole
  tenancy (2 per region x compartment + 1 per volume);
- the LOWER BOUND, from the fake's request log of a reportkit run: critical path (longest chain
  of dependent calls x 50 ms) and rate-limit floor (for each (region, operation) bucket:
  (successful requests - burst) / rate, the max over buckets); the larger of the two is the best
  any client could do with the requests reportkit makes.
"""
from __future__ import annotations

import math
import shlex
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import SimProcess, quick_main, run_child  # noqa: E402

FULL = {"regions": 10, "compartments": 200, "volumes": 2000, "backups": 100_000}
QUICK = {"regions": 3, "compartments": 40, "volumes": 300, "backups": 6_000}
LATENCY_MS = 50.0
RATE_RPS = 25.0
BURST = 25.0
COLLECT_REPEATS = 5
SDK_SLICE_REGIONS = 2
CLI_SLICE_COMPARTMENTS = 11
SDK_DEFAULT_PAGE = 100  # the fake's (and OCI's usual) page size when the caller gives no limit
#: requests of one collect of FULL before the protection model (volume groups, group backups, replicas:
#: issue 13) was read, measured here on 2026-12-02 with the collector of commit f509cd0 (429 answers included)
BASELINE_REQUESTS = {"search": 2879, "no_search": 6340}
#: the operations that collector made; every other operation in a log is a read the protection model added
PRE_PROTECTION_OPERATIONS = frozenset({
    "GetTenancy", "ListRegionSubscriptions", "ListCompartments", "SearchResources", "ListPolicies", "ListBootVolumes",
    "ListBootVolumeBackups", "GetVolumeBackupPolicyAssetAssignment", "GetVolumeBackupPolicy", "GetImage",
    "ListListings"})


# ------------------------------------------------------------------------------ child processes
def _collect_child(params: dict[str, Any]) -> dict[str, Any]:
    """In a fresh process: one ``reportkit.collect`` run; return counts (timing added by run_child)."""
    import oci  # noqa: F401 - imported before the clock starts, as in a warm notebook kernel

    import reportkit.collection as rc

    start = time.perf_counter()
    inv = rc.collect(params["profile"], config_file=params["config"], endpoint_template=params["template"],
                     progress=False, **params.get("extra", {}))
    seconds = time.perf_counter() - start
    out = {"collect_s": seconds, "backups": len(inv.backups), "boot_volumes": len(inv.boot_volumes),
           "images": len(inv.images), "assignments": len(inv.policy_assignments), "errors": len(inv.errors),
           "calls": inv.metadata.parameters.get("calls"), "retries": inv.metadata.parameters.get("retries")}
    if params.get("profile_to"):
        import cProfile

        cProfile.runctx("rc.collect(params['profile'], config_file=params['config'], "
                        "endpoint_template=params['template'], progress=False, **params.get('extra', {}))",
                        globals(), {"rc": rc, "params": params}, params["profile_to"])
    return out


def _sdk_loop_child(params: dict[str, Any]) -> dict[str, Any]:
    """In a fresh process: the loop a user writes first (sequential SDK, pagination helper)."""
    import oci
    import pandas as pd
    from oci.pagination import list_call_get_all_results

    start = time.perf_counter()
    config = oci.config.from_file(params["config"], params["profile"])
    endpoint = params["template"].format
    identity = oci.identity.IdentityClient(config, service_endpoint=endpoint(region=params["home"]))
    tenancy = config["tenancy"]
    identity.get_tenancy(tenancy)
    subscribed = [s.region_name for s in identity.list_region_subscriptions(tenancy).data]
    compartments = [tenancy] + [c.id for c in list_call_get_all_results(
        identity.list_compartments, tenancy, compartment_id_in_subtree=True, access_level="ANY").data]
    backups, volumes, assignments, images = [], [], [], {}
    for region in [r for r in subscribed if r in params["regions"]]:
        blockstorage = oci.core.BlockstorageClient(config, service_endpoint=endpoint(region=region))
        compute = oci.core.ComputeClient(config, service_endpoint=endpoint(region=region))
        for cid in compartments:
            found = list_call_get_all_results(blockstorage.list_boot_volume_backups, compartment_id=cid).data
            backups += found
            vols = list_call_get_all_results(blockstorage.list_boot_volumes, compartment_id=cid).data
            volumes += vols
            for vol in vols:
                assignments += blockstorage.get_volume_backup_policy_asset_assignment(vol.id).data
            for item in (*found, *vols):
                if item.image_id and item.image_id not in images:
                    try:  # a copy's image lives in the source region: 404 here, as the user finds out
                        images[item.image_id] = compute.get_image(item.image_id).data
                    except oci.exceptions.ServiceError as exc:
                        if exc.status != 404:
                            raise
                        images[item.image_id] = None
    frame = pd.DataFrame([oci.util.to_dict(b) for b in backups])
    return {"loop_s": time.perf_counter() - start, "backups": len(frame), "boot_volumes": len(volumes),
            "assignments": len(assignments), "images": len(images)}


# ------------------------------------------------------------------------------ request models
def _pages(n: int, limit: int) -> int:
    return max(1, math.ceil(n / limit))


def sdk_loop_requests(layout: dict[str, dict[str, list[int]]], compartments: list[str], regions: list[str],
                      images_per_region: int = 1) -> int:
    """Requests the user's SDK loop makes on ``regions`` (see the module docstring).

    ``compartments`` is the root first, then every compartment ListCompartments returns.
    """
    # discovery: GetTenancy, ListRegionSubscriptions, ListCompartments (pages of 100)
    total = 2 + _pages(len(compartments) - 1, SDK_DEFAULT_PAGE)
    for region in regions:
        for cid in compartments:
            n_backups, n_volumes = layout.get(region, {}).get(cid, [0, 0])
            total += _pages(n_backups, SDK_DEFAULT_PAGE) + _pages(n_volumes, SDK_DEFAULT_PAGE) + n_volumes
        total += images_per_region
    return total


def cli_invocations(layout: dict[str, dict[str, list[int]]], compartments: list[str], regions: list[str]) -> int:
    """``oci`` commands the shell loop runs: 2 listings per region x compartment + 1 per volume."""
    return sum(2 + layout.get(r, {}).get(c, [0, 0])[1] for r in regions for c in compartments)


def lower_bound(log: list[dict[str, Any]], *, latency_s: float, rps: float, burst: float) -> dict[str, Any]:
    """The best any client could do with the requests in ``log`` (one reportkit run).

    Rate floor: the fake's buckets are per (region, operation), start full (``burst``) and refill
    at ``rps``: n successful requests need at least (n - burst) / rps seconds. Critical path:
    discovery (GetTenancy -> ListRegionSubscriptions -> ListCompartments pages), then the longest
    of: a compartment's backup pages -> GetImage (-> ListListings), a compartment's volume pages
    -> assignment -> GetVolumeBackupPolicy, ListPolicies; each link costs at least ``latency_s``.
    """
    ok = [e for e in log if e["status"] != 429 and not str(e["operation"]).startswith("Sim")]
    per_bucket = Counter((e["region"], e["operation"]) for e in ok)
    per_region = Counter(e["region"] for e in ok)
    floor_bucket, floor_key = max(((max(0.0, n - burst) / rps, k) for k, n in per_bucket.items()),
                                  default=(0.0, None))
    ops = Counter(e["operation"] for e in ok)
    discovery = ops["GetTenancy"] + ops["ListRegionSubscriptions"] + ops["ListCompartments"]
    pages: dict[tuple[str, str, str], int] = defaultdict(int)
    for e in ok:
        if e["operation"] in ("ListBootVolumeBackups", "ListBootVolumes"):
            cid = parse_qs(urlsplit(e["path"]).query).get("compartmentId", [""])[0]
            pages[(e["operation"], e["region"], cid)] += 1
    backup_pages = max((n for (op, _, _), n in pages.items() if op == "ListBootVolumeBackups"), default=0)
    volume_pages = max((n for (op, _, _), n in pages.items() if op == "ListBootVolumes"), default=0)
    image_links = (1 if ops["GetImage"] else 0) + (1 if ops["ListListings"] else 0)
    volume_links = (1 if ops["GetVolumeBackupPolicyAssetAssignment"] else 0) + (
        1 if ops["GetVolumeBackupPolicy"] else 0)
    chain = discovery + max(backup_pages + image_links, volume_pages + volume_links, 1 if ops["ListPolicies"] else 0)
    critical = chain * latency_s
    return {
        "requests_ok": len(ok),
        "critical_path_calls": chain,
        "critical_path_s": critical,
        "rate_floor_s": floor_bucket,
        "rate_floor_bucket": f"{floor_key[0]} {floor_key[1]} ({per_bucket[floor_key]} requests)" if floor_key else "",
        "rate_floor_if_per_region_s": max((max(0.0, n - burst) / rps for n in per_region.values()), default=0.0),
        "lower_bound_s": max(critical, floor_bucket),
        "requests_by_operation": dict(ops),
    }


def request_growth(log: list[dict[str, Any]], mode: str, quick: bool) -> dict[str, Any]:
    """Requests of one collect's log against :data:`BASELINE_REQUESTS` (full size only; at --quick the
    baseline is the log's own pre-protection operations), and the requests of the new reads by operation."""
    ops = Counter(e["operation"] for e in log)
    new = {op: n for op, n in sorted(ops.items()) if op not in PRE_PROTECTION_OPERATIONS}
    before = sum(n for op, n in ops.items() if op in PRE_PROTECTION_OPERATIONS) if quick else BASELINE_REQUESTS[mode]
    after = len(log)
    return {"requests_before": before, "requests_after": after, "requests_growth_pct": (after - before) / before * 100,
            "requests_new_reads": new}


# ------------------------------------------------------------------------------ the CLI loop
def _cli_script(sim: SimProcess, config: Path, profile: str, region: str, compartments: list[str],
                out: Path) -> str:
    """The bash loop a user writes with the ``oci`` CLI (endpoint = the fake instead of --region)."""
    oci = shlex.quote(str(Path(sys.executable).with_name("oci")))
    base = f"{oci} --config-file {shlex.quote(str(config))} --profile {profile}"
    return f"""set -euo pipefail
export OCI_CLI_SUPPRESS_FILE_PERMISSIONS_WARNING=True
for region in {region}; do
  ep="{sim.url}/$region"
  for c in {' '.join(compartments)}; do
    {base} bv boot-volume-backup list --all --compartment-id "$c" --endpoint "$ep" >> {out}/backups.json
    {base} bv boot-volume list --all --compartment-id "$c" --endpoint "$ep" > {out}/volumes.json
    for v in $(jq -r '.data[]?.id' {out}/volumes.json); do
      {base} bv volume-backup-policy-assignment get-volume-backup-policy-asset-assignment \\
        --asset-id "$v" --endpoint "$ep" >> {out}/assignments.json
    done
  done
done
"""


# ------------------------------------------------------------------------------ the benchmark
SEARCH_KEYWORDS = ("search", "use_search", "resource_search", "prefilter")


def search_option() -> tuple[str, bool] | None:
    """(keyword, default) of collect's Resource Search pre-filter switch, or None if it has none."""
    import dataclasses

    import reportkit.collection as rc

    defaults = {f.name: f.default for f in dataclasses.fields(rc.CollectOptions)}
    for name in SEARCH_KEYWORDS:
        if name in defaults:
            return name, bool(defaults[name])
    return None


def _api_log(sim: SimProcess) -> list[dict[str, Any]]:
    """The fake's log of API requests (its own admin calls, ``Sim*``, left out)."""
    return [e for e in sim.requests() if not str(e["operation"]).startswith("Sim")]


def _collect_once(sim: SimProcess, params: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    time.sleep(BURST / RATE_RPS + 0.5)  # let every token bucket refill, so each run starts alike
    sim.clear_requests()
    result = run_child("bench.bench_collect", "_collect_child", params)
    log = _api_log(sim)
    result["requests"] = len(log)
    result["throttled_429"] = sum(1 for e in log if e["status"] == 429)
    return result, log


def run(quick: bool = False, *, log: Any = print) -> dict[str, Any]:
    """Run every comparison; return the figures (seconds, counts, ratios) as a flat dict."""
    scale = QUICK if quick else FULL
    repeats = 1 if quick else COLLECT_REPEATS
    out: dict[str, Any] = {f"tenancy_{k}": v for k, v in scale.items()}
    out.update(latency_ms=LATENCY_MS, rate_limit_rps=RATE_RPS, rate_limit_burst=BURST,
               rate_limit_scope="per region and operation")
    with SimProcess(scale) as sim, tempfile.TemporaryDirectory(prefix="reportkit-bench-") as tmp:
        from reportkit.sim import write_oci_config

        config, profile = write_oci_config(Path(tmp), sim.endpoint_template, tenancy_id=sim.tenancy_id,
                                           region=sim.home)
        sim.set_knobs(latency_ms=LATENCY_MS, rate_limit_rps=RATE_RPS, rate_limit_burst=BURST)
        log(f"  fake OCI API up ({sim.build_s:.1f} s to build the tenancy); collecting {repeats}x ...")
        base = {"config": str(config), "profile": profile, "template": sim.endpoint_template, "home": sim.home}
        # the headline runs use collect's fast mode (Resource Search pre-filter on; off by default
        # because a narrow auditor policy could hide a gap from search); 1b runs the other mode once
        option = search_option()
        if option is not None:
            base["extra"] = {option[0]: True}

        # 1. reportkit collect, median of `repeats` fresh processes
        runs = []
        for i in range(repeats):
            server_before = sim.server_cpu_s()
            result, req_log = _collect_once(sim, base)
            result["server_cpu_s"] = sim.server_cpu_s() - server_before
            runs.append((result, req_log))
            log(f"    run {i + 1}: {result['collect_s']:.1f} s, {result['requests']} requests, "
                f"{result['throttled_429']} x 429, user CPU {result['user_cpu_s']:.1f} s, "
                f"RSS {result['peak_rss_mb']:.0f} MB")
        runs.sort(key=lambda r: r[0]["collect_s"])
        median, median_log = runs[len(runs) // 2]
        bound = lower_bound(median_log, latency_s=LATENCY_MS / 1000, rps=RATE_RPS, burst=BURST)
        out.update({
            "collect_s_median": median["collect_s"],
            "collect_s_all": [round(r[0]["collect_s"], 2) for r in runs],
            "collect_requests": median["requests"],
            "collect_429": median["throttled_429"],
            "collect_user_cpu_s": median["user_cpu_s"],
            "collect_sys_cpu_s": median["sys_cpu_s"],
            "collect_peak_rss_mb": median["peak_rss_mb"],
            "collect_server_cpu_s": median["server_cpu_s"],
            "collect_backups": median["backups"], "collect_boot_volumes": median["boot_volumes"],
            "collect_errors": median["errors"],
            **{f"bound_{k}": v for k, v in bound.items()},
        })
        out["collect_over_lower_bound"] = median["collect_s"] / bound["lower_bound_s"]
        out["collect_over_rate_floor"] = median["collect_s"] / max(bound["rate_floor_s"], 1e-9)
        out.update(request_growth(median_log, "search" if base.get("extra") else "no_search", quick))
        log(f"    requests {out['requests_before']:,} before the protection model -> {out['requests_after']:,} "
            f"({out['requests_growth_pct']:+.1f} %; new reads {out['requests_new_reads']}); "
            f"collect / rate floor {out['collect_over_rate_floor']:.2f}x")

        # 1b. Resource Search pre-filter on vs off, when collect has the option: the median runs
        # above used its default; one run with the other value
        if option is not None:
            name, default = option
            other, other_log = _collect_once(sim, {**base, "extra": {name: False}})
            on, off = median, other
            off_bound = lower_bound(other_log, latency_s=LATENCY_MS / 1000, rps=RATE_RPS, burst=BURST)
            off_growth = request_growth(other_log, "no_search", quick)
            out.update({f"search_off_{k}": v for k, v in off_growth.items()},
                       search_off_over_rate_floor=other["collect_s"] / max(off_bound["rate_floor_s"], 1e-9))
            out.update(search_option=name, search_default=default, search_on_s=on["collect_s"],
                       search_on_requests=on["requests"], search_off_s=off["collect_s"],
                       search_off_requests=off["requests"], search_on_backups=on["backups"],
                       search_off_backups=off["backups"])
            log(f"    {name}=False: {other['collect_s']:.1f} s, {other['requests']} requests")

        # 2. the sequential SDK loop on a slice, extrapolated per request
        slice_regions = sim.regions[:SDK_SLICE_REGIONS]
        log(f"  sequential SDK loop on {len(slice_regions)} region(s) ...")
        time.sleep(BURST / RATE_RPS + 0.5)
        sim.clear_requests()
        sdk = run_child("bench.bench_collect", "_sdk_loop_child", {**base, "regions": slice_regions})
        sdk_log = _api_log(sim)
        images = len({e["path"] for e in sdk_log if e["operation"] == "GetImage"})
        model_slice = sdk_loop_requests(sim.layout, sim.compartments, slice_regions, images // len(slice_regions))
        model_full = sdk_loop_requests(sim.layout, sim.compartments, sim.regions, images // len(slice_regions))
        sdk_full = sdk["loop_s"] / len(sdk_log) * model_full
        out.update({
            "sdk_slice_regions": len(slice_regions), "sdk_slice_s": sdk["loop_s"], "sdk_slice_requests": len(sdk_log),
            "sdk_slice_requests_model": model_slice, "sdk_slice_429": sum(1 for e in sdk_log if e["status"] == 429),
            "sdk_slice_user_cpu_s": sdk["user_cpu_s"], "sdk_slice_peak_rss_mb": sdk["peak_rss_mb"],
            "sdk_full_requests": model_full, "sdk_full_s_extrapolated": sdk_full,
            "sdk_over_collect": sdk_full / median["collect_s"],
        })
        log(f"    {sdk['loop_s']:.1f} s for {len(sdk_log)} requests (model {model_slice}) -> "
            f"{sdk_full:.0f} s for {model_full} requests")

        # 3. the oci CLI in a shell loop on a smaller slice, extrapolated per invocation
        n_comp = 5 if quick else CLI_SLICE_COMPARTMENTS
        cli_comps = sim.compartments[:n_comp]
        region = sim.regions[0]
        work = Path(tmp) / "cli"
        work.mkdir()
        script = _cli_script(sim, config, profile, region, cli_comps, work)
        log(f"  oci CLI loop on 1 region x {n_comp} compartments ...")
        time.sleep(BURST / RATE_RPS + 0.5)
        sim.clear_requests()
        start = time.perf_counter()
        subprocess.run(["bash", "-c", script], check=True, capture_output=True, text=True)
        cli_s = time.perf_counter() - start
        cli_log = _api_log(sim)
        inv_slice = cli_invocations(sim.layout, cli_comps, [region])
        inv_full = cli_invocations(sim.layout, sim.compartments, sim.regions)
        cli_full = cli_s / inv_slice * inv_full
        out.update({
            "cli_slice": f"1 region x {n_comp} compartments", "cli_slice_s": cli_s,
            "cli_slice_invocations": inv_slice, "cli_slice_requests": len(cli_log),
            "cli_s_per_invocation": cli_s / inv_slice, "cli_full_invocations": inv_full,
            "cli_full_s_extrapolated": cli_full, "cli_over_collect": cli_full / median["collect_s"],
        })
        log(f"    {cli_s:.1f} s for {inv_slice} commands ({len(cli_log)} requests) -> {cli_full:.0f} s "
            f"for {inv_full} commands")
    return out


def main() -> None:
    quick_main(__doc__, run, "a small tenancy, one run of each (a smoke test)")


if __name__ == "__main__":
    main()

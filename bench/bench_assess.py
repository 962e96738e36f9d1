"""Benchmark: assess a synthetic 1,000,000-backup inventory with every kind of protection; print figures.

Targets (issue 18 items 1-2): assess of 1M backups <= 1.5 s median and <= 800 MB peak RSS in a fresh
process (the generator's time excluded); assess() fixed cost <= 50 ms on a 10-volume inventory.

    .venv/bin/python bench/bench_assess.py [n_backups]

The inventory is generated vectorised, in the proportions of a large tenancy: volumes over 4
regions (plus one still being subscribed) and 21 compartments (one INACTIVE); about 4/5 of the
backups are roots (one in ten a member of a volume group backup), 1/5 cross-region copies (5 %
of them copies of copies, 1 % copied back home, 1 % orphans, some CREATING / FAULTY / TERMINATED);
a tenth of the volumes in volume groups whose group backups are copied (their members visible in
the destination); 4 % of the volumes replicated (healthy, lagging, FAULTY, cross-AD, terminated),
some through volume group replicas; backup policies on volumes and groups, some with a
destination; scheduled backups that expire; a few collection errors. The generator writes a
snapshot (as `reportkit collect` does) and each measured run loads it in a fresh process, so the
peak RSS is that of load + assess, as a user's `reportkit assess`.
"""
from __future__ import annotations

import os
import resource
import sys
import tempfile
import time

import numpy as np
import pandas as pd

from reportkit.inventory import CollectionMetadata, Inventory
from reportkit.schema import INVENTORY_TABLES

AS_OF = pd.Timestamp("2024-06-01T00:00:00Z")
REGIONS = ["uk-london-1", "eu-frankfurt-1", "eu-amsterdam-1", "us-ashburn-1"]
SUBSCRIBING = "ap-tokyo-1"
ROOT_COMPARTMENT = "ocid1.tenancy.oc1..root"


def _ids(prefix: str, n: int, start: int = 0) -> np.ndarray:
    return (prefix + pd.Series(np.arange(start, start + n)).astype("string")).to_numpy(object)


def _typed(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Give the frame every declared column with its dtype (so Inventory does not re-coerce)."""
    return INVENTORY_TABLES[name].coerce(frame)


def _cat(codes: np.ndarray) -> pd.Categorical:
    return pd.Categorical.from_codes(codes, categories=REGIONS)


def build_inventory(n_backups: int = 1_000_000, seed: int = 7) -> Inventory:
    """Return a synthetic inventory of about ``n_backups`` boot volume backups (module docstring)."""
    rng = np.random.default_rng(seed)
    n_r = len(REGIONS)
    n_comp = 20
    comp_ids = _ids("ocid1.compartment.oc1..c", n_comp + 1)
    compartments = pd.DataFrame({
        "compartment_id": [ROOT_COMPARTMENT, *comp_ids], "parent_compartment_id": [None] + [ROOT_COMPARTMENT] * 21,
        "name": ["root", *(f"C{i}" for i in range(21))], "path": ["/", *(f"C{i}" for i in range(21))],
        "depth": [0] + [1] * 21, "lifecycle_state": ["ACTIVE"] * 21 + ["INACTIVE"]})
    images = pd.DataFrame({
        "image_id": _ids("img-", 60), "region": REGIONS[0],
        "compartment_id": [None] * 20 + ["ocid1.compartment.oc1..c0"] * 40,
        "base_image_id": [None] * 20 + [f"img-{i % 20}" for i in range(20, 40)] + [None] * 20,
        "listing_type": ["NONE"] * 55 + ["COMMUNITY"] * 5,
        "marketplace_listing_id": [None] * 45 + ["listing"] * 5 + [None] * 10,
        "lookup_status": ["ok"] * 58 + ["not_found", "error"]})

    # --- volumes, volume groups (a tenth of the volumes, three per group, one region each) -------
    n_vol = max(n_backups // 5, 10)
    vol_region = np.sort(rng.integers(0, n_r, n_vol))  # sorted: groups take consecutive volumes of one region
    vol_comp = rng.integers(0, n_comp + 1, n_vol)
    vol_image = rng.choice(60, n_vol, p=np.r_[np.full(40, 0.9 / 40), np.full(20, 0.1 / 20)])
    vol_ids = _ids("ocid1.bootvolume.oc1..v", n_vol)
    n_groups = n_vol // 30
    grouped = np.arange(n_groups * 3)
    member_group = grouped // 3
    grouped_ok = vol_region[grouped] == vol_region[member_group * 3]  # a group never spans regions
    group_ids = _ids("ocid1.volumegroup.oc1..g", n_groups)
    group_region = vol_region[np.arange(n_groups) * 3]
    boot_volumes = pd.DataFrame({
        "boot_volume_id": vol_ids, "region": _cat(vol_region), "compartment_id": comp_ids[vol_comp],
        "availability_domain": "AD-1", "display_name": vol_ids, "image_id": ("img-" + pd.Series(vol_image)
                                                                             .astype("string")).array,
        "lifecycle_state": "AVAILABLE", "size_in_gbs": 50, "time_created": AS_OF - pd.Timedelta(days=400)})
    volume_groups = pd.DataFrame({"volume_group_id": group_ids, "region": _cat(group_region),
                                  "compartment_id": comp_ids[vol_comp[np.arange(n_groups) * 3]],
                                  "display_name": group_ids, "lifecycle_state": "AVAILABLE",
                                  "time_created": AS_OF - pd.Timedelta(days=300)})
    members = pd.DataFrame({"volume_group_id": group_ids[member_group[grouped_ok]],
                            "region": _cat(vol_region[grouped[grouped_ok]]), "volume_id": vol_ids[grouped[grouped_ok]]})

    # --- group backups: 6 per group, a quarter of them copied (members visible in the copy) -------
    per_group = 6
    gb_group = np.repeat(np.arange(n_groups), per_group)
    vol_image[: n_groups * 3] = vol_image[: n_groups * 3] % 40  # grouped volumes run copyable images
    boot_volumes["image_id"] = ("img-" + pd.Series(vol_image).astype("string")).array
    n_gb = len(gb_group)
    gb_age = np.minimum(rng.exponential(6.0, n_gb), 29.0)  # kept 30 days: OCI deletes expired backups
    gb_time = AS_OF - pd.to_timedelta(gb_age, unit="D")
    gb_ids = _ids("ocid1.volumegroupbackup.oc1..gb", n_gb)
    gb_copy_of = np.flatnonzero(rng.random(n_gb) < 0.25)
    n_gbc = len(gb_copy_of)
    gbc_region = (group_region[gb_group[gb_copy_of]] + rng.integers(1, n_r, n_gbc)) % n_r
    gbc_ids = _ids("ocid1.volumegroupbackup.oc1..gc", n_gbc)
    gbc_time = (gb_time[gb_copy_of] + pd.Timedelta(hours=3)).where(
        gb_time[gb_copy_of] + pd.Timedelta(hours=3) < AS_OF, AS_OF - pd.Timedelta(minutes=1))
    group_backups = pd.DataFrame({
        "volume_group_backup_id": np.r_[gb_ids, gbc_ids],
        "region": _cat(np.r_[group_region[gb_group], gbc_region]),
        "compartment_id": np.r_[comp_ids[vol_comp[gb_group * 3]], comp_ids[vol_comp[gb_group[gb_copy_of] * 3]]],
        "volume_group_id": np.r_[group_ids[gb_group], group_ids[gb_group[gb_copy_of]]],
        "lifecycle_state": np.r_[rng.choice(["AVAILABLE", "COMMITTED"], n_gb, p=[0.98, 0.02]),
                                 rng.choice(["AVAILABLE", "CREATING", "FAULTY"], n_gbc, p=[0.93, 0.04, 0.03])],
        "source_type": np.r_[np.full(n_gb, "SCHEDULED"), np.full(n_gbc, "MANUAL")],
        "time_created": np.r_[gb_time, gbc_time],
        "expiration_time": np.r_[gb_time + pd.Timedelta(days=30), np.full(n_gbc, pd.NaT)],
        "source_volume_group_backup_id": np.r_[np.full(n_gb, None), gb_ids[gb_copy_of]]})
    # member boot backups: of each group backup (roots) and of each copy (no source id of their own)
    slot = np.tile(np.arange(3), n_gb)
    gm_group = np.repeat(np.arange(n_gb), 3)
    gm_vol = gb_group[gm_group] * 3 + slot
    keep = grouped_ok[gm_vol]
    gm_group, gm_vol = gm_group[keep], gm_vol[keep]
    gcm = np.isin(gm_group, gb_copy_of)
    copy_index = np.searchsorted(gb_copy_of, gm_group[gcm])

    # --- plain roots and copies share the rest of the backups ------------------------------------
    n_group_rows = len(gm_group) + int(gcm.sum())
    n_copies = n_backups // 5
    n_roots = max(n_backups - n_copies - n_group_rows, n_vol)
    root_vol = rng.integers(0, n_vol, n_roots)
    root_time = AS_OF - pd.to_timedelta(np.minimum(rng.exponential(6.0, n_roots), 29.0), unit="D")
    root_ids = _ids("ocid1.bootvolumebackup.oc1..s", n_roots)
    roots = pd.DataFrame({
        "backup_id": root_ids, "region": _cat(vol_region[root_vol]), "compartment_id": comp_ids[vol_comp[root_vol]],
        "boot_volume_id": vol_ids[root_vol], "image_id": boot_volumes["image_id"].to_numpy()[root_vol],
        "lifecycle_state": rng.choice(["AVAILABLE", "CREATING", "TERMINATED"], n_roots, p=[0.95, 0.02, 0.03]),
        "source_type": "SCHEDULED", "time_created": root_time, "expiration_time": root_time + pd.Timedelta(days=30)})
    gm_ids = _ids("ocid1.bootvolumebackup.oc1..m", len(gm_group))
    group_members_rows = pd.DataFrame({
        "backup_id": gm_ids, "region": _cat(vol_region[gm_vol]), "compartment_id": comp_ids[vol_comp[gm_vol]],
        "boot_volume_id": vol_ids[gm_vol], "image_id": boot_volumes["image_id"].to_numpy()[gm_vol],
        "lifecycle_state": "AVAILABLE", "source_type": "SCHEDULED", "time_created": gb_time[gm_group],
        "volume_group_backup_id": gb_ids[gm_group]})
    gcm_ids = _ids("ocid1.bootvolumebackup.oc1..n", int(gcm.sum()))
    copy_members = pd.DataFrame({
        "backup_id": gcm_ids, "region": _cat(gbc_region[copy_index]), "compartment_id": comp_ids[vol_comp[gm_vol[gcm]]],
        "boot_volume_id": vol_ids[gm_vol[gcm]], "image_id": boot_volumes["image_id"].to_numpy()[gm_vol[gcm]],
        "lifecycle_state": "AVAILABLE", "source_type": "MANUAL", "time_created": gbc_time[copy_index],
        "volume_group_backup_id": gbc_ids[copy_index]})

    # copies (only of volumes whose image OCI copies): 94 % of a root, 5 % of a copy (a second hop),
    # 1 % back home; 1 % of all orphans
    copyable = np.flatnonzero(vol_image[root_vol] < 40)
    pick = copyable[rng.integers(0, len(copyable), n_copies)]
    hop = rng.random(n_copies)
    dest = (vol_region[root_vol[pick]] + rng.integers(1, n_r, n_copies)) % n_r
    copy_ids = _ids("ocid1.bootvolumebackup.oc1..k", n_copies)
    source_id = root_ids[pick].copy()
    source_time = root_time[pick]
    second = np.flatnonzero(hop >= 0.94)
    first = rng.integers(0, max(int((hop < 0.94).sum()), 1), len(second))
    source_id[second] = copy_ids[np.flatnonzero(hop < 0.94)[first]]
    origin_dest = dest[np.flatnonzero(hop < 0.94)[first]]
    home = vol_region[root_vol[pick[np.flatnonzero(hop < 0.94)[first]]]]
    dest[second] = np.where(hop[second] >= 0.99, home, (origin_dest + 1 + (origin_dest + 1 == home)) % n_r)
    source_time = source_time.to_numpy().copy()
    source_time[second] = root_time[pick[np.flatnonzero(hop < 0.94)[first]]].to_numpy()
    source_id[rng.random(n_copies) < 0.01] = "ocid1.bootvolumebackup.oc1..deleted"
    copy_time = pd.DatetimeIndex(source_time) + pd.to_timedelta(np.where(np.isin(np.arange(n_copies), second), 5, 2),
                                                                 unit="h")
    copy_time = copy_time.where(copy_time < AS_OF, AS_OF - pd.Timedelta(minutes=1))
    copies = pd.DataFrame({
        "backup_id": copy_ids, "region": _cat(dest), "compartment_id": comp_ids[vol_comp[root_vol[pick]]],
        "boot_volume_id": vol_ids[root_vol[pick]], "image_id": boot_volumes["image_id"].to_numpy()[root_vol[pick]],
        "lifecycle_state": rng.choice(["AVAILABLE", "CREATING", "FAULTY", "TERMINATED"], n_copies,
                                      p=[0.9, 0.04, 0.03, 0.03]),
        "source_type": "MANUAL", "time_created": copy_time, "time_request_received": copy_time,
        "source_boot_volume_backup_id": source_id})
    backups = pd.concat([roots, group_members_rows, copy_members, copies], ignore_index=True)
    backups["region"] = pd.Categorical(backups["region"], categories=REGIONS)
    backups = backups.sample(frac=1.0, random_state=seed).reset_index(drop=True)  # collectors list in any order

    # --- replicas ----------------------------------------------------------------------------------
    n_rep = n_vol // 25
    rep_vol = rng.choice(n_vol, n_rep, replace=False)
    kind = rng.choice(["healthy", "lagging", "faulty", "cross_ad", "terminated"], n_rep, p=[0.7, 0.1, 0.05, 0.1, 0.05])
    rep_region = np.where(kind == "cross_ad", vol_region[rep_vol], (vol_region[rep_vol] + 1) % n_r)
    synced = AS_OF - pd.to_timedelta(np.where(kind == "lagging", 9.0, 0.01), unit="D")
    rep_ids = _ids("ocid1.bootvolumereplica.oc1..r", n_rep)
    in_groups = rep_vol < n_groups * 3  # the first volumes are the grouped ones
    group_rep_ids = _ids("ocid1.volumegroupreplica.oc1..q", n_groups)
    replicas = pd.DataFrame({
        "replica_id": rep_ids, "region": _cat(rep_region), "compartment_id": comp_ids[vol_comp[rep_vol]],
        "availability_domain": "AD-2", "boot_volume_id": vol_ids[rep_vol],
        "lifecycle_state": np.select([kind == "faulty", kind == "terminated"], ["FAULTY", "TERMINATED"], "AVAILABLE"),
        "time_created": AS_OF - pd.Timedelta(days=100), "time_last_synced": synced,
        "volume_group_replica_id": np.where(in_groups, group_rep_ids[np.clip(rep_vol // 3, 0, n_groups - 1)], None)})
    group_replicas = pd.DataFrame({"replica_id": group_rep_ids, "region": _cat((group_region + 1) % n_r),
                                   "volume_group_id": group_ids, "lifecycle_state": "AVAILABLE",
                                   "time_created": AS_OF - pd.Timedelta(days=100),
                                   "time_last_synced": AS_OF - pd.Timedelta(minutes=10)})
    boot_volumes.loc[rep_vol, "replica_count"] = 1
    boot_volumes["replica_regions"] = pd.Series(pd.NA, index=boot_volumes.index, dtype="string")
    boot_volumes.loc[rep_vol, "replica_regions"] = np.array(REGIONS, dtype=object)[rep_region]

    # --- policies: Oracle's (no destination) and one per region copying to the next ------------------
    policies = pd.DataFrame({"policy_id": [*(f"oracle-{n}" for n in ("gold", "silver", "bronze")),
                                           *(f"xr-{r}" for r in REGIONS)],
                             "region": REGIONS[0], "display_name": ["gold", "silver", "bronze", *REGIONS],
                             "destination_region": [None] * 3 + [REGIONS[(i + 1) % n_r] for i in range(n_r)]})
    assigned = np.flatnonzero(rng.random(n_vol) < 0.6)
    with_dest = rng.random(len(assigned)) < 0.3
    policy = np.where(with_dest, "xr-" + np.array(REGIONS, dtype=object)[vol_region[assigned]],
                      np.array(["oracle-gold", "oracle-silver", "oracle-bronze"], dtype=object)[
                          rng.integers(0, 3, len(assigned))])
    group_assigned = np.flatnonzero(rng.random(n_groups) < 0.5)
    assignments = pd.DataFrame({
        "assignment_id": _ids("asg-", len(assigned) + len(group_assigned)),
        "asset_id": np.r_[vol_ids[assigned], group_ids[group_assigned]],
        "asset_type": ["boot_volume"] * len(assigned) + ["volume_group"] * len(group_assigned),
        "policy_id": np.r_[policy, "xr-" + np.array(REGIONS, dtype=object)[group_region[group_assigned]]],
        "time_created": AS_OF - pd.Timedelta(days=200)})
    regions = pd.DataFrame({"region": [*REGIONS, SUBSCRIBING], "region_key": ["LHR", "FRA", "AMS", "IAD", "NRT"],
                            "is_home_region": [True, False, False, False, False],
                            "status": ["READY"] * 4 + ["IN_PROGRESS"], "collected": [True] * 4 + [False]})
    errors = pd.DataFrame({"region": ["us-ashburn-1", "uk-london-1"],
                           "compartment_id": ["ocid1.compartment.oc1..c3", "ocid1.compartment.oc1..c5"],
                           "operation": ["ListBootVolumeBackups", "GetVolumeBackupPolicyAssetAssignment"],
                           "resource_id": [None, vol_ids[0]], "code": ["TooManyRequests", "InternalError"],
                           "time": [AS_OF, AS_OF]})
    meta = CollectionMetadata(tenancy_id=ROOT_COMPARTMENT, tenancy_name="bench", home_region=REGIONS[0],
                              started_at=AS_OF - pd.Timedelta(minutes=30), finished_at=AS_OF,
                              reportkit_version="bench", parameters={"tables": sorted(INVENTORY_TABLES)})
    frames = {"backups": backups, "boot_volumes": boot_volumes, "images": images, "compartments": compartments,
              "regions": regions, "errors": errors, "volume_groups": volume_groups, "volume_group_members": members,
              "volume_group_backups": group_backups, "boot_volume_replicas": replicas,
              "volume_group_replicas": group_replicas, "backup_policies": policies, "policy_assignments": assignments}
    return Inventory.from_tables(meta, **{name: _typed(name, frame) for name, frame in frames.items()})


def tiny_inventory() -> Inventory:
    """A 10-volume inventory (the fixed-cost benchmark): the generator at its smallest, cut to 10 volumes."""
    import dataclasses

    inv = build_inventory(50)
    keep = inv.boot_volumes["boot_volume_id"].iloc[:10]
    backups = inv.backups[inv.backups["boot_volume_id"].isin(keep)]
    return dataclasses.replace(inv, boot_volumes=inv.boot_volumes.iloc[:10].reset_index(drop=True),
                               backups=backups.reset_index(drop=True))


# ------------------------------------------------------------------------- child-process entry points
def write_snapshot(params: dict) -> dict:
    """Generate the inventory and save it as a snapshot under ``params['folder']``; return its path."""
    from reportkit.snapshot import save_snapshot

    t0 = time.perf_counter()
    inventory = build_inventory(int(params["backups"]))
    built = time.perf_counter() - t0
    path = save_snapshot(inventory, params["folder"])
    return {"path": str(path), "build_s": round(built, 2), "backups": len(inventory.backups),
            "group_backups": len(inventory.volume_group_backups), "replicas": len(inventory.boot_volume_replicas),
            "volumes": len(inventory.boot_volumes)}


def assess_snapshot(params: dict) -> dict:
    """Load the snapshot and assess it once in this (fresh) process; return timings (s) and memory (MB)."""
    from reportkit.assessment import assess
    from reportkit.snapshot import load_snapshot

    t0 = time.perf_counter()
    inventory = load_snapshot(params["path"])
    loaded = time.perf_counter() - t0
    rss_loaded = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t0, c0 = time.perf_counter(), time.process_time()
    result = assess(inventory, rpo_days=7)
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
    s = result.summary
    return {
        "backups": len(inventory.backups), "volumes": len(result.volumes), "items": len(result.items),
        "group_backups": len(result.group_backups), "findings": len(result.findings),
        "restorable_pct": round(float(s.restorable_pct or 0.0), 2), "load_s": round(loaded, 2),
        "assess_s": round(elapsed, 3), "assess_cpu_s": round(cpu, 3), "load_avg_1min": round(os.getloadavg()[0], 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "rss_after_load_mb": round(rss_loaded),
    }


def fixed_cost(params: dict) -> dict:
    """Median wall time of assess() on the 10-volume inventory (after one warm-up call), in ms."""
    from reportkit.assessment import assess

    inventory = tiny_inventory()
    assess(inventory)
    times = []
    for _ in range(int(params.get("repeats", 30))):
        t0 = time.perf_counter()
        assess(inventory)
        times.append(time.perf_counter() - t0)
    times.sort()
    return {"volumes": len(inventory.boot_volumes), "backups": len(inventory.backups),
            "median_ms": round(times[len(times) // 2] * 1000, 1), "best_ms": round(times[0] * 1000, 1)}


def core_compare(params: dict) -> dict:
    """The core of assess -- every copy traced to its root, then the freshest AVAILABLE copy per volume x
    region -- in pandas/numpy (as reportkit does it) and in DuckDB SQL, on the same loaded snapshot."""
    import duckdb

    from reportkit.snapshot import load_snapshot

    backups = load_snapshot(params["path"]).backups
    out = {}
    for name, core in (("pandas", _core_pandas), ("duckdb", _core_duckdb)):
        core(backups)  # warm-up (imports, DuckDB's first query)
        times, result = [], None
        for _ in range(3):
            t0 = time.perf_counter()
            result = core(backups)
            times.append(time.perf_counter() - t0)
        out[f"{name}_s"] = round(sorted(times)[1], 3)
        out[f"{name}_pairs"] = len(result)
        seconds = pd.to_datetime(result["data"], utc=True).astype("datetime64[s, UTC]").astype("int64")
        out[f"{name}_checksum"] = int(seconds.sum() % 1_000_003)  # the two cores must agree
    out["duckdb_threads"] = duckdb.sql("select current_setting('threads')").fetchall()[0][0]
    return out


def _core_pandas(backups: pd.DataFrame) -> pd.DataFrame:
    """reportkit's own core: positions of each source, follow_links to the root, then the newest per
    (volume, region) on integer keys (``last_per_key``), as the rule steps do it."""
    from reportkit.assessment._lookup import last_per_key, positions
    from reportkit.assessment.lineage import ABSENT, NO_LINK, follow_links
    from reportkit.assessment.volumes.link import ns

    has_source = backups["source_boot_volume_backup_id"].notna().to_numpy(bool)
    source = np.full(len(backups), NO_LINK, dtype=np.int64)
    found = positions(backups["source_boot_volume_backup_id"][has_source], backups["backup_id"])
    source[has_source] = np.where(found >= 0, found, ABSENT)
    end, _, endless = follow_links(source)
    rows = np.flatnonzero(has_source & (source[end] == NO_LINK) & ~endless
                          & backups["lifecycle_state"].eq("AVAILABLE").to_numpy(bool))
    root = end[rows]
    volume, names = pd.factorize(backups["boot_volume_id"].take(root))
    region = np.asarray(backups["region"].array.codes)[rows]
    data = ns(backups["time_created"])[root]
    pick = last_per_key(volume.astype(np.int64) * 64 + region, data)
    return pd.DataFrame({"volume": np.asarray(names)[volume[pick]], "region": region[pick],
                         "data": pd.to_datetime(data[pick], utc=True)})


def _core_duckdb(backups: pd.DataFrame) -> pd.DataFrame:
    """The same core as one recursive SQL query over the frame (DuckDB scans it through Arrow)."""
    import duckdb

    b = backups[["backup_id", "source_boot_volume_backup_id", "boot_volume_id", "region", "lifecycle_state",
                 "time_created"]]  # noqa: F841 - DuckDB reads the local frame by name
    return duckdb.sql("""
        with recursive chain(id, cur, depth) as (
            select backup_id, source_boot_volume_backup_id, 1 from b where source_boot_volume_backup_id is not null
            union all
            select chain.id, b.source_boot_volume_backup_id, chain.depth + 1
            from chain join b on b.backup_id = chain.cur
            where b.source_boot_volume_backup_id is not null and chain.depth < 32),
        roots as (select id, arg_max(cur, depth) as root from chain group by id)
        select r.boot_volume_id as volume, c.region as region, max(r.time_created) as data
        from roots join b c on c.backup_id = roots.id join b r on r.backup_id = roots.root
        where c.lifecycle_state = 'AVAILABLE' and r.source_boot_volume_backup_id is null
        group by all
    """).df()


def profile_assess(params: dict) -> dict:
    """cProfile one assess of the snapshot: the functions of reportkit that take the most time."""
    import cProfile
    import pstats

    from reportkit.assessment import assess
    from reportkit.snapshot import load_snapshot

    inventory = load_snapshot(params["path"])
    assess(inventory)
    profiler = cProfile.Profile()
    profiler.enable()
    assess(inventory)
    profiler.disable()
    stats = pstats.Stats(profiler)
    rows = []
    for (file, line, func), (_, _, tottime, cumtime, _) in stats.stats.items():  # type: ignore[attr-defined]
        if "/reportkit/" in file:
            rows.append((cumtime, tottime, f"{file.split('/reportkit/')[1]}:{func}"))
    rows.sort(reverse=True)
    return {"top": [[name, round(cum, 3), round(tot, 3)] for cum, tot, name in rows[: int(params.get("top", 25))]],
            "total_s": round(sum(t for _, t, _ in rows), 3)}


def run(n_backups: int = 1_000_000) -> dict:
    """Generate, save, load and assess in this process (a quick look; `make bench` uses fresh processes)."""
    with tempfile.TemporaryDirectory(prefix="reportkit-bench-") as folder:
        info = write_snapshot({"backups": n_backups, "folder": folder})
        return {**assess_snapshot({"path": info["path"]}), "build_s": info["build_s"]}


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    for key, value in run(n).items():
        print(f"{key:>22}: {value}")

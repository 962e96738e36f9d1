"""Benchmark: assess a synthetic 1,000,000-backup inventory; print time and peak memory.

Target (issue 4): under 5 s and under 2 GB on a 2-core machine. Run:
    .venv/bin/python bench/bench_assess.py [n_backups]
The inventory is generated vectorised: volumes spread over 4 regions and 20 compartments,
4/5 of backups are sources, 1/5 cross-region copies (some CREATING, FAULTY, TERMINATED, or of
deleted sources), images of every class, a few collection errors.
"""
from __future__ import annotations

import os
import resource
import sys
import time

import numpy as np
import pandas as pd

from reportkit.inventory import CollectionMetadata, Inventory
from reportkit.schema import INVENTORY_TABLES

AS_OF = pd.Timestamp("2024-06-01T00:00:00Z")
REGIONS = ["uk-london-1", "eu-frankfurt-1", "eu-amsterdam-1", "us-ashburn-1"]


def _ids(prefix: str, n: int) -> pd.Series:
    return prefix + pd.Series(np.arange(n)).astype("string")


def _typed(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Give the frame every declared column with its dtype (so Inventory does not re-coerce)."""
    return INVENTORY_TABLES[name].coerce(frame)


def build_inventory(n_backups: int = 1_000_000, seed: int = 7) -> Inventory:
    """Return a synthetic inventory with ``n_backups`` backups (vectorised generation)."""
    rng = np.random.default_rng(seed)
    n_copies = n_backups // 5
    n_sources = n_backups - n_copies
    n_volumes = max(n_sources // 4, 1)
    n_comp = 20
    comp_ids = _ids("ocid1.compartment.oc1..c", n_comp)
    compartments = pd.DataFrame({
        "compartment_id": comp_ids, "parent_compartment_id": ["ocid1.tenancy.oc1..root"] * n_comp,
        "name": _ids("C", n_comp), "path": _ids("C", n_comp), "depth": 1, "lifecycle_state": "ACTIVE"})
    compartments = pd.concat([pd.DataFrame({"compartment_id": ["ocid1.tenancy.oc1..root"], "name": ["root"],
                                            "path": ["/"], "depth": [0], "lifecycle_state": ["ACTIVE"]}),
                              compartments], ignore_index=True)
    images = pd.DataFrame({
        "image_id": _ids("img-", 60), "region": REGIONS[0],
        "compartment_id": [None] * 20 + ["ocid1.compartment.oc1..c0"] * 40,
        "base_image_id": [None] * 20 + [f"img-{i % 20}" for i in range(20, 40)] + [None] * 20,
        "listing_type": ["NONE"] * 55 + ["COMMUNITY"] * 5,
        "marketplace_listing_id": [None] * 45 + ["listing"] * 5 + [None] * 10,
        "lookup_status": ["ok"] * 58 + ["not_found", "error"]})
    vol_region = rng.integers(0, len(REGIONS), n_volumes)
    vol_comp = rng.integers(0, n_comp, n_volumes)
    vol_image = rng.choice(60, n_volumes, p=np.r_[np.full(40, 0.9 / 40), np.full(20, 0.1 / 20)])
    vol_ids = _ids("ocid1.bootvolume.oc1..v", n_volumes)
    region_cat = pd.Categorical.from_codes(vol_region, categories=REGIONS)
    boot_volumes = pd.DataFrame({
        "boot_volume_id": vol_ids, "region": region_cat, "compartment_id": comp_ids.to_numpy()[vol_comp],
        "display_name": vol_ids, "image_id": ("img-" + pd.Series(vol_image).astype("string")).array,
        "lifecycle_state": "AVAILABLE", "size_in_gbs": 50})
    src_vol = rng.integers(0, n_volumes, n_sources)
    age_days = rng.exponential(6.0, n_sources)
    src_time = AS_OF - pd.to_timedelta(age_days, unit="D")
    src_ids = _ids("ocid1.bootvolumebackup.oc1..s", n_sources)
    sources = pd.DataFrame({
        "backup_id": src_ids, "region": pd.Categorical.from_codes(vol_region[src_vol], categories=REGIONS),
        "compartment_id": comp_ids.to_numpy()[vol_comp[src_vol]], "boot_volume_id": vol_ids.to_numpy()[src_vol],
        "image_id": boot_volumes["image_id"].to_numpy()[src_vol],
        "lifecycle_state": rng.choice(["AVAILABLE", "CREATING", "TERMINATED"], n_sources, p=[0.95, 0.02, 0.03]),
        "time_created": src_time})
    pick = rng.integers(0, n_sources, n_copies)
    dest = (vol_region[src_vol[pick]] + rng.integers(1, len(REGIONS), n_copies)) % len(REGIONS)
    source_id = src_ids.to_numpy()[pick].copy()
    source_id[rng.random(n_copies) < 0.01] = "ocid1.bootvolumebackup.oc1..deleted"  # orphans
    copies = pd.DataFrame({
        "backup_id": _ids("ocid1.bootvolumebackup.oc1..k", n_copies),
        "region": pd.Categorical.from_codes(dest, categories=REGIONS),
        "compartment_id": sources["compartment_id"].to_numpy()[pick],
        "boot_volume_id": sources["boot_volume_id"].to_numpy()[pick],
        "image_id": sources["image_id"].to_numpy()[pick],
        "lifecycle_state": rng.choice(["AVAILABLE", "CREATING", "FAULTY", "TERMINATED"], n_copies,
                                      p=[0.9, 0.04, 0.03, 0.03]),
        "time_created": src_time[pick] + pd.Timedelta(hours=2),
        "source_boot_volume_backup_id": source_id})
    backups = pd.concat([sources, copies], ignore_index=True)
    backups["region"] = pd.Categorical(backups["region"], categories=REGIONS)
    regions = pd.DataFrame({"region": REGIONS, "region_key": ["LHR", "FRA", "AMS", "IAD"],
                            "is_home_region": [True, False, False, False], "status": "READY", "collected": True})
    errors = pd.DataFrame({"region": ["us-ashburn-1"], "compartment_id": ["ocid1.compartment.oc1..c3"],
                           "operation": ["ListBootVolumeBackups"], "code": ["TooManyRequests"], "time": [AS_OF]})
    meta = CollectionMetadata(tenancy_id="ocid1.tenancy.oc1..root", tenancy_name="bench", home_region=REGIONS[0],
                              started_at=AS_OF - pd.Timedelta(minutes=30), finished_at=AS_OF,
                              reportkit_version="bench")
    frames = {"backups": backups, "boot_volumes": boot_volumes, "images": images, "compartments": compartments,
              "regions": regions, "errors": errors}
    return Inventory.from_tables(meta, **{name: _typed(name, frame) for name, frame in frames.items()})


def run(n_backups: int = 1_000_000) -> dict[str, float]:
    """Build the synthetic inventory, assess it once, return timings (s) and memory (MB)."""
    from reportkit.assessment import assess

    t0 = time.perf_counter()
    inventory = build_inventory(n_backups)
    built = time.perf_counter() - t0
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t0, c0 = time.perf_counter(), time.process_time()
    result = assess(inventory, rpo_days=7)
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
    rss_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "backups": float(len(inventory.backups)),
        "volumes": float(len(result.volumes)),
        "findings": float(len(result.findings)),
        "coverage_pct": float(result.summary.coverage_pct or 0.0),
        "build_s": round(built, 2),
        "assess_s": round(elapsed, 2),
        "assess_cpu_s": round(cpu, 2),  # wall time suffers when other processes share the cores
        "load_avg_1min": round(os.getloadavg()[0], 1),
        "peak_rss_mb": round(rss_peak, 0),
        "rss_before_assess_mb": round(rss_before, 0),
    }


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    figures = run(n)
    for key, value in figures.items():
        print(f"{key:>22}: {value:,.2f}")
    print(f"target: assess_s < 5 and peak_rss_mb < 2048 -> "
          f"{'OK' if figures['assess_s'] < 5 and figures['peak_rss_mb'] < 2048 else 'MISSED'}")

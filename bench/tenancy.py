"""The benchmark tenancy: a large, simple tenancy document for the fake OCI API, built in a few seconds."""
from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

import numpy as np

from reportkit.errors import InputError
from reportkit.sim.demo import DEFAULT_AS_OF, DEFAULT_SEED, SCHEMA_VERSION, load_spec
from reportkit.sim.demo.records import Hasher, Policy, Schedule, parse_time, ts

_SCALE_REGIONS = ("uk-london-1", "eu-frankfurt-1", "us-ashburn-1", "us-phoenix-1", "eu-amsterdam-1",
                  "ap-tokyo-1", "ap-sydney-1", "ca-toronto-1", "sa-saopaulo-1", "ap-mumbai-1", "eu-zurich-1",
                  "eu-paris-1", "ap-singapore-1", "me-dubai-1", "uk-cardiff-1", "us-chicago-1")


def build_scaled_tenancy(regions: int = 10, compartments: int = 200, volumes: int = 2000,
                         backups: int = 100_000, seed: int = DEFAULT_SEED,
                         as_of: str | datetime = DEFAULT_AS_OF) -> dict[str, Any]:
    """Return a large, simple tenancy document for benchmarks (no ``_truth`` scenarios).

    ``regions`` subscribed regions (max 16), ``compartments`` compartments in a 3-level tree, of
    which only about one in ten holds volumes (as in real tenancies), ``volumes`` boot volumes on
    platform images with Oracle-defined policies, and about ``backups`` boot volume backups in
    total, of which ~15 % are cross-region copies. Built in a few seconds.
    """
    import oci.regions

    if not 1 <= regions <= len(_SCALE_REGIONS):
        raise InputError(f"regions={regions}: give 1..{len(_SCALE_REGIONS)}")
    if compartments < 1 or volumes < 0 or backups < 0:
        raise InputError("compartments must be >= 1, volumes and backups >= 0")
    rng = random.Random(seed)
    h = Hasher(seed)
    end = parse_time(as_of)
    keys = {v: k.upper() for k, v in oci.regions.REGIONS_SHORT_NAMES.items()}
    names = list(_SCALE_REGIONS[:regions])
    tenancy_id = h.ocid("tenancy", "", "scaled")
    comps = []
    for i in range(compartments):
        parent = tenancy_id if i < 10 else comps[rng.randrange(min(len(comps), 10 + i // 4))]["id"]
        comps.append({"id": h.ocid("compartment", "", "scaled", i), "compartmentId": parent, "name": f"comp-{i:04d}",
                      "description": "", "timeCreated": ts(end - timedelta(days=900)), "lifecycleState": "ACTIVE",
                      "isAccessible": True, "freeformTags": {}, "definedTags": {}})
    busy = [c["id"] for c in comps[:: 10]] or [tenancy_id]
    images = {r: {"id": h.ocid("image", r, "ol8"), "displayName": "Oracle-Linux-8.10-2026.09.30-0",
                  "createImageAllowed": True, "launchMode": "NATIVE", "lifecycleState": "AVAILABLE",
                  "operatingSystem": "Oracle Linux", "operatingSystemVersion": "8", "listingType": "NONE",
                  "sizeInMBs": 47694, "billableSizeInGBs": 0, "timeCreated": ts(end - timedelta(days=60))}
              for r in names}
    spec = load_spec()
    pols: dict[str, list[Policy]] = {}
    for r in names:
        pols[r] = [Policy(h.ocid("volumebackuppolicy", r, n), r, n, n,
                           tuple(Schedule(s["period"], s["type"], timedelta(days=s["retention_days"]), 0,
                                           s.get("day_of_week"), s.get("day_of_month"), s.get("month"))
                                 for s in p["schedules"]), end - timedelta(days=900))
                   for n, p in spec["oracle_policies"].items()]
    bvs: dict[str, list[dict[str, Any]]] = {r: [] for r in names}
    assigns: dict[str, list[dict[str, Any]]] = {r: [] for r in names}
    vol_info = []
    for i in range(volumes):
        r = names[i % regions]
        vid = h.ocid("bootvolume", r, "scaled", i)
        size = rng.choice((47, 50, 100, 256, 512, 1024))
        cid = rng.choice(busy)
        created = end - timedelta(days=rng.uniform(10, 700))
        bvs[r].append({"availabilityDomain": f"Uocm:{keys.get(r, 'XXX')}-AD-1", "compartmentId": cid,
                       "displayName": f"vm-{i:05d} (Boot Volume)", "id": vid, "imageId": images[r]["id"],
                       "isHydrated": True, "vpusPerGB": 10, "lifecycleState": "AVAILABLE", "sizeInGBs": size,
                       "sizeInMBs": size * 1024, "timeCreated": ts(created)})
        pol = pols[r][i % 3]
        assigns[r].append({"assetId": vid, "id": h.ocid("volumebackuppolicyassignment", r, vid),
                           "policyId": pol.id, "timeCreated": ts(created)})
        vol_info.append((r, vid, cid, size, images[r]["id"]))
    bks: dict[str, list[dict[str, Any]]] = {r: [] for r in names}
    if volumes:
        # Vectorised draws and timestamp formatting: 100k backups in well under a second.
        nrng = np.random.default_rng(seed)
        n_src = int(backups / 1.15)
        end64 = np.datetime64(end.replace(tzinfo=None), "ms")

        def stamps(offset_hours: np.ndarray) -> list[str]:
            return [x + "Z" for x in np.datetime_as_string(end64 - offset_hours.astype("timedelta64[h]"),
                                                           unit="ms").tolist()]

        hours = nrng.integers(2, 24 * 365, n_src)
        created, copied, expires = stamps(hours), stamps(hours - 1), stamps(hours - 24 * 365)
        scheduled = (nrng.random(n_src) < 0.85).tolist()
        is_copy = (nrng.random(n_src) < 0.15).tolist() if regions > 1 else [False] * n_src
        states = ("AVAILABLE",) * 95 + ("CREATING", "REQUEST_RECEIVED", "FAULTY", "TERMINATED", "TERMINATING")
        state = [states[i] for i in nrng.integers(0, len(states), n_src).tolist()]
        salt = h.digest("scaled-backups", size=6).hex()
        for j in range(n_src):
            r, vid, cid, size, iid = vol_info[j % volumes]
            src = {"bootVolumeId": vid, "compartmentId": cid, "displayName": f"backup-{j}",
                   "id": f"ocid1.bootvolumebackup.oc1.{r}.aaaa{salt}{j:036x}", "imageId": iid,
                   "lifecycleState": state[j], "sizeInGBs": size,
                   "sourceType": "SCHEDULED" if scheduled[j] else "MANUAL", "timeCreated": created[j],
                   "timeRequestReceived": created[j], "type": "INCREMENTAL" if j % 7 else "FULL",
                   "uniqueSizeInGBs": max(1, size // 20)}
            if scheduled[j]:
                src["expirationTime"] = expires[j]
            bks[r].append(src)
            if is_copy[j]:
                dest = names[(names.index(r) + 1) % regions]
                bks[dest].append(dict(src, id=f"ocid1.bootvolumebackup.oc1.{dest}.aaaa{salt}c{j:035x}",
                                      sourceBootVolumeBackupId=src["id"], timeRequestReceived=copied[j],
                                      timeCreated=copied[j]))
    return {
        "schemaVersion": SCHEMA_VERSION,
        "asOf": ts(end),
        "tenancy": {"id": tenancy_id, "name": "scaled", "description": "benchmark tenancy",
                    "homeRegionKey": keys.get(names[0], "LHR")},
        "regionSubscriptions": [{"regionKey": keys.get(r, "XXX"), "regionName": r, "status": "READY",
                                 "isHomeRegion": i == 0} for i, r in enumerate(names)],
        "compartments": comps,
        "policies": [],
        "images": {r: [images[r]] for r in names},
        "bootVolumes": bvs,
        "bootVolumeBackups": bks,
        "volumeBackupPolicies": {r: [p.wire() for p in pols[r]] for r in names},
        "volumeBackupPolicyAssignments": assigns,
        "marketplaceListings": [],
        "vaultKeys": {r: [] for r in names},
        "access": {"deniedCompartments": []},
    }

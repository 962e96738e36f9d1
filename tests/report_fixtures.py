"""A small tenancy for the report tests: every coverage status, hostile display names, a gap, history.

Built with the assess tests' ``Tenancy`` builder and saved as real snapshots, so the notebooks
read exactly what ``reportkit collect`` would have written.
"""
from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd

from reportkit.schema import IAM_POLICIES
from reportkit.snapshot import save_snapshot
from test_assessment_builders import AMS, APP, FRA, LHR, PROD, Tenancy

HOSTILE_NAMES = ("<script>alert(1)</script>", "=cmd|' /C calc'!A0", "<img src=x onerror=alert(2)>")


def build_inventory(*, volumes: int = 30, shift_days: float = 0.0, copied_every: int = 3):
    """Return an Inventory with ``volumes`` boot volumes across 3 regions and 2 compartments.

    Marketplace volumes (ineligible), volumes without backup, stale and fresh copies, and one
    collection gap (so some volumes are unknown). ``shift_days`` moves every time back.
    """
    t = Tenancy()
    t.image("img-mkt", listing="listing-1")
    for i in range(volumes):
        region = (LHR, FRA, AMS)[i % 3]
        v = t.volume(f"bv{i}", region=region, compartment=(PROD, APP)[i % 2],
                     image="img-mkt" if i % 7 == 0 else "img-plat")
        t.boot_volumes[-1]["display_name"] = f"{HOSTILE_NAMES[i % 3]} {i}"
        if i % 5 == 4:
            continue  # no backup at all
        b = t.backup(f"b{i}", v, region=region, age_days=(i % 4) * 4 + 0.5 + shift_days)
        t.backups[-1]["display_name"] = f"{HOSTILE_NAMES[(i + 1) % 3]} backup"
        if i % copied_every != copied_every - 1:
            t.copy(f"c{i}", b, region=FRA if region != FRA else LHR)
    t.error(AMS, PROD)
    inv = t.inventory()
    # IAM: the seed's volume admins (no COPY through volume-family) and a group that may copy
    statements = ["Allow group VolumeAdmins to manage volume-family in tenancy",
                  "Allow group BackupAdmins to manage boot-volume-backups in tenancy"]
    iam = IAM_POLICIES.coerce([{"policy_id": "pol-iam", "compartment_id": inv.metadata.tenancy_id,
                                "policy_name": "storage", "statement_index": n, "statement": text,
                                "lifecycle_state": "ACTIVE"} for n, text in enumerate(statements, start=1)])
    return dataclasses.replace(inv, iam_policies=iam)


def build_history(root: Path, months: int = 3) -> list[Path]:
    """Write ``months`` month-end snapshots (coverage improving each month); return their folders."""
    paths = []
    for m in range(months, 0, -1):
        inv = build_inventory(copied_every=2 + (months - m))
        offset = pd.DateOffset(months=m - 1)
        meta = inv.metadata
        from dataclasses import replace

        meta = replace(meta, started_at=meta.started_at - offset, finished_at=meta.finished_at - offset)
        inv = type(inv)(metadata=meta, **inv.tables())
        paths.append(save_snapshot(inv, root))
    return paths

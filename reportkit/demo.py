"""The demo: the whole product, end to end, on the embedded demo tenancy served by the fake OCI.

``reportkit demo`` (and ``make demo``) runs exactly the path a user runs against a real tenancy:
the real ``oci`` SDK collects over HTTP from :mod:`reportkit.sim`, snapshots are written, assessed
and rendered. Two things are demo-specific:

- each snapshot is stamped with the instant the demo tenancy describes (a month end), not the wall
  clock, so the freshness verdicts (``rpo_days``) are those the generator intended and the history
  has one snapshot per month;
- the demo's folders are its own and a re-run REPLACES them instead of adding ``-2`` copies: the
  demo tenancy's snapshot folder (``<snapshots>/tenancy=<demo>/``, refused when it holds a snapshot
  the demo did not write), the assessments of those snapshots and ``<reports>/demo/``. The new set
  is written aside first and swapped in at the end, so a failed run leaves the previous one whole.
"""
from __future__ import annotations

import dataclasses
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from reportkit._io import stage_folder
from reportkit.errors import InputError
from reportkit.inventory import Inventory
from reportkit.settings import Settings
from reportkit.settings import current as current_settings

#: the manifest parameter that marks a snapshot written by the demo
DEMO_MARK = "demo_as_of"
#: the demo's reports folder, inside the settings' reports folder
DEMO_REPORTS = "demo"


@dataclass(frozen=True)
class DemoResult:
    """What the demo produced: snapshot folders (oldest first), assessment exports, report HTML files."""

    snapshots: list[Path]
    assessment_files: dict[str, Path] = field(default_factory=dict)
    reports: list[Path] = field(default_factory=list)

    @property
    def latest_snapshot(self) -> Path:
        return self.snapshots[-1]


def stamp_inventory(inv: Inventory, as_of: pd.Timestamp) -> Inventory:
    """Return ``inv`` with its collection times set to ``as_of`` (the instant the demo tenancy shows)."""
    stamp = pd.Timestamp(as_of).tz_convert("UTC")
    metadata = dataclasses.replace(inv.metadata, started_at=stamp, finished_at=stamp,
                                   parameters={**inv.metadata.parameters, DEMO_MARK: stamp.isoformat()})
    return dataclasses.replace(inv, metadata=metadata)


def demo_tenancy_folder(snapshot_root: Path, tenancy_name: str) -> Path:
    """Return the demo tenancy's snapshot folder under ``snapshot_root``; raise InputError when it holds a
    snapshot the demo did not write (a real tenancy of the same name: never replaced)."""
    from reportkit.errors import SnapshotError
    from reportkit.snapshot import MANIFEST, read_manifest, safe_tenancy_name

    folder = snapshot_root / f"tenancy={safe_tenancy_name(tenancy_name)}"
    for manifest in sorted(folder.glob(f"date=*/*/{MANIFEST}")):
        try:
            ours = DEMO_MARK in (read_manifest(manifest).get("parameters") or {})
        except SnapshotError:
            ours = False
        if not ours:
            raise InputError(f"{manifest.parent} is not a demo snapshot, and the demo replaces {folder} on every run; "
                             "move that snapshot, or give the demo another folder with --snapshots")
    return folder


def collect_demo_history(snapshot_root: str | Path | None = None, *, months: int = 6,
                         progress: bool = False, log: Callable[[str], None] = print) -> list[Path]:
    """Serve the demo tenancy as it stood at each of ``months`` month ends, collect each, and put the
    snapshots in place of the demo tenancy's earlier ones.

    Returns the snapshot folders written, oldest first (the last one is the current tenancy).
    """
    from reportkit.collection import collect
    from reportkit.sim import serve, write_oci_config
    from reportkit.sim.demo import build_history
    from reportkit.snapshot import save_snapshot

    root = Path(snapshot_root) if snapshot_root is not None else current_settings().snapshots
    history = build_history(months=months)
    target = demo_tenancy_folder(root, history[-1][1]["tenancy"]["name"])  # refused before any work
    staging = stage_folder(root, "demo")
    try:
        written: list[Path] = []
        with serve(history[-1][1]) as sim, tempfile.TemporaryDirectory(prefix="reportkit-demo-") as cfg_dir:
            config_path, profile = write_oci_config(cfg_dir, sim.endpoint_template, tenancy_id=sim.tenancy_id)
            for month_end, document in history:
                sim.load(document)
                inv = collect(profile, config_file=config_path, endpoint_template=sim.endpoint_template,
                              progress=progress)
                written.append(save_snapshot(stamp_inventory(inv, month_end), staging))
                log(f"  {month_end:%Y-%m-%d}: {len(inv.backups):>5} backups, {len(inv.boot_volumes):>4} boot volumes, "
                    f"{len(inv.errors):>3} read errors")
        new = staging / target.name
        _swap_in(new, target)
        return [target / path.relative_to(new) for path in written]
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _swap_in(new: Path, target: Path) -> None:
    """Put folder ``new`` where ``target`` is: the old one is renamed aside first, then removed."""
    old = target.with_name(f".old-{target.name}-{os.getpid()}") if target.exists() else None
    if old is not None:
        os.rename(target, old)
    target.parent.mkdir(parents=True, exist_ok=True)
    os.rename(new, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def run_demo(settings: Settings | None = None, *, months: int = 6, collect_only: bool = False,
             progress: bool = True, log: Callable[[str], None] = print) -> DemoResult:
    """Collect the demo history into the settings' snapshot root, assess the latest snapshot (export into
    the assessments folder) and render the coverage and monthly reports (into ``<reports>/demo``), all
    through :mod:`reportkit.pipeline` like any other run. A re-run replaces the demo's earlier
    snapshots, their assessments and the demo's reports."""
    from reportkit import pipeline
    from reportkit.report import render_report

    s = current_settings(settings)
    log(f"1/3 collecting the demo tenancy at {months} month ends from the fake OCI API (127.0.0.1, real oci SDK)")
    snapshots = collect_demo_history(s.snapshots, months=months, log=log)
    tenancy_folder = snapshots[-1].parents[1]  # <root>/tenancy=<t>/date=<d>/<run>
    shutil.rmtree(s.assessments / tenancy_folder.name, ignore_errors=True)  # exports of the replaced snapshots
    if collect_only:
        return DemoResult(snapshots=snapshots)
    latest = snapshots[-1]
    log(f"2/3 assessing the latest snapshot ({latest.parent.name.removeprefix('date=')})")
    assessed = pipeline.assess_snapshot(latest, s)
    files = pipeline.export(assessed, settings=s)
    summary = assessed.assessment.summary
    pct = "n/a" if summary.restorable_pct is None else f"{summary.restorable_pct:.1f}%"
    log(f"    {summary.sentence()}: restorable {pct} ("
        + ", ".join(f"{status.replace('_', ' ')} {n}" for status, n in summary.counts().items())
        + f"); {summary.collection_gaps} collection gaps")
    log("3/3 rendering the coverage and monthly reports")
    reports_dir = s.reports / DEMO_REPORTS
    staging = stage_folder(s.reports, DEMO_REPORTS)
    try:
        rendered = [render_report(kind, parameters=parameters, settings=s, out_dir=staging, progress=progress)
                    for kind, parameters in (("coverage", {"snapshot": str(latest)}),
                                             ("monthly", {"history": str(tenancy_folder.parent),
                                                          "tenancy": tenancy_folder.name.split("=", 1)[1]}))]
        _swap_in(staging, reports_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    reports = [reports_dir / result.html.name for result in rendered]
    return DemoResult(snapshots=snapshots, assessment_files=files, reports=reports)

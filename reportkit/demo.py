"""The demo: the whole product, end to end, on the embedded demo tenancy served by the fake OCI.

``reportkit demo`` (and ``make demo``) runs exactly the path a user runs against a real tenancy:
the real ``oci`` SDK collects over HTTP from :mod:`reportkit.sim`, snapshots are written, assessed
and rendered. The only demo-specific step: each snapshot is stamped with the instant the demo
tenancy describes (a month end), not the wall clock, so the freshness verdicts (``rpo_days``) are
those the demo generator intended and the history has one snapshot per month.
"""
from __future__ import annotations

import dataclasses
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from reportkit.inventory import Inventory
from reportkit.settings import Settings
from reportkit.settings import current as current_settings


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
                                   parameters={**inv.metadata.parameters, "demo_as_of": stamp.isoformat()})
    return dataclasses.replace(inv, metadata=metadata)


def collect_demo_history(snapshot_root: str | Path | None = None, *, months: int = 6,
                         progress: bool = True, log: Callable[[str], None] = print) -> list[Path]:
    """Serve the demo tenancy as it stood at each of ``months`` month ends, collect and save each.

    Returns the snapshot folders written, oldest first (the last one is the current tenancy).
    """
    from reportkit.collection import collect
    from reportkit.sim import serve, write_oci_config
    from reportkit.sim.demo import build_history
    from reportkit.snapshot import save_snapshot

    history = build_history(months=months)
    written: list[Path] = []
    with serve(history[-1][1]) as sim, tempfile.TemporaryDirectory(prefix="reportkit-demo-") as cfg_dir:
        config_path, profile = write_oci_config(cfg_dir, sim.endpoint_template, tenancy_id=sim.tenancy_id)
        log(f"fake OCI API listening on {sim.endpoint_template}")
        for month_end, document in history:
            sim.load(document)
            inv = collect(profile, config_file=config_path, endpoint_template=sim.endpoint_template,
                          progress=progress)
            folder = save_snapshot(stamp_inventory(inv, month_end), snapshot_root)
            written.append(folder)
            log(f"  {month_end:%Y-%m-%d}: {len(inv.backups):>5} backups, {len(inv.boot_volumes):>4} boot volumes, "
                f"{len(inv.errors):>3} read errors -> {folder}")
    return written


def run_demo(settings: Settings | None = None, *, months: int = 6, collect_only: bool = False,
             progress: bool = True, log: Callable[[str], None] = print) -> DemoResult:
    """Collect the demo history into the settings' snapshot root, assess the latest snapshot (export into
    the assessments folder) and render the coverage and monthly reports (into the reports folder),
    all through :mod:`reportkit.pipeline` like any other run."""
    from reportkit import pipeline
    from reportkit.report import render_report

    s = current_settings(settings)
    log(f"1/3 collecting the demo tenancy ({months} month ends) from the fake OCI API")
    snapshots = collect_demo_history(s.snapshots, months=months, progress=progress, log=log)
    if collect_only:
        return DemoResult(snapshots=snapshots)
    latest = snapshots[-1]
    log("2/3 assessing the latest snapshot")
    assessed = pipeline.assess_snapshot(latest, s)
    files = pipeline.export(assessed, settings=s)
    summary = assessed.assessment.summary
    pct = "n/a" if summary.restorable_pct is None else f"{summary.restorable_pct:.1f}%"
    log(f"    {summary.sentence()}: restorable {pct} ("
        + ", ".join(f"{status.replace('_', ' ')} {n}" for status, n in summary.counts().items())
        + f"); {summary.collection_gaps} collection gaps")
    log("3/3 rendering the reports")
    reports = [render_report(kind, parameters=parameters, settings=s, progress=progress).html
               for kind, parameters in (("coverage", {"snapshot": str(latest)}),
                                        ("monthly", {"history": str(latest.parents[2])}))]
    return DemoResult(snapshots=snapshots, assessment_files=files, reports=reports)

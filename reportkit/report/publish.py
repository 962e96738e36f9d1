"""Companion files of a report: the CSV and JSON a notebook writes next to its HTML.

A notebook run by :func:`~reportkit.report.render_report` gets ``output_dir`` (a private staging
folder) and ``output_stem``; what it writes there is published with the HTML under the same stem.
Run by hand (``output_dir`` None), these functions only return the names the files would have.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from reportkit._io import json_records, write_csv, write_json


def _written_name(stem: str | None, name: str) -> str:
    """Return the published file name of companion ``name`` (what the report tells its reader)."""
    return f"{stem}_{name}" if stem else f"{name} (written by `reportkit report`)"


def _snapshot_evidence(folder: str | Path) -> dict[str, Any]:
    from reportkit.snapshot import snapshot_identity

    found = snapshot_identity(folder)
    return {key: found[key] for key in ("snapshot", "snapshot_id", "manifest_sha256")}


def export_report_data(assessment: Any, output_dir: str | Path | None, output_stem: str | None, *,
                       kind: str, title: str, snapshot: str | Path) -> dict[str, str]:
    """Write the coverage report's CSVs (volumes, backups, findings, controls) and summary.json.

    Does nothing when ``output_dir`` is None (an analyst running the notebook by hand). Returns
    the published file name of each companion by role, for the report's "full data" notes.
    """
    from reportkit import __version__

    names = {role: _written_name(output_stem, f"{role}.csv") for role in ("volumes", "backups", "findings",
                                                                           "controls")}
    names["summary"] = _written_name(output_stem, "summary.json")
    if output_dir is None:
        return names
    out = Path(output_dir)
    for role in ("volumes", "backups", "findings", "controls"):
        write_csv(getattr(assessment, role), out / f"{role}.csv")
    write_json({
        "kind": kind, "title": title, "reportkit_version": __version__,
        "tenancy": assessment.metadata.tenancy_name, "tenancy_id": assessment.metadata.tenancy_id,
        "collected_at": assessment.metadata.finished_at, **_snapshot_evidence(snapshot),
        "parameters": assessment.parameters, "summary": assessment.summary.to_dict(),
        "controls": json_records(assessment.controls),
    }, out / "summary.json", sort_keys=True)
    return names


def export_table(frame: pd.DataFrame, output_dir: str | Path | None, output_stem: str | None, role: str) -> str:
    """Write one more companion CSV (e.g. the IAM copy matrix) next to the report.

    Does nothing when ``output_dir`` is None; returns the published file name for "full data" notes.
    """
    if output_dir is not None:
        write_csv(frame, Path(output_dir) / f"{role}.csv")
    return _written_name(output_stem, f"{role}.csv")


def export_monthly_data(monthly: Any, output_dir: str | Path | None, output_stem: str | None, *,
                        title: str) -> dict[str, str]:
    """Write the monthly report's findings (with new/persisting/resolved), trend, controls and summary.json."""
    from reportkit import __version__
    from reportkit.assessment.monthly import control_status

    names = {role: _written_name(output_stem, f"{role}.csv") for role in ("findings", "trend", "controls")}
    names["summary"] = _written_name(output_stem, "summary.json")
    if output_dir is None:
        return names
    out = Path(output_dir)
    controls = control_status(monthly.current.controls)
    write_csv(monthly.changes, out / "findings.csv")
    write_csv(monthly.trend, out / "trend.csv")
    write_csv(controls, out / "controls.csv")
    write_json({
        "kind": "monthly", "title": title, "month": monthly.month, "tenancy": monthly.tenancy,
        "reportkit_version": __version__, "parameters": monthly.parameters,
        "summary": monthly.current.summary.to_dict(),
        "controls": json_records(controls),
        "findings_changes": {k: int(v) for k, v in monthly.changes["change"].value_counts().items()},
        "evidence": json_records(monthly.snapshots),
    }, out / "summary.json", sort_keys=True)
    return names

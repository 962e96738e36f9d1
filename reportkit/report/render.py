"""Render a report: validate parameters -> papermill executes the packaged notebook -> one self-contained HTML.

The recipe (:func:`render_report`)::

    validate parameters  ->  pin inputs (snapshot folder, overrides file)  ->  reserve output names
      ->  papermill executes reportkit/report/notebooks/<kind>.ipynb in this interpreter
      ->  nbconvert writes ONE HTML file: no code, CSS inline, charts as data: URIs, no scripts
      ->  publish together: .html, executed .ipynb (audit record), findings CSV, summary.json
          (and the notebook's other CSVs)

Everything is written into a private staging folder first and hard-linked into ``out_dir`` only
when the whole run succeeded (:mod:`reportkit._io`), so a reader never sees half a report and an
earlier report is never overwritten (a name that exists gets a ``-2``, ``-3``... suffix).
"""
from __future__ import annotations

import re
import shutil
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from reportkit._io import publish_files, reserve_stem, stage_folder
from reportkit.errors import InputError, ReportError
from reportkit.report.execute import execute_notebook
from reportkit.report.html import notebook_to_html
from reportkit.report.parameters import INTERNAL_PARAMETERS, _folder, validate_parameters
from reportkit.settings import Settings
from reportkit.settings import current as current_settings

#: The notebooks shipped in the package (``reportkit/report/notebooks/``); the renderer always uses these.
NOTEBOOK_DIR = Path(__file__).resolve().parent / "notebooks"

NOTEBOOKS: dict[str, str] = {
    "coverage": "coverage_report.ipynb",
    "monthly": "monthly_compliance.ipynb",
    "explore": "explore_backups.ipynb",
}
#: The notebook `make lab` opens first (not a report): how to load the latest snapshot and explore it.
LANDING_NOTEBOOK = "start_here.ipynb"


@dataclass(frozen=True)
class ReportResult:
    """Paths of one rendered report; every file shares the same stem."""

    kind: str
    html: Path
    notebook: Path
    findings_csv: Path | None
    summary_json: Path | None
    files: dict[str, Path] = field(default_factory=dict)  # every published file by role
    seconds: float = 0.0


def render_report(kind: str, *, parameters: Mapping[str, Any] | None = None, out_dir: str | Path | None = None,
                  settings: Settings | None = None, notebook_dir: str | Path | None = None, progress: bool = False,
                  timeout: int = 900) -> ReportResult:
    """Execute the ``kind`` notebook with ``parameters`` and publish its HTML and companion files.

    ``settings`` (default: the environment's, now) gives the snapshot root, the reports folder
    (when ``out_dir`` is None) and the image overrides; the notebook gets every input pinned (the
    snapshot folder, the overrides file or ``"none"``), so the executed notebook records exactly
    what was judged. Returns the paths written. Raises :class:`InputError` for bad parameters
    (before any kernel starts) and :class:`ReportError` naming the cell and error when a cell fails.
    """
    started = time.monotonic()
    s = current_settings(settings)
    params = validate_parameters(kind, parameters or {})
    if any(name in params for name in INTERNAL_PARAMETERS):
        raise InputError(f"parameters {', '.join(INTERNAL_PARAMETERS)} are set by reportkit, not by you")
    params = _resolve_inputs(kind, params, s)
    out_dir = s.reports if out_dir is None else out_dir
    _check_copy_targets(kind, params)
    source = Path(notebook_dir or NOTEBOOK_DIR) / NOTEBOOKS[kind]
    if not source.is_file():
        raise ReportError(f"notebook {source} is missing; reinstall reportkit or pass notebook_dir")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    tenancy, date = _identity(kind, params)
    try:
        stem, lock = reserve_stem(out, f"{kind}_{_safe(tenancy)}_{date}", (".html", ".ipynb"))
    except FileExistsError as exc:
        raise ReportError(f"{exc}; clean up old reports") from None
    staging = stage_folder(out, stem)
    try:
        executed = staging / f"{stem}.ipynb"
        nb = execute_notebook(source, executed, {**params, "output_dir": str(staging), "output_stem": stem},
                              kind=kind, progress=progress, timeout=timeout, out=out)
        (staging / f"{stem}.html").write_text(notebook_to_html(nb, title=params.get("title")), encoding="utf-8")
        files = {_role(path.name, stem): path for path in publish_files(staging, out, stem)}
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        lock.unlink(missing_ok=True)
    return ReportResult(
        kind=kind, html=files["html"], notebook=files["notebook"],
        findings_csv=files.get("findings"), summary_json=files.get("summary"), files=files,
        seconds=round(time.monotonic() - started, 2),
    )


def _resolve_inputs(kind: str, params: dict[str, Any], settings: Settings) -> dict[str, Any]:
    """Pin every input (snapshot folder, history folder and month, overrides file) so the audit notebook
    names it, and refuse what the notebook would refuse (no snapshot of the month) before any kernel
    starts."""
    from reportkit import pipeline
    from reportkit.snapshot import resolve_snapshot

    overrides = settings.with_overrides(params.get("image_overrides")).overrides
    params = {**params, "image_overrides": str(overrides.resolve()) if overrides is not None else "none"}
    if overrides is not None and not overrides.is_file():
        raise InputError(f"image overrides file {overrides} does not exist; create it with the header "
                         "image_id,image_class,note, or pass -p image_overrides none")
    if kind == "monthly":
        history = params.get("history") or _folder("history", str(settings.snapshots))
        month, _ = pipeline.report_month(history, month=params.get("month"), tenancy=params.get("tenancy"))
        return {**params, "history": history, "month": month}
    snapshot = params.get("snapshot", "latest")
    root = settings.snapshots if snapshot == "latest" else Path(snapshot)
    return {**params, "snapshot": str(Path(resolve_snapshot(root)).resolve())}


def _check_copy_targets(kind: str, params: Mapping[str, Any]) -> None:
    """Refuse copy_targets naming a region the snapshot's tenancy does not subscribe to, before any
    kernel starts (raises InputError). An unreadable regions table is left for the notebook to report."""
    if kind not in ("coverage", "explore") or not params.get("copy_targets"):
        return
    from reportkit.assessment.params import resolve_copy_targets
    from reportkit.errors import SnapshotError
    from reportkit.snapshot import load_table

    try:
        regions = load_table(params["snapshot"], "regions")
    except SnapshotError:  # the notebook's load names the damage in the report's own words
        return
    resolve_copy_targets(params["copy_targets"], regions)


def _identity(kind: str, params: Mapping[str, Any]) -> tuple[str, str]:
    """Return (tenancy, date) for the output names, read from the snapshot's catalog entry."""
    from reportkit.snapshot import list_snapshots, snapshot_identity

    if kind == "monthly":
        tenancies = sorted(list_snapshots(params["history"])["tenancy"].dropna().unique())
        tenancy = params.get("tenancy") or (tenancies[0] if len(tenancies) == 1 else "all")
        return tenancy, params.get("month") or "latest"

    found = snapshot_identity(params["snapshot"])
    date = pd.Timestamp(params["as_of"]).strftime("%Y-%m-%d") if params.get("as_of") else found["date"]
    return found["tenancy"], date


def _safe(text: str) -> str:
    """Return ``text`` usable in a file name (tenancy names are free text)."""
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-.")[:60] or "tenancy"


def _role(name: str, stem: str) -> str:
    rest = name[len(stem):]
    if rest == ".html":
        return "html"
    if rest == ".ipynb":
        return "notebook"
    return rest.lstrip("_").rsplit(".", 1)[0]  # "_findings.csv" -> "findings"

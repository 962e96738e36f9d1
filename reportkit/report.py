"""Render a report: validate parameters -> papermill executes the notebook -> one self-contained HTML.

The recipe (:func:`render_report`)::

    validate parameters  ->  choose output names (tenancy, date, unique suffix)
      ->  papermill executes notebooks/<kind>.ipynb in the project's own interpreter
      ->  nbconvert writes ONE HTML file: no code, CSS inline, charts as data: URIs, no scripts
      ->  publish atomically next to each other: .html, executed .ipynb (audit record),
          findings CSV, summary.json (and the notebook's other CSVs)

Everything is written into a private staging folder first and hard-linked into ``out_dir`` only
when the whole run succeeded, so a reader never sees half a report and an earlier report is never
overwritten (a name that exists gets a ``-2``, ``-3``... suffix).
"""
from __future__ import annotations

import os
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from reportkit._io import json_records, publish_files, reserve_stem, write_csv, write_json
from reportkit.errors import InputError, ReportError, ReportkitError
from reportkit.settings import Settings
from reportkit.settings import current as current_settings

#: Where the notebooks live (the repository's ``notebooks/`` folder).
NOTEBOOK_DIR = Path(__file__).resolve().parents[1] / "notebooks"

NOTEBOOKS: dict[str, str] = {
    "coverage": "coverage_report.ipynb",
    "monthly": "monthly_compliance.ipynb",
    "explore": "explore_backups.ipynb",
}

#: Parameters reportkit sets itself (where the notebook writes its CSV/JSON files).
INTERNAL_PARAMETERS = ("output_dir", "output_stem")



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


# --------------------------------------------------------------------------------------------
# Parameter validation (pure)
# --------------------------------------------------------------------------------------------
def _int(minimum: int) -> Callable[[str, Any], int]:
    def check(name: str, value: Any) -> int:
        if isinstance(value, bool):
            raise InputError(f"parameter {name!r} must be a whole number, got {value!r}")
        if isinstance(value, str) and re.fullmatch(r"\s*\d+\s*", value):
            value = int(value)
        if not isinstance(value, int):
            raise InputError(f"parameter {name!r} must be a whole number, got {value!r}; e.g. -p {name} 7")
        if value < minimum:
            raise InputError(f"parameter {name!r} must be at least {minimum}, got {value}")
        return value
    return check


def _text(name: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"parameter {name!r} must be a non-empty text, got {value!r}")
    return value


def _optional(check: Callable[[str, Any], Any]) -> Callable[[str, Any], Any]:
    def optional(name: str, value: Any) -> Any:
        if value is None or (isinstance(value, str) and value.strip().lower() in ("", "none", "null")):
            return None
        return check(name, value)
    return optional


def _timestamp(name: str, value: Any) -> str:
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError) as exc:
        raise InputError(f"parameter {name!r} must be an ISO date or time such as 2025-06-30T00:00Z, "
                         f"got {value!r}") from exc
    if pd.isna(stamp):
        raise InputError(f"parameter {name!r} must be an ISO date or time, got {value!r}")
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    return stamp.isoformat()


def _month(name: str, value: Any) -> str:
    text = str(value).strip() if isinstance(value, str) else None
    if not text or not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", text):
        raise InputError(f"parameter {name!r} must be a month written YYYY-MM (e.g. 2025-06), got {value!r}")
    return text


def _copy_targets(name: str, value: Any) -> dict[str, list[str]]:
    """Accept a mapping, JSON text, or ``src=dst[+dst2],src2=dst`` text; return region -> [regions]."""
    from reportkit.assessment.params import parse_copy_targets

    return parse_copy_targets(value, where=f"parameter {name!r}")


def _snapshot(name: str, value: Any) -> str:
    text = _text(name, value)
    if text == "latest":
        return text
    path = Path(text).expanduser()
    if not path.exists():
        raise InputError(f"parameter {name!r}: snapshot folder {text!r} does not exist; "
                         "run `reportkit collect` first or pass --snapshot latest")
    return str(path.resolve())


def _folder(name: str, value: Any) -> str:
    path = Path(_text(name, value)).expanduser()
    if not path.is_dir():
        raise InputError(f"parameter {name!r}: folder {str(path)!r} does not exist; "
                         "it should be the snapshots folder written by `reportkit collect`")
    return str(path.resolve())


def _choice(enum_values: Callable[[], list[str]]) -> Callable[[str, Any], str]:
    def check(name: str, value: Any) -> str:
        allowed = enum_values()
        if value not in allowed:
            raise InputError(f"parameter {name!r} must be one of {', '.join(allowed)}; got {value!r}")
        return str(value)
    return check


def _enum_values(enum_name: str) -> Callable[[], list[str]]:
    def values() -> list[str]:
        from reportkit import schema

        return [v.value for v in getattr(schema, enum_name)]
    return values


_COMMON = {"title": _text, "image_overrides": _optional(_text), "output_dir": _optional(_text),
           "output_stem": _optional(_text)}

#: kind -> parameter name -> validator (name, value) -> normalised value. Must match each
#: notebook's parameters cell (a test checks).
PARAMETERS: dict[str, dict[str, Callable[[str, Any], Any]]] = {
    "coverage": {
        "snapshot": _snapshot, "rpo_days": _int(1), "copy_targets": _optional(_copy_targets),
        "as_of": _optional(_timestamp), "top_n": _int(1), **_COMMON,
    },
    "monthly": {
        "month": _optional(_month), "history": _optional(_folder), "tenancy": _optional(_text), "rpo_days": _int(1),
        "copy_targets": _optional(_copy_targets), "top_n": _int(1), **_COMMON,
    },
    "explore": {
        "snapshot": _snapshot, "rpo_days": _int(1), "region": _optional(_text), "compartment": _optional(_text),
        "image_class": _optional(_choice(_enum_values("ImageClass"))),
        "status": _optional(_choice(_enum_values("CoverageStatus"))),
        "boot_volume_id": _optional(_text), "top_n": _int(1), **_COMMON,
    },
}


def validate_parameters(kind: str, parameters: Mapping[str, Any]) -> dict[str, Any]:
    """Return ``parameters`` checked and normalised for report ``kind``; raise InputError naming the bad one.

    Strings from the command line are converted (``"7"`` -> 7); wrong types are refused
    (``rpo_days="seven"``), as are names the notebook does not declare.
    """
    if kind not in PARAMETERS:
        raise InputError(f"unknown report {kind!r}; choose one of {', '.join(PARAMETERS)}")
    spec = PARAMETERS[kind]
    unknown = sorted(set(parameters) - set(spec))
    if unknown:
        known = ", ".join(n for n in spec if n not in INTERNAL_PARAMETERS)
        raise InputError(f"the {kind} report has no parameter {', '.join(map(repr, unknown))}; known: {known}")
    return {name: spec[name](name, value) for name, value in parameters.items()}


# --------------------------------------------------------------------------------------------
# Execution
# --------------------------------------------------------------------------------------------
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
    staging = Path(tempfile.mkdtemp(prefix=f".{stem}.", dir=out))
    try:
        executed = staging / f"{stem}.ipynb"
        nb = _execute(source, executed, {**params, "output_dir": str(staging), "output_stem": stem},
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
    """Pin every input (snapshot folder, history folder, overrides file) so the audit notebook names it."""
    overrides = settings.with_overrides(params.get("image_overrides")).overrides
    params = {**params, "image_overrides": str(overrides.resolve()) if overrides is not None else "none"}
    if overrides is not None and not overrides.is_file():
        raise InputError(f"image overrides file {overrides} does not exist; create it with the header "
                         "image_id,image_class,note, or pass -p image_overrides none")
    if kind == "monthly" and not params.get("history"):
        params = {**params, "history": _folder("history", str(settings.snapshots))}
    if kind == "monthly" and not params.get("month"):
        from reportkit.snapshot import month_end_snapshots

        latest = month_end_snapshots(params["history"], months=1, tenancy=params.get("tenancy"))
        params = {**params, "month": str(latest["month"].iloc[-1])}
    if kind in ("coverage", "explore"):
        from reportkit.snapshot import resolve_snapshot

        snapshot = params.get("snapshot", "latest")
        root = settings.snapshots if snapshot == "latest" else Path(snapshot)
        params = {**params, "snapshot": str(Path(resolve_snapshot(root)).resolve())}
    return params


def _check_copy_targets(kind: str, params: Mapping[str, Any]) -> None:
    """Refuse copy_targets naming a region the snapshot's tenancy does not subscribe to, before any
    kernel starts (raises InputError). An unreadable regions table is left for the notebook to report."""
    if kind != "coverage" or not params.get("copy_targets"):
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
    if kind == "monthly":
        history = Path(params["history"])
        tenancies = sorted(p.name.split("=", 1)[1] for p in history.glob("tenancy=*") if p.is_dir())
        tenancy = params.get("tenancy") or (tenancies[0] if len(tenancies) == 1 else "all")
        return tenancy, params.get("month") or "latest"
    from reportkit.snapshot import snapshot_identity

    found = snapshot_identity(params["snapshot"])
    date = pd.Timestamp(params["as_of"]).strftime("%Y-%m-%d") if params.get("as_of") else found["date"]
    return found["tenancy"], date


def _safe(text: str) -> str:
    """Return ``text`` usable in a file name (tenancy names are free text)."""
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-.")[:60] or "tenancy"


def _kernel_manager_class() -> type:
    """Return a kernel manager that starts ipykernel with THIS interpreter (the project's venv).

    A kernelspec named python3 may exist in the user's Jupyter folders pointing at another Python;
    papermill would then import a different reportkit (or none). Building the spec from
    ``sys.executable`` removes that ambiguity.
    """
    from jupyter_client.kernelspec import KernelSpec
    from jupyter_client.manager import AsyncKernelManager

    class ThisPythonKernelManager(AsyncKernelManager):
        @property
        def kernel_spec(self) -> KernelSpec:
            if self._kernel_spec is None:
                self._kernel_spec = KernelSpec(
                    argv=[sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}",
                          "--IPKernelApp.log_level=ERROR"],
                    display_name=f"reportkit ({sys.executable})", language="python",
                )
            return self._kernel_spec

    return ThisPythonKernelManager


def _execute(source: Path, executed: Path, params: dict[str, Any], *, kind: str, progress: bool,
             timeout: int, out: Path):
    """Run the notebook with papermill; return the executed NotebookNode or raise ReportError."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    env_backend = os.environ.get("MPLBACKEND")
    os.environ["MPLBACKEND"] = "Agg"  # inherited by the kernel: never try to open a window
    try:
        return papermill.execute_notebook(
            str(source), str(executed), parameters=params, kernel_name="python3", language="python",
            progress_bar=progress, cwd=str(Path.cwd()), execution_timeout=timeout,
            kernel_manager_class=_kernel_manager_class(),
        )
    except PapermillExecutionError as exc:
        kept = out / f"{executed.stem}.FAILED.ipynb"
        if executed.exists():
            shutil.copyfile(executed, kept)
        section = _section_of(executed, exc.cell_index)
        where = f"cell {exc.exec_count}" + (f" (section '{section}')" if section else "")
        raise ReportError(f"the {kind} report failed in {where}: {exc.ename}: {exc.evalue.strip()}. "
                          f"The executed notebook with the full traceback is {kept}") from None
    except ReportkitError:
        raise
    except Exception as exc:  # kernel died, timeout, missing kernel: name it for the user
        raise ReportError(f"the {kind} report could not be executed: {type(exc).__name__}: {exc}") from exc
    finally:
        if env_backend is None:
            os.environ.pop("MPLBACKEND", None)
        else:
            os.environ["MPLBACKEND"] = env_backend


def _section_of(executed: Path, cell_index: int) -> str | None:
    """Return the last markdown heading above cell ``cell_index`` of the executed notebook."""
    try:
        import nbformat

        cells = nbformat.read(str(executed), as_version=4).cells
    except Exception:  # noqa: BLE001 - the heading is a courtesy; the error itself is what matters
        return None
    for cell in reversed(cells[: cell_index + 1]):
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    return None


def _role(name: str, stem: str) -> str:
    rest = name[len(stem):]
    if rest == ".html":
        return "html"
    if rest == ".ipynb":
        return "notebook"
    return rest.lstrip("_").rsplit(".", 1)[0]  # "_findings.csv" -> "findings"


# --------------------------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------------------------
# The lab template, minus everything that would fetch from the network (require.js, MathJax,
# mermaid, widget manager), plus the report's own CSS. Charts are already data: URIs.
_TEMPLATE = r"""
{%- extends 'lab/index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block extra_css -%}
<meta name="generator" content="reportkit">
<style type="text/css">{{ resources.reportkit_css }}</style>
{%- endblock extra_css -%}
"""

REPORT_CSS = """
body.jp-Notebook { max-width: 1120px; margin: 0 auto; padding: 24px 32px 64px;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  color: #222; background: #fff; }
.jp-InputPrompt, .jp-OutputPrompt, .jp-OutputArea-prompt, .jp-Collapser { display: none !important; }
.jp-Cell { padding: 0 !important; }
.jp-RenderedHTMLCommon h1 { font-size: 1.9em; border-bottom: 3px solid #0072B2; padding-bottom: .25em; }
.jp-RenderedHTMLCommon h2 { margin-top: 1.6em; border-bottom: 1px solid #ddd; padding-bottom: .2em; }
.jp-RenderedHTMLCommon table { font-size: 12.5px; }
.rk-kpis { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: 12px; margin: 8px 0 16px; }
.rk-kpi { border: 1px solid #ddd; border-left: 8px solid var(--rk-colour, #999); border-radius: 6px;
  padding: 10px 12px; background: #fafafa; }
.rk-kpi .rk-kpi-value { font-size: 28px; font-weight: 700; line-height: 1.1; }
.rk-kpi .rk-kpi-label { font-size: 13px; color: #444; }
.rk-kpi .rk-kpi-note { font-size: 11px; color: #666; margin-top: 4px; }
.rk-kpi.rk-bad { background: #fdeee8; } .rk-kpi.rk-bad .rk-kpi-value { color: #a33c00; }
.rk-kpi.rk-warn { background: #fdf6e3; } .rk-kpi.rk-good .rk-kpi-value { color: #006b4f; }
.rk-kpi.rk-headline { grid-column: span 2; }
.rk-alert { border-left: 6px solid #D55E00; background: #fdeee8; color: #7a2b00; padding: 10px 14px; margin: 10px 0; border-radius: 4px; }
.rk-ok { border-left: 6px solid #009E73; background: #e8f6f1; padding: 10px 14px; margin: 10px 0; border-radius: 4px; }
.rk-note { color: #555; font-size: 12px; margin: 4px 0 14px; }
.rk-chart { margin: 8px 0 18px; } .rk-chart img { display: block; }
.rk-table td, .rk-table th, .rk-freshness td, .rk-freshness th { text-align: left !important; vertical-align: top; }
/* long OCIDs and messages wrap inside the page instead of pushing the last columns off it */
.rk-table { max-width: 100%; } .rk-table td { overflow-wrap: anywhere; max-width: 28em; }
.rk-table td.rk-num, .rk-table th.rk-num { text-align: right !important; }
.rk-table caption { caption-side: top; text-align: left; color: #555; font-size: 12px; }
.rk-signoff td { height: 2.2em; min-width: 14em; border-bottom: 1px solid #999; }
@media print { body.jp-Notebook { max-width: none; padding: 0; } .rk-chart, table { break-inside: avoid; } }
"""


def notebook_to_html(nb, *, title: str | None = None) -> str:
    """Return a self-contained HTML page of an executed notebook: outputs and markdown only.

    Code cells are dropped (inputs and prompts excluded; cells without output removed), CSS is
    inlined, and no ``<script src>`` or stylesheet link points anywhere.
    """
    import copy

    import jinja2
    from nbconvert import HTMLExporter

    nb = copy.deepcopy(nb)
    nb.cells = [c for c in nb.cells if c.cell_type != "code" or c.get("outputs")]
    if title:
        nb.metadata["title"] = title  # the template escapes it into <title>
    exporter = HTMLExporter(
        template_name="lab", exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True,
        embed_images=True, extra_loaders=[jinja2.DictLoader({"reportkit.html.j2": _TEMPLATE})],
        template_file="reportkit.html.j2",
    )
    body, _ = exporter.from_notebook_node(nb, resources={"reportkit_css": REPORT_CSS})
    return body


# --------------------------------------------------------------------------------------------
# Companion files, written by the notebook (into the staging folder) when run by render_report
# --------------------------------------------------------------------------------------------
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

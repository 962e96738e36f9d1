"""Execute the report notebooks with papermill on test snapshots; the HTML must say what assess says."""
from __future__ import annotations

import json
import re
import sys
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from reportkit.assessment import assess
from reportkit.errors import ReportError
from reportkit.assessment.monthly import compare_findings
from reportkit.pipeline import monthly as load_monthly
from reportkit.report import render_report
from reportkit.snapshot import load_snapshot

KPIS = ("total_volumes", "covered", "stale", "in_progress", "failed", "missing", "no_backup", "ineligible",
        "unknown", "collection_gaps")


class _KpiParser(HTMLParser):
    """Collect data-kpi -> data-value from the rendered page."""

    def __init__(self) -> None:
        super().__init__()
        self.kpis: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if "data-kpi" in values:
            self.kpis[str(values["data-kpi"])] = str(values.get("data-value") or "")


def kpis_of(html_path: Path) -> dict[str, str]:
    parser = _KpiParser()
    parser.feed(html_path.read_text(encoding="utf-8"))
    return parser.kpis


def _assert_kpis_match(kpis: dict[str, str], summary) -> None:
    for name in KPIS:
        assert int(kpis[name]) == getattr(summary, name), name
    # rule book §8: the headline percentages replace coverage_pct
    for name in ("restorable_pct", "restorable_upper_pct", "copyable_coverage_pct"):
        value = getattr(summary, name)
        if value is None:
            assert kpis[name] == "", name
        else:
            assert float(kpis[name]) == pytest.approx(value, abs=1e-3), name


def test_coverage_report_kpis_equal_the_assessment_of_the_same_snapshot(rendered_reports):
    result = rendered_reports["coverage"]
    expected = assess(load_snapshot(rendered_reports["snapshots"][-1])).summary
    _assert_kpis_match(kpis_of(result.html), expected)
    summary = json.loads(result.summary_json.read_text())
    assert summary["summary"]["covered"] == expected.covered
    assert summary["manifest_sha256"] and summary["snapshot_id"] == rendered_reports["snapshots"][-1].name


def test_coverage_report_files_carry_tenancy_and_date_and_sit_together(rendered_reports):
    result = rendered_reports["coverage"]
    assert result.html.name == "coverage_test_2024-05-31.html"
    for path in (result.notebook, result.findings_csv, result.summary_json, result.files["volumes"]):
        assert path.parent == result.html.parent and path.name.startswith("coverage_test_2024-05-31")
    # no staging folder or lock left behind
    assert not [p for p in result.html.parent.iterdir() if p.name.startswith(".")]
    executed = nbformat.read(str(result.notebook), as_version=4)
    assert any("injected-parameters" in c.metadata.get("tags", []) for c in executed.cells)


def test_coverage_html_has_no_code_and_every_chart_inline(rendered_reports):
    html = rendered_reports["coverage"].html.read_text(encoding="utf-8")
    assert "rk.assess(" not in html and "load_snapshot(" not in html
    assert not re.search(r'class="[^"]*(jp-CodeMirrorEditor|jp-InputPrompt|highlight)', html)
    assert not re.search(r"<script[^>]*\ssrc=", html)
    assert not re.search(r"<link[^>]*stylesheet", html)
    assert len(re.findall(r'<img[^>]*src="data:image/png;base64,', html)) >= 5
    assert 'data-mime-type="application/vnd.jupyter.stderr"' not in html, "a cell wrote to stderr (warning?)"


def test_hostile_display_names_are_escaped_in_the_html(rendered_reports):
    html = rendered_reports["coverage"].html.read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)</script>" not in html
    assert "<img src=x onerror" not in html


def test_findings_csv_neutralises_formulas(rendered_reports):
    text = rendered_reports["coverage"].files["volumes"].read_text(encoding="utf-8")
    assert "'=cmd|" in text
    assert not re.search(r"(^|,)=cmd", text, flags=re.M)


def test_monthly_report_kpis_changes_and_evidence(rendered_reports):
    result = rendered_reports["monthly"]
    assert result.html.name == "monthly_test_2024-05.html"
    monthly = load_monthly(history=rendered_reports["history"])
    kpis = kpis_of(result.html)
    _assert_kpis_match(kpis, monthly.current.summary)
    changes = compare_findings(monthly.current.findings, monthly.previous.findings)["change"].value_counts()
    for change in ("new", "resolved", "persisting"):
        assert int(kpis[f"findings_{change}"]) == int(changes.get(change, 0))
    html = result.html.read_text(encoding="utf-8")
    for snap in rendered_reports["snapshots"]:
        assert snap.name in html
    assert monthly.snapshots["manifest_sha256"].iloc[-1] in html
    assert "Sign-off for 2024-05" in html


def test_explore_report_filters(rendered_reports, tmp_path):
    snap = rendered_reports["snapshots"][-1]
    result = render_report("explore", parameters={"snapshot": str(snap), "status": "stale"}, out_dir=tmp_path)
    volumes = assess(load_snapshot(snap)).volumes
    assert int(kpis_of(result.html)["filtered_volumes"]) == int((volumes["coverage_status"] == "stale").sum())


def _tiny_notebook(tmp_path: Path, *cells) -> dict:
    """A stand-in coverage notebook (the renderer's machinery, not the report, is under test) and a bare
    snapshot folder for it; returns render_report's keyword arguments."""
    nb = new_notebook(cells=[
        new_code_cell("title = 'x'\noutput_dir = None\noutput_stem = None\nsnapshot = 'latest'\nrpo_days = 7\n"
                      "copy_targets = None\nas_of = None\ntop_n = 20", metadata={"tags": ["parameters"]}),
        *cells,
    ], metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    (tmp_path / "nb").mkdir(exist_ok=True)
    nbformat.write(nb, str(tmp_path / "nb" / "coverage_report.ipynb"))
    snapshot = tmp_path / "snap"
    snapshot.mkdir(exist_ok=True)
    (snapshot / "manifest.json").write_text("{}")
    return {"parameters": {"snapshot": str(snapshot)}, "out_dir": tmp_path / "out", "notebook_dir": tmp_path / "nb"}


@pytest.mark.slow  # two kernels
def test_a_failing_cell_names_the_cell_and_error_and_the_kernel_is_this_python(tmp_path):
    kwargs = _tiny_notebook(tmp_path, new_code_cell("import sys\nprint(sys.executable)"),
                            new_markdown_cell("## Broken section"), new_code_cell("raise ValueError('deliberate failure')"))
    with pytest.raises(ReportError) as info:
        render_report("coverage", **kwargs)
    message = str(info.value)
    assert "Broken section" in message and "ValueError: deliberate failure" in message
    assert not [p for p in (tmp_path / "out").iterdir() if p.is_file()], "nothing half-written beside the reports"
    kept = sorted((tmp_path / "out" / "failed").glob("*.ipynb"))
    assert [p.name for p in kept] == ["coverage_tenancy_undated.ipynb"] and str(kept[0]) in message
    failed = nbformat.read(str(kept[0]), as_version=4)
    printed = "".join(o.get("text", "") for c in failed.cells if c.cell_type == "code" for o in c.get("outputs", []))
    assert printed.strip().splitlines()[0] == sys.executable
    # a second failure is kept beside the first, never over it
    first = kept[0].read_bytes()
    with pytest.raises(ReportError, match="coverage_tenancy_undated-2.ipynb"):
        render_report("coverage", **kwargs)
    assert sorted(p.name for p in (tmp_path / "out" / "failed").iterdir()) == [
        "coverage_tenancy_undated-2.ipynb", "coverage_tenancy_undated.ipynb"]
    assert kept[0].read_bytes() == first


@pytest.mark.slow  # a kernel
def test_a_cell_refusing_its_input_is_bad_input_and_keeps_nothing(tmp_path):
    from reportkit.errors import InputError

    kwargs = _tiny_notebook(tmp_path, new_code_cell("from reportkit.errors import InputError\n"
                                                    "raise InputError('as_of is before the oldest data')"))
    with pytest.raises(InputError, match="the coverage report: as_of is before the oldest data") as info:
        render_report("coverage", **kwargs)
    assert info.value.exit_code == 2
    assert not [p for p in (tmp_path / "out").rglob("*") if p.is_file()]


@pytest.mark.slow  # a kernel
def test_a_stale_companion_file_moves_the_report_to_a_new_stem(tmp_path):
    kwargs = _tiny_notebook(tmp_path, new_code_cell("from pathlib import Path\n"
                                                    "Path(output_dir, 'summary.json').write_text('{\"new\": 1}')"))
    out = tmp_path / "out"
    out.mkdir()
    stale = out / "coverage_tenancy_undated_summary.json"
    stale.write_text("left by an earlier, interrupted report")
    result = render_report("coverage", **kwargs)
    assert result.html.name == "coverage_tenancy_undated-2.html"
    assert result.summary_json.name == "coverage_tenancy_undated-2_summary.json"
    assert stale.read_text() == "left by an earlier, interrupted report"
    assert sorted(p.name for p in out.iterdir()) == ["coverage_tenancy_undated-2.html", "coverage_tenancy_undated-2.ipynb",
                                                    "coverage_tenancy_undated-2_summary.json",
                                                    "coverage_tenancy_undated_summary.json"]


def test_coverage_report_shows_who_may_copy_where_and_exports_the_matrix(rendered_reports):
    result = rendered_reports["coverage"]
    html = result.html.read_text(encoding="utf-8")
    assert "Who may copy where (IAM)" in html
    assert "1 of 2 groups may copy boot volume backups between every pair of regions" in html
    # volume-family lacks COPY: the fix the seed document gives is suggested for VolumeAdmins
    assert "Allow group VolumeAdmins to use boot-volume-backups in tenancy where" in html
    matrix = pd.read_csv(result.files["iam_copy_matrix"])
    assert set(matrix.columns) == {"group", "source", "destination", "status"}
    by_group = matrix.groupby("group")["status"].agg(set)
    assert by_group["VolumeAdmins"] == {"denied"} and by_group["BackupAdmins"] == {"allowed"}
    assert not (matrix["source"] == matrix["destination"]).any()


@pytest.mark.slow  # a kernel
def test_the_landing_notebook_runs_on_the_latest_snapshot(report_history, tmp_path, monkeypatch):
    """`make lab` opens start_here.ipynb: it must run top to bottom on whatever `latest` is."""
    import papermill

    from reportkit.report import LANDING_NOTEBOOK, NOTEBOOK_DIR

    monkeypatch.setenv("REPORTKIT_SNAPSHOTS", str(report_history["history"]))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    executed = papermill.execute_notebook(str(NOTEBOOK_DIR / LANDING_NOTEBOOK), str(tmp_path / "out.ipynb"),
                                          parameters={"region": "lhr"}, kernel_name="python3", progress_bar=False,
                                          cwd=str(tmp_path))
    shown = "\n".join(str(o.get("data", {}).get("text/html", "")) + str(o.get("text", ""))
                      for c in executed.cells if c.cell_type == "code" for o in c.get("outputs", []))
    assert not [o for c in executed.cells if c.cell_type == "code" for o in c.get("outputs", [])
                if o.get("output_type") == "error"]
    latest = load_snapshot(report_history["snapshots"][-1])
    assert "Inventory</strong> of tenancy" in shown and "Assessment</strong> of tenancy" in shown
    assert report_history["snapshots"][-1].name in shown  # the list of snapshots
    # the volumes needing action, filtered with the short region code, are London's only
    needs = assess(latest).volumes
    london = needs[(needs["region"] == "uk-london-1")
                   & needs["coverage_status"].astype(str).isin(["missing", "stale", "failed"])]
    cell = next(c for c in executed.cells if c.cell_type == "code" and "needs_action = " in c.source)
    table_html = "".join(str(o.get("data", {}).get("text/html", "")) for o in cell.outputs)
    assert f"Showing {min(15, len(london))} of {len(london)} rows" in table_html or len(london) <= 15
    # the region column (the 2nd) holds London only; reasons may name other regions (where a copy is)
    shown_regions = re.findall(r'class="data row\d+ col1[^"]*" >([^<]*)</td>', table_html)
    assert shown_regions and set(shown_regions) == {"uk-london-1"}, shown_regions

"""Fast tests of the report machinery: parameters, names, HTML conversion, views, charts, history."""
from __future__ import annotations


import nbformat
import pandas as pd
import papermill
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from reportkit.cli import main
from reportkit.errors import InputError
from reportkit.assessment.monthly import compare_findings, control_status
from reportkit.report.plots import STATUS_COLOURS, coverage_by_group
from reportkit.report import NOTEBOOK_DIR, NOTEBOOKS, PARAMETERS, notebook_to_html, validate_parameters
from reportkit.schema import CoverageStatus
from reportkit.report.views import kpi_tiles, table


def test_wrong_types_are_refused_before_any_kernel_starts(tmp_path):
    with pytest.raises(InputError, match="rpo_days"):
        validate_parameters("coverage", {"rpo_days": "seven"})
    with pytest.raises(InputError, match="rpo_days"):
        validate_parameters("coverage", {"rpo_days": True})
    with pytest.raises(InputError, match="no parameter 'rpo'"):
        validate_parameters("coverage", {"rpo": 7})
    with pytest.raises(InputError, match="YYYY-MM"):
        validate_parameters("monthly", {"month": "2025-13"})
    assert validate_parameters("coverage", {"rpo_days": "7"}) == {"rpo_days": 7}
    assert validate_parameters("coverage", {"copy_targets": "lhr=fra+ams,iad=phx"})["copy_targets"] == {
        "lhr": ["fra", "ams"], "iad": ["phx"]}


def test_cli_exits_2_on_a_bad_parameter(capsys):
    assert main(["report", "coverage", "-p", "rpo_days", "seven"]) == 2
    assert "rpo_days" in capsys.readouterr().err


@pytest.mark.parametrize("kind", sorted(NOTEBOOKS))
def test_declared_parameters_match_the_notebook_and_notebooks_stay_thin(kind):
    path = NOTEBOOK_DIR / NOTEBOOKS[kind]
    assert set(papermill.inspect_notebook(str(path))) == set(PARAMETERS[kind])
    nb = nbformat.read(str(path), as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            for line in cell.source.splitlines():
                assert not line.lstrip().startswith(("def ", "class ", "for ", "while ")), (kind, line)


def test_html_conversion_drops_code_and_fetches_nothing():
    nb = new_notebook(cells=[new_markdown_cell("# Title"), new_code_cell("secret_code = 1")])
    nb.cells[1].outputs = [nbformat.v4.new_output("display_data", data={"text/html": "<b>shown</b>"})]
    nb.cells.append(new_code_cell("no_output_here = 2"))
    html = notebook_to_html(nb, title="<T>")
    assert "shown" in html and "secret_code" not in html and "no_output_here" not in html
    assert "<script" not in html and "<title>&lt;T&gt;</title>" in html
    assert "mathjax" not in html.lower() and "require.js" not in html


def test_kpi_tiles_escape_and_carry_exact_values():
    html = kpi_tiles({"coverage_pct": 80.5, "total_volumes": 3, "covered": 2, "collection_gaps": 1})
    assert 'data-kpi="coverage_pct" data-value="80.5"' in html
    assert 'data-kpi="collection_gaps" data-value="1"' in html and "rk-bad" in html
    none = kpi_tiles({"coverage_pct": None, "total_volumes": 0})
    assert 'data-kpi="coverage_pct" data-value=""' in none and "n/a" in none


def test_tables_escape_free_text_and_say_where_the_rest_is():
    frame = pd.DataFrame({"display_name": ["<script>x</script>"] * 30, "n": range(30)})
    html = table(frame, top_n=5, full_data="volumes.csv").to_html()
    assert "<script>x" not in html and "&lt;script&gt;x" in html
    assert "Showing 5 of 30 rows" in html and "volumes.csv" in html


def test_every_status_has_its_own_colour_and_charts_render():
    assert set(STATUS_COLOURS) == set(CoverageStatus)
    assert len(set(STATUS_COLOURS.values())) == len(CoverageStatus)
    frame = pd.DataFrame({"region": ["a", "b"], "covered": [1, 0], "missing": [1, 2], "coverage_pct": [50.0, 0.0]})
    chart = coverage_by_group(frame, "region")
    assert chart.png.startswith(b"\x89PNG") and chart.title == "Lowest coverage: region b at 0%"


def test_compare_findings_and_controls_never_pass_on_unknown():
    prev = pd.DataFrame({"control": ["A", "A"], "resource_id": ["x", "y"], "severity": ["high"] * 2})
    cur = pd.DataFrame({"control": ["A", "B"], "resource_id": ["x", "x"], "severity": ["high"] * 2})
    changes = compare_findings(cur, prev).set_index(["control", "resource_id"])["change"].to_dict()
    assert changes == {("A", "x"): "persisting", ("B", "x"): "new", ("A", "y"): "resolved"}
    controls = pd.DataFrame({"control": ["P", "U", "F"], "compliant": [3, 3, 3], "non_compliant": [0, 0, 1],
                             "unknown": [0, 2, 2]})
    assert control_status(controls)["result"].tolist() == ["PASS", "UNKNOWN", "FAIL"]

"""reportkit.report.views and plots: escaped tiles and tables, one colour per status, charts that render."""
from __future__ import annotations

import pandas as pd

from reportkit.report.plots import STATUS_COLOURS, coverage_by_group
from reportkit.schema import CoverageStatus
from reportkit.report.views import kpi_tiles, table


def test_kpi_tiles_escape_and_carry_exact_values():
    # rule book §8: the headline tile is restorable_pct (coverage_pct is gone), with its upper bound beside it
    html = kpi_tiles({"restorable_pct": 80.5, "restorable_upper_pct": 90.0, "total_volumes": 3, "covered": 2,
                      "collection_gaps": 1})
    assert 'data-kpi="restorable_pct" data-value="80.5"' in html
    assert 'data-kpi="restorable_upper_pct" data-value="90.0"' in html
    assert 'data-kpi="collection_gaps" data-value="1"' in html and "rk-bad" in html
    none = kpi_tiles({"restorable_pct": None, "total_volumes": 0})
    assert 'data-kpi="restorable_pct" data-value=""' in none and "n/a" in none


def test_tables_escape_free_text_and_say_where_the_rest_is():
    frame = pd.DataFrame({"display_name": ["<script>x</script>"] * 30, "n": range(30)})
    html = table(frame, top_n=5, full_data="volumes.csv").to_html()
    assert "<script>x" not in html and "&lt;script&gt;x" in html
    assert "Showing 5 of 30 rows" in html and "volumes.csv" in html


def test_every_status_has_its_own_colour_and_charts_render():
    assert set(STATUS_COLOURS) == set(CoverageStatus)
    assert len(set(STATUS_COLOURS.values())) == len(CoverageStatus)
    frame = pd.DataFrame({"region": ["a", "b"], "covered": [1, 0], "missing": [1, 2], "restorable_pct": [50.0, 0.0]})
    chart = coverage_by_group(frame, "region")
    assert chart.png.startswith(b"\x89PNG") and chart.title == "Lowest restorable share: region b at 0%"

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


# --------------------------------------------------------------------------------------------------
# the analyst's filters, cards and tables (issue 16)
# --------------------------------------------------------------------------------------------------
import pytest  # noqa: E402

from reportkit.errors import InputError  # noqa: E402
from reportkit.report import views  # noqa: E402


@pytest.fixture(scope="module")
def assessed():
    from report_fixtures import build_inventory
    from reportkit.assessment import assess

    inventory = build_inventory()
    return inventory, assess(inventory)


def test_filters_take_region_keys_and_names_in_any_case_and_lists(assessed):
    inventory, result = assessed
    volumes = result.volumes
    london = volumes[volumes["region"] == "uk-london-1"]
    for given in ("lhr", "LHR", "uk-london-1", ["lhr"]):
        assert views.filter_volumes(volumes, region=given)["boot_volume_id"].tolist() == \
            london["boot_volume_id"].tolist(), given
    both = views.filter_volumes(volumes, region=["lhr", "FRA"], status=["missing", "Stale", "no backup"],
                                regions=inventory.regions)
    assert set(both["region"]) <= {"uk-london-1", "eu-frankfurt-1"}
    assert set(both["coverage_status"].astype(str)) <= {"missing", "stale", "no_backup"} and len(both)
    assert list(views.filter_volumes(volumes, columns=["display_name", "reason"]).columns) == ["display_name", "reason"]


@pytest.mark.parametrize("filters, listed", [
    ({"status": "mising"}, "covered, stale, in_progress, failed, missing, no_backup, ineligible, unknown"),
    ({"image_class": "plat"}, "platform, custom_from_platform"),
    ({"region": "xyz"}, "eu-amsterdam-1, eu-frankfurt-1, uk-london-1"),
    ({"columns": ["display_name", "nope"]}, "boot_volume_id, region"),
    ({"status": []}, "non-empty text or a list"),
])
def test_a_filter_value_that_does_not_exist_is_an_error_listing_the_valid_ones(assessed, filters, listed):
    with pytest.raises(InputError) as info:
        views.filter_volumes(assessed[1].volumes, **filters)
    assert listed in str(info.value)


def test_assessment_and_inventory_show_a_compact_card(assessed):
    inventory, result = assessed
    card = result._repr_html_()
    assert len(card) < 6000 and "Assessment</strong> of tenancy" in card
    assert f"Covered</span> <strong>{result.summary.covered:,}</strong>" in card
    assert f"{result.summary.collection_gaps} collection gap" in card and "result.volumes</code> (30)" in card
    assert len(repr(result)) < 400 and repr(result).startswith("Assessment(tenancy=")
    inv_card = inventory._repr_html_()
    assert "Inventory</strong> of tenancy" in inv_card and "inventory.backups</code>" in inv_card
    assert "<script>" not in card + inv_card


def test_old_data_is_called_out_first(assessed):
    import dataclasses

    inventory, result = assessed
    assert views.stale_data_note(result.metadata, result.summary) is None
    later = dataclasses.replace(result.summary, as_of=result.metadata.finished_at + pd.Timedelta(days=10))
    note = views.stale_data_note(result.metadata, later)
    assert note and "10 days before the assessment time" in note and "7-day RPO" in note
    block = views.title_block("t", result.metadata, later)
    assert block.index('data-kpi-alert="stale_data"') < 400


def test_tables_are_left_aligned_with_long_reasons_wrapped(assessed):
    html = table(assessed[1].volumes[["display_name", "reason", "rpo_age_days"]], top_n=3).to_html()
    assert "text-align: left" in html and "white-space: normal" in html and "max-width: 36em" in html
    assert "rk-num" in html  # the number column stays right-aligned
    styler = table(pd.DataFrame({"region": ["eu-amsterdam-1"], "reason": ["no AVAILABLE copy " * 4]}))
    styler._compute()
    assert "rk-nowrap" in styler.cell_context[(0, 0)] and "rk-nowrap" not in styler.cell_context.get((0, 1), "")


def test_dir_of_reportkit_lists_the_lazy_exports():
    import reportkit

    names = dir(reportkit)
    for name in ("assess", "collect", "load_snapshot", "render_report", "make_plan", "execute_plan", "Settings"):
        assert name in names
    assert "importlib" not in names and "Any" not in names

"""collect's Resource Search pre-filter: the same inventory as listing every compartment, fewer
requests, unreadable compartments still listed (their gap stays an error row), and a failed
search falls back to listing everything without inventing a whole-region gap."""
from __future__ import annotations

from collections import defaultdict
from urllib.parse import parse_qs, urlsplit

import pandas as pd
import pytest

from reportkit.collection import Tuning, collect
from reportkit.schema import INVENTORY_TABLES
from reportkit.sim import SimServer, write_oci_config
from sim_fixtures import FRA, IAD, LHR, SECRET, TENANCY, build_fixture_tenancy

# tiny pages so the search itself crosses page boundaries; short waits so fault tests stay fast
FAST = Tuning(page_limit=2, backoff_base=0.005, backoff_max=0.02, max_attempts=3, region_failures=50)
LISTS = ("ListBootVolumeBackups", "ListBootVolumes")


def _collect(server, config_file, **kwargs):
    path, profile = config_file
    kwargs.setdefault("tuning", FAST)
    return collect(profile, config_file=path, endpoint_template=server.endpoint_template, progress=False, **kwargs)


def _comparable(inv, name: str) -> pd.DataFrame:
    """A table with its rows in a canonical order; errors without what differs between two runs."""
    frame = getattr(inv, name)
    if name == "errors":
        frame = frame.drop(columns=["time", "opc_request_id"])
    frame = frame.astype("string")
    return frame.sort_values(list(frame.columns)).reset_index(drop=True)


def assert_same_inventory(got, expected) -> None:
    for name in INVENTORY_TABLES:
        pd.testing.assert_frame_equal(_comparable(got, name), _comparable(expected, name), obj=name)


def _listed(log) -> dict[str, set[tuple[str, str]]]:
    """{operation: {(region, compartment)}} of the list calls in the fake's request log."""
    out = defaultdict(set)
    for entry in log:
        if entry["operation"] in LISTS:
            cid = parse_qs(urlsplit(entry["path"]).query)["compartmentId"][0]
            out[entry["operation"]].add((entry["region"], cid))
    return out


DOC_KEY = {"ListBootVolumes": "bootVolumes", "ListBootVolumeBackups": "bootVolumeBackups"}


def _holding(doc, operation: str) -> set[tuple[str, str]]:
    """(region, compartment) pairs that hold what ``operation`` lists, in the document."""
    return {(region, item["compartmentId"]) for region, items in doc[DOC_KEY[operation]].items() for item in items}


def test_search_reads_the_same_inventory_with_fewer_requests(sim, oci_config_file):
    doc = build_fixture_tenancy()
    full = _collect(sim, oci_config_file, use_search=False)
    full_log = sim.requests()
    sim.clear_requests()
    searched = _collect(sim, oci_config_file, use_search=True)
    log = sim.requests()
    assert_same_inventory(searched, full)
    # the denied compartment is listed in every region anyway, so its gap is still reported
    failed = {(r, op) for r, c, op in zip(searched.errors["region"], searched.errors["compartment_id"],
                                           searched.errors["operation"]) if c == SECRET}
    assert failed >= {(r, op) for r in (LHR, FRA, IAD) for op in LISTS}
    # lists only where the search found something, in the root, and where it cannot see
    regions = (LHR, FRA, IAD)
    listed = _listed(log)
    for operation in LISTS:
        holding = _holding(doc, operation)
        assert listed[operation] == holding | {(r, c) for r in regions for c in (TENANCY, SECRET)}, operation
    lists = sum(e["operation"] in LISTS for e in log)
    assert lists < sum(e["operation"] in LISTS for e in full_log)  # (pages of 2 make the search itself dear)
    assert sum(e["operation"] == "SearchResources" for e in log) > len(regions)  # pages of 2 were followed
    search = searched.metadata.parameters["search"]
    every = {(r, c) for r in regions for c in searched.compartments["compartment_id"]}
    assert search["regions_searched"] == sorted(regions) and search["fallback_regions"] == {}
    assert search["lists_skipped_total"] == sum(len(every - listed[op]) for op in LISTS) > 0
    assert search["compartments_skipped_total"] == len(every - listed[LISTS[0]] - listed[LISTS[1]]) > 0
    assert full.metadata.parameters["search"] == {"enabled": False}


@pytest.mark.parametrize("knobs, failing", [
    ({"error_rate": 1.0, "error_operations": ["SearchResources"]}, (LHR, FRA, IAD)),
    # page 2 of both London searches (each has more than 2 hits): a failure after a page was read
    ({"malformed_page": [{"operation": "SearchResources", "page": 2, "region": LHR}]}, (LHR,)),
])
@pytest.mark.slow  # two full collections with retries
def test_a_failed_search_lists_every_compartment_of_its_region(sim, oci_config_file, knobs, failing):
    full = _collect(sim, oci_config_file, use_search=False)
    sim.clear_requests()
    sim.set_knobs(**knobs)
    inv = _collect(sim, oci_config_file, use_search=True)
    assert_same_inventory(inv, full)  # nothing lost, and no error row the full listing did not have
    assert not inv.errors["compartment_id"].isna().any()
    search = inv.metadata.parameters["search"]
    assert sorted(search["fallback_regions"]) == sorted(failing)
    assert all(reason for reason in search["fallback_regions"].values())
    assert set(search["regions_searched"]) == {LHR, FRA, IAD} - set(failing)
    listed = _listed(sim.requests())
    for region in failing:
        for operation in LISTS:
            assert {c for r, c in listed[operation] if r == region} == set(inv.compartments["compartment_id"])


def test_search_on_the_demo_tenancy_reads_what_listing_every_compartment_reads(demo_collection, tmp_path):
    """The session's demo collection listed every compartment (the default); collect once more with search."""
    import copy

    document = copy.deepcopy(demo_collection["document"])
    with SimServer(document) as server:
        config = write_oci_config(tmp_path / "oci", tenancy_id=server.tenancy_id)
        searched = _collect(server, config, use_search=True, tuning=Tuning())
    full = demo_collection["inventory"]
    assert searched.metadata.parameters["search"]["compartments_skipped_total"] > 0
    assert searched.metadata.parameters["search"]["fallback_regions"] == {}
    assert searched.metadata.parameters["calls"] < full.metadata.parameters["calls"]
    for name in INVENTORY_TABLES:
        if name != "errors":  # the session inventory is stamped with the demo's asOf; ids are what matter
            key = INVENTORY_TABLES[name].columns[0].name
            assert set(getattr(searched, name)[key].dropna()) == set(getattr(full, name)[key].dropna()), name
    got_errors = set(zip(searched.errors["region"], searched.errors["compartment_id"], searched.errors["operation"]))
    assert got_errors == set(zip(full.errors["region"], full.errors["compartment_id"], full.errors["operation"]))


def test_the_cli_says_what_search_skipped_and_how_to_turn_it_off(sim, oci_config_file, tmp_path, capsys):
    from reportkit.cli import main
    from reportkit.snapshot import load_snapshot

    path, profile = oci_config_file
    base = ["collect", "--config-file", str(path), "--profile", profile, "--endpoint-template",
            sim.endpoint_template, "--out", str(tmp_path), "--no-progress", "--workers", "4"]
    assert main([*base, "--search"]) == 0
    out = capsys.readouterr().out
    skipped = load_snapshot(out.splitlines()[0].removeprefix("snapshot: ")).metadata.parameters["search"]
    assert f"Resource Search skipped {skipped['lists_skipped_total']} list call(s)" in out
    assert "leave out --search" in out
    sim.clear_requests()
    assert main(base) == 0  # the default lists every compartment: search can hide a narrow-policy gap
    assert "every compartment was listed" in capsys.readouterr().out
    assert not any(e["operation"] == "SearchResources" for e in sim.requests())

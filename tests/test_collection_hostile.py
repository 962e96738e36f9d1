"""collect() against a hostile endpoint (the fake's knobs): every wrong answer is an errors row, the run
survives, nothing wrong becomes a row, and every listing ends within its bounds."""
from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pandas as pd
import pytest

from reportkit.collection import Tuning, collect
from reportkit.sim import SimServer
from sim_fixtures import BKP, BV, DEV, FRA, IAD, LHR, PROD, SECRET, TENANCY, build_fixture_tenancy

FAST = Tuning(page_limit=2, backoff_base=0.005, backoff_max=0.02, max_attempts=3, region_failures=50)
BOUND = 60.0  # seconds: far above a normal run of this tenancy (~1 s); a hang fails instead of blocking




def bounded(fn: Callable[[], Any], seconds: float = BOUND) -> Any:
    """Run ``fn`` in a daemon thread; fail the test if it has not returned within ``seconds``."""
    out: dict[str, Any] = {}

    def target() -> None:
        try:
            out["value"] = fn()
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            out["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"collect did not finish within {seconds} s"
    if "error" in out:
        raise out["error"]
    return out["value"]


def run(fake: SimServer, oci_config_file: tuple[Any, str], tuning: Tuning = FAST, **kwargs: Any) -> Any:
    path, profile = oci_config_file
    return bounded(lambda: collect(profile, config_file=path, endpoint_template=fake.endpoint_template,
                                   progress=False, tuning=tuning, **kwargs))


def errors_of(inv: Any, **where: Any) -> pd.DataFrame:
    e = inv.errors
    mask = pd.Series(True, index=e.index)
    for column, value in where.items():
        mask &= e[column].astype("string").eq(value).fillna(False)
    return e[mask]


def visible(region: str, key: str) -> dict[str, set[str]]:
    """{compartment: ids} the fixture holds for ``key`` in ``region``, the denied compartment left out."""
    out: dict[str, set[str]] = {}
    for item in build_fixture_tenancy()[key].get(region, []):
        if item["compartmentId"] != SECRET:
            out.setdefault(item["compartmentId"], set()).add(item["id"])
    return out


# ------------------------------------------------------------------------------------------- shapes
def test_a_volume_list_of_the_wrong_shape_is_a_gap_not_an_empty_compartment(fake, oci_config_file):
    fake.set_knobs(wrong_shape=[{"operation": "ListBootVolumes", "region": LHR, "shape": "object"}])
    inv = run(fake, oci_config_file)
    assert inv.boot_volumes[inv.boot_volumes["region"] == LHR].empty
    wrong = errors_of(inv, region=LHR, operation="ListBootVolumes", code="WrongShape")
    assert set(wrong["compartment_id"]) == {TENANCY, PROD, "ocid1.compartment.oc1..aaaaaaaaprodapp", DEV}
    assert wrong["resource_id"].isna().all() and wrong["message"].str.contains("JSON list").all()
    assert set(inv.boot_volumes["region"]) == {IAD}  # the other regions are read as usual


def test_an_assignment_of_the_wrong_shape_is_a_failed_lookup_of_that_volume(fake, oci_config_file):
    fake.set_knobs(wrong_shape=[{"operation": "GetVolumeBackupPolicyAssetAssignment", "shape": "object"}])
    inv = run(fake, oci_config_file)
    failed = errors_of(inv, operation="GetVolumeBackupPolicyAssetAssignment", code="WrongShape")
    assert set(failed["resource_id"]) == set(inv.boot_volumes["boot_volume_id"])  # the policy is unknown, not "none"
    assert inv.policy_assignments.empty


def test_search_answers_of_the_wrong_shape_list_every_compartment(fake, oci_config_file):
    fake.set_knobs(wrong_shape=[{"operation": "SearchResources", "shape": "list"}])
    inv = run(fake, oci_config_file, use_search=True)
    search = inv.metadata.parameters["search"]
    assert set(search["fallback_regions"]) == {LHR, FRA, IAD}
    for key, frame, col in (("bootVolumes", inv.boot_volumes, "boot_volume_id"),
                            ("bootVolumeBackups", inv.backups, "backup_id")):
        for region in (LHR, FRA, IAD):
            want = set().union(*visible(region, key).values()) if visible(region, key) else set()
            assert set(frame.loc[frame["region"] == region, col]) == want, (key, region)


@pytest.mark.parametrize("shape", ["text", "null", "list"])
def test_a_policy_or_image_of_the_wrong_shape_is_an_error_row_of_that_lookup(fake, oci_config_file, shape):
    fake.set_knobs(wrong_shape=[{"operation": "GetVolumeBackupPolicy", "shape": shape},
                                {"operation": "GetImage", "shape": shape}])
    inv = run(fake, oci_config_file)
    assert inv.backup_policies.empty
    assert len(errors_of(inv, operation="GetVolumeBackupPolicy", code="WrongShape")) == 1
    assert set(inv.images["lookup_status"]) <= {"error", "not_found"}


# ------------------------------------------------------------------------------------------- pages
@pytest.mark.parametrize("mode", ["repeat"])  # cycling tokens: the reliability harness ("page-token cycle")
def test_a_page_token_that_repeats_or_cycles_is_stopped_at_once(fake, oci_config_file, mode):
    fake.set_knobs(page_loop=[{"operation": "ListBootVolumeBackups", "region": LHR, "mode": mode}])
    inv = run(fake, oci_config_file)
    looped = errors_of(inv, region=LHR, operation="ListBootVolumeBackups", code="PageTokenLoop")
    assert set(looped["compartment_id"]) == {TENANCY, PROD, "ocid1.compartment.oc1..aaaaaaaaprodapp", DEV}
    requests = [r for r in fake.requests() if r["operation"] == "ListBootVolumeBackups" and r["region"] == LHR]
    assert len(requests) <= 4 * (3 if mode == "cycle" else 2) + 1  # detected on the first repeat (+ SECRET's 404)
    # the pages read before the loop showed are real and kept, each record once
    assert inv.backups["backup_id"].is_unique
    assert inv.metadata.parameters["duplicates_dropped"]["backups"] > 0


def test_endless_empty_pages_end_at_the_empty_page_limit(fake, oci_config_file):
    fake.set_knobs(page_loop=[{"operation": "ListBootVolumes", "region": FRA, "mode": "empty"}])
    inv = run(fake, oci_config_file, tuning=dataclasses.replace(FAST, max_empty_pages=5))
    limited = errors_of(inv, region=FRA, operation="ListBootVolumes", code="PageLimit")
    assert set(limited["compartment_id"]) == {TENANCY, PROD, "ocid1.compartment.oc1..aaaaaaaaprodapp", DEV}
    assert limited["message"].str.contains("5 empty pages").all()


def test_a_listing_longer_than_the_page_maximum_is_cut_and_recorded(fake, oci_config_file):
    inv = run(fake, oci_config_file, tuning=dataclasses.replace(FAST, page_limit=2, max_pages=2))
    cut = errors_of(inv, code="PageLimit")
    # London's prod holds 5 backups (pages of 2): the 3rd page is never asked for; every other listing fits
    assert set(zip(cut["region"], cut["compartment_id"], cut["operation"])) == {(LHR, PROD, "ListBootVolumeBackups")}
    assert len(inv.backups[(inv.backups["region"] == LHR) & (inv.backups["compartment_id"] == PROD)]) == 4


# ------------------------------------------------------------------------------------------- time bounds
def test_a_trickling_answer_is_cut_at_the_request_deadline(fake, oci_config_file):
    fake.set_knobs(trickle=[{"operation": "ListBootVolumeBackups", "region": FRA, "interval": 0.05}])
    tuning = dataclasses.replace(FAST, request_deadline=0.5, max_attempts=2)
    inv = run(fake, oci_config_file, tuning=tuning)
    cut = errors_of(inv, region=FRA, operation="ListBootVolumeBackups", code="RequestDeadline")
    # the answers longer than 10 bytes (0.5 s at 20 bytes/s): prod's copy and the denied compartment's 404
    # (an empty list, 2 bytes, may be cut too on a busy machine: still a gap, never an empty compartment)
    assert {PROD, SECRET} <= set(cut["compartment_id"])
    assert "within 0.5 s" in cut["message"].iloc[0]
    assert inv.backups[inv.backups["region"] == FRA].empty
    assert set(inv.backups["region"]) == {LHR, IAD}


def test_a_region_past_its_deadline_is_cut_off_and_every_unread_list_is_a_row(fake, oci_config_file):
    fake.set_knobs(stall=[{"operation": "ListBootVolumes", "region": IAD, "seconds": 30}])
    tuning = dataclasses.replace(FAST, region_deadline=1.0, timeout=(2.0, 60.0))
    inv = run(fake, oci_config_file, tuning=tuning)
    late = errors_of(inv, region=IAD, code="RegionDeadline")
    assert {(c, op) for c, op in zip(late["compartment_id"], late["operation"])} >= {
        (c, "ListBootVolumes") for c in (TENANCY, PROD, DEV)}
    assert set(inv.boot_volumes["region"]) == {LHR}


# ------------------------------------------------------------------------------------------- records
def test_records_without_an_id_are_errors_rows_never_rows(fake, oci_config_file):
    fake.set_knobs(record_faults=[{"operation": "ListBootVolumeBackups", "field": "id", "value": None,
                                   "ids": [BKP["platform"], BKP["custom"]]},
                                  {"operation": "ListBootVolumes", "field": "id", "drop": True, "ids": [BV["custom"]]}])
    inv = run(fake, oci_config_file)
    assert inv.backups["backup_id"].notna().all() and inv.boot_volumes["boot_volume_id"].notna().all()
    assert BKP["platform"] not in set(inv.backups["backup_id"]) and BV["custom"] not in set(inv.boot_volumes["boot_volume_id"])
    rows = errors_of(inv, code="RecordWithoutId")
    assert sorted(zip(rows["region"], rows["compartment_id"], rows["operation"])) == [
        (LHR, PROD, "ListBootVolumeBackups"), (LHR, PROD, "ListBootVolumeBackups"), (LHR, PROD, "ListBootVolumes")]
    assert rows["resource_id"].isna().all()  # a gap of that compartment, not a look-up of one resource


#: one bad field on each of seven London backups (one collection): (backup, wire field, value, column)
BAD_VALUES = [("custom", "timeCreated", "yesterday", "time_created"),
              ("market", "timeCreated", "2999-01-01T00:00:00.000Z", "time_created"),
              ("imported", "sizeInGBs", "fifty", "size_in_gbs"),
              ("community", "sizeInGBs", 50.5, "size_in_gbs"),
              ("deleted", "displayName", "\ud800 bad", "display_name"),
              ("app", "lifecycleState", 7, "lifecycle_state"),
              ("platform", "expirationTime", [1], "expiration_time")]


def test_a_record_with_one_bad_field_is_kept_with_that_field_null(fake, oci_config_file, tmp_path):
    from reportkit.snapshot import load_snapshot, save_snapshot

    fake.set_knobs(record_faults=[{"operation": "ListBootVolumeBackups", "field": field, "value": value,
                                   "ids": [BKP[name]]} for name, field, value, _ in BAD_VALUES])
    inv = run(fake, oci_config_file)
    by_id = inv.backups.set_index("backup_id")
    assert len(inv.backups) == sum(len(v) for r in (LHR, FRA, IAD) for v in visible(r, "bootVolumeBackups").values())
    for name, field, value, column in BAD_VALUES:
        assert pd.isna(by_id.loc[BKP[name], column]), (name, field)
        assert by_id.loc[BKP[name], "time_created" if column != "time_created" else "display_name"] is not pd.NA
        detail = errors_of(inv, code="BadField", field=field, resource_id=BKP[name])
        assert list(detail["region"]) == [LHR], (name, field)
        raw = detail["raw_value"].iloc[0]
        assert raw == (str(value) if not isinstance(value, str) else value.encode("utf-8", "backslashreplace").decode())
    # fields a verdict depends on make their listing a gap (one row per listing); names and sizes do not
    gaps = errors_of(inv, code="DamagedRecords")
    assert set(zip(gaps["region"], gaps["compartment_id"], gaps["operation"])) == {
        (LHR, PROD, "ListBootVolumeBackups"), (LHR, "ocid1.compartment.oc1..aaaaaaaaprodapp", "ListBootVolumeBackups")}
    assert gaps["resource_id"].isna().all()
    loaded = load_snapshot(save_snapshot(inv, tmp_path))  # the run is written whole
    assert len(loaded.backups) == len(inv.backups) and len(loaded.errors) == len(inv.errors)


def test_a_timestamp_more_than_a_day_after_the_collection_is_an_errors_row(fake, oci_config_file):
    fake.set_knobs(record_faults=[{"operation": "ListBootVolumeBackups", "field": "timeCreated",
                                   "value": "2026-11-03T00:00:01.000Z", "ids": [BKP["market"]]}])
    inv = run(fake, oci_config_file)
    assert inv.metadata.finished_at == pd.Timestamp("2026-11-01T00:00:00Z")  # the fake's clock, frozen
    assert pd.isna(inv.backups.set_index("backup_id").loc[BKP["market"], "time_created"])
    row = errors_of(inv, code="FutureTime", field="timeCreated")
    assert list(row["resource_id"]) == [BKP["market"]]


def test_an_unknown_compartment_state_is_collected_and_noted(fake, oci_config_file):
    fake.set_knobs(record_faults=[{"operation": "ListCompartments", "field": "lifecycleState", "value": "ARCHIVED",
                                   "ids": [DEV]}])
    inv = run(fake, oci_config_file)
    states = dict(zip(inv.compartments["compartment_id"], inv.compartments["lifecycle_state"]))
    assert states[DEV] == "ARCHIVED"
    assert set(inv.boot_volumes.loc[inv.boot_volumes["compartment_id"] == DEV, "boot_volume_id"]) == \
        visible(LHR, "bootVolumes")[DEV]
    assert inv.metadata.parameters["compartments"]["not_active"] == {DEV: "ARCHIVED"}

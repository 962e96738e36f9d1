"""collect() against the fake OCI API: exactly what the fake holds, across pages, through faults."""
from __future__ import annotations

from collections import defaultdict

import pandas as pd
import pytest

from reportkit.collection import Tuning, collect
from reportkit.errors import CollectionError, InputError
from sim_fixtures import (
    APP, DEV, FRA, IAD, IMG_DELETED, IMG_MARKET, LHR, POLICY_USER, PROD, SECRET, TENANCY, build_fixture_tenancy, ocid,
)

#: web-1 names a replica the fixture holds no record of (a document older than replica records): collect
#: looks it up by id in its region, and the 404 is an errors row about that replica (not a gap)
WEB1_REPLICA = ocid("bootvolumereplica", LHR, "web1")
#: every read of the denied compartment: boot volume and backup lists in each region, the volume groups and
#: group backups listed there because those lists failed (a failed list cannot vouch for emptiness), its IAM
SECRET_READS = {(r, op) for r in (LHR, FRA, IAD) for op in ("ListBootVolumes", "ListBootVolumeBackups",
                                                             "ListVolumeGroups", "ListVolumeGroupBackups")} | {
    (LHR, "ListPolicies")}


def _unexpected(inv):
    """Errors other than the denied compartment's and the fixture's unreadable replica."""
    e = inv.errors
    return e[(e["compartment_id"] != SECRET) & (e["resource_id"].astype("string") != WEB1_REPLICA).fillna(True)]

# tiny pages so every list crosses page boundaries; short waits so fault tests stay fast
FAST = Tuning(page_limit=2, backoff_base=0.005, backoff_max=0.02, max_attempts=4, region_failures=6)
COMPARTMENTS = [TENANCY, PROD, APP, DEV, SECRET]


def _collect(sim, oci_config_file, **kwargs):
    path, profile = oci_config_file
    kwargs.setdefault("tuning", FAST)
    kwargs.setdefault("endpoint_template", sim.endpoint_template)
    return collect(profile, config_file=path, progress=False, **kwargs)


def _truth(doc, key):
    """{(region, compartment): set(ids)} of what the fake holds and will show the auditor."""
    denied = set(doc["access"]["deniedCompartments"])
    out = defaultdict(set)
    for region, items in doc[key].items():
        for item in items:
            if item.get("compartmentId") not in denied:
                out[(region, item["compartmentId"])].add(item["id"])
    return out


def _got(frame, id_col):
    out = defaultdict(set)
    for region, comp, ident in zip(frame["region"], frame["compartment_id"], frame[id_col]):
        out[(region, comp)].add(ident)
    return out


def _failed(inv, operation):
    e = inv.errors
    return {(r, c) for r, c, op in zip(e["region"], e["compartment_id"], e["operation"]) if op == operation}


def assert_complete(inv, doc, regions=(LHR, FRA, IAD)):
    """Every (region, compartment, list) either matches the fake exactly or is an error row (and then
    holds nothing the fake does not have); denied compartments are always error rows."""
    for key, table, id_col, op in [("bootVolumeBackups", inv.backups, "backup_id", "ListBootVolumeBackups"),
                                   ("bootVolumes", inv.boot_volumes, "boot_volume_id", "ListBootVolumes")]:
        truth, got, failed = _truth(doc, key), _got(table, id_col), _failed(inv, op)
        assert len(table[id_col]) == table[id_col].nunique(), f"{op}: duplicates"
        for region in regions:
            for comp in COMPARTMENTS:
                if (region, comp) in failed:
                    assert got[(region, comp)] <= truth[(region, comp)]
                else:
                    assert got[(region, comp)] == truth[(region, comp)], (op, region, comp)
            assert (region, SECRET) in failed, f"{op}: the denied compartment is not reported in {region}"
    # every volume that was listed had its assignment read, or an error says why not
    assigned = set(inv.policy_assignments["asset_id"])
    failed_assets = set(inv.errors.loc[inv.errors["operation"] == "GetVolumeBackupPolicyAssetAssignment",
                                       "resource_id"])
    truth_assigned = {a["assetId"] for items in doc["volumeBackupPolicyAssignments"].values() for a in items}
    for vol in inv.boot_volumes["boot_volume_id"]:
        if vol not in failed_assets:
            assert (vol in assigned) == (vol in truth_assigned), vol
    # every image referenced is in the images table exactly once, read or explained
    referenced = set(inv.backups["image_id"].dropna()) | set(inv.boot_volumes["image_id"].dropna())
    assert referenced <= set(inv.images["image_id"])
    assert inv.images["image_id"].is_unique


def test_collect_returns_exactly_what_the_fake_holds_across_pages(sim, oci_config_file):
    doc = build_fixture_tenancy()
    inv = _collect(sim, oci_config_file)
    assert_complete(inv, doc)
    # only the denied compartment failed (every read there), and the replica web-1 names cannot be found
    secret = inv.errors[inv.errors["compartment_id"] == SECRET]
    assert set(zip(secret["region"], secret["operation"])) == SECRET_READS and len(secret) == len(SECRET_READS)
    assert _unexpected(inv).empty
    lookup = inv.errors[inv.errors["resource_id"] == WEB1_REPLICA]
    assert list(zip(lookup["region"], lookup["operation"], lookup["http_status"])) == [
        (LHR, "GetBootVolumeReplica", 404)]
    assert set(inv.errors["http_status"]) == {404}
    assert inv.errors["opc_request_id"].notna().all()
    # discovery: tenancy, home region, ACTIVE tree with paths, regions
    assert (inv.metadata.tenancy_name, inv.metadata.home_region) == ("fixture", LHR)
    assert dict(zip(inv.compartments["compartment_id"], inv.compartments["path"])) == {
        TENANCY: "/", PROD: "prod", APP: "prod/app", DEV: "dev", SECRET: "secret"}
    assert list(inv.regions["region"]) == [LHR, FRA, IAD] and inv.regions["collected"].all()
    # policies, assignments, replicas, images down to the root and Marketplace
    assert set(inv.backup_policies["policy_id"]) == {POLICY_USER}
    assert inv.backup_policies["destination_region"].tolist() == [FRA]
    truth_images = {i["id"] for i in doc["images"][LHR]}
    ok = inv.images.set_index("image_id")["lookup_status"]
    assert set(ok[ok == "ok"].index) == truth_images - {i["id"] for i in doc["images"][LHR]
                                                        if i.get("compartmentId") == "never"}
    assert ok[IMG_DELETED] == "not_found"
    assert inv.images.set_index("image_id").loc[IMG_MARKET, "marketplace_publisher"] == "Vendor"
    web = inv.boot_volumes.set_index("boot_volume_id").loc[doc["bootVolumes"][LHR][0]["id"]]
    assert (web["replica_count"], web["replica_regions"]) == (1, LHR)
    # IAM: one row per statement, numbered from 1
    assert inv.iam_policies.groupby("policy_name")["statement_index"].apply(list).to_dict() == {
        "auditors": [1, 2], "copiers": [1]}
    # paging really happened (limit 2) and each image was read once
    log = pd.DataFrame(sim.requests())
    assert (log["operation"] == "GetImage").sum() == len(inv.images)


@pytest.mark.slow
def test_faults_never_abort_and_every_failure_is_an_error_row(sim, oci_config_file):
    doc = build_fixture_tenancy()
    sim.set_knobs(rate_limit_rps=15, rate_limit_burst=2, error_rate=0.15, error_seed=7,
                  region_down={IAD: "503"},
                  malformed_page=[{"operation": "ListBootVolumeBackups", "page": 2, "region": LHR}])
    inv = _collect(sim, oci_config_file)
    assert_complete(inv, doc)
    errors = inv.errors
    down = errors[errors["region"] == IAD]
    # the region that is down: every compartment x list operation is accounted for
    assert {(c, op) for c, op in zip(down["compartment_id"], down["operation"])} >= {
        (c, op) for c in COMPARTMENTS for op in ("ListBootVolumeBackups", "ListBootVolumes")}
    assert inv.backups[inv.backups["region"] == IAD].empty
    malformed = errors[(errors["region"] == LHR) & (errors["code"] == "MalformedResponse")]
    assert set(malformed["compartment_id"]) == {PROD, DEV}  # the two compartments with > 2 backups in London
    assert malformed["message"].str.contains("page 2").all()
    assert inv.metadata.parameters["retries"] > 0  # 429s and 500s were retried, not reported


@pytest.mark.slow
def test_a_throttling_storm_slows_down_and_loses_nothing(sim, oci_config_file):
    sim.set_knobs(rate_limit_rps=30, rate_limit_burst=1)
    inv = _collect(sim, oci_config_file, tuning=Tuning(page_limit=1, backoff_base=0.005))
    assert _unexpected(inv).empty
    assert_complete(inv, build_fixture_tenancy())
    assert (pd.DataFrame(sim.requests())["status"] == 429).any()


def test_regions_and_compartment_subtree_select_what_is_read(sim, oci_config_file):
    inv = _collect(sim, oci_config_file, regions="lhr, eu-frankfurt-1", compartment="prod")
    assert set(inv.backups["region"]) == {LHR, FRA}
    assert set(inv.backups["compartment_id"]) == {PROD, APP}
    assert set(inv.compartments["compartment_id"]) == {PROD, APP}
    assert dict(zip(inv.regions["region"], inv.regions["collected"])) == {LHR: True, FRA: True, IAD: False}
    assert TENANCY in set(inv.iam_policies["compartment_id"])  # the root's policies still apply to prod
    assert _unexpected(inv).empty and inv.errors["compartment_id"].eq(PROD).all()
    by_ocid = _collect(sim, oci_config_file, regions=["IAD"], compartment=APP)
    assert set(by_ocid.compartments["path"]) == {"prod/app"} and by_ocid.backups.empty


@pytest.mark.parametrize("kwargs, message", [
    ({"regions": "xyz"}, r"unknown region 'xyz'"),
    ({"regions": "phx"}, r"region 'phx' \(us-phoenix-1\) is not a READY subscribed region"),
    ({"compartment": "nope/none"}, r"compartment 'nope/none' not found .*known paths include: /, dev"),
    ({"endpoint_template": "http://127.0.0.1:1"}, r"must contain \{region\}"),
])
def test_bad_parameters_are_input_errors(sim, oci_config_file, kwargs, message):
    with pytest.raises(InputError, match=message):
        _collect(sim, oci_config_file, **kwargs)


def test_nothing_collected_is_a_collection_error(sim, oci_config_file):
    sim.set_knobs(region_down={LHR: "503"})
    with pytest.raises(CollectionError, match=r"discovery failed in uk-london-1: GetTenancy returned 503"):
        _collect(sim, oci_config_file)

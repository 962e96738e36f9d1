"""The demo tenancy generator: deterministic, complete, wire-exact, and its truth matches its data."""
from __future__ import annotations

import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

import oci
import pandas as pd
import pytest
from oci.core import models as core
from oci.identity import models as identity
from oci.marketplace import models as marketplace

from fixtures.demo_oracle import demo_truth

from reportkit.errors import InputError
from reportkit.schema import CoverageStatus, ImageClass
from reportkit.sim.demo import NOT_VISIBLE, build_demo_tenancy, build_history, load_spec

from bench.tenancy import build_scaled_tenancy

SEED_EXAMPLE_TRUNCATED = (
    "Allow group MyTestGroup to use boot-volume-backups in tenancy where all "
    "{request.permission='BOOT_VOLUME_BACKUP_COPY', request.region = 'lhr', "
)
VOLUME_FAMILY = "Allow group VolumeAdmins to manage volume-family in tenancy"
COPY_STATEMENT = ("Allow group VolumeAdmins to use boot-volume-backups in tenancy where "
                  "request.permission='BOOT_VOLUME_BACKUP_COPY'")


@pytest.fixture(scope="module")
def doc() -> dict:
    return build_demo_tenancy()


@pytest.fixture(scope="module")
def truth(doc) -> pd.DataFrame:
    return demo_truth(doc)


def _all(doc: dict, key: str) -> list[tuple[str, dict]]:
    return [(region, rec) for region, recs in doc[key].items() for rec in recs]


def _ad_region(ad: str, doc: dict) -> str | None:
    """Region of an availability domain: 'Uocm:LHR-AD-1' (key) or 'Uocm:US-ASHBURN-AD-1' (name stem)."""
    name = ad.split(":", 1)[1].rsplit("-AD-", 1)[0]
    for s in doc["regionSubscriptions"]:
        if name in (s["regionKey"], s["regionName"].upper(), s["regionName"].upper().rsplit("-", 1)[0]):
            return s["regionName"]
    return None


def _time(s: str) -> pd.Timestamp:
    return pd.Timestamp(s)


# --------------------------------------------------------------------------------------------
# Determinism
# --------------------------------------------------------------------------------------------
def test_same_seed_gives_identical_json_and_another_seed_differs(doc):
    again = build_demo_tenancy()
    assert json.dumps(doc, sort_keys=True) == json.dumps(again, sort_keys=True)
    other = build_demo_tenancy(seed=7)
    assert json.dumps(other, sort_keys=True) != json.dumps(doc, sort_keys=True)
    # Different seed, different OCIDs: nothing accidentally constant.
    assert {v["id"] for _, v in _all(doc, "bootVolumes")}.isdisjoint({v["id"] for _, v in _all(other, "bootVolumes")})


def test_document_is_plain_json(doc):
    assert json.loads(json.dumps(doc)) == doc


# --------------------------------------------------------------------------------------------
# Wire format: every key exists in the SDK model
# --------------------------------------------------------------------------------------------
_NESTED = re.compile(r"^list\[(\w+)\]$")


def _check_keys(record: dict, model: type, where: str, problems: list[str]) -> None:
    inst = model()
    by_json = {v: k for k, v in inst.attribute_map.items()}
    for key, value in record.items():
        if key.startswith("_"):
            continue  # private generator keys (e.g. _imageIds) are never served
        if key not in by_json:
            problems.append(f"{where}: {key!r} not in {model.__name__}.attribute_map")
            continue
        typ = inst.swagger_types[by_json[key]]
        m = _NESTED.match(typ)
        sub = m.group(1) if m else typ
        # Nested models live in the same service package as their parent (marketplace.Region != core.Region).
        package = sys.modules[model.__module__.rpartition(".")[0]]
        sub_model = getattr(package, sub, None)
        if sub_model is None or value is None:
            continue
        items = value if m else [value]
        for item in items:
            if isinstance(item, dict):
                _check_keys(item, sub_model, f"{where}.{key}", problems)


def test_every_emitted_key_belongs_to_the_sdk_model(doc):
    problems: list[str] = []
    _check_keys(doc["tenancy"], identity.Tenancy, "tenancy", problems)
    for rec in doc["regionSubscriptions"]:
        _check_keys(rec, identity.RegionSubscription, "regionSubscriptions", problems)
    for rec in doc["compartments"]:
        _check_keys(rec, identity.Compartment, "compartments", problems)
    for rec in doc["policies"]:
        _check_keys(rec, identity.Policy, "policies", problems)
    for rec in doc["marketplaceListings"]:
        _check_keys(rec, marketplace.ListingSummary, "marketplaceListings", problems)
    for key, model in (("images", core.Image), ("bootVolumes", core.BootVolume),
                       ("bootVolumeBackups", core.BootVolumeBackup),
                       ("volumeBackupPolicies", core.VolumeBackupPolicy),
                       ("volumeBackupPolicyAssignments", core.VolumeBackupPolicyAssignment)):
        for region, rec in _all(doc, key):
            _check_keys(rec, model, f"{key}[{region}]", problems)
    assert problems == []


def test_records_deserialise_with_the_sdk(doc):
    """The SDK's own deserialiser reads every backup and volume: no unknown enum value, real datetimes."""
    from oci.auth.signers import SecurityTokenSigner
    from oci.core.models import core_type_mapping

    # A signer that is never used to sign: only the deserialiser of the client is exercised.
    signer = SecurityTokenSigner.__new__(SecurityTokenSigner)
    client = oci.base_client.BaseClient("blockstorage", {"region": "uk-london-1"}, signer, core_type_mapping,
                                        service_endpoint="http://127.0.0.1:9")

    def load(rec: dict, kind: str):
        return client.deserialize_response_data(json.dumps(rec).encode(), kind)

    for _, b in _all(doc, "bootVolumeBackups"):
        m = load(b, "BootVolumeBackup")
        assert "UNKNOWN_ENUM_VALUE" not in (m.lifecycle_state, m.source_type, m.type)
        assert m.time_created.tzinfo is not None
    for _, v in _all(doc, "bootVolumes"):
        assert load(v, "BootVolume").lifecycle_state in ("AVAILABLE", "PROVISIONING")
    for _, p in _all(doc, "volumeBackupPolicies"):
        m = load(p, "VolumeBackupPolicy")
        assert all("UNKNOWN_ENUM_VALUE" not in (s.period, s.backup_type) for s in m.schedules)
    for _, i in _all(doc, "images"):
        assert load(i, "Image").listing_type in ("NONE", "COMMUNITY")


# --------------------------------------------------------------------------------------------
# Required features, counted by kind
# --------------------------------------------------------------------------------------------
def test_regions_and_compartments(doc):
    subs = doc["regionSubscriptions"]
    assert len(subs) >= 5 and sum(s["isHomeRegion"] for s in subs) == 1
    for s in subs:
        assert oci.regions.REGIONS_SHORT_NAMES[s["regionKey"].lower()] == s["regionName"]
        assert s["regionKey"].isupper() and len(s["regionKey"]) == 3
    home = next(s for s in subs if s["isHomeRegion"])
    assert doc["tenancy"]["homeRegionKey"] == home["regionKey"]

    comps = {c["id"]: c for c in doc["compartments"]}
    assert 15 <= len(comps) <= 25
    root = doc["tenancy"]["id"]

    def depth(cid: str) -> int:
        return 0 if cid == root else 1 + depth(comps[cid]["compartmentId"])

    assert max(depth(c) for c in comps) >= 3
    denied = doc["access"]["deniedCompartments"]
    assert len(denied) >= 1 and all(d in comps for d in denied)
    in_denied = [v for _, v in _all(doc, "bootVolumes") if v["compartmentId"] in denied]
    assert len(in_denied) >= 5


def test_boot_volumes(doc):
    vols = _all(doc, "bootVolumes")
    assert 250 <= len(vols) <= 350
    for region, v in vols:
        assert v["id"].startswith(f"ocid1.bootvolume.oc1.{region}.aaaa")
        ad = v["availabilityDomain"]
        assert re.fullmatch(r"Uocm:[A-Z0-9-]+-AD-\d", ad), ad
        assert _ad_region(ad, doc) == region
        assert 47 <= v["sizeInGBs"] <= 1024
    assert len({r for r, _ in vols}) >= 5


def test_backups_states_types_and_times(doc):
    backups = _all(doc, "bootVolumeBackups")
    states = Counter(b["lifecycleState"] for _, b in backups)
    assert set(states) == {"REQUEST_RECEIVED", "CREATING", "AVAILABLE", "TERMINATING", "TERMINATED", "FAULTY"}
    assert {b["type"] for _, b in backups} == {"FULL", "INCREMENTAL"}
    as_of = _time(doc["asOf"])
    for region, b in backups:
        assert b["id"].startswith(f"ocid1.bootvolumebackup.oc1.{region}.aaaa")
        assert _time(b["timeRequestReceived"]) <= _time(b["timeCreated"])
        assert _time(b["timeRequestReceived"]) <= as_of
        if b["sourceType"] == "SCHEDULED":
            assert _time(b["expirationTime"]) > as_of  # only backups still within retention are listed
        if b["sourceType"] == "MANUAL" and "sourceBootVolumeBackupId" not in b:
            assert "expirationTime" not in b
        if "uniqueSizeInGBs" in b:
            assert 1 <= b["uniqueSizeInGBs"] <= b["sizeInGBs"]
            if b["type"] == "INCREMENTAL":
                assert b["uniqueSizeInGBs"] < b["sizeInGBs"]
    sources = [b for _, b in backups if "sourceBootVolumeBackupId" not in b]
    assert Counter(b["sourceType"] for b in sources)["MANUAL"] >= 20
    oldest = min(_time(b["timeCreated"]) for b in sources)
    assert as_of - oldest > pd.Timedelta(days=180)  # months of history (monthly retention)


def test_backup_policies_and_assignments(doc):
    policies = _all(doc, "volumeBackupPolicies")
    oracle = [p for _, p in policies if "compartmentId" not in p]
    assert {p["displayName"] for p in oracle} == {"gold", "silver", "bronze"}
    assert all("destinationRegion" not in p for p in oracle)
    user = [p for _, p in policies if "compartmentId" in p]
    assert any("destinationRegion" in p for p in user) and any("destinationRegion" not in p for p in user)
    for region, p in policies:
        assert p.get("destinationRegion") != region
    by_id = {p["id"]: (r, p) for r, p in policies}
    assignments = _all(doc, "volumeBackupPolicyAssignments")
    vols = {v["id"]: r for r, v in _all(doc, "bootVolumes")}
    assert len(assignments) >= 0.75 * len(vols)
    assert len({a["assetId"] for _, a in assignments}) == len(assignments)  # one policy per volume
    for region, a in assignments:
        assert vols[a["assetId"]] == region and by_id[a["policyId"]][0] == region


def test_cross_region_copies(doc):
    backups = {b["id"]: (r, b) for r, b in _all(doc, "bootVolumeBackups")}
    copies = [(r, b) for r, b in backups.values() if "sourceBootVolumeBackupId" in b]
    kinds = Counter()
    for region, c in copies:
        src = backups.get(c["sourceBootVolumeBackupId"])
        if src is None:
            kinds["orphan"] += 1
            continue
        src_region, s = src
        assert src_region != region
        assert c["compartmentId"] == s["compartmentId"]  # same compartment in the destination region
        assert _time(c["timeRequestReceived"]) >= _time(s["timeCreated"])
        kinds["policy" if c["sourceType"] == "SCHEDULED" else "manual"] += 1
        kinds[c["lifecycleState"]] += 1
        if s.get("kmsKeyId") and not c.get("kmsKeyId"):
            kinds["downgrade"] += 1
        if c.get("kmsKeyId"):
            assert c["kmsKeyId"] in doc["vaultKeys"][region]
            kinds["dest_key"] += 1
    for kind in ("orphan", "policy", "manual", "REQUEST_RECEIVED", "CREATING", "FAULTY", "TERMINATED",
                 "AVAILABLE", "downgrade", "dest_key"):
        assert kinds[kind] >= 1, (kind, kinds)


def test_replicas_live_in_another_region(doc):
    vols = [(r, v) for r, v in _all(doc, "bootVolumes") if v.get("bootVolumeReplicas")]
    assert len(vols) >= 3
    for region, v in vols:
        for rep in v["bootVolumeReplicas"]:
            ad = rep["availabilityDomain"]
            assert _ad_region(ad, doc) not in (None, region)
            assert rep["bootVolumeReplicaId"].startswith("ocid1.bootvolumereplica.oc1.")


def test_every_image_kind(doc, truth):
    images = {i["id"]: i for _, i in _all(doc, "images")}
    listed = {iid for lst in doc["marketplaceListings"] for iid in lst["_imageIds"]}
    assert listed and listed <= set(images)
    for lst in doc["marketplaceListings"]:
        assert lst["packageType"] == "IMAGE" and lst["publisher"]["name"]
    platform = [i for i in images.values() if "compartmentId" not in i and i["id"] not in listed]
    assert platform and all(i["listingType"] == "NONE" for i in platform)
    community = [i for i in images.values() if i["listingType"] == "COMMUNITY"]
    imported = [i for i in images.values() if "compartmentId" in i and "baseImageId" not in i
                and i["listingType"] == "NONE"]
    assert community and imported
    chains = [i for i in images.values() if images.get(i.get("baseImageId", ""), {}).get("baseImageId")]
    assert any(images[images[c["baseImageId"]]["baseImageId"]] in platform for c in chains)  # custom->custom->platform
    assert any(i.get("baseImageId") in listed for i in images.values())  # custom from Marketplace
    used = {v["imageId"] for _, v in _all(doc, "bootVolumes")}
    assert used - set(images), "a deleted image must be referenced but absent"
    hidden = [i for i in platform if i.get("_hiddenFromList")]
    assert hidden and hidden[0]["id"] in used  # an old platform version ListImages no longer shows
    # Images are regional: every volume's image is listed in the volume's region (unless deleted).
    per_region = {r: {i["id"] for i in lst} for r, lst in doc["images"].items()}
    for region, v in _all(doc, "bootVolumes"):
        assert v["imageId"] in per_region[region] or v["imageId"] not in images
    assert set(truth["image_kind"]) == {k.value for k in ImageClass}


def test_vault_encryption(doc):
    vols = [v for _, v in _all(doc, "bootVolumes") if v.get("kmsKeyId")]
    assert len(vols) >= 10
    for region, v in _all(doc, "bootVolumes"):
        if v.get("kmsKeyId"):
            assert v["kmsKeyId"] in doc["vaultKeys"][region]
    xrc = [a for _, a in _all(doc, "volumeBackupPolicyAssignments") if a.get("xrcKmsKeyId")]
    assert xrc


def test_iam_policies_include_the_seed_examples_verbatim(doc):
    statements = [s for p in doc["policies"] for s in p["statements"]]
    assert SEED_EXAMPLE_TRUNCATED in statements
    assert VOLUME_FAMILY in statements and COPY_STATEMENT in statements
    family_only = [p for p in doc["policies"] if any("volume-family" in s for s in p["statements"])
                   and not any("BOOT_VOLUME_BACKUP_COPY" in s for s in p["statements"])]
    assert family_only
    assert any("ReportkitAuditors" in s for s in statements)
    # the seed document sits in shared/ beside the checkout (in CI too)
    seed_path = Path(__file__).resolve().parents[2] / "shared" / "seed" / "copying-boot-volume-backup-between-regions.txt"
    try:
        seed_lines = [ln for ln in open(seed_path, encoding="utf-8").read().splitlines() if ln.startswith("Allow ")]
    except OSError:
        pytest.skip("seed document not available here")
    assert set(seed_lines) <= set(statements)


def test_hostile_and_long_display_names(doc):
    names = [v["displayName"] for _, v in _all(doc, "bootVolumes")]
    names += [b["displayName"] for _, b in _all(doc, "bootVolumeBackups")]
    names += [p["displayName"] for _, p in _all(doc, "volumeBackupPolicies")]
    for needle in ("<script>alert(1)</script>", "=cmd|' /C calc'!A0", "+SUM(1)", "@foo", "🚀", "خادم"):
        assert any(needle in n for n in names), needle
    assert max(len(n) for n in names) >= 255


# --------------------------------------------------------------------------------------------
# Ground truth
# --------------------------------------------------------------------------------------------
def test_truth_covers_every_volume_and_every_status(doc, truth):
    assert sorted(truth["boot_volume_id"]) == sorted(v["id"] for _, v in _all(doc, "bootVolumes"))
    assert set(truth["expected_status"]) == {s.value for s in CoverageStatus} | {NOT_VISIBLE}
    # The scenario each volume was built for shows exactly the status it was built to show.
    mismatched = truth[truth["expected_status"] != truth["scenario_status"]]
    assert mismatched.empty, mismatched[["scenario", "expected_status", "scenario_status"]]


@pytest.mark.parametrize(("seed", "as_of"), [(1, "2026-11-01T00:00:00Z"), (5, "2026-03-17T13:45:00Z")])
def test_scenarios_hold_for_other_seeds_and_clocks(seed, as_of):
    """Scenario timing is relative to as_of and robust to the draws: each shows its status."""
    tr = demo_truth(build_demo_tenancy(seed=seed, as_of=as_of))
    mismatched = tr[tr["expected_status"] != tr["scenario_status"]]
    assert mismatched.empty, mismatched[["scenario", "expected_status", "scenario_status"]]


def _copies_by_volume(doc: dict) -> dict[str, list[tuple[str, dict, dict | None]]]:
    backups = {b["id"]: b for _, b in _all(doc, "bootVolumeBackups")}
    out = defaultdict(list)
    for region, b in _all(doc, "bootVolumeBackups"):
        if "sourceBootVolumeBackupId" in b:
            src = backups.get(b["sourceBootVolumeBackupId"])
            out[(src or b)["bootVolumeId"]].append((region, b, src))
    return out


def test_truth_is_consistent_with_the_document(doc, truth):
    """Independent re-check of each verdict against the raw records (not via the generator's rule)."""
    as_of = _time(doc["asOf"])
    fresh = as_of - pd.Timedelta(days=7)
    copies = _copies_by_volume(doc)
    images = {i["id"]: i for _, i in _all(doc, "images")}
    sources = {b["bootVolumeId"] for _, b in _all(doc, "bootVolumeBackups")
               if "sourceBootVolumeBackupId" not in b and b["lifecycleState"] == "AVAILABLE"}
    regions = {s["regionName"] for s in doc["regionSubscriptions"]}
    for row in truth.itertuples():
        vc = copies.get(row.boot_volume_id, [])
        targets = regions - {row.region} if row.required_destination == "any" else {row.required_destination}
        in_targets = [(c, s) for r, c, s in vc if r in targets]
        fresh_ok = [c for c, s in in_targets if c["lifecycleState"] == "AVAILABLE" and s is not None
                    and _time(s["timeCreated"]) >= fresh]
        if row.expected_status == "covered":
            assert fresh_ok, row
        else:
            assert not fresh_ok or row.expected_status == NOT_VISIBLE, row
        if row.expected_status == NOT_VISIBLE:
            assert row.compartment_id in doc["access"]["deniedCompartments"]
        if row.expected_status == "ineligible":
            assert row.image_kind in {"marketplace", "custom_from_marketplace", "community", "custom_imported"}
        if row.expected_status == "unknown":
            vol_image = next(v["imageId"] for _, v in _all(doc, "bootVolumes") if v["id"] == row.boot_volume_id)
            assert vol_image not in images
        if row.expected_status == "no_backup":
            assert row.boot_volume_id not in sources
        if row.expected_status == "in_progress":
            assert any(c["lifecycleState"] in ("REQUEST_RECEIVED", "CREATING") for c, _ in in_targets)
        if row.expected_status == "stale":
            assert any(c["lifecycleState"] == "AVAILABLE" for c, _ in in_targets)
        if row.expected_status == "failed":
            assert any(c["lifecycleState"] == "FAULTY" for c, _ in in_targets)
            assert not any(c["lifecycleState"] in ("AVAILABLE", "REQUEST_RECEIVED", "CREATING") for c, _ in in_targets)
        if row.expected_status == "missing":
            assert not any(c["lifecycleState"] in ("AVAILABLE", "REQUEST_RECEIVED", "CREATING", "FAULTY")
                           for c, _ in in_targets), row


def test_truth_traps_are_present(doc, truth):
    """The cases a careless assessment gets wrong exist: a copy in the wrong region, a recent copy
    of an old backup, an orphan copy, a replica-only volume, and a deleted image with fresh copies."""
    counts = truth["scenario"].value_counts()
    for scenario in ("copy_in_wrong_region", "late_copy_of_old_backup", "orphan_copy", "replica_only",
                     "deleted_image_fresh_copy", "copy_terminated"):
        assert counts.get(scenario, 0) >= 1, scenario
    wrong = truth[truth["scenario"] == "copy_in_wrong_region"]
    copies = _copies_by_volume(doc)
    for row in wrong.itertuples():
        # fresh AVAILABLE copies exist, just not in the required region
        assert any(r != row.required_destination and c["lifecycleState"] == "AVAILABLE"
                   for r, c, _ in copies[row.boot_volume_id])
    late = truth[truth["scenario"] == "late_copy_of_old_backup"]
    as_of = _time(doc["asOf"])
    for row in late.itertuples():
        assert any(as_of - _time(c["timeCreated"]) < pd.Timedelta(days=7) for _, c, _ in copies[row.boot_volume_id])


def test_demo_truth_rejects_documents_without_truth():
    with pytest.raises(InputError, match="_truth"):
        demo_truth({"asOf": "2026-11-01T00:00:00.000Z"})


# --------------------------------------------------------------------------------------------
# History
# --------------------------------------------------------------------------------------------
def test_history_is_the_same_tenancy_evolving(doc):
    history = build_history(months=6)
    assert len(history) == 6
    times = [t for t, _ in history]
    assert times == sorted(times) and times[-1] == pd.Timestamp("2026-11-01T00:00:00Z")
    assert times[0] == pd.Timestamp("2026-06-01T00:00:00Z")
    assert json.dumps(history[-1][1], sort_keys=True) == json.dumps(doc, sort_keys=True)
    vol_sets = [{v["id"] for _, v in _all(d, "bootVolumes")} for _, d in history]
    for earlier, later in zip(vol_sets, vol_sets[1:]):
        assert earlier <= later  # volumes appear over time, none vanish
    assert len(vol_sets[0]) < len(vol_sets[-1])
    # A backup keeps its OCID and timeCreated from one month to the next.
    first = {b["id"]: b["timeCreated"] for _, b in _all(history[-2][1], "bootVolumeBackups")}
    last = {b["id"]: b["timeCreated"] for _, b in _all(history[-1][1], "bootVolumeBackups")}
    common = first.keys() & last.keys()
    assert len(common) > 500 and all(first[k] == last[k] for k in common)
    # Scheduled backups only within retention at each snapshot; copies appear over time.
    for at, d in history:
        assert d["asOf"].startswith(at.strftime("%Y-%m-%dT%H:%M:%S"))
        for _, b in _all(d, "bootVolumeBackups"):
            assert _time(b["timeRequestReceived"]) <= at
            if "expirationTime" in b:
                assert _time(b["expirationTime"]) > at
        assert set(demo_truth(d)["boot_volume_id"]) == {v["id"] for _, v in _all(d, "bootVolumes")}


def test_history_rejects_zero_months():
    with pytest.raises(InputError, match="months"):
        build_history(months=0)


# --------------------------------------------------------------------------------------------
# Spec and scaled tenancy
# --------------------------------------------------------------------------------------------
def test_packaged_spec_loads_and_bad_paths_are_clear_errors(tmp_path):
    spec = load_spec()
    assert 280 <= sum(spec["scenarios"].values()) <= 330
    with pytest.raises(InputError, match="does not exist"):
        load_spec(tmp_path / "nope.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[tenancy\n")
    with pytest.raises(InputError, match="not valid TOML"):
        build_demo_tenancy(spec=bad)
    with pytest.raises(InputError, match="not a timestamp"):
        build_demo_tenancy(as_of="yesterday-ish")


def test_as_of_moves_the_clock(doc):
    later = build_demo_tenancy(as_of="2026-11-15T00:00:00Z")
    assert later["asOf"] == "2026-11-15T00:00:00.000Z"
    assert {v["id"] for _, v in _all(doc, "bootVolumes")} == {v["id"] for _, v in _all(later, "bootVolumes")}


def test_scaled_tenancy_has_the_requested_size():
    big = build_scaled_tenancy(regions=4, compartments=40, volumes=200, backups=5000, seed=3)
    assert len(big["regionSubscriptions"]) == 4
    assert len(big["compartments"]) == 40
    assert sum(len(v) for v in big["bootVolumes"].values()) == 200
    n = sum(len(v) for v in big["bootVolumeBackups"].values())
    assert 4000 <= n <= 6000
    problems: list[str] = []
    for key, model in (("bootVolumes", core.BootVolume), ("bootVolumeBackups", core.BootVolumeBackup)):
        for region, rec in _all(big, key):
            _check_keys(rec, model, key, problems)
    assert problems == []
    used = {v["compartmentId"] for _, v in _all(big, "bootVolumes")}
    assert len(used) < len(big["compartments"]) / 2  # most compartments are empty
    assert json.dumps(big) == json.dumps(build_scaled_tenancy(regions=4, compartments=40, volumes=200,
                                                              backups=5000, seed=3))
    with pytest.raises(InputError):
        build_scaled_tenancy(regions=99)

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

from fixtures.demo_oracle import KINDS, assess_document, demo_truth

from reportkit.errors import InputError
from reportkit.schema import CoverageStatus, ImageClass
from reportkit.sim.demo import NOT_VISIBLE, SCENARIO_STATUS, build_demo_tenancy, build_history, load_spec
from reportkit.sim.documents import validate_document

from bench.tenancy import build_scaled_tenancy

ROOT = Path(__file__).resolve().parents[1]

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
                # polymorphic models (VolumeGroup.sourceDetails) name their subtype in a field
                concrete = getattr(package, sub_model.get_subtype(item), sub_model) \
                    if hasattr(sub_model, "get_subtype") else sub_model
                _check_keys(item, concrete, f"{where}.{key}", problems)


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
    for key, model in _SECTION_MODELS:
        assert _all(doc, key), key
        for region, rec in _all(doc, key):
            _check_keys(rec, model, f"{key}[{region}]", problems)
    assert problems == []
    validate_document(doc)  # and the fake's own checks (links, states, availability domains)


_SECTION_MODELS = (
    ("images", core.Image), ("bootVolumes", core.BootVolume), ("bootVolumeBackups", core.BootVolumeBackup),
    ("volumeBackupPolicies", core.VolumeBackupPolicy),
    ("volumeBackupPolicyAssignments", core.VolumeBackupPolicyAssignment),
    ("volumeGroups", core.VolumeGroup), ("volumeGroupBackups", core.VolumeGroupBackup),
    ("bootVolumeReplicas", core.BootVolumeReplica), ("volumeGroupReplicas", core.VolumeGroupReplica),
)


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
    for section, kind in (("volumeGroupBackups", "VolumeGroupBackup"), ("volumeGroups", "VolumeGroup"),
                          ("bootVolumeReplicas", "BootVolumeReplica"), ("volumeGroupReplicas", "VolumeGroupReplica")):
        for _, rec in _all(doc, section):
            m = load(rec, kind)
            assert m.lifecycle_state != "UNKNOWN_ENUM_VALUE" and m.time_created.tzinfo is not None, rec["id"]


# --------------------------------------------------------------------------------------------
# Required features, counted by kind
# --------------------------------------------------------------------------------------------
def test_regions_and_compartments(doc):
    subs = doc["regionSubscriptions"]
    assert len(subs) >= 5 and sum(s["isHomeRegion"] for s in subs) == 1
    subscribing = [s["regionName"] for s in subs if s["status"] == "IN_PROGRESS"]
    # one region being subscribed, with no _readyAt: it stays IN_PROGRESS unless the fake is told
    assert len(subscribing) == 1 and not any("_readyAt" in s for s in subs)
    for key in ("bootVolumes", "bootVolumeBackups", "volumeGroupBackups", "bootVolumeReplicas"):
        assert not doc[key][subscribing[0]], key  # nothing can be in (or read from) a region being subscribed
    assert not doc["vaultKeys"][subscribing[0]]
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
    # compartments that are not ACTIVE still hold volumes (a failed delete; a delete in progress)
    for state in ("INACTIVE", "DELETING"):
        held = [c for c in comps.values() if c["lifecycleState"] == state]
        assert held and any(v["compartmentId"] == held[0]["id"] for _, v in _all(doc, "bootVolumes")), state
    deleted = {c["id"] for c in comps.values() if c["lifecycleState"] == "DELETED"}
    assert deleted and not any(v["compartmentId"] in deleted for _, v in _all(doc, "bootVolumes"))


def test_boot_volumes(doc):
    vols = _all(doc, "bootVolumes")
    assert 300 <= len(vols) <= 360
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
        assert _time(b["timeRequestReceived"]) <= _time(b["timeCreated"]) <= as_of  # nothing from the future
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
    groups = {g["id"]: r for r, g in _all(doc, "volumeGroups")}
    assert len(assignments) >= 0.75 * len(vols)
    assert len({a["assetId"] for _, a in assignments}) == len(assignments)  # one policy per volume or group
    for region, a in assignments:
        assert {**vols, **groups}[a["assetId"]] == region and by_id[a["policyId"]][0] == region
    # a group's policy is user-defined (OCI allows no Oracle-defined one on a group), and some copy
    on_groups = [by_id[a["policyId"]][1] for _, a in assignments if a["assetId"] in groups]
    assert len(on_groups) == len(groups) and all("compartmentId" in p for p in on_groups)
    assert any("destinationRegion" in p for p in on_groups)
    # a policy whose destination is the region being subscribed, created after the subscription began
    subscribing = {s["regionName"] for s in doc["regionSubscriptions"] if s["status"] == "IN_PROGRESS"}
    new = [p for _, p in policies if p.get("destinationRegion") in subscribing]
    assert new and all(_time(p["timeCreated"]) > _time(doc["asOf"]) - pd.Timedelta(hours=1) for p in new)


def test_cross_region_copies(doc):
    backups = {b["id"]: (r, b) for r, b in _all(doc, "bootVolumeBackups")}
    copies = [(r, b) for r, b in backups.values() if "sourceBootVolumeBackupId" in b]
    kinds = Counter()
    comps = {c["id"]: c["name"] for c in doc["compartments"]}
    home = {v["id"]: r for r, v in _all(doc, "bootVolumes")}
    for region, c in copies:
        src = backups.get(c["sourceBootVolumeBackupId"])
        if src is None:
            kinds["orphan"] += 1
            continue
        src_region, s = src
        assert src_region != region
        assert c["bootVolumeId"] == s["bootVolumeId"]  # a copy keeps its source's boot volume
        if c["compartmentId"] != s["compartmentId"]:  # moved after the copy (it lands in the source's)
            assert comps[c["compartmentId"]] == "Prod-Standby", c["id"]
            kinds["moved"] += 1
        assert _time(c["timeRequestReceived"]) >= _time(s["timeCreated"])
        kinds["policy" if c["sourceType"] == "SCHEDULED" else "manual"] += 1
        kinds[c["lifecycleState"]] += 1
        if "sourceBootVolumeBackupId" in s:
            kinds["copy_of_copy"] += 1
        if region == home[c["bootVolumeId"]]:
            kinds["back_home"] += 1
        if c.get("isRetentionLockEnabled"):
            assert c["isPreventDeletionEnabled"] and _time(c["timeRetentionExpiresAt"]) > _time(c["timeCreated"])
            kinds["locked"] += 1
        if s.get("kmsKeyId") and not c.get("kmsKeyId"):
            kinds["downgrade"] += 1
        if c.get("kmsKeyId"):
            assert c["kmsKeyId"] in doc["vaultKeys"][region]
            kinds["dest_key"] += 1
    for kind in ("orphan", "policy", "manual", "REQUEST_RECEIVED", "CREATING", "FAULTY", "TERMINATED",
                 "AVAILABLE", "downgrade", "dest_key", "moved", "copy_of_copy", "back_home", "locked"):
        assert kinds[kind] >= 1, (kind, kinds)


def test_replicas_are_records_in_their_own_region(doc):
    """Every replica a volume (or group) names is a record in the region its AD belongs to, and back."""
    vols = {v["id"]: (r, v) for r, v in _all(doc, "bootVolumes")}
    records = {rep["id"]: (r, rep) for r, rep in _all(doc, "bootVolumeReplicas")}
    states = Counter()
    for region, rep in records.values():
        home, vol = vols[rep["bootVolumeId"]]
        assert _ad_region(rep["availabilityDomain"], doc) == region
        assert rep["id"].startswith(f"ocid1.bootvolumereplica.oc1.{region}.")
        assert rep["id"] in {i["bootVolumeReplicaId"] for i in vol.get("bootVolumeReplicas", [])}
        assert _time(rep["timeLastSynced"]) <= _time(doc["asOf"])
        lag = _time(doc["asOf"]) - _time(rep["timeLastSynced"])
        syncing = "_syncIntervalSeconds" in rep
        assert syncing == (rep["lifecycleState"] == "AVAILABLE" and lag < pd.Timedelta(minutes=15)), rep["id"]
        states["cross_ad" if region == home else "cross_region"] += 1
        states[rep["lifecycleState"]] += 1
        states["lagging"] += rep["lifecycleState"] == "AVAILABLE" and lag > pd.Timedelta(days=7)
        states["in_group"] += "volumeGroupReplicaId" in rep
    for state in ("cross_ad", "cross_region", "AVAILABLE", "FAULTY", "lagging", "in_group"):
        assert states[state] >= 1, (state, states)
    for _, v in vols.values():
        assert {i["bootVolumeReplicaId"] for i in v.get("bootVolumeReplicas", [])} <= set(records)
    groups = {g["id"]: g for _, g in _all(doc, "volumeGroups")}
    for region, grep in _all(doc, "volumeGroupReplicas"):
        assert grep["id"] in {i["volumeGroupReplicaId"] for i in groups[grep["volumeGroupId"]]["volumeGroupReplicas"]}
        members = {m["volumeReplicaId"] for m in grep["memberReplicas"]}
        boot = [rep for rep in records.values() if rep[1].get("volumeGroupReplicaId") == grep["id"]]
        assert boot and {rep["id"] for _, rep in boot} <= members
        assert {rep["bootVolumeId"] for _, rep in boot} == set(groups[grep["volumeGroupId"]]["volumeIds"]) & set(vols)


def test_volume_groups_their_backups_and_copies(doc, truth):
    """Group backups hold a member backup per boot volume of the group; copies' members are linked only
    through their group backup; a late joiner is in the group but in none of its backups."""
    backups = {b["id"]: (r, b) for r, b in _all(doc, "bootVolumeBackups")}
    groups = {g["id"]: (r, g) for r, g in _all(doc, "volumeGroups")}
    vols = {v["id"]: (r, v) for r, v in _all(doc, "bootVolumes")}
    group_backups = {g["id"]: (r, g) for r, g in _all(doc, "volumeGroupBackups")}
    held: dict[str, set[str]] = defaultdict(set)  # volume -> group backups (sources) holding it
    kinds = Counter()
    for region, gb in group_backups.values():
        members = [backups[i][1] for i in gb["volumeBackupIds"] if i in backups]
        assert members and all(m["volumeGroupBackupId"] == gb["id"] for m in members)
        assert len(gb["volumeBackupIds"]) > len(members)  # block volume backups are members too
        assert all(m["lifecycleState"] == "AVAILABLE" for m in members) == (gb["lifecycleState"] == "AVAILABLE")
        if "sourceVolumeGroupBackupId" in gb:
            src_region, src = group_backups[gb["sourceVolumeGroupBackupId"]]
            assert src_region != region and gb["volumeGroupId"] == src["volumeGroupId"]
            assert all("sourceBootVolumeBackupId" not in m for m in members)
            assert {m["bootVolumeId"] for m in members} == {
                backups[i][1]["bootVolumeId"] for i in src["volumeBackupIds"] if i in backups}
            kinds["policy_copy" if gb["sourceType"] == "SCHEDULED" else "manual_copy"] += 1
        else:
            assert region == groups[gb["volumeGroupId"]][0]
            for m in members:
                held[m["bootVolumeId"]].add(gb["id"])
        kinds[gb["lifecycleState"]] += 1
    for kind in ("policy_copy", "manual_copy", "AVAILABLE"):
        assert kinds[kind] >= 1, (kind, kinds)
    for gid, (region, g) in groups.items():
        boot = [i for i in g["volumeIds"] if i in vols]
        assert boot and len(g["volumeIds"]) > len(boot)  # boot and block volumes
        assert all(vols[i][0] == region and vols[i][1]["availabilityDomain"] == g["availabilityDomain"] for i in boot)
    late = truth[truth["scenario"] == "group_joined_late"]
    assert len(late) >= 1
    for row in late.itertuples():
        group = next(g for _, g in groups.values() if row.boot_volume_id in g["volumeIds"])
        assert row.boot_volume_id not in group["sourceDetails"]["volumeIds"]  # joined after the group was made
        assert not held[row.boot_volume_id]
        others = [i for i in group["volumeIds"] if i in vols and i != row.boot_volume_id]
        assert others and all(held[i] for i in others)


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


def test_hostile_and_long_display_names(doc, truth):
    names = load_spec()["names"]
    first = truth[truth["display_name"] == f"{names['hostile'][0]} (Boot Volume)"]
    assert list(first["scenario"]) == [names["first_to"]]  # where every coverage report lists it
    assert (truth["expected_status"] == "ineligible").sum() <= 20  # the report's tables show 20 rows
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


def _items_by_volume(doc: dict) -> dict[str, list[tuple[str, str, dict]]]:
    """Per boot volume, every record that could restore it somewhere: (region, kind, record) for copies
    (by their own bootVolumeId, which the generator keeps), group backup copies (through their members)
    and replicas. A plain listing, no lineage: the checks below only need necessary conditions."""
    out = defaultdict(list)
    group_backups = {g["id"]: g for _, g in _all(doc, "volumeGroupBackups")}
    for region, b in _all(doc, "bootVolumeBackups"):
        if "sourceBootVolumeBackupId" in b:
            out[b["bootVolumeId"]].append((region, "backup_copy", b))
        elif "sourceVolumeGroupBackupId" in group_backups.get(b.get("volumeGroupBackupId"), {}):
            out[b["bootVolumeId"]].append((region, "group_backup_copy", group_backups[b["volumeGroupBackupId"]]))
    for region, r in _all(doc, "bootVolumeReplicas"):
        out[r["bootVolumeId"]].append((region, "replica", r))
    return out


def test_truth_is_consistent_with_the_document(doc, truth):
    """A plain re-check of each verdict against the raw records (necessary conditions, no lineage)."""
    items = _items_by_volume(doc)
    images = {i["id"] for _, i in _all(doc, "images")}
    image_of = {v["id"]: v["imageId"] for _, v in _all(doc, "bootVolumes")}
    roots = {b["bootVolumeId"] for _, b in _all(doc, "bootVolumeBackups") if "sourceBootVolumeBackupId" not in b
             and b["lifecycleState"] == "AVAILABLE" and "Copy of" not in b["displayName"]}
    subscribing = {s["regionName"] for s in doc["regionSubscriptions"] if s["status"] == "IN_PROGRESS"}
    for row in truth.itertuples():
        away = [(r, k, rec) for r, k, rec in items.get(row.boot_volume_id, []) if r != row.region]
        if isinstance(row.required_destination, str) and row.required_destination != "any":
            away = [(r, k, rec) for r, k, rec in away if r in row.required_destination.split(",")]
        states = {rec["lifecycleState"] for _, _, rec in away}
        if row.expected_status == "covered":
            assert "AVAILABLE" in states, row
            assert set(row.expected_covered_by.split(",")) <= {k for _, k, rec in away
                                                               if rec["lifecycleState"] == "AVAILABLE"}, row
        elif row.expected_status == NOT_VISIBLE:
            assert row.compartment_id in doc["access"]["deniedCompartments"]
        elif row.expected_status == "ineligible":
            assert row.image_kind in {"marketplace", "custom_from_marketplace", "community", "custom_imported"}
        elif row.expected_status == "unknown":
            assert image_of[row.boot_volume_id] not in images
        elif row.expected_status == "no_backup":
            assert row.boot_volume_id not in roots
        elif row.expected_status == "in_progress":
            assert states & {"REQUEST_RECEIVED", "CREATING", "COMMITTED", "PROVISIONING"}, row
        elif row.expected_status == "stale":
            assert "AVAILABLE" in states, row
        elif row.expected_status == "failed":
            assert "FAULTY" in states and not states & {"REQUEST_RECEIVED", "CREATING", "COMMITTED"}, row
        elif row.expected_status == "missing":
            assert not states & {"REQUEST_RECEIVED", "CREATING", "COMMITTED", "FAULTY"}, row
            if row.required_destination in subscribing:
                assert not away  # nothing can be in a region being subscribed
        if row.expected_status != NOT_VISIBLE:  # protection lists kinds AVAILABLE outside the home region
            listed = {k for r, k, rec in items.get(row.boot_volume_id, [])
                      if r != row.region and rec["lifecycleState"] == "AVAILABLE"}
            assert set(filter(None, row.expected_protection.split(","))) <= listed, row


def _per_scenario(truth: pd.DataFrame, column: str) -> dict[str, set]:
    """scenario -> the set of values ``column`` takes over its volumes."""
    return {scenario: set(rows[column].fillna("")) for scenario, rows in truth.groupby("scenario")}


def _rows(truth: pd.DataFrame, scenario: str) -> pd.DataFrame:
    rows = truth[truth["scenario"] == scenario]
    assert len(rows) >= 1, scenario
    return rows


def test_truth_traps_are_present(doc, truth):
    """The cases a careless assessment gets wrong exist in the raw records, as their scenario says."""
    as_of = _time(doc["asOf"])
    week = pd.Timedelta(days=7)
    items = _items_by_volume(doc)
    backups = {b["id"]: (r, b) for r, b in _all(doc, "bootVolumeBackups")}

    def copies(row) -> list[tuple[str, dict]]:
        return [(r, rec) for r, k, rec in items[row.boot_volume_id] if k == "backup_copy"]

    def chain(copy: dict) -> list[tuple[str, dict]]:
        """The copy's links back to the last one present (any state)."""
        out = []
        while copy.get("sourceBootVolumeBackupId") in backups:
            out.append(backups[copy["sourceBootVolumeBackupId"]])
            copy = out[-1][1]
        return out

    for row in _rows(truth, "copy_in_wrong_region").itertuples():
        # fresh AVAILABLE copies exist, just not in the required region
        assert any(r != row.required_destination and c["lifecycleState"] == "AVAILABLE" for r, c in copies(row))
    for row in _rows(truth, "late_copy_of_old_backup").itertuples():
        assert any(as_of - _time(c["timeCreated"]) < week for _, c in copies(row))
    route = {name: load_spec()["scenario_options"][name]["route"] for name in
             ("chain_fresh", "chain_old_backup", "chain_back_home", "chain_terminated_middle")}
    for scenario, path in route.items():
        for row in _rows(truth, scenario).itertuples():
            assert row.region == path[0]
            ends = [(r, c) for r, c in copies(row) if r == path[-1] and c["lifecycleState"] == "AVAILABLE"]
            assert ends, (scenario, row.boot_volume_id)
            links = chain(ends[-1][1])
            if scenario == "chain_old_backup":  # the copy of a copy: the last copy is new, the root old
                assert [r for r, _ in links] == path[1::-1]
                assert as_of - _time(ends[-1][1]["timeCreated"]) < pd.Timedelta(days=1)
                assert as_of - _time(links[0][1]["timeCreated"]) < week < as_of - _time(links[-1][1]["timeCreated"])
            elif scenario == "chain_back_home":  # copied away and back; the copy away deleted
                assert ends[-1][0] == row.region
                assert not links or (links[0][1]["lifecycleState"] in ("TERMINATING", "TERMINATED")
                                     and links[-1][0] == row.region)
            else:  # the chain reaches a fresh root, through a TERMINATED middle link for one scenario
                assert [r for r, _ in links] == path[1::-1] and as_of - _time(links[-1][1]["timeCreated"]) < week
                middle = links[0][1]["lifecycleState"]
                assert middle == ("TERMINATED" if scenario == "chain_terminated_middle" else "AVAILABLE")
    back_home = _rows(truth, "chain_back_home")
    assert {bool(chain(c)) for row in back_home.itertuples() for r, c in copies(row) if r == row.region} == {
        True, False}, "one copy back home still links to its deleted copy away, one links to nothing"
    for row in _rows(truth, "moved_copy").itertuples():
        assert any(c["compartmentId"] != row.compartment_id and c["lifecycleState"] == "AVAILABLE"
                   for _, c in copies(row))
    for row in _rows(truth, "retention_locked_copy").itertuples():
        assert any(c.get("isRetentionLockEnabled") and c.get("isPreventDeletionEnabled") for _, c in copies(row))
    for row in _rows(truth, "copy_expiring").itertuples():
        assert row.required_destination != "any"
        assert all(_time(c["expirationTime"]) - as_of <= pd.Timedelta(days=3) for _, c in copies(row))
    replicas = {"replica_cross_ad": ("AVAILABLE", True), "replica_faulty": ("FAULTY", False),
                "replica_lagging": ("AVAILABLE", False), "replica_only": ("AVAILABLE", False)}
    for scenario, (state, same_region) in replicas.items():
        for row in _rows(truth, scenario).itertuples():
            reps = [(r, rec) for r, k, rec in items[row.boot_volume_id] if k == "replica"]
            assert [(r == row.region, rec["lifecycleState"]) for r, rec in reps] == [(same_region, state)]
            lag = as_of - _time(reps[0][1]["timeLastSynced"])
            assert (lag > week) == (scenario == "replica_lagging") or scenario == "replica_faulty"
    for row in _rows(truth, "policy_to_subscribing_region").itertuples():
        assert row.required_destination in {s["regionName"] for s in doc["regionSubscriptions"]
                                            if s["status"] == "IN_PROGRESS"}
    for scenario in ("inactive_compartment", "deleting_compartment"):
        states = {c["id"]: c["lifecycleState"] for c in doc["compartments"]}
        assert {states[c] for c in _rows(truth, scenario)["compartment_id"]} == {
            scenario.split("_")[0].upper()}
    assert set(_rows(truth, "ineligible_with_replica")["image_kind"]) == {"marketplace"}


def test_oracle_columns_say_how_each_volume_is_protected(doc, truth):
    """Per scenario, what protects it (rule book section 7), and when coverage lapses."""
    as_of = _time(doc["asOf"])
    covered_by = _per_scenario(truth, "expected_covered_by")
    for scenario, kinds in {"group_copy": {"group_backup_copy"}, "group_replica": {"replica"},
                            "replica_only": {"replica"}, "ineligible_with_replica": {"replica"},
                            "chain_fresh": {"backup_copy"}, "policy_copy": {"backup_copy"},
                            "replica_and_copy": {"backup_copy,replica"}}.items():
        assert covered_by[scenario] == kinds, scenario
    source = _per_scenario(truth, "requirement_source")
    assert source["group_copy"] == source["group_joined_late"] == {"group_policy"}
    assert source["policy_copy"] == source["policy_to_subscribing_region"] == {"volume_policy"}
    assert source["group_copy_stopped"] == source["replica_only"] == {"any"}
    assert set(truth.loc[truth["expected_cross_ad_replica"].fillna(False), "scenario"]) == {"replica_cross_ad"}
    assert set(truth.loc[truth["expected_volume_group_id"].fillna("") != "", "scenario"]) == {
        "group_copy", "group_copy_stopped", "group_replica", "group_joined_late"}
    # protection: AVAILABLE items outside the home region, whatever their age
    protection = _per_scenario(truth, "expected_protection")
    assert protection["chain_old_backup"] == {"backup_copy"} and protection["group_copy_stopped"] == {
        "group_backup_copy"}
    assert protection["replica_lagging"] == {"replica"} and protection["chain_back_home"] == {""}
    assert protection["replica_cross_ad"] == protection["replica_faulty"] == {""}
    # protected_until: only for covered volumes, after as_of and within one RPO (data no older than it)
    covered = truth["expected_status"] == "covered"
    until = truth.loc[covered, "expected_protected_until"]
    assert until.notna().all() and (until > as_of).all() and (until <= as_of + pd.Timedelta(days=7)).all()
    assert truth.loc[~covered, "expected_protected_until"].isna().all()
    # copies that expire within the week decide when the copy_expiring volumes lapse: before the RPO would
    expiring = _rows(truth, "copy_expiring")
    assert (expiring["expected_copy_expires_at"] <= as_of + pd.Timedelta(days=3)).all()
    assert (expiring["expected_protected_until"] == expiring["expected_copy_expires_at"]).all()
    lapsing = truth[covered & (truth["expected_copy_expires_at"] <= as_of + pd.Timedelta(days=7))]
    assert set(expiring["boot_volume_id"]) <= set(lapsing["boot_volume_id"])
    manual = truth[covered & truth["scenario"].isin(["manual_copy", "replica_only", "chain_fresh"])]
    assert manual["expected_copy_expires_at"].isna().all()  # manual copies and replicas do not expire


def test_accept_restricts_the_kinds_that_count(doc, truth):
    """Rule book section 0: accepting fewer kinds never adds a covered volume; --accept copy turns a
    replica-only volume missing, group-protected ones too; the protection column ignores accept."""
    default = truth.set_index("boot_volume_id")
    covered = set(default.index[default["expected_status"] == "covered"])
    for accept in (["copy"], ["group_copy"], ["replica"], ["copy", "group_copy"], ["copy", "replica"], []):
        restricted = demo_truth(doc, accept=accept).set_index("boot_volume_id")
        now = set(restricted.index[restricted["expected_status"] == "covered"])
        assert now <= covered, accept
        kinds = {"copy": "backup_copy", "group_copy": "group_backup_copy", "replica": "replica"}
        wanted = {kinds[a] for a in accept}
        assert all(set(k.split(",")) <= wanted for k in restricted.loc[list(now), "expected_covered_by"])
        assert (restricted["expected_protection"] == default["expected_protection"]).all()
        assert (restricted["scenario_status"] == default["scenario_status"]).all()
    by = _per_scenario(demo_truth(doc, accept=["copy"]), "expected_status")
    assert by["replica_only"] == by["group_copy"] == by["group_replica"] == {"missing"}
    assert by["ineligible_with_replica"] == {"ineligible"}
    assert by["policy_copy"] == by["replica_and_copy"] == {"covered"}
    assert set(demo_truth(doc, accept=[])["expected_status"]) & {"covered"} == set()


def test_every_scenario_has_a_status_and_volumes(doc, truth):
    spec = load_spec()
    assert set(spec["scenarios"]) == set(SCENARIO_STATUS)
    assert set(truth["scenario"]) == set(SCENARIO_STATUS)
    assert truth.groupby("scenario").size().to_dict() == {k: int(v) for k, v in spec["scenarios"].items()}


def test_the_oracle_on_a_document_written_by_hand():
    """The oracle on the fake's own protection fixture (tests/sim_fixtures.py), verdicts derived by hand
    from that file: a group backup copy covers its members where the GROUP's policy copies; a
    cross-AD replica protects nothing; a replica synced 3 days ago is fresh (RPO 7); a FAULTY one fails."""
    from sim_fixtures import (BV, BV_IAD, IMG_COMMUNITY, IMG_CUSTOM, IMG_CUSTOM2, IMG_DELETED, IMG_IMPORTED,
                              IMG_MARKET, IMG_PLATFORM, build_protection_tenancy)

    kinds = {IMG_PLATFORM: "platform", IMG_CUSTOM: "custom_from_platform", IMG_CUSTOM2: "custom_from_platform",
             IMG_IMPORTED: "custom_imported", IMG_MARKET: "marketplace", IMG_COMMUNITY: "community",
             IMG_DELETED: "unknown"}
    got = assess_document(build_protection_tenancy(), kinds)
    status = {vid: v if isinstance(v, str) else v.status for vid, v in got.items()}
    assert status == {
        BV["platform"]: "stale",  # the Frankfurt copy is of a backup 12 days old
        BV["custom"]: "covered",  # replica in Ashburn, last synced 3 days ago
        BV["imported"]: "ineligible", BV["market"]: "ineligible", BV["community"]: "ineligible",
        BV["deleted"]: "unknown", BV["secret"]: NOT_VISIBLE,
        BV["app"]: "failed",  # only a FAULTY replica
        BV["db1"]: "covered", BV["db2"]: "covered",  # the group copy of 2026-10-25T02:00
        BV["legacy"]: "missing",  # INACTIVE compartment: assessed like any other
        BV_IAD: "missing",
    }
    web, db1, db2 = got[BV["platform"]], got[BV["db1"]], got[BV["db2"]]
    assert web.cross_ad_replica and web.required == "eu-frankfurt-1" and web.protection == "backup_copy"
    assert (db1.requirement_source, db1.required, db1.covered_by) == (
        "group_policy", "eu-frankfurt-1", "group_backup_copy,replica")
    assert db2.covered_by == "group_backup_copy" and db2.copy_expires_at is None
    assert db2.protected_until == _time("2026-11-01T02:00:00Z")  # root group backup + 7 days
    assert db1.protected_until == _time("2026-11-07T23:50:00Z")  # the replica synced at 23:50
    assert got[BV["custom"]].covered_by == "replica" and got[BV["custom"]].requirement_source == "any"
    assert KINDS == ("backup_copy", "group_backup_copy", "replica")


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
        validate_document(d)


def test_history_evolves_groups_replicas_regions_and_compartments():
    """Month to month: a group backup copy keeps its OCID and times, groups keep their OCIDs and gain no
    stranger, healthy replicas keep syncing (a lagging one stops), the region being subscribed and the
    compartments leaving ACTIVE appear only at the end."""
    history = build_history(months=3)
    (_, first), (_, middle), (_, last) = history
    for earlier, later in ((first, middle), (middle, last)):
        before = {g["id"]: g for _, g in _all(earlier, "volumeGroupBackups")}
        after = {g["id"]: g for _, g in _all(later, "volumeGroupBackups")}
        common = before.keys() & after.keys()
        assert any("sourceVolumeGroupBackupId" in after[k] for k in common)
        for k in common:
            assert (before[k]["timeCreated"], before[k]["volumeBackupIds"]) == (after[k]["timeCreated"],
                                                                                after[k]["volumeBackupIds"])
        groups_before = {g["id"]: set(g["volumeIds"]) for _, g in _all(earlier, "volumeGroups")}
        groups_after = {g["id"]: set(g["volumeIds"]) for _, g in _all(later, "volumeGroups")}
        assert groups_before.keys() == groups_after.keys()
        assert all(groups_before[k] <= groups_after[k] for k in groups_before)
    for at, d in history:
        as_of = _time(d["asOf"])
        scenario = {r["bootVolumeId"]: r["scenario"] for r in d["_truth"]["bootVolumes"]}
        for _, rep in _all(d, "bootVolumeReplicas"):
            lag = as_of - _time(rep["timeLastSynced"])
            if scenario[rep["bootVolumeId"]] in ("replica_only", "replica_cross_ad", "group_replica"):
                assert lag < pd.Timedelta(minutes=15), (at, rep["id"])
        states = {c["name"]: c["lifecycleState"] for c in d["compartments"]}
        subscribing = [s for s in d["regionSubscriptions"] if s["status"] == "IN_PROGRESS"]
        if d is last:
            assert (states["Legacy-Apps"], states["Sunset"], len(subscribing)) == ("INACTIVE", "DELETING", 1)
        else:
            assert (states["Legacy-Apps"], states["Sunset"], len(subscribing)) == ("ACTIVE", "ACTIVE", 0)
            assert all(p.get("destinationRegion") != "eu-zurich-1" for _, p in _all(d, "volumeBackupPolicies"))
    late = {r["bootVolumeId"] for r in last["_truth"]["bootVolumes"] if r["scenario"] == "group_joined_late"}
    assert late and not late & {i for _, g in _all(middle, "volumeGroups") for i in g["volumeIds"]}


def test_history_rejects_zero_months():
    with pytest.raises(InputError, match="months"):
        build_history(months=0)


# --------------------------------------------------------------------------------------------
# Spec and scaled tenancy
# --------------------------------------------------------------------------------------------
def test_packaged_spec_loads_and_bad_paths_are_clear_errors(tmp_path):
    spec = load_spec()
    assert 300 <= sum(spec["scenarios"].values()) <= 360
    with pytest.raises(InputError, match="does not exist"):
        load_spec(tmp_path / "nope.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[tenancy\n")
    with pytest.raises(InputError, match="not valid TOML"):
        build_demo_tenancy(spec=bad)
    with pytest.raises(InputError, match="not a timestamp"):
        build_demo_tenancy(as_of="yesterday-ish")
    packaged = (ROOT / "reportkit" / "sim" / "data" / "demo_tenancy.toml").read_text()
    for edit, message in ((("route = [\"us-ashburn-1\",", "route = [\"mars-1\","), "route region 'mars-1'"),
                          (("move_to = \"DR/Prod-Standby\"", "move_to = \"DR/Nope\""), "not a compartment path"),
                          (("joins = \"group_copy\"", "joins = \"chain_fresh\""), "not a scenario with group_size"),
                          (("lock_days = 14", "lock_dayz = 14"), "unknown options")):
        assert edit[0] in packaged, edit
        variant = tmp_path / "variant.toml"
        variant.write_text(packaged.replace(edit[0], edit[1], 1))
        with pytest.raises(InputError, match=message):
            load_spec(variant)


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

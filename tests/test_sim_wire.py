"""The fake cannot drift from the wire format: every JSON key it serves is in the SDK model's
attribute_map (recursively for nested models), and the SDK reads every enum value it serves."""
from __future__ import annotations

import json
import re
import urllib.request
from typing import Any

import oci
import pytest
from sim_fixtures import (
    BKP, COPY_FRA, DEV, FRA, IAD, LHR, VGB, build_fixture_tenancy, build_protection_tenancy, build_restorable_tenancy,
)

_LOOKALIKE_SIGNATURE = 'Signature version="1",keyId="t/u/f",algorithm="rsa-sha256",headers="date",signature="x"'
_PRIMITIVES = {"str", "int", "float", "bool", "object", "datetime", "date"}


def _model_class(package: Any, name: str, data: Any) -> type | None:
    cls = getattr(package.models, name, None)
    if cls is None or not hasattr(cls, "get_subtype") and not hasattr(cls(), "attribute_map"):
        return None
    if hasattr(cls, "get_subtype") and isinstance(data, dict):
        cls = getattr(package.models, cls.get_subtype(data), cls)
    return cls


def wire_problems(data: Any, type_name: str, package: Any, where: str) -> list[str]:
    """Return every key of ``data`` that the SDK type ``type_name`` does not declare (recursively)."""
    if type_name in _PRIMITIVES or data is None:
        return []
    found = re.fullmatch(r"list\[(.+)\]", type_name)
    if found:
        return [p for i, item in enumerate(data) for p in wire_problems(item, found.group(1), package, f"{where}[{i}]")]
    found = re.fullmatch(r"dict\(str, (.+)\)", type_name)
    if found:
        return [p for k, v in data.items() for p in wire_problems(v, found.group(1), package, f"{where}.{k}")]
    cls = _model_class(package, type_name, data)
    if cls is None:  # an enum or a str alias such as PricingTypeEnum
        return []
    model = cls()
    json_to_attr = {v: k for k, v in model.attribute_map.items()}
    problems = []
    if not isinstance(data, dict):
        return [f"{where}: expected a {type_name} object, got {type(data).__name__}"]
    for key, value in data.items():
        if key not in json_to_attr:
            problems.append(f"{where}.{key} is not in {cls.__name__}.attribute_map")
            continue
        if isinstance(value, str):
            # the SDK's setters map enum values they do not know to UNKNOWN_ENUM_VALUE
            setattr(model, json_to_attr[key], value)
            if getattr(model, json_to_attr[key]) == "UNKNOWN_ENUM_VALUE":
                problems.append(f"{where}.{key}={value!r} is not an allowed {cls.__name__} value")
        problems += wire_problems(value, model.swagger_types[json_to_attr[key]], package, f"{where}.{key}")
    return problems


def _get(sim: Any, path: str, body: Any = None) -> Any:
    req = urllib.request.Request(sim.url + path, data=None if body is None else json.dumps(body).encode(),
                                 method="GET" if body is None else "POST",
                                 headers={"authorization": _LOOKALIKE_SIGNATURE, "content-type": "application/json"})
    with urllib.request.urlopen(req, timeout=5) as resp:
        return json.load(resp)


def served_payloads(sim: Any, doc: dict[str, Any]) -> list[tuple[str, Any, str, Any]]:
    """(where, payload, SDK type, SDK package) for every kind of payload the fake serves for ``doc``."""
    tenancy = doc["tenancy"]["id"]
    regions = [s["regionName"] for s in doc["regionSubscriptions"] if s.get("status", "READY") == "READY"]
    readable = [tenancy] + [c["id"] for c in doc.get("compartments", [])
                            if c["id"] not in doc.get("access", {}).get("deniedCompartments", [])
                            and c.get("lifecycleState") != "DELETED"]
    out: list[tuple[str, Any, str, Any]] = []
    idn, core = oci.identity, oci.core
    v = "/" + regions[0] + "/20160918"
    out.append(("GetTenancy", _get(sim, f"{v}/tenancies/{tenancy}"), "Tenancy", idn))
    out.append(("ListRegionSubscriptions", _get(sim, f"{v}/tenancies/{tenancy}/regionSubscriptions"),
                "list[RegionSubscription]", idn))
    out.append(("ListCompartments", _get(sim, f"{v}/compartments?compartmentId={tenancy}"
                                            "&compartmentIdInSubtree=true&limit=1000"), "list[Compartment]", idn))
    for region in regions:
        v = f"/{region}/20160918"
        ads = _get(sim, f"{v}/availabilityDomains?compartmentId={tenancy}")
        out.append((f"ListAvailabilityDomains {region}", ads, "list[AvailabilityDomain]", idn))
        for cid in readable:
            out.append((f"ListPolicies {cid}", _get(sim, f"{v}/policies?compartmentId={cid}&limit=1000"),
                        "list[Policy]", idn))
            for what, path, kind in (("ListBootVolumeBackups", "bootVolumeBackups", "BootVolumeBackup"),
                                     ("ListBootVolumes", "bootVolumes", "BootVolume"),
                                     ("ListImages", "images", "Image"),
                                     ("ListVolumeBackupPolicies", "volumeBackupPolicies", "VolumeBackupPolicy"),
                                     ("ListVolumeGroups", "volumeGroups", "VolumeGroup"),
                                     ("ListVolumeGroupBackups", "volumeGroupBackups", "VolumeGroupBackup"),
                                     ("ListBootVolumeReplicas", "bootVolumeReplicas", "BootVolumeReplica")):
                out.append((f"{what} {region} {cid}", _get(sim, f"{v}/{path}?compartmentId={cid}&limit=1000"),
                            f"list[{kind}]", core))
            for ad in ads:
                out.append((f"ListVolumeGroupReplicas {region} {ad['name']} {cid}",
                            _get(sim, f"{v}/volumeGroupReplicas?availabilityDomain={ad['name']}&compartmentId={cid}"),
                            "list[VolumeGroupReplica]", core))
        out.append((f"ListVolumeBackupPolicies {region}", _get(sim, f"{v}/volumeBackupPolicies?limit=1000"),
                    "list[VolumeBackupPolicy]", core))
        for image in doc.get("images", {}).get(region, []):
            out.append((f"GetImage {image['id']}", _get(sim, f"{v}/images/{image['id']}"), "Image", core))
        for section, path, kind in (("volumeGroups", "volumeGroups", "VolumeGroup"),
                                    ("volumeGroupBackups", "volumeGroupBackups", "VolumeGroupBackup"),
                                    ("bootVolumeReplicas", "bootVolumeReplicas", "BootVolumeReplica"),
                                    ("volumeGroupReplicas", "volumeGroupReplicas", "VolumeGroupReplica")):
            for item in doc.get(section, {}).get(region, []):
                if item["compartmentId"] in readable:
                    out.append((f"Get{kind} {item['id']}", _get(sim, f"{v}/{path}/{item['id']}"), kind, core))
        assets = doc.get("bootVolumes", {}).get(region, []) + doc.get("volumeGroups", {}).get(region, [])
        for asset in assets:
            if asset["compartmentId"] in readable:
                out.append((f"GetVolumeBackupPolicyAssetAssignment {asset['id']}",
                            _get(sim, f"{v}/volumeBackupPolicyAssignments?assetId={asset['id']}"),
                            "list[VolumeBackupPolicyAssignment]", core))
        for query in ("query bootvolumebackup resources", "query bootvolume resources"):
            out.append((f"SearchResources {region} {query}",
                        _get(sim, f"/{region}/20180409/resources?limit=1000", {"type": "Structured", "query": query}),
                        "ResourceSummaryCollection", oci.resource_search))
        out.append((f"ListListings {region}", _get(sim, f"/{region}/20181001/listings?limit=1000"),
                    "list[ListingSummary]", oci.marketplace))
        out += _restorability_payloads(sim, doc, region, readable, ads)
    return out


def _restorability_payloads(sim: Any, doc: dict[str, Any], region: str, readable: list[str],
                            ads: list[dict[str, Any]]) -> list[tuple[str, Any, str, Any]]:
    """Shapes, image shape compatibility, vaults and keys (issue 19) served for ``region``."""
    core, kms, tenancy = oci.core, oci.key_management, doc["tenancy"]["id"]
    v = f"/{region}/20160918"
    out: list[tuple[str, Any, str, Any]] = [
        (f"ListShapes {region}", _get(sim, f"{v}/shapes?compartmentId={tenancy}&limit=1000"), "list[Shape]", core)]
    for ad in ads:
        out.append((f"ListShapes {region} {ad['name']}", _get(sim, f"{v}/shapes?compartmentId={tenancy}"
                                                                  f"&availabilityDomain={ad['name']}"), "list[Shape]", core))
    for image in doc.get("images", {}).get(region, []):
        if image.get("compartmentId") in readable or not image.get("compartmentId"):
            entries = _get(sim, f"{v}/images/{image['id']}/shapes?limit=1000")
            out.append((f"ListImageShapeCompatibilityEntries {image['id']}", entries,
                        "list[ImageShapeCompatibilitySummary]", core))
            out.append((f"GetImageShapeCompatibilityEntry {image['id']}",
                        _get(sim, f"{v}/images/{image['id']}/shapes/{entries[0]['shape']}"),
                        "ImageShapeCompatibilityEntry", core))
    denied_vaults = set(doc.get("access", {}).get("deniedVaults", []))
    for cid in readable:
        vaults = _get(sim, f"/{region}/20180608/vaults?compartmentId={cid}&limit=1000")
        out.append((f"ListVaults {region} {cid}", vaults, "list[VaultSummary]", kms))
        for vault in vaults:
            out.append((f"GetVault {vault['id']}", _get(sim, f"/{region}/20180608/vaults/{vault['id']}"), "Vault", kms))
            if vault["id"] in denied_vaults or vault["lifecycleState"] == "DELETED":
                continue
            management = vault["managementEndpoint"].removeprefix(sim.url)
            for key_cid in readable:
                keys = _get(sim, f"{management}/20180608/keys?compartmentId={key_cid}&limit=1000")
                out.append((f"ListKeys {vault['id']} {key_cid}", keys, "list[KeySummary]", kms))
                out += [(f"GetKey {k['id']}", _get(sim, f"{management}/20180608/keys/{k['id']}"), "Key", kms)
                        for k in keys]
    return out


def _check(sim: Any, doc: dict[str, Any]) -> None:
    payloads = served_payloads(sim, doc)
    problems = [p for where, data, kind, pkg in payloads for p in wire_problems(data, kind, pkg, where)]
    assert problems == []
    assert any(data for where, data, kind, _ in payloads if where.startswith("ListBootVolumeBackups"))


def test_every_served_field_is_in_the_sdk_models_fixture_tenancy(sim, oci_config):
    from sim_fixtures import client
    storage = client(oci.core.BlockstorageClient, oci_config, sim)
    copy = storage.copy_boot_volume_backup(
        BKP["platform"], oci.core.models.CopyBootVolumeBackupDetails(destination_region=FRA)).data
    assert copy.id
    _check(sim, build_fixture_tenancy())


def test_every_served_field_is_in_the_sdk_models_protection_tenancy(sim, oci_config):
    """Volume groups, group backups and their copies, replicas, ADs, compartments in every state."""
    from sim_fixtures import client
    doc = build_protection_tenancy()
    sim.load(doc)
    fra = client(oci.core.BlockstorageClient, oci_config, sim, FRA)
    group_copy = _get(sim, f"/{LHR}/20160918/volumeGroupBackups/{VGB['db']}/actions/copy",
                      {"destinationRegion": IAD})
    assert wire_problems(group_copy, "VolumeGroupBackup", oci.core, "CopyVolumeGroupBackup") == []
    assert group_copy["sourceVolumeGroupBackupId"] == VGB["db"]
    onward = fra.copy_boot_volume_backup(COPY_FRA, oci.core.models.CopyBootVolumeBackupDetails(destination_region=IAD))
    assert onward.data.id
    sim.advance(3600)
    fra.change_boot_volume_backup_compartment(
        COPY_FRA, oci.core.models.ChangeBootVolumeBackupCompartmentDetails(compartment_id=DEV))
    payloads = served_payloads(sim, doc)
    problems = [p for where, data, kind, pkg in payloads for p in wire_problems(data, kind, pkg, where)]
    assert problems == []
    served = {where.split()[0] for where, data, _, _ in payloads if data}
    assert served >= {"ListVolumeGroups", "ListVolumeGroupBackups", "ListBootVolumeReplicas", "ListVolumeGroupReplicas",
                      "GetVolumeGroup", "GetVolumeGroupBackup", "GetBootVolumeReplica", "GetVolumeGroupReplica",
                      "ListAvailabilityDomains", "ListCompartments"}
    # the copies made above are served too (the document only names what was loaded)
    iad = [data for where, data, _, _ in payloads if where.startswith(f"ListVolumeGroupBackups {IAD}")]
    assert any(b["id"] == group_copy["id"] for page in iad for b in page)


def test_every_served_field_is_in_the_sdk_models_restorable_tenancy(sim):
    """Shapes per region and AD, compatibility entries, vaults (with the endpoints the fake fills in), keys."""
    doc = build_restorable_tenancy()
    sim.load(doc)
    payloads = served_payloads(sim, doc)
    assert [p for where, data, kind, pkg in payloads for p in wire_problems(data, kind, pkg, where)] == []
    served = {where.split()[0] for where, data, _, _ in payloads if data}
    assert served >= {"ListShapes", "ListImageShapeCompatibilityEntries", "GetImageShapeCompatibilityEntry",
                      "ListVaults", "GetVault", "ListKeys", "GetKey"}
    got_keys = {data["id"]: data["lifecycleState"] for where, data, _, _ in payloads if where.startswith("GetKey ")}
    assert set(got_keys.values()) == {"ENABLED", "DISABLED", "PENDING_DELETION"}
    doc["keys"][FRA][0]["algorithm"] = "AES"  # a KeySummary field: ListKeys may serve it, GetKey (Key) may not
    sim.load(doc)
    problems = [p for where, data, kind, pkg in served_payloads(sim, doc) for p in wire_problems(data, kind, pkg, where)]
    assert problems and all("GetKey" in p and ".algorithm is not in Key.attribute_map" in p for p in problems)


def test_the_checker_catches_a_drifted_field(sim):
    doc = build_fixture_tenancy()
    doc["bootVolumeBackups"][LHR][0]["backupProgress"] = 50  # a PCA-only field, not OCI
    doc["bootVolumes"][LHR][0]["bootVolumeReplicas"][0]["replicaState"] = "X"
    sim.load(doc)
    problems = [p for where, data, kind, pkg in served_payloads(sim, doc) for p in wire_problems(data, kind, pkg, where)]
    assert any("backupProgress" in p for p in problems)
    assert any("replicaState" in p for p in problems)


_SECTION_TYPES = {
    "tenancy": ("Tenancy", oci.identity), "regionSubscriptions": ("RegionSubscription", oci.identity),
    "compartments": ("Compartment", oci.identity), "policies": ("Policy", oci.identity),
    "marketplaceListings": ("ListingSummary", oci.marketplace), "images": ("Image", oci.core),
    "bootVolumes": ("BootVolume", oci.core), "bootVolumeBackups": ("BootVolumeBackup", oci.core),
    "volumeBackupPolicies": ("VolumeBackupPolicy", oci.core),
    "volumeBackupPolicyAssignments": ("VolumeBackupPolicyAssignment", oci.core),
    "volumeGroups": ("VolumeGroup", oci.core), "volumeGroupBackups": ("VolumeGroupBackup", oci.core),
    "bootVolumeReplicas": ("BootVolumeReplica", oci.core), "volumeGroupReplicas": ("VolumeGroupReplica", oci.core),
    "vaults": ("Vault", oci.key_management), "keys": ("Key", oci.key_management), "shapes": ("Shape", oci.core),
    "imageShapeCompatibility": ("ImageShapeCompatibilityEntry", oci.core),
}


def test_every_record_of_the_demo_tenancy_is_in_the_sdk_models():
    """The fake serves document records as they are (minus private keys), so checking the records
    covers the demo; the served path itself is checked on the fixture tenancy above."""
    from reportkit.sim.documents import iter_models
    from reportkit.sim.models import Record

    demo = pytest.importorskip("reportkit.sim.demo")
    for doc in (demo.build_demo_tenancy(), build_protection_tenancy(), build_restorable_tenancy()):
        problems = []
        for section, record in iter_models(doc):
            kind, package = _SECTION_TYPES[section]
            problems += wire_problems(Record(record).to_dict(), kind, package, f"{section}:{record.get('id')}")
        assert problems == []

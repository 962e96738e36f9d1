"""Tenancy documents: loading one by name or file, and validation that names what is wrong and where."""
from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from sim_fixtures import (
    A1, BKP, BV, E4, FRA, GONE, IAD, IAD_ADS, IMG_CUSTOM, IMG_DELETED, IMG_PLATFORM, KEY, KEY_FRA, LHR, PROD, REP,
    TENANCY, VAULT, VG, VGB, build_fixture_tenancy, build_protection_tenancy, build_restorable_tenancy,
)

from reportkit.errors import InputError
from reportkit.sim.documents import ad_region, empty_document, iter_models, load_document, validate_document
from reportkit.sim.models import SimBackend


def _find(doc: dict, section: str, region: str, ocid: str) -> dict:
    return next(i for i in doc[section][region] if i["id"] == ocid)


def test_the_fixture_empty_and_demo_documents_are_valid():
    for doc in (empty_document(), build_fixture_tenancy(), build_protection_tenancy(), load_document("demo")):
        validate_document(doc)
    sections = {section for section, _ in iter_models(build_protection_tenancy())}
    assert {"volumeGroups", "volumeGroupBackups", "bootVolumeReplicas", "volumeGroupReplicas"} <= sections


def test_load_document_reads_a_file_and_names_a_bad_one(tmp_path):
    good = tmp_path / "t.json"
    good.write_text(json.dumps(build_fixture_tenancy()))
    assert load_document(str(good))["tenancy"]["id"] == build_fixture_tenancy()["tenancy"]["id"]
    with pytest.raises(InputError, match="no such file"):
        load_document(str(tmp_path / "missing.json"))
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(InputError, match="not a readable JSON file"):
        load_document(str(bad))


def _set(section: str, region: str, ocid: str, **fields: Any) -> Callable[[dict], None]:
    return lambda doc: _find(doc, section, region, ocid).update(fields)


def _drop(section: str, region: str, ocid: str, field: str) -> Callable[[dict], None]:
    return lambda doc: _find(doc, section, region, ocid).pop(field)


def _status(region: str, **fields: Any) -> Callable[[dict], None]:
    return lambda doc: next(s for s in doc["regionSubscriptions"] if s["regionName"] == region).update(fields)


BROKEN: dict[str, tuple[Callable[[dict], None], str]] = {
    "scheduled backup without expiry": (_drop("bootVolumeBackups", LHR, BKP["platform"], "expirationTime"),
                                        "no expirationTime"),
    "scheduled group backup without expiry": (_drop("volumeGroupBackups", LHR, VGB["db"], "expirationTime"),
                                              "no expirationTime"),
    "unknown backup state": (_set("bootVolumeBackups", LHR, BKP["platform"], lifecycleState="GONE"),
                             "lifecycleState"),
    "COMMITTED on a boot volume backup": (_set("bootVolumeBackups", LHR, BKP["platform"], lifecycleState="COMMITTED"),
                                          "lifecycleState"),
    "bad time": (_set("bootVolumeBackups", LHR, BKP["platform"], expirationTime="next week"), "RFC3339"),
    "retention flag not a boolean": (_set("volumeGroupBackups", LHR, VGB["db"], isRetentionLockEnabled="yes"),
                                     "true or false"),
    "member naming a missing group backup": (_set("bootVolumeBackups", LHR, BKP["custom"],
                                                  volumeGroupBackupId=VGB["db"]), "volumeBackupIds"),
    "group without volumeIds": (_drop("volumeGroups", LHR, VG, "volumeIds"), "needs volumeIds"),
    "replica without timeLastSynced": (_drop("bootVolumeReplicas", FRA, REP["db1_fra"], "timeLastSynced"),
                                       "needs timeLastSynced"),
    "replica of an unknown volume": (_set("bootVolumeReplicas", FRA, REP["db1_fra"], bootVolumeId="ocid1.x"),
                                     "not in bootVolumes"),
    "replica in another region's AD": (_set("bootVolumeReplicas", IAD, REP["api_iad_lagging"],
                                            availabilityDomain="Uocm:EU-FRANKFURT-1-AD-1"),
                                       "not an availability domain of us-ashburn-1"),
    "volume outside the declared ADs": (_set("bootVolumes", LHR, BV["db1"], availabilityDomain="Uocm:UK-LONDON-1-AD-9"),
                                        "not an availability domain of uk-london-1"),
    "bad sync interval": (_set("bootVolumeReplicas", FRA, REP["db1_fra"], _syncIntervalSeconds=0),
                          "_syncIntervalSeconds"),
    "unknown subscription status": (_status(FRA, status="PENDING"), "status must be one of"),
    "readyAt on a READY subscription": (_status(FRA, _readyAt="2026-11-02T00:00:00Z"), "IN_PROGRESS"),
    "resource in a DELETED compartment": (_set("bootVolumes", LHR, BV["db2"], compartmentId=GONE),
                                          "DELETED compartment"),
    "live compartment inside a DELETED one": (
        lambda doc: next(c for c in doc["compartments"] if c["id"] == PROD).update(compartmentId=GONE),
        "inside DELETED compartment"),
    "unknown compartment state": (
        lambda doc: next(c for c in doc["compartments"] if c["id"] == PROD).update(lifecycleState="ARCHIVED"),
        "lifecycleState must be one of"),
    "availabilityDomains not names": (lambda doc: doc["availabilityDomains"].update({FRA: [1]}), "list of names"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_broken_document_is_refused_with_what_and_where(case):
    breaks, message = BROKEN[case]
    doc = build_protection_tenancy()
    breaks(doc)
    with pytest.raises(InputError, match=message) as err:
        SimBackend(doc)
    assert "\n" not in str(err.value)


def test_ad_names_point_at_their_region():
    subs = build_fixture_tenancy()["regionSubscriptions"]
    assert [ad_region(ad, subs) for ad in ("Uocm:LHR-AD-2", "Uocm:UK-LONDON-1-AD-1", "Uocm:US-ASHBURN-AD-1",
                                           "Uocm:EU-FRANKFURT-1-AD-3", "Uocm:PHX-AD-1")] == [
        LHR, LHR, IAD, FRA, None]


# --- restorability sections (shapes, image shape compatibility, vaults, keys) ----------------------
def _key(doc: dict, region: str, key_id: str) -> dict:
    return next(k for k in doc["keys"][region] if k["id"] == key_id)


BROKEN_RESTORABLE: dict[str, tuple[Callable[[dict], None], str]] = {
    "shape without a name": (lambda doc: doc["shapes"][FRA].append({"ocpus": 1}), "needs a 'shape' name"),
    "shape listed twice": (lambda doc: doc["shapes"][FRA].append({"shape": A1}), "once per region"),
    "shape in another region's AD": (lambda doc: doc["shapes"][FRA][0].update(_availabilityDomains=[IAD_ADS[0]]),
                                     "availability domains of eu-frankfurt-1"),
    "shape with no AD at all": (lambda doc: doc["shapes"][FRA][0].update(_availabilityDomains=[]),
                                "non-empty list"),
    "shapes not objects": (lambda doc: doc["shapes"].update({FRA: ["VM.Standard.A1.Flex"]}), "must be an object"),
    "entry without a shape": (lambda doc: doc["imageShapeCompatibility"][LHR].append({"imageId": IMG_PLATFORM}),
                              "needs an 'imageId' and a 'shape'"),
    "entry twice": (lambda doc: doc["imageShapeCompatibility"][LHR].append({"imageId": IMG_CUSTOM, "shape": E4}),
                    "once per pair"),
    "entry of an image of another region": (
        lambda doc: doc["imageShapeCompatibility"].update({FRA: [{"imageId": IMG_PLATFORM, "shape": A1}]}),
        "not in images.eu-frankfurt-1"),
    "entry of a deleted image": (
        lambda doc: doc["imageShapeCompatibility"][LHR].append({"imageId": IMG_DELETED, "shape": E4}),
        "not in images.uk-london-1"),
    "unknown key state": (lambda doc: _key(doc, FRA, KEY_FRA).update(lifecycleState="REVOKED"), "lifecycleState"),
    "unknown vault type": (lambda doc: doc["vaults"][FRA][0].update(vaultType="CLOUD"), "vaultType"),
    "vault without a type": (lambda doc: doc["vaults"][FRA][0].pop("vaultType"), "needs vaultType"),
    "key without a vault": (lambda doc: _key(doc, FRA, KEY_FRA).pop("vaultId"), "needs vaultId"),
    "key in another region's vault": (lambda doc: _key(doc, FRA, KEY_FRA).update(vaultId=VAULT["iad_prod"]),
                                      "a key lives in a vault of its own region"),
    "key in two regions": (lambda doc: doc["keys"][IAD].append(dict(_key(doc, FRA, KEY_FRA),
                                                                    vaultId=VAULT["iad_prod"])), "keys.us-ashburn-1"),
    "vaultKeys naming another region's key": (lambda doc: doc["vaultKeys"].update({IAD: [KEY_FRA]}),
                                              "a key belongs to one region"),
    "bad timeOfDeletion": (lambda doc: _key(doc, FRA, KEY["fra_pending"]).update(timeOfDeletion="soon"), "RFC3339"),
    "key in a DELETED compartment": (lambda doc: (doc["compartments"].append(
        {"id": GONE, "compartmentId": TENANCY, "name": "gone", "lifecycleState": "DELETED"}),
        _key(doc, FRA, KEY_FRA).update(compartmentId=GONE)), "DELETED compartment"),
    "denied vault unknown": (lambda doc: doc["access"]["deniedVaults"].append("ocid1.vault.oc1..nope"),
                             "access.deniedVaults"),
}


@pytest.mark.parametrize("case", sorted(BROKEN_RESTORABLE))
def test_a_broken_restorability_section_is_refused_with_what_and_where(case):
    breaks, message = BROKEN_RESTORABLE[case]
    doc = build_restorable_tenancy()
    validate_document(doc)
    breaks(doc)
    with pytest.raises(InputError, match=message) as err:
        SimBackend(doc)
    assert "\n" not in str(err.value)


def test_restorability_sections_are_optional_and_iterated():
    validate_document(build_fixture_tenancy())  # no shapes, no vaults: still valid (defaults apply)
    sections = {section for section, _ in iter_models(build_restorable_tenancy())}
    assert {"shapes", "imageShapeCompatibility", "vaults", "keys"} <= sections

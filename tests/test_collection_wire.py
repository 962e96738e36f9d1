"""reportkit.collection.wire: the record shapes are the SDK models' own, and a check keeps what is good.

Plus the property of issue 14: random wrong values in any field of any record type never lose the
snapshot, never lose another record, and never make a volume covered that was not.
"""
from __future__ import annotations

import copy
import importlib
from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reportkit.collection import wire

_MODULES = ("oci.core.models", "oci.identity.models", "oci.marketplace.models", "oci.resource_search.models")
_SDK_TYPES = {wire.STR: "str", wire.TIME: "datetime", wire.INT: "int", wire.BOOL: "bool", wire.STRLIST: "list[str]"}
#: where the SDK says [Required] but OCI sends null (Oracle's platform images have no compartment)
_NOT_REQUIRED_ON_PURPOSE = {("Image", "compartmentId")}


def _model(name: str) -> Any:
    for module in _MODULES:
        cls = getattr(importlib.import_module(module), name, None)
        if cls is not None:
            return cls
    raise AssertionError(f"no SDK model {name}")


@pytest.mark.parametrize("shape", list(wire.SHAPES.values()), ids=list(wire.SHAPES))
def test_every_shape_is_the_sdk_models_own(shape):
    cls = _model(shape.model)
    instance = cls()
    by_json = {json: attr for attr, json in instance.attribute_map.items()}
    for f in shape.fields:
        assert f.name in by_json, f"{shape.model}.{f.name} is not a field of the SDK model"
        sdk_type = instance.swagger_types[by_json[f.name]]
        if f.kind in _SDK_TYPES:
            assert sdk_type == _SDK_TYPES[f.kind], (shape.model, f.name, sdk_type)
        elif f.kind == wire.OBJLIST:
            assert sdk_type.startswith("list[") and sdk_type != "list[str]", (shape.model, f.name, sdk_type)
        else:
            assert not sdk_type.startswith(("list", "str", "int", "bool", "datetime")), (shape.model, f.name)
        required = "**[Required]**" in (getattr(cls, by_json[f.name]).__doc__ or "")
        if (shape.model, f.name) not in _NOT_REQUIRED_ON_PURPOSE:
            assert f.required == required, f"{shape.model}.{f.name}: the SDK says required={required}"


@pytest.mark.parametrize("kind, good, bad", [
    (wire.STR, "web-1", ["\ud800", 5, ["x"], {"a": 1}, True]),
    (wire.TIME, "2026-11-01T00:00:00.000Z", ["yesterday", "2999-01-01T00:00:00Z", "2026-11-01T00:00:00", 17, ""]),
    (wire.INT, 50, ["fifty", 50.5, True, 10 ** 30, None.__class__]),
    (wire.BOOL, False, ["true", 1, 0.0]),
    (wire.STRLIST, ["a", "b"], ["a", [1], ["\udfff"], [""], {"a": 1}]),
])
def test_a_field_of_the_wrong_kind_is_a_problem_and_none(kind, good, bad):
    shape = wire.Shape("T", (wire.Field("id", wire.STR, True), wire.Field("x", kind, True)))
    assert wire.check(shape, {"id": "r1", "x": good}) == ({"id": "r1", "x": good}, [])
    for value in bad:
        values, problems = wire.check(shape, {"id": "r1", "x": value, "extra": object()})
        assert values == {"id": "r1", "x": None}
        assert [p.field for p in problems] == ["x"] and isinstance(problems[0].raw.encode("utf-8"), bytes)


def test_ints_that_are_whole_floats_are_ints_and_records_without_ids_are_unusable():
    shape = wire.Shape("T", (wire.Field("id", wire.STR, True), wire.Field("n", wire.INT)))
    assert wire.check(shape, {"id": "r", "n": 50.0})[0] == {"id": "r", "n": 50}
    for record in ({"n": 1}, {"id": None}, {"id": ""}, {"id": 7}, ["id"], "id", None):
        values, problems = wire.check(shape, record)
        assert values is None and len(problems) == 1


def _documents() -> Iterator[tuple[str, dict[str, Any]]]:
    from reportkit.sim.demo import build_demo_tenancy
    from sim_fixtures import build_fixture_tenancy, build_protection_tenancy

    yield "fixture", build_fixture_tenancy()
    yield "protection", build_protection_tenancy()
    yield "demo", build_demo_tenancy()


_SECTIONS = {"bootVolumeBackups": wire.BOOT_VOLUME_BACKUP, "bootVolumes": wire.BOOT_VOLUME,
             "volumeGroups": wire.VOLUME_GROUP, "volumeGroupBackups": wire.VOLUME_GROUP_BACKUP,
             "bootVolumeReplicas": wire.BOOT_VOLUME_REPLICA, "volumeGroupReplicas": wire.VOLUME_GROUP_REPLICA,
             "volumeBackupPolicyAssignments": wire.POLICY_ASSIGNMENT, "volumeBackupPolicies": wire.BACKUP_POLICY,
             "images": wire.IMAGE}


@pytest.mark.parametrize("name", ["fixture", "protection", "demo"])
def test_the_fakes_tenancies_pass_every_check(name):
    """A good tenancy gives no problem at all: the checks flag only what OCI would never send."""
    doc = dict(_documents())[name]
    for section, shape in _SECTIONS.items():
        for items in doc.get(section, {}).values():
            for item in items:
                served = {k: v for k, v in item.items() if not k.startswith("_")}
                assert wire.check(shape, served)[1] == [], (section, item.get("id"))
    for item in doc["compartments"]:
        assert wire.check(wire.COMPARTMENT, item)[1] == [], item["id"]
    for item in doc["regionSubscriptions"]:
        assert wire.check(wire.REGION_SUBSCRIPTION, {k: v for k, v in item.items() if not k.startswith("_")})[1] == []


# ------------------------------------------------------------------------------------------- the property
#: the record types of a collection, by the operation that reads them (discovery's own ids excluded:
#: a compartment or subscription without one stops the run by design)
_DAMAGEABLE = {"ListBootVolumeBackups": wire.BOOT_VOLUME_BACKUP, "ListBootVolumes": wire.BOOT_VOLUME,
               "ListVolumeGroups": wire.VOLUME_GROUP, "ListVolumeGroupBackups": wire.VOLUME_GROUP_BACKUP,
               "ListBootVolumeReplicas": wire.BOOT_VOLUME_REPLICA,
               "ListVolumeGroupReplicas": wire.VOLUME_GROUP_REPLICA,
               "GetVolumeBackupPolicyAssetAssignment": wire.POLICY_ASSIGNMENT,
               "GetVolumeBackupPolicy": wire.BACKUP_POLICY, "GetImage": wire.IMAGE, "ListPolicies": wire.IAM_POLICY,
               "ListCompartments": wire.COMPARTMENT}
_WRONG = st.one_of(st.none(), st.booleans(), st.integers(min_value=-(10 ** 20), max_value=10 ** 20),
                   st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=8),
                   st.sampled_from(["\ud800", "2999-01-01T00:00:00Z", "yesterday", "fifty", ""]),
                   st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=2), st.integers(), max_size=1))


@st.composite
def damage(draw: Any) -> list[dict[str, Any]]:
    """One wrong value in one field of every record type, in every record (or every 2nd) of that type."""
    faults = []
    for operation, shape in _DAMAGEABLE.items():
        fields = [f for f in shape.fields if not (operation == "ListCompartments" and f.name == "id")]
        f = draw(st.sampled_from(fields))
        value = draw(_WRONG.filter(lambda v, kind=f.kind: v is None or wire._reason(kind, v) is not None))
        faults.append({"operation": operation, "field": f.name, "value": value,
                       "every": draw(st.sampled_from([1, 1, 2]))})
    return faults


@pytest.fixture(scope="module")
def protection_fake(oci_config_file) -> Iterator[tuple[Any, Any]]:
    from reportkit.assessment import assess
    from reportkit.collection import Tuning, collect
    from reportkit.sim import SimServer
    from sim_fixtures import AS_OF, LHR, POLICY_USER, build_protection_tenancy

    doc = build_protection_tenancy()
    # web-1's policy now copies to Ashburn while its only copy is in Frankfurt: missing, and covered the
    # moment its assignment is lost (the false "covered" of a policy read wrongly)
    next(p for p in doc["volumeBackupPolicies"][LHR] if p["id"] == POLICY_USER)["destinationRegion"] = "us-ashburn-1"
    with SimServer(doc) as sim:
        path, profile = oci_config_file
        run = lambda: collect(profile, config_file=path, endpoint_template=sim.endpoint_template,  # noqa: E731
                              progress=False, tuning=Tuning(backoff_base=0.001, backoff_max=0.002, max_attempts=2))
        reference = run()
        yield sim, run, reference, assess(reference, as_of=AS_OF, rpo_days=30)


@pytest.mark.slow
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(faults=damage())
def test_wrong_values_anywhere_never_lose_the_run_other_records_or_make_anything_covered(protection_fake, faults,
                                                                                        tmp_path_factory):
    from reportkit.assessment import assess
    from reportkit.snapshot import load_snapshot, save_snapshot
    from sim_fixtures import AS_OF

    sim, run, reference, ref_assessment = protection_fake
    sim.reset()
    sim.set_knobs(record_faults=copy.deepcopy(faults))
    inv = run()
    loaded = load_snapshot(save_snapshot(inv, tmp_path_factory.mktemp("damaged")))  # the snapshot is written whole
    assert len(loaded.backups) == len(inv.backups)
    # every record whose id survived is there (only a record whose id was damaged may be missing, and then
    # an errors row says so); a damaged id is never a row
    for name, frame in reference.tables().items():
        if name in ("errors", "images", "compartments", "regions", "iam_policies") or frame.empty:
            continue
        key = frame.columns[0]
        got, want = set(getattr(inv, name)[key].dropna()), set(frame[key])
        assert getattr(inv, name)[key].notna().all(), name
        if not want <= got:
            assert (inv.errors["code"] == "RecordWithoutId").any() or inv.errors["code"].isin(
                ["WrongShape", "BadField", "DamagedRecords"]).any(), (name, want - got)
    # nothing becomes covered that was not
    verdicts = assess(inv, as_of=AS_OF, rpo_days=30).volumes.set_index("boot_volume_id")["coverage_status"].astype(str)
    before = ref_assessment.volumes.set_index("boot_volume_id")["coverage_status"].astype(str)
    newly = [v for v in verdicts.index if verdicts[v] == "covered" and before.get(v) != "covered"]
    assert not newly, (newly, faults)
    assert pd.Series(verdicts.index).isin(before.index).all()

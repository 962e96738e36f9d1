"""reportkit.iam for service subjects: may the Block Volume service use a Vault key? Oracle's sample,
the seed's requirement, the variables the request fixes (and those it does not), properties."""
from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fixtures import iam_examples as ex
from fixtures import iam_properties as props
from reportkit.errors import InputError
from reportkit.iam import (
    CheckStatus,
    IamStatus,
    can_copy,
    can_service_use_key,
    key_use_checker,
    parse_policy,
    suggest_fix,
)
from reportkit.iam.parser import Clause, Location, Principal, Subject, Value

KEY = "ocid1.key.oc1.eu-frankfurt-1.aaaaaaaafrakey"
OTHER_KEY = "ocid1.key.oc1.eu-frankfurt-1.aaaaaaaaotherkey"
KEY_IAD = "ocid1.key.oc1.iad.aaaaaaaaiadkey"
VAULT = "ocid1.vault.oc1.eu-frankfurt-1.aaaaaaaafravault"
ENCRYPT, DECRYPT = "KEY_ENCRYPT", "KEY_DECRYPT"


def _status(policies, **query) -> IamStatus:
    query.setdefault("key_id", KEY)
    return can_service_use_key(policies, **query).status


# --- Oracle's sample and the seed's requirement ---------------------------------------------------
def test_the_common_policies_sample_lets_block_volume_use_that_key_in_that_compartment():
    sample = ex.services_use_key("eu-frankfurt-1", KEY)
    verdict = can_service_use_key([sample], "blockstorage", key_id=KEY, key_compartment="ABC")
    assert verdict.allowed and verdict.status is IamStatus.ALLOWED
    assert {c.permission for c in verdict.checks} == {ENCRYPT, DECRYPT}
    assert all(c.granted_by[0].number == 1 for c in verdict.checks)
    assert verdict.region == "eu-frankfurt-1"  # read from the key OCID
    assert suggest_fix(verdict) == []
    for service in ("oke", "streaming", "objectstorage-eu-frankfurt-1", "BlockStorage"):
        assert _status([sample], service=service, key_compartment="ABC") is IamStatus.ALLOWED


@pytest.mark.parametrize("query", [
    {"key_id": OTHER_KEY, "key_compartment": "ABC"},  # another key
    {"key_id": KEY, "key_compartment": "DEF"},  # another compartment
    {"key_id": KEY, "key_compartment": None},  # the root is above ABC: a policy never reaches up
    {"key_id": KEY, "key_compartment": "ABC", "service": "objectstorage-us-ashburn-1"},  # another service name
    {"key_id": KEY, "key_compartment": "ABC", "service": "fss"},
])
def test_the_sample_grants_nothing_else(query):
    assert _status([ex.services_use_key("eu-frankfurt-1", KEY)], **query) is IamStatus.DENIED


def test_a_tenancy_without_the_service_policy_is_denied_and_the_fix_is_the_sample_narrowed_to_the_key():
    """Seed: Vault-encrypted copies need "a policy that allows the Block Volume service to perform
    cryptographic operations with keys in the destination region". Group statements are not that."""
    policies = [*ex.VOLUME_ADMINS, ex.VOLUME_ADMINS_COPY_STATEMENT,
                "Allow group VolumeAdmins to manage keys in tenancy"]
    assert can_copy(policies, "VolumeAdmins", "lhr", "fra").allowed  # the copy itself is allowed ...
    verdict = can_service_use_key(policies, key_id=KEY, key_compartment="Security")
    assert verdict.status is IamStatus.DENIED  # ... but the service may not use the key
    assert [c.status for c in verdict.checks] == [CheckStatus.MISSING, CheckStatus.MISSING]
    assert "MAY NOT use" in verdict.explain() and "no statement grants it" in verdict.explain()
    fix = suggest_fix(verdict)
    assert fix == [f"Allow service blockstorage to use keys in compartment Security where target.key.id = '{KEY}'"]
    assert can_service_use_key([*policies, *fix], key_id=KEY, key_compartment="Security").allowed


def test_the_fix_names_the_compartment_as_given():
    comp = "ocid1.compartment.oc1..aaaaaaaasecurity"
    assert suggest_fix(can_service_use_key([], key_id=KEY, key_compartment=comp)) == [
        f"Allow service blockstorage to use keys in compartment id {comp} where target.key.id = '{KEY}'"]
    assert suggest_fix(can_service_use_key([], key_id=KEY)) == [
        f"Allow service blockstorage to use keys in tenancy where target.key.id = '{KEY}'"]


# --- the permission model ---------------------------------------------------------------------
@pytest.mark.parametrize("action, expected", [
    ("use keys", IamStatus.ALLOWED),
    ("manage keys", IamStatus.ALLOWED),
    ("read keys", IamStatus.DENIED),  # KEY_READ only
    ("inspect keys", IamStatus.DENIED),
    ("use vaults", IamStatus.DENIED),  # vault permissions are not key permissions
    ("use key-delegate", IamStatus.DENIED),  # KEY_ASSOCIATE is the user's side, not the service's
    ("use key-family", IamStatus.ALLOWED),  # an assumption, said in the verdict (test below)
    ("manage all-resources", IamStatus.ALLOWED),
    ("manage volume-family", IamStatus.DENIED),
    ("{KEY_ENCRYPT, KEY_DECRYPT}", IamStatus.ALLOWED),
    ("{KEY_ENCRYPT}", IamStatus.DENIED),  # decrypting too is a cryptographic operation the service needs
])
def test_verbs_and_resource_types_on_keys(action, expected):
    assert _status([f"Allow service blockstorage to {action} in tenancy"]) is expected


def test_a_missing_decrypt_is_named_and_fixed():
    verdict = can_service_use_key(["Allow service blockstorage to {KEY_ENCRYPT} in tenancy"], key_id=KEY)
    assert verdict.check(ENCRYPT).status is CheckStatus.GRANTED
    assert verdict.check(DECRYPT).status is CheckStatus.MISSING
    assert verdict.reasons() == [verdict.check(DECRYPT).describe()]
    assert len(suggest_fix(verdict)) == 1


def test_key_family_grants_with_its_assumption_stated():
    verdict = can_service_use_key(["Allow service blockstorage to use key-family in tenancy"], key_id=KEY)
    assert verdict.allowed and "key-family is assumed" in verdict.explain()


@pytest.mark.parametrize("subject, expected", [
    ("service blockstorage", IamStatus.ALLOWED),
    ("service oke, blockstorage", IamStatus.ALLOWED),
    ("any-user", IamStatus.ALLOWED),  # Oracle: any-user covers service principals
    ("any-group", IamStatus.DENIED),  # groups and dynamic groups only
    ("group blockstorage", IamStatus.DENIED),
    ("dynamic-group blockstorage", IamStatus.DENIED),
])
def test_subjects_that_cover_a_service(subject, expected):
    assert _status([f"Allow {subject} to use keys in tenancy"]) is expected


# --- variables the request fixes, and those it does not -----------------------------------------
@pytest.mark.parametrize("condition, query, expected", [
    (f"target.key.id = '{KEY.upper()}'", {}, IamStatus.ALLOWED),  # matching is case-insensitive
    (f"target.key.id != '{KEY}'", {}, IamStatus.DENIED),
    ("target.key.id = /*frakey/", {}, IamStatus.ALLOWED),
    ("request.region = 'fra'", {}, IamStatus.ALLOWED),
    ("request.region = 'eu-frankfurt-1'", {}, IamStatus.ALLOWED),
    ("request.region = 'iad'", {}, IamStatus.DENIED),
    ("request.region = 'iad'", {"key_id": KEY_IAD}, IamStatus.ALLOWED),  # 3-letter segment of the OCID
    ("request.region = 'fra'", {"region": "iad"}, IamStatus.DENIED),  # a given region wins over the OCID
    (f"target.vault.id = '{VAULT}'", {"vault_id": VAULT}, IamStatus.ALLOWED),
    (f"target.vault.id = '{VAULT}'", {"vault_id": "ocid1.vault.oc1..other"}, IamStatus.DENIED),
    (f"target.vault.id = '{VAULT}'", {}, IamStatus.UNKNOWN),  # vault not given: unknown, never true
    (f"request.kms-key.id = '{KEY}'", {}, IamStatus.UNKNOWN),  # defined for volume/bucket creation only
    ("target.region = 'fra'", {}, IamStatus.UNKNOWN),  # undocumented for a key operation
    ("request.operation = 'Encrypt'", {}, IamStatus.UNKNOWN),
    ("request.permission = 'KEY_ENCRYPT'", {}, IamStatus.DENIED),  # DECRYPT is not granted
    ("any {request.permission = 'KEY_ENCRYPT', request.permission = 'KEY_DECRYPT'}", {}, IamStatus.ALLOWED),
    ("target.compartment.name = 'Security'", {"key_compartment": "Security"}, IamStatus.ALLOWED),
])
def test_conditions(condition, query, expected):
    assert _status([f"Allow service blockstorage to use keys in tenancy where {condition}"], **query) is expected


def test_an_unknown_variable_names_the_statement_and_never_grants():
    verdict = can_service_use_key([f"Allow service blockstorage to use keys in tenancy where "
                                   f"request.kms-key.id = '{KEY}'"], key_id=KEY)
    assert not verdict.allowed
    assert "request.kms-key.id, unknown for this request" in verdict.explain()


def test_a_key_whose_region_cannot_be_read_leaves_request_region_unknown():
    verdict = can_service_use_key(["Allow service blockstorage to use keys in tenancy where request.region='fra'"],
                                  key_id="ocid1.key.oc1..aaaanoregion")
    assert verdict.region is None and verdict.status is IamStatus.UNKNOWN
    assert "an unknown region" in verdict.explain()


def test_unknown_region_and_empty_inputs_are_input_errors():
    with pytest.raises(InputError, match="unknown region"):
        can_service_use_key([], key_id=KEY, region="mars-1")
    with pytest.raises(InputError, match="empty key"):
        can_service_use_key([], key_id=" ")
    with pytest.raises(InputError, match="empty service"):
        can_service_use_key([], "", key_id=KEY)


# --- compartments, Deny, malformed statements ---------------------------------------------------
ROOT, PROD, SEC = "ocid1.tenancy.oc1..root", "ocid1.compartment.oc1..prod", "ocid1.compartment.oc1..sec"
COMPARTMENTS = pd.DataFrame({"compartment_id": [ROOT, PROD, SEC], "parent_compartment_id": [None, ROOT, PROD],
                             "name": ["acme", "Prod", "Security"]})


@pytest.mark.parametrize("location, compartment, expected", [
    ("compartment Prod", "Prod:Security", IamStatus.ALLOWED),  # inherited by the sub-compartment
    ("compartment Prod", SEC, IamStatus.ALLOWED),  # the key's compartment by OCID, placed by the tree
    ("compartment Prod:Security", "Prod", IamStatus.DENIED),  # never upwards
    (f"compartment id {PROD}", "Prod:Security", IamStatus.ALLOWED),
    (f"compartment id {SEC}", None, IamStatus.DENIED),
])
def test_a_statement_on_a_compartment_covers_the_keys_below_it(location, compartment, expected):
    frame = pd.DataFrame({"policy_name": ["keys"], "statement_index": [1], "compartment_id": [ROOT],
                          "statement": [f"Allow service blockstorage to use keys in {location}"]})
    assert _status(frame, key_compartment=compartment, compartments=COMPARTMENTS) is expected


def test_deny_wins_and_no_allow_is_suggested():
    verdict = can_service_use_key(["Allow service blockstorage to use keys in tenancy",
                                   "Deny service blockstorage to use keys in tenancy where request.region='fra'"],
                                  key_id=KEY)
    assert verdict.status is IamStatus.DENIED
    assert all(c.status is CheckStatus.DENIED for c in verdict.checks)
    assert suggest_fix(verdict) == []


def test_a_malformed_service_statement_never_grants_and_makes_the_answer_unknown():
    verdict = can_service_use_key(["Allow service blockstorage to use keys in tenancy where all {target.key.id='x',"],
                                  key_id=KEY)
    assert not verdict.allowed and verdict.status is IamStatus.UNKNOWN
    assert len(verdict.malformed) == 1 and "Malformed statements" in verdict.explain()


def test_a_malformed_statement_about_a_group_does_not_matter():
    verdict = can_service_use_key(["Allow service blockstorage to use keys in tenancy",
                                   "Allow group Ops to use keys in tenancy where all {"], key_id=KEY)
    assert verdict.status is IamStatus.ALLOWED


def test_the_checker_answers_many_keys():
    check = key_use_checker([f"Allow service blockstorage to use keys in tenancy where target.key.id = '{KEY}'"])
    assert check(KEY, None) == (True, "", [])
    allowed, reason, fix = check(OTHER_KEY, "ocid1.compartment.oc1..x", vault_id=VAULT)
    assert allowed is False and "KEY_ENCRYPT" in reason and OTHER_KEY in fix[0]
    assert check(KEY, None, region="iad")[0] is True  # a region given: target.key.id still decides


def test_the_sample_with_its_placeholders_unfilled_is_malformed_and_grants_nothing():
    printed = ex.SERVICES_USE_KEY_TEMPLATE
    verdict = can_service_use_key([printed], key_id=KEY, key_compartment="ABC")
    assert not verdict.allowed and verdict.status is IamStatus.UNKNOWN
    assert "column 43: expected 'to' but found '<'" in str(verdict.malformed[0])  # at <region_name>
    filled = parse_policy([ex.services_use_key("eu-frankfurt-1", KEY)]).statements[0]
    assert [p.name for p in filled.subject.principals] == [
        "blockstorage", "objectstorage-eu-frankfurt-1", "oke", "streaming"]


# --- properties -------------------------------------------------------------------------------
_KEYS = [KEY, OTHER_KEY, KEY_IAD]
_CLAUSES = st.one_of(
    st.builds(lambda op, k: Clause("target.key.id", op, (Value(k),)), st.sampled_from(["=", "!="]),
              st.sampled_from(_KEYS)),
    st.builds(lambda op, r: Clause("request.region", op, (Value(r),)), st.sampled_from(["=", "!="]),
              st.sampled_from(["fra", "iad", "eu-frankfurt-1"])),
    st.builds(lambda op, p: Clause("request.permission", op, (Value(p),)), st.sampled_from(["=", "!="]),
              st.sampled_from([ENCRYPT, DECRYPT, "KEY_READ"])),
    st.just(Clause("target.vault.id", "=", (Value(VAULT),))),
    st.just(Clause("request.kms-key.id", "=", (Value(KEY),))),
)
_SUBJECTS = [Subject("service", (Principal(name="blockstorage"),)),
             Subject("service", (Principal(name="oke"), Principal(name="blockstorage"))),
             Subject("service", (Principal(name="oke"),)), Subject("any-user"), Subject("any-group"),
             Subject("group", (Principal(name="blockstorage"),))]
_TYPES = ["keys", "vaults", "key-family", "all-resources", "volume-family"]
_LOCATIONS = [Location("tenancy"), Location("compartment", path=("Security",))]
_ALLOWS = props.statements("allow", _SUBJECTS, _TYPES, props.conditions(_CLAUSES, 4), _LOCATIONS)
_DENIES = props.statements("deny", _SUBJECTS, _TYPES, props.conditions(_CLAUSES, 4), _LOCATIONS)
_POLICIES = st.lists(st.one_of(_ALLOWS, _ALLOWS, _DENIES), max_size=6)
_QUERY = st.fixed_dictionaries({"key_id": st.sampled_from(_KEYS), "key_compartment": st.sampled_from([None, "Security"]),
                                "vault_id": st.sampled_from([None, VAULT])})


def _asking(query: dict) -> props.Ask:
    return lambda policies: can_service_use_key(policies, **query)


@props.SETTINGS
@given(_POLICIES, _ALLOWS, _QUERY)
def test_adding_an_allow_never_removes_a_grant(policies, extra, query):
    props.check_an_allow_never_removes(_asking(query), policies, extra)


@props.SETTINGS
@given(_POLICIES, _DENIES, _QUERY)
def test_adding_a_deny_never_adds_a_grant(policies, extra, query):
    props.check_a_deny_never_adds(_asking(query), policies, extra)


@props.SETTINGS
@given(_POLICIES, st.one_of(_ALLOWS, _DENIES), st.integers(min_value=1, max_value=200), _QUERY)
def test_a_malformed_statement_never_grants(policies, statement, cut, query):
    props.check_a_malformed_statement_changes_nothing(_asking(query), policies, statement, cut)


@props.SETTINGS
@given(st.lists(_ALLOWS, max_size=5), _QUERY)
def test_the_suggested_fix_lets_the_service_use_the_key(policies, query):
    verdict = can_service_use_key(policies, **query)
    assert can_service_use_key([*policies, *suggest_fix(verdict)], **query).allowed


# --- what the auditor's read-only policy needs for keys (phase 2: docs/security.md) ----------------
AUDITOR = "reportkit-auditors"
AUDITOR_KEY_STATEMENTS = (  # ListVaults (VAULT_INSPECT), GetKey (KEY_READ) in every compartment
    f"Allow group {AUDITOR} to inspect vaults in tenancy",
    f"Allow group {AUDITOR} to read keys in tenancy",
)


@pytest.mark.parametrize("permission, granted", [
    ("VAULT_INSPECT", True), ("KEY_INSPECT", True), ("KEY_READ", True),
    ("VAULT_READ", False), ("KEY_ENCRYPT", False), ("KEY_DECRYPT", False), ("KEY_UPDATE", False),
    ("KEY_ASSOCIATE", False), ("BOOT_VOLUME_BACKUP_COPY", False),
])
def test_the_auditors_key_statements_read_keys_and_nothing_more(permission, granted):
    from reportkit.iam import group_permission

    for region, compartment in (("fra", None), ("iad", "Prod:Security")):
        check = group_permission(list(AUDITOR_KEY_STATEMENTS), AUDITOR, permission, region, compartment)
        assert (check.status is CheckStatus.GRANTED) is granted, check.describe()
    assert not can_service_use_key(list(AUDITOR_KEY_STATEMENTS), key_id=KEY).allowed  # a group is not a service


def test_group_permission_refuses_what_the_model_cannot_answer():
    from reportkit.iam import group_permission

    with pytest.raises(InputError, match="not modelled"):
        group_permission(["Allow group G to inspect instances in tenancy"], "G", "INSTANCE_INSPECT", "lhr")
    check = group_permission(["Allow group G to use keys in tenancy where request.region='lhr'"], "G", "key_decrypt",
                             "uk-london-1")
    assert check.status is CheckStatus.GRANTED and check.region == "uk-london-1"

"""reportkit.iam evaluation: Oracle's examples, the permission model, compartments, denies, properties."""
from __future__ import annotations

import io

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from reportkit.errors import InputError
from reportkit.iam import (
    CheckStatus,
    IamStatus,
    can_copy,
    copy_checker,
    copy_matrices,
    copy_matrix,
    groups_in_policies,
    policies_from_export,
    suggest_fix,
)
from fixtures import iam_examples as ex
from fixtures import iam_properties as props
from reportkit.iam.parser import Clause, Principal, Subject, Value

READ, COPY, CREATE = "BOOT_VOLUME_BACKUP_READ", "BOOT_VOLUME_BACKUP_COPY", "BOOT_VOLUME_BACKUP_CREATE"


# --- the seed document ------------------------------------------------------------------------
def test_manage_volume_family_alone_cannot_copy_and_the_fix_is_the_seed_statement():
    verdict = can_copy(list(ex.VOLUME_ADMINS), "VolumeAdmins", "lhr", "fra")
    assert not verdict.allowed and verdict.status is IamStatus.DENIED
    assert verdict.check(COPY).status is CheckStatus.MISSING
    assert [r.number for r in verdict.check(READ).granted_by] == [1]  # manage volume-family
    assert [r.number for r in verdict.check(CREATE).granted_by] == [1]
    assert suggest_fix(verdict) == [ex.VOLUME_ADMINS_COPY_STATEMENT]


def test_adding_the_seed_statement_lets_volume_admins_copy():
    verdict = can_copy([*ex.VOLUME_ADMINS, ex.VOLUME_ADMINS_COPY_STATEMENT], "VolumeAdmins", "lhr", "fra")
    assert verdict.allowed and verdict.status is IamStatus.ALLOWED
    assert [r.number for r in verdict.check(COPY).granted_by] == [3]
    assert suggest_fix(verdict) == []


@pytest.mark.parametrize("source, destination, allowed", [
    ("lhr", "fra", True), ("fra", "lhr", True), ("lhr", "iad", False), ("fra", "phx", False),
    *[("phx", dst, True) for dst in ("lhr", "fra", "iad", "nrt", "gru", "syd", "yyz")],
    ("iad", "ams", True),
])
def test_seed_restricted_sources_example(source, destination, allowed):
    verdict = can_copy(list(ex.RESTRICTED_SOURCES), "MyTestGroup", source, destination)
    assert verdict.allowed is allowed
    assert verdict.status is (IamStatus.ALLOWED if allowed else IamStatus.DENIED)
    if not allowed:  # READ and CREATE come from the request.permission!=COPY statement everywhere
        assert verdict.check(COPY).status is CheckStatus.MISSING
        assert [r.number for r in verdict.check(CREATE).granted_by] == [2]


def test_seed_london_to_frankfurt_as_printed_is_no_and_names_the_malformed_statement():
    verdict = can_copy(list(ex.LONDON_TO_FRANKFURT_AS_PRINTED), "MyTestGroup", "lhr", "fra")
    assert not verdict.allowed
    assert verdict.status is IamStatus.UNKNOWN  # the broken statement could have granted COPY
    copy = verdict.check(COPY)
    assert copy.granted_by == () and [d.statement.number for d in copy.doubts] == [2]
    assert "does not parse" in copy.doubts[0].reason
    assert [e.statement_number for e in verdict.malformed] == [2]
    assert "statement 2" in "\n".join(verdict.reasons())
    # the other statements were still evaluated
    assert [r.number for r in verdict.check(READ).granted_by] == [1]
    assert [r.number for r in verdict.check(CREATE).granted_by] == [3]


@pytest.mark.parametrize("source, destination, allowed", [
    ("lhr", "fra", True), ("fra", "lhr", False), ("lhr", "iad", False), ("iad", "fra", False),
])
def test_seed_london_to_frankfurt_with_the_all_closed(source, destination, allowed):
    verdict = can_copy(list(ex.LONDON_TO_FRANKFURT_CLOSED), "MyTestGroup", source, destination)
    assert verdict.allowed is allowed and verdict.malformed == ()


def test_fix_for_a_region_restricted_group_is_scoped_to_the_regions_asked():
    verdict = can_copy(list(ex.LONDON_TO_FRANKFURT_AS_PRINTED), "MyTestGroup", "lhr", "fra")
    (fix,) = suggest_fix(verdict)
    assert fix == ("Allow group MyTestGroup to use boot-volume-backups in tenancy where all "
                   "{request.permission='BOOT_VOLUME_BACKUP_COPY', request.region='lhr', target.region='fra'}")
    fixed = can_copy([*ex.LONDON_TO_FRANKFURT_AS_PRINTED, fix], "MyTestGroup", "lhr", "fra")
    assert fixed.allowed
    assert not can_copy([*ex.LONDON_TO_FRANKFURT_AS_PRINTED, fix], "MyTestGroup", "lhr", "iad").allowed


def test_fix_for_nothing_at_all_names_every_permission_in_the_compartment():
    verdict = can_copy(["Allow group Other to manage all-resources in tenancy"], "Ops", "lhr", "fra",
                       compartment="Prod:Team1")
    fixes = suggest_fix(verdict)
    assert fixes == [
        "Allow group Ops to read boot-volume-backups in compartment Prod:Team1",
        "Allow group Ops to use boot-volume-backups in compartment Prod:Team1 where "
        "request.permission='BOOT_VOLUME_BACKUP_COPY'",
        "Allow group Ops to manage boot-volume-backups in compartment Prod:Team1 where "
        "request.permission='BOOT_VOLUME_BACKUP_CREATE'",
    ]
    assert can_copy(fixes, "Ops", "lhr", "fra", compartment="Prod:Team1").allowed


# --- permission model -------------------------------------------------------------------------
@pytest.mark.parametrize("verb, granted", [
    ("inspect", set()), ("read", {READ}), ("use", {READ, COPY}), ("manage", {READ, COPY, CREATE}),
])
def test_verbs_are_cumulative_on_boot_volume_backups(verb, granted):
    verdict = can_copy([f"Allow group G to {verb} boot-volume-backups in tenancy"], "G", "lhr", "fra")
    assert {c.permission for c in verdict.checks if c.granted_by} == granted


@pytest.mark.parametrize("statement, granted", [
    ("Allow group G to manage boot-volume-backups in tenancy where request.permission='BOOT_VOLUME_BACKUP_COPY'",
     {COPY}),
    ("Allow group G to use boot-volume-backups in tenancy where request.permission='BOOT_VOLUME_BACKUP_CREATE'",
     set()),  # a condition only removes permissions the verb gives
    ("Allow group G to manage volume-family in tenancy where request.permission='BOOT_VOLUME_BACKUP_COPY'", set()),
    ("Allow group G to manage boot-volume-backups in tenancy where request.permission != 'BOOT_VOLUME_BACKUP_COPY'",
     {READ, CREATE}),
    ("Allow group G to manage volume-backups in tenancy", set()),  # block volume backups, not boot
    ("Allow group G to {BOOT_VOLUME_BACKUP_READ, BOOT_VOLUME_BACKUP_COPY} in tenancy", {READ, COPY}),
    ("Allow group G to manage boot-volume-backups in tenancy where request.permission in "
     "('BOOT_VOLUME_BACKUP_READ', 'boot_volume_backup_create')", {READ, CREATE}),
    ("Allow group G to manage boot-volume-backups in tenancy where request.operation='CopyBootVolumeBackup'",
     {READ, COPY}),  # the destination's operation is undocumented: unknown, so never true there
    ("Allow group G to manage boot-volume-backups in tenancy where request.permission=/*_COPY/", {COPY}),
])
def test_request_permission_narrows_a_statement(statement, granted):
    verdict = can_copy([statement], "G", "lhr", "fra")
    assert {c.permission for c in verdict.checks if c.granted_by} == granted


def test_all_resources_includes_copy_but_says_it_is_an_assumption():
    verdict = can_copy(["Allow group Administrators to manage all-resources in tenancy"], "Administrators",
                       "lhr", "fra")
    assert verdict.allowed
    assert any("all-resources is assumed" in a for a in verdict.check(COPY).assumptions)
    assert "all-resources is assumed" in verdict.explain()


def test_region_values_may_be_keys_or_names_in_any_case():
    policies = ["Allow group G to manage boot-volume-backups in tenancy where any "
                "{request.region='UK-LONDON-1', request.region='FRA'}"]
    for src, dst in [("lhr", "fra"), ("LHR", "eu-frankfurt-1"), ("uk-london-1", "Fra")]:
        assert can_copy(policies, "G", src, dst).allowed
    assert not can_copy(policies, "G", "lhr", "iad").allowed


def test_unknown_region_is_an_input_error():
    with pytest.raises(InputError, match="unknown region 'mars'"):
        can_copy(list(ex.RESTRICTED_SOURCES), "MyTestGroup", "mars", "fra")


@pytest.mark.parametrize("condition", [
    "target.bucket.name='x'", "target.bucket.name!='x'",
    "all {request.permission!='NOPE', request.user.name='bob'}",
    "request.utc-timestamp before '2999-01-01T00:00:00Z'",
])
def test_unknown_variables_never_grant_but_make_the_answer_unknown(condition):
    verdict = can_copy([f"Allow group G to manage boot-volume-backups in tenancy where {condition}"], "G",
                       "lhr", "fra")
    assert not verdict.allowed and verdict.status is IamStatus.UNKNOWN
    assert "unknown for this request" in verdict.check(COPY).doubts[0].reason


def test_an_unknown_variable_in_an_any_with_a_true_branch_still_grants():
    verdict = can_copy(["Allow group G to manage boot-volume-backups in tenancy where "
                        "any {request.region='lhr', request.region='fra', target.bucket.name='x'}"], "G", "lhr", "fra")
    assert verdict.allowed and verdict.status is IamStatus.ALLOWED


def test_target_region_is_unknown_for_the_destination_create():
    verdict = can_copy(["Allow group G to manage boot-volume-backups in tenancy where target.region='fra'"],
                       "G", "lhr", "fra")
    assert verdict.check(COPY).granted_by and verdict.check(READ).granted_by
    assert verdict.check(CREATE).status is CheckStatus.UNKNOWN


# --- subjects ---------------------------------------------------------------------------------
@pytest.mark.parametrize("subject, group, expected", [
    ("any-user", "G", True), ("any-group", "G", True), ("dynamic-group G", "G", False),
    ("service blockstorage", "G", False), ("group Other", "G", False), ("group A, g", "G", True),
    ("group 'Default'/'G'", "G", True), ("group default/G", "Default/g", True),
    ("group Ops/G", "G", False), ("group Ops/G", "Ops/G", True), ("group 'Ops'/'G'", "'Ops'/'G'", True),
    ("group G", "Ops/G", False),
    ("group id ocid1.group.oc1..aaa", "ocid1.group.oc1..aaa", True),
    ("group id ocid1.group.oc1..aaa", "ocid1.group.oc1..bbb", False),
])
def test_subjects_match_the_group(subject, group, expected):
    verdict = can_copy([f"Allow {subject} to manage boot-volume-backups in tenancy"], group, "lhr", "fra")
    assert verdict.allowed is expected
    assert verdict.status is (IamStatus.ALLOWED if expected else IamStatus.DENIED)


def test_a_group_named_by_ocid_cannot_be_matched_to_a_name():
    verdict = can_copy(["Allow group id ocid1.group.oc1..aaa to manage boot-volume-backups in tenancy"], "G",
                       "lhr", "fra")
    assert not verdict.allowed and verdict.status is IamStatus.UNKNOWN


def test_suggestion_uses_the_group_as_given():
    by_id = can_copy([], "ocid1.group.oc1..aaa", "lhr", "fra")
    assert suggest_fix(by_id)[0].startswith("Allow group id ocid1.group.oc1..aaa to read")
    by_domain = can_copy([], "Ops/Copiers", "lhr", "fra")
    assert suggest_fix(by_domain)[0].startswith("Allow group 'Ops'/'Copiers' to read")
    assert can_copy(suggest_fix(by_domain), "Ops/Copiers", "lhr", "fra").allowed


# --- compartments -----------------------------------------------------------------------------
TENANCY = "ocid1.tenancy.oc1..root"
PROD, TEAM1, DEV = "ocid1.compartment.oc1..prod", "ocid1.compartment.oc1..team1", "ocid1.compartment.oc1..dev"
COMPARTMENTS = pd.DataFrame({
    "compartment_id": [TENANCY, PROD, TEAM1, DEV],
    "parent_compartment_id": [None, TENANCY, PROD, TENANCY],
    "name": ["acme", "Prod", "Team1", "Dev"],
    "path": ["/", "Prod", "Prod/Team1", "Dev"],
})


def _policy_frame(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    """(compartment_id, policy_name, statement) rows -> an iam_policies-shaped frame."""
    out = []
    for comp, name, statement in rows:
        index = sum(1 for r in out if r["policy_name"] == name) + 1
        out.append({"policy_id": f"ocid1.policy.oc1..{name}", "compartment_id": comp, "policy_name": name,
                    "statement_index": index, "statement": statement})
    return pd.DataFrame(out)


@pytest.mark.parametrize("compartment, expected", [
    ("Prod", True), ("Prod:Team1", True), ("prod/team1", True), (None, False), ("Dev", False),
])
def test_a_statement_on_a_compartment_applies_to_its_descendants(compartment, expected):
    policies = ["Allow group G to manage boot-volume-backups in compartment Prod"]
    assert can_copy(policies, "G", "lhr", "fra", compartment=compartment).allowed is expected


@pytest.mark.parametrize("compartment, expected", [
    ("Prod:Team1", True), (TEAM1, True), ("Prod", False), (PROD, False), (DEV, False), (None, False),
])
def test_compartment_paths_are_relative_to_the_policy_attachment(compartment, expected):
    frame = _policy_frame([(PROD, "prod-copiers", "Allow group G to manage boot-volume-backups in compartment Team1")])
    verdict = can_copy(frame, "G", "lhr", "fra", compartment=compartment, compartments=COMPARTMENTS)
    assert verdict.allowed is expected
    if expected:
        (ref,) = verdict.check(COPY).granted_by
        assert (ref.policy_name, ref.number) == ("prod-copiers", 1)


@pytest.mark.parametrize("compartment, expected", [(TEAM1, True), ("Prod:Team1", True), ("Dev", False)])
def test_compartment_by_ocid(compartment, expected):
    frame = _policy_frame([(TENANCY, "p", f"Allow group G to manage boot-volume-backups in compartment id {PROD}")])
    assert can_copy(frame, "G", "lhr", "fra", compartment=compartment,
                    compartments=COMPARTMENTS).allowed is expected


def test_compartment_by_ocid_without_the_tree_is_unknown():
    verdict = can_copy([f"Allow group G to manage boot-volume-backups in compartment id {PROD}"], "G", "lhr",
                       "fra", compartment="Prod:Team1")
    assert verdict.status is IamStatus.UNKNOWN and not verdict.allowed


def test_unknown_compartment_path_is_an_input_error_when_the_tree_is_known():
    with pytest.raises(InputError, match="Prod:Nope"):
        can_copy(_policy_frame([]), "G", "lhr", "fra", compartment="Prod:Nope", compartments=COMPARTMENTS)


def test_policies_attached_to_an_unplaceable_compartment_are_doubts_not_grants():
    frame = _policy_frame([(PROD, "p", "Allow group G to manage boot-volume-backups in compartment Team1")])
    verdict = can_copy(frame, "G", "lhr", "fra", compartment="Prod:Team1")  # no compartments table
    assert not verdict.allowed and verdict.status is IamStatus.UNKNOWN


# --- deny and cross-tenancy -------------------------------------------------------------------
def test_deny_wins_over_allow():
    policies = ["Allow group G to manage boot-volume-backups in tenancy",
                "Deny group G to use boot-volume-backups in tenancy where request.region='iad'"]
    assert can_copy(policies, "G", "lhr", "fra").allowed
    verdict = can_copy(policies, "G", "iad", "fra")
    assert not verdict.allowed and verdict.check(COPY).status is CheckStatus.DENIED
    assert [r.number for r in verdict.check(COPY).denied_by] == [2]
    assert can_copy(policies, "G", "lhr", "iad").allowed  # the deny is about `use`, CREATE is `manage` only


def test_default_administrators_are_exempt_from_deny():
    policies = ["Allow group Administrators to manage all-resources in tenancy",
                "Deny any-group to manage all-resources in tenancy"]
    assert can_copy(policies, "Administrators", "lhr", "fra").allowed
    assert not can_copy(policies, "Ops/Administrators", "lhr", "fra").allowed


def test_define_endorse_admit_are_out_of_scope_and_grant_nothing():
    policies = ["Define tenancy Acme as ocid1.tenancy.oc1..aaa",
                "Admit group G of tenancy Acme to manage boot-volume-backups in tenancy",
                "Endorse group G to manage boot-volume-backups in tenancy Acme"]
    verdict = can_copy(policies, "G", "lhr", "fra")
    assert not verdict.allowed and verdict.status is IamStatus.DENIED
    assert [r.number for r in verdict.out_of_scope] == [1, 2, 3]
    assert "out of scope" in verdict.explain()


def test_malformed_statement_about_another_group_does_not_make_the_answer_unknown():
    verdict = can_copy([*ex.VOLUME_ADMINS, "Allow group Other to use boot-volume-backups in tenancy where all {"],
                       "VolumeAdmins", "lhr", "fra")
    assert verdict.status is IamStatus.DENIED and len(verdict.malformed) == 1


# --- inputs -----------------------------------------------------------------------------------
def test_list_policies_json_export():
    export = {"data": [
        {"id": "ocid1.policy.oc1..a", "name": "volume-admins", "compartment-id": TENANCY,
         "statements": [*ex.VOLUME_ADMINS, ex.VOLUME_ADMINS_COPY_STATEMENT], "lifecycle-state": "ACTIVE"},
        {"id": "ocid1.policy.oc1..b", "name": "broken", "compartment_id": TENANCY,
         "statements": [ex.LONDON_TO_FRANKFURT_AS_PRINTED[1]]},
    ]}
    frame = policies_from_export(export)
    assert list(frame["statement_index"]) == [1, 2, 3, 1]
    verdict = can_copy(frame, "VolumeAdmins", "lhr", "fra")
    assert verdict.allowed
    (ref,) = verdict.check(COPY).granted_by
    assert (ref.policy_name, ref.number) == ("volume-admins", 3)
    assert [(e.policy_name, e.statement_number) for e in verdict.malformed] == [("broken", 1)]


def test_export_without_statements_is_an_input_error():
    with pytest.raises(InputError, match="statements"):
        policies_from_export([{"name": "x"}])


# --- matrix -----------------------------------------------------------------------------------
def test_matrix_of_the_restricted_sources_example():
    regions = ["lhr", "fra", "iad", "phx"]
    frame = copy_matrix(list(ex.RESTRICTED_SOURCES), "MyTestGroup", regions)
    assert frame.index.name == "source" and frame.columns.name == "destination"
    assert list(frame.index) == ["uk-london-1", "eu-frankfurt-1", "us-ashburn-1", "us-phoenix-1"]
    for src in regions:
        for dst in regions:
            verdict = can_copy(list(ex.RESTRICTED_SOURCES), "MyTestGroup", src, dst)
            assert frame.loc[verdict.source, verdict.destination] == verdict.status.value
    assert frame.loc["uk-london-1", "us-ashburn-1"] == "denied"
    assert set(frame.loc["us-phoenix-1"]) == {"allowed"}
    back = pd.read_csv(io.StringIO(frame.to_csv()), index_col="source")
    assert list(back.columns) == list(frame.columns) and list(back.index) == list(frame.index)
    assert (back.to_numpy() == frame.to_numpy()).all()


def test_matrix_marks_unknown_where_a_malformed_statement_could_matter():
    frame = copy_matrix(list(ex.LONDON_TO_FRANKFURT_AS_PRINTED), "MyTestGroup", ["lhr", "fra"])
    assert frame.loc["uk-london-1", "eu-frankfurt-1"] == "unknown"
    assert frame.loc["eu-frankfurt-1", "uk-london-1"] == "denied"  # no READ in fra: certain


def test_matrices_for_every_group_named():
    policies = [*ex.RESTRICTED_SOURCES, *ex.VOLUME_ADMINS, "Allow group 'Ops'/'Copiers', id ocid1.group.oc1..x "
                                                          "to manage boot-volume-backups in tenancy"]
    assert groups_in_policies(policies) == ["MyTestGroup", "ocid1.group.oc1..x", "Ops/Copiers", "VolumeAdmins"]
    long = copy_matrices(policies, ["lhr", "fra"])
    assert list(long.columns) == ["group", "source", "destination", "status"]
    assert len(long) == 4 * 4
    status = long.set_index(["group", "source", "destination"])["status"]
    assert status[("Ops/Copiers", "uk-london-1", "eu-frankfurt-1")] == "allowed"
    assert status[("ocid1.group.oc1..x", "uk-london-1", "eu-frankfurt-1")] == "allowed"
    # the OCID could be VolumeAdmins' own: without a group directory the answer is not certain
    assert status[("VolumeAdmins", "uk-london-1", "eu-frankfurt-1")] == "unknown"
    assert (copy_matrices(policies[:-1], ["lhr", "fra"]).set_index(["group", "source", "destination"])
            ["status"][("VolumeAdmins", "uk-london-1", "eu-frankfurt-1")]) == "denied"


def test_copy_checker_fits_the_planner():
    check = copy_checker(list(ex.LONDON_TO_FRANKFURT_CLOSED), "MyTestGroup")
    assert check("uk-london-1", "eu-frankfurt-1", TENANCY, None) == (True, "")
    allowed, reason = check("eu-frankfurt-1", "uk-london-1", TENANCY, None)
    assert allowed is False and "BOOT_VOLUME_BACKUP_READ" in reason
    assert copy_checker(list(ex.LONDON_TO_FRANKFURT_AS_PRINTED), "MyTestGroup")(
        "lhr", "fra", TENANCY, None)[0] is None


# --- properties -------------------------------------------------------------------------------
_REGIONS = ["lhr", "fra", "iad"]
_PERMS = [READ, COPY, CREATE, "BOOT_VOLUME_BACKUP_INSPECT", "BOOT_VOLUME_BACKUP_DELETE"]
_CLAUSES = st.one_of(
    st.builds(lambda v, op, r: Clause(v, op, (Value(r),)), st.sampled_from(["request.region", "target.region"]),
              st.sampled_from(["=", "!="]), st.sampled_from(_REGIONS + ["uk-london-1"])),
    st.builds(lambda op, p: Clause("request.permission", op, (Value(p),)), st.sampled_from(["=", "!="]),
              st.sampled_from(_PERMS)),
    st.builds(lambda ps: Clause("request.permission", "in", tuple(Value(p) for p in ps)),
              st.lists(st.sampled_from(_PERMS), min_size=1, max_size=2)),
    st.just(Clause("request.operation", "=", (Value("CopyBootVolumeBackup"),))),
    st.just(Clause("target.bucket.name", "!=", (Value("x"),))),
)
_SUBJECTS = [Subject("group", (Principal(name="G"),)), Subject("group", (Principal(name="H"),)),
             Subject("any-group"), Subject("dynamic-group", (Principal(name="G"),))]
_TYPES = ["boot-volume-backups", "volume-family", "all-resources", "instances"]
_ALLOWS = props.statements("allow", _SUBJECTS, _TYPES, props.conditions(_CLAUSES))
_DENIES = props.statements("deny", _SUBJECTS, _TYPES, props.conditions(_CLAUSES))
_POLICIES = st.lists(st.one_of(_ALLOWS, _ALLOWS, _DENIES), max_size=6)
_QUERY = st.tuples(st.sampled_from(_REGIONS), st.sampled_from(_REGIONS), st.sampled_from([None, "Prod"]))


def _asking(query: tuple) -> props.Ask:
    return lambda policies: can_copy(policies, "G", *query)


@props.SETTINGS
@given(_POLICIES, _ALLOWS, _QUERY)
def test_adding_an_allow_never_removes_a_permission(policies, extra, query):
    props.check_an_allow_never_removes(_asking(query), policies, extra)


@props.SETTINGS
@given(_POLICIES, _DENIES, _QUERY)
def test_adding_a_deny_never_adds_a_permission(policies, extra, query):
    props.check_a_deny_never_adds(_asking(query), policies, extra)


@props.SETTINGS
@given(_POLICIES, st.one_of(_ALLOWS, _DENIES), st.integers(min_value=1, max_value=200), _QUERY)
def test_a_malformed_statement_never_changes_a_verdict(policies, statement, cut, query):
    props.check_a_malformed_statement_changes_nothing(_asking(query), policies, statement, cut)


@props.SETTINGS
@given(st.lists(_ALLOWS, max_size=5), _QUERY)
def test_the_suggested_fix_makes_the_copy_allowed(policies, query):
    src, dst, comp = query
    verdict = can_copy(policies, "G", src, dst, comp)
    fixed = can_copy([*policies, *suggest_fix(verdict)], "G", src, dst, comp)
    assert fixed.allowed


def test_copy_permission_overview_counts_region_pairs_per_group_and_suggests_the_seed_fix():
    from reportkit.iam import copy_permission_overview

    statements = [
        "Allow group VolumeAdmins to manage volume-family in tenancy",
        "Allow group CopyAdmins to manage boot-volume-backups in tenancy",
    ]
    matrix, summary = copy_permission_overview(statements, ["lhr", "fra", "iad"])
    assert len(matrix) == 2 * 6  # two groups x six ordered pairs of distinct regions
    rows = summary.set_index("group")
    assert rows.loc["CopyAdmins", ["allowed", "denied", "unknown"]].tolist() == [6, 0, 0]
    assert rows.loc["VolumeAdmins", ["allowed", "denied", "unknown"]].tolist() == [0, 6, 0]
    assert rows.loc["VolumeAdmins", "suggested_fix"] == (
        "Allow group VolumeAdmins to use boot-volume-backups in tenancy where "
        "request.permission='BOOT_VOLUME_BACKUP_COPY'")
    assert rows.loc["CopyAdmins", "example_gap"] == ""

"""reportkit.iam.parser: Oracle's own statements, every grammar form, errors that point at the fault."""
from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reportkit.errors import PolicyParseError
from fixtures import iam_examples as examples
from reportkit.iam.parser import (
    Clause,
    ConditionGroup,
    CrossTenancyStatement,
    Location,
    MalformedStatement,
    Principal,
    Statement,
    StatementOrigin,
    Subject,
    Value,
    parse_policy,
    parse_statement,
    tokenize,
)


def _strip(stmt: Statement) -> Statement:
    """The statement without its source text and origin, for structural comparison."""
    return dataclasses.replace(stmt, text="", origin=StatementOrigin())


# --- Oracle's published statements ------------------------------------------------------------
@pytest.mark.parametrize("text", [*examples.VOLUME_ADMINS, examples.VOLUME_ADMINS_COPY_STATEMENT,
                                  *examples.LONDON_TO_FRANKFURT_CLOSED, *examples.RESTRICTED_SOURCES,
                                  *examples.BOOT_VOLUME_BACKUP_ADMINS, *examples.PHX_ADMINS])
def test_every_published_statement_parses(text):
    stmt = parse_statement(text)
    assert stmt.effect == "allow"
    assert stmt.location == Location("tenancy")
    # re-rendering and re-parsing gives the same tree
    assert _strip(parse_statement(stmt.to_oci())) == _strip(stmt)


def test_seed_copy_statement_structure():
    stmt = parse_statement(examples.VOLUME_ADMINS_COPY_STATEMENT)
    assert stmt.subject == Subject("group", (Principal(name="VolumeAdmins"),))
    assert (stmt.verb, stmt.resource_type) == ("use", "boot-volume-backups")
    assert stmt.condition == Clause("request.permission", "=", (Value("BOOT_VOLUME_BACKUP_COPY"),))


def test_seed_restricted_sources_nests_any_inside_all():
    stmt = parse_statement(examples.RESTRICTED_SOURCES[2])
    assert isinstance(stmt.condition, ConditionGroup) and stmt.condition.mode == "all"
    inner = stmt.condition.items
    assert [type(i).__name__ for i in inner] == ["Clause", "ConditionGroup", "ConditionGroup"]
    assert inner[2] == ConditionGroup("any", (Clause("target.region", "=", (Value("fra"),)),
                                              Clause("target.region", "=", (Value("lhr"),))))


def test_truncated_seed_statement_is_reported_and_the_others_still_parse():
    parsed = parse_policy(list(examples.LONDON_TO_FRANKFURT_AS_PRINTED), policy_name="copy-lhr-fra")
    kinds = [type(e).__name__ for e in parsed.entries]
    assert kinds == ["Statement", "MalformedStatement", "Statement"]
    (error,) = parsed.problems
    text = examples.LONDON_TO_FRANKFURT_AS_PRINTED[1]
    assert error.policy_name == "copy-lhr-fra"
    assert error.statement_number == 2
    assert error.column == len(text.rstrip()) + 1  # just after the trailing comma
    assert "'}'" in error.expected and "all {" in error.expected
    assert "copy-lhr-fra" in str(error) and "statement 2" in str(error) and f"column {error.column}" in str(error)
    # what was read before the fault is kept, so an evaluator can tell what it might have granted
    bad = parsed.entries[1]
    assert isinstance(bad, MalformedStatement)
    assert (bad.effect, bad.verb, bad.resource_type) == ("allow", "use", "boot-volume-backups")
    assert bad.subject == Subject("group", (Principal(name="MyTestGroup"),))


def test_parse_statement_raises_for_malformed_text():
    with pytest.raises(PolicyParseError) as info:
        parse_statement(examples.LONDON_TO_FRANKFURT_AS_PRINTED[1], policy_name="p", number=7)
    assert info.value.statement_number == 7


def test_policy_text_one_statement_a_line_skips_blanks_and_comments():
    parsed = parse_policy("# copy admins\n\n" + "\n".join(examples.RESTRICTED_SOURCES) + "\n", "p")
    assert len(parsed.statements) == 4
    assert [s.origin.number for s in parsed.statements] == [1, 2, 3, 4]


# --- subjects ---------------------------------------------------------------------------------
@pytest.mark.parametrize("subject, expected", [
    ("group Admins", Subject("group", (Principal(name="Admins"),))),
    ("group A, B", Subject("group", (Principal(name="A"), Principal(name="B")))),
    ("group 'Default'/'Admins'", Subject("group", (Principal(name="Admins", domain="Default"),))),
    ("group MyDomain/Admins", Subject("group", (Principal(name="Admins", domain="MyDomain"),))),
    ("group id ocid1.group.oc1..aaa, id ocid1.group.oc1..bbb",
     Subject("group", (Principal(ocid="ocid1.group.oc1..aaa"), Principal(ocid="ocid1.group.oc1..bbb")))),
    ("group 'Team A'", Subject("group", (Principal(name="Team A"),))),
    ("dynamic-group Instances", Subject("dynamic-group", (Principal(name="Instances"),))),
    ("any-user", Subject("any-user")),
    ("ANY-GROUP", Subject("any-group")),
    ("service blockstorage, objectstorage-eu-frankfurt-1",
     Subject("service", (Principal(name="blockstorage"), Principal(name="objectstorage-eu-frankfurt-1")))),
])
def test_subjects(subject, expected):
    assert parse_statement(f"Allow {subject} to read boot-volume-backups in tenancy").subject == expected


def test_one_type_of_principal_per_statement():
    with pytest.raises(PolicyParseError, match="only one type of principal"):
        parse_statement("Allow group A, dynamic-group B to read boot-volume-backups in tenancy")


# --- actions and locations --------------------------------------------------------------------
def test_permission_list_is_upper_cased_and_has_no_resource_type():
    stmt = parse_statement("allow group G to {boot_volume_backup_read, BOOT_VOLUME_BACKUP_COPY} in tenancy")
    assert stmt.permissions == ("BOOT_VOLUME_BACKUP_READ", "BOOT_VOLUME_BACKUP_COPY")
    assert stmt.verb is None and stmt.resource_type is None


@pytest.mark.parametrize("location, expected", [
    ("tenancy", Location("tenancy")),
    ("compartment Prod", Location("compartment", path=("Prod",))),
    ("compartment Prod:Team1 : DB", Location("compartment", path=("Prod", "Team1", "DB"))),
    ("compartment id ocid1.compartment.oc1..xyz", Location("compartment_id", ocid="ocid1.compartment.oc1..xyz")),
])
def test_locations(location, expected):
    assert parse_statement(f"allow group G to read boot-volume-backups in {location}").location == expected


def test_keywords_and_names_of_types_are_case_insensitive():
    upper = parse_statement("ALLOW GROUP G TO USE BOOT-VOLUME-BACKUPS IN TENANCY WHERE REQUEST.REGION = 'LHR'")
    lower = parse_statement("allow group G to use boot-volume-backups in tenancy where request.region='LHR'")
    assert _strip(upper) == _strip(lower)


def test_line_breaks_and_spare_spaces_have_no_effect():
    a = parse_statement("Allow group G to use boot-volume-backups in tenancy where all {request.region='lhr'}")
    b = parse_statement("Allow  group G\n  to use boot-volume-backups\n in tenancy\n where all { request.region = 'lhr' }  ")
    assert _strip(a) == _strip(b)


# --- conditions -------------------------------------------------------------------------------
def test_in_list_patterns_and_time_operators():
    stmt = parse_statement(
        "allow group G to use boot-volume-backups in tenancy where any {request.region in ('lhr', 'fra'), "
        "target.resource.name = /*HR*/, request.utc-timestamp before '2030-01-01T00:00:00Z', "
        "request.utc-timestamp.time-of-day between '01:00:00Z' and '02:00:00Z'}")
    items = stmt.condition.items
    assert items[0] == Clause("request.region", "in", (Value("lhr"), Value("fra")))
    assert items[1] == Clause("target.resource.name", "=", (Value("*HR*", is_pattern=True),))
    assert items[2].operator == "before"
    assert items[3] == Clause("request.utc-timestamp.time-of-day", "between",
                              (Value("01:00:00Z"), Value("02:00:00Z")))


def test_a_pattern_may_contain_characters_that_are_punctuation_elsewhere():
    stmt = parse_statement("allow group G to use x in tenancy where all {a.b = /x'y,{z*/, c.d='e'}")
    assert stmt.condition.items[0].values == (Value("x'y,{z*", is_pattern=True),)
    assert stmt.condition.items[1] == Clause("c.d", "=", (Value("e"),))


def test_unknown_variables_are_kept():
    stmt = parse_statement("allow group G to use boot-volume-backups in tenancy where target.bucket.name='x'")
    assert stmt.condition == Clause("target.bucket.name", "=", (Value("x"),))


# --- cross-tenancy statements -----------------------------------------------------------------
@pytest.mark.parametrize("text, kind, deny", [
    ("Define tenancy Acme as ocid1.tenancy.oc1..aaa", "define", False),
    ("Endorse group Admins to manage all-resources in tenancy Acme", "endorse", False),
    ("Admit group Admins of tenancy Acme to read boot-volume-backups in tenancy", "admit", False),
    ("Deny Admit group Admins of tenancy Acme to read all-resources in tenancy", "admit", True),
])
def test_define_endorse_admit_are_recognised_as_out_of_scope(text, kind, deny):
    stmt = parse_statement(text)
    assert isinstance(stmt, CrossTenancyStatement) and (stmt.kind, stmt.deny) == (kind, deny)


def test_deny_statement():
    stmt = parse_statement("Deny group G to manage boot-volume-backups in tenancy where request.region='iad'")
    assert stmt.effect == "deny"


# --- errors -----------------------------------------------------------------------------------
@pytest.mark.parametrize("text, column, expected", [
    ("", 1, "'Allow'"),
    ("Permit group G to read x in tenancy", 1, "'Allow'"),
    ("Allow group G read x in tenancy", 15, "'to'"),
    ("Allow group G to frob x in tenancy", 18, "a verb"),
    ("Allow group G to read x in region lhr", 28, "'tenancy' or 'compartment'"),
    ("Allow group G to read x in tenancy where request.region=lhr", 57, "a value in single quotes"),
    ("Allow group G to read x in tenancy where request.region='lhr", 57, "a value in single quotes"),
    ("Allow group G to read x in tenancy where request.region ~ 'lhr'", 57, "an operator"),
    ("Allow group G to read x in tenancy where all {request.region='lhr'", 67, "'}'"),
    ("Allow group G to read x in tenancy lhr", 36, "'where' or the end"),
    ("Allow group G to {A, } in tenancy", 22, "a permission name"),
])
def test_errors_name_the_column_and_what_was_expected(text, column, expected):
    with pytest.raises(PolicyParseError) as info:
        parse_statement(text, policy_name="p", number=3)
    assert info.value.column == column, str(info.value)
    assert expected in info.value.expected
    assert str(info.value).startswith("policy 'p' statement 3, column")


# --- properties -------------------------------------------------------------------------------
_NAMES = st.from_regex(r"[A-Za-z][A-Za-z0-9_\-]{0,8}", fullmatch=True).filter(
    lambda s: s.lower() not in {"to", "id", "in", "where", "and", "any", "all"})
_PRINCIPALS = st.one_of(
    st.builds(lambda n: Principal(name=n), _NAMES),
    st.builds(lambda d, n: Principal(name=n, domain=d), _NAMES, _NAMES),
    st.builds(lambda n: Principal(ocid=f"ocid1.group.oc1..{n.lower()}"), _NAMES),
)
_SUBJECTS = st.one_of(
    st.builds(lambda ps: Subject("group", tuple(ps)), st.lists(_PRINCIPALS, min_size=1, max_size=3)),
    st.just(Subject("any-user")),
    st.just(Subject("any-group")),
)
_VALUES = st.one_of(st.builds(Value, st.from_regex(r"[A-Za-z0-9_\-]{0,10}", fullmatch=True)),
                    st.builds(lambda t: Value(t, True), st.from_regex(r"\*?[A-Za-z0-9]{1,5}\*?", fullmatch=True)))
_VARIABLES = st.sampled_from(["request.region", "target.region", "request.permission", "request.operation",
                              "target.compartment.name"])
_CLAUSES = st.one_of(
    st.builds(Clause, _VARIABLES, st.sampled_from(["=", "!="]), st.tuples(_VALUES)),
    st.builds(lambda v, vs: Clause(v, "in", tuple(vs)), _VARIABLES, st.lists(_VALUES, min_size=1, max_size=3)),
)
_CONDITIONS = st.recursive(_CLAUSES, lambda inner: st.builds(
    ConditionGroup, st.sampled_from(["all", "any"]), st.lists(inner, min_size=1, max_size=3).map(tuple)),
    max_leaves=8)
_LOCATIONS = st.one_of(st.just(Location("tenancy")),
                       st.builds(lambda p: Location("compartment", path=tuple(p)), st.lists(_NAMES, min_size=1, max_size=3)))
_STATEMENTS = st.builds(
    Statement,
    effect=st.sampled_from(["allow", "deny"]),
    subject=_SUBJECTS,
    location=_LOCATIONS,
    verb=st.sampled_from(["inspect", "read", "use", "manage"]),
    resource_type=st.sampled_from(["boot-volume-backups", "volume-family", "all-resources"]),
    condition=st.one_of(st.none(), _CONDITIONS),
)


@settings(max_examples=150, deadline=None)
@given(_STATEMENTS, st.booleans())
def test_rendered_statements_parse_back_to_the_same_tree(stmt, shout):
    text = stmt.to_oci()
    if shout:  # keywords are case-insensitive: upper-case everything outside quotes and patterns
        text = " ".join(part if "'" in part or "/" in part else part.upper() for part in text.split(" "))
    parsed = parse_statement(text)
    if shout:
        # names keep the case they were written in; compare what must not change
        assert (parsed.effect, parsed.verb, parsed.resource_type) == (stmt.effect, stmt.verb, stmt.resource_type)
        assert parsed.condition == stmt.condition or parsed.condition.to_oci().lower() == stmt.condition.to_oci().lower()
    else:
        assert _strip(parsed) == _strip(stmt)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("allow group G to use {}()',:/=!x.in tenancy where  ")), max_size=80))
def test_parse_policy_never_raises_on_arbitrary_text(text):
    parsed = parse_policy([text])
    assert len(parsed.entries) == 1
    assert tokenize(text)[-1][0] == "end"

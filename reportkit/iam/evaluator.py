"""Can group G copy boot volume backups from region S to region T? With the statements that say so.

Copying needs BOOT_VOLUME_BACKUP_READ and BOOT_VOLUME_BACKUP_COPY in the source region and
BOOT_VOLUME_BACKUP_CREATE in the destination region. Each is checked separately:

- a statement applies when its subject names the group (or any-user / any-group), its location
  covers the compartment (``in tenancy`` everywhere; a compartment and all its descendants), its
  verb + resource type (or ``{...}`` list) includes the permission, and its condition is true with
  ``request.permission`` set to that permission;
- conditions use three-valued logic: a variable whose value is not known for this request
  (anything but request.permission, request.region, target.region and request.operation in the
  source checks, request.permission and request.region in the destination check, and the target
  compartment when known) is *unknown*; unknown is never true, so it never grants, but the answer
  is then reported ``unknown`` instead of a confident ``denied``;
- a malformed statement grants nothing; if, once fixed, it could have changed the answer, the
  answer is ``unknown`` and the statement is named;
- a matching Deny wins over any Allow (deny policies are opt-in in OCI; members of the Default
  domain's Administrators group are exempt).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable, Iterable

import pandas as pd

from reportkit.errors import InputError, PolicyParseError
from reportkit.iam.parser import (
    Clause,
    Condition,
    ConditionGroup,
    CrossTenancyStatement,
    Location,
    MalformedStatement,
    Subject,
)
from reportkit.iam.permissions import (
    ALL_RESOURCES,
    BOOT_VOLUME_BACKUP_COPY,
    BOOT_VOLUME_BACKUP_CREATE,
    BOOT_VOLUME_BACKUP_READ,
    is_uncertain_grant,
    permissions_for,
)
from reportkit.iam.policyset import PolicySet, load_policies
from reportkit.iam.verdicts import CopyVerdict, Doubt, GroupRef, IamStatus, PermissionCheck, StatementRef
from reportkit.regions import region_key, region_name, resolve_region

Tri = bool | None  # True, False, or None = unknown

REGION_VARIABLES = frozenset({"request.region", "target.region"})
COPY_OPERATION = "CopyBootVolumeBackup"


# --------------------------------------------------------------------------------------------
# Matching
# --------------------------------------------------------------------------------------------
def _all(values: Iterable[Tri]) -> Tri:
    """Kleene AND, lazily: False as soon as one is False; else None if one is unknown."""
    out: Tri = True
    for v in values:
        if v is False:
            return False
        if v is None:
            out = None
    return out


def _any(values: Iterable[Tri]) -> Tri:
    """Kleene OR, lazily: True as soon as one is True; else None if one is unknown."""
    out: Tri = False
    for v in values:
        if v is True:
            return True
        if v is None:
            out = None
    return out


def _and(*values: Tri) -> Tri:
    return _all(values)


def match_subject(subject: Subject, group: GroupRef) -> Tri:
    """True if ``subject`` covers ``group``; None if that cannot be told (name vs OCID)."""
    if subject.kind in ("any-user", "any-group"):
        return True
    if subject.kind != "group":
        return False  # dynamic-group and service never name a user group
    result: Tri = False
    for p in subject.principals:
        if p.ocid is not None:
            if group.ocid is None:
                result = None
            elif p.ocid.lower() == group.ocid.lower():
                return True
        elif group.ocid is not None:
            result = None
        elif (p.name or "").lower() == (group.name or "").lower() \
                and (p.domain or "Default").lower() == group.domain.lower():
            return True
    return result


@dataclass(frozen=True)
class _Place:
    """The compartment asked about: path from the root (lower case) and, if known, OCID + ancestors."""

    path: tuple[str, ...] | None
    ocid: str | None
    ancestors: tuple[str, ...] | None


def _resolve_compartment(compartment: str | None, policyset: PolicySet) -> _Place:
    tree = policyset.tree
    text = (compartment or "").strip()
    if text in ("", "/", ":") or text.lower() == "tenancy":
        root = next((cid for cid, parent in tree.parent.items() if parent is None), None)
        return _Place((), root, (root,) if root else None)
    if text.lower().startswith("ocid1."):
        path = tree.names(text)
        if tree.parent and path is None:
            raise InputError(f"compartment {text!r} is not in the compartments table; check the OCID")
        return _Place(None if path is None else tuple(p.lower() for p in path), text, tree.lineage(text))
    path = tuple(p.strip() for p in re.split(r"[:/]", text.strip("/:")) if p.strip())
    ocid = tree.id_of(path) if tree.parent else None
    if tree.parent and ocid is None:
        raise InputError(f"compartment path {text!r} is not in the compartments table; write it as policies "
                         f"do, from the root: Prod:Team1")
    return _Place(tuple(p.lower() for p in path), ocid, tree.lineage(ocid) if ocid else None)


def match_location(location: Location, attachment: tuple[str, ...] | None, place: _Place) -> Tri:
    """True if ``location`` (relative to the policy's compartment) covers the place asked about."""
    if location.kind == "tenancy":
        return True
    if location.kind == "compartment_id":
        wanted = (location.ocid or "").lower()
        if place.ancestors is not None:
            return wanted in {a.lower() for a in place.ancestors}
        if place.ocid is not None and place.ocid.lower() == wanted:
            return True
        if place.path == () and wanted.startswith("ocid1.compartment."):
            return False  # a statement on a sub-compartment never covers the root
        return None
    if attachment is None or place.path is None:
        return None
    full = tuple(p.lower() for p in attachment) + tuple(p.lower() for p in location.path)
    return place.path[: len(full)] == full


@lru_cache(maxsize=4096)
def _pattern(text: str) -> re.Pattern[str]:
    # OCI patterns: /HR*/ starts with, /*HR/ ends with, /*HR*/ contains; '*' is the only wildcard.
    return re.compile(".*".join(re.escape(part) for part in text.split("*")), re.IGNORECASE | re.DOTALL)


def _value_matches(variable: str, actual: str, value: Any) -> bool:
    if variable in REGION_VARIABLES:
        if value.is_pattern:
            pat = _pattern(value.text)
            return bool(pat.fullmatch(actual) or pat.fullmatch(region_name(actual)))
        return (region_key(value.text) or value.text.strip().lower()) == actual
    if value.is_pattern:
        return bool(_pattern(value.text).fullmatch(actual))
    return value.text.lower() == actual


def evaluate_condition(condition: Condition, context: dict[str, str]) -> Tri:
    """Evaluate with Kleene logic: a variable missing from ``context`` is unknown (None).

    ``context`` maps lower-case variable names to lower-case values (regions as 3-letter keys).
    ``any`` is true if one item is true, ``all`` false if one is false; ``=`` and ``!=`` on an
    unknown variable are both unknown, never true.
    """
    if isinstance(condition, ConditionGroup):
        results = (evaluate_condition(item, context) for item in condition.items)
        return _all(results) if condition.mode == "all" else _any(results)
    actual = context.get(condition.variable)
    if actual is None:
        return None
    if condition.operator == "=":
        return _value_matches(condition.variable, actual, condition.values[0])
    if condition.operator == "!=":
        return not _value_matches(condition.variable, actual, condition.values[0])
    if condition.operator == "in":
        return any(_value_matches(condition.variable, actual, v) for v in condition.values)
    return None  # before / after / between: time is not part of the question


def condition_variables(condition: Condition | None) -> set[str]:
    """Every variable a condition mentions."""
    if condition is None:
        return set()
    if isinstance(condition, Clause):
        return {condition.variable}
    return set().union(*(condition_variables(i) for i in condition.items))


# --------------------------------------------------------------------------------------------
# Evaluation
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Candidate:
    """A statement that applies to the group and place (or might), for one permission."""

    ref: StatementRef
    effect: str | None
    base: Tri  # subject and location match
    condition: Condition | None
    malformed: PolicyParseError | None
    resource_type: str | None
    base_reason: str


_CHECKS = (
    (BOOT_VOLUME_BACKUP_READ, "source"),
    (BOOT_VOLUME_BACKUP_COPY, "source"),
    (BOOT_VOLUME_BACKUP_CREATE, "destination"),
)


class Evaluator:
    """Policies prepared for one group and compartment; answers many region pairs quickly.

    Statements that cannot apply to the group or compartment are dropped once, at construction.
    """

    def __init__(self, policies: Any, group: str | GroupRef, compartment: str | None = None, *,
                 compartments: pd.DataFrame | None = None) -> None:
        self.policyset = load_policies(policies, compartments)
        self.group = group if isinstance(group, GroupRef) else GroupRef.parse(group)
        self.compartment = compartment
        self.place = _resolve_compartment(compartment, self.policyset)
        self.malformed: list[PolicyParseError] = []
        self.out_of_scope: list[StatementRef] = []
        self.candidates: dict[str, list[_Candidate]] = {p: [] for p, _ in _CHECKS}
        self.region_restricted = False
        self._create_cache: dict[str, PermissionCheck] = {}
        for entry in self.policyset.entries:
            self._add(entry.parsed, entry.attachment_path)

    def _add(self, parsed: Any, attachment: tuple[str, ...] | None) -> None:
        ref = StatementRef.of(parsed.origin, parsed.text)
        if isinstance(parsed, CrossTenancyStatement):
            self.out_of_scope.append(ref)
            return
        malformed = parsed.error if isinstance(parsed, MalformedStatement) else None
        if malformed is not None:
            self.malformed.append(malformed)
        subject = match_subject(parsed.subject, self.group) if parsed.subject is not None else None
        location = match_location(parsed.location, attachment, self.place) if parsed.location is not None else None
        base = _and(subject, location)
        if base is False:
            return
        reasons = []
        if malformed is not None:
            reasons.append(f"it does not parse: column {malformed.column}, expected {malformed.expected}")
        if subject is None and parsed.subject is not None:
            reasons.append("it names groups by OCID or name and the group was given the other way")
        if location is None and parsed.location is not None:
            reasons.append("its compartment cannot be placed without the compartments table")
        text = parsed.text.lower()
        if malformed is None and parsed.effect == "allow" and \
                condition_variables(parsed.condition) & REGION_VARIABLES:
            self.region_restricted = True
        elif malformed is not None and ("request.region" in text or "target.region" in text):
            self.region_restricted = True
        for permission, _ in _CHECKS:
            if not _may_include(parsed, permission):
                continue
            self.candidates[permission].append(_Candidate(
                ref=ref, effect=parsed.effect, base=base,
                condition=None if malformed is not None else parsed.condition,
                malformed=malformed, resource_type=parsed.resource_type, base_reason="; ".join(reasons)))

    def _check(self, permission: str, role: str, region: str, context: dict[str, str]) -> PermissionCheck:
        granted: list[StatementRef] = []
        denied: list[StatementRef] = []
        doubts: list[Doubt] = []
        assumptions: list[str] = []
        for cand in self.candidates[permission]:
            if cand.malformed is not None:
                verdict: Tri = None
                reason = cand.base_reason
            else:
                cond = True if cand.condition is None else evaluate_condition(cand.condition, context)
                verdict = _and(cand.base, cond)
                unknown_vars = sorted(condition_variables(cand.condition) - set(context))
                reason = "; ".join(filter(None, [cand.base_reason, (
                    f"its condition uses {', '.join(unknown_vars)}, unknown for this request"
                    if cond is None else "")]))
            if verdict is False:
                continue
            if cand.effect == "deny" and self.group.is_default_administrators:
                assumptions.append("Members of the Default domain's Administrators group are exempt from Deny.")
                continue
            if verdict is None:
                doubts.append(Doubt(cand.ref, cand.effect, reason or "unknown"))
            elif cand.effect == "deny":
                denied.append(cand.ref)
                assumptions.append("Deny semantics beyond 'deny wins' are undocumented: a Deny of a verb is "
                                   "taken to deny that verb's cumulative permissions.")
            else:
                granted.append(cand.ref)
                if is_uncertain_grant(cand.resource_type, permission):
                    assumptions.append(f"{cand.resource_type} is assumed to include {permission} "
                                       f"(undocumented; volume-family does not).")
        return PermissionCheck(permission, role, region_name(region), tuple(granted), tuple(denied),
                               tuple(doubts), tuple(dict.fromkeys(assumptions)))

    def _compartment_context(self) -> dict[str, str]:
        out = {}
        if self.place.ocid:
            out["target.compartment.id"] = self.place.ocid.lower()
        if self.place.path:
            out["target.compartment.name"] = self.place.path[-1]
        return out

    def verdict(self, source: str, destination: str) -> CopyVerdict:
        """Answer for one region pair (keys or names, any case)."""
        src, _ = resolve_region(source)
        dst, _ = resolve_region(destination)
        base = self._compartment_context()
        checks = []
        for permission, role in _CHECKS:
            if role == "source":
                context = {**base, "request.permission": permission.lower(), "request.region": src,
                           "target.region": dst, "request.operation": COPY_OPERATION.lower()}
                checks.append(self._check(permission, role, src, context))
            else:
                # target.region and request.operation are undocumented for the destination CREATE:
                # left unknown, so a statement relying on them never grants it.
                if dst not in self._create_cache:
                    context = {**base, "request.permission": permission.lower(), "request.region": dst}
                    self._create_cache[dst] = self._check(permission, role, dst, context)
                checks.append(self._create_cache[dst])
        allowed = all(c.granted_by and not c.denied_by for c in checks)
        return CopyVerdict(self.group, region_name(src), region_name(dst), self.compartment, tuple(checks),
                           tuple(self.malformed), tuple(self.out_of_scope), self.region_restricted, allowed)


def _may_include(parsed: Any, permission: str) -> bool:
    """Could this (possibly partial) statement's action include ``permission``?"""
    if parsed.permissions is not None:
        return permission in parsed.permissions
    if parsed.verb is not None and parsed.resource_type is not None:
        return permission in permissions_for(parsed.verb, parsed.resource_type)
    if isinstance(parsed, MalformedStatement):
        if parsed.verb is not None:  # resource type unread: the widest one could follow
            return permission in ALL_RESOURCES[parsed.verb]
        return True
    return False


def can_copy(policies: Any, group: str, source: str, destination: str, compartment: str | None = None, *,
             compartments: pd.DataFrame | None = None) -> CopyVerdict:
    """Return whether ``group`` can copy boot volume backups from ``source`` to ``destination``.

    ``policies``: statement strings, an iam_policies DataFrame (with ``compartments`` to resolve
    compartment paths), or a PolicySet. ``group``: a name, ``Domain/Name`` or a group OCID.
    Regions: keys or names, any case. ``compartment``: a path as policies write it
    (``Prod:Team1``), an OCID, or None for the root; the copy is assumed to stay in it.
    Raises :class:`~reportkit.errors.InputError` for an unknown region or compartment.
    """
    return Evaluator(policies, group, compartment, compartments=compartments).verdict(source, destination)


def copy_checker(policies: Any, group: str, *, compartments: pd.DataFrame | None = None
                 ) -> Callable[[str, str, str, str | None], tuple[bool | None, str]]:
    """Return a check for :func:`reportkit.plan.make_plan`'s ``iam_verdicts``.

    The callable takes (source region, destination region, compartment OCID, Vault key OCID) and
    returns (True / False / None when unknown, reason). Vault key permissions are not evaluated.
    """
    policyset = load_policies(policies, compartments)
    evaluators: dict[str | None, Evaluator] = {}

    def check(source: str, destination: str, compartment_id: str | None, kms_key_id: str | None
              ) -> tuple[bool | None, str]:
        if compartment_id not in evaluators:
            evaluators[compartment_id] = Evaluator(policyset, group, compartment_id or None)
        verdict = evaluators[compartment_id].verdict(source, destination)
        status = verdict.status
        allowed = {IamStatus.ALLOWED: True, IamStatus.DENIED: False}.get(status)
        return allowed, "; ".join(verdict.reasons())

    return check

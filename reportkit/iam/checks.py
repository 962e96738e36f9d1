"""One permission check for any subject: which statements apply (or might), and what they decide.

An evaluator (a group copying backups, a service using a key) hands :func:`gather` its own subject
matcher and the compartment asked about; :func:`decide` then answers one permission in one request
context. The rules are the same for every subject:

- a statement applies when its subject matches, its location covers the compartment, its verb +
  resource type (or ``{...}`` list) includes the permission, and its condition is true with
  ``request.permission`` set to that permission;
- unknown (a variable the request does not fix, an unplaceable compartment) never grants; it is
  kept as a :class:`~reportkit.iam.verdicts.Doubt`, so the answer can say ``unknown``;
- a malformed statement never grants; if it could have mattered it is a doubt too;
- a matching Deny wins over any Allow, unless the subject is exempt (the Default Administrators).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from reportkit.errors import PolicyParseError
from reportkit.iam.matching import (
    REGION_VARIABLES,
    Place,
    Tri,
    both,
    condition_variables,
    evaluate_condition,
    match_location,
)
from reportkit.iam.permissions import ALL_RESOURCES, permissions_for, uncertain_grant_note
from reportkit.iam.policyset import PolicySet
from reportkit.iam.statements import Condition, CrossTenancyStatement, MalformedStatement, Subject
from reportkit.iam.verdicts import Doubt, PermissionCheck, StatementRef

DENY_EXEMPT_NOTE = "Members of the Default domain's Administrators group are exempt from Deny."
DENY_SEMANTICS_NOTE = ("Deny semantics beyond 'deny wins' are undocumented: a Deny of a verb is taken to deny "
                       "that verb's cumulative permissions.")


@dataclass(frozen=True)
class Candidate:
    """A statement that applies to the subject and place (or might), for one permission."""

    ref: StatementRef
    effect: str | None
    base: Tri  # subject and location match
    condition: Condition | None
    malformed: PolicyParseError | None
    resource_type: str | None
    base_reason: str


@dataclass
class Candidates:
    """The statements prepared for one subject and place: per permission, those that apply or might."""

    by_permission: dict[str, list[Candidate]]
    malformed: list[PolicyParseError] = field(default_factory=list)
    out_of_scope: list[StatementRef] = field(default_factory=list)
    region_restricted: bool = False  # an Allow about this subject conditions on request/target.region


def gather(policyset: PolicySet, permissions: Iterable[str], match_subject: Callable[[Subject], Tri],
           place: Place, subject_doubt: str) -> Candidates:
    """Return the statements of ``policyset`` that could decide any of ``permissions`` for the subject
    ``match_subject`` accepts, at ``place``. ``subject_doubt`` says why a subject match is unknown."""
    out = Candidates({p: [] for p in permissions})
    for entry in policyset.entries:
        parsed = entry.parsed
        ref = StatementRef.of(parsed.origin, parsed.text)
        if isinstance(parsed, CrossTenancyStatement):
            out.out_of_scope.append(ref)
            continue
        malformed = parsed.error if isinstance(parsed, MalformedStatement) else None
        if malformed is not None:
            out.malformed.append(malformed)
        subject = match_subject(parsed.subject) if parsed.subject is not None else None
        location = (match_location(parsed.location, entry.attachment_path, place)
                    if parsed.location is not None else None)
        base = both(subject, location)
        if base is False:
            continue
        reasons = []
        if malformed is not None:
            reasons.append(f"it does not parse: column {malformed.column}, expected {malformed.expected}")
        if subject is None and parsed.subject is not None:
            reasons.append(subject_doubt)
        if location is None and parsed.location is not None:
            reasons.append("its compartment cannot be placed without the compartments table")
        text = parsed.text.lower()
        if malformed is None and parsed.effect == "allow" and \
                condition_variables(parsed.condition) & REGION_VARIABLES:
            out.region_restricted = True
        elif malformed is not None and ("request.region" in text or "target.region" in text):
            out.region_restricted = True
        for permission, found in out.by_permission.items():
            if may_include(parsed, permission):
                found.append(Candidate(
                    ref=ref, effect=parsed.effect, base=base,
                    condition=None if malformed is not None else parsed.condition,
                    malformed=malformed, resource_type=parsed.resource_type, base_reason="; ".join(reasons)))
    return out


def decide(candidates: Iterable[Candidate], permission: str, role: str, region: str, context: dict[str, str],
           *, deny_exempt: bool = False) -> PermissionCheck:
    """Return the check of ``permission`` in ``region`` for the request ``context`` (lower-case
    variable names and values; a variable missing from it is unknown)."""
    granted: list[StatementRef] = []
    denied: list[StatementRef] = []
    doubts: list[Doubt] = []
    assumptions: list[str] = []
    for cand in candidates:
        if cand.malformed is not None:
            verdict: Tri = None
            reason = cand.base_reason
        else:
            cond = True if cand.condition is None else evaluate_condition(cand.condition, context)
            verdict = both(cand.base, cond)
            unknown_vars = sorted(condition_variables(cand.condition) - set(context))
            reason = "; ".join(filter(None, [cand.base_reason, (
                f"its condition uses {', '.join(unknown_vars)}, unknown for this request"
                if cond is None else "")]))
        if verdict is False:
            continue
        if cand.effect == "deny" and deny_exempt:
            assumptions.append(DENY_EXEMPT_NOTE)
            continue
        if verdict is None:
            doubts.append(Doubt(cand.ref, cand.effect, reason or "unknown"))
        elif cand.effect == "deny":
            denied.append(cand.ref)
            assumptions.append(DENY_SEMANTICS_NOTE)
        else:
            granted.append(cand.ref)
            note = uncertain_grant_note(cand.resource_type, permission)
            if note:
                assumptions.append(note)
    return PermissionCheck(permission, role, region, tuple(granted), tuple(denied), tuple(doubts),
                           tuple(dict.fromkeys(assumptions)))


def may_include(parsed: Any, permission: str) -> bool:
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

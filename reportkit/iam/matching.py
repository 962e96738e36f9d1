"""Three-valued matching of a statement's location and condition against one request (no subjects, no verbs).

True, False, or None = unknown: a variable this request does not fix, a compartment that cannot be
placed. Unknown is never true, so it never grants; an evaluator reports it instead of a confident no.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from reportkit.errors import InputError
from reportkit.iam.policyset import PolicySet
from reportkit.iam.statements import Clause, Condition, ConditionGroup, Location
from reportkit.regions import region_key, region_name

Tri = bool | None  # True, False, or None = unknown

REGION_VARIABLES = frozenset({"request.region", "target.region"})


def all_of(values: Iterable[Tri]) -> Tri:
    """Kleene AND, lazily: False as soon as one is False; else None if one is unknown."""
    out: Tri = True
    for v in values:
        if v is False:
            return False
        if v is None:
            out = None
    return out


def any_of(values: Iterable[Tri]) -> Tri:
    """Kleene OR, lazily: True as soon as one is True; else None if one is unknown (not all of not)."""
    return _negated(all_of(_negated(v) for v in values))


def _negated(value: Tri) -> Tri:
    return None if value is None else not value


def both(*values: Tri) -> Tri:
    """Kleene AND of a few values."""
    return all_of(values)


@dataclass(frozen=True)
class Place:
    """The compartment asked about: path from the root (lower case) and, if known, OCID + ancestors."""

    path: tuple[str, ...] | None
    ocid: str | None
    ancestors: tuple[str, ...] | None

    def context(self) -> dict[str, str]:
        """The ``target.compartment.*`` variables this place fixes (lower case)."""
        out = {}
        if self.ocid:
            out["target.compartment.id"] = self.ocid.lower()
        if self.path:
            out["target.compartment.name"] = self.path[-1]
        return out


def resolve_compartment(compartment: str | None, policyset: PolicySet) -> Place:
    """Return the :class:`Place` of a compartment given as a path from the root (``Prod:Team1``,
    ``Prod/Team1``), an OCID, or None / ``tenancy`` for the root.

    Raises :class:`InputError` when the policies' compartments table is known and does not hold it.
    """
    tree = policyset.tree
    text = (compartment or "").strip()
    if text in ("", "/", ":") or text.lower() == "tenancy":
        root = next((cid for cid, parent in tree.parent.items() if parent is None), None)
        return Place((), root, (root,) if root else None)
    if text.lower().startswith("ocid1."):
        path = tree.names(text)
        if tree.parent and path is None:
            raise InputError(f"compartment {text!r} is not in the compartments table; check the OCID")
        return Place(None if path is None else tuple(p.lower() for p in path), text, tree.lineage(text))
    path = tuple(p.strip() for p in re.split(r"[:/]", text.strip("/:")) if p.strip())
    ocid = tree.id_of(path) if tree.parent else None
    if tree.parent and ocid is None:
        raise InputError(f"compartment path {text!r} is not in the compartments table; write it as policies "
                         f"do, from the root: Prod:Team1")
    return Place(tuple(p.lower() for p in path), ocid, tree.lineage(ocid) if ocid else None)


def match_location(location: Location, attachment: tuple[str, ...] | None, place: Place) -> Tri:
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
        return all_of(results) if condition.mode == "all" else any_of(results)
    actual = context.get(condition.variable)
    if actual is None:
        return None
    if condition.operator == "=":
        return _value_matches(condition.variable, actual, condition.values[0])
    if condition.operator == "!=":
        return not _value_matches(condition.variable, actual, condition.values[0])
    if condition.operator == "in":
        return any(_value_matches(condition.variable, actual, v) for v in condition.values)
    return None  # before / after / between: time is not part of the questions asked


def condition_variables(condition: Condition | None) -> set[str]:
    """Every variable a condition mentions."""
    if condition is None:
        return set()
    if isinstance(condition, Clause):
        return {condition.variable}
    return set().union(*(condition_variables(i) for i in condition.items))

"""IAM policy statements as frozen dataclasses: the syntax tree :mod:`reportkit.iam.parser` builds."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Union

from reportkit.errors import PolicyParseError


def _name_to_oci(name: str) -> str:
    """A name as a policy writes it: bare when it is one word, else quoted."""
    return name if re.fullmatch(r"[A-Za-z0-9_.\-+@]+", name) else f"'{name}'"


@dataclass(frozen=True)
class Principal:
    """One named principal of a subject: by name (optionally with its identity domain) or by OCID."""

    name: str | None = None
    domain: str | None = None  # None = the default identity domain ("Default")
    ocid: str | None = None

    def to_oci(self) -> str:
        if self.ocid:
            return f"id {self.ocid}"
        if self.domain is not None:
            return f"'{self.domain}'/'{self.name}'"
        return _name_to_oci(self.name or "")


@dataclass(frozen=True)
class Subject:
    """Who a statement is about: ``kind`` is group, dynamic-group, any-user, any-group or service."""

    kind: str
    principals: tuple[Principal, ...] = ()

    def to_oci(self) -> str:
        if not self.principals:
            return self.kind
        return f"{self.kind} " + ", ".join(p.to_oci() for p in self.principals)


@dataclass(frozen=True)
class Location:
    """Where a statement applies: the tenancy, a compartment path (relative to the policy's own
    compartment) or a compartment OCID."""

    kind: str  # "tenancy" | "compartment" | "compartment_id"
    path: tuple[str, ...] = ()
    ocid: str | None = None

    def to_oci(self) -> str:
        if self.kind == "tenancy":
            return "tenancy"
        if self.kind == "compartment_id":
            return f"compartment id {self.ocid}"
        return "compartment " + ":".join(self.path)


@dataclass(frozen=True)
class Value:
    """A condition value: a quoted string, or a ``/pattern/`` where ``*`` matches anything."""

    text: str
    is_pattern: bool = False

    def to_oci(self) -> str:
        return f"/{self.text}/" if self.is_pattern else f"'{self.text}'"


@dataclass(frozen=True)
class Clause:
    """One comparison: ``variable operator values``; the variable name is stored in lower case."""

    variable: str
    operator: str  # "=", "!=", "in", "before", "after", "between"
    values: tuple[Value, ...]

    def to_oci(self) -> str:
        if self.operator == "in":
            return f"{self.variable} in (" + ", ".join(v.to_oci() for v in self.values) + ")"
        if self.operator == "between":
            return f"{self.variable} between {self.values[0].to_oci()} and {self.values[1].to_oci()}"
        if self.operator in ("=", "!="):
            return f"{self.variable}{self.operator}{self.values[0].to_oci()}"
        return f"{self.variable} {self.operator} {self.values[0].to_oci()}"


@dataclass(frozen=True)
class ConditionGroup:
    """``all {...}`` (logical and) or ``any {...}`` (logical or) over nested conditions."""

    mode: str  # "all" | "any"
    items: tuple[Condition, ...]

    def to_oci(self) -> str:
        return f"{self.mode} {{" + ", ".join(i.to_oci() for i in self.items) + "}"


Condition = Union[Clause, ConditionGroup]


@dataclass(frozen=True)
class StatementOrigin:
    """Where a statement comes from: policy name, 1-based number in the policy, attachment."""

    policy_name: str = "policy"
    number: int = 1
    compartment_id: str | None = None  # compartment the policy is attached to; None = root


@dataclass(frozen=True)
class Statement:
    """A parsed Allow or Deny statement.

    Exactly one of (``verb`` + ``resource_type``) and ``permissions`` is set. Names are kept as
    written; verbs, resource types and variables are lower case, permissions upper case.
    """

    effect: str  # "allow" | "deny"
    subject: Subject
    location: Location
    verb: str | None = None
    resource_type: str | None = None
    permissions: tuple[str, ...] | None = None
    condition: Condition | None = None
    text: str = ""
    origin: StatementOrigin = field(default_factory=StatementOrigin)

    def to_oci(self) -> str:
        """Return the statement re-written in canonical OCI syntax."""
        action = (f"{{{', '.join(self.permissions)}}}" if self.permissions is not None
                  else f"{self.verb} {self.resource_type}")
        out = f"{self.effect.capitalize()} {self.subject.to_oci()} to {action} in {self.location.to_oci()}"
        if self.condition is not None:
            out += f" where {self.condition.to_oci()}"
        return out


@dataclass(frozen=True)
class CrossTenancyStatement:
    """A Define, Endorse or Admit statement: recognised, but out of scope (it grants nothing to a
    group inside its own tenancy)."""

    kind: str  # "define" | "endorse" | "admit"
    deny: bool = False
    text: str = ""
    origin: StatementOrigin = field(default_factory=StatementOrigin)


@dataclass(frozen=True)
class MalformedStatement:
    """A statement that did not parse. It never grants anything.

    The fields parsed before the error are kept (``None`` when not reached), so an evaluator can
    tell whether the statement, once fixed, could have mattered to a question.
    """

    error: PolicyParseError
    text: str = ""
    origin: StatementOrigin = field(default_factory=StatementOrigin)
    effect: str | None = None
    subject: Subject | None = None
    verb: str | None = None
    resource_type: str | None = None
    permissions: tuple[str, ...] | None = None
    location: Location | None = None


ParsedEntry = Union[Statement, CrossTenancyStatement, MalformedStatement]


@dataclass(frozen=True)
class ParsedPolicy:
    """Result of :func:`parse_policy`: every entry in order, plus the parse errors found."""

    entries: tuple[ParsedEntry, ...]

    @property
    def statements(self) -> tuple[Statement, ...]:
        """The Allow/Deny statements that parsed."""
        return tuple(e for e in self.entries if isinstance(e, Statement))

    @property
    def problems(self) -> tuple[PolicyParseError, ...]:
        """One :class:`PolicyParseError` per malformed statement."""
        return tuple(e.error for e in self.entries if isinstance(e, MalformedStatement))

    @property
    def out_of_scope(self) -> tuple[CrossTenancyStatement, ...]:
        return tuple(e for e in self.entries if isinstance(e, CrossTenancyStatement))

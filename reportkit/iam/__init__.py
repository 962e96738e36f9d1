"""IAM: can a group copy boot volume backups from region S to region T? (pure, no I/O)

- :func:`parse_policy` / :func:`parse_statement` read OCI policy statements;
- :func:`can_copy` answers the question with the statements that grant each permission;
- :func:`suggest_fix` proposes the minimal statements to add when the answer is no;
- :func:`copy_matrix` tabulates source x destination regions for one group.

See docs/iam.md for the grammar, the permission model and its documented uncertainties.
"""
from __future__ import annotations

from reportkit.errors import PolicyParseError
from reportkit.iam.parser import (
    Clause,
    ConditionGroup,
    CrossTenancyStatement,
    Location,
    MalformedStatement,
    ParsedPolicy,
    Principal,
    Statement,
    StatementOrigin,
    Subject,
    Value,
    parse_policy,
    parse_statement,
)
from reportkit.iam.permissions import permissions_for

__all__ = [
    "Clause",
    "ConditionGroup",
    "CrossTenancyStatement",
    "Location",
    "MalformedStatement",
    "ParsedPolicy",
    "PolicyParseError",
    "Principal",
    "Statement",
    "StatementOrigin",
    "Subject",
    "Value",
    "parse_policy",
    "parse_statement",
    "permissions_for",
]

"""IAM: can a group copy boot volume backups from region S to region T? May a service use a key? (pure)

- :func:`parse_policy` / :func:`parse_statement` read OCI policy statements;
- :func:`can_copy` answers the copy question with the statements that grant each permission;
- :func:`can_service_use_key` answers whether a service (Block Volume: ``blockstorage``) may
  perform cryptographic operations with a Vault key;
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
from reportkit.iam.evaluator import Evaluator, can_copy, copy_checker, group_permission
from reportkit.iam.matrix import (copy_matrices, copy_matrix, copy_permission_overview, groups_in_policies,
                                  regions_in_policies)
from reportkit.iam.permissions import permissions_for
from reportkit.iam.policyset import PolicySet, load_policies, policies_from_export, read_policies_file
from reportkit.iam.services import BLOCK_VOLUME_SERVICE, KeyUseEvaluator, can_service_use_key, key_use_checker
from reportkit.iam.suggest import suggest_fix
from reportkit.iam.verdicts import (CheckStatus, CopyVerdict, GroupRef, IamStatus, KeyUseVerdict, PermissionCheck,
                                    StatementRef)

__all__ = [
    "BLOCK_VOLUME_SERVICE",
    "CheckStatus",
    "CopyVerdict",
    "Evaluator",
    "GroupRef",
    "IamStatus",
    "KeyUseEvaluator",
    "KeyUseVerdict",
    "PermissionCheck",
    "PolicySet",
    "StatementRef",
    "can_copy",
    "can_service_use_key",
    "copy_checker",
    "copy_matrices",
    "copy_matrix",
    "copy_permission_overview",
    "group_permission",
    "groups_in_policies",
    "key_use_checker",
    "load_policies",
    "policies_from_export",
    "read_policies_file",
    "regions_in_policies",
    "suggest_fix",
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

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

from typing import Any, Callable

import pandas as pd

from reportkit.iam.checks import decide, gather
from reportkit.iam.matching import Tri, resolve_compartment
from reportkit.errors import InputError
from reportkit.iam.permissions import (
    BOOT_VOLUME_BACKUP_COPY,
    BOOT_VOLUME_BACKUP_CREATE,
    BOOT_VOLUME_BACKUP_READ,
    MODELLED_PERMISSIONS,
)
from reportkit.iam.policyset import load_policies
from reportkit.iam.statements import Subject
from reportkit.iam.verdicts import CopyVerdict, GroupRef, IamStatus, PermissionCheck
from reportkit.regions import region_name, resolve_region

COPY_OPERATION = "CopyBootVolumeBackup"


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


_GROUP_DOUBT = "it names groups by OCID or name and the group was given the other way"
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
        self.place = resolve_compartment(compartment, self.policyset)
        prepared = gather(self.policyset, [p for p, _ in _CHECKS], lambda s: match_subject(s, self.group),
                          self.place, _GROUP_DOUBT)
        self.candidates = prepared.by_permission
        self.malformed = prepared.malformed
        self.out_of_scope = prepared.out_of_scope
        self.region_restricted = prepared.region_restricted
        self._create_cache: dict[str, PermissionCheck] = {}

    def _check(self, permission: str, role: str, region: str, context: dict[str, str]) -> PermissionCheck:
        return decide(self.candidates[permission], permission, role, region_name(region), context,
                      deny_exempt=self.group.is_default_administrators)

    def verdict(self, source: str, destination: str) -> CopyVerdict:
        """Answer for one region pair (keys or names, any case)."""
        src, _ = resolve_region(source)
        dst, _ = resolve_region(destination)
        base = self.place.context()
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


def group_permission(policies: Any, group: str, permission: str, region: str, compartment: str | None = None, *,
                     compartments: pd.DataFrame | None = None) -> PermissionCheck:
    """Return the check of one modelled permission (``KEY_READ``, ``VAULT_INSPECT``,
    ``BOOT_VOLUME_BACKUP_READ``...) for ``group`` in ``region`` and ``compartment``: e.g. what an
    auditor's read-only policy grants. The request fixes ``request.permission``, ``request.region``
    and the compartment; every other variable is unknown. Raises InputError for a permission the
    model does not hold (it could not be answered honestly) or an unknown region or compartment.
    """
    name = permission.strip().upper()
    if name not in MODELLED_PERMISSIONS:
        raise InputError(f"permission {permission!r} is not modelled (only boot volume backup, volume backup, "
                         f"vault and key permissions are): its answer would be a guess")
    key, _ = resolve_region(region)
    policyset = load_policies(policies, compartments)
    ref = GroupRef.parse(group)
    place = resolve_compartment(compartment, policyset)
    prepared = gather(policyset, [name], lambda s: match_subject(s, ref), place, _GROUP_DOUBT)
    context = {**place.context(), "request.permission": name.lower(), "request.region": key}
    return decide(prepared.by_permission[name], name, "requested", region_name(key), context,
                  deny_exempt=ref.is_default_administrators)


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

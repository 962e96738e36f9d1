"""May a service (Block Volume: ``blockstorage``) use a Vault key? With the statements that say so.

The copy page: "you need to use a policy that allows the Block Volume service to perform
cryptographic operations with keys in the destination region"; Oracle's sample (Common Policies,
"services-use-key") is ``Allow service blockstorage, objectstorage-<region_name>, oke, streaming to
use keys in compartment ABC where target.key.id = '<key_OCID>'``. ``use keys`` adds KEY_ENCRYPT and
KEY_DECRYPT (Vault policy reference), so both are checked, in the key's region and compartment:

- a statement's subject matches when it is ``service`` naming the service (names compare
  case-insensitively) or ``any-user``, which Oracle documents as covering service principals;
  ``group``, ``dynamic-group`` and ``any-group`` never do;
- the request fixes ``request.permission``, ``request.region`` (the key's region),
  ``target.key.id``, ``target.vault.id`` (when the vault is given) and the key's compartment;
  every other variable is unknown. ``request.kms-key.id`` is documented for the requests that
  create block volumes and buckets, not for a service's own key operations, so it stays unknown:
  a statement that needs it never grants, and the answer says ``unknown``;
- malformed statements, Deny and compartments behave as for groups (:mod:`reportkit.iam.checks`).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

from reportkit.errors import InputError
from reportkit.iam.checks import decide, gather
from reportkit.iam.matching import Tri, resolve_compartment
from reportkit.iam.permissions import KEY_CRYPTO_PERMISSIONS
from reportkit.iam.policyset import load_policies
from reportkit.iam.statements import Subject
from reportkit.iam.verdicts import IamStatus, KeyUseVerdict
from reportkit.regions import region_key, resolve_region

BLOCK_VOLUME_SERVICE = "blockstorage"


def match_service(subject: Subject, service: str) -> Tri:
    """True if ``subject`` covers the service principal ``service`` (``service`` lists or any-user)."""
    if subject.kind == "any-user":
        return True  # "Any-user will grant access to all users, ... and service principal" (subject page)
    if subject.kind != "service":
        return False
    return any((p.name or "").lower() == service.lower() for p in subject.principals)


def key_region(key_id: str, region: str | None = None) -> tuple[str, str] | None:
    """``(key, name)`` of the key's region: ``region`` if given (an unknown one is an InputError), else
    the region segment of the key OCID (``ocid1.key.oc1.<region>.<...>``), else None."""
    if region:
        return resolve_region(region)
    parts = key_id.split(".")
    found = region_key(parts[3]) if len(parts) > 4 and parts[3] else None
    return resolve_region(found) if found else None


class KeyUseEvaluator:
    """Policies prepared for one service and one key compartment; answers many keys quickly."""

    def __init__(self, policies: Any, service: str = BLOCK_VOLUME_SERVICE, key_compartment: str | None = None, *,
                 compartments: pd.DataFrame | None = None) -> None:
        if not service.strip():
            raise InputError("empty service name: give the service principal's name, e.g. blockstorage")
        self.policyset = load_policies(policies, compartments)
        self.service = service.strip()
        self.key_compartment = key_compartment
        self.place = resolve_compartment(key_compartment, self.policyset)
        self.prepared = gather(self.policyset, KEY_CRYPTO_PERMISSIONS, lambda s: match_service(s, self.service),
                               self.place, "its subject cannot be matched to a service")

    def verdict(self, key_id: str, *, region: str | None = None, vault_id: str | None = None) -> KeyUseVerdict:
        """Answer for one key (its region given, or read from its OCID; its vault if known)."""
        if not key_id.strip():
            raise InputError("empty key OCID: give the Vault key's OCID (ocid1.key.oc1...)")
        where = key_region(key_id.strip(), region)
        name = where[1] if where else None
        base = {**self.place.context(), "target.key.id": key_id.strip().lower()}
        if where is not None:
            base["request.region"] = where[0]
        if vault_id:
            base["target.vault.id"] = vault_id.strip().lower()
        checks = tuple(
            decide(self.prepared.by_permission[permission], permission, "the key's region",
                   name or "an unknown region", {**base, "request.permission": permission.lower()})
            for permission in KEY_CRYPTO_PERMISSIONS)
        allowed = all(c.granted_by and not c.denied_by for c in checks)
        return KeyUseVerdict(self.service, key_id.strip(), self.key_compartment, vault_id, name, checks,
                             tuple(self.prepared.malformed), tuple(self.prepared.out_of_scope),
                             self.prepared.region_restricted, allowed)


def can_service_use_key(policies: Any, service: str = BLOCK_VOLUME_SERVICE, *, key_id: str,
                        key_compartment: str | None = None, region: str | None = None, vault_id: str | None = None,
                        compartments: pd.DataFrame | None = None) -> KeyUseVerdict:
    """Return whether ``service`` may perform cryptographic operations (KEY_ENCRYPT and KEY_DECRYPT)
    with the Vault key ``key_id``.

    ``policies``: as for :func:`~reportkit.iam.can_copy`. ``key_compartment``: the key's compartment as
    a path (``Prod:Security``), an OCID, or None for the root. ``region``: the key's region (key or
    name); None reads it from the key OCID, and leaves ``request.region`` unknown if it cannot.
    ``vault_id``: the key's vault, for ``target.vault.id`` conditions (unknown when None).
    Raises :class:`~reportkit.errors.InputError` for an unknown region or compartment.
    """
    evaluator = KeyUseEvaluator(policies, service, key_compartment, compartments=compartments)
    return evaluator.verdict(key_id, region=region, vault_id=vault_id)


def key_use_checker(policies: Any, service: str = BLOCK_VOLUME_SERVICE, *, compartments: pd.DataFrame | None = None
                    ) -> Callable[..., tuple[bool | None, str, list[str]]]:
    """Return a check for many keys: ``check(key_id, compartment_id, region=None, vault_id=None)`` returns
    (True / False / None when unknown, reason, the statements that would fix a no)."""
    from reportkit.iam.suggest import suggest_fix

    policyset = load_policies(policies, compartments)
    evaluators: dict[str | None, KeyUseEvaluator] = {}

    def check(key_id: str, compartment_id: str | None, region: str | None = None, vault_id: str | None = None
              ) -> tuple[bool | None, str, list[str]]:
        if compartment_id not in evaluators:
            evaluators[compartment_id] = KeyUseEvaluator(policyset, service, compartment_id or None)
        verdict = evaluators[compartment_id].verdict(key_id, region=region, vault_id=vault_id)
        allowed = {IamStatus.ALLOWED: True, IamStatus.DENIED: False}.get(verdict.status)
        return allowed, "; ".join(verdict.reasons()), suggest_fix(verdict)

    return check

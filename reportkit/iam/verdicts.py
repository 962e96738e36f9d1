"""What the IAM evaluators answer: the verdict of a copy or of a service's use of a key, each permission
check, and the statements behind them."""
from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from reportkit.errors import InputError, PolicyParseError
from reportkit.iam.statements import StatementOrigin


class CheckStatus(StrEnum):
    """One permission check: granted, missing (nothing grants it), denied (a Deny applies), unknown."""

    GRANTED = "granted"
    MISSING = "missing"
    DENIED = "denied"
    UNKNOWN = "unknown"


class IamStatus(StrEnum):
    """A question's answer (a copy, a service using a key). ``unknown``: a malformed statement or an
    unknown variable could have changed it."""

    ALLOWED = "allowed"
    DENIED = "denied"
    UNKNOWN = "unknown"


def status_of(checks: tuple[PermissionCheck, ...]) -> IamStatus:
    """Denied if one check is missing or denied; else unknown if one is unknown; else allowed."""
    statuses = {c.status for c in checks}
    if statuses & {CheckStatus.MISSING, CheckStatus.DENIED}:
        return IamStatus.DENIED
    if CheckStatus.UNKNOWN in statuses:
        return IamStatus.UNKNOWN
    return IamStatus.ALLOWED


@dataclass(frozen=True)
class StatementRef:
    """Which statement: its policy, 1-based number in the policy, and text as written."""

    policy_name: str
    number: int
    text: str

    @classmethod
    def of(cls, origin: StatementOrigin, text: str) -> StatementRef:
        return cls(origin.policy_name, origin.number, " ".join(text.split()))

    def __str__(self) -> str:
        return f"policy {self.policy_name!r} statement {self.number}: {self.text}"


@dataclass(frozen=True)
class Doubt:
    """A statement that could have changed a check's answer, and why it is not counted."""

    statement: StatementRef
    effect: str | None  # "allow", "deny", or None when even that could not be read
    reason: str


@dataclass(frozen=True)
class PermissionCheck:
    """One of the three checks: a permission in a region, and the statements that decide it."""

    permission: str
    role: str  # "source" | "destination"
    region: str  # region name
    granted_by: tuple[StatementRef, ...]
    denied_by: tuple[StatementRef, ...]
    doubts: tuple[Doubt, ...]
    assumptions: tuple[str, ...] = ()

    @property
    def status(self) -> CheckStatus:
        if self.denied_by:
            return CheckStatus.DENIED
        if self.granted_by:
            if any(d.effect in ("deny", None) for d in self.doubts):
                return CheckStatus.UNKNOWN
            return CheckStatus.GRANTED
        if any(d.effect in ("allow", None) for d in self.doubts):
            return CheckStatus.UNKNOWN
        return CheckStatus.MISSING

    def describe(self) -> str:
        """One line: the permission, where, and what decides it."""
        head = f"{self.permission} in {self.region} ({self.role})"
        if self.denied_by:
            text = f"{head}: DENIED by " + "; ".join(map(str, self.denied_by))
        elif self.granted_by:
            text = f"{head}: granted by " + "; ".join(map(str, self.granted_by))
        else:
            text = f"{head}: no statement grants it"
        for doubt in self.doubts:
            relevant = (doubt.effect in ("deny", None)) if self.granted_by else (doubt.effect in ("allow", None))
            if relevant and not self.denied_by:
                text += f"; {doubt.statement} might change this ({doubt.reason})"
        return text


class _Checked:
    """What every verdict made of permission checks shares; the dataclasses below hold ``checks``,
    ``malformed`` and ``out_of_scope``."""

    checks: tuple[PermissionCheck, ...]
    malformed: tuple[PolicyParseError, ...]
    out_of_scope: tuple[StatementRef, ...]

    @property
    def status(self) -> IamStatus:
        return status_of(self.checks)

    def check(self, permission: str) -> PermissionCheck:
        """The check for ``permission`` (e.g. ``BOOT_VOLUME_BACKUP_COPY``, ``KEY_ENCRYPT``)."""
        return next(c for c in self.checks if c.permission == permission.upper())

    def reasons(self) -> list[str]:
        """Why the answer is not a plain yes: one line per check that is not granted."""
        return [c.describe() for c in self.checks if c.status is not CheckStatus.GRANTED]

    def _explained(self, headline: str) -> str:
        """The headline, each check with its statements, then malformed and cross-tenancy statements
        and the assumptions the answer rests on."""
        lines = [headline] + [f"  [{c.status.value}] {c.describe()}" for c in self.checks]
        if self.malformed:
            lines.append("Malformed statements (they grant nothing until fixed):")
            lines += [f"  - {e}" for e in self.malformed]
        if self.out_of_scope:
            lines.append("Cross-tenancy statements (Define/Endorse/Admit) are out of scope and were not evaluated:")
            lines += [f"  - {s}" for s in self.out_of_scope]
        notes = sorted({a for c in self.checks for a in c.assumptions})
        if notes:
            lines.append("Assumptions (not documented by Oracle; see docs/iam.md):")
            lines += [f"  - {n}" for n in notes]
        return "\n".join(lines)


@dataclass(frozen=True)
class GroupRef:
    """The group asked about: a name (with its identity domain, Default if none) or an OCID."""

    text: str
    name: str | None = None
    domain: str = "Default"
    ocid: str | None = None

    @classmethod
    def parse(cls, text: str) -> GroupRef:
        value = text.strip()
        if not value:
            raise InputError("empty group: give a group name, Domain/Name or a group OCID")
        if value.lower().startswith("ocid1."):
            return cls(value, ocid=value)
        if "/" in value:
            domain, _, name = value.partition("/")
            domain, name = domain.strip().strip("'"), name.strip().strip("'")
            if not domain or not name:
                raise InputError(f"group {text!r}: expected Domain/Name, e.g. Default/VolumeAdmins")
            return cls(value, name=name, domain=domain)
        return cls(value, name=value.strip("'"))

    def to_oci(self) -> str:
        """The subject as a policy statement writes it."""
        if self.ocid:
            return f"group id {self.ocid}"
        if self.domain.lower() != "default" or "/" in self.text:
            return f"group '{self.domain}'/'{self.name}'"
        return f"group {self.name}" if re.fullmatch(r"[A-Za-z0-9_.\-+@]+", self.name or "") else f"group '{self.name}'"

    @property
    def is_default_administrators(self) -> bool:
        return self.ocid is None and self.domain.lower() == "default" and (self.name or "").lower() == "administrators"


@dataclass(frozen=True)
class CopyVerdict(_Checked):
    """The answer to "can ``group`` copy from ``source`` to ``destination``?" and why.

    ``allowed`` is True only when every check is granted by a statement that parsed and no Deny
    applies. ``status`` adds ``unknown`` when a malformed statement or an unknown variable could
    have changed the answer.
    """

    group: GroupRef
    source: str  # region name
    destination: str  # region name
    compartment: str | None  # as asked (None = the root compartment)
    checks: tuple[PermissionCheck, ...]
    malformed: tuple[PolicyParseError, ...]
    out_of_scope: tuple[StatementRef, ...]
    region_restricted: bool
    allowed: bool

    def explain(self) -> str:
        """A human-readable verdict: the answer, each check with its statements, problems, assumptions."""
        where = f"compartment {self.compartment}" if self.compartment else "the root compartment (tenancy)"
        answer = {IamStatus.ALLOWED: "CAN copy", IamStatus.DENIED: "CANNOT copy",
                  IamStatus.UNKNOWN: "cannot be shown to copy"}[self.status]
        return self._explained(f"Group {self.group.text} {answer} boot volume backups from {self.source} to "
                               f"{self.destination} in {where} (status: {self.status.value}).")


@dataclass(frozen=True)
class KeyUseVerdict(_Checked):
    """The answer to "may ``service`` perform cryptographic operations with this Vault key?" and why.

    ``allowed`` is True only when KEY_ENCRYPT and KEY_DECRYPT are both granted by statements that
    parsed and no Deny applies; ``status`` adds ``unknown`` as :class:`CopyVerdict` does.
    """

    service: str
    key_id: str
    key_compartment: str | None  # as asked (None = the root compartment)
    vault_id: str | None
    region: str | None  # the key's region name; None when neither given nor readable from the key OCID
    checks: tuple[PermissionCheck, ...]
    malformed: tuple[PolicyParseError, ...]
    out_of_scope: tuple[StatementRef, ...]
    region_restricted: bool
    allowed: bool

    def explain(self) -> str:
        """A human-readable verdict: the answer, each check with its statements, problems, assumptions."""
        where = f"compartment {self.key_compartment}" if self.key_compartment else "the root compartment (tenancy)"
        answer = {IamStatus.ALLOWED: "MAY use", IamStatus.DENIED: "MAY NOT use",
                  IamStatus.UNKNOWN: "cannot be shown to use"}[self.status]
        return self._explained(f"Service {self.service} {answer} Vault key {self.key_id} in {where}, region "
                               f"{self.region or 'unknown'} (status: {self.status.value}).")

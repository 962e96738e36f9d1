"""A copy plan as data: CopyPlan, its summary, and the ids, retry tokens and CLI commands of its entries."""
from __future__ import annotations

import hashlib
import math
import shlex
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from reportkit.schema import Encryption, PlanKind, PlanStatus

PLAN_FORMAT = "reportkit-copy-plan"
PLAN_FORMAT_VERSION = 1

# (source_region, destination_region, compartment_id, kms_key_id) -> (allowed or None, reason)
IamCheck = Callable[[str, str, str, str | None], tuple[bool | None, str]]


@dataclass(frozen=True)
class PlanSummary:
    """The plan in numbers (planned copies only, unless the name says otherwise)."""

    copies: int
    gb_to_transfer: int
    waves: int
    blocked: int
    volumes: int
    skipped_volumes: int
    iam_denied: int
    encryption_downgrades: int
    stale_after_copy: int

    def to_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class CopyPlan:
    """A copy plan: ``entries`` (schema.PLAN_ENTRIES), ``skipped`` (schema.PLAN_SKIPPED), summary.

    ``parameters`` records every choice the plan was made with (rpo_days, as_of,
    kms_key_map, allow_encryption_downgrade, group, tenancy), so the file can be defended later.
    ``plan_id`` is a hash of the planned entries and their retry tokens.
    """

    entries: pd.DataFrame
    skipped: pd.DataFrame
    summary: PlanSummary
    parameters: dict[str, Any] = field(default_factory=dict)

    @property
    def plan_id(self) -> str:
        return plan_id_of(self.entries)

    def planned(self) -> pd.DataFrame:
        """Return the entries the executor will make, in execution order (wave, then region)."""
        rows = self.entries[self.entries["status"] == PlanStatus.PLANNED]
        return rows.sort_values(["wave", "source_region", "boot_volume_id", "destination_region"],
                                kind="stable").reset_index(drop=True)


def summarize_plan(entries: pd.DataFrame, skipped: pd.DataFrame) -> PlanSummary:
    """Return the :class:`PlanSummary` of plan frames (copies/GB/waves count planned rows only)."""
    planned = entries[entries["status"] == PlanStatus.PLANNED]
    return PlanSummary(
        copies=len(planned),
        gb_to_transfer=int(planned["size_gb"].fillna(0).sum()),
        waves=int(planned["wave"].max()) if len(planned) else 0,
        blocked=int((entries["status"] == PlanStatus.BLOCKED).sum()),
        volumes=int(planned["boot_volume_id"].nunique()),
        skipped_volumes=int(skipped["boot_volume_id"].nunique()),
        iam_denied=int((entries["iam_allowed"] == False).sum()),  # noqa: E712 - NA-aware compare
        encryption_downgrades=int((planned["encryption"] == Encryption.DOWNGRADE).sum()),
        stale_after_copy=int(planned["note"].fillna("").str.contains("older than the RPO").sum()),
    )


def plan_id_of(entries: pd.DataFrame) -> str:
    """Return a short hash of the planned entries (entry_id + retry_token), order-independent."""
    planned = entries[entries["status"] == PlanStatus.PLANNED]
    items = sorted(f"{e}:{t}" for e, t in zip(planned["entry_id"], planned["retry_token"], strict=True))
    return hashlib.sha256("\n".join(items).encode()).hexdigest()[:16]


def entry_id_for(backup_id: str, destination_region: str) -> str:
    """Return the deterministic entry id of "copy ``backup_id`` to ``destination_region``"."""
    return hashlib.sha256(f"{backup_id}|{destination_region}".encode()).hexdigest()[:16]


def retry_token_for(entry_id: str, previous_failures: int = 0) -> str:
    """Return the opc-retry-token for an entry (OCI keeps it 24 h; max 64 characters).

    The same entry always gets the same token, so a retried or re-run request returns the copy
    already made instead of making a second one. ``previous_failures`` (FAULTY/TERMINATED copies
    of the same backup to the same region seen by the assessment) changes the token, so a plan
    made after a failed copy asks for a new one rather than getting the failed one back.
    """
    return "rk-" + hashlib.sha256(f"reportkit-copy|{entry_id}|{previous_failures}".encode()).hexdigest()[:40]


def copy_cli_command(backup_id: str, destination_region: str, source_region: str, *,
                     kms_key_id: str | None = None, display_name: str | None = None, group: bool = False) -> str:
    """Return the equivalent ``oci bv boot-volume-backup copy`` command (``group``: ``oci bv
    volume-group-backup copy``), shell-quoted."""
    noun = "volume-group-backup" if group else "boot-volume-backup"
    parts = ["oci", "bv", noun, "copy", f"--{noun}-id", backup_id, "--destination-region", destination_region]
    if display_name:
        parts += ["--display-name", display_name]
    if kms_key_id:
        parts += ["--kms-key-id", kms_key_id]
    parts += ["--region", source_region]
    return " ".join(shlex.quote(p) for p in parts)


def copy_encryption(source_key: str | None, dest_key: str | None, dest: str, *, allow_downgrade: bool,
                    source: str, holder: str) -> tuple[Encryption, PlanStatus, str | None, str | None]:
    """(encryption, status, block reason, note) of a copy to ``dest``: a destination key wins; a
    Vault-encrypted source without one is blocked unless downgrades are allowed. ``source`` and
    ``holder`` name what holds ``source_key`` in the note and in the reason."""
    if dest_key:
        return Encryption.VAULT, PlanStatus.PLANNED, None, None
    if source_key and allow_downgrade:
        return (Encryption.DOWNGRADE, PlanStatus.PLANNED, None,
                f"{source} is encrypted with Vault key {source_key}; the copy in {dest} will use an "
                "Oracle-managed key (allowed by allow_encryption_downgrade)")
    if source_key:
        return (Encryption.NO_KEY, PlanStatus.BLOCKED,
                f"{holder} is encrypted with Vault key {source_key} and no key for {dest} is in the kms key map: "
                "add a destination key (--kms-key-map) or pass --allow-encryption-downgrade", None)
    return Encryption.ORACLE_MANAGED, PlanStatus.PLANNED, None, None


def stale_note(created: Any, as_of: pd.Timestamp | None, rpo_days: Any, *, what: str, fresh: str) -> str | None:
    """The note of a copy whose source is already older than the RPO (it will stay stale)."""
    if rpo_days is None or as_of is None or created is None or pd.isna(created):
        return None
    age = (as_of - pd.Timestamp(created)).total_seconds() / 86400
    if age <= float(rpo_days):
        return None
    return (f"newest AVAILABLE {what} is {math.floor(age)} days old, older than the RPO of {rpo_days} days: the "
            f"copy stays stale; take a new {fresh} first")


def chain_key(entry: Mapping[str, Any]) -> tuple[str, str]:
    """(what OCI copies one at a time, source region): the boot volume, or the volume group of a
    volume group backup copy. Entries with the same key run one after the other (waves)."""
    if entry.get("kind") == PlanKind.VOLUME_GROUP_BACKUP:
        return f"volume group {entry.get('volume_group_id')}", str(entry["source_region"])
    return str(entry["boot_volume_id"]), str(entry["source_region"])


def assign_waves(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return ``entries`` with ``wave`` set: 1, 2, ... per (boot volume, source region), or per
    (volume group, source region) for volume group backup copies.

    OCI allows one copy per boot volume (volume group) at a time from a source region, so the n-th
    planned copy of a volume (group) goes in wave n. Blocked entries get no wave. Destinations are
    ordered by name so the same assessment always gives the same plan.
    """
    out = [dict(e) for e in entries]
    counters: dict[tuple[str, str], int] = {}
    for e in sorted(out, key=lambda e: (*chain_key(e), e["destination_region"])):
        if e["status"] != PlanStatus.PLANNED:
            e["wave"] = None
            continue
        key = chain_key(e)
        counters[key] = counters.get(key, 0) + 1
        e["wave"] = counters[key]
    return out

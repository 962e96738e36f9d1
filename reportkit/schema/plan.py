"""Copy plan tables: what ``make_plan`` builds and ``execute_plan`` reads."""
from __future__ import annotations

from enum import StrEnum

from reportkit.schema.table import BOOL, CATEGORY, INT, STRING, TIMESTAMP, Column, Table, enum_values


class PlanStatus(StrEnum):
    """Whether a plan entry will be executed."""

    PLANNED = "planned"
    BLOCKED = "blocked"


class PlanKind(StrEnum):
    """What a plan entry copies: one boot volume backup, or a whole volume group backup."""

    BOOT_VOLUME_BACKUP = "boot_volume_backup"    # CopyBootVolumeBackup
    VOLUME_GROUP_BACKUP = "volume_group_backup"  # CopyVolumeGroupBackup: the group's policy sets the destination


class Encryption(StrEnum):
    """How the copy will be encrypted in the destination region."""

    ORACLE_MANAGED = "oracle_managed"  # source and copy use Oracle-managed keys
    VAULT = "vault"                    # the copy uses the destination Vault key from kms_key_map
    DOWNGRADE = "downgrade"            # Vault-encrypted source, Oracle-managed copy (explicitly allowed)
    NO_KEY = "no_key"                  # Vault-encrypted source, no destination key, not allowed: blocked


PLAN_ENTRIES = Table("plan_entries", "One row per cross-region copy the plan would make (or blocks).", (
    Column("entry_id", STRING, "Deterministic id: hash of source backup OCID + destination region"),
    Column("kind", CATEGORY, "boot_volume_backup (CopyBootVolumeBackup) or volume_group_backup "
                             "(CopyVolumeGroupBackup)", enum_values(PlanKind)),
    Column("wave", INT, "1 for a volume's (a volume group's) first copy from its source region, 2 for its second, "
                        "...; empty when blocked"),
    Column("source_region", STRING, "Region the source backup lives in (the copy request goes there)"),
    Column("destination_region", STRING, "Region the copy is made in"),
    Column("backup_id", STRING, "Source backup OCID: the volume's newest AVAILABLE boot volume backup, or for "
                                "kind volume_group_backup the newest AVAILABLE root volume group backup holding it"),
    Column("boot_volume_id", STRING, "Boot volume the backup was taken from (volume_group_backup: the boot volumes "
                                     "that need the copy, comma-separated)"),
    Column("volume_group_id", STRING, "volume_group_backup entries: the volume group backed up"),
    Column("volume_name", STRING, "Display name of the boot volume (volume_group_backup: of each, comma-separated)"),
    Column("compartment_id", STRING, "Compartment of the source backup"),
    Column("compartment_path", STRING, "Path of that compartment, e.g. Prod/App"),
    Column("size_gb", INT, "Size of the backup's boot volume, GB (what the copy transfers at most)"),
    Column("backup_time_created", TIMESTAMP, "Point in time of the source backup"),
    Column("source_kms_key_id", STRING, "Vault key of the source backup; empty = Oracle-managed"),
    Column("kms_key_id", STRING, "Vault key (in the destination region) the copy will use; empty = Oracle-managed"),
    Column("encryption", CATEGORY, "How the copy is encrypted", enum_values(Encryption)),
    Column("display_name", STRING, "Display name the copy gets"),
    Column("status", CATEGORY, "planned (the executor makes it) or blocked (it never does)", enum_values(PlanStatus)),
    Column("block_reason", STRING, "Why the entry is blocked, and what to do"),
    Column("iam_allowed", BOOL, "Whether the group's IAM policies allow the copy; empty = not checked"),
    Column("iam_reason", STRING, "IAM evaluation detail (missing permission, region), when checked"),
    Column("note", STRING, "Caveat, e.g. the source backup is older than the RPO so the copy stays stale"),
    Column("retry_token", STRING, "opc-retry-token the executor sends, so a re-run cannot make a second copy"),
    Column("cli_command", STRING, "The equivalent `oci bv boot-volume-backup copy` command"),
))

PLAN_SKIPPED = Table("plan_skipped", "Boot volumes the plan does not copy, with the reason.", (
    Column("boot_volume_id", STRING, "Boot volume OCID"),
    Column("region", STRING, "Region of the boot volume"),
    Column("volume_name", STRING, "Display name of the boot volume"),
    Column("compartment_path", STRING, "Compartment path"),
    Column("coverage_status", STRING, "Coverage verdict of the assessment"),
    Column("destination_region", STRING, "Destination concerned; empty = every destination"),
    Column("reason", STRING, "Why no copy is planned, and what to do"),
))

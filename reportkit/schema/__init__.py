"""Every table's columns, declared once, and the status vocabularies (``from reportkit.schema import X``).

One module per family of tables: :mod:`~reportkit.schema.inventory` (what collect reads),
:mod:`~reportkit.schema.assessment` (what assess derives), :mod:`~reportkit.schema.plan` and
:mod:`~reportkit.schema.copy`; :mod:`~reportkit.schema.table` holds Column and Table. The
declarations are reused for validation, coercion, empty frames, the docs and the report's data
dictionary (:func:`data_dictionary`).
"""
from __future__ import annotations

from reportkit.schema.assessment import (
    ACCEPTED_KIND,
    ASSESSED_BACKUPS,
    ASSESSED_GROUP_BACKUPS,
    ASSESSED_IMAGES,
    ASSESSED_VOLUMES,
    ABSENCE_VERDICTS,
    ACTION_NEEDED,
    ASSESSMENT_TABLES,
    CONTROLS,
    COPY_JUDGED,
    COPYABLE_IMAGE_CLASSES,
    COVERAGE_STATUSES,
    NOT_ASSESSABLE,
    PLANNABLE,
    FINDINGS,
    LAPSING_COVERAGE,
    PROTECTION_BY_KIND,
    PROTECTION_ITEMS,
    Accept,
    Control,
    CopyStatus,
    CoverageStatus,
    ImageClass,
    ItemState,
    ProtectionKind,
    RequirementSource,
    Role,
    Severity,
)
from reportkit.schema.copy import COPY_RESULTS, CopyOutcome
from reportkit.schema.inventory import (
    BACKUP_POLICIES,
    BACKUPS,
    BOOT_VOLUMES,
    COMPARTMENTS,
    ERRORS,
    IAM_POLICIES,
    IMAGES,
    INVENTORY_TABLES,
    LATER_TABLES,
    POLICY_ASSIGNMENTS,
    REGIONS,
    BOOT_VOLUME_REPLICAS,
    VOLUME_GROUP_BACKUP_MEMBERS,
    VOLUME_GROUP_BACKUPS,
    VOLUME_GROUP_MEMBERS,
    VOLUME_GROUP_REPLICAS,
    VOLUME_GROUPS,
    AssetType,
    BackupState,
)
from reportkit.schema.plan import PLAN_ENTRIES, PLAN_SKIPPED, Encryption, PlanKind, PlanStatus
from reportkit.schema.table import (
    BOOL,
    CATEGORY,
    FLOAT,
    INT,
    OBJECT,
    STRING,
    TIMESTAMP,
    Column,
    Table,
    data_dictionary,
    enum_values,
)

__all__ = [
    "ABSENCE_VERDICTS", "ACTION_NEEDED", "COPY_JUDGED", "COPYABLE_IMAGE_CLASSES", "COVERAGE_STATUSES",
    "NOT_ASSESSABLE", "PLANNABLE", "ASSESSED_BACKUPS", "ASSESSED_IMAGES", "ASSESSED_VOLUMES", "ASSESSMENT_TABLES", "BACKUP_POLICIES", "BACKUPS",
    "BOOL", "BOOT_VOLUMES", "CATEGORY", "COMPARTMENTS", "CONTROLS", "COPY_RESULTS", "ERRORS", "FINDINGS", "FLOAT",
    "IAM_POLICIES", "IMAGES", "INT", "INVENTORY_TABLES", "OBJECT", "PLAN_ENTRIES", "PLAN_SKIPPED",
    "POLICY_ASSIGNMENTS", "REGIONS", "STRING", "TIMESTAMP", "BackupState", "Column", "Control", "CopyOutcome",
    "CopyStatus", "CoverageStatus", "Encryption", "ImageClass", "PlanKind", "PlanStatus", "ProtectionKind", "Role",
    "Severity", "ACCEPTED_KIND", "ASSESSED_GROUP_BACKUPS", "LAPSING_COVERAGE", "PROTECTION_BY_KIND", "PROTECTION_ITEMS",
    "Accept", "ItemState", "RequirementSource",
    "Table", "data_dictionary", "enum_values", "LATER_TABLES", "BOOT_VOLUME_REPLICAS", "VOLUME_GROUP_BACKUP_MEMBERS",
    "VOLUME_GROUP_BACKUPS", "VOLUME_GROUP_MEMBERS", "VOLUME_GROUP_REPLICAS", "VOLUME_GROUPS", "AssetType",
]

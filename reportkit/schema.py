"""Every table's columns, declared once: name, dtype, description.

The declarations are reused for validation (:meth:`Table.validate`), coercion of freshly built
frames (:meth:`Table.coerce`), empty frames (:meth:`Table.empty`), the docs and the report's data
dictionary (:func:`data_dictionary`). Status vocabularies are ``StrEnum`` s stored as pandas
categoricals with a fixed category order, so every chart and table lists statuses the same way.

Conventions (all tables):
- regions are region *names* (``uk-london-1``), never keys;
- timestamps are ``datetime64[ns, UTC]``;
- OCIDs and free text are pandas ``string``; counts are nullable ``Int64``; flags ``boolean``.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

import pandas as pd

from reportkit.errors import SchemaError

STRING = "string"
INT = "Int64"
FLOAT = "Float64"
BOOL = "boolean"
TIMESTAMP = "datetime64[ns, UTC]"
CATEGORY = "category"
OBJECT = "object"


# --------------------------------------------------------------------------------------------
# Status vocabularies
# --------------------------------------------------------------------------------------------
class BackupState(StrEnum):
    """OCI BootVolumeBackup.lifecycle_state."""

    REQUEST_RECEIVED = "REQUEST_RECEIVED"
    CREATING = "CREATING"
    AVAILABLE = "AVAILABLE"
    TERMINATING = "TERMINATING"
    TERMINATED = "TERMINATED"
    FAULTY = "FAULTY"
    UNKNOWN_ENUM_VALUE = "UNKNOWN_ENUM_VALUE"


class ImageClass(StrEnum):
    """Where an image comes from, following ``base_image_id`` to the root (assess)."""

    PLATFORM = "platform"
    CUSTOM_FROM_PLATFORM = "custom_from_platform"
    CUSTOM_IMPORTED = "custom_imported"
    CUSTOM_FROM_MARKETPLACE = "custom_from_marketplace"
    MARKETPLACE = "marketplace"
    COMMUNITY = "community"
    UNKNOWN = "unknown"


class Role(StrEnum):
    """A backup is a ``source`` (taken in its region) or a cross-region ``copy`` of another."""

    SOURCE = "source"
    COPY = "copy"


class CopyStatus(StrEnum):
    """Per source backup: has it been copied to another region?"""

    COPIED = "copied"
    IN_PROGRESS = "in_progress"
    FAILED = "failed"
    NOT_COPIED = "not_copied"
    INELIGIBLE = "ineligible"
    UNKNOWN = "unknown"
    ORPHAN = "orphan"  # for copies whose source backup no longer exists


class Protection(StrEnum):
    """How a boot volume is meant to be protected in another region."""

    POLICY_COPY = "policy_copy"
    MANUAL_COPY = "manual_copy"
    REPLICA = "replica"
    NONE = "none"


class CoverageStatus(StrEnum):
    """Per boot volume: is it protected in every required destination region, and freshly?"""

    COVERED = "covered"
    STALE = "stale"
    IN_PROGRESS = "in_progress"
    FAILED = "failed"
    MISSING = "missing"
    NO_BACKUP = "no_backup"
    INELIGIBLE = "ineligible"
    UNKNOWN = "unknown"


class Severity(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"


class Control(StrEnum):
    """Audit controls, named in the style of AWS Backup Audit Manager."""

    XR_COPY_MISSING = "XR_COPY_MISSING"
    XR_COPY_STALE = "XR_COPY_STALE"
    XR_COPY_FAILED = "XR_COPY_FAILED"
    XR_COPY_IN_PROGRESS = "XR_COPY_IN_PROGRESS"
    XR_INELIGIBLE_IMAGE = "XR_INELIGIBLE_IMAGE"
    XR_ENCRYPTION_DOWNGRADE = "XR_ENCRYPTION_DOWNGRADE"
    XR_ORPHAN_COPY = "XR_ORPHAN_COPY"
    BACKUP_MISSING = "BACKUP_MISSING"
    COLLECTION_GAP = "COLLECTION_GAP"


# --------------------------------------------------------------------------------------------
# Declarations
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Column:
    """One column: its name, pandas dtype, meaning, and (for categoricals) the category order."""

    name: str
    dtype: str
    description: str
    categories: tuple[str, ...] | None = None

    def pandas_dtype(self) -> object:
        if self.dtype == CATEGORY:
            return pd.CategoricalDtype(list(self.categories) if self.categories else None)
        return self.dtype


def _enum(values: type[StrEnum]) -> tuple[str, ...]:
    return tuple(v.value for v in values)


@dataclass(frozen=True)
class Table:
    """A declared table: ordered columns plus a one-line description."""

    name: str
    description: str
    columns: tuple[Column, ...] = field(default_factory=tuple)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(f"{self.name} has no column {name!r}")

    def dtypes(self) -> dict[str, object]:
        return {c.name: c.pandas_dtype() for c in self.columns}

    def empty(self) -> pd.DataFrame:
        """Return a zero-row frame with every declared column and dtype."""
        return self.coerce(pd.DataFrame({c.name: [] for c in self.columns}))

    def coerce(self, df: pd.DataFrame | Iterable[Mapping[str, object]]) -> pd.DataFrame:
        """Return ``df`` (or records) with exactly the declared columns, in order, cast to dtype.

        Missing declared columns are added as all-NA; undeclared columns raise, because a
        column nobody declared is a column nobody documented.
        """
        frame = df if isinstance(df, pd.DataFrame) else pd.DataFrame.from_records(list(df))
        extra = [c for c in frame.columns if c not in self.column_names]
        if extra:
            raise SchemaError(f"table {self.name!r}: undeclared columns {extra}; declare them in reportkit/schema.py")
        out = {}
        n = len(frame)
        for col in self.columns:
            series = frame[col.name] if col.name in frame.columns else pd.Series([pd.NA] * n, index=frame.index)
            out[col.name] = _cast(series, col, self.name)
        return pd.DataFrame(out, index=frame.index).reset_index(drop=True)

    def validate(self, df: pd.DataFrame) -> pd.DataFrame:
        """Raise :class:`SchemaError` unless ``df`` has exactly the declared columns and dtypes."""
        if list(df.columns) != self.column_names:
            missing = [c for c in self.column_names if c not in df.columns]
            extra = [c for c in df.columns if c not in self.column_names]
            raise SchemaError(
                f"table {self.name!r}: columns differ from the declaration (missing {missing}, extra {extra})"
            )
        for col in self.columns:
            actual = df[col.name].dtype
            if col.dtype == CATEGORY:
                if not isinstance(actual, pd.CategoricalDtype):
                    raise SchemaError(f"table {self.name!r}: column {col.name!r} is {actual}, expected category")
                if col.categories and list(actual.categories) != list(col.categories):
                    raise SchemaError(
                        f"table {self.name!r}: column {col.name!r} categories {list(actual.categories)} "
                        f"!= declared {list(col.categories)}"
                    )
            elif str(actual) != str(pd.api.types.pandas_dtype(col.dtype)) and col.dtype != OBJECT:
                raise SchemaError(f"table {self.name!r}: column {col.name!r} is {actual}, expected {col.dtype}")
        return df


def _cast(series: pd.Series, col: Column, table: str) -> pd.Series:
    try:
        if col.dtype == TIMESTAMP:
            return pd.to_datetime(series, utc=True, format="ISO8601").astype(TIMESTAMP)
        if col.dtype == CATEGORY:
            values = series.astype("object").where(series.notna(), None)
            return pd.Series(pd.Categorical(values, categories=list(col.categories) if col.categories else None),
                             index=series.index)
        if col.dtype == OBJECT:
            return series.astype(object)
        return series.astype(col.dtype)
    except (TypeError, ValueError) as exc:
        raise SchemaError(f"table {table!r}: column {col.name!r} cannot be read as {col.dtype}: {exc}") from exc


# --------------------------------------------------------------------------------------------
# Inventory tables (what `collect` reads from OCI)
# --------------------------------------------------------------------------------------------
_REGION = Column("region", CATEGORY, "Region name where the resource lives, e.g. uk-london-1")
_COMPARTMENT = Column("compartment_id", STRING, "OCID of the compartment holding the resource")

REGIONS = Table("regions", "Regions the tenancy subscribes to (ListRegionSubscriptions).", (
    Column("region", STRING, "Region name, e.g. uk-london-1"),
    Column("region_key", STRING, "Upper-case 3-letter key, e.g. LHR"),
    Column("is_home_region", BOOL, "True for the tenancy's home region (IAM lives there)"),
    Column("status", STRING, "Subscription status: READY or IN_PROGRESS"),
    Column("collected", BOOL, "True when reportkit read this region in this run"),
))

COMPARTMENTS = Table("compartments", "ACTIVE compartments of the tenancy, root included.", (
    Column("compartment_id", STRING, "Compartment OCID (the tenancy OCID for the root)"),
    Column("parent_compartment_id", STRING, "Parent compartment OCID; empty for the root"),
    Column("name", STRING, "Compartment name"),
    Column("path", STRING, "Full path from the root, e.g. Prod/App/DB; the root is '/'"),
    Column("depth", INT, "0 for the root, 1 for its children, ..."),
    Column("lifecycle_state", STRING, "Compartment lifecycle state"),
))

BACKUPS = Table("backups", "Boot volume backups in every region and compartment, all lifecycle states.", (
    Column("backup_id", STRING, "Boot volume backup OCID"),
    _REGION,
    _COMPARTMENT,
    Column("display_name", STRING, "Display name (free text from OCI; escaped wherever rendered)"),
    Column("boot_volume_id", STRING, "OCID of the boot volume the backup was taken from"),
    Column("image_id", STRING, "OCID of the image the boot volume was created from"),
    Column("lifecycle_state", CATEGORY, "REQUEST_RECEIVED, CREATING, AVAILABLE, TERMINATING, TERMINATED, FAULTY",
           _enum(BackupState)),
    Column("source_type", STRING, "MANUAL or SCHEDULED"),
    Column("backup_type", STRING, "FULL or INCREMENTAL"),
    Column("time_created", TIMESTAMP, "When the backup's point-in-time was taken (for a copy: when the copy began)"),
    Column("time_request_received", TIMESTAMP, "When OCI received the backup (or copy) request"),
    Column("expiration_time", TIMESTAMP, "When a scheduled backup expires; empty = never"),
    Column("size_in_gbs", INT, "Size of the boot volume, GB"),
    Column("unique_size_in_gbs", INT, "Storage used by this backup, GB"),
    Column("kms_key_id", STRING, "Vault key OCID encrypting the backup; empty = Oracle-managed key"),
    Column("source_boot_volume_backup_id", STRING, "For a cross-region copy: the OCID of the backup it was copied from"),
    Column("volume_group_backup_id", STRING, "Volume group backup this backup belongs to, if any"),
))

BOOT_VOLUMES = Table("boot_volumes", "Boot volumes in every region and compartment.", (
    Column("boot_volume_id", STRING, "Boot volume OCID"),
    _REGION,
    _COMPARTMENT,
    Column("availability_domain", STRING, "Availability domain, e.g. Uocm:LHR-AD-1"),
    Column("display_name", STRING, "Display name (free text from OCI)"),
    Column("image_id", STRING, "OCID of the image the boot volume was created from"),
    Column("lifecycle_state", STRING, "PROVISIONING, RESTORING, AVAILABLE, TERMINATING, TERMINATED, FAULTY"),
    Column("size_in_gbs", INT, "Size, GB"),
    Column("kms_key_id", STRING, "Vault key OCID; empty = Oracle-managed key"),
    Column("volume_group_id", STRING, "Volume group OCID, if the volume is in one"),
    Column("time_created", TIMESTAMP, "When the boot volume was created"),
    Column("replica_count", INT, "Number of boot volume replicas"),
    Column("replica_regions", STRING, "Comma-separated region names of the replicas (from their availability domains)"),
))

IMAGES = Table("images", "Every image a boot volume or backup uses, once each, with its base chain.", (
    Column("image_id", STRING, "Image OCID"),
    Column("region", STRING, "Region where the image was looked up"),
    Column("compartment_id", STRING, "Compartment OCID; empty for Oracle platform images"),
    Column("display_name", STRING, "Image name"),
    Column("operating_system", STRING, "Operating system"),
    Column("operating_system_version", STRING, "Operating system version"),
    Column("base_image_id", STRING, "Image this custom image was made from; empty for roots"),
    Column("listing_type", STRING, "COMMUNITY or NONE"),
    Column("launch_mode", STRING, "NATIVE, EMULATED, PARAVIRTUALIZED, CUSTOM"),
    Column("lifecycle_state", STRING, "Image lifecycle state (DELETED for deleted images still readable)"),
    Column("time_created", TIMESTAMP, "When the image was created"),
    Column("marketplace_listing_id", STRING, "Marketplace listing that publishes this image, if any"),
    Column("marketplace_publisher", STRING, "Publisher of that Marketplace listing"),
    Column("lookup_status", STRING, "ok, not_found (deleted or not visible) or error (could not read)"),
))

BACKUP_POLICIES = Table("backup_policies", "Volume backup policies referenced by assignments (Oracle-defined and user).", (
    Column("policy_id", STRING, "Volume backup policy OCID"),
    _REGION,
    Column("compartment_id", STRING, "Compartment OCID; empty for Oracle-defined policies (gold/silver/bronze)"),
    Column("display_name", STRING, "Policy name"),
    Column("destination_region", STRING, "Region the policy copies each backup to; empty = no cross-region copy"),
    Column("schedules", STRING, "Schedules as compact JSON (backupType, period, retentionSeconds, ...)"),
    Column("time_created", TIMESTAMP, "When the policy was created"),
))

POLICY_ASSIGNMENTS = Table("policy_assignments", "Backup policy assigned to each boot volume.", (
    Column("assignment_id", STRING, "Volume backup policy assignment OCID"),
    _REGION,
    Column("asset_id", STRING, "Boot volume OCID"),
    Column("policy_id", STRING, "Volume backup policy OCID"),
    Column("time_created", TIMESTAMP, "When the assignment was made"),
))

IAM_POLICIES = Table("iam_policies", "IAM policy statements of every compartment, one row per statement.", (
    Column("policy_id", STRING, "IAM policy OCID"),
    Column("compartment_id", STRING, "Compartment the policy is attached to"),
    Column("policy_name", STRING, "Policy name"),
    Column("statement_index", INT, "1-based position of the statement in the policy"),
    Column("statement", STRING, "The statement text as written"),
    Column("lifecycle_state", STRING, "Policy lifecycle state"),
    Column("time_created", TIMESTAMP, "When the policy was created"),
))

ERRORS = Table("errors", "Everything reportkit could not read: one row per failed (region, compartment, operation).", (
    Column("region", STRING, "Region of the failed call"),
    Column("compartment_id", STRING, "Compartment of the failed call; empty for tenancy-wide calls"),
    Column("operation", STRING, "OCI operation, e.g. ListBootVolumeBackups"),
    Column("resource_id", STRING, "Resource the call was about (GetImage), if any"),
    Column("http_status", INT, "HTTP status; empty for connection errors and timeouts"),
    Column("code", STRING, "OCI error code, e.g. TooManyRequests, NotAuthorizedOrNotFound"),
    Column("message", STRING, "OCI's error message or the exception text"),
    Column("opc_request_id", STRING, "opc-request-id of the failed call, for Oracle support"),
    Column("time", TIMESTAMP, "When the failure happened (UTC)"),
))

INVENTORY_TABLES: dict[str, Table] = {t.name: t for t in (
    BACKUPS, BOOT_VOLUMES, IMAGES, BACKUP_POLICIES, POLICY_ASSIGNMENTS, COMPARTMENTS, REGIONS,
    IAM_POLICIES, ERRORS,
)}


def data_dictionary(tables: Iterable[Table] | None = None) -> pd.DataFrame:
    """Return one row per declared column: table, column, dtype, description (for docs and reports)."""
    rows = []
    for table in tables if tables is not None else INVENTORY_TABLES.values():
        for col in table.columns:
            desc = col.description
            if col.categories:
                desc = f"{desc} (one of: {', '.join(col.categories)})"
            rows.append({"table": table.name, "column": col.name, "dtype": col.dtype, "description": desc})
    return pd.DataFrame(rows, columns=["table", "column", "dtype", "description"])


# --------------------------------------------------------------------------------------------
# Copy plan tables (reportkit.plan builds them; reportkit.copy executes planned rows)
# --------------------------------------------------------------------------------------------
class PlanStatus(StrEnum):
    """Whether a plan entry will be executed."""

    PLANNED = "planned"
    BLOCKED = "blocked"


class Encryption(StrEnum):
    """How the copy will be encrypted in the destination region."""

    ORACLE_MANAGED = "oracle_managed"  # source and copy use Oracle-managed keys
    VAULT = "vault"                    # the copy uses the destination Vault key from kms_key_map
    DOWNGRADE = "downgrade"            # Vault-encrypted source, Oracle-managed copy (explicitly allowed)
    NO_KEY = "no_key"                  # Vault-encrypted source, no destination key, not allowed: blocked


PLAN_ENTRIES = Table("plan_entries", "One row per cross-region copy the plan would make (or blocks).", (
    Column("entry_id", STRING, "Deterministic id: hash of source backup OCID + destination region"),
    Column("wave", INT, "1 for a volume's first copy from its source region, 2 for its second, ...; empty when blocked"),
    Column("source_region", STRING, "Region the source backup lives in (the copy request goes there)"),
    Column("destination_region", STRING, "Region the copy is made in"),
    Column("backup_id", STRING, "Source boot volume backup OCID (newest AVAILABLE one of the volume)"),
    Column("boot_volume_id", STRING, "Boot volume the backup was taken from"),
    Column("volume_name", STRING, "Display name of the boot volume"),
    Column("compartment_id", STRING, "Compartment of the source backup"),
    Column("compartment_path", STRING, "Path of that compartment, e.g. Prod/App"),
    Column("size_gb", INT, "Size of the backup's boot volume, GB (what the copy transfers at most)"),
    Column("backup_time_created", TIMESTAMP, "Point in time of the source backup"),
    Column("source_kms_key_id", STRING, "Vault key of the source backup; empty = Oracle-managed"),
    Column("kms_key_id", STRING, "Vault key (in the destination region) the copy will use; empty = Oracle-managed"),
    Column("encryption", CATEGORY, "How the copy is encrypted", _enum(Encryption)),
    Column("display_name", STRING, "Display name the copy gets"),
    Column("status", CATEGORY, "planned (the executor makes it) or blocked (it never does)", _enum(PlanStatus)),
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


# --------------------------------------------------------------------------------------------
# Assessment tables (reportkit.assess derives them from an Inventory; see docs/assess.md)
# --------------------------------------------------------------------------------------------
_REASON = Column("reason", STRING, "Why this verdict: the evidence, in one sentence")
_PATH = Column("compartment_path", STRING, "Path of the compartment, e.g. Prod/App; the root is '/'")

ASSESSED_IMAGES = Table("assessed_images", "Every image referenced by a backup or boot volume, classified.", (
    Column("image_id", STRING, "Image OCID"),
    Column("region", STRING, "Region where the image was looked up; empty when it was never looked up"),
    Column("compartment_id", STRING, "Compartment OCID; empty for Oracle platform images"),
    Column("display_name", STRING, "Image name"),
    Column("operating_system", STRING, "Operating system"),
    Column("base_image_id", STRING, "Image this custom image was made from; empty for roots"),
    Column("listing_type", STRING, "COMMUNITY or NONE"),
    Column("marketplace_listing_id", STRING, "Marketplace listing that publishes this image, if any"),
    Column("lookup_status", STRING, "ok, not_found, error, or missing (referenced but absent from the inventory)"),
    Column("root_image_id", STRING, "Last image reached following base_image_id (the image itself for a root)"),
    Column("chain_depth", INT, "Number of base_image_id steps from the image to its root (0 for a root)"),
    Column("image_class", CATEGORY, "Where the image comes from", _enum(ImageClass)),
    Column("copy_eligible", BOOL, "Can backups of volumes from this image be copied cross-region; empty = unknown"),
    Column("eligibility_reason", STRING, "The evidence for image_class and copy_eligible"),
    Column("overridden", BOOL, "True when image_class comes from data/image_overrides.csv (this image or its root)"),
    Column("copy_evidence", BOOL, "True when an AVAILABLE cross-region copy of a backup of this image exists"),
))

ASSESSED_BACKUPS = Table("assessed_backups", "Every backup (sources and copies, all states) with its copy verdict.", (
    *BACKUPS.columns,
    _PATH,
    Column("image_class", CATEGORY, "Class of the backup's image (a copy without image_id: its source's)",
           _enum(ImageClass)),
    Column("copy_eligible", BOOL, "Eligibility of that image, or True when a copy proves it; empty = unknown"),
    Column("role", CATEGORY, "source (taken in its region) or copy (has source_boot_volume_backup_id)", _enum(Role)),
    Column("source_region", STRING, "Region the data comes from: its own region for a source, the source "
                                    "backup's region for a copy; empty for an orphan copy"),
    Column("copy_status", CATEGORY, "Sources: copied / in_progress / failed / not_copied / ineligible / unknown; "
                                    "copies: orphan or unknown when the source is not in the inventory, else empty",
           _enum(CopyStatus)),
    Column("copy_regions", STRING, "Sources: sorted comma-separated regions holding an AVAILABLE copy"),
    Column("available_copies", INT, "Sources: number of AVAILABLE copies in other regions"),
    Column("newest_copy_time", TIMESTAMP, "Sources: time_created of the newest AVAILABLE copy"),
    Column("newest_copy_age_days", FLOAT, "Sources: days from newest_copy_time to as_of"),
    _REASON,
))

ASSESSED_VOLUMES = Table("assessed_volumes", "Every boot volume that exists, with its cross-region coverage verdict.", (
    Column("boot_volume_id", STRING, "Boot volume OCID"),
    _REGION,
    _COMPARTMENT,
    _PATH,
    Column("display_name", STRING, "Display name (free text from OCI)"),
    Column("availability_domain", STRING, "Availability domain; empty when the volume was only seen through backups"),
    Column("lifecycle_state", STRING, "Boot volume lifecycle state; empty when only seen through backups"),
    Column("image_id", STRING, "Image the boot volume was created from"),
    Column("image_class", CATEGORY, "Class of that image", _enum(ImageClass)),
    Column("copy_eligible", BOOL, "Image eligibility, or True when an AVAILABLE copy proves it; empty = unknown"),
    Column("kms_key_id", STRING, "Vault key OCID of the volume; empty = Oracle-managed key"),
    Column("policy_id", STRING, "Assigned volume backup policy, if any"),
    Column("policy_name", STRING, "Name of that policy"),
    Column("policy_destination_region", STRING, "Region the policy copies backups to; empty = none"),
    Column("replica_regions", STRING, "Regions holding a boot volume replica"),
    Column("protection", CATEGORY, "How the volume is meant to be protected in another region", _enum(Protection)),
    Column("required_regions", STRING, "Destinations a fresh copy must exist in (comma-separated); "
                                       "'any' = any other subscribed region"),
    Column("covered_regions", STRING, "Regions holding an AVAILABLE copy whose source backup is within rpo_days"),
    Column("source_backups", INT, "Number of AVAILABLE source backups of the volume in its region"),
    Column("newest_backup_time", TIMESTAMP, "time_created of the newest AVAILABLE source backup"),
    Column("newest_copy_source_time", TIMESTAMP, "Point in time recoverable in every required destination: the "
                                                 "oldest, over required destinations, of the newest copied source "
                                                 "backup; empty when a destination has no AVAILABLE copy"),
    Column("rpo_age_days", FLOAT, "Days from newest_copy_source_time to as_of"),
    Column("coverage_status", CATEGORY, "Cross-region coverage verdict (docs/assess.md)", _enum(CoverageStatus)),
    _REASON,
    Column("remediation", STRING, "What to do about it; empty when covered"),
))

FINDINGS = Table("findings", "One row per finding: a resource that fails (or cannot be checked against) a control.", (
    Column("control", CATEGORY, "Control the resource fails", _enum(Control)),
    Column("severity", CATEGORY, "Severity of the finding", _enum(Severity)),
    Column("resource_id", STRING, "OCID of the boot volume or backup concerned"),
    Column("resource_type", STRING, "boot_volume or boot_volume_backup"),
    Column("region", STRING, "Region of the resource"),
    _PATH,
    Column("message", STRING, "What is wrong, with the evidence"),
    Column("remediation", STRING, "What to do"),
))

CONTROLS = Table("controls", "One row per control: how many evaluated resources comply.", (
    Column("control", CATEGORY, "Control", _enum(Control)),
    Column("description", STRING, "What the control checks"),
    Column("severity", CATEGORY, "Severity of its findings", _enum(Severity)),
    Column("compliant", INT, "Resources evaluated that comply"),
    Column("non_compliant", INT, "Resources evaluated that do not comply (one finding each)"),
    Column("unknown", INT, "Resources that could not be evaluated because data could not be read"),
    Column("pct_compliant", FLOAT, "compliant / (compliant + non_compliant) * 100; empty when nothing was evaluated"),
))

ASSESSMENT_TABLES: dict[str, Table] = {t.name: t for t in (
    ASSESSED_IMAGES, ASSESSED_BACKUPS, ASSESSED_VOLUMES, FINDINGS, CONTROLS,
)}


class CopyOutcome(StrEnum):
    """What the copy executor did with one plan entry (reportkit.copy)."""

    COPIED = "copied"              # the copy reached AVAILABLE in the destination region
    FAULTY = "faulty"              # the copy ended FAULTY / TERMINATED
    REFUSED = "refused"            # OCI refused the request (409 in flight, 400 ineligible, 404, 429, ...)
    ERROR = "error"                # the request or the wait failed without an OCI answer (network)
    WAITING = "waiting"            # requested, not finished when the run stopped (re-run waits for it)
    NOT_STARTED = "not_started"    # interrupted, or its earlier wave is still running
    WOULD_COPY = "would_copy"      # dry run: would be requested
    BLOCKED = "blocked"            # blocked in the plan: never requested


COPY_RESULTS = Table("copy_results", "One row per plan entry: what the copy executor did with it.", (
    Column("entry_id", STRING, "Plan entry id"),
    Column("wave", INT, "Wave of the entry"),
    Column("source_region", STRING, "Region the copy request went to"),
    Column("destination_region", STRING, "Region the copy is made in"),
    Column("backup_id", STRING, "Source boot volume backup OCID"),
    Column("boot_volume_id", STRING, "Boot volume OCID"),
    Column("outcome", CATEGORY, "What happened", _enum(CopyOutcome)),
    Column("resumed", BOOL, "True when the outcome comes from (or continued) an earlier run's journal"),
    Column("copy_id", STRING, "OCID of the new copy in the destination region"),
    Column("final_state", STRING, "Last lifecycle state seen of the copy"),
    Column("http_status", INT, "HTTP status of a refused request"),
    Column("code", STRING, "OCI error code of a refused request"),
    Column("message", STRING, "OCI's message (or the error text)"),
    Column("opc_request_id", STRING, "opc-request-id of the copy request (or the refusal)"),
))

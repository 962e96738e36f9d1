"""Inventory tables: what ``collect`` reads from OCI (one Parquet file each in a snapshot)."""
from __future__ import annotations

from enum import StrEnum

from reportkit.schema.table import BOOL, CATEGORY, INT, STRING, TIMESTAMP, Column, Table, enum_values


class BackupState(StrEnum):
    """OCI BootVolumeBackup.lifecycle_state."""

    REQUEST_RECEIVED = "REQUEST_RECEIVED"
    CREATING = "CREATING"
    AVAILABLE = "AVAILABLE"
    TERMINATING = "TERMINATING"
    TERMINATED = "TERMINATED"
    FAULTY = "FAULTY"
    UNKNOWN_ENUM_VALUE = "UNKNOWN_ENUM_VALUE"


REGION = Column("region", CATEGORY, "Region name where the resource lives, e.g. uk-london-1")
COMPARTMENT = Column("compartment_id", STRING, "OCID of the compartment holding the resource")

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
    REGION,
    COMPARTMENT,
    Column("display_name", STRING, "Display name (free text from OCI; escaped wherever rendered)"),
    Column("boot_volume_id", STRING, "OCID of the boot volume the backup was taken from"),
    Column("image_id", STRING, "OCID of the image the boot volume was created from"),
    Column("lifecycle_state", CATEGORY, "REQUEST_RECEIVED, CREATING, AVAILABLE, TERMINATING, TERMINATED, FAULTY",
           enum_values(BackupState)),
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
    REGION,
    COMPARTMENT,
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
    REGION,
    Column("compartment_id", STRING, "Compartment OCID; empty for Oracle-defined policies (gold/silver/bronze)"),
    Column("display_name", STRING, "Policy name"),
    Column("destination_region", STRING, "Region the policy copies each backup to; empty = no cross-region copy"),
    Column("schedules", STRING, "Schedules as compact JSON (backupType, period, retentionSeconds, ...)"),
    Column("time_created", TIMESTAMP, "When the policy was created"),
))

POLICY_ASSIGNMENTS = Table("policy_assignments", "Backup policy assigned to each boot volume.", (
    Column("assignment_id", STRING, "Volume backup policy assignment OCID"),
    REGION,
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

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

COMPARTMENTS = Table("compartments", "Compartments of the tenancy in every state but DELETED, root included.", (
    Column("compartment_id", STRING, "Compartment OCID (the tenancy OCID for the root)"),
    Column("parent_compartment_id", STRING, "Parent compartment OCID; empty for the root"),
    Column("name", STRING, "Compartment name"),
    Column("path", STRING, "Full path from the root, e.g. Prod/App/DB; the root is '/'"),
    Column("depth", INT, "0 for the root, 1 for its children, ..."),
    Column("lifecycle_state", STRING, "Compartment lifecycle state: ACTIVE, INACTIVE, DELETING, CREATING "
                                      "(all collected; DELETED ones are not)"),
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
    Column("time_created", TIMESTAMP, "When the backup's point-in-time was taken; for a copy OCI does not document "
                                      "whether it is the copy time or the original's (assess dates data by the "
                                      "root of the copy chain)"),
    Column("time_request_received", TIMESTAMP, "When OCI received the backup (or copy) request"),
    Column("expiration_time", TIMESTAMP, "When a scheduled backup expires; empty = never"),
    Column("size_in_gbs", INT, "Size of the boot volume, GB"),
    Column("unique_size_in_gbs", INT, "Storage used by this backup, GB"),
    Column("kms_key_id", STRING, "Vault key OCID encrypting the backup; empty = Oracle-managed key"),
    Column("source_boot_volume_backup_id", STRING, "For a cross-region copy: the OCID of the backup it was copied from"),
    Column("volume_group_backup_id", STRING, "Volume group backup this backup belongs to, if any"),
    Column("is_retention_lock_enabled", BOOL, "Retention lock: backup data cannot be deleted or altered until "
                                               "time_retention_expires_at; empty = off"),
    Column("is_prevent_deletion_enabled", BOOL, "Deletion prevented during the retention period; empty = off"),
    Column("time_retention_expires_at", TIMESTAMP, "When the retention period ends; empty = no retention period"),
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
    Column("volume_group_id", STRING, "BootVolume.volumeGroupId: OCI documents it as the volume group the volume was "
                                      "cloned from (membership is volume_group_members)"),
    Column("time_created", TIMESTAMP, "When the boot volume was created"),
    Column("replica_count", INT, "Number of boot volume replicas BootVolume.bootVolumeReplicas names"),
    Column("replica_regions", STRING, "Comma-separated region names of those replicas (from their availability "
                                      "domains): a lead; boot_volume_replicas, read in each replica's region, is "
                                      "the proof"),
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

class AssetType(StrEnum):
    """What a backup policy is assigned to."""

    BOOT_VOLUME = "boot_volume"
    VOLUME_GROUP = "volume_group"


POLICY_ASSIGNMENTS = Table("policy_assignments", "Backup policy assigned to each boot volume and volume group.", (
    Column("assignment_id", STRING, "Volume backup policy assignment OCID"),
    REGION,
    Column("asset_id", STRING, "Boot volume or volume group OCID"),
    Column("asset_type", CATEGORY, "What the policy is assigned to", enum_values(AssetType)),
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
    Column("field", STRING, "For a record kept with one bad field: the wire field (e.g. timeCreated); "
                            "empty for failed calls"),
    Column("raw_value", STRING, "For a record kept with one bad field: the value received, as text (truncated)"),
))

VOLUME_GROUPS = Table("volume_groups", "Volume groups in every region and compartment (ListVolumeGroups).", (
    Column("volume_group_id", STRING, "Volume group OCID"),
    REGION,
    COMPARTMENT,
    Column("availability_domain", STRING, "Availability domain of the group"),
    Column("display_name", STRING, "Display name (free text from OCI)"),
    Column("lifecycle_state", STRING, "PROVISIONING, AVAILABLE, TERMINATING, TERMINATED, FAULTY"),
    Column("time_created", TIMESTAMP, "When the group was created"),
))

VOLUME_GROUP_MEMBERS = Table("volume_group_members", "Membership of volume groups: one row per id in "
                             "VolumeGroup.volumeIds (boot and block volumes alike).", (
    Column("volume_group_id", STRING, "Volume group OCID"),
    REGION,
    Column("volume_id", STRING, "Boot or block volume OCID in the group"),
))

VOLUME_GROUP_BACKUPS = Table("volume_group_backups", "Volume group backups (sources and cross-region copies) in "
                             "every region and compartment, all lifecycle states.", (
    Column("volume_group_backup_id", STRING, "Volume group backup OCID"),
    REGION,
    COMPARTMENT,
    Column("display_name", STRING, "Display name (free text from OCI)"),
    Column("volume_group_id", STRING, "Volume group the backup was taken from"),
    Column("lifecycle_state", STRING, "REQUEST_RECEIVED, CREATING, COMMITTED, AVAILABLE, TERMINATING, TERMINATED, "
                                      "FAULTY (COMMITTED is still in progress)"),
    Column("source_type", STRING, "MANUAL or SCHEDULED"),
    Column("backup_type", STRING, "FULL or INCREMENTAL"),
    Column("time_created", TIMESTAMP, "When the group backup was created (for a copy: see backups.time_created)"),
    Column("time_request_received", TIMESTAMP, "When OCI received the request"),
    Column("expiration_time", TIMESTAMP, "When a scheduled group backup expires; empty = never"),
    Column("source_volume_group_backup_id", STRING, "For a cross-region copy: the group backup it was copied from"),
    Column("size_in_gbs", INT, "Size of the group's volumes, GB"),
    Column("unique_size_in_gbs", INT, "Storage used by this group backup, GB"),
    Column("is_retention_lock_enabled", BOOL, "Retention lock; empty = off"),
    Column("is_prevent_deletion_enabled", BOOL, "Deletion prevented during the retention period; empty = off"),
    Column("time_retention_expires_at", TIMESTAMP, "When the retention period ends; empty = none"),
))

VOLUME_GROUP_BACKUP_MEMBERS = Table("volume_group_backup_members", "Members of volume group backups: one row per "
                                    "id in VolumeGroupBackup.volumeBackupIds.", (
    Column("volume_group_backup_id", STRING, "Volume group backup OCID"),
    REGION,
    Column("volume_backup_id", STRING, "Boot or block volume backup OCID in the group backup"),
))

BOOT_VOLUME_REPLICAS = Table("boot_volume_replicas", "Boot volume replicas, read in the region where each replica "
                             "lives (ListBootVolumeReplicas).", (
    Column("replica_id", STRING, "Boot volume replica OCID"),
    REGION,
    COMPARTMENT,
    Column("availability_domain", STRING, "Availability domain of the replica (names its region)"),
    Column("display_name", STRING, "Display name (free text from OCI)"),
    Column("boot_volume_id", STRING, "Source boot volume OCID"),
    Column("lifecycle_state", STRING, "PROVISIONING, AVAILABLE, ACTIVATING, TERMINATING, TERMINATED, FAULTY"),
    Column("time_created", TIMESTAMP, "When the replica was created"),
    Column("time_last_synced", TIMESTAMP, "When the replica was last synced from its source: the age of its data"),
    Column("volume_group_replica_id", STRING, "Volume group replica this replica belongs to, if any"),
    Column("kms_key_id", STRING, "Vault key of the replica; empty = Oracle-managed key"),
))

VOLUME_GROUP_REPLICAS = Table("volume_group_replicas", "Volume group replicas, read in the region where each "
                              "replica lives (ListVolumeGroupReplicas per availability domain).", (
    Column("replica_id", STRING, "Volume group replica OCID"),
    REGION,
    COMPARTMENT,
    Column("availability_domain", STRING, "Availability domain of the replica"),
    Column("display_name", STRING, "Display name (free text from OCI)"),
    Column("volume_group_id", STRING, "Source volume group OCID"),
    Column("lifecycle_state", STRING, "PROVISIONING, AVAILABLE, ACTIVATING, TERMINATING, TERMINATED, FAULTY"),
    Column("time_created", TIMESTAMP, "When the replica was created"),
    Column("time_last_synced", TIMESTAMP, "When the group replica was last synced"),
))

INVENTORY_TABLES: dict[str, Table] = {t.name: t for t in (
    BACKUPS, BOOT_VOLUMES, IMAGES, BACKUP_POLICIES, POLICY_ASSIGNMENTS, COMPARTMENTS, REGIONS,
    IAM_POLICIES, ERRORS, VOLUME_GROUPS, VOLUME_GROUP_MEMBERS, VOLUME_GROUP_BACKUPS, VOLUME_GROUP_BACKUP_MEMBERS,
    BOOT_VOLUME_REPLICAS, VOLUME_GROUP_REPLICAS,
)}

#: Tables a snapshot written before they existed does not hold: such a snapshot loads them empty and
#: its metadata says they were not collected (protection by volume groups and replicas not assessed).
LATER_TABLES = frozenset({"volume_groups", "volume_group_members", "volume_group_backups",
                          "volume_group_backup_members", "boot_volume_replicas", "volume_group_replicas"})

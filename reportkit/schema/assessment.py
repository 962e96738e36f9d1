"""Assessment tables and their status vocabularies: what ``assess`` derives from an Inventory.

Every list of statuses used elsewhere (controls, summaries, tiles, planning) is derived here
from the enums, never spelled out again.
"""
from __future__ import annotations

from enum import StrEnum

from reportkit.schema.inventory import BACKUPS, COMPARTMENT, REGION
from reportkit.schema.table import BOOL, CATEGORY, FLOAT, INT, STRING, TIMESTAMP, Column, Table, enum_values


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


#: image classes whose backups OCI copies across regions (docs/oci-facts.md §2.2)
COPYABLE_IMAGE_CLASSES: tuple[ImageClass, ...] = (ImageClass.PLATFORM, ImageClass.CUSTOM_FROM_PLATFORM)
#: every coverage status, in the enum's (display) order
COVERAGE_STATUSES: tuple[CoverageStatus, ...] = tuple(CoverageStatus)
#: statuses a volume can only get when no judgement about copies is possible (excluded from coverage_pct)
NOT_ASSESSABLE: frozenset[CoverageStatus] = frozenset({CoverageStatus.INELIGIBLE, CoverageStatus.UNKNOWN})
#: statuses where the copy controls apply: the image can be copied and the volume has a backup (or we
#: cannot tell); ineligible and no_backup volumes fail other controls instead
COPY_JUDGED: tuple[CoverageStatus, ...] = tuple(s for s in CoverageStatus
                                                if s not in (CoverageStatus.INELIGIBLE, CoverageStatus.NO_BACKUP))
#: statuses that need someone to act (a copy to make or a backup to take), for headlines
ACTION_NEEDED: tuple[CoverageStatus, ...] = (CoverageStatus.STALE, CoverageStatus.MISSING, CoverageStatus.FAILED,
                                             CoverageStatus.NO_BACKUP)
#: verdicts a copy can fix (make_plan); in_progress waits, the others cannot be fixed by a copy
PLANNABLE: tuple[CoverageStatus, ...] = (CoverageStatus.MISSING, CoverageStatus.STALE, CoverageStatus.FAILED)
#: verdicts that claim no good copy exists: they need every place a copy could be to have been read
ABSENCE_VERDICTS: frozenset[CoverageStatus] = frozenset(
    {CoverageStatus.MISSING, CoverageStatus.STALE, CoverageStatus.FAILED, CoverageStatus.IN_PROGRESS,
     CoverageStatus.NO_BACKUP})


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
    Column("image_class", CATEGORY, "Where the image comes from", enum_values(ImageClass)),
    Column("copy_eligible", BOOL, "Can backups of volumes from this image be copied cross-region; empty = unknown"),
    Column("eligibility_reason", STRING, "The evidence for image_class and copy_eligible"),
    Column("overridden", BOOL, "True when image_class comes from data/image_overrides.csv (this image or its root)"),
    Column("copy_evidence", BOOL, "True when an AVAILABLE cross-region copy of a backup of this image exists"),
))

ASSESSED_BACKUPS = Table("assessed_backups", "Every backup (sources and copies, all states) with its copy verdict.", (
    *BACKUPS.columns,
    _PATH,
    Column("image_class", CATEGORY, "Class of the backup's image (a copy without image_id: its source's)",
           enum_values(ImageClass)),
    Column("copy_eligible", BOOL, "Eligibility of that image, or True when a copy proves it; empty = unknown"),
    Column("role", CATEGORY, "source (taken in its region) or copy (has source_boot_volume_backup_id)", enum_values(Role)),
    Column("source_region", STRING, "Region the data comes from: its own region for a source, the source "
                                    "backup's region for a copy; empty for an orphan copy"),
    Column("copy_status", CATEGORY, "Sources: copied / in_progress / failed / not_copied / ineligible / unknown; "
                                    "copies: orphan or unknown when the source is not in the inventory, else empty",
           enum_values(CopyStatus)),
    Column("copy_regions", STRING, "Sources: sorted comma-separated regions holding an AVAILABLE copy"),
    Column("available_copies", INT, "Sources: number of AVAILABLE copies in other regions"),
    Column("newest_copy_time", TIMESTAMP, "Sources: time_created of the newest AVAILABLE copy"),
    Column("newest_copy_age_days", FLOAT, "Sources: days from newest_copy_time to as_of"),
    _REASON,
))

ASSESSED_VOLUMES = Table("assessed_volumes", "Every boot volume that exists, with its cross-region coverage verdict.", (
    Column("boot_volume_id", STRING, "Boot volume OCID"),
    REGION,
    COMPARTMENT,
    _PATH,
    Column("display_name", STRING, "Display name (free text from OCI)"),
    Column("availability_domain", STRING, "Availability domain; empty when the volume was only seen through backups"),
    Column("lifecycle_state", STRING, "Boot volume lifecycle state; empty when only seen through backups"),
    Column("image_id", STRING, "Image the boot volume was created from"),
    Column("image_class", CATEGORY, "Class of that image", enum_values(ImageClass)),
    Column("copy_eligible", BOOL, "Image eligibility, or True when an AVAILABLE copy proves it; empty = unknown"),
    Column("kms_key_id", STRING, "Vault key OCID of the volume; empty = Oracle-managed key"),
    Column("policy_id", STRING, "Assigned volume backup policy, if any"),
    Column("policy_name", STRING, "Name of that policy"),
    Column("policy_destination_region", STRING, "Region the policy copies backups to; empty = none"),
    Column("replica_regions", STRING, "Regions holding a boot volume replica"),
    Column("protection", CATEGORY, "How the volume is meant to be protected in another region", enum_values(Protection)),
    Column("required_regions", STRING, "Destinations a fresh copy must exist in (comma-separated); "
                                       "'any' = any other subscribed region"),
    Column("covered_regions", STRING, "Regions holding an AVAILABLE copy whose source backup is within rpo_days"),
    Column("source_backups", INT, "Number of AVAILABLE source backups of the volume in its region"),
    Column("newest_backup_time", TIMESTAMP, "time_created of the newest AVAILABLE source backup"),
    Column("newest_copy_source_time", TIMESTAMP, "Point in time recoverable in every required destination: the "
                                                 "oldest, over required destinations, of the newest copied source "
                                                 "backup; empty when a destination has no AVAILABLE copy"),
    Column("rpo_age_days", FLOAT, "Days from newest_copy_source_time to as_of"),
    Column("coverage_status", CATEGORY, "Cross-region coverage verdict (docs/assess.md)", enum_values(CoverageStatus)),
    _REASON,
    Column("remediation", STRING, "What to do about it; empty when covered"),
))

FINDINGS = Table("findings", "One row per finding: a resource that fails (or cannot be checked against) a control.", (
    Column("control", CATEGORY, "Control the resource fails", enum_values(Control)),
    Column("severity", CATEGORY, "Severity of the finding", enum_values(Severity)),
    Column("resource_id", STRING, "OCID of the boot volume or backup concerned"),
    Column("resource_type", STRING, "boot_volume or boot_volume_backup"),
    Column("region", STRING, "Region of the resource"),
    _PATH,
    Column("message", STRING, "What is wrong, with the evidence"),
    Column("remediation", STRING, "What to do"),
))

CONTROLS = Table("controls", "One row per control: how many evaluated resources comply.", (
    Column("control", CATEGORY, "Control", enum_values(Control)),
    Column("description", STRING, "What the control checks"),
    Column("severity", CATEGORY, "Severity of its findings", enum_values(Severity)),
    Column("compliant", INT, "Resources evaluated that comply"),
    Column("non_compliant", INT, "Resources evaluated that do not comply (one finding each)"),
    Column("unknown", INT, "Resources that could not be evaluated because data could not be read"),
    Column("pct_compliant", FLOAT, "compliant / (compliant + non_compliant) * 100; empty when nothing was evaluated"),
))

ASSESSMENT_TABLES: dict[str, Table] = {t.name: t for t in (
    ASSESSED_IMAGES, ASSESSED_BACKUPS, ASSESSED_VOLUMES, FINDINGS, CONTROLS,
)}

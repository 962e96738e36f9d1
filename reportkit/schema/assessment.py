"""Assessment tables and their status vocabularies: what ``assess`` derives from an Inventory.

Every list of statuses used elsewhere (controls, summaries, tiles, planning) is derived here
from the enums, never spelled out again.
"""
from __future__ import annotations

from enum import StrEnum

from reportkit.schema.inventory import BACKUPS, COMPARTMENT, REGION, VOLUME_GROUP_BACKUPS
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
    """A backup is a ``source`` (a root: taken from the volume, in its region), a ``copy`` of another
    (it names its source), or a member of a volume group backup copy (no source of its own: the group
    copy stands for it)."""

    SOURCE = "source"
    COPY = "copy"
    GROUP_COPY_MEMBER = "group_copy_member"


class CopyStatus(StrEnum):
    """Per source backup: has it been copied to another region?"""

    COPIED = "copied"
    IN_PROGRESS = "in_progress"
    FAILED = "failed"
    NOT_COPIED = "not_copied"
    INELIGIBLE = "ineligible"
    UNKNOWN = "unknown"
    ORPHAN = "orphan"  # for copies whose source backup no longer exists


class ProtectionKind(StrEnum):
    """Kinds of protection item: what could restore a boot volume in another region (rule book §0)."""

    BACKUP_COPY = "backup_copy"              # a boot volume backup copied to another region
    GROUP_BACKUP_COPY = "group_backup_copy"  # a volume group backup copied to another region
    REPLICA = "replica"                      # a boot volume replica (alone or in a volume group replica)


class Accept(StrEnum):
    """Names of the protection kinds ``assess(accept=...)`` and ``--accept`` take (rule book §0)."""

    COPY = "copy"
    GROUP_COPY = "group_copy"
    REPLICA = "replica"


#: accept name -> the protection kind it lets count
ACCEPTED_KIND: dict[Accept, ProtectionKind] = {
    Accept.COPY: ProtectionKind.BACKUP_COPY, Accept.GROUP_COPY: ProtectionKind.GROUP_BACKUP_COPY,
    Accept.REPLICA: ProtectionKind.REPLICA,
}


class ItemState(StrEnum):
    """State of one protection item at ``as_of`` (rule book §4)."""

    FRESH = "fresh"
    IN_PROGRESS = "in_progress"
    FAILED = "failed"
    STALE = "stale"
    NONE = "none"        # TERMINATING / TERMINATED: protects nothing
    UNKNOWN = "unknown"  # a gap could hide what decides it, or its links disagree


class RequirementSource(StrEnum):
    """Which rule set a volume's required destinations (rule book §5)."""

    COPY_TARGETS = "copy_targets"
    VOLUME_POLICY = "volume_policy"
    GROUP_POLICY = "group_policy"
    ANY = "any"


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
#: statuses a volume can only get when no judgement about copies is possible (restorable_upper_pct adds unknown)
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

_ROOT = Column("root_backup_id", STRING, "The root of the copy chain: the backup taken from the volume itself "
                                         "(itself for a root); empty when the chain is broken")
_DEPTH = Column("lineage_depth", INT, "Copy links from this backup to its root (0 for a root); empty when the "
                                      "chain is broken")
_DATA_TIME = Column("data_time", TIMESTAMP, "Point in time of the data: the root's time_created (never a copy's "
                                            "own); empty when the chain is broken (age unprovable)")
_ORIGIN = Column("origin_region", CATEGORY, "Region of the root: where the data was taken; empty when the chain "
                                            "is broken")

ASSESSED_BACKUPS = Table("assessed_backups", "Every boot volume backup that exists at as_of (roots, copies and "
                         "members of group backup copies, all states) with its lineage and copy verdict.", (
    *BACKUPS.columns,
    _PATH,
    Column("image_class", CATEGORY, "Class of the backup's image (a copy without image_id: its root's)",
           enum_values(ImageClass)),
    Column("copy_eligible", BOOL, "Eligibility of that image, or True when a copy proves it; empty = unknown"),
    Column("role", CATEGORY, "source (a root: taken from the volume), copy (has source_boot_volume_backup_id) or "
                             "group_copy_member (member of a volume group backup copy)", enum_values(Role)),
    Column("source_region", STRING, "Region of the immediate source: its own region for a source, the source "
                                    "backup's region for a copy; empty when the source is not in the inventory"),
    _ROOT,
    _DEPTH,
    _DATA_TIME,
    _ORIGIN,
    Column("copy_status", CATEGORY, "Sources: copied / in_progress / failed / not_copied / ineligible / unknown; "
                                    "copies: orphan or unknown when the source is not in the inventory, else empty",
           enum_values(CopyStatus)),
    Column("copy_regions", STRING, "Sources: sorted comma-separated regions other than its own holding an AVAILABLE "
                                   "copy of its data (at any depth of the chain, or through a group backup copy)"),
    Column("available_copies", INT, "Sources: number of AVAILABLE copies of its data in other regions"),
    Column("newest_copy_time", TIMESTAMP, "Sources: time_created of the newest AVAILABLE copy"),
    Column("newest_copy_age_days", FLOAT, "Sources: days from newest_copy_time to as_of"),
    _REASON,
))

ASSESSED_GROUP_BACKUPS = Table("assessed_group_backups", "Every volume group backup that exists at as_of (roots "
                               "and cross-region copies, all states) with its lineage and copy verdict.", (
    *VOLUME_GROUP_BACKUPS.columns,
    _PATH,
    Column("role", CATEGORY, "source (a root: taken from the volume group) or copy (has "
                             "source_volume_group_backup_id)", enum_values(Role)[:2]),
    _ROOT,
    _DEPTH,
    _DATA_TIME,
    _ORIGIN,
    Column("boot_volume_ids", STRING, "Boot volumes the root group backup holds a member backup of (sorted, "
                                      "comma-separated): the volumes a copy protects"),
    Column("copy_status", CATEGORY, "Sources: copied / in_progress / failed / not_copied / unknown; copies: orphan "
                                    "or unknown when the chain is broken, else empty", enum_values(CopyStatus)),
    Column("copy_regions", STRING, "Sources: sorted comma-separated regions other than its own holding an AVAILABLE "
                                   "copy of it"),
    _REASON,
))

PROTECTION_ITEMS = Table("protection_items", "Every protection item (rule book §0) of every assessed boot volume: "
                         "backup copies, group backup copies (one row per volume they protect) and replicas, in "
                         "every state, with the state the rules give it at as_of.", (
    Column("boot_volume_id", STRING, "Boot volume the item protects"),
    Column("home_region", CATEGORY, "Region of that boot volume"),
    Column("kind", CATEGORY, "What the item is", enum_values(ProtectionKind)),
    Column("item_id", STRING, "OCID of the backup copy, group backup copy or replica"),
    REGION,
    Column("compartment_id", STRING, "Compartment of the item"),
    Column("lifecycle_state", STRING, "The item's own lifecycle state"),
    Column("state", CATEGORY, "State at as_of: fresh, in_progress, failed, stale, none or unknown (rule book §4)",
           enum_values(ItemState)),
    Column("data_time", TIMESTAMP, "Point in time of its data: the chain root's time_created (replica: "
                                   "time_last_synced); empty when unprovable"),
    Column("expires_at", TIMESTAMP, "When the item expires (expiration_time); empty = no expiry"),
    Column("away", BOOL, "True when the item is outside the volume's home region (only such items protect)"),
    Column("accepted", BOOL, "True when its kind is one the assessment accepts (accept=)"),
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
    Column("policy_id", STRING, "Backup policy assigned to the volume itself, if any"),
    Column("policy_name", STRING, "Name of that policy"),
    Column("policy_destination_region", STRING, "Region that policy copies backups to; empty = none"),
    Column("volume_group_id", STRING, "Volume groups the volume is a member of (VolumeGroup.volume_ids; "
                                      "comma-separated); empty = none"),
    Column("copies_scheduled", BOOL, "True when the volume's policy or its volume group's policy has a "
                                     "destination region (copies arrive by themselves)"),
    Column("requirement_source", CATEGORY, "Which rule set required_regions: copy_targets, volume_policy, "
                                           "group_policy or any", enum_values(RequirementSource)),
    Column("replica_regions", STRING, "Regions other than the home region holding a boot volume replica (from the "
                                      "replica records; a replica the volume names in a region that could not be "
                                      "read counts too, as unknown)"),
    Column("cross_ad_replica", BOOL, "True when a replica sits in another availability domain of the home region: "
                                     "no regional protection"),
    Column("protection", STRING, "Kinds with an AVAILABLE item outside the home region, whatever its age "
                                 "(backup_copy, group_backup_copy, replica; comma-separated); empty = none"),
    Column("required_regions", STRING, "Destinations a fresh item must exist in (comma-separated); "
                                       "'any' = any other subscribed READY region"),
    Column("covered_regions", STRING, "Regions other than the home region holding a fresh item of an accepted kind"),
    Column("covered_by", STRING, "Kinds of the fresh items that make the volume covered (comma-separated); empty "
                                 "when not covered"),
    Column("source_backups", INT, "Number of AVAILABLE root backups of the volume (taken from it, in its region)"),
    Column("newest_backup_time", TIMESTAMP, "time_created of the newest AVAILABLE root backup"),
    Column("newest_copy_source_time", TIMESTAMP, "Point in time recoverable in every required destination: the "
                                                 "oldest, over required destinations ('any': the best region), of the "
                                                 "newest data_time of an AVAILABLE accepted item there; empty when a "
                                                 "destination has none with a provable data time"),
    Column("rpo_age_days", FLOAT, "Days from newest_copy_source_time to as_of"),
    Column("protected_until", TIMESTAMP, "When the volume stops being covered if nothing new arrives: per "
                                         "destination the latest min(data_time + rpo, expires_at) of its fresh "
                                         "items, then the earliest over required destinations ('any': the best "
                                         "region); empty when not covered"),
    Column("copy_expires_at", TIMESTAMP, "Expiry of the covering item chosen per destination (the one giving "
                                         "protected_until), earliest over required destinations; empty when none "
                                         "expires or the volume is not covered"),
    Column("coverage_status", CATEGORY, "Cross-region coverage verdict (docs/assess.md)", enum_values(CoverageStatus)),
    _REASON,
    Column("remediation", STRING, "What to do about it; empty when covered"),
))

LAPSING_COVERAGE = Table("lapsing_coverage", "Covered boot volumes whose protection lapses within 7 days with "
                         "nothing scheduled to renew it (rule book §10).", (
    Column("boot_volume_id", STRING, "Boot volume OCID"),
    Column("display_name", STRING, "Display name"),
    REGION,
    _PATH,
    Column("covered_by", STRING, "Kinds that cover it"),
    Column("protected_until", TIMESTAMP, "When it stops being covered if nothing new arrives"),
    Column("copy_expires_at", TIMESTAMP, "Expiry of the covering item, if it expires"),
    Column("copies_scheduled", BOOL, "True when a policy copies its backups by itself"),
    Column("lapse_reason", STRING, "Why nothing renews it: manual copies, or the covering copy expires first"),
))

PROTECTION_BY_KIND = Table("protection_by_kind", "Boot volumes per protection kind: how many have one outside their "
                           "home region, how many it covers, and whether the assessment accepts it.", (
    Column("kind", CATEGORY, "Protection kind", enum_values(ProtectionKind)),
    Column("accepted", BOOL, "True when this kind counts towards covered (accept=)"),
    Column("volumes_protected", INT, "Volumes with an AVAILABLE item of this kind outside the home region"),
    Column("volumes_fresh", INT, "Volumes with a fresh item of this kind outside the home region"),
    Column("volumes_covered_by", INT, "Covered volumes this kind covers (a volume can be covered by several kinds)"),
    Column("only_protection", INT, "Volumes this kind is the only protection of"),
))

FINDINGS = Table("findings", "One row per finding: a resource that fails (or cannot be checked against) a control.", (
    Column("control", CATEGORY, "Control the resource fails", enum_values(Control)),
    Column("severity", CATEGORY, "Severity of the finding", enum_values(Severity)),
    Column("resource_id", STRING, "OCID of the boot volume or backup concerned"),
    Column("resource_type", STRING, "boot_volume, boot_volume_backup or volume_group_backup"),
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
    Column("pct_compliant", FLOAT, "compliant / (compliant + non_compliant + unknown) * 100: what could not be "
                                   "evaluated counts against it; empty when nothing was evaluated"),
))

ASSESSMENT_TABLES: dict[str, Table] = {t.name: t for t in (
    ASSESSED_IMAGES, ASSESSED_BACKUPS, ASSESSED_GROUP_BACKUPS, PROTECTION_ITEMS, ASSESSED_VOLUMES, FINDINGS, CONTROLS,
    LAPSING_COVERAGE, PROTECTION_BY_KIND,
)}

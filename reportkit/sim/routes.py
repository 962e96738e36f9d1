"""Routes as data: (method, compiled path regex with named groups, handler, OCI operation name).

API paths start with the region (``/uk-london-1/20160918/bootVolumeBackups``) because a client
points ``service_endpoint`` at ``http://127.0.0.1:PORT/<region>`` and the SDK appends the API
version (KMS clients have base path ``/`` and put the version in each operation's path, so the
same endpoint works). A vault's management endpoint is ``.../<region>/kms-mgmt/<vault slug>``
(:func:`reportkit.sim.models.kms.endpoint_slug`). Doubled slashes (from a trailing slash in the
endpoint) are tolerated. Admin paths live under the reserved ``/_sim/`` prefix and are never signed.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import NamedTuple

from reportkit.sim import responses as r
from reportkit.sim import responses_restore as rr
from reportkit.sim.responses_restore import KMS_MANAGEMENT

Handler = Callable[..., r.Response]


class Route(NamedTuple):
    method: str
    pattern: re.Pattern[str]
    handler: Handler
    operation: str
    admin: bool = False


_OCID = r"(?P<{}>[^/]+)"
_REGION = r"^/+(?P<region>[a-z0-9-]+)/+"


def _api(method: str, version: str, tail: str, handler: Handler, operation: str, *, prefix: str = "") -> Route:
    tail = re.sub(r"\{(\w+)\}", lambda m: _OCID.format(m.group(1)), tail)
    return Route(method, re.compile(_REGION + prefix + version + "/+" + tail + "/?$"), handler, operation)


def _kms_management(method: str, tail: str, handler: Handler, operation: str) -> Route:
    return _api(method, KMS, tail, handler, operation, prefix=KMS_MANAGEMENT + "/+(?P<vault>[^/]+)/+")


def _admin(method: str, tail: str, handler: Handler, operation: str) -> Route:
    return Route(method, re.compile(r"^/+_sim/" + tail + "/?$"), handler, operation, admin=True)


IDENTITY = "20160918"
CORE = "20160918"
SEARCH = "20180409"
MARKETPLACE = "20181001"
KMS = "20180608"

ROUTES: list[Route] = [
    # Identity
    _api("GET", IDENTITY, "tenancies/{tenancy_id}", r.get_tenancy, "GetTenancy"),
    _api("GET", IDENTITY, "tenancies/{tenancy_id}/regionSubscriptions", r.list_region_subscriptions,
         "ListRegionSubscriptions"),
    _api("GET", IDENTITY, "compartments", r.list_compartments, "ListCompartments"),
    _api("GET", IDENTITY, "availabilityDomains", r.list_availability_domains, "ListAvailabilityDomains"),
    _api("GET", IDENTITY, "policies", r.list_policies, "ListPolicies"),
    # Core: block storage
    _api("GET", CORE, "bootVolumeBackups", r.list_boot_volume_backups, "ListBootVolumeBackups"),
    _api("GET", CORE, "bootVolumeBackups/{id}", r.get_boot_volume_backup, "GetBootVolumeBackup"),
    _api("POST", CORE, "bootVolumeBackups/{id}/actions/copy", r.copy_boot_volume_backup, "CopyBootVolumeBackup"),
    _api("POST", CORE, "bootVolumeBackups/{id}/actions/changeCompartment", r.change_boot_volume_backup_compartment,
         "ChangeBootVolumeBackupCompartment"),
    _api("GET", CORE, "bootVolumes", r.list_boot_volumes, "ListBootVolumes"),
    _api("GET", CORE, "bootVolumes/{id}", r.get_boot_volume, "GetBootVolume"),
    _api("GET", CORE, "volumeBackupPolicies", r.list_volume_backup_policies, "ListVolumeBackupPolicies"),
    _api("GET", CORE, "volumeBackupPolicies/{id}", r.get_volume_backup_policy, "GetVolumeBackupPolicy"),
    _api("GET", CORE, "volumeBackupPolicyAssignments", r.get_volume_backup_policy_asset_assignment,
         "GetVolumeBackupPolicyAssetAssignment"),
    _api("GET", CORE, "volumeGroups", r.list_volume_groups, "ListVolumeGroups"),
    _api("GET", CORE, "volumeGroups/{id}", r.get_volume_group, "GetVolumeGroup"),
    _api("GET", CORE, "volumeGroupBackups", r.list_volume_group_backups, "ListVolumeGroupBackups"),
    _api("GET", CORE, "volumeGroupBackups/{id}", r.get_volume_group_backup, "GetVolumeGroupBackup"),
    _api("POST", CORE, "volumeGroupBackups/{id}/actions/copy", r.copy_volume_group_backup, "CopyVolumeGroupBackup"),
    _api("GET", CORE, "bootVolumeReplicas", r.list_boot_volume_replicas, "ListBootVolumeReplicas"),
    _api("GET", CORE, "bootVolumeReplicas/{id}", r.get_boot_volume_replica, "GetBootVolumeReplica"),
    _api("GET", CORE, "volumeGroupReplicas", r.list_volume_group_replicas, "ListVolumeGroupReplicas"),
    _api("GET", CORE, "volumeGroupReplicas/{id}", r.get_volume_group_replica, "GetVolumeGroupReplica"),
    # Core: compute
    _api("GET", CORE, "images", r.list_images, "ListImages"),
    _api("GET", CORE, "images/{id}", r.get_image, "GetImage"),
    _api("GET", CORE, "images/{id}/shapes", rr.list_image_shape_compatibility_entries,
         "ListImageShapeCompatibilityEntries"),
    _api("GET", CORE, "images/{id}/shapes/{shape}", rr.get_image_shape_compatibility_entry,
         "GetImageShapeCompatibilityEntry"),
    _api("GET", CORE, "shapes", rr.list_shapes, "ListShapes"),
    # Vault: the regional KMS endpoint, then each vault's management endpoint
    _api("GET", KMS, "vaults", rr.list_vaults, "ListVaults"),
    _api("GET", KMS, "vaults/{id}", rr.get_vault, "GetVault"),
    _kms_management("GET", "keys", rr.list_keys, "ListKeys"),
    _kms_management("GET", "keys/{id}", rr.get_key, "GetKey"),
    # Marketplace, Resource Search
    _api("GET", MARKETPLACE, "listings", r.list_listings, "ListListings"),
    _api("POST", SEARCH, "resources", r.search_resources, "SearchResources"),
    # Admin (unsigned, JSON)
    _admin("POST", "reset", r.admin_reset, "SimReset"),
    _admin("POST", "tenancy", r.admin_load, "SimLoadTenancy"),
    _admin("GET", "clock", r.admin_clock, "SimGetClock"),
    _admin("POST", "clock/advance", r.admin_clock_advance, "SimAdvanceClock"),
    _admin("POST", "clock/rate", r.admin_clock_rate, "SimSetClockRate"),
    _admin("GET", "requests", r.admin_requests, "SimListRequests"),
    _admin("DELETE", "requests", r.admin_clear_requests, "SimClearRequests"),
    _admin("GET", "knobs", r.admin_get_knobs, "SimGetKnobs"),
    _admin("POST", "knobs", r.admin_set_knobs, "SimSetKnobs"),
    _admin("POST", "regions", r.admin_subscribe_region, "SimSubscribeRegion"),
    _admin("POST", "regions/(?P<region>[a-z0-9-]+)/ready", r.admin_ready_region, "SimReadyRegion"),
]

_ANY_REGION = re.compile(_REGION)


def match(method: str, path: str) -> tuple[Route | None, dict[str, str], bool]:
    """Return (route, path groups, path_known). ``path_known`` is False when no method matches either."""
    path_known = False
    for route in ROUTES:
        found = route.pattern.match(path)
        if found:
            path_known = True
            if route.method == method:
                return route, found.groupdict(), True
    return None, {}, path_known


def region_of(path: str) -> str | None:
    """The region segment of an API path (None for admin paths)."""
    if path.lstrip("/").startswith("_sim"):
        return None
    found = _ANY_REGION.match(path)
    return found.group("region") if found else None

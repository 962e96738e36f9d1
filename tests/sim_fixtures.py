"""A small hand-written tenancy document for the fake OCI API's tests.

Three subscribed regions (London home, Frankfurt, Ashburn), compartments prod > app, dev and a
denied one, one image of each kind, a handful of boot volumes and backups (and one existing copy),
Oracle-defined and user-defined backup policies, and one Vault key in Frankfurt.
"""
from __future__ import annotations

import copy
from typing import Any

LHR, FRA, IAD = "uk-london-1", "eu-frankfurt-1", "us-ashburn-1"
UNSUBSCRIBED = "us-phoenix-1"

TENANCY = "ocid1.tenancy.oc1..aaaaaaaafixturetenancy"
PROD = "ocid1.compartment.oc1..aaaaaaaaprod"
APP = "ocid1.compartment.oc1..aaaaaaaaprodapp"
DEV = "ocid1.compartment.oc1..aaaaaaaadev"
SECRET = "ocid1.compartment.oc1..aaaaaaaasecret"
PUBLISHER = "ocid1.compartment.oc1..aaaaaaaaothertenancy"


def ocid(kind: str, region: str, name: str) -> str:
    return f"ocid1.{kind}.oc1.{region}.aaaaaaaa{name}"


IMG_PLATFORM = ocid("image", LHR, "platform")
IMG_CUSTOM = ocid("image", LHR, "custom")
IMG_CUSTOM2 = ocid("image", LHR, "customofcustom")
IMG_IMPORTED = ocid("image", LHR, "imported")
IMG_MARKET = ocid("image", LHR, "marketplace")
IMG_COMMUNITY = ocid("image", LHR, "community")
IMG_DELETED = ocid("image", LHR, "deleted")

BV = {k: ocid("bootvolume", LHR, k) for k in ("platform", "custom", "imported", "market", "community",
                                                 "deleted", "secret", "app")}
BKP = {k: ocid("bootvolumebackup", LHR, k) for k in ("platform", "platform_old", "custom", "imported", "market",
                                                       "community", "deleted", "secret", "app", "creating")}
COPY_FRA = ocid("bootvolumebackup", FRA, "copyofplatformold")
BV_IAD = ocid("bootvolume", IAD, "east")
BKP_IAD = ocid("bootvolumebackup", IAD, "east")
KEY_FRA = ocid("key", FRA, "vaultkey")
POLICY_GOLD = "ocid1.volumebackuppolicy.oc1..aaaaaaaagold"
POLICY_SILVER = "ocid1.volumebackuppolicy.oc1..aaaaaaaasilver"
POLICY_USER = ocid("volumebackuppolicy", LHR, "dailytofra")
LISTING = "ocid1.mktpublisting.oc1..aaaaaaaalisting"

AS_OF = "2026-11-01T00:00:00.000Z"


def _image(image_id: str, name: str, *, compartment: str | None, base: str | None = None,
           listing_type: str = "NONE", launch_mode: str = "NATIVE") -> dict[str, Any]:
    img = {"id": image_id, "displayName": name, "compartmentId": compartment, "baseImageId": base,
           "createImageAllowed": True, "lifecycleState": "AVAILABLE", "operatingSystem": "Oracle Linux",
           "operatingSystemVersion": "8", "launchMode": launch_mode, "listingType": listing_type,
           "sizeInMBs": 47694, "billableSizeInGBs": 3, "timeCreated": "2026-01-01T00:00:00.000Z",
           "launchOptions": {"bootVolumeType": "PARAVIRTUALIZED", "firmware": "UEFI_64",
                             "networkType": "PARAVIRTUALIZED", "remoteDataVolumeType": "PARAVIRTUALIZED",
                             "isPvEncryptionInTransitEnabled": True, "isConsistentVolumeNamingEnabled": True},
           "freeformTags": {}, "definedTags": {}}
    return {k: v for k, v in img.items() if v is not None}


def _volume(volume_id: str, name: str, compartment: str, image_id: str, *, region: str = LHR) -> dict[str, Any]:
    return {"id": volume_id, "displayName": name, "compartmentId": compartment, "imageId": image_id,
            "availabilityDomain": f"Uocm:{region.upper()}-AD-1", "lifecycleState": "AVAILABLE",
            "sizeInGBs": 50, "sizeInMBs": 51200, "vpusPerGB": 10, "isHydrated": True,
            "timeCreated": "2026-02-01T00:00:00.000Z",
            "sourceDetails": None, "bootVolumeReplicas": [], "freeformTags": {"team": "ops"}, "definedTags": {},
            "systemTags": {}}


def _backup(backup_id: str, name: str, compartment: str, volume_id: str, image_id: str, created: str, *,
            state: str = "AVAILABLE", source_type: str = "MANUAL", source: str | None = None,
            kms: str | None = None) -> dict[str, Any]:
    bkp = {"id": backup_id, "displayName": name, "compartmentId": compartment, "bootVolumeId": volume_id,
           "imageId": image_id, "lifecycleState": state, "sourceType": source_type, "type": "FULL",
           "sizeInGBs": 50, "uniqueSizeInGBs": 12, "timeCreated": created, "timeRequestReceived": created,
           "sourceBootVolumeBackupId": source, "kmsKeyId": kms, "freeformTags": {}, "definedTags": {},
           "systemTags": {}}
    if source_type == "SCHEDULED":
        bkp["expirationTime"] = "2026-12-01T00:00:00.000Z"
    return {k: v for k, v in bkp.items() if v is not None}


def build_fixture_tenancy() -> dict[str, Any]:
    """Return a fresh copy of the small fixture tenancy document."""
    volumes_lhr = [
        _volume(BV["platform"], "web-1 (Boot Volume)", PROD, IMG_PLATFORM),
        _volume(BV["custom"], "api-1 (Boot Volume)", PROD, IMG_CUSTOM2),
        _volume(BV["imported"], "legacy-1 (Boot Volume)", DEV, IMG_IMPORTED),
        _volume(BV["market"], "fw-1 (Boot Volume)", PROD, IMG_MARKET),
        _volume(BV["community"], "tool-1 (Boot Volume)", DEV, IMG_COMMUNITY),
        _volume(BV["deleted"], "old-1 (Boot Volume)", DEV, IMG_DELETED),
        _volume(BV["secret"], "hr-1 (Boot Volume)", SECRET, IMG_PLATFORM),
        _volume(BV["app"], "app-1 (Boot Volume)", APP, IMG_CUSTOM),
    ]
    volumes_lhr[0]["bootVolumeReplicas"] = [{"displayName": "web-1 replica", "availabilityDomain": "Uocm:LHR-AD-2",
                                             "bootVolumeReplicaId": ocid("bootvolumereplica", LHR, "web1")}]
    volumes_lhr[1]["sourceDetails"] = {"type": "bootVolumeBackup", "id": BKP["platform_old"]}
    backups_lhr = [
        _backup(BKP["platform"], "web-1 daily", PROD, BV["platform"], IMG_PLATFORM, "2026-10-30T02:00:00.000Z",
                source_type="SCHEDULED"),
        _backup(BKP["platform_old"], "web-1 weekly", PROD, BV["platform"], IMG_PLATFORM, "2026-10-20T02:00:00.000Z"),
        _backup(BKP["custom"], "api-1 manual", PROD, BV["custom"], IMG_CUSTOM2, "2026-10-29T02:00:00.000Z"),
        _backup(BKP["creating"], "api-1 running", PROD, BV["custom"], IMG_CUSTOM2, "2026-10-31T23:50:00.000Z",
                state="CREATING"),
        _backup(BKP["market"], "fw-1 manual", PROD, BV["market"], IMG_MARKET, "2026-10-28T02:00:00.000Z"),
        _backup(BKP["imported"], "legacy-1 manual", DEV, BV["imported"], IMG_IMPORTED, "2026-10-27T02:00:00.000Z"),
        _backup(BKP["community"], "tool-1 manual", DEV, BV["community"], IMG_COMMUNITY, "2026-10-26T02:00:00.000Z"),
        _backup(BKP["deleted"], "old-1 manual", DEV, BV["deleted"], IMG_DELETED, "2026-10-25T02:00:00.000Z"),
        _backup(BKP["secret"], "hr-1 manual", SECRET, BV["secret"], IMG_PLATFORM, "2026-10-24T02:00:00.000Z"),
        _backup(BKP["app"], "app-1 manual", APP, BV["app"], IMG_CUSTOM, "2026-10-23T02:00:00.000Z"),
    ]
    schedule = {"backupType": "INCREMENTAL", "period": "ONE_DAY", "offsetType": "STRUCTURED", "hourOfDay": 2,
                "retentionSeconds": 604800, "timeZone": "UTC", "offsetSeconds": 0}
    doc: dict[str, Any] = {
        "schemaVersion": 1,
        "asOf": AS_OF,
        "tenancy": {"id": TENANCY, "name": "fixture", "description": "test tenancy", "homeRegionKey": "LHR",
                    "freeformTags": {}, "definedTags": {}},
        "regionSubscriptions": [
            {"regionKey": "LHR", "regionName": LHR, "status": "READY", "isHomeRegion": True},
            {"regionKey": "FRA", "regionName": FRA, "status": "READY", "isHomeRegion": False},
            {"regionKey": "IAD", "regionName": IAD, "status": "READY", "isHomeRegion": False},
        ],
        "compartments": [
            {"id": PROD, "compartmentId": TENANCY, "name": "prod", "description": "production",
             "timeCreated": "2025-01-01T00:00:00.000Z", "lifecycleState": "ACTIVE", "freeformTags": {},
             "definedTags": {}},
            {"id": APP, "compartmentId": PROD, "name": "app", "description": "nested in prod",
             "timeCreated": "2025-01-02T00:00:00.000Z", "lifecycleState": "ACTIVE"},
            {"id": DEV, "compartmentId": TENANCY, "name": "dev", "description": "development",
             "timeCreated": "2025-01-03T00:00:00.000Z", "lifecycleState": "ACTIVE"},
            {"id": SECRET, "compartmentId": TENANCY, "name": "secret", "description": "auditor may not read",
             "timeCreated": "2025-01-04T00:00:00.000Z", "lifecycleState": "ACTIVE"},
        ],
        "policies": [
            {"id": "ocid1.policy.oc1..aaaaaaaaauditors", "compartmentId": TENANCY, "name": "auditors",
             "description": "read backups", "lifecycleState": "ACTIVE", "timeCreated": "2025-01-01T00:00:00.000Z",
             "statements": ["Allow group Auditors to read boot-volume-backups in tenancy",
                            "Allow group Auditors to inspect compartments in tenancy"]},
            {"id": "ocid1.policy.oc1..aaaaaaaacopiers", "compartmentId": PROD, "name": "copiers",
             "description": "copy backups", "lifecycleState": "ACTIVE", "timeCreated": "2025-01-01T00:00:00.000Z",
             "statements": ["Allow group Ops to use boot-volume-backups in compartment prod where "
                            "request.permission='BOOT_VOLUME_BACKUP_COPY'"]},
        ],
        "images": {LHR: [
            _image(IMG_PLATFORM, "Oracle-Linux-8.10-2026.01.01-0", compartment=None),
            _image(IMG_CUSTOM, "api-golden", compartment=PROD, base=IMG_PLATFORM),
            _image(IMG_CUSTOM2, "api-golden-v2", compartment=PROD, base=IMG_CUSTOM),
            _image(IMG_IMPORTED, "legacy-qcow2", compartment=DEV, launch_mode="EMULATED"),
            _image(IMG_MARKET, "Vendor Firewall 9.1", compartment=None),
            _image(IMG_COMMUNITY, "community-tools", compartment=PUBLISHER, listing_type="COMMUNITY"),
        ]},
        "bootVolumes": {LHR: volumes_lhr, IAD: [_volume(BV_IAD, "east-1 (Boot Volume)", PROD, IMG_PLATFORM,
                                                        region=IAD)]},
        "bootVolumeBackups": {
            LHR: backups_lhr,
            FRA: [_backup(COPY_FRA, "web-1 weekly", PROD, BV["platform"], IMG_PLATFORM, "2026-10-20T03:00:00.000Z",
                          source=BKP["platform_old"], kms=KEY_FRA)],
            IAD: [_backup(BKP_IAD, "east-1 manual", PROD, BV_IAD, IMG_PLATFORM, "2026-10-22T02:00:00.000Z")],
        },
        "volumeBackupPolicies": {LHR: [
            {"id": POLICY_GOLD, "displayName": "gold", "timeCreated": "2019-01-01T00:00:00.000Z",
             "schedules": [dict(schedule, backupType="INCREMENTAL")]},
            {"id": POLICY_SILVER, "displayName": "silver", "timeCreated": "2019-01-01T00:00:00.000Z",
             "schedules": [dict(schedule, period="ONE_WEEK", dayOfWeek="SUNDAY")]},
            {"id": POLICY_USER, "displayName": "daily-to-fra", "compartmentId": PROD,
             "destinationRegion": FRA, "timeCreated": "2026-01-01T00:00:00.000Z", "schedules": [schedule],
             "freeformTags": {}, "definedTags": {}},
        ]},
        "volumeBackupPolicyAssignments": {LHR: [
            {"id": ocid("volumebackuppolicyassignment", LHR, "web1"), "assetId": BV["platform"],
             "policyId": POLICY_USER, "timeCreated": "2026-01-02T00:00:00.000Z"},
        ]},
        "marketplaceListings": [
            {"id": LISTING, "name": "Vendor Firewall", "shortDescription": "A firewall", "packageType": "IMAGE",
             "pricingTypes": ["BYOL"], "listingType": "PARTNER", "isFeatured": False, "categories": ["Security"],
             "publisher": {"id": "ocid1.publisher.oc1..aaaaaaaavendor", "name": "Vendor"},
             "regions": [{"code": "lhr", "name": LHR}], "_imageIds": [IMG_MARKET]},
        ],
        "vaultKeys": {FRA: [KEY_FRA]},
        "access": {"deniedCompartments": [SECRET]},
        "_truth": {"note": "not served"},
    }
    return copy.deepcopy(doc)


def client(cls: Any, config: dict[str, Any], sim: Any, region: str = LHR) -> Any:
    """An SDK client of ``cls`` pointed at the fake's ``region``, without retries or circuit breaker
    (so an injected error surfaces at once instead of being retried)."""
    import oci

    return cls(config, service_endpoint=sim.endpoint(region), retry_strategy=oci.retry.NoneRetryStrategy(),
               circuit_breaker_strategy=oci.circuit_breaker.NoCircuitBreakerStrategy())


# --------------------------------------------------------------------------------------------------
# Every way OCI protects a boot volume: volume groups, group backups and their copies, replicas,
# a region being subscribed, compartments that are not ACTIVE (a separate document, so the tests of
# the collector keep the small one above)
# --------------------------------------------------------------------------------------------------
NRT = "ap-tokyo-1"  # subscription IN_PROGRESS, ready an hour after AS_OF
READY_AT = "2026-11-01T01:00:00.000Z"
LEGACY = "ocid1.compartment.oc1..aaaaaaaalegacy"  # INACTIVE (a failed delete)
SUNSET = "ocid1.compartment.oc1..aaaaaaaasunset"  # DELETING
GONE = "ocid1.compartment.oc1..aaaaaaaagone"  # DELETED (empty, as OCI requires)
LHR_ADS = ["Uocm:UK-LONDON-1-AD-1", "Uocm:UK-LONDON-1-AD-2", "Uocm:UK-LONDON-1-AD-3"]
FRA_AD = "Uocm:EU-FRANKFURT-1-AD-1"
IAD_AD = "Uocm:US-ASHBURN-1-AD-1"

BV.update({k: ocid("bootvolume", LHR, k) for k in ("db1", "db2", "legacy")})
BKP.update({k: ocid("bootvolumebackup", LHR, k) for k in ("db1", "db2", "db1_old", "db2_old", "db1_committed",
                                                           "db2_committed", "legacy", "sunset")})
BLOCK_VOLUME = ocid("volume", LHR, "dbdata")
VG = ocid("volumegroup", LHR, "db")
VGB = {k: ocid("volumegroupbackup", LHR, k) for k in ("db", "db_old", "db_committed")}
VGB_FRA = ocid("volumegroupbackup", FRA, "dbcopy")
BKP_FRA_MEMBERS = [ocid("bootvolumebackup", FRA, "db1member"), ocid("bootvolumebackup", FRA, "db2member")]
REP = {"web_cross_ad": ocid("bootvolumereplica", LHR, "web1"),  # same region, another AD: no regional protection
       "db1_fra": ocid("bootvolumereplica", FRA, "db1"),  # healthy, keeps syncing every 10 minutes
       "api_iad_lagging": ocid("bootvolumereplica", IAD, "api"),  # AVAILABLE but last synced 3 days ago
       "app_fra_faulty": ocid("bootvolumereplica", FRA, "app"),
       "db2_iad_terminated": ocid("bootvolumereplica", IAD, "db2")}
VGR_FRA = ocid("volumegroupreplica", FRA, "db")
ASSIGNMENT_VG = ocid("volumebackuppolicyassignment", LHR, "dbgroup")


def _group_backup(backup_id: str, name: str, members: list[str], created: str, *, state: str = "AVAILABLE",
                  source_type: str = "SCHEDULED", source: str | None = None, **extra: Any) -> dict[str, Any]:
    bkp = {"id": backup_id, "displayName": name, "compartmentId": PROD, "volumeGroupId": VG,
           "volumeBackupIds": members, "lifecycleState": state, "sourceType": source_type, "type": "INCREMENTAL",
           "sizeInGBs": 150, "sizeInMBs": 153600, "uniqueSizeInGbs": 20, "uniqueSizeInMbs": 20480,
           "timeCreated": created, "timeRequestReceived": created, "sourceVolumeGroupBackupId": source,
           "freeformTags": {}, "definedTags": {}, **extra}
    if source_type == "SCHEDULED":
        bkp["expirationTime"] = "2026-11-08T02:00:00.000Z"
    return {k: v for k, v in bkp.items() if v is not None}


def _replica(replica_id: str, volume_id: str, ad: str, *, state: str = "AVAILABLE",
             synced: str = "2026-10-31T23:50:00.000Z", **extra: Any) -> dict[str, Any]:
    return {"id": replica_id, "bootVolumeId": volume_id, "availabilityDomain": ad, "compartmentId": PROD,
            "displayName": f"replica of {volume_id.rsplit('.', 1)[-1]}", "lifecycleState": state,
            "sizeInGBs": 50, "timeCreated": "2026-06-01T00:00:00.000Z", "timeLastSynced": synced,
            "imageId": IMG_PLATFORM, "totalDataTransferredInGBs": 12, "freeformTags": {}, "definedTags": {}, **extra}


def build_protection_tenancy() -> dict[str, Any]:
    """The fixture tenancy plus every other way OCI protects a boot volume, and the states around them."""
    doc = build_fixture_tenancy()
    doc["regionSubscriptions"].append({"regionKey": "NRT", "regionName": NRT, "status": "IN_PROGRESS",
                                       "isHomeRegion": False, "_readyAt": READY_AT})
    doc["compartments"] += [
        {"id": LEGACY, "compartmentId": TENANCY, "name": "legacy", "description": "delete failed",
         "timeCreated": "2025-02-01T00:00:00.000Z", "lifecycleState": "INACTIVE", "inactiveStatus": 2},
        {"id": SUNSET, "compartmentId": TENANCY, "name": "sunset", "description": "being deleted",
         "timeCreated": "2025-02-02T00:00:00.000Z", "lifecycleState": "DELETING"},
        {"id": GONE, "compartmentId": TENANCY, "name": "gone.qR5hP2BD", "description": "deleted",
         "timeCreated": "2025-02-03T00:00:00.000Z", "lifecycleState": "DELETED"},
    ]
    doc["availabilityDomains"] = {LHR: list(LHR_ADS)}
    vols = doc["bootVolumes"][LHR]
    web = next(v for v in vols if v["id"] == BV["platform"])
    web["bootVolumeReplicas"] = [{"displayName": "web-1 replica", "availabilityDomain": LHR_ADS[1],
                                  "bootVolumeReplicaId": REP["web_cross_ad"]}]
    vols += [_volume(BV["db1"], "db-1 (Boot Volume)", PROD, IMG_PLATFORM),
             _volume(BV["db2"], "db-2 (Boot Volume)", PROD, IMG_PLATFORM),
             _volume(BV["legacy"], "legacy-app (Boot Volume)", LEGACY, IMG_PLATFORM)]
    group_members = {k: [BKP[f"db1{k}"], BKP[f"db2{k}"], ocid("volumebackup", LHR, f"dbdata{k}")]
                     for k in ("", "_old", "_committed")}
    retention = {"isRetentionLockEnabled": True, "isPreventDeletionEnabled": True,
                 "timeRetentionExpiresAt": "2026-12-01T00:00:00.000Z",
                 "retentionPeriod": {"retentionTimeUnit": "DAYS", "retentionTimeAmount": 30}}
    doc["volumeGroups"] = {LHR: [{
        "id": VG, "displayName": "db", "compartmentId": PROD, "availabilityDomain": LHR_ADS[0],
        "lifecycleState": "AVAILABLE", "volumeIds": [BV["db1"], BV["db2"], BLOCK_VOLUME], "sizeInGBs": 150,
        "sizeInMBs": 153600, "isHydrated": True, "timeCreated": "2026-03-01T00:00:00.000Z",
        "freeformTags": {}, "definedTags": {}}]}
    doc["volumeGroupBackups"] = {
        LHR: [_group_backup(VGB["db"], "db daily", group_members[""], "2026-10-31T02:00:00.000Z", **retention),
              _group_backup(VGB["db_old"], "db weekly", group_members["_old"], "2026-10-25T02:00:00.000Z"),
              _group_backup(VGB["db_committed"], "db before upgrade", group_members["_committed"],
                            "2026-10-31T23:40:00.000Z", state="COMMITTED", source_type="MANUAL")],
        FRA: [_group_backup(VGB_FRA, "db weekly", BKP_FRA_MEMBERS + [ocid("volumebackup", FRA, "dbdatamember")],
                            "2026-10-25T04:00:00.000Z", source_type="MANUAL", source=VGB["db_old"])],
    }
    member = {"": ("2026-10-31T02:00:00.000Z", "AVAILABLE", "SCHEDULED"),
              "_old": ("2026-10-25T02:00:00.000Z", "AVAILABLE", "SCHEDULED"),
              "_committed": ("2026-10-31T23:40:00.000Z", "CREATING", "MANUAL")}
    for suffix, (created, state, source_type) in member.items():
        for vol in ("db1", "db2"):
            bkp = _backup(BKP[f"{vol}{suffix}"], f"{vol}{suffix or ' daily'}", PROD, BV[vol], IMG_PLATFORM, created,
                          state=state, source_type=source_type)
            bkp["volumeGroupBackupId"] = VGB[f"db{suffix}"]
            if suffix == "_old":  # the group backups' own expiry
                bkp["expirationTime"] = "2026-11-08T02:00:00.000Z"
            doc["bootVolumeBackups"][LHR].append(bkp)
    next(b for b in doc["bootVolumeBackups"][LHR] if b["id"] == BKP["db1"]).update(retention)  # a locked member
    doc["bootVolumeBackups"][FRA] += [
        dict(_backup(copy_id, f"{vol} weekly", PROD, BV[vol], IMG_PLATFORM, "2026-10-25T04:00:00.000Z"),
             volumeGroupBackupId=VGB_FRA)  # no sourceBootVolumeBackupId: linked only through the group
        for copy_id, vol in zip(BKP_FRA_MEMBERS, ("db1", "db2"))]
    doc["bootVolumeBackups"][LHR] += [
        _backup(BKP["legacy"], "legacy manual", LEGACY, BV["legacy"], IMG_PLATFORM, "2026-10-30T02:00:00.000Z"),
        _backup(BKP["sunset"], "sunset leftover", SUNSET, BV["app"], IMG_CUSTOM, "2026-10-29T02:00:00.000Z")]
    doc["volumeBackupPolicyAssignments"][LHR].append(
        {"id": ASSIGNMENT_VG, "assetId": VG, "policyId": POLICY_USER, "timeCreated": "2026-03-02T00:00:00.000Z"})
    doc["bootVolumeReplicas"] = {
        LHR: [_replica(REP["web_cross_ad"], BV["platform"], LHR_ADS[1], _syncIntervalSeconds=600)],
        FRA: [_replica(REP["db1_fra"], BV["db1"], FRA_AD, volumeGroupReplicaId=VGR_FRA, _syncIntervalSeconds=600),
              _replica(REP["app_fra_faulty"], BV["app"], FRA_AD, state="FAULTY", synced="2026-10-20T00:00:00.000Z")],
        IAD: [_replica(REP["api_iad_lagging"], BV["custom"], IAD_AD, synced="2026-10-29T00:00:00.000Z"),
              _replica(REP["db2_iad_terminated"], BV["db2"], IAD_AD, state="TERMINATED")],
    }
    doc["volumeGroupReplicas"] = {FRA: [{
        "id": VGR_FRA, "volumeGroupId": VG, "availabilityDomain": FRA_AD, "compartmentId": PROD,
        "displayName": "db replica", "lifecycleState": "AVAILABLE", "sizeInGBs": 150,
        "timeCreated": "2026-06-01T00:00:00.000Z", "timeLastSynced": "2026-10-31T23:50:00.000Z",
        "_syncIntervalSeconds": 600, "freeformTags": {}, "definedTags": {},
        "memberReplicas": [{"volumeReplicaId": REP["db1_fra"], "membershipState": "STABLE"},
                           {"volumeReplicaId": ocid("blockvolumereplica", FRA, "dbdata"), "membershipState": "STABLE"}],
    }]}
    return copy.deepcopy(doc)


# --------------------------------------------------------------------------------------------------
# Restorability (issue 19): shapes per region and AD, image shape compatibility, vaults and keys in
# every state the collector must tell apart (a separate document, so the tests above keep theirs)
# --------------------------------------------------------------------------------------------------
IAD_ADS = ["Uocm:US-ASHBURN-1-AD-1", "Uocm:US-ASHBURN-1-AD-2", "Uocm:US-ASHBURN-1-AD-3"]
VAULT = {k: ocid("vault", r, k) for k, r in (("fra", FRA), ("iad_prod", IAD), ("iad_denied", IAD),
                                              ("iad_secret", IAD), ("iad_deleted", IAD))}
KEY = {k: ocid("key", r, k) for k, r in (("fra_disabled", FRA), ("fra_pending", FRA), ("iad_enabled", IAD),
                                          ("iad_denied", IAD), ("iad_secret", IAD), ("iad_deleted", IAD))}
E4, E5, A1, STD2 = "VM.Standard.E4.Flex", "VM.Standard.E5.Flex", "VM.Standard.A1.Flex", "VM.Standard2.1"


def _shape(name: str, *ads: str) -> dict[str, Any]:
    out: dict[str, Any] = {"shape": name, "processorDescription": f"{name} processor", "ocpus": 1.0,
                           "memoryInGBs": 16.0, "isFlexible": name.endswith(".Flex")}
    if ads:
        out["_availabilityDomains"] = list(ads)
    return out


def _vault(vault_id: str, name: str, compartment: str, state: str = "ACTIVE") -> dict[str, Any]:
    return {"id": vault_id, "displayName": name, "compartmentId": compartment, "lifecycleState": state,
            "vaultType": "DEFAULT", "timeCreated": "2026-01-01T00:00:00.000Z", "freeformTags": {}, "definedTags": {}}


def _key(key_id: str, vault_id: str, name: str, state: str, compartment: str = PROD, **extra: Any) -> dict[str, Any]:
    return {"id": key_id, "vaultId": vault_id, "displayName": name, "compartmentId": compartment,
            "lifecycleState": state, "protectionMode": "HSM", "timeCreated": "2026-01-02T00:00:00.000Z",
            "currentKeyVersion": f"{key_id}.v1", "keyShape": {"algorithm": "AES", "length": 32},
            "freeformTags": {}, "definedTags": {}, **extra}


def build_restorable_tenancy() -> dict[str, Any]:
    """The fixture tenancy plus shapes, image shape compatibility, vaults and keys.

    - London offers E4, E5 and standard2 everywhere; Frankfurt (one AD) only A1 and E5; Ashburn A1 in
      every AD and E4 only in AD-2. The platform image is compatible with E4 and E5 (constraints
      given), the custom image with E4 only: its copies launch in London and Ashburn, not Frankfurt.
    - Frankfurt's vault holds the fixture's key (ENABLED, also in vaultKeys), a DISABLED and a
      PENDING_DELETION key; Ashburn has an ENABLED key, a key in a vault whose keys the auditor may
      not read (access.deniedVaults), one in a denied compartment, and one in a DELETED vault.
    - The service policy: Block Volume may use the Frankfurt ENABLED key only.
    """
    doc = build_fixture_tenancy()
    doc["availabilityDomains"] = {LHR: LHR_ADS, FRA: [FRA_AD], IAD: IAD_ADS}
    doc["shapes"] = {LHR: [_shape(E4), _shape(E5), _shape(STD2)], FRA: [_shape(A1), _shape(E5)],
                     IAD: [_shape(A1), _shape(E4, IAD_ADS[1])]}
    constraints = {"ocpuConstraints": {"min": 1, "max": 64}, "memoryConstraints": {"minInGBs": 1, "maxInGBs": 1024}}
    doc["imageShapeCompatibility"] = {LHR: [
        {"imageId": IMG_PLATFORM, "shape": E4, **constraints}, {"imageId": IMG_PLATFORM, "shape": E5},
        {"imageId": IMG_CUSTOM, "shape": E4}]}
    doc["vaults"] = {
        FRA: [_vault(VAULT["fra"], "fra-vault", PROD)],
        IAD: [_vault(VAULT["iad_prod"], "iad-vault", PROD), _vault(VAULT["iad_denied"], "iad-hsm", PROD),
              _vault(VAULT["iad_secret"], "hr-vault", SECRET),
              _vault(VAULT["iad_deleted"], "old-vault", PROD, state="DELETED")]}
    doc["keys"] = {
        FRA: [_key(KEY_FRA, VAULT["fra"], "copies", "ENABLED"),
              _key(KEY["fra_disabled"], VAULT["fra"], "disabled", "DISABLED"),
              _key(KEY["fra_pending"], VAULT["fra"], "retiring", "PENDING_DELETION",
                   timeOfDeletion="2026-11-20T00:00:00.000Z")],
        IAD: [_key(KEY["iad_enabled"], VAULT["iad_prod"], "east", "ENABLED"),
              _key(KEY["iad_denied"], VAULT["iad_denied"], "hsm", "ENABLED"),
              _key(KEY["iad_secret"], VAULT["iad_secret"], "hr", "ENABLED", compartment=SECRET),
              _key(KEY["iad_deleted"], VAULT["iad_deleted"], "old", "DELETED")]}
    doc["access"]["deniedVaults"] = [VAULT["iad_denied"]]
    doc["policies"].append(
        {"id": "ocid1.policy.oc1..aaaaaaaakeys", "compartmentId": TENANCY, "name": "block-volume-keys",
         "description": "the Block Volume service may use the copy key", "lifecycleState": "ACTIVE",
         "timeCreated": "2026-01-01T00:00:00.000Z",
         "statements": [f"Allow service blockstorage to use keys in compartment prod where target.key.id = '{KEY_FRA}'"]})
    return copy.deepcopy(doc)

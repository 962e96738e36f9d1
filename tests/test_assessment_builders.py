"""Hand-built tiny inventories for the assess tests (plus tests of the builder itself).

``Tenancy`` collects rows with sensible defaults so each test states only what matters:
three subscribed regions (lhr home, fra, ams), compartments / -> Prod -> Prod/App, and a
platform image ``img-plat``. AS_OF is the collection's finished_at.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from reportkit.inventory import CollectionMetadata, Inventory
from reportkit.schema import INVENTORY_TABLES

AS_OF = pd.Timestamp("2024-06-01T00:00:00Z")
LHR, FRA, AMS = "uk-london-1", "eu-frankfurt-1", "eu-amsterdam-1"
ROOT, PROD, APP = "ocid1.tenancy.oc1..root", "ocid1.compartment.oc1..prod", "ocid1.compartment.oc1..app"


def days_ago(days: float) -> pd.Timestamp:
    return AS_OF - pd.Timedelta(days=days)


@dataclass
class Tenancy:
    """Rows of a hand-built inventory; call :meth:`inventory` to get an Inventory."""

    regions: list[dict[str, Any]] = field(default_factory=lambda: [
        {"region": LHR, "region_key": "LHR", "is_home_region": True, "status": "READY", "collected": True},
        {"region": FRA, "region_key": "FRA", "is_home_region": False, "status": "READY", "collected": True},
        {"region": AMS, "region_key": "AMS", "is_home_region": False, "status": "READY", "collected": True},
    ])
    compartments: list[dict[str, Any]] = field(default_factory=lambda: [
        {"compartment_id": ROOT, "parent_compartment_id": None, "name": "root", "path": "/", "depth": 0,
         "lifecycle_state": "ACTIVE"},
        {"compartment_id": PROD, "parent_compartment_id": ROOT, "name": "Prod", "path": "Prod", "depth": 1,
         "lifecycle_state": "ACTIVE"},
        {"compartment_id": APP, "parent_compartment_id": PROD, "name": "App", "path": "Prod/App", "depth": 2,
         "lifecycle_state": "ACTIVE"},
    ])
    images: list[dict[str, Any]] = field(default_factory=list)
    boot_volumes: list[dict[str, Any]] = field(default_factory=list)
    backups: list[dict[str, Any]] = field(default_factory=list)
    backup_policies: list[dict[str, Any]] = field(default_factory=list)
    policy_assignments: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    volume_groups: list[dict[str, Any]] = field(default_factory=list)
    volume_group_members: list[dict[str, Any]] = field(default_factory=list)
    volume_group_backups: list[dict[str, Any]] = field(default_factory=list)
    volume_group_backup_members: list[dict[str, Any]] = field(default_factory=list)
    boot_volume_replicas: list[dict[str, Any]] = field(default_factory=list)
    volume_group_replicas: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.image("img-plat")

    def image(self, image_id: str, *, compartment: str | None = None, base: str | None = None,
              listing_type: str = "NONE", listing: str | None = None, status: str = "ok") -> str:
        self.images.append({"image_id": image_id, "region": LHR, "compartment_id": compartment,
                            "display_name": image_id, "base_image_id": base, "listing_type": listing_type,
                            "marketplace_listing_id": listing, "marketplace_publisher": "ACME" if listing else None,
                            "lookup_status": status, "lifecycle_state": "AVAILABLE"})
        return image_id

    def volume(self, volume_id: str, *, region: str = LHR, compartment: str = APP, image: str = "img-plat",
               state: str = "AVAILABLE", replicas: str | None = None, kms: str | None = None) -> str:
        self.boot_volumes.append({"boot_volume_id": volume_id, "region": region, "compartment_id": compartment,
                                  "availability_domain": "AD-1", "display_name": volume_id, "image_id": image,
                                  "lifecycle_state": state, "size_in_gbs": 50, "kms_key_id": kms,
                                  "time_created": days_ago(100), "replica_regions": replicas,
                                  "replica_count": 0 if replicas is None else len(replicas.split(","))})
        return volume_id

    def backup(self, backup_id: str, volume: str, *, age_days: float = 1, region: str = LHR, compartment: str = APP,
               state: str = "AVAILABLE", image: str | None = "img-plat", kms: str | None = None) -> str:
        self.backups.append({"backup_id": backup_id, "region": region, "compartment_id": compartment,
                             "display_name": backup_id, "boot_volume_id": volume, "image_id": image,
                             "lifecycle_state": state, "source_type": "SCHEDULED", "backup_type": "FULL",
                             "time_created": days_ago(age_days), "kms_key_id": kms})
        return backup_id

    def copy(self, copy_id: str, source: str, *, region: str = FRA, state: str = "AVAILABLE",
             copied_days_after: float = 0.01, kms: str | None = None, expires_days: float | None = None) -> str:
        """A copy of ``source`` (a root or another copy); its own time_created is the copy time."""
        src = next(b for b in self.backups if b["backup_id"] == source)
        created = src["time_created"] + pd.Timedelta(days=copied_days_after)
        row = dict(src, backup_id=copy_id, region=region, lifecycle_state=state, kms_key_id=kms,
                   source_boot_volume_backup_id=source, time_created=created, time_request_received=created,
                   volume_group_backup_id=None,
                   expiration_time=None if expires_days is None else AS_OF + pd.Timedelta(days=expires_days))
        self.backups.append(row)
        return copy_id

    def group(self, group_id: str, volumes: list[str], *, region: str = LHR, compartment: str = APP,
              state: str = "AVAILABLE") -> str:
        """A volume group holding ``volumes`` (VolumeGroup.volume_ids)."""
        self.volume_groups.append({"volume_group_id": group_id, "region": region, "compartment_id": compartment,
                                   "availability_domain": "AD-1", "display_name": group_id, "lifecycle_state": state,
                                   "time_created": days_ago(90)})
        self.volume_group_members += [{"volume_group_id": group_id, "region": region, "volume_id": v}
                                      for v in volumes]
        return group_id

    def group_policy(self, policy_id: str, group: str, *, destination: str | None, region: str = LHR) -> str:
        if not any(p["policy_id"] == policy_id for p in self.backup_policies):
            self.backup_policies.append({"policy_id": policy_id, "region": region, "compartment_id": APP,
                                         "display_name": policy_id, "destination_region": destination})
        self.policy_assignments.append({"assignment_id": f"asg-{group}", "region": region, "asset_id": group,
                                        "asset_type": "volume_group", "policy_id": policy_id,
                                        "time_created": days_ago(50)})
        return policy_id

    def group_backup(self, backup_id: str, group: str, volumes: list[str], *, age_days: float = 1,
                     region: str = LHR, compartment: str = APP, state: str = "AVAILABLE",
                     listed_only: bool = False) -> str:
        """A root volume group backup of ``group`` with one member boot backup per volume
        (``<backup_id>-<volume>``); ``listed_only``: members linked only through volume_backup_ids."""
        created = days_ago(age_days)
        self.volume_group_backups.append({
            "volume_group_backup_id": backup_id, "region": region, "compartment_id": compartment,
            "display_name": backup_id, "volume_group_id": group, "lifecycle_state": state, "source_type": "SCHEDULED",
            "backup_type": "INCREMENTAL", "time_created": created, "time_request_received": created})
        for v in volumes:
            member = self.backup(f"{backup_id}-{v}", v, age_days=age_days, region=region, compartment=compartment,
                                 state="AVAILABLE" if state == "AVAILABLE" else "CREATING")
            self.volume_group_backup_members.append({"volume_group_backup_id": backup_id, "region": region,
                                                     "volume_backup_id": member})
            if not listed_only:
                self.backups[-1]["volume_group_backup_id"] = backup_id
        return backup_id

    def group_copy(self, copy_id: str, source: str, *, region: str = FRA, state: str = "AVAILABLE",
                   copied_days_after: float = 0.01, members: list[str] | None = None,
                   member_state: str = "AVAILABLE", expires_days: float | None = None) -> str:
        """A copy of group backup ``source`` in ``region``; ``members``: the volumes whose member boot
        backups are visible in the destination (none by default), without a source id of their own."""
        src = next(g for g in self.volume_group_backups if g["volume_group_backup_id"] == source)
        created = src["time_created"] + pd.Timedelta(days=copied_days_after)
        self.volume_group_backups.append(dict(
            src, volume_group_backup_id=copy_id, region=region, lifecycle_state=state, source_type="MANUAL",
            source_volume_group_backup_id=source, time_created=created, time_request_received=created,
            expiration_time=None if expires_days is None else AS_OF + pd.Timedelta(days=expires_days)))
        for v in members or []:
            self.backups.append({"backup_id": f"{copy_id}-{v}", "region": region,
                                 "compartment_id": src["compartment_id"],
                                 "display_name": f"{copy_id}-{v}", "boot_volume_id": v, "image_id": "img-plat",
                                 "lifecycle_state": member_state, "source_type": "MANUAL", "backup_type": "FULL",
                                 "time_created": created, "volume_group_backup_id": copy_id})
        return copy_id

    def replica(self, replica_id: str, volume: str, *, region: str = FRA, state: str = "AVAILABLE",
                synced_days_ago: float = 0.01, group_replica: str | None = None) -> str:
        self.boot_volume_replicas.append({
            "replica_id": replica_id, "region": region, "compartment_id": APP, "availability_domain": f"{region}-AD-2",
            "display_name": replica_id, "boot_volume_id": volume, "lifecycle_state": state,
            "time_created": days_ago(60), "time_last_synced": days_ago(synced_days_ago),
            "volume_group_replica_id": group_replica})
        return replica_id

    def group_replica(self, replica_id: str, group: str, *, region: str = FRA, state: str = "AVAILABLE") -> str:
        self.volume_group_replicas.append({
            "replica_id": replica_id, "region": region, "compartment_id": APP, "availability_domain": f"{region}-AD-1",
            "display_name": replica_id, "volume_group_id": group, "lifecycle_state": state,
            "time_created": days_ago(60), "time_last_synced": days_ago(0.01)})
        return replica_id

    def orphan_copy(self, copy_id: str, source: str, volume: str, *, region: str = FRA, age_days: float = 1) -> str:
        self.backups.append({"backup_id": copy_id, "region": region, "compartment_id": APP, "display_name": copy_id,
                             "boot_volume_id": volume, "image_id": "img-plat", "lifecycle_state": "AVAILABLE",
                             "time_created": days_ago(age_days), "source_boot_volume_backup_id": source})
        return copy_id

    def policy(self, policy_id: str, volume: str, *, destination: str | None, region: str = LHR) -> str:
        if not any(p["policy_id"] == policy_id for p in self.backup_policies):
            self.backup_policies.append({"policy_id": policy_id, "region": region, "compartment_id": None,
                                         "display_name": policy_id, "destination_region": destination})
        self.policy_assignments.append({"assignment_id": f"asg-{volume}", "region": region, "asset_id": volume,
                                        "policy_id": policy_id, "time_created": days_ago(50)})
        return policy_id

    def error(self, region: str, compartment: str = "", operation: str = "ListBootVolumeBackups",
              resource: str | None = None) -> None:
        self.errors.append({"region": region, "compartment_id": compartment, "operation": operation,
                            "resource_id": resource, "http_status": 500, "code": "InternalError",
                            "message": "boom", "time": AS_OF})

    def inventory(self) -> Inventory:
        meta = CollectionMetadata(tenancy_id=ROOT, tenancy_name="test", home_region=LHR,
                                  started_at=AS_OF - pd.Timedelta(minutes=5), finished_at=AS_OF,
                                  reportkit_version="test", parameters={"tables": sorted(INVENTORY_TABLES)})
        tables = {name: pd.DataFrame(getattr(self, name)) for name in (
            "regions", "compartments", "images", "boot_volumes", "backups", "backup_policies",
            "policy_assignments", "errors", "volume_groups", "volume_group_members", "volume_group_backups",
            "volume_group_backup_members", "boot_volume_replicas", "volume_group_replicas")}
        return Inventory.from_tables(meta, **{k: v for k, v in tables.items() if len(v)})


def test_builder_makes_a_valid_inventory() -> None:
    t = Tenancy()
    t.volume("bv1")
    t.backup("b1", "bv1")
    t.copy("c1", "b1")
    inv = t.inventory()
    assert len(inv.backups) == 2
    assert inv.backups.set_index("backup_id").loc["c1", "source_boot_volume_backup_id"] == "b1"
    assert str(inv.backups.set_index("backup_id").loc["c1", "region"]) == FRA


def sample() -> Tenancy:
    """A small tenancy with a hostile id, a missing copy, a downgraded copy, an ineligible image, an orphan."""
    t = Tenancy()
    t.image("img-mkt", listing="L")
    t.volume("=cmd|' /C calc'!A0")                                   # a hostile display name / id
    t.backup("b1", "=cmd|' /C calc'!A0"); t.copy("c1", "b1", region=FRA)
    t.volume("missing", compartment=PROD); t.backup("b2", "missing", compartment=PROD)
    t.volume("vault", kms="key-1"); t.backup("b3", "vault", kms="key-1"); t.copy("c3", "b3", kms=None)
    t.volume("inelig", image="img-mkt", region=FRA)
    t.orphan_copy("c-orphan", "ghost", "gone", region=AMS)  # its volume is gone too (else: stale)
    return t

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
             copied_days_after: float = 0.01, kms: str | None = None) -> str:
        src = next(b for b in self.backups if b["backup_id"] == source)
        row = dict(src, backup_id=copy_id, region=region, lifecycle_state=state, kms_key_id=kms,
                   source_boot_volume_backup_id=source,
                   time_created=src["time_created"] + pd.Timedelta(days=copied_days_after))
        self.backups.append(row)
        return copy_id

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
                                  reportkit_version="test")
        tables = {name: pd.DataFrame(getattr(self, name)) for name in (
            "regions", "compartments", "images", "boot_volumes", "backups", "backup_policies",
            "policy_assignments", "errors")}
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

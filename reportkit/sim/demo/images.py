"""The demo's images: one catalog that creates platform, custom, imported, Marketplace and community
image records on first use, in the region where a volume needs them."""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from reportkit.sim.demo.records import Hasher, ts


class ImageCatalog:
    """Creates image records on first use, in the region where a volume needs them."""

    def __init__(self, plan_h: Hasher, spec: dict[str, Any], start: datetime, images_cid: str,
                 foreign_cid: str) -> None:
        self.h = plan_h
        self.spec = spec
        self.start = start
        self.images_cid = images_cid
        self.foreign_cid = foreign_cid
        self.by_region: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
        self.kinds: dict[str, str] = {}
        self.listings: dict[str, dict[str, Any]] = {}

    def _add(self, region: str, record: dict[str, Any], kind: str) -> str:
        self.by_region[region].setdefault(record["id"], record)
        self.kinds[record["id"]] = kind
        return record["id"]

    def _record(self, image_id: str, name: str, os_: str, version: str, *, age_days: int,
                compartment_id: str | None = None, base: str | None = None, listing_type: str = "NONE",
                launch_mode: str = "NATIVE") -> dict[str, Any]:
        rec: dict[str, Any] = {
            "id": image_id,
            "displayName": name,
            "createImageAllowed": True,
            "launchMode": launch_mode,
            "lifecycleState": "AVAILABLE",
            "operatingSystem": os_,
            "operatingSystemVersion": version,
            "listingType": listing_type,
            "sizeInMBs": 47694,
            "billableSizeInGBs": 1 if compartment_id else 0,
            "timeCreated": ts(self.start - timedelta(days=age_days)),
            "freeformTags": {},
            "definedTags": {},
        }
        if compartment_id:
            rec["compartmentId"] = compartment_id
        if base:
            rec["baseImageId"] = base
        return rec

    def platform(self, region: str, index: int) -> str:
        p = self.spec["images"]["platform"][index % len(self.spec["images"]["platform"])]
        iid = self.h.ocid("image", region, "platform", p["name"])
        rec = self._record(iid, p["name"], p["os"], p["version"], age_days=40)
        if p.get("hidden_from_list"):
            rec["_hiddenFromList"] = True  # private key: the fake leaves it out of ListImages
        return self._add(region, rec, "platform")

    def custom(self, region: str) -> str:
        base = self.platform(region, 0)
        iid = self.h.ocid("image", region, "custom")
        rec = self._record(iid, "app-golden-ol8-2025-05", "Oracle Linux", "8", age_days=30,
                           compartment_id=self.images_cid, base=base)
        return self._add(region, rec, "custom_from_platform")

    def chain(self, region: str) -> str:
        """custom -> custom -> platform."""
        base = self.custom(region)
        iid = self.h.ocid("image", region, "custom-chain")
        rec = self._record(iid, "app-golden-ol8-hardened =cmd|' /C calc'!A0", "Oracle Linux", "8",
                           age_days=20, compartment_id=self.images_cid, base=base)
        return self._add(region, rec, "custom_from_platform")

    def imported(self, region: str) -> str:
        p = self.spec["images"]["imported"][0]
        iid = self.h.ocid("image", region, "imported")
        rec = self._record(iid, p["name"], p["os"], p["version"], age_days=25, compartment_id=self.images_cid,
                           launch_mode=p.get("launch_mode", "EMULATED"))
        return self._add(region, rec, "custom_imported")

    def marketplace(self, region: str, index: int) -> str:
        p = self.spec["images"]["marketplace"][index % len(self.spec["images"]["marketplace"])]
        # Partner images carry no region segment in their OCID (observed); same OCID everywhere.
        iid = self.h.ocid("image", "", "marketplace", p["listing_id"])
        rec = self._record(iid, p["image_name"], p["os"], p["version"], age_days=35,
                           launch_mode="PARAVIRTUALIZED")
        listing = self.listings.setdefault(p["listing_id"], {
            "id": p["listing_id"],
            "name": p["name"],
            "shortDescription": f"{p['name']} from {p['publisher']}",
            "tagline": p["name"],
            "isRoverExportable": False,
            "packageType": "IMAGE",
            "pricingTypes": [p.get("pricing", "FREE")],
            "compatibleArchitectures": ["X86"],
            "regions": [],
            "isFeatured": False,
            "categories": ["Security" if "Firewall" in p["name"] else "Developer Tools"],
            "publisher": {"id": self.h.ocid("publisher", "", p["publisher"]), "name": p["publisher"],
                          "description": f"{p['publisher']} on Oracle Cloud Marketplace"},
            "supportedOperatingSystems": [{"name": p["os"]}],
            "listingType": "PARTNER",
            "_imageIds": [iid],
        })
        if region not in [r["name"] for r in listing["regions"]]:
            listing["regions"].append({"name": region, "code": region})
        return self._add(region, rec, "marketplace")

    def custom_from_marketplace(self, region: str) -> str:
        base = self.marketplace(region, 1)
        iid = self.h.ocid("image", region, "custom-mkt")
        rec = self._record(iid, "gitlab-runner-golden", "Oracle Linux", "8", age_days=15,
                           compartment_id=self.images_cid, base=base, launch_mode="PARAVIRTUALIZED")
        return self._add(region, rec, "custom_from_marketplace")

    def community(self, region: str) -> str:
        p = self.spec["images"]["community"][0]
        iid = self.h.ocid("image", region, "community")
        # Community images live in the publisher's tenancy: a compartment that is not ours.
        rec = self._record(iid, p["name"], p["os"], p["version"], age_days=28, compartment_id=self.foreign_cid,
                           listing_type="COMMUNITY", launch_mode="PARAVIRTUALIZED")
        return self._add(region, rec, "community")

    def deleted(self, region: str, tag: str = "deleted") -> str:
        """A custom image that was deleted after volumes were launched from it: referenced, not listed.

        ``tag`` tells deleted images apart: a copy of any volume's backup proves its image copyable,
        so volumes meant to stay ``unknown`` must not share an image with volumes that have copies.
        """
        iid = self.h.ocid("image", region, tag)
        self.kinds[iid] = "unknown"
        return iid


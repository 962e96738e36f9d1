"""Compute in the fake: images (regional; custom, platform, partner and community) and image lineage."""
from __future__ import annotations

from typing import TYPE_CHECKING

from reportkit.sim.models.base import Record, WireDict, filtered, sort_records

if TYPE_CHECKING:
    from reportkit.sim.models.backend import SimBackend


class ComputeBackend:
    """GetImage and ListImages, plus the image look-ups the copy rules need."""

    def __init__(self, sim: SimBackend) -> None:
        self.sim = sim

    def get_image(self, region: str, image_id: str) -> WireDict:
        with self.sim.lock:
            backend = self.sim.region(region)
            return self.sim.visible(backend.images.get(image_id), "image", image_id).to_dict()

    def list_images(self, region: str, compartment_id: str | None, *, display_name: str | None = None,
                    operating_system: str | None = None, operating_system_version: str | None = None,
                    lifecycle_state: str | None = None, sort_by: str | None = None,
                    sort_order: str | None = None) -> list[WireDict]:
        """Custom images of the compartment plus listed platform images (never partner images)."""
        with self.sim.lock:
            backend = self.sim.region(region)
            self.sim.check_list_compartment(compartment_id)
            listed = self.sim.marketplace.listed_image_ids()
            out = []
            for img in backend.images.values():
                mine = img.compartment_id == compartment_id
                platform = not img.compartment_id and img.id not in listed and not img.get("_hiddenFromList")
                if not (mine or platform):
                    continue
                out.append(img.to_dict())
            out = filtered(out, displayName=display_name, operatingSystem=operating_system,
                           operatingSystemVersion=operating_system_version, lifecycleState=lifecycle_state)
            return sort_records(out, sort_by, sort_order)

    def find_image(self, region: str, image_id: str) -> Record | None:
        """The image in ``region``, else in any region (partner images share one OCID everywhere)."""
        if image_id in self.sim.regions[region].images:
            return self.sim.regions[region].images[image_id]
        for backend in self.sim.regions.values():
            if image_id in backend.images:
                return backend.images[image_id]
        return None

    def platform_lineage_problem(self, region: str, image_id: str | None) -> str | None:
        """Why a backup of an instance launched from ``image_id`` may not be copied across regions,
        or None when the image chain ends in a platform image (OCI's copy limitation)."""
        if not image_id:
            return "the source image is unknown"
        listed = self.sim.marketplace.listed_image_ids()
        seen: set[str] = set()
        current = image_id
        while True:
            if current in seen:
                return f"image {current} has a cyclic lineage"
            seen.add(current)
            image = self.find_image(region, current)
            if image is None:
                return f"image {current} is deleted or unknown"
            base = image.get("baseImageId")
            if not base:
                break
            current = base
        if image.compartment_id or image.id in listed or (image.get("listingType") or "NONE") != "NONE":
            return f"image {image.id} is not a platform image"
        return None

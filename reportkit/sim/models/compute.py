"""Compute in the fake: images (regional; custom, platform, partner and community), image lineage, the
shapes each availability domain offers and the shapes each image is compatible with."""
from __future__ import annotations

from typing import TYPE_CHECKING

from reportkit.sim.exceptions import InvalidParameter, NotAuthorizedOrNotFound
from reportkit.sim.models.base import Record, WireDict, filtered, sort_records

if TYPE_CHECKING:
    from reportkit.sim.models.backend import SimBackend


def _shape(name: str, processor: str, ocpus: float, memory: float, **extra: object) -> WireDict:
    return {"shape": name, "processorDescription": processor, "ocpus": ocpus, "memoryInGBs": memory,
            "isFlexible": name.endswith(".Flex"), "networkingBandwidthInGbps": 1.0, "maxVnicAttachments": 2,
            "gpus": 0, "localDisks": 0, "isLiveMigrationSupported": True, "billingType": "PAID", **extra}


#: what a region offers (in every AD) when the document has no ``shapes`` for it, and what an image is
#: compatible with when the document has no ``imageShapeCompatibility`` entries for it: documents written
#: before these sections (the demo) keep every copy launchable, so no verdict changes by omission
DEFAULT_SHAPES: tuple[WireDict, ...] = (
    _shape("VM.Standard.E4.Flex", "2.55 GHz AMD EPYC 7J13 (Milan)", 1, 16),
    _shape("VM.Standard.E5.Flex", "2.4 GHz AMD EPYC 9J14 (Genoa)", 1, 12),
    _shape("VM.Standard3.Flex", "2.0 GHz Intel Xeon Platinum 8167M (Ice Lake)", 1, 16),
    _shape("VM.Standard2.1", "2.0 GHz Intel Xeon Platinum 8167M (Skylake)", 1, 15, isFlexible=False),
)


class ComputeBackend:
    """GetImage and ListImages, the image look-ups the copy rules need, ListShapes and the image shape
    compatibility entries."""

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

    # ------------------------------------------------------------------------------ shapes
    def _readable_image(self, region: str, image_id: str) -> Record:
        """An image of ``region`` the auditing user may read; 404 otherwise (deleted, another region's)."""
        return self.sim.visible(self.sim.region(region).images.get(image_id), "image", image_id)

    def compatible_entries(self, region: str, image_id: str) -> list[WireDict]:
        """The image's compatibility entries: the document's, else one per default shape."""
        entries = self.sim.regions[region].image_shapes.get(image_id)
        if entries is None:
            return [{"imageId": image_id, "shape": s["shape"]} for s in DEFAULT_SHAPES]
        return [e.to_dict() for e in entries]

    def offered_shapes(self, region: str, availability_domain: str | None = None) -> list[WireDict]:
        """The shapes offered in ``region`` (in that AD when given): the document's, else the defaults."""
        backend = self.sim.regions[region]
        ads = self.sim.identity.availability_domains.get(region, [])
        if backend.shapes is None:
            return [dict(s) for s in DEFAULT_SHAPES]
        return [s.to_dict() for s in backend.shapes
                if availability_domain is None or availability_domain in (s.get("_availabilityDomains") or ads)]

    def list_shapes(self, region: str, compartment_id: str | None, *, availability_domain: str | None = None,
                    image_id: str | None = None, shape: str | None = None) -> list[WireDict]:
        """ListShapes: what can be launched in the region (or in one of its ADs), optionally only the
        shapes compatible with ``image_id``, an image of this region (any other image: 404)."""
        with self.sim.lock:
            self.sim.region(region)
            self.sim.check_list_compartment(compartment_id)
            ads = self.sim.identity.availability_domains.get(region, [])
            if availability_domain and availability_domain not in ads:
                raise InvalidParameter(f"availabilityDomain {availability_domain!r} is not an availability domain "
                                       f"of {region}.")
            out = self.offered_shapes(region, availability_domain or None)
            if image_id:
                self._readable_image(region, image_id)
                compatible = {e["shape"] for e in self.compatible_entries(region, image_id)}
                out = [s for s in out if s["shape"] in compatible]
            return filtered(out, shape=shape)

    def list_image_shape_compatibility_entries(self, region: str, image_id: str) -> list[WireDict]:
        """ListImageShapeCompatibilityEntries, sent to the image's region (elsewhere: 404)."""
        with self.sim.lock:
            self._readable_image(region, image_id)
            return self.compatible_entries(region, image_id)

    def get_image_shape_compatibility_entry(self, region: str, image_id: str, shape_name: str) -> WireDict:
        """GetImageShapeCompatibilityEntry: 404 when the image is unreadable or not compatible with the shape."""
        with self.sim.lock:
            self._readable_image(region, image_id)
            found = [e for e in self.compatible_entries(region, image_id) if e["shape"] == shape_name]
            if not found:
                raise NotAuthorizedOrNotFound(f"Image {image_id} has no compatibility entry for shape {shape_name}.")
            return found[0]

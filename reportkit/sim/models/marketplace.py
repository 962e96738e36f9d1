"""Marketplace in the fake: the tenancy-wide partner listings and which images they publish."""
from __future__ import annotations

from typing import TYPE_CHECKING

from reportkit.sim.models.base import Record, WireDict

if TYPE_CHECKING:
    from reportkit.sim.models.backend import SimBackend


class MarketplaceBackend:
    """ListListings, and the set of images published by a listing (never copyable across regions)."""

    def __init__(self, sim: SimBackend) -> None:
        self.sim = sim
        self.listings: list[Record] = []

    def load(self, doc: WireDict) -> None:
        self.listings = [Record(x) for x in doc.get("marketplaceListings", [])]

    def listed_image_ids(self) -> set[str]:
        return {i for lst in self.listings for i in lst.get("_imageIds", [])}

    def list_listings(self, *, image_id: str | None = None, listing_id: str | None = None,
                      name: str | None = None) -> list[WireDict]:
        with self.sim.lock:
            return [x.to_dict() for x in self.listings
                    if (not image_id or image_id in x.get("_imageIds", []))
                    and (not listing_id or x.id == listing_id)
                    and (not name or x.get("name") == name)]

"""reportkit.regions: one mapping between region keys (lhr, LHR) and names (uk-london-1)."""
from __future__ import annotations


def test_region_lookup_prefers_the_tenancys_own_keys_then_the_sdk():
    from reportkit.regions import lookup_region

    assert lookup_region(" LHR ") == "uk-london-1"
    assert lookup_region("uk-london-1") == "uk-london-1"
    assert lookup_region("xyz", {"XYZ": "my-new-region-1"}) == "my-new-region-1"
    assert lookup_region("Not-A-Region") == "not-a-region"

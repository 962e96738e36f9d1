"""The fake's Resource Search at the model level: several types per query, and a result cache that
never serves a stale answer (copies, the clock, knobs and reloads all show at once)."""
from __future__ import annotations

import pytest

from reportkit.sim.exceptions import InvalidParameter
from reportkit.sim.models import SimBackend
from sim_fixtures import BKP, BV, FRA, LHR, PROD, SECRET, build_fixture_tenancy

BOTH = "query bootvolume, bootvolumebackup resources"


def _ids(items):
    return {i["identifier"] for i in items}


def test_one_query_can_ask_for_volumes_and_backups():
    doc = build_fixture_tenancy()
    backend = SimBackend(doc)
    both = backend.search.search_resources(LHR, BOTH)
    volumes = backend.search.search_resources(LHR, "query bootvolume resources")
    backups = backend.search.search_resources(LHR, "query bootvolumebackup resources")
    assert both == volumes + backups  # the types in the order asked, each as its own query returns it
    assert _ids(both) == {x["id"] for key in ("bootVolumes", "bootVolumeBackups") for x in doc[key][LHR]
                          if x["compartmentId"] != SECRET}
    reversed_order = backend.search.search_resources(LHR, "QUERY BootVolumeBackup ,BootVolume resources")
    assert reversed_order == backups + volumes
    with pytest.raises(InvalidParameter):
        backend.search.search_resources(LHR, "query bootvolume, instance resources")


def test_search_answers_follow_copies_the_clock_knobs_and_reloads():
    backend = SimBackend(build_fixture_tenancy())
    before = backend.search.search_resources(FRA, "query bootvolumebackup resources")
    assert backend.search.search_resources(FRA, "query bootvolumebackup resources") is before  # served from the cache
    copy, _ = backend.copies.copy_boot_volume_backup(LHR, BKP["platform"], {"destinationRegion": FRA})
    after = backend.search.search_resources(FRA, "query bootvolumebackup resources")
    assert _ids(after) == _ids(before) | {copy["id"]}
    state = {i["identifier"]: i["lifecycleState"] for i in after}
    assert state[copy["id"]] == "REQUEST_RECEIVED"
    backend.clock.advance(3600)  # the copy's lifecycle moves on the simulated clock
    later = {i["identifier"]: i["lifecycleState"]
             for i in backend.search.search_resources(FRA, "query bootvolumebackup resources")}
    assert later[copy["id"]] == "AVAILABLE"
    # a compartment denied by a knob disappears from search and from the listings at once
    assert BV["platform"] in _ids(backend.search.search_resources(LHR, BOTH))
    assert backend.blockstorage.list_boot_volumes(LHR, PROD)
    backend.set_knobs(denied_compartments=[PROD])
    assert not any(i["compartmentId"] == PROD for i in backend.search.search_resources(LHR, BOTH))
    backend.reset()  # knobs off, the document reloaded: the copy is gone, PROD visible again
    assert _ids(backend.search.search_resources(FRA, "query bootvolumebackup resources")) == _ids(before)
    assert BV["platform"] in _ids(backend.search.search_resources(LHR, BOTH))


def test_listings_by_compartment_keep_the_region_order_and_see_new_copies():
    doc = build_fixture_tenancy()
    backend = SimBackend(doc)
    assert [v["id"] for v in backend.blockstorage.list_boot_volumes(LHR, PROD)] == [
        v["id"] for v in doc["bootVolumes"][LHR] if v["compartmentId"] == PROD]
    in_fra = {b["id"] for b in backend.blockstorage.list_boot_volume_backups(FRA, PROD)}
    copy, _ = backend.copies.copy_boot_volume_backup(LHR, BKP["platform"], {"destinationRegion": FRA})
    assert {b["id"] for b in backend.blockstorage.list_boot_volume_backups(FRA, PROD)} == in_fra | {copy["id"]}

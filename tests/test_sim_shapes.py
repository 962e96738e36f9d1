"""The fake's shapes through the real SDK: ListShapes per region and availability domain (and its imageId
filter), the image shape compatibility entries, and the defaults of documents written without them."""
from __future__ import annotations

import json
import urllib.error
import urllib.request

import oci
import pytest
from sim_fixtures import (
    A1, APP, DEV, E4, E5, FRA, FRA_AD, IAD, IAD_ADS, IMG_CUSTOM, IMG_CUSTOM2, IMG_DELETED, IMG_IMPORTED,
    IMG_PLATFORM, LHR, SECRET, STD2, TENANCY, build_restorable_tenancy, client,
)

from reportkit.sim.models.compute import DEFAULT_SHAPES

_DEFAULTS = {s["shape"] for s in DEFAULT_SHAPES}


@pytest.fixture
def compute(regional_clients, restorable_sim):
    """ComputeClients per region on the restorable tenancy."""
    return regional_clients(oci.core.ComputeClient)


def _names(response) -> set[str]:
    return {s.shape for s in response.data}


def _all_shapes(compute_client, **kwargs) -> set[str]:
    pages = oci.pagination.list_call_get_all_results(compute_client.list_shapes, TENANCY, limit=1, **kwargs)
    return {s.shape for s in pages.data}


def _compatible(compute_client, image_id: str) -> set[str]:
    return {e.shape for e in oci.pagination.list_call_get_all_results(
        compute_client.list_image_shape_compatibility_entries, image_id, limit=1).data}


# --- ListShapes -------------------------------------------------------------------------------
def test_each_region_offers_the_shapes_of_the_document(compute):
    assert _all_shapes(compute[LHR]) == {E4, E5, STD2}
    assert _all_shapes(compute[FRA]) == {A1, E5}
    assert _all_shapes(compute[IAD]) == {A1, E4}  # the union of its availability domains


def test_an_availability_domain_offers_only_its_own_shapes(compute):
    assert _names(compute[IAD].list_shapes(TENANCY, availability_domain=IAD_ADS[0])) == {A1}
    assert _names(compute[IAD].list_shapes(TENANCY, availability_domain=IAD_ADS[1])) == {A1, E4}
    assert _names(compute[FRA].list_shapes(TENANCY, availability_domain=FRA_AD)) == {A1, E5}
    shape = next(s for s in compute[FRA].list_shapes(TENANCY).data if s.shape == A1)
    assert shape.ocpus == 1.0 and shape.is_flexible is True and shape.processor_description


def test_an_availability_domain_of_another_region_is_refused_not_answered_empty(compute):
    # an empty list would be evidence that nothing can launch there; a wrong question gets a 400
    with pytest.raises(oci.exceptions.ServiceError) as err:
        compute[FRA].list_shapes(TENANCY, availability_domain=IAD_ADS[1])
    assert err.value.status == 400 and err.value.code == "InvalidParameter"


def test_image_id_narrows_to_the_compatible_shapes_of_an_image_of_this_region(compute):
    assert _names(compute[LHR].list_shapes(TENANCY, image_id=IMG_PLATFORM)) == {E4, E5}
    assert _names(compute[LHR].list_shapes(TENANCY, image_id=IMG_CUSTOM)) == {E4}
    assert _names(compute[LHR].list_shapes(TENANCY, image_id=IMG_CUSTOM, shape=E5)) == set()
    assert _names(compute[LHR].list_shapes(TENANCY, shape=STD2)) == {STD2}


@pytest.mark.parametrize("region, image", [(FRA, IMG_PLATFORM), (LHR, IMG_DELETED)])
def test_image_id_of_another_region_or_a_deleted_image_is_404(compute, region, image):
    """The source region's image asked about in the destination: the fake answers 404, never a list
    that could be read as "no compatible shape here" (what OCI does is not documented)."""
    with pytest.raises(oci.exceptions.ServiceError) as err:
        compute[region].list_shapes(TENANCY, image_id=image)
    assert err.value.status == 404 and err.value.code == "NotAuthorizedOrNotFound"


def test_list_shapes_needs_a_readable_compartment(compute, restorable_sim):
    with pytest.raises(oci.exceptions.ServiceError) as err:
        compute[LHR].list_shapes(SECRET)
    assert err.value.status == 404
    assert _all_shapes(compute[LHR]) == _names(compute[LHR].list_shapes(DEV))  # offered to every compartment
    sig = 'Signature version="1",keyId="t/u/f",algorithm="rsa-sha256",headers="date",signature="x"'
    req = urllib.request.Request(f"{restorable_sim.url}/{LHR}/20160918/shapes", headers={"authorization": sig})
    with pytest.raises(urllib.error.HTTPError) as http:
        urllib.request.urlopen(req, timeout=5)
    assert http.value.code == 400 and json.load(http.value)["code"] == "MissingParameter"


# --- image shape compatibility ----------------------------------------------------------------
def test_compatibility_entries_are_served_in_the_images_region(compute):
    entries = {e.shape: e for e in compute[LHR].list_image_shape_compatibility_entries(IMG_PLATFORM).data}
    assert set(entries) == {E4, E5}
    assert entries[E4].ocpu_constraints.max == 64 and entries[E4].memory_constraints.max_in_gbs == 1024
    assert entries[E5].ocpu_constraints is None and entries[E4].image_id == IMG_PLATFORM
    assert _compatible(compute[LHR], IMG_CUSTOM) == {E4}
    one = compute[LHR].get_image_shape_compatibility_entry(IMG_PLATFORM, E4).data
    assert (one.image_id, one.shape, one.ocpu_constraints.min) == (IMG_PLATFORM, E4, 1)


@pytest.mark.parametrize("region, image, shape", [
    (FRA, IMG_PLATFORM, None),  # images are regional: not served outside their region
    (LHR, IMG_DELETED, None),  # deleted: the shape list cannot be read (launchable = unknown)
    (LHR, IMG_PLATFORM, A1),  # not compatible
])
def test_unreadable_or_absent_entries_are_404(compute, region, image, shape):
    with pytest.raises(oci.exceptions.ServiceError) as err:
        if shape:
            compute[region].get_image_shape_compatibility_entry(image, shape)
        else:
            compute[region].list_image_shape_compatibility_entries(image)
    assert err.value.status == 404


def test_an_image_the_auditor_may_not_read_has_no_readable_entries(oci_config, restorable_sim):
    doc = build_restorable_tenancy()
    next(i for i in doc["images"][LHR] if i["id"] == IMG_IMPORTED)["compartmentId"] = SECRET
    restorable_sim.load(doc)
    with pytest.raises(oci.exceptions.ServiceError) as err:
        compute = client(oci.core.ComputeClient, oci_config, restorable_sim, LHR)
        compute.list_image_shape_compatibility_entries(IMG_IMPORTED)
    assert err.value.status == 404


def test_an_image_without_entries_is_compatible_with_the_default_shapes(compute):
    assert _compatible(compute[LHR], IMG_CUSTOM2) == _DEFAULTS


def test_launchable_is_compatible_and_offered(compute):
    """What phase 2's collector will compute: the platform image launches everywhere, the custom image
    (E4 only) not in Frankfurt, and in Ashburn only in the availability domain that offers E4."""
    def launchable(image: str, region: str, ad: str | None = None) -> bool:
        offered = _names(compute[region].list_shapes(TENANCY, availability_domain=ad)) if ad \
            else _all_shapes(compute[region])
        return bool(_compatible(compute[LHR], image) & offered)

    assert [launchable(IMG_PLATFORM, r) for r in (LHR, FRA, IAD)] == [True, True, True]
    assert [launchable(IMG_CUSTOM, r) for r in (LHR, FRA, IAD)] == [True, False, True]
    assert [launchable(IMG_CUSTOM, IAD, ad) for ad in IAD_ADS] == [False, True, False]


# --- documents without the sections -----------------------------------------------------------
def test_a_document_without_shapes_offers_the_defaults_everywhere_so_nothing_changes(oci_config, sim):
    for region in (LHR, FRA, IAD):
        compute = client(oci.core.ComputeClient, oci_config, sim, region)
        assert _all_shapes(compute) == _DEFAULTS
        assert _names(compute.list_shapes(APP)) == _DEFAULTS
    lhr = client(oci.core.ComputeClient, oci_config, sim, LHR)
    assert _compatible(lhr, IMG_PLATFORM) == _DEFAULTS
    assert lhr.get_image_shape_compatibility_entry(IMG_PLATFORM, "VM.Standard2.1").data.shape == "VM.Standard2.1"


def test_the_request_log_names_the_new_operations(compute, restorable_sim):
    restorable_sim.clear_requests()
    compute[IAD].list_shapes(TENANCY, availability_domain=IAD_ADS[1])
    compute[LHR].list_image_shape_compatibility_entries(IMG_PLATFORM)
    compute[LHR].get_image_shape_compatibility_entry(IMG_PLATFORM, E5)
    assert [(e["operation"], e["region"], e["status"]) for e in restorable_sim.requests()] == [
        ("ListShapes", IAD, 200), ("ListImageShapeCompatibilityEntries", LHR, 200),
        ("GetImageShapeCompatibilityEntry", LHR, 200)]

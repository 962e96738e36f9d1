"""Image classification: every class with its evidence, chains, loops, overrides and the overrides file."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from reportkit.assessment import classify_images, load_image_overrides
from reportkit.errors import InputError
from test_assessment_builders import APP, Tenancy


def classify(t: Tenancy, overrides: pd.DataFrame | None = None, referenced=None) -> pd.DataFrame:
    return classify_images(t.inventory().images, overrides, referenced=referenced).set_index("image_id")


def test_every_class_with_its_evidence() -> None:
    t = Tenancy()
    t.image("img-c1", compartment=APP, base="img-plat")
    t.image("img-c2", compartment=APP, base="img-c1")
    t.image("img-c3", compartment=APP, base="img-c2")          # depth 3 to a platform root
    t.image("img-byoi", compartment=APP)                       # imported root
    t.image("img-byoi-child", compartment=APP, base="img-byoi")
    t.image("img-mkt", listing="ocid1.listing..x")             # Marketplace root (Oracle-owned, listed)
    t.image("img-mkt-child", compartment=APP, base="img-mkt")
    t.image("img-comm", compartment=APP, listing_type="COMMUNITY")
    t.image("img-gone", status="not_found")
    t.image("img-err", status="error")
    t.image("img-on-gone", compartment=APP, base="img-gone")
    got = classify(t, referenced=["img-never-read"])
    expected = {
        "img-plat": ("platform", True, 0, "img-plat", "Oracle platform image"),
        "img-c3": ("custom_from_platform", True, 3, "img-plat", "3 base_image_id step(s) to root img-plat"),
        "img-byoi": ("custom_imported", False, 0, "img-byoi", "no base image (imported)"),
        "img-byoi-child": ("custom_imported", False, 1, "img-byoi", "imported image img-byoi"),
        "img-mkt": ("marketplace", False, 0, "img-mkt", "Marketplace listing ocid1.listing..x (ACME)"),
        "img-mkt-child": ("custom_from_marketplace", False, 1, "img-mkt", "Marketplace image img-mkt"),
        "img-comm": ("community", False, 0, "img-comm", "listing type COMMUNITY"),
        "img-gone": ("unknown", pd.NA, 0, "img-gone", "was not found"),
        "img-err": ("unknown", pd.NA, 0, "img-err", "could not be read"),
        "img-on-gone": ("unknown", pd.NA, 1, "img-gone", "could not be read"),
        "img-never-read": ("unknown", pd.NA, 0, "img-never-read", "was not looked up"),
    }
    for image_id, (cls, eligible, depth, root, evidence) in expected.items():
        row = got.loc[image_id]
        assert row["image_class"] == cls, image_id
        assert (pd.isna(row["copy_eligible"]) if eligible is pd.NA else row["copy_eligible"] == eligible), image_id
        assert row["chain_depth"] == depth, image_id
        assert row["root_image_id"] == root, image_id
        assert evidence in row["eligibility_reason"], (image_id, row["eligibility_reason"])
        assert not row["overridden"]


def test_base_missing_from_inventory_is_unknown() -> None:
    t = Tenancy()
    t.image("img-c", compartment=APP, base="img-absent")
    row = classify(t).loc["img-c"]
    assert row["image_class"] == "unknown" and pd.isna(row["copy_eligible"])
    assert "img-absent" in row["eligibility_reason"] and "not in the inventory" in row["eligibility_reason"]


def test_chain_loop_is_unknown_not_an_endless_walk() -> None:
    t = Tenancy()
    t.image("img-a", compartment=APP, base="img-b")
    t.image("img-b", compartment=APP, base="img-a")
    t.image("img-into-loop", compartment=APP, base="img-a")
    got = classify(t)
    for image_id in ("img-a", "img-b", "img-into-loop"):
        assert got.loc[image_id, "image_class"] == "unknown"
        assert "loops" in got.loc[image_id, "eligibility_reason"]


def test_override_wins_and_propagates_to_descendants() -> None:
    t = Tenancy()
    t.image("img-gone", status="not_found")
    t.image("img-child", compartment=APP, base="img-gone")
    t.image("img-mkt", listing="L")
    overrides = pd.DataFrame({"image_id": ["img-gone", "img-mkt"], "image_class": ["platform", "custom_imported"],
                              "note": ["retired OL7 platform image, ticket 42", "vendor confirmed"]})
    got = classify(t, overrides)
    assert got.loc["img-gone", "image_class"] == "platform" and got.loc["img-gone", "overridden"]
    assert "ticket 42" in got.loc["img-gone", "eligibility_reason"]
    assert got.loc["img-child", "image_class"] == "custom_from_platform" and got.loc["img-child", "overridden"]
    assert bool(got.loc["img-child", "copy_eligible"]) is True
    assert got.loc["img-mkt", "image_class"] == "custom_imported"
    assert "vendor confirmed" in got.loc["img-mkt", "eligibility_reason"]
    assert not got.loc["img-plat", "overridden"]


@pytest.mark.parametrize(("content", "message"), [
    ("image_id,image_class,note\nimg-1,platfrom,typo\n", "platfrom"),
    ("image_id,note\nimg-1,x\n", "missing column"),
    ("image_id,image_class,note\n,platform,x\n", "empty image_id"),
    ("image_id,image_class,note\nimg-1,platform,a\nimg-1,platform,b\n", "more than once"),
])
def test_bad_overrides_file_is_a_clear_input_error(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "overrides.csv"
    path.write_text(content)
    with pytest.raises(InputError, match=message) as info:
        load_image_overrides(path)
    assert str(path) in str(info.value)


def test_missing_overrides_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        load_image_overrides(tmp_path / "nope.csv")


def test_shipped_overrides_file_loads_empty() -> None:
    path = Path(__file__).resolve().parents[1] / "data" / "image_overrides.csv"
    frame = load_image_overrides(path)
    assert list(frame.columns) == ["image_id", "image_class", "note"] and frame.empty


def test_comment_lines_are_ignored(tmp_path: Path) -> None:
    path = tmp_path / "o.csv"
    path.write_text("# why\nimage_id,image_class,note\n# another\nimg-1,community,seen in console\n")
    frame = load_image_overrides(path)
    assert frame.to_dict("records") == [{"image_id": "img-1", "image_class": "community", "note": "seen in console"}]


@pytest.mark.parametrize("operation", ["ListListings", "GetImage"])
def test_an_image_whose_lookup_failed_is_unknown_never_platform(operation) -> None:
    # A Marketplace listing look-up that failed could hide a partner image: the root looks like a
    # platform image (no compartment), but calling it copyable would make a 'missing' verdict
    # rest on data we could not read.
    from reportkit.assessment import assess
    from test_assessment_builders import LHR

    t = Tenancy()
    t.image("img-root")
    t.volume("bv", image="img-root")
    t.backup("b", "bv", image="img-root")
    t.error(LHR, "", operation, resource="img-root")
    result = assess(t.inventory())
    image = result.images.set_index("image_id").loc["img-root"]
    assert image["image_class"] == "unknown" and pd.isna(image["copy_eligible"])
    assert operation in image["eligibility_reason"] and "see errors" in image["eligibility_reason"]
    assert result.volumes.set_index("boot_volume_id").loc["bv", "coverage_status"] == "unknown"

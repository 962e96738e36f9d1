"""reportkit.compartments: the one compartment tree (collect, assess roll-ups, IAM, report filters)."""
from __future__ import annotations

import pandas as pd
import pytest

from reportkit.compartments import CompartmentTree, paths_for, subtree_mask
from reportkit.errors import InputError
from reportkit.schema import COMPARTMENTS

TENANCY = {"id": "ocid1.tenancy.oc1..t", "name": "root"}
ITEMS = [{"id": "a", "compartmentId": TENANCY["id"], "name": "Prod", "lifecycleState": "ACTIVE"},
         {"id": "b", "compartmentId": "a", "name": "App", "lifecycleState": "ACTIVE"},
         {"id": "c", "compartmentId": "b", "name": "DB", "lifecycleState": "ACTIVE"},
         {"id": "d", "compartmentId": TENANCY["id"], "name": "Old", "lifecycleState": "DELETED"},
         {"id": "e", "compartmentId": "d", "name": "Orphan", "lifecycleState": "ACTIVE"},
         {"id": "x", "compartmentId": "y", "name": "Loop1", "lifecycleState": "ACTIVE"},
         {"id": "y", "compartmentId": "x", "name": "Loop2", "lifecycleState": "ACTIVE"}]


def test_compartment_tree_paths_skip_inactive_branches_and_subtrees_select_by_path_or_ocid():
    tree = CompartmentTree.from_wire(TENANCY, ITEMS)
    rows = tree.rows()
    assert [(r["compartment_id"], r["path"], r["depth"]) for r in rows] == [
        (TENANCY["id"], "/", 0), ("a", "Prod", 1), ("b", "Prod/App", 2), ("c", "Prod/App/DB", 3)]
    assert tree.subtree("/Prod/App") == ["b", "c"]
    assert tree.subtree("c") == ["c"]
    assert len(tree.subtree("/")) == 4 and tree.subtree(None) == tree.subtree("/")
    with pytest.raises(InputError, match="Prod/App"):
        tree.subtree("Nope")


def test_ancestors_outside_a_subtree_are_listed_nearest_first():
    tree = CompartmentTree.from_wire(TENANCY, ITEMS)
    assert tree.ancestors_outside(tree.subtree("Prod/App")) == ["a", TENANCY["id"]]
    assert tree.ancestors_outside(tree.subtree("/")) == []


def test_the_tree_read_back_from_the_compartments_table_gives_the_same_paths():
    tree = CompartmentTree.from_wire(TENANCY, ITEMS)
    table = COMPARTMENTS.coerce(tree.rows())
    again = CompartmentTree.from_frame(table)
    assert [again.path(cid) for cid in table["compartment_id"]] == list(table["path"])
    assert again.names("c") == ("Prod", "App", "DB") and again.names(TENANCY["id"]) == ()
    assert again.names("ocid1.tenancy.oc1..other") == () and again.names("unknown") is None
    assert again.lineage("c") == ("c", "b", "a", TENANCY["id"]) and again.lineage("nope") is None
    assert again.id_of(("prod", "APP")) == "b"


def test_rollup_pairs_give_every_compartment_with_itself_and_each_ancestor():
    tree = CompartmentTree.from_frame(COMPARTMENTS.coerce(CompartmentTree.from_wire(TENANCY, ITEMS).rows()))
    pairs = tree.rollup_pairs()
    above_c = set(pairs.loc[pairs["compartment_id"] == "c", "ancestor"])
    assert above_c == {"c", "b", "a", TENANCY["id"]}
    assert len(pairs) == 1 + 2 + 3 + 4


def test_paths_per_row_and_subtree_filters():
    table = COMPARTMENTS.coerce(CompartmentTree.from_wire(TENANCY, ITEMS).rows())
    ids = pd.Series(["b", "gone", None, "a"], index=[5, 6, 7, 8], dtype="string")
    assert paths_for(ids, table).tolist() == ["Prod/App", "gone", pd.NA, "Prod"]
    paths = pd.Series(["Prod", "Prod/App", "Production", "/"], dtype="string")
    assert subtree_mask(paths, "Prod").tolist() == [True, True, False, False]
    assert subtree_mask(paths, "/").all()

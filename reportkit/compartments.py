"""The compartment tree of a tenancy, walked in one place: paths, sub-trees, ancestors and roll-ups.

Collect builds it from ListCompartments (:meth:`CompartmentTree.from_wire`) and stores it as the
``compartments`` table; assess, the IAM evaluator and the reports rebuild it from that table
(:meth:`CompartmentTree.from_frame`). Paths are names from the root joined by ``/`` (``Prod/App``);
the root's path is ``/``.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from reportkit.errors import InputError

ROOT_PATH = "/"
_MAX_DEPTH = 100  # a deeper chain is a cycle: corrupt data, never followed further


@dataclass(frozen=True)
class CompartmentTree:
    """Compartment parents, names and lifecycle states (the root's parent is None; a compartment
    without a state is ACTIVE)."""

    parent: Mapping[str, str | None] = field(default_factory=dict)
    name: Mapping[str, str] = field(default_factory=dict)
    state: Mapping[str, str | None] = field(default_factory=dict)

    # ---------------------------------------------------------------------------- building
    @classmethod
    def from_frame(cls, compartments: pd.DataFrame | None) -> CompartmentTree:
        """Return the tree of a ``compartments`` table (schema.COMPARTMENTS); empty for None.

        Raises InputError when the table lacks compartment_id, parent_compartment_id or name.
        """
        if compartments is None or len(compartments) == 0:
            return cls()
        missing = {"compartment_id", "parent_compartment_id", "name"} - set(compartments.columns)
        if missing:
            raise InputError(f"compartments table lacks columns {sorted(missing)}; pass the inventory's "
                             f"compartments table (reportkit.schema.COMPARTMENTS)")
        parent: dict[str, str | None] = {}
        name: dict[str, str] = {}
        for cid, pid, cname in compartments[["compartment_id", "parent_compartment_id", "name"]].itertuples(
                index=False):
            parent[str(cid)] = None if pd.isna(pid) or not str(pid) else str(pid)
            name[str(cid)] = "" if pd.isna(cname) else str(cname)
        state: dict[str, str | None] = {}
        if "lifecycle_state" in compartments.columns:
            state = {str(c): None if pd.isna(s) else str(s)
                     for c, s in zip(compartments["compartment_id"], compartments["lifecycle_state"])}
        return cls(parent, name, state)

    @classmethod
    def from_wire(cls, tenancy: Mapping[str, Any], compartments: Iterable[Mapping[str, Any]],
                  keep: Callable[[Mapping[str, Any]], bool] | None = None) -> CompartmentTree:
        """Return the tree of the root and every compartment ``keep`` accepts (default: ACTIVE ones)
        reachable from it (OCI JSON), with their lifecycle states.

        A compartment whose parent is not kept (or not listed) is unreachable by path and left
        out, as the Console does; the root is always included.
        """
        root_id = str(tenancy["id"])
        keep = keep or (lambda c: c.get("lifecycleState") == "ACTIVE")
        active = {str(c["id"]): c for c in compartments if keep(c)}
        parent: dict[str, str | None] = {root_id: None}
        name: dict[str, str] = {root_id: tenancy.get("name")}
        for cid, comp in active.items():
            chain, current = [], cid
            while current not in parent and current in active and current not in chain:
                chain.append(current)
                current = str(active[current].get("compartmentId"))
            if current not in parent:
                continue  # the chain leaves the ACTIVE tree (or loops): unreachable
            for member in reversed(chain):
                parent[member] = str(active[member].get("compartmentId"))
                name[member] = str(active[member].get("name"))
        state = {cid: active[cid].get("lifecycleState") for cid in parent if cid in active}
        return cls(parent, name, state)

    # ---------------------------------------------------------------------------- looking up
    def names(self, compartment_id: str | None) -> tuple[str, ...] | None:
        """Names from the root (excluded) down to ``compartment_id``: ``()`` for the root (or None,
        or a tenancy OCID the tree lacks); None when the compartment cannot be placed."""
        if compartment_id is None:
            return ()
        if compartment_id not in self.parent:
            return () if compartment_id.startswith("ocid1.tenancy.") else None
        names: list[str] = []
        current = compartment_id
        for _ in range(_MAX_DEPTH):
            parent = self.parent[current]
            if parent is None:
                return tuple(reversed(names))
            names.append(self.name[current])
            if parent not in self.parent:
                return tuple(reversed(names)) if parent.startswith("ocid1.tenancy.") else None
            current = parent
        return None

    def path(self, compartment_id: str) -> str | None:
        """``Prod/App`` for a compartment, ``/`` for the root, None when it cannot be placed."""
        names = self.names(compartment_id)
        return None if names is None else ("/".join(names) or ROOT_PATH)

    def lineage(self, compartment_id: str) -> tuple[str, ...] | None:
        """``compartment_id`` and every ancestor up to the root, or None if it is not in the tree."""
        if compartment_id not in self.parent:
            return None
        out = [compartment_id]
        while (parent := self.parent.get(out[-1])) is not None and len(out) < _MAX_DEPTH:
            out.append(parent)
        return tuple(out)

    def id_of(self, names: tuple[str, ...]) -> str | None:
        """The OCID of the compartment at ``names`` (compared case-insensitively), if known."""
        wanted = tuple(p.lower() for p in names)
        for cid in self.parent:
            found = self.names(cid)
            if found is not None and tuple(p.lower() for p in found) == wanted:
                return cid
        return None

    # ---------------------------------------------------------------------------- whole tree
    def rows(self) -> list[dict[str, Any]]:
        """One ``compartments`` row per placeable compartment: root first, then by path."""
        rows = []
        for cid in self.parent:
            names = self.names(cid)
            if names is not None:
                rows.append({"compartment_id": cid, "parent_compartment_id": self.parent[cid],
                             "name": self.name.get(cid), "path": "/".join(names) or ROOT_PATH,
                             "depth": len(names), "lifecycle_state": self.state.get(cid, "ACTIVE")})
        roots = [r for r in rows if r["parent_compartment_id"] is None]
        return roots + sorted((r for r in rows if r["parent_compartment_id"] is not None), key=lambda r: r["path"])

    def subtree(self, selector: str | None) -> list[str]:
        """OCIDs at and below ``selector`` (a path like ``Prod/App``, ``/``, or an OCID), root first.

        Raises :class:`InputError` naming the selector and some known paths when nothing matches.
        """
        rows = self.rows()
        if not selector or not selector.strip():
            return [r["compartment_id"] for r in rows]
        wanted = selector.strip()
        by_id = {r["compartment_id"]: r for r in rows}
        top = by_id.get(wanted)
        if top is None:
            path = wanted.strip("/") or ROOT_PATH
            top = next((r for r in rows if r["path"] == path), None)
        if top is None:
            known = ", ".join(r["path"] for r in rows[:8])
            raise InputError(f"compartment {selector!r} not found among the tenancy's ACTIVE compartments "
                             f"(give a path like Prod/App or an OCID; known paths include: {known})")
        if top["path"] == ROOT_PATH:
            return [r["compartment_id"] for r in rows]
        return [r["compartment_id"] for r in rows if in_subtree(r["path"], top["path"])]

    def ancestors_outside(self, selected: Iterable[str]) -> list[str]:
        """OCIDs above the ``selected`` sub-tree, nearest first (their IAM policies still apply)."""
        chosen = list(selected)
        inside = set(chosen)
        out: list[str] = []
        for cid in chosen:
            for above in (self.lineage(cid) or ())[1:]:
                if above not in inside and above not in out:
                    out.append(above)
        return out

    def rollup_pairs(self) -> pd.DataFrame:
        """Return (compartment_id, ancestor) pairs, self included: what a roll-up sums per ancestor."""
        pairs = [(cid, above) for cid in self.parent for above in (self.lineage(cid) or ()) if above in self.parent]
        return pd.DataFrame(pairs, columns=["compartment_id", "ancestor"], dtype=object)


def in_subtree(path: str, top: str) -> bool:
    """True when ``path`` is ``top`` or below it (``Prod/App`` is below ``Prod``, ``Production`` is not)."""
    top = top.strip("/")
    return not top or path == top or path.startswith(top + "/")


def subtree_mask(paths: pd.Series, top: str) -> np.ndarray:
    """Vectorised :func:`in_subtree`: a bool per row of ``paths``."""
    top = top.strip("/")
    text = paths.astype("string")
    if not top:
        return np.ones(len(paths), dtype=bool)
    return ((text == top) | text.str.startswith(top + "/")).fillna(False).to_numpy(bool)


def paths_for(compartment_ids: pd.Series, compartments: pd.DataFrame) -> pd.Series:
    """Return the compartment path of each row (a string Series, index reset); the OCID itself
    when the compartment is not in ``compartments``."""
    table = compartments.drop_duplicates("compartment_id")
    lookup = {str(c): str(p) for c, p in zip(table["compartment_id"], table["path"], strict=True)
              if pd.notna(c) and pd.notna(p)}
    # a million backups sit in a few hundred compartments: look each distinct OCID up once
    codes, uniques = pd.factorize(compartment_ids.astype("string").reset_index(drop=True))
    words = pd.array([lookup.get(str(u), str(u)) for u in uniques] + [pd.NA], dtype="string")
    return pd.Series(words).take(np.where(codes < 0, len(uniques), codes)).reset_index(drop=True)

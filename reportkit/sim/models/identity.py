"""Identity in the fake: the tenancy, region subscriptions, compartments and policies, and their list calls."""
from __future__ import annotations

from typing import TYPE_CHECKING

from reportkit.sim.exceptions import InvalidParameter, NotAuthorizedOrNotFound
from reportkit.sim.models.base import Record, WireDict, filtered, sort_records

if TYPE_CHECKING:
    from reportkit.sim.models.backend import SimBackend


class IdentityBackend:
    """Global identity state (tenancy, subscriptions, compartments, policies, denied compartments)
    and the Identity operations."""

    def __init__(self, sim: SimBackend) -> None:
        self.sim = sim
        self.tenancy = Record({"id": ""})
        self.subscriptions: list[Record] = []
        self.compartments: dict[str, Record] = {}
        self.policies: list[Record] = []
        self.doc_denied: set[str] = set()

    def load(self, doc: WireDict) -> None:
        """Take the identity sections of ``doc``."""
        self.tenancy = Record(doc["tenancy"])
        self.subscriptions = [Record(s) for s in doc.get("regionSubscriptions", [])]
        self.compartments = {c["id"]: Record(c) for c in doc.get("compartments", [])}
        self.policies = [Record(p) for p in doc.get("policies", [])]
        self.doc_denied = set(doc.get("access", {}).get("deniedCompartments", []))

    # ------------------------------------------------------------------------------ lookups
    @property
    def tenancy_id(self) -> str:
        return self.tenancy.id

    def subscribed_region_names(self) -> list[str]:
        return [str(s.get("regionName")) for s in self.subscriptions]

    def compartment_exists(self, compartment_id: str) -> bool:
        return compartment_id == self.tenancy_id or compartment_id in self.compartments

    def children(self, compartment_id: str) -> list[Record]:
        return [c for c in self.compartments.values() if c.get("compartmentId") == compartment_id]

    def subtree(self, compartment_id: str) -> list[Record]:
        """Every compartment below ``compartment_id`` (not itself), parents before children."""
        out: list[Record] = []
        queue = [compartment_id]
        while queue:
            kids = self.children(queue.pop(0))
            out.extend(kids)
            queue.extend(k.id for k in kids)
        return out

    def _check_tenancy(self, tenancy_id: str) -> None:
        if tenancy_id != self.tenancy_id:
            raise NotAuthorizedOrNotFound(f"Tenancy {tenancy_id} not found.")

    # ------------------------------------------------------------------------------ operations
    def get_tenancy(self, tenancy_id: str) -> WireDict:
        with self.sim.lock:
            self._check_tenancy(tenancy_id)
            return self.tenancy.to_dict()

    def list_region_subscriptions(self, tenancy_id: str) -> list[WireDict]:
        with self.sim.lock:
            self._check_tenancy(tenancy_id)
            return [s.to_dict() for s in self.subscriptions]

    def list_compartments(self, compartment_id: str | None, *, subtree: bool = False,
                          access_level: str | None = None, lifecycle_state: str | None = None,
                          name: str | None = None, sort_by: str | None = None,
                          sort_order: str | None = None) -> list[WireDict]:
        """Children (or, from the root with ``subtree``, all descendants) of a compartment.

        The root compartment itself is never in the result, as in OCI. With
        ``access_level=ACCESSIBLE`` compartments the auditing user may not read are left out; with
        ``ANY`` they are listed with ``isAccessible: false``.
        """
        with self.sim.lock:
            self.sim.check_list_compartment(compartment_id)
            assert compartment_id is not None
            if subtree and compartment_id != self.tenancy_id:
                raise InvalidParameter("compartmentIdInSubtree can only be true when compartmentId is the tenancy (root compartment).")
            level = (access_level or "ANY").upper()
            if level not in ("ANY", "ACCESSIBLE"):
                raise InvalidParameter(f"accessLevel must be ANY or ACCESSIBLE, got {access_level!r}")
            records = self.subtree(compartment_id) if subtree else self.children(compartment_id)
            denied = self.sim.denied()
            out = []
            for rec in records:
                item = rec.to_dict()
                item["isAccessible"] = rec.id not in denied
                if level == "ACCESSIBLE" and not item["isAccessible"]:
                    continue
                out.append(item)
            out = filtered(out, lifecycleState=lifecycle_state, name=name)
            if sort_by:
                out = sort_records(out, sort_by, sort_order, name_key="name")
            return out

    def list_policies(self, compartment_id: str | None, *, name: str | None = None,
                      lifecycle_state: str | None = None, sort_by: str | None = None,
                      sort_order: str | None = None) -> list[WireDict]:
        with self.sim.lock:
            self.sim.check_list_compartment(compartment_id)
            out = filtered((p.to_dict() for p in self.policies if p.compartment_id == compartment_id),
                           name=name, lifecycleState=lifecycle_state)
            return sort_records(out, sort_by, sort_order, name_key="name") if sort_by else out

"""Identity in the fake: the tenancy, region subscriptions (and their readiness), compartments and their
states, policies, availability domains, and the Identity calls."""
from __future__ import annotations

import hashlib
from datetime import datetime
from typing import TYPE_CHECKING

from reportkit.sim.exceptions import InvalidParameter, NotAuthorizedOrNotFound
from reportkit.sim.models.base import Record, WireDict, filtered, parse_time, sort_records

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
        self.availability_domains: dict[str, list[str]] = {}

    def load(self, doc: WireDict) -> None:
        """Take the identity sections of ``doc``."""
        self.tenancy = Record(doc["tenancy"])
        self.subscriptions = [Record(s) for s in doc.get("regionSubscriptions", [])]
        self.compartments = {c["id"]: Record(c) for c in doc.get("compartments", [])}
        self.policies = [Record(p) for p in doc.get("policies", [])]
        self.doc_denied = set(doc.get("access", {}).get("deniedCompartments", []))
        self.availability_domains = _availability_domains(doc)

    # ------------------------------------------------------------------------------ lookups
    @property
    def tenancy_id(self) -> str:
        return self.tenancy.id

    def subscribed_region_names(self) -> list[str]:
        """Every subscribed region, READY or not."""
        return [str(s.get("regionName")) for s in self.subscriptions]

    def subscription(self, region: str) -> Record | None:
        return next((s for s in self.subscriptions if s.get("regionName") == region), None)

    def subscription_status(self, sub: Record, now: datetime) -> str:
        """READY or IN_PROGRESS at ``now``: an IN_PROGRESS subscription with a ``_readyAt`` time is
        READY from then on (the simulated clock completes it)."""
        status = str(sub.get("status") or "READY")
        ready_at = sub.get("_readyAt")
        if status == "IN_PROGRESS" and ready_at and now >= parse_time(str(ready_at)):
            return "READY"
        return status

    def is_ready(self, region: str, now: datetime) -> bool:
        sub = self.subscription(region)
        return sub is not None and self.subscription_status(sub, now) == "READY"

    def compartment_exists(self, compartment_id: str) -> bool:
        """The root, or a compartment of the document in any state (DELETED ones too)."""
        return compartment_id == self.tenancy_id or compartment_id in self.compartments

    def compartment_state(self, compartment_id: str) -> str:
        """ACTIVE for the root; a compartment's lifecycleState (ACTIVE when the document gives none)."""
        rec = self.compartments.get(compartment_id)
        return str(rec.get("lifecycleState") or "ACTIVE") if rec is not None else "ACTIVE"

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
        """Every subscription with its status now (IN_PROGRESS ones included, as OCI lists them)."""
        with self.sim.lock:
            self._check_tenancy(tenancy_id)
            now = self.sim.clock.now
            return [dict(s.to_dict(), status=self.subscription_status(s, now)) for s in self.subscriptions]

    def list_compartments(self, compartment_id: str | None, *, subtree: bool = False,
                          access_level: str | None = None, lifecycle_state: str | None = None,
                          name: str | None = None, sort_by: str | None = None,
                          sort_order: str | None = None) -> list[WireDict]:
        """Children (or, from the root with ``subtree``, all descendants) of a compartment.

        The root compartment itself is never in the result, as in OCI. With
        ``access_level=ACCESSIBLE`` compartments the auditing user may not read are left out; with
        ``ANY`` they are listed with ``isAccessible: false``. Compartments in every lifecycle state
        are listed unless ``lifecycle_state`` filters them, DELETED ones included (OCI keeps listing
        a deleted compartment for its audit retention period: oracle/oci-java-sdk#89).
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

    def list_availability_domains(self, region: str, compartment_id: str | None) -> list[WireDict]:
        """ListAvailabilityDomains, sent to ``region``: that region's ADs (not paginated in OCI)."""
        with self.sim.lock:
            self.sim.region(region)
            self.sim.check_list_compartment(compartment_id)
            return [{"name": name, "id": _ad_ocid(name), "compartmentId": self.tenancy_id}
                    for name in self.availability_domains.get(region, [])]


def _ad_ocid(name: str) -> str:
    return "ocid1.availabilitydomain.oc1..aaaa" + hashlib.sha256(name.encode()).hexdigest()[:56]


def _availability_domains(doc: WireDict) -> dict[str, list[str]]:
    """Each region's ADs: the document's ``availabilityDomains`` where given, else every AD its records
    name (boot volumes, volume groups, replicas), else ``<prefix>:<REGION KEY>-AD-1``."""
    found: dict[str, set[str]] = {}
    prefixes: set[str] = set()
    for section in ("bootVolumes", "volumeGroups", "bootVolumeReplicas", "volumeGroupReplicas"):
        for region, items in doc.get(section, {}).items():
            for item in items:
                if item.get("availabilityDomain"):
                    found.setdefault(region, set()).add(item["availabilityDomain"])
                    prefixes.add(item["availabilityDomain"].split(":", 1)[0])
    prefix = min(prefixes) if prefixes else "Uocm"
    out: dict[str, list[str]] = {}
    for sub in doc.get("regionSubscriptions", []):
        region = sub["regionName"]
        declared = doc.get("availabilityDomains", {}).get(region)
        default = [f"{prefix}:{str(sub.get('regionKey') or region).upper()}-AD-1"]
        out[region] = list(declared) if declared else sorted(found.get(region, set())) or default
    return out

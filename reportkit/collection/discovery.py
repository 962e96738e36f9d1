"""Discovery: the tenancy, its region subscriptions and its compartments, each answer checked before use.

Discovery answers decide what the rest of the run reads, so one of the wrong shape (the tenancy as a
list, the subscriptions as an object, a subscription without a region name, a compartment without
an id, a compartment page that is not a list) stops the run with one line (:class:`WireError`,
exit 2): going on would leave gaps no ``errors`` row could name. A bad field the run can live with
(a compartment without a name, a flag of the wrong type) becomes a problem recorded as an ``errors``
row later. DELETED compartments are skipped and counted; every other state, including one we do
not know, is collected.

The fake OCI API's clock (``opc-sim-time``) is trusted only when the endpoint template points at
loopback AND the discovery answer carries it: a real OCI endpoint is never asked for the time.
"""
from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit

from reportkit.auth import AuthContext
from reportkit.collection import wire
from reportkit.collection.calls import SIM_TIME_HEADER, CallFailed, OciCaller
from reportkit.collection.wire import Problem
from reportkit.errors import CollectionError, WireError

SUBSCRIPTION_STATES = ("READY", "IN_PROGRESS")


@dataclass
class Discovery:
    """What discovery found: the tenancy, usable subscriptions, home region, kept compartments
    (every state but DELETED), how many DELETED were skipped, and problems to record as errors rows."""

    tenancy: dict[str, Any]
    subscriptions: list[dict[str, Any]]
    home: str
    compartments: list[dict[str, Any]]
    deleted: int = 0
    problems: list[tuple[str | None, str, Problem]] = field(default_factory=list)  # (compartment, operation, problem)
    sim_clock: bool = False


def loopback(template: str | None) -> bool:
    """True when ``template`` (``http://127.0.0.1:8080/{region}``) points at this machine."""
    if not template:
        return False
    try:
        host = urlsplit(template.replace("{region}", "r")).hostname or ""
    except ValueError:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _failed(where: str, exc: CallFailed, auth: AuthContext) -> CollectionError | WireError:
    if exc.code in ("WrongShape", "PageTokenLoop", "PageLimit"):
        return WireError(f"discovery in {where}: {exc.operation} answered {exc.message}; nothing was collected "
                         "(is the endpoint an OCI API?)")
    return CollectionError(
        f"discovery failed in {where}: {exc.operation} returned {exc.http_status or 'no response'} {exc.code}: "
        f"{exc.message} (opc-request-id {exc.opc_request_id}); nothing was collected. Check the endpoint, "
        f"the credentials ({auth.source}) and that the user may inspect tenancies and compartments")


def discover(caller: OciCaller, auth: AuthContext) -> Discovery:
    """Return the :class:`Discovery`; raise :class:`CollectionError` (exit 1) when discovery cannot be
    read, :class:`WireError` (exit 2) when it reads an answer of the wrong shape."""
    tid = quote(auth.tenancy_id, safe="")
    where = auth.region
    try:
        tenancy, headers = caller.call("identity", where, "GetTenancy", f"/tenancies/{tid}")
        sim_clock = loopback(caller.template) and SIM_TIME_HEADER in {k.lower() for k in headers}
        if sim_clock:
            caller.trust_sim_time = True
            caller.note_sim_time({k.lower(): v for k, v in headers.items()})
        if not isinstance(tenancy, dict):
            raise wire_error("GetTenancy", "a Tenancy JSON object", tenancy)
        values, problems = wire.check(wire.TENANCY, dict(tenancy, id=tenancy.get("id") or auth.tenancy_id))
        subs_raw, _ = caller.call("identity", where, "ListRegionSubscriptions", f"/tenancies/{tid}/regionSubscriptions")
        problems_out: list[tuple[str | None, str, Problem]] = []
        subs = _subscriptions(subs_raw, problems_out)
        home = next((s["regionName"] for s in subs if s.get("isHomeRegion") is True), None) or next(
            (s["regionName"] for s in subs if s.get("regionKey") == values["homeRegionKey"]), where)
        where = home
        items: list[Any] = []
        for page in caller.pages("identity", home, "ListCompartments", "/compartments",
                                 {"compartmentId": auth.tenancy_id, "compartmentIdInSubtree": "true",
                                  "accessLevel": "ANY"}):
            items.extend(page)
    except CallFailed as exc:
        raise _failed(where, exc, auth) from None
    found = Discovery(tenancy={"id": auth.tenancy_id, "name": values["name"] or auth.tenancy_id,
                               "homeRegionKey": values["homeRegionKey"]},
                      subscriptions=subs, home=home, compartments=[], sim_clock=sim_clock)
    found.problems += [(None, "GetTenancy", p) for p in problems]
    found.problems += problems_out
    _compartments(items, found)
    return found


def wire_error(operation: str, what: str, data: Any) -> WireError:
    got = {dict: "a JSON object", list: "a JSON list", str: "a JSON string", type(None): "null"}.get(
        type(data), f"a JSON {type(data).__name__}")
    return WireError(f"discovery: {operation} answered {got} where the SDK documents {what}; nothing was "
                     "collected (is the endpoint an OCI API?)")


def _subscriptions(data: Any, problems_out: list | None = None) -> list[dict[str, Any]]:
    if not isinstance(data, list):
        raise wire_error("ListRegionSubscriptions", "a JSON list of RegionSubscription", data)
    out = []
    for item in data:
        values, problems = wire.check(wire.REGION_SUBSCRIPTION, item)
        if values is None:
            raise WireError(f"discovery: ListRegionSubscriptions holds {problems[0].reason} "
                            f"({problems[0].raw!r}): cannot tell which region it is, so nothing was collected")
        if values["status"] is None:
            values["status"] = "UNKNOWN"  # not READY: not read, so a gap
        if problems_out is not None:
            problems_out += [(values["regionName"], "ListRegionSubscriptions", p) for p in problems]
        out.append(values)
    if not out:
        raise WireError("discovery: ListRegionSubscriptions answered no region at all; nothing was collected")
    return out


def _compartments(items: list[Any], found: Discovery) -> None:
    for item in items:
        values, problems = wire.check(wire.COMPARTMENT, item)
        if values is None:
            raise WireError(f"discovery: ListCompartments holds {problems[0].reason} ({problems[0].raw!r}): "
                            "its resources could be anywhere, so nothing was collected")
        if values["lifecycleState"] == "DELETED":
            found.deleted += 1  # OCI deletes only empty compartments and keeps listing them for 90 days
            continue
        for problem in problems:
            found.problems.append((values["id"], "ListCompartments", problem))
        if values["name"] is None:
            values["name"] = values["id"]  # a person reads a path: the OCID is better than nothing
        found.compartments.append(values)


def notes(found: Discovery, kept_ids: list[str], states: dict[str, str | None]) -> dict[str, Any]:
    """``metadata.parameters["compartments"]``: DELETED ones skipped, every collected one not ACTIVE
    (state None = unknown), and the subscriptions being set up (IN_PROGRESS: not read, not a gap)."""
    return {"deleted_skipped": found.deleted,
            "not_active": {cid: states.get(cid) or "UNKNOWN" for cid in kept_ids
                           if cid != found.tenancy["id"] and states.get(cid) != "ACTIVE"}}


def late_subscriptions(caller: OciCaller, auth: AuthContext, home: str, subs: list[dict[str, Any]],
                       error: Any) -> list[dict[str, Any]]:
    """Re-list the region subscriptions after the run; a region that became READY meanwhile was not read.

    It is added to the subscriptions (so ``regions`` shows it with collected False) and recorded as an
    ``errors`` row through ``error(...)``, so assess treats it as a gap instead of judging volumes without it.
    """
    try:
        data, _ = caller.call("identity", home, "ListRegionSubscriptions",
                              f"/tenancies/{quote(auth.tenancy_id, safe='')}/regionSubscriptions")
        now = _subscriptions(data)
    except CallFailed as exc:
        error(home, None, exc.operation, None, exc.http_status, exc.code,
              f"could not re-check region subscriptions after the run: {exc.message}", exc.opc_request_id)
        return subs
    except WireError as exc:
        error(home, None, "ListRegionSubscriptions", None, 200, "WrongShape",
              f"could not re-check region subscriptions after the run: {exc}", None)
        return subs
    known = {s.get("regionName") for s in subs}
    late = [s for s in now if s.get("regionName") not in known and s.get("status") == "READY"]
    for sub in late:
        error(sub["regionName"], None, "ListRegionSubscriptions", None, None, "RegionSubscribedDuringRun",
              f"region {sub['regionName']} became subscribed while collecting and was not read; "
              "collect again to include it", None)
    return [*subs, *late]

"""The HTTP side of each operation: parse the request, call the model, serialise (moto's ``responses.py``).

Every handler takes ``(backend, request)`` and returns a :class:`Response`. List handlers page
their results like OCI (``limit`` default 100, max 1000; opaque ``page`` token; ``opc-next-page``
header when more remain).
"""
from __future__ import annotations

import base64
import binascii
import dataclasses
import hashlib
import json
from typing import Any
from urllib.parse import parse_qs

from reportkit.errors import InputError
from reportkit.sim.exceptions import InvalidParameter, MissingParameter
from reportkit.sim.models import SimBackend, format_time

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000


@dataclasses.dataclass
class Request:
    """A parsed HTTP request: path parameters from the route, query, lower-case headers, body."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    params: dict[str, str] = dataclasses.field(default_factory=dict)
    operation: str = ""

    @classmethod
    def parse(cls, method: str, raw_path: str, headers: dict[str, str], body: bytes) -> Request:
        path, _, query = raw_path.partition("?")
        return cls(method=method, path=path, query=parse_qs(query, keep_blank_values=True),
                   headers={k.lower(): v for k, v in headers.items()}, body=body)

    @property
    def region(self) -> str | None:
        return self.params.get("region")

    def arg(self, name: str) -> str | None:
        """Return a query parameter (first value) or None."""
        values = self.query.get(name)
        return values[0] if values else None

    def flag(self, name: str) -> bool:
        value = self.arg(name)
        if value is None:
            return False
        if value.lower() not in ("true", "false"):
            raise InvalidParameter(f"{name} must be true or false, got {value!r}")
        return value.lower() == "true"

    def json(self) -> Any:
        if not self.body:
            return None
        try:
            return json.loads(self.body)
        except ValueError as exc:
            raise InvalidParameter(f"The request body is not valid JSON: {exc}") from exc


@dataclasses.dataclass
class Response:
    """What to send back: status, JSON-able body (or raw bytes), extra headers."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = dataclasses.field(default_factory=dict)

    def payload(self) -> bytes:
        if isinstance(self.body, bytes):
            return self.body
        if self.body is None:
            return b""
        return json.dumps(self.body).encode()


def _ok(body: Any, *, etag: bool = False) -> Response:
    resp = Response(200, body)
    if etag:
        resp.headers["etag"] = hashlib.sha256(resp.payload()).hexdigest()[:32]
    return resp


# ----------------------------------------------------------------------------------- pagination
def _encode_page(offset: int, number: int) -> str:
    return base64.urlsafe_b64encode(f"{offset}:{number}".encode()).decode().rstrip("=")


def _decode_page(token: str) -> tuple[int, int]:
    try:
        padded = token + "=" * (-len(token) % 4)
        offset, number = base64.urlsafe_b64decode(padded.encode()).decode().split(":")
        return int(offset), int(number)
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise InvalidParameter(f"The page token {token!r} is not valid; use the opc-next-page value you were given.") from exc


def paginate(backend: SimBackend, req: Request, items: list[Any], *,
             wrap: str | None = None) -> Response:
    """Return one page of ``items`` as OCI does; ``wrap`` puts the list under that key."""
    raw_limit = req.arg("limit")
    if raw_limit is None:
        limit = DEFAULT_LIMIT
    else:
        try:
            limit = int(raw_limit)
        except ValueError as exc:
            raise InvalidParameter(f"limit must be an integer, got {raw_limit!r}") from exc
        if not 1 <= limit <= MAX_LIMIT:
            raise InvalidParameter(f"limit must be between 1 and {MAX_LIMIT}, got {limit}")
    token = req.arg("page")
    offset, number = _decode_page(token) if token else (0, 1)
    page = items[offset:offset + limit]
    body: Any = {wrap: page} if wrap else page
    resp = Response(200, body)
    if offset + limit < len(items):
        resp.headers["opc-next-page"] = _encode_page(offset + limit, number + 1)
    if backend.malformed(req.region, req.operation, number):
        # a truncated body: the client must treat the page as unreadable, never as empty
        resp.body = resp.payload()[: max(1, len(resp.payload()) // 2)]
    return resp


# ------------------------------------------------------------------------------------- identity
def get_tenancy(backend: SimBackend, req: Request) -> Response:
    return _ok(backend.identity.get_tenancy(req.params["tenancy_id"]), etag=True)


def list_region_subscriptions(backend: SimBackend, req: Request) -> Response:
    # not paginated in OCI
    return _ok(backend.identity.list_region_subscriptions(req.params["tenancy_id"]))


def list_compartments(backend: SimBackend, req: Request) -> Response:
    items = backend.identity.list_compartments(
        req.arg("compartmentId"), subtree=req.flag("compartmentIdInSubtree"),
        access_level=req.arg("accessLevel"), lifecycle_state=req.arg("lifecycleState"),
        name=req.arg("name"), sort_by=req.arg("sortBy"), sort_order=req.arg("sortOrder"))
    return paginate(backend, req, items)


def list_availability_domains(backend: SimBackend, req: Request) -> Response:
    # not paginated in OCI
    return _ok(backend.identity.list_availability_domains(req.region or "", req.arg("compartmentId")))


def list_policies(backend: SimBackend, req: Request) -> Response:
    items = backend.identity.list_policies(req.arg("compartmentId"), name=req.arg("name"),
                                  lifecycle_state=req.arg("lifecycleState"),
                                  sort_by=req.arg("sortBy"), sort_order=req.arg("sortOrder"))
    return paginate(backend, req, items)


# -------------------------------------------------------------------------------- block storage
def list_boot_volume_backups(backend: SimBackend, req: Request) -> Response:
    items = backend.blockstorage.list_boot_volume_backups(
        req.region or "", req.arg("compartmentId"), boot_volume_id=req.arg("bootVolumeId"),
        display_name=req.arg("displayName"),
        source_boot_volume_backup_id=req.arg("sourceBootVolumeBackupId"),
        lifecycle_state=req.arg("lifecycleState"), sort_by=req.arg("sortBy"), sort_order=req.arg("sortOrder"))
    return paginate(backend, req, items)


def get_boot_volume_backup(backend: SimBackend, req: Request) -> Response:
    return _ok(backend.blockstorage.get_boot_volume_backup(req.region or "", req.params["id"]), etag=True)


def copy_boot_volume_backup(backend: SimBackend, req: Request) -> Response:
    copy, destination = backend.copies.copy_boot_volume_backup(
        req.region or "", req.params["id"], req.json(), retry_token=req.headers.get("opc-retry-token"))
    resp = _ok(copy, etag=True)
    work_id = "ocid1.coreservicesworkrequest.oc1.{}.{}".format(
        req.region, hashlib.sha256(copy["id"].encode()).hexdigest()[:56])
    resp.headers["opc-work-request-id"] = work_id
    return resp


def change_boot_volume_backup_compartment(backend: SimBackend, req: Request) -> Response:
    backend.blockstorage.change_boot_volume_backup_compartment(req.region or "", req.params["id"], req.json())
    return Response(200)


def list_boot_volumes(backend: SimBackend, req: Request) -> Response:
    items = backend.blockstorage.list_boot_volumes(req.region or "", req.arg("compartmentId"),
                                      availability_domain=req.arg("availabilityDomain"),
                                      volume_group_id=req.arg("volumeGroupId"))
    return paginate(backend, req, items)


def get_boot_volume(backend: SimBackend, req: Request) -> Response:
    return _ok(backend.blockstorage.get_boot_volume(req.region or "", req.params["id"]), etag=True)


def list_volume_backup_policies(backend: SimBackend, req: Request) -> Response:
    return paginate(backend, req, backend.blockstorage.list_volume_backup_policies(req.region or "", req.arg("compartmentId")))


def get_volume_backup_policy(backend: SimBackend, req: Request) -> Response:
    return _ok(backend.blockstorage.get_volume_backup_policy(req.region or "", req.params["id"]), etag=True)


def get_volume_backup_policy_asset_assignment(backend: SimBackend, req: Request) -> Response:
    items = backend.blockstorage.get_volume_backup_policy_asset_assignment(req.region or "", req.arg("assetId"))
    return paginate(backend, req, items)


# -------------------------------------------------------------------------------- volume groups
def list_volume_groups(backend: SimBackend, req: Request) -> Response:
    items = backend.volume_groups.list_volume_groups(
        req.region or "", req.arg("compartmentId"), availability_domain=req.arg("availabilityDomain"),
        display_name=req.arg("displayName"), lifecycle_state=req.arg("lifecycleState"),
        sort_by=req.arg("sortBy"), sort_order=req.arg("sortOrder"))
    return paginate(backend, req, items)


def get_volume_group(backend: SimBackend, req: Request) -> Response:
    return _ok(backend.volume_groups.get_volume_group(req.region or "", req.params["id"]), etag=True)


def list_volume_group_backups(backend: SimBackend, req: Request) -> Response:
    items = backend.volume_groups.list_volume_group_backups(
        req.region or "", req.arg("compartmentId"), volume_group_id=req.arg("volumeGroupId"),
        display_name=req.arg("displayName"), sort_by=req.arg("sortBy"), sort_order=req.arg("sortOrder"))
    return paginate(backend, req, items)


def get_volume_group_backup(backend: SimBackend, req: Request) -> Response:
    return _ok(backend.volume_groups.get_volume_group_backup(req.region or "", req.params["id"]), etag=True)


def copy_volume_group_backup(backend: SimBackend, req: Request) -> Response:
    copy, _ = backend.copies.copy_volume_group_backup(
        req.region or "", req.params["id"], req.json(), retry_token=req.headers.get("opc-retry-token"))
    return _ok(copy, etag=True)


# ------------------------------------------------------------------------------------- replicas
def list_boot_volume_replicas(backend: SimBackend, req: Request) -> Response:
    items = backend.replicas.list_boot_volume_replicas(
        req.region or "", availability_domain=req.arg("availabilityDomain"), compartment_id=req.arg("compartmentId"),
        volume_group_replica_id=req.arg("volumeGroupReplicaId"), display_name=req.arg("displayName"),
        lifecycle_state=req.arg("lifecycleState"), sort_by=req.arg("sortBy"), sort_order=req.arg("sortOrder"))
    return paginate(backend, req, items)


def get_boot_volume_replica(backend: SimBackend, req: Request) -> Response:
    return _ok(backend.replicas.get_boot_volume_replica(req.region or "", req.params["id"]), etag=True)


def list_volume_group_replicas(backend: SimBackend, req: Request) -> Response:
    items = backend.replicas.list_volume_group_replicas(
        req.region or "", availability_domain=req.arg("availabilityDomain"), compartment_id=req.arg("compartmentId"),
        display_name=req.arg("displayName"), lifecycle_state=req.arg("lifecycleState"),
        sort_by=req.arg("sortBy"), sort_order=req.arg("sortOrder"))
    return paginate(backend, req, items)


def get_volume_group_replica(backend: SimBackend, req: Request) -> Response:
    return _ok(backend.replicas.get_volume_group_replica(req.region or "", req.params["id"]), etag=True)


# -------------------------------------------------------------------------------------- compute
def get_image(backend: SimBackend, req: Request) -> Response:
    return _ok(backend.compute.get_image(req.region or "", req.params["id"]), etag=True)


def list_images(backend: SimBackend, req: Request) -> Response:
    items = backend.compute.list_images(
        req.region or "", req.arg("compartmentId"), display_name=req.arg("displayName"),
        operating_system=req.arg("operatingSystem"), operating_system_version=req.arg("operatingSystemVersion"),
        lifecycle_state=req.arg("lifecycleState"), sort_by=req.arg("sortBy"), sort_order=req.arg("sortOrder"))
    return paginate(backend, req, items)


# ---------------------------------------------------------------------------------- marketplace
def list_listings(backend: SimBackend, req: Request) -> Response:
    backend.region(req.region or "")
    items = backend.marketplace.list_listings(image_id=req.arg("imageId"), listing_id=req.arg("listingId"),
                                  name=req.arg("name"))
    return paginate(backend, req, items)


# -------------------------------------------------------------------------------------- search
def search_resources(backend: SimBackend, req: Request) -> Response:
    details = req.json()
    if not isinstance(details, dict):
        raise MissingParameter("The request body must be a SearchDetails JSON object.")
    if details.get("type") != "Structured":
        raise InvalidParameter(f"The fake supports only Structured search, got type {details.get('type')!r}.")
    items = backend.search.search_resources(req.region or "", details.get("query"))
    return paginate(backend, req, items, wrap="items")


# --------------------------------------------------------------------------------------- admin
def _admin_json(req: Request) -> dict[str, Any]:
    body = req.json()
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise InvalidParameter("The admin request body must be a JSON object.")
    return body


def admin_reset(backend: SimBackend, req: Request) -> Response:
    backend.reset()
    return _ok({"reset": True})


def admin_load(backend: SimBackend, req: Request) -> Response:
    try:
        backend.load(_admin_json(req))
    except InputError as exc:
        raise InvalidParameter(str(exc)) from exc
    return _ok({"loaded": True, "tenancyId": backend.identity.tenancy_id,
                "regions": backend.identity.subscribed_region_names()})


def admin_clock(backend: SimBackend, req: Request) -> Response:
    with backend.lock:
        return _ok({"now": format_time(backend.clock.now), "rate": backend.clock.rate})


def admin_clock_rate(backend: SimBackend, req: Request) -> Response:
    body = _admin_json(req)
    try:
        rate = float(body["rate"])
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidParameter('Body must be {"rate": <number >= 0>} (0 freezes the clock, 1 is real time).') from exc
    backend.set_clock_rate(rate)
    return admin_clock(backend, req)


def admin_clock_advance(backend: SimBackend, req: Request) -> Response:
    body = _admin_json(req)
    try:
        seconds = float(body["seconds"])
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidParameter('Body must be {"seconds": <number>}.') from exc
    with backend.lock:
        backend.clock.advance(seconds)
    return admin_clock(backend, req)


def admin_requests(backend: SimBackend, req: Request) -> Response:
    since = req.arg("since")
    try:
        start = int(since) if since else 0
    except ValueError as exc:
        raise InvalidParameter(f"since must be an integer index, got {since!r}") from exc
    entries = backend.requests(start)
    return _ok({"requests": entries, "next": start + len(entries)})


def admin_clear_requests(backend: SimBackend, req: Request) -> Response:
    backend.clear_requests()
    return _ok({"cleared": True})


def admin_get_knobs(backend: SimBackend, req: Request) -> Response:
    return _ok(backend.knobs.to_dict())


def admin_set_knobs(backend: SimBackend, req: Request) -> Response:
    return _ok(backend.set_knobs(**_admin_json(req)).to_dict())


def admin_subscribe_region(backend: SimBackend, req: Request) -> Response:
    body = _admin_json(req)
    if not body.get("regionName"):
        raise MissingParameter('Body must be {"regionName": "...", "regionKey", "status": READY|IN_PROGRESS, '
                               '"readyAt" (all optional)}.')
    return _ok(backend.subscribe_region(body["regionName"], body.get("regionKey"),
                                        status=body.get("status") or "READY", ready_at=body.get("readyAt")))


def admin_ready_region(backend: SimBackend, req: Request) -> Response:
    return _ok(backend.ready_region(req.params["region"]))

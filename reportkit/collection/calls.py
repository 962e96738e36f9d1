"""One way to call OCI for reading: raw JSON, paced, retried, and failures as values.

Every read goes through :meth:`OciCaller.call` / :meth:`OciCaller.pages`, which use the SDK
client's ``base_client.call_api(..., response_type="bytes")`` (signing, endpoints, error parsing
stay the SDK's) and parse the JSON ourselves: no model objects are built for 100k backups.

Retries are ours, not the SDK's (clients get ``NoneRetryStrategy`` and
``NoCircuitBreakerStrategy`` explicitly) because a retry must go through the pacer and be counted:
- 429: wait for the pacer (which slows the stream down), retry, up to ``max_throttle_retries``;
- 5xx (not 501), 409 IncorrectState/LockConflict, timeouts, connection errors, malformed JSON:
  exponential backoff with full jitter, up to ``max_attempts``;
- a region that keeps failing (``region_failures`` consecutive transient failures, 429s and
  Resource Search not counted) is treated as down: its remaining calls fail at once, each still
  recorded as an error.
"""
from __future__ import annotations

import json
import random
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from reportkit.auth import AuthContext, _first_line
from reportkit.collection.pacing import AdaptivePacer

SERVICES = {
    "identity": ("oci.identity", "IdentityClient"),
    "blockstorage": ("oci.core", "BlockstorageClient"),
    "compute": ("oci.core", "ComputeClient"),
    "marketplace": ("oci.marketplace", "MarketplaceClient"),
    "search": ("oci.resource_search", "ResourceSearchClient"),
}


#: services whose failures do not count towards a region being down (see OciCaller.call)
_NO_REGION_HEALTH = frozenset({"search"})


@dataclass(frozen=True)
class Tuning:
    """Knobs of the collection engine (defaults suit a real tenancy; tests shrink the waits)."""

    page_limit: int = 1000
    max_attempts: int = 6
    max_throttle_retries: int = 60
    backoff_base: float = 0.5
    backoff_max: float = 20.0
    malformed_attempts: int = 2
    region_failures: int = 12
    timeout: tuple[float, float] = (10.0, 60.0)


class CallFailed(Exception):
    """A read that failed for good; carries what the ``errors`` table needs."""

    def __init__(self, operation: str, http_status: int | None, code: str, message: str,
                 opc_request_id: str | None) -> None:
        super().__init__(f"{operation}: {http_status} {code}: {message}")
        self.operation, self.http_status, self.code = operation, http_status, code
        self.message, self.opc_request_id = message, opc_request_id


class OciCaller:
    """Thread-safe reader: one SDK client per (service, region) shared by all threads (a client costs
    ~50 ms of CPU to build; requests' connection pool and the signers are thread-safe), shared
    pacing and counters."""

    def __init__(self, auth: AuthContext, *, endpoint_template: str | None, tuning: Tuning,
                 pacer: AdaptivePacer | None = None, prepaid: threading.local | None = None) -> None:
        self.prepaid = prepaid  # set by the scheduler: the pacer slot already taken for this task
        self.auth, self.template, self.tuning = auth, endpoint_template, tuning
        self.pacer = pacer or AdaptivePacer()
        self._clients: dict[tuple[str, str], Any] = {}
        self._client_lock = threading.Lock()
        self._lock = threading.Lock()
        self.stats: Counter = Counter()
        self._region_failures: Counter = Counter()
        self._region_failed_at: dict[str, float] = {}
        self._regions_down: dict[str, str] = {}

    # ------------------------------------------------------------------------------ clients
    def client(self, service: str, region: str) -> Any:
        key = (service, region)
        client = self._clients.get(key)
        if client is not None:
            return client
        with self._client_lock:
            if key in self._clients:
                return self._clients[key]
            import importlib

            import oci

            module, name = SERVICES[service]
            cls = getattr(importlib.import_module(module), name)
            kwargs: dict[str, Any] = {
                "signer": self.auth.signer,
                "retry_strategy": oci.retry.NoneRetryStrategy(),
                "circuit_breaker_strategy": oci.circuit_breaker.NoCircuitBreakerStrategy(),
                "timeout": self.tuning.timeout,
            }
            if self.template:
                kwargs["service_endpoint"] = self.template.format(region=region)
            client = cls(dict(self.auth.config, region=region), **kwargs)
            _settle_environment(client)
            self._clients[key] = client
            return client

    # ------------------------------------------------------------------------------ calls
    def call(self, service: str, region: str, operation: str, path: str, *, method: str = "GET",
             query: dict[str, Any] | None = None, body: Any = None) -> tuple[Any, dict[str, str]]:
        """Return (parsed JSON, response headers) of one request, after pacing and retries.

        Raises :class:`CallFailed` when the request cannot succeed.
        """
        import oci
        import requests
        from oci._vendor import requests as sdk_requests  # the SDK raises its vendored copy's errors

        key = (region, operation)
        attempts = throttles = 0
        while True:
            down = self._regions_down.get(region)
            if down:
                raise CallFailed(operation, None, "RegionUnavailable", down, None)
            if self.prepaid is not None and getattr(self.prepaid, "key", None) == key:
                self.prepaid.key = None  # the scheduler took this request's slot when it dispatched the task
            else:
                self.pacer.wait(key)
            transient: CallFailed | None = None
            sent = time.monotonic()
            try:
                with self._lock:
                    self.stats["calls"] += 1
                resp = self.client(service, region).base_client.call_api(
                    resource_path=path, method=method, query_params=query or {}, body=body,
                    header_params={"accept": "application/json", "content-type": "application/json"},
                    response_type="bytes", operation_name=operation)
            except oci.exceptions.ServiceError as exc:
                failure = CallFailed(operation, exc.status, str(exc.code or ""), str(exc.message or ""),
                                     exc.request_id or (exc.headers or {}).get("opc-request-id"))
                if exc.status == 429:
                    self.pacer.throttled(key)
                    throttles += 1
                    self._count("retries")
                    if throttles > self.tuning.max_throttle_retries:
                        raise failure from None
                    continue
                if exc.status >= 500 and exc.status != 501 or (
                        exc.status == 409 and exc.code in ("IncorrectState", "LockConflict")):
                    transient = failure
                else:
                    self._region_ok(region)
                    raise failure from None
            except (requests.exceptions.RequestException, sdk_requests.exceptions.RequestException,
                    ConnectionError, TimeoutError) as exc:
                transient = CallFailed(operation, None, type(exc).__name__, _first_line(exc), None)
            else:
                self._region_ok(region)
                self.pacer.succeeded(key)
                try:
                    data = json.loads(resp.data) if resp.data else None
                    return data, dict(resp.headers)
                except ValueError as exc:
                    transient = CallFailed(operation, resp.status, "MalformedResponse",
                                           f"the response is not valid JSON ({exc})", resp.request_id)
                    if attempts + 1 >= self.tuning.malformed_attempts:
                        raise transient from None
            # transient failure: back off and retry, unless the region looks down
            attempts += 1
            # Resource Search is its own endpoint (query.<region>) and an optional pre-filter: its
            # failures say nothing about block storage there, so they never mark the region down
            if transient.code != "MalformedResponse" and service not in _NO_REGION_HEALTH:
                self._region_failed(region, transient, sent)
            if attempts >= (min(2, self.tuning.max_attempts) if service in _NO_REGION_HEALTH
                            else self.tuning.max_attempts):
                raise transient  # a failing pre-filter is cheaper to replace by listing than to wait out
            self._count("retries")
            time.sleep(random.uniform(0, min(self.tuning.backoff_max, self.tuning.backoff_base * 2 ** attempts)))

    def pages(self, service: str, region: str, operation: str, path: str,
              query: dict[str, Any], *, method: str = "GET", body: Any = None) -> Iterator[list[Any]]:
        """Yield each page of a list call (``limit`` = tuning.page_limit), following opc-next-page.

        An empty page with a next-page token is followed, as OCI documents. A failure raises
        :class:`CallFailed` after the pages already yielded (those items are real and kept).
        ``method``/``body`` serve list calls that are POSTs (Resource Search: the same body on
        every page).
        """
        params = dict(query, limit=self.tuning.page_limit)
        number = 1
        while True:
            try:
                data, headers = self.call(service, region, operation, path, method=method, query=params, body=body)
            except CallFailed as exc:
                if number > 1:
                    exc.message = f"page {number}: {exc.message}"
                raise
            items = data.get("items", []) if isinstance(data, dict) else data
            if not isinstance(items, list):
                raise CallFailed(operation, 200, "MalformedResponse", f"page {number} is not a JSON list",
                                 headers.get("opc-request-id"))
            yield items
            token = headers.get("opc-next-page")
            if not token:
                return
            params["page"] = token
            number += 1

    # ------------------------------------------------------------------------------ health
    def _count(self, name: str, n: int = 1) -> None:
        with self._lock:
            self.stats[name] += n

    def _region_ok(self, region: str) -> None:
        if self._region_failures[region]:
            with self._lock:
                self._region_failures[region] = 0

    def _region_failed(self, region: str, failure: CallFailed, sent: float) -> None:
        """Count a transient failure, once per blip: requests that were already in flight when the
        region's last counted failure came back fail from the same blip (per_region of them fail
        together), so only a request sent after it counts again."""
        with self._lock:
            if sent <= self._region_failed_at.get(region, float("-inf")):
                return
            self._region_failed_at[region] = time.monotonic()
            self._region_failures[region] += 1
            if self._region_failures[region] >= self.tuning.region_failures and region not in self._regions_down:
                self._regions_down[region] = (f"region {region} skipped after {self._region_failures[region]} "
                                              f"consecutive failures (last: {failure.http_status} {failure.code})")

    @property
    def regions_down(self) -> dict[str, str]:
        return dict(self._regions_down)


def _settle_environment(client: Any) -> None:
    """Read the proxy and CA-bundle environment once for this client, not on every request.

    With ``trust_env`` on, requests' ``merge_environment_settings`` walks ``os.environ`` twice per
    request (~0.3-0.5 ms of CPU, ~13 % of a request's client CPU in a profile). A client talks to
    one endpoint, so what the environment says for it cannot change between requests: resolve it
    now, with requests' own rules (``no_proxy`` honoured; the variables win over session
    settings, as they do per request), then stop re-reading.
    """
    import os

    from oci._vendor.requests.utils import get_environ_proxies

    session = client.base_client.session
    if not session.trust_env:
        return
    session.proxies.update(get_environ_proxies(client.base_client.endpoint))
    bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
    if bundle:
        session.verify = bundle
    session.trust_env = False

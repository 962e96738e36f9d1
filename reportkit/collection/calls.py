"""One way to call OCI for reading: raw JSON, paced, retried, bounded, and failures as values.

Every read goes through :meth:`OciCaller.call` / :meth:`OciCaller.pages`, which use the SDK
client's ``base_client.call_api(..., response_type="bytes")`` (signing, endpoints, error parsing
stay the SDK's) and parse the JSON ourselves: no model objects are built for 100k backups.

Retries are ours, not the SDK's (clients get ``NoneRetryStrategy`` and
``NoCircuitBreakerStrategy`` explicitly) because a retry must go through the pacer and be counted:
- 429: wait for the pacer (which slows the stream down), retry, up to ``max_throttle_retries``;
- 5xx (not 501), 409 IncorrectState/LockConflict, timeouts, connection errors, malformed JSON,
  an answer cut off at its deadline: exponential backoff with full jitter, up to ``max_attempts``;
- a region that keeps failing (``region_failures`` consecutive transient failures, 429s and
  Resource Search not counted) is treated as down: its remaining calls fail at once, each still
  recorded as an error.

Bounds (each one exceeded is a :class:`CallFailed`, hence an ``errors`` row): a whole request must
end within ``request_deadline`` seconds (a body trickling in a byte at a time is cut off, see
:mod:`~reportkit.collection.deadline`); a region's reads must end within ``region_deadline`` of its
first request; a listing stops at a next-page token it has seen before, after ``max_pages`` pages,
or after ``max_empty_pages`` empty pages in a row. :meth:`OciCaller.stop` (Ctrl-C) cuts every
request in flight and makes every later call raise :class:`Stopped`.
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

import pandas as pd

from reportkit.auth import AuthContext, _first_line
from reportkit.collection.deadline import Watchdog, install
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
#: the fake OCI API's simulated time on every answer (trusted only from a loopback endpoint)
SIM_TIME_HEADER = "opc-sim-time"


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
    max_pages: int = 10_000         # pages of one listing (10 M records at page_limit 1000)
    max_empty_pages: int = 50       # empty pages in a row that still promise more
    request_deadline: float = 120.0  # seconds for one whole request, body included
    region_deadline: float = 3600.0  # seconds for all reads of one region, from its first request


class CallFailed(Exception):
    """A read that failed for good; carries what the ``errors`` table needs."""

    def __init__(self, operation: str, http_status: int | None, code: str, message: str,
                 opc_request_id: str | None) -> None:
        super().__init__(f"{operation}: {http_status} {code}: {message}")
        self.operation, self.http_status, self.code = operation, http_status, code
        self.message, self.opc_request_id = message, opc_request_id


class Stopped(Exception):
    """The run is stopping (Ctrl-C): nothing more is read."""


def wrong_shape(operation: str, what: str, data: Any, headers: dict[str, str] | None = None) -> CallFailed:
    """The failure for an answer that is not what the SDK model documents (``what``: what was expected)."""
    got = {dict: "a JSON object", list: "a JSON list", str: "a JSON string", type(None): "null"}.get(
        type(data), f"a JSON {type(data).__name__}")
    return CallFailed(operation, 200, "WrongShape", f"expected {what}, got {got}",
                      (headers or {}).get("opc-request-id"))


class OciCaller:
    """Thread-safe reader: one SDK client per (service, region) shared by all threads (a client costs
    ~50 ms of CPU to build; requests' connection pool and the signers are thread-safe), shared
    pacing, counters, deadlines and the stop switch."""

    def __init__(self, auth: AuthContext, *, endpoint_template: str | None, tuning: Tuning,
                 pacer: AdaptivePacer | None = None, prepaid: threading.local | None = None) -> None:
        self.prepaid = prepaid  # set by the scheduler: the pacer slot already taken for this task
        self.auth, self.template, self.tuning = auth, endpoint_template, tuning
        self.stop_event = threading.Event()
        self.pacer = pacer or AdaptivePacer(sleep=self.stop_event.wait)
        self.watchdog = Watchdog()
        self._clients: dict[tuple[str, str], Any] = {}
        self._client_lock = threading.Lock()
        self._lock = threading.Lock()
        self.stats: Counter = Counter()
        self._region_failures: Counter = Counter()
        self._region_failed_at: dict[str, float] = {}
        self._regions_down: dict[str, str] = {}
        self._region_started: dict[str, float] = {}
        self.trust_sim_time = False  # set once discovery saw the fake's clock on a loopback endpoint
        self.sim_time: pd.Timestamp | None = None  # the latest opc-sim-time seen

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
            install(client.base_client.session)
            self._clients[key] = client
            return client

    # ------------------------------------------------------------------------------ stopping
    def stop(self) -> None:
        """Stop reading: cut every request in flight; every later call raises :class:`Stopped`."""
        self.stop_event.set()
        self.watchdog.stop()

    def close(self) -> None:
        """Close every client's connections and the watchdog (no socket is left open)."""
        self.watchdog.close()
        with self._client_lock:
            for client in self._clients.values():
                try:
                    client.base_client.session.close()
                except Exception:  # noqa: BLE001 - closing is best effort
                    pass

    # ------------------------------------------------------------------------------ calls
    def call(self, service: str, region: str, operation: str, path: str, *, method: str = "GET",
             query: dict[str, Any] | None = None, body: Any = None) -> tuple[Any, dict[str, str]]:
        """Return (parsed JSON, response headers) of one request, after pacing and retries.

        Raises :class:`CallFailed` when the request cannot succeed, :class:`Stopped` when the run stops.
        """
        import oci
        import requests
        from oci._vendor import requests as sdk_requests  # the SDK raises its vendored copy's errors

        key = (region, operation)
        attempts = throttles = 0
        while True:
            if self.stop_event.is_set():
                raise Stopped(operation)
            down = self._regions_down.get(region)
            if down:
                raise CallFailed(operation, None, down[0], down[1], None)
            if self.prepaid is not None and getattr(self.prepaid, "key", None) == key:
                self.prepaid.key = None  # the scheduler took this request's slot when it dispatched the task
            else:
                self.pacer.wait(key)
                if self.stop_event.is_set():
                    raise Stopped(operation)
            transient: CallFailed | None = None
            sent = time.monotonic()
            region_end = self._region_end(region, sent)
            if sent >= region_end:
                raise self._region_late(region, operation)
            flight = self.watchdog.begin(self.tuning.request_deadline, region, until=region_end)
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
                self.note_sim_time(exc.headers or {})
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
            except Exception as exc:  # noqa: BLE001 - classified below; a cut request fails in many ways
                if flight.cut is None and not isinstance(exc, (
                        requests.exceptions.RequestException, sdk_requests.exceptions.RequestException,
                        ConnectionError, TimeoutError)):
                    raise
                transient = self._cut_or_lost(operation, region, flight.cut, exc, region_end)
            else:
                self._region_ok(region)
                self.pacer.succeeded(key)
                self.note_sim_time(resp.headers)
                try:
                    data = json.loads(resp.data) if resp.data else None
                    return data, dict(resp.headers)
                except ValueError as exc:
                    transient = CallFailed(operation, resp.status, "MalformedResponse",
                                           f"the response is not valid JSON ({exc})", resp.request_id)
                    if attempts + 1 >= self.tuning.malformed_attempts:
                        raise transient from None
            finally:
                self.watchdog.end(flight)
            # transient failure: back off and retry, unless the region looks down
            attempts += 1
            # Resource Search is its own endpoint (query.<region>) and an optional pre-filter: its
            # failures say nothing about block storage there, so they never mark the region down
            if transient.code not in ("MalformedResponse", "RegionDeadline") and service not in _NO_REGION_HEALTH:
                self._region_failed(region, transient, sent)
            if transient.code == "RegionDeadline" or attempts >= (
                    min(2, self.tuning.max_attempts) if service in _NO_REGION_HEALTH else self.tuning.max_attempts):
                raise transient  # a failing pre-filter is cheaper to replace by listing than to wait out
            self._count("retries")
            if self.stop_event.wait(random.uniform(0, min(self.tuning.backoff_max,
                                                          self.tuning.backoff_base * 2 ** attempts))):
                raise Stopped(operation)

    def _cut_or_lost(self, operation: str, region: str, cut: str | None, exc: BaseException,
                     region_end: float) -> CallFailed:
        """The failure of a request that raised ``exc`` (``cut``: why the watchdog cut it off, if it did)."""
        if cut == "stop":
            raise Stopped(operation) from None
        if cut == "deadline":
            if region in self._regions_down or time.monotonic() >= region_end:
                return self._region_late(region, operation)
            return CallFailed(operation, None, "RequestDeadline", f"no complete answer within "
                              f"{self.tuning.request_deadline:g} s (cut off)", None)
        return CallFailed(operation, None, type(exc).__name__, _first_line(exc), None)

    def _region_end(self, region: str, now: float) -> float:
        """The monotonic time by which ``region``'s reads must end (its clock starts at its first request)."""
        with self._lock:
            started = self._region_started.setdefault(region, now)
        return started + self.tuning.region_deadline

    def _region_late(self, region: str, operation: str) -> CallFailed:
        """Mark ``region`` past its deadline (its requests in flight are cut off); return the failure."""
        with self._lock:
            if region not in self._regions_down:
                self._regions_down[region] = ("RegionDeadline", f"region {region} not read within its deadline of "
                                                                f"{self.tuning.region_deadline:g} s")
            code, message = self._regions_down[region]
        self.watchdog.cut_region(region)
        return CallFailed(operation, None, code, message, None)

    def pages(self, service: str, region: str, operation: str, path: str,
              query: dict[str, Any], *, method: str = "GET", body: Any = None,
              wrapped: bool = False) -> Iterator[list[Any]]:
        """Yield each page of a list call (``limit`` = tuning.page_limit), following opc-next-page.

        Each page must be a JSON list (``wrapped``: an object whose ``items`` is one, as Resource Search
        answers); anything else raises :class:`CallFailed` ``WrongShape``. An empty page with a
        next-page token is followed, as OCI documents, up to ``max_empty_pages`` in a row; a token seen
        before in this listing (a loop) or more than ``max_pages`` pages end it (``PageTokenLoop``,
        ``PageLimit``). A failure raises after the pages already yielded (those items are real and
        kept). ``method``/``body`` serve list calls that are POSTs (the same body on every page).
        """
        params = dict(query, limit=self.tuning.page_limit)
        number, empty_run = 1, 0
        seen: set[str] = set()
        while True:
            try:
                data, headers = self.call(service, region, operation, path, method=method, query=params, body=body)
            except CallFailed as exc:
                if number > 1:
                    exc.message = f"page {number}: {exc.message}"
                raise
            items = data.get("items") if wrapped and isinstance(data, dict) else data
            if not isinstance(items, list):
                what = "a JSON object with an 'items' list" if wrapped else "a JSON list"
                raise wrong_shape(operation, f"{what} of records (page {number})", data, headers)
            yield items
            token = headers.get("opc-next-page")
            if not token:
                return
            empty_run = 0 if items else empty_run + 1
            if token in seen:
                raise CallFailed(operation, 200, "PageTokenLoop", f"page {number} gave a next-page token already "
                                 f"followed in this listing (a loop): stopped", headers.get("opc-request-id"))
            if empty_run >= self.tuning.max_empty_pages:
                raise CallFailed(operation, 200, "PageLimit", f"stopped after {empty_run} empty pages in a row "
                                 "that still promised more", headers.get("opc-request-id"))
            if number >= self.tuning.max_pages:
                raise CallFailed(operation, 200, "PageLimit", f"stopped after {number} pages (max_pages); "
                                 "the rest of the listing was not read", headers.get("opc-request-id"))
            seen.add(token)
            params["page"] = token
            number += 1

    # ------------------------------------------------------------------------------ the fake's clock
    def note_sim_time(self, headers: Any) -> None:
        """Remember the latest simulated time the fake sent (only once it is trusted)."""
        if not self.trust_sim_time:
            return
        raw = headers.get(SIM_TIME_HEADER) if headers else None
        if not raw:
            return
        try:
            moment = pd.Timestamp(raw).tz_convert("UTC")
        except (ValueError, TypeError):
            return
        with self._lock:
            if self.sim_time is None or moment > self.sim_time:
                self.sim_time = moment

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
                self._regions_down[region] = ("RegionUnavailable", (
                    f"region {region} skipped after {self._region_failures[region]} "
                    f"consecutive failures (last: {failure.http_status} {failure.code})"))

    @property
    def regions_down(self) -> dict[str, str]:
        return {region: message for region, (_, message) in self._regions_down.items()}


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

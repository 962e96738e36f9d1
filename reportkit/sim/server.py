"""The fake OCI API as a threaded HTTP server on 127.0.0.1 (moto's server mode).

Each request goes: route -> (API only) region up? -> signed? -> region subscribed and READY? -> rate
limit -> injected error -> latency -> handler -> hostile distortions (wrong shapes, page loops, bad
records) -> log -> stall -> send (trickled if asked). Every response carries ``opc-sim-time``, the
fake's simulated time when it answered. Everything stateful lives in the :class:`SimBackend`.
"""
from __future__ import annotations

import logging
import re
import socketserver
import threading
import time
import uuid
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

from reportkit.sim import routes
from reportkit.sim.exceptions import (
    InternalServerError,
    NotAuthenticated,
    NotFound,
    ServiceUnavailable,
    SimError,
    TooManyRequests,
)
from reportkit.sim.faults import Knobs
from reportkit.sim.models import SimBackend, WireDict, format_time
from reportkit.sim.responses import Request, Response

log = logging.getLogger(__name__)

_SIGNATURE_FIELD = re.compile(r'(\w+)="([^"]*)"')

#: response header with the fake's simulated time (RFC3339), so a client can stamp what it read
SIM_TIME_HEADER = "opc-sim-time"


def check_signature(headers: dict[str, str]) -> None:
    """Require a well-formed OCI HTTP signature header (the crypto itself is not verified).

    ``authorization: Signature version="1",keyId="<tenancy>/<user>/<fingerprint>",algorithm="rsa-sha256",
    headers="...",signature="..."``; anything else is 401 NotAuthenticated.
    """
    value = headers.get("authorization", "")
    if not value.startswith("Signature "):
        raise NotAuthenticated("The required information to complete authentication was not provided or was incorrect.")
    fields = dict(_SIGNATURE_FIELD.findall(value))
    key_id = fields.get("keyId", "")
    if len(key_id.split("/")) != 3 or not all(key_id.split("/")):
        raise NotAuthenticated("The authorization header has no keyId of the form <tenancy>/<user>/<fingerprint>.")
    if not fields.get("signature") or not fields.get("algorithm") or not fields.get("headers"):
        raise NotAuthenticated("The authorization header needs algorithm, headers and signature.")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # one buffered write per response and no Nagle: avoids 40 ms delayed-ACK stalls on keep-alive
    wbufsize = 1 << 16
    disable_nagle_algorithm = True
    server: _HTTPServer

    def do_GET(self) -> None:  # noqa: N802 (http.server naming)
        self._handle()

    def do_POST(self) -> None:  # noqa: N802
        self._handle()

    def do_PUT(self) -> None:  # noqa: N802
        self._handle()

    def do_DELETE(self) -> None:  # noqa: N802
        self._handle()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        log.debug("sim: " + format, *args)

    def _handle(self) -> None:
        backend = self.server.backend
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else b""
        req = Request.parse(self.command, self.path, dict(self.headers.items()), body)
        request_id = req.headers.get("opc-request-id") or uuid.uuid4().hex.upper()
        route, groups, path_known = routes.match(self.command, req.path)
        req.params = groups
        req.operation = route.operation if route else "Unknown"
        region = groups.get("region") or routes.region_of(req.path)
        throttled = False
        loop: int | None = None
        try:
            if route is None:
                status = 405 if path_known else 404
                raise NotFound(f"No operation {self.command} {req.path} in the fake OCI API.",
                               status=status, code="NotFound" if status == 404 else "MethodNotAllowed")
            if not route.admin:
                mode = backend.knobs.region_down.get(region or "")
                if mode == "drop":
                    backend.record(region=region, method=self.command, path=req.path, operation=req.operation,
                                   status=0, code="ConnectionDropped", opcRequestId=request_id, throttled=False)
                    self.close_connection = True
                    return
                if mode:
                    raise ServiceUnavailable(f"Region {region} is unavailable (injected).")
                check_signature(req.headers)
                backend.region(region or "")
                if not backend.take_token(region or "", req.operation):
                    throttled = True
                    raise TooManyRequests(f"Too many requests for {req.operation} in {region}.")
                if backend.inject_error(req.operation):
                    raise InternalServerError("Internal error (injected).")
                if backend.knobs.latency_ms > 0:
                    time.sleep(backend.knobs.latency_ms / 1000.0)  # real latency, outside the lock
                with backend.lock:
                    loop = backend.faults.loop_page(region, req.operation, req.query)
            resp = route.handler(backend, req)
            if resp.status == 200 and not route.admin:
                with backend.lock:
                    resp.body = backend.faults.distort(region, req.operation, resp.body, resp.headers, loop)
        except SimError as exc:
            resp = Response(exc.status, exc.to_dict())
        except Exception as exc:  # a bug in the fake: answer like OCI would, keep the trace in the log
            log.exception("sim: unhandled error for %s %s", self.command, req.path)
            resp = Response(500, {"code": "InternalServerError", "message": f"fake OCI bug: {exc!r}"})
        code = resp.body.get("code") if resp.status >= 400 and isinstance(resp.body, dict) else None
        backend.record(region=region, method=self.command, path=self.path, operation=req.operation,
                       status=resp.status, code=code, opcRequestId=request_id, throttled=throttled)
        trickle = None
        if route is not None and not route.admin:
            with backend.lock:
                stall = backend.faults.stall_seconds(region, req.operation)
                trickle = backend.faults.trickle_interval(region, req.operation)
            if stall > 0:
                time.sleep(stall)  # real silence: the client's timeouts, not the clock, must end it
        self._send(resp, request_id, format_time(backend.now()), trickle)

    def _send(self, resp: Response, request_id: str, sim_time: str, trickle: float | None = None) -> None:
        payload = resp.payload()
        try:
            self.send_response(resp.status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(payload)))
            self.send_header("opc-request-id", request_id)
            self.send_header(SIM_TIME_HEADER, sim_time)
            for name, value in resp.headers.items():
                self.send_header(name, value)
            self.end_headers()
            if trickle is None:
                self.wfile.write(payload)
                return
            self.wfile.flush()
            for i in range(len(payload)):  # one byte at a time: a timeout per read never ends this
                self.wfile.write(payload[i:i + 1])
                self.wfile.flush()
                time.sleep(trickle)
        except OSError:  # the client hung up (a deadline cut it off, or it was interrupted)
            self.close_connection = True


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], backend: SimBackend) -> None:
        self.backend = backend
        super().__init__(address, _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        import sys

        if isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            return  # the client hung up (cut off at its deadline, interrupted): not the fake's problem
        super().handle_error(request, client_address)

    def server_bind(self) -> None:
        # HTTPServer.server_bind calls socket.getfqdn(), which can stall on DNS; we know our name
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name, self.server_port = str(host), int(port)


class SimServer:
    """A running fake OCI API. Use as a context manager or call :meth:`start`/:meth:`stop`.

    ``endpoint_template`` is ``http://127.0.0.1:PORT/{region}``: give a client
    ``service_endpoint=sim.endpoint("uk-london-1")`` and the SDK appends the API version.
    The control methods (``reset``, ``load``, ``advance``, ``requests``, ``set_knobs``...) act on
    the same state as the ``/_sim/...`` admin endpoints. ``clock_rate`` runs the simulated clock at
    that many times real time (0, the default, freezes it); ``time_source`` is the real clock
    (seconds, monotonic), injectable so tests never sleep.
    """

    def __init__(self, document: WireDict | None = None, *, host: str = "127.0.0.1", port: int = 0,
                 clock_rate: float = 0.0, time_source: Callable[[], float] = time.monotonic) -> None:
        self.backend = SimBackend(document, clock_rate=clock_rate, time_source=time_source)
        self._address = (host, port)
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> SimServer:
        """Bind and serve in a background thread; return self."""
        if self._httpd is None:
            self._httpd = _HTTPServer(self._address, self.backend)
            self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.1},
                                            name=f"reportkit-sim-{self.port}", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            if self._thread is not None:
                self._thread.join(timeout=5)
            self._httpd = None
            self._thread = None

    def __enter__(self) -> SimServer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    # ------------------------------------------------------------------ addresses
    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("SimServer is not started; call start() first")
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        """Base URL (admin endpoints live under ``{url}/_sim/``)."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def endpoint_template(self) -> str:
        return self.url + "/{region}"

    def endpoint(self, region: str) -> str:
        """The ``service_endpoint`` for SDK clients of ``region``."""
        return self.endpoint_template.format(region=region)

    @property
    def tenancy_id(self) -> str:
        return self.backend.identity.tenancy_id

    # ------------------------------------------------------------------ control
    def reset(self) -> None:
        """Reload the current document, knobs off, request log cleared."""
        self.backend.reset()

    def load(self, document: WireDict) -> None:
        """Load a tenancy document (replaces the current tenancy)."""
        self.backend.load(document)

    def advance(self, seconds: float) -> str:
        """Advance the simulated clock; return the new time (RFC3339)."""
        with self.backend.lock:
            return format_time(self.backend.clock.advance(seconds))

    def now(self) -> str:
        """The simulated time now (RFC3339)."""
        return format_time(self.backend.now())

    def set_clock_rate(self, rate: float) -> float:
        """Run the simulated clock at ``rate``x real time from now on (0 freezes it); return the rate."""
        return self.backend.set_clock_rate(rate)

    def requests(self, since: int = 0) -> list[dict[str, Any]]:
        """The request log from index ``since`` (dicts: index, time, simTime, region, method, path,
        operation, status, code, opcRequestId, throttled)."""
        return self.backend.requests(since)

    def clear_requests(self) -> None:
        self.backend.clear_requests()

    def set_knobs(self, **changes: Any) -> Knobs:
        """Set fault knobs (see :class:`reportkit.sim.faults.Knobs`); return the knobs in force."""
        return self.backend.set_knobs(**changes)

    @property
    def knobs(self) -> Knobs:
        return self.backend.knobs

    def subscribe_region(self, region_name: str, region_key: str | None = None, *, status: str = "READY",
                         ready_at: str | None = None) -> WireDict:
        """Make a region appear in ListRegionSubscriptions mid-run (``status`` IN_PROGRESS: every call
        there answers 401 until :meth:`ready_region` or the clock reaches ``ready_at``)."""
        return self.backend.subscribe_region(region_name, region_key, status=status, ready_at=ready_at)

    def ready_region(self, region_name: str) -> WireDict:
        """Complete a region's IN_PROGRESS subscription now."""
        return self.backend.ready_region(region_name)


def serve(document: WireDict | None = None, *, port: int = 0, clock_rate: float = 0.0) -> SimServer:
    """Start a fake OCI API on 127.0.0.1 serving ``document``; return the running :class:`SimServer`."""
    return SimServer(document, port=port, clock_rate=clock_rate).start()

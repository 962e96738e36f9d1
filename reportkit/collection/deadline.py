"""Whole-request deadlines: a watchdog that cuts off a request running past its deadline, or every request at a stop.

``requests``' timeout is per socket read: an answer that trickles one byte every few seconds never
times out. Here each request is a :class:`Flight` with a deadline; the connection it runs on
registers itself when it sends (our clients' connection pools use :class:`_DeadlineHTTPConnection`),
and one watchdog thread shuts that socket down when the deadline passes, or at once when the run
stops (Ctrl-C). The reading thread then fails like on a dropped connection, and the caller sees
:attr:`Flight.cut` and says why.
"""
from __future__ import annotations

import socket
import threading
import time
from typing import Any

_local = threading.local()  # the flight of the request this thread is sending, if any


class Flight:
    """One request in flight: its deadline, its connection once sent, and whether it was cut (and why)."""

    __slots__ = ("deadline", "region", "conn", "cut")

    def __init__(self, deadline: float, region: str | None) -> None:
        self.deadline, self.region = deadline, region
        self.conn: Any = None
        self.cut: str | None = None  # "deadline" or "stop"

    def shut(self, why: str) -> None:
        if self.cut is None:
            self.cut = why
        _shutdown(self.conn)


def _shutdown(conn: Any) -> None:
    sock = getattr(conn, "sock", None)
    if sock is None:
        return
    try:
        # the plain socket's shutdown, also under TLS: it never touches the SSL object another thread reads
        socket.socket.shutdown(sock, socket.SHUT_RDWR)
    except OSError:
        pass


class Watchdog:
    """Cuts off flights past their deadline (one daemon thread, started on first use)."""

    def __init__(self, clock: Any = time.monotonic) -> None:
        self._clock = clock
        self._flights: set[Flight] = set()
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self._closed = False
        self.stopped = False

    def begin(self, seconds: float, region: str | None = None, *, until: float | None = None) -> Flight:
        """Start a flight that must end within ``seconds`` (and by ``until``, a monotonic time, if given)."""
        deadline = self._clock() + seconds
        flight = Flight(deadline if until is None else min(deadline, until), region)
        with self._cond:
            if self.stopped:
                flight.cut = "stop"
            self._flights.add(flight)
            if self._thread is None and not self._closed:
                self._thread = threading.Thread(target=self._watch, name="reportkit-watchdog", daemon=True)
                self._thread.start()
            self._cond.notify()
        _local.flight = flight
        return flight

    def end(self, flight: Flight) -> None:
        with self._cond:
            self._flights.discard(flight)
        _local.flight = None

    def cut_region(self, region: str, why: str = "deadline") -> None:
        """Cut every flight of ``region`` now (its deadline passed)."""
        with self._cond:
            for flight in [f for f in self._flights if f.region == region]:
                flight.shut(why)

    def stop(self) -> None:
        """Cut every flight now, and every flight begun from now on (the run is stopping)."""
        with self._cond:
            self.stopped = True
            for flight in list(self._flights):
                flight.shut("stop")
            self._cond.notify()

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify()
        if self._thread is not None:
            self._thread.join(timeout=1)

    def _watch(self) -> None:
        with self._cond:
            while not self._closed:
                now = self._clock()
                soonest = None
                for flight in list(self._flights):
                    if flight.cut is None and flight.deadline <= now:
                        flight.shut("deadline")
                    elif flight.cut is None:
                        soonest = flight.deadline if soonest is None else min(soonest, flight.deadline)
                self._cond.wait(None if soonest is None else max(0.01, soonest - now))


def _attach(conn: Any) -> None:
    flight = getattr(_local, "flight", None)
    if flight is not None:
        flight.conn = conn
        if flight.cut is not None:
            _shutdown(conn)


def _connection_classes() -> tuple[type, type, type, type]:
    """urllib3 connection and pool classes whose connections register with the current flight."""
    from urllib3.connection import HTTPConnection, HTTPSConnection
    from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

    class _Registering:
        """Registers the connection with the thread's flight when it connects and when it sends."""

        def connect(self) -> None:
            super().connect()  # type: ignore[misc]
            _attach(self)

        def request(self, *args: Any, **kwargs: Any) -> None:
            _attach(self)
            super().request(*args, **kwargs)  # type: ignore[misc]

    class _DeadlineHTTPConnection(_Registering, HTTPConnection):
        pass

    class _DeadlineHTTPSConnection(_Registering, HTTPSConnection):
        pass

    class _HTTPPool(HTTPConnectionPool):
        ConnectionCls = _DeadlineHTTPConnection

    class _HTTPSPool(HTTPSConnectionPool):
        ConnectionCls = _DeadlineHTTPSConnection

    return _DeadlineHTTPConnection, _DeadlineHTTPSConnection, _HTTPPool, _HTTPSPool


_CLASSES: tuple[type, type, type, type] | None = None


def install(session: Any) -> None:
    """Make every connection of ``session`` (an SDK client's requests session, proxied ones too)
    register with the current flight."""
    global _CLASSES
    if _CLASSES is None:
        _CLASSES = _connection_classes()
    pools = {"http": _CLASSES[2], "https": _CLASSES[3]}
    for adapter in session.adapters.values():
        adapter.poolmanager.pool_classes_by_scheme = dict(pools)
        original = adapter.proxy_manager_for

        def proxy_manager_for(proxy: Any, _original: Any = original, **kwargs: Any) -> Any:
            manager = _original(proxy, **kwargs)
            manager.pool_classes_by_scheme = dict(pools)
            return manager
        adapter.proxy_manager_for = proxy_manager_for

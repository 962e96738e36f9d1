"""How fast to call OCI: adaptive per-(region, operation) pacing and a region-fair work scheduler.

OCI throttles with 429 per region and API. Retrying blindly (what the SDK's retry strategy does)
keeps hammering the limit; here each (region, operation) has its own rate that starts unlimited,
drops to just under the observed throughput at the first 429, then follows AIMD: +``increase``
requests/s (or +``growth`` x rate when fast) per second of success, x``decrease`` on a 429 (at
most once per ``cooldown``, so one burst of 429s counts once). So a
throttling storm slows that one stream down instead of failing the run, and the steady state sits
just under the service's limit.

The scheduler keeps one queue per region and at most ``per_region`` tasks of a region in flight,
so a throttled region can never occupy every thread while other regions wait.
"""
from __future__ import annotations

import collections
import threading
import time
from collections.abc import Callable, Hashable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any


@dataclass
class _Stream:
    rate: float | None = None  # requests/s; None = not throttled yet
    next_slot: float = 0.0
    last_decrease: float = 0.0
    successes: collections.deque = field(default_factory=collections.deque)


class AdaptivePacer:
    """Per-key request pacing: unlimited until throttled, then AIMD around the service's limit."""

    def __init__(self, *, increase: float = 1.0, growth: float = 0.05, decrease: float = 0.8,
                 min_rate: float = 0.5, first_rate: float = 5.0, cooldown: float = 1.0, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self._streams: dict[Hashable, _Stream] = collections.defaultdict(_Stream)
        self._lock = threading.Lock()
        self.increase, self.growth, self.decrease = increase, growth, decrease
        self.min_rate, self.first_rate, self.cooldown = min_rate, first_rate, cooldown
        self._clock, self._sleep = clock, sleep

    def wait(self, key: Hashable) -> None:
        """Block until ``key`` may send its next request."""
        with self._lock:
            stream = self._streams[key]
            if stream.rate is None:
                return
            now = self._clock()
            slot = max(now, stream.next_slot)
            stream.next_slot = slot + 1.0 / stream.rate
        if slot > now:
            self._sleep(slot - now)

    def succeeded(self, key: Hashable) -> None:
        with self._lock:
            stream = self._streams[key]
            now = self._clock()
            if stream.rate is None:
                stream.successes.append(now)
                while stream.successes and stream.successes[0] < now - 1.0:
                    stream.successes.popleft()
            else:
                # per second of successes: +increase req/s when slow, +growth (5%) when fast
                stream.rate += max(self.increase / stream.rate, self.growth)

    def throttled(self, key: Hashable) -> None:
        """Record a 429 for ``key``: slow down (once per cooldown, so a burst of 429s counts once)."""
        with self._lock:
            stream = self._streams[key]
            now = self._clock()
            if stream.rate is None:
                # just under what got through in the last second; a stream that has barely started
                # has not shown its limit yet, so never start below first_rate
                observed = sum(1 for t in stream.successes if t >= now - 1.0)
                stream.rate = max(self.first_rate, observed * self.decrease)
                stream.last_decrease = now
            elif now - stream.last_decrease >= min(self.cooldown, 4.0 / stream.rate):
                stream.rate = max(self.min_rate, stream.rate * self.decrease)
                stream.last_decrease = now
            stream.next_slot = max(stream.next_slot, now + 1.0 / stream.rate)

    def rate(self, key: Hashable) -> float | None:
        """Current rate of ``key`` in requests/s (None while unthrottled)."""
        with self._lock:
            return self._streams[key].rate if key in self._streams else None


class RegionScheduler:
    """A bounded thread pool fed round-robin from per-region queues, ``per_region`` in flight each.

    Tasks may submit further tasks. :meth:`join` returns when every task has finished; an
    exception escaping a task is handed to ``on_crash`` (the collector turns it into an error row)
    so one bad record never stops the run.
    """

    def __init__(self, workers: int, per_region: int,
                 on_crash: Callable[[Hashable, BaseException], None]) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="reportkit-collect")
        self._workers, self._per_region = workers, per_region
        self._queues: dict[Hashable, collections.deque] = {}
        self._inflight: collections.Counter = collections.Counter()
        self._running = 0
        self._pending = 0
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._on_crash = on_crash

    def submit(self, region: Hashable, fn: Callable[..., Any], *args: Any) -> None:
        with self._lock:
            self._queues.setdefault(region, collections.deque()).append((fn, args))
            self._pending += 1
            self._pump()

    def _pump(self) -> None:
        progressed = True
        while progressed and self._running < self._workers:
            progressed = False
            for region, queue in list(self._queues.items()):
                if self._running >= self._workers:
                    break
                if queue and self._inflight[region] < self._per_region:
                    fn, args = queue.popleft()
                    self._inflight[region] += 1
                    self._running += 1
                    self._pool.submit(self._run, region, fn, args)
                    progressed = True
            # rotate so the next pump starts with another region (fairness)
            if self._queues:
                first = next(iter(self._queues))
                self._queues[first] = self._queues.pop(first)

    def _run(self, region: Hashable, fn: Callable[..., Any], args: tuple) -> None:
        try:
            fn(*args)
        except BaseException as exc:  # noqa: BLE001 - reported, never swallowed
            self._on_crash(region, exc)
        finally:
            with self._lock:
                self._inflight[region] -= 1
                self._running -= 1
                self._pending -= 1
                self._pump()
                if self._pending == 0:
                    self._idle.notify_all()

    def join(self) -> None:
        with self._lock:
            while self._pending:
                self._idle.wait()
        self._pool.shutdown(wait=True)

"""How fast to call OCI: adaptive per-(region, operation) pacing and a region-fair work scheduler.

OCI throttles with 429 per region and API. Retrying blindly (what the SDK's retry strategy does)
keeps hammering the limit; here each (region, operation) has its own rate that starts unlimited
and, from the first 429 on, stays just under the throughput the service actually allowed (see
:class:`AdaptivePacer`). So a
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
    last_decrease: float = float("-inf")
    first_seen: float | None = None
    successes: collections.deque = field(default_factory=collections.deque)


class AdaptivePacer:
    """Per-key request pacing: unlimited until throttled, then held at the measured throughput.

    On a 429 (counted once per ``cooldown``) the rate becomes ``backoff`` x the successes per
    second of the last ``window`` seconds: when a stream is saturated that *is* the service's
    limit, so the rate lands just under it instead of being halved (plain AIMD wastes a quarter
    of the limit in its saw-tooth). Each success then adds ``max(increase / rate, growth)``
    requests/s (+1 req/s per second when slow, +5 % per second when fast), probing upwards
    until the next 429.
    """

    def __init__(self, *, increase: float = 1.0, growth: float = 0.05, backoff: float = 0.95,
                 min_rate: float = 0.5, first_rate: float = 2.0, window: float = 2.0, cooldown: float = 1.0,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep) -> None:
        self._streams: dict[Hashable, _Stream] = collections.defaultdict(_Stream)
        self._lock = threading.Lock()
        self.increase, self.growth, self.backoff = increase, growth, backoff
        self.min_rate, self.first_rate, self.window, self.cooldown = min_rate, first_rate, window, cooldown
        self._clock, self._sleep = clock, sleep

    def _touch(self, key: Hashable) -> tuple[_Stream, float]:
        """Return ``key``'s stream and the time now, noting when the stream was first used (lock held)."""
        stream = self._streams[key]
        now = self._clock()
        if stream.first_seen is None:
            stream.first_seen = now
        return stream, now

    def wait(self, key: Hashable) -> None:
        """Block until ``key`` may send its next request."""
        with self._lock:
            stream, now = self._touch(key)
            if stream.rate is None:
                return
            slot = max(now, stream.next_slot)
            stream.next_slot = slot + 1.0 / stream.rate
        if slot > now:
            self._sleep(slot - now)

    def try_acquire(self, key: Hashable) -> float:
        """Take ``key``'s next slot if it is due (return 0.0), else return the seconds until it is."""
        with self._lock:
            stream, now = self._touch(key)
            if stream.rate is None:
                return 0.0
            if stream.next_slot > now:
                return stream.next_slot - now
            stream.next_slot = now + 1.0 / stream.rate
            return 0.0

    def succeeded(self, key: Hashable) -> None:
        with self._lock:
            stream = self._streams[key]
            now = self._clock()
            stream.successes.append(now)
            while stream.successes and stream.successes[0] < now - self.window:
                stream.successes.popleft()
            if stream.rate is not None:
                stream.rate += max(self.increase / stream.rate, self.growth)

    def throttled(self, key: Hashable) -> None:
        """Record a 429 for ``key``: fall back to just under the measured throughput."""
        with self._lock:
            stream = self._streams[key]
            now = self._clock()
            if now - stream.last_decrease >= self.cooldown:
                first = stream.first_seen if stream.first_seen is not None else now
                span = max(0.5, min(self.window, now - first))
                measured = sum(1 for t in stream.successes if t >= now - span) / span
                floor = self.first_rate if stream.rate is None else self.min_rate
                stream.rate = max(floor, measured * self.backoff)
                stream.last_decrease = now
            elif stream.rate is None:
                stream.rate = self.first_rate
            stream.next_slot = max(stream.next_slot, now + 1.0 / stream.rate)

    def rate(self, key: Hashable) -> float | None:
        """Current rate of ``key`` in requests/s (None while unthrottled)."""
        with self._lock:
            return self._streams[key].rate if key in self._streams else None


class RegionScheduler:
    """A bounded thread pool fed round-robin from per-(region, stream) queues, ``per_region`` tasks
    of a region in flight at once.

    One queue per stream (operation), and a task leaves its queue only when the pacer has a slot
    for its (region, stream): a throttled stream waits in its queue, not in a thread, so it can
    never hold the region's slots while the region's other streams have work.

    Tasks may submit further tasks. :meth:`join` returns when every task has finished (it can be
    called again after more tasks are submitted; :meth:`close` ends the pool); an exception escaping
    a task is handed to ``on_crash`` (the collector turns it into an error row) so one bad record
    never stops the run. :meth:`stop` drops every queued task (and refuses new ones) and returns
    them, so the caller can say what was not done.
    """

    def __init__(self, workers: int, per_region: int,
                 on_crash: Callable[[Hashable, BaseException], None], pacer: AdaptivePacer | None = None) -> None:
        self._pacer = pacer
        self._timer: threading.Timer | None = None
        self.prepaid = threading.local()  # the slot a dispatched task was given, for its first request
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="reportkit-collect")
        self._workers, self._per_region = workers, per_region
        self._queues: dict[Hashable, collections.deque] = {}
        self._inflight: collections.Counter = collections.Counter()
        self._running = 0
        self._pending = 0
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._on_crash = on_crash
        self.stopped = False

    def submit(self, region: Hashable, fn: Callable[..., Any], *args: Any, stream: Hashable = None) -> bool:
        """Queue ``fn(*args)``; False (not queued) once the scheduler has stopped."""
        with self._lock:
            if self.stopped:
                return False
            self._queues.setdefault((region, stream), collections.deque()).append((fn, args))
            self._pending += 1
            self._pump()
            return True

    def stop(self) -> list[tuple[Hashable, tuple]]:
        """Drop every queued task and refuse new ones; return the dropped ``(region, args)`` (running tasks
        finish on their own: the caller makes them quick)."""
        with self._lock:
            self.stopped = True
            dropped = [(region, args) for (region, _), queue in self._queues.items() for _, args in queue]
            self._pending -= len(dropped)
            self._queues.clear()
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            if self._pending == 0:
                self._idle.notify_all()
            return dropped

    def _pump(self) -> None:
        progressed = True
        soonest: float | None = None
        while progressed and self._running < self._workers:
            progressed = False
            for (region, stream), queue in list(self._queues.items()):
                if self._running >= self._workers:
                    break
                if queue and self._inflight[region] < self._per_region:
                    key = (region, stream)
                    delay = self._pacer.try_acquire(key) if self._pacer is not None and stream is not None else 0.0
                    if delay > 0:
                        soonest = delay if soonest is None else min(soonest, delay)
                        continue
                    fn, args = queue.popleft()
                    self._inflight[region] += 1
                    self._running += 1
                    self._pool.submit(self._run, region, fn, args, key if stream is not None else None)
                    progressed = True
            # rotate so the next pump starts with another stream (fairness)
            if len(self._queues) > 1:
                first = next(iter(self._queues))
                self._queues[first] = self._queues.pop(first)
        if soonest is not None and self._timer is None:
            # a paced stream has work: look again when its next slot is due
            self._timer = threading.Timer(soonest, self._timer_fired)
            self._timer.daemon = True
            self._timer.start()

    def _timer_fired(self) -> None:
        with self._lock:
            self._timer = None
            if not self.stopped:
                self._pump()

    def _run(self, region: Hashable, fn: Callable[..., Any], args: tuple, prepaid: Hashable) -> None:
        self.prepaid.key = prepaid
        try:
            fn(*args)
        except BaseException as exc:  # noqa: BLE001 - reported, never swallowed
            self._on_crash(region, exc)
        finally:
            self.prepaid.key = None
            with self._lock:
                self._inflight[region] -= 1
                self._running -= 1
                self._pending -= 1
                if not self.stopped:
                    self._pump()
                if self._pending == 0:
                    self._idle.notify_all()

    def join(self, timeout: float | None = None) -> bool:
        """Wait until no task is queued or running (at most ``timeout`` seconds); True if so."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._lock:
            while self._pending:
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    return False
                # in slices: a Ctrl-C the kernel hands to a worker thread still reaches the waiting thread
                self._idle.wait(0.2 if left is None else min(left, 0.2))
            return True

    def close(self) -> None:
        """End the worker threads (after :meth:`join`, or after :meth:`stop` once running tasks end)."""
        self._pool.shutdown(wait=False, cancel_futures=True)

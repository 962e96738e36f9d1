"""What every service model of the fake shares: wire records, the simulated clock, time and OCID helpers."""
from __future__ import annotations

import hashlib
import itertools
import time
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from reportkit.sim.documents import format_time, parse_time
from reportkit.sim.exceptions import InvalidParameter

WireDict = dict[str, Any]
__all__ = ["RETRY_TOKEN_TTL", "Clock", "Record", "TimedRecord", "WireDict", "filtered", "format_time", "new_ocid",
           "parse_time", "region_key_for", "sort_records"]

#: how long an opc-retry-token is remembered (OCI: 24 hours)
RETRY_TOKEN_TTL = timedelta(hours=24)


# --------------------------------------------------------------------------------------------- time
class Clock:
    """The simulated clock: starts at the document's ``asOf``, moves when told to, and at ``rate``x real time.

    ``rate`` 0 (the default) freezes it between :meth:`advance` calls; 1 runs it at real time, 3600
    an hour per real second. Real time comes from ``time_source`` (seconds, monotonic), so tests
    inject a counter and never sleep.
    """

    def __init__(self, start: datetime, *, rate: float = 0.0,
                 time_source: Callable[[], float] = time.monotonic) -> None:
        if rate < 0:
            raise InvalidParameter(f"clock rate must be >= 0, got {rate}")
        self._time_source = time_source
        self._anchor = start
        self._real_anchor = time_source()
        self._rate = float(rate)

    @property
    def now(self) -> datetime:
        """The simulated time now."""
        if not self._rate:
            return self._anchor
        return self._anchor + timedelta(seconds=self._rate * (self._time_source() - self._real_anchor))

    @property
    def rate(self) -> float:
        return self._rate

    def set_rate(self, rate: float) -> None:
        """Run the clock at ``rate``x real time from now on (0 freezes it)."""
        if rate < 0:
            raise InvalidParameter(f"clock rate must be >= 0, got {rate}")
        self._anchor, self._real_anchor = self.now, self._time_source()
        self._rate = float(rate)

    def advance(self, seconds: float) -> datetime:
        """Move the clock forward by ``seconds`` (>= 0); return the new time."""
        if seconds < 0:
            raise InvalidParameter(f"clock can only move forward; got seconds={seconds}")
        self._anchor = self._anchor + timedelta(seconds=seconds)
        return self.now


# -------------------------------------------------------------------------------------- resources
class Record:
    """One resource held as its wire dict. ``to_dict`` returns what is served."""

    def __init__(self, data: WireDict) -> None:
        # one level of copying per nested container: the document stays the caller's
        self.data: WireDict = {k: _copied(v) for k, v in data.items()}

    @property
    def id(self) -> str:
        return str(self.data.get("id", ""))

    @property
    def compartment_id(self) -> str | None:
        return self.data.get("compartmentId") or None

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)

    def to_dict(self, now: datetime | None = None) -> WireDict:
        """Return the wire dict without private (``_``-prefixed) keys or ``None`` values.

        Shallow: callers serialise it at once and never mutate it (deep copies cost ~10x on big lists).
        """
        return {k: v for k, v in self.data.items() if not k.startswith("_") and v is not None}


def _copied(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copied(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copied(v) for v in value]
    return value


class TimedRecord(Record):
    """A resource made through the fake, whose lifecycle moves on the simulated clock.

    ``stages`` is ``[(from_time, state), ...]`` in time order: the state is that of the last stage
    that has started (the first stage's state before it starts). Records loaded from a document
    have no stages and keep their stored ``lifecycleState``.
    """

    def __init__(self, data: WireDict, stages: list[tuple[datetime, str]] | None = None) -> None:
        super().__init__(data)
        self.stages = stages or []

    def lifecycle_state(self, now: datetime) -> str:
        """Return the state at simulated time ``now``."""
        if not self.stages:
            return str(self.data.get("lifecycleState", ""))
        state = self.stages[0][1]
        for start, name in self.stages:
            if now >= start:
                state = name
        return state

    def to_dict(self, now: datetime | None = None) -> WireDict:
        out = super().to_dict()
        if now is not None:
            out["lifecycleState"] = self.lifecycle_state(now)
        return out


# ------------------------------------------------------------------------------------ list helpers
def sort_records(records: list[WireDict], sort_by: str | None, sort_order: str | None,
                 *, name_key: str = "displayName") -> list[WireDict]:
    """Sort like OCI: TIMECREATED defaults to descending, DISPLAYNAME/NAME to ascending."""
    if sort_by is None:
        sort_by = "TIMECREATED"
    sort_by = sort_by.upper()
    if sort_by == "TIMECREATED":
        key = lambda r: (r.get("timeCreated") or "", r.get("id") or "")  # noqa: E731
        default_desc = True
    elif sort_by in ("DISPLAYNAME", "NAME"):
        key = lambda r: (r.get(name_key) or "", r.get("id") or "")  # noqa: E731
        default_desc = False
    else:
        raise InvalidParameter(f"sortBy must be TIMECREATED or {'NAME' if name_key == 'name' else 'DISPLAYNAME'}, got {sort_by!r}")
    if sort_order is None:
        descending = default_desc
    elif sort_order.upper() in ("ASC", "DESC"):
        descending = sort_order.upper() == "DESC"
    else:
        raise InvalidParameter(f"sortOrder must be ASC or DESC, got {sort_order!r}")
    return sorted(records, key=key, reverse=descending)


def filtered(items: Iterable[WireDict], **wanted: str | None) -> list[WireDict]:
    """The items whose wire values equal every wanted one (a list call's filters; None or '' = no filter)."""
    active = [(key, value) for key, value in wanted.items() if value]
    if not active:
        return list(items)
    return [item for item in items if all(item.get(key) == value for key, value in active)]


def region_key_for(name: str) -> str:
    """Return the upper-case region key (LHR) of a region name, or the name itself if unknown."""
    from reportkit.regions import region_key  # lazy: only a few admin calls need the SDK's table

    return (region_key(name) or name).upper()


_OCID_COUNTER = itertools.count(1)


def new_ocid(kind: str, region: str | None) -> str:
    """Return a fresh, realistic-looking OCID (region segment empty for global resources)."""
    seed = f"{kind}:{region}:{next(_OCID_COUNTER)}:{time.monotonic_ns()}"
    unique = "aaaa" + hashlib.sha256(seed.encode()).hexdigest()[:56]
    return f"ocid1.{kind}.oc1.{region or ''}.{unique}"

"""Fault injection of the fake: the knobs, per-(region, operation) token buckets, injected errors, broken pages."""
from __future__ import annotations

import copy
import dataclasses
import random
import time
from collections.abc import Callable
from typing import Any

from reportkit.sim.exceptions import InvalidParameter


@dataclasses.dataclass
class Knobs:
    """Fault injection and timing settings; every fault is off by default.

    - ``latency_ms``: real delay added to every API request (in the handler thread).
    - ``rate_limit_rps`` / ``rate_limit_burst`` / ``rate_limit_operations``: token bucket per
      (region, operation); beyond it the request gets 429 TooManyRequests. Burst defaults to
      ``max(1, rate_limit_rps)``; operations ``None`` means every operation.
    - ``error_rate`` / ``error_seed`` / ``error_operations``: probability of a 500
      InternalServerError (seeded RNG, so a run is repeatable).
    - ``region_down``: ``{region: "503" | "drop"}`` (a list means 503 for each region).
    - ``denied_compartments``: compartments the auditing user may not read (adds to the document's).
    - ``malformed_page``: list of ``{"operation", "page" (1-based), "region" (optional)}``: that
      page of that list operation is answered with truncated JSON.
    - ``copy_request_received_seconds`` / ``copy_seconds_per_gb``: simulated durations of a copy's
      REQUEST_RECEIVED and CREATING states (CREATING lasts ``sizeInGBs * copy_seconds_per_gb``).
    - ``copy_committed_seconds``: how long a volume group backup copy stays COMMITTED before AVAILABLE.

    Hostile answers (each a list of entries matching ``{"operation", "region" (optional)}``):

    - ``wrong_shape``: a 200 answer's body replaced, ``"shape"``: ``object`` (``{"items": <body>}``),
      ``list`` (``[<body>]``), ``text`` or ``null``.
    - ``page_loop``: ``"mode"``: ``repeat`` (the next-page token never changes), ``cycle`` (two tokens
      take turns) or ``empty`` (endless empty pages, each with a new token).
    - ``record_faults``: ``"field"`` of the records of an answer set to ``"value"`` (null too), or
      removed (``"drop": true``); only records whose id is in ``"ids"``, or every ``"every"``-th record
      (default every one), counted over the whole run.
    - ``stall``: ``"seconds"`` of real silence before the answer starts (after the log entry).
    - ``trickle``: the body sent one byte every ``"interval"`` real seconds.
    """

    latency_ms: float = 0.0
    rate_limit_rps: float | None = None
    rate_limit_burst: float | None = None
    rate_limit_operations: list[str] | None = None
    error_rate: float = 0.0
    error_seed: int = 0
    error_operations: list[str] | None = None
    region_down: dict[str, str] = dataclasses.field(default_factory=dict)
    denied_compartments: list[str] = dataclasses.field(default_factory=list)
    malformed_page: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    copy_request_received_seconds: float = 60.0
    copy_seconds_per_gb: float = 2.0
    copy_committed_seconds: float = 60.0
    wrong_shape: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    page_loop: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    record_faults: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    stall: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    trickle: list[dict[str, Any]] = dataclasses.field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def updated(self, changes: dict[str, Any]) -> Knobs:
        """Return a copy with ``changes`` applied; unknown names or bad values -> InvalidParameter."""
        names = {f.name for f in dataclasses.fields(self)}
        unknown = sorted(set(changes) - names)
        if unknown:
            raise InvalidParameter(f"unknown knob(s) {unknown}; known knobs: {sorted(names)}")
        values = self.to_dict()
        values.update(copy.deepcopy(changes))
        if isinstance(values["region_down"], (list, tuple)):
            values["region_down"] = {r: "503" for r in values["region_down"]}
        if values["region_down"] is None:
            values["region_down"] = {}
        for region, mode in values["region_down"].items():
            if mode not in ("503", "drop"):
                raise InvalidParameter(f"region_down[{region!r}] must be '503' or 'drop', got {mode!r}")
        if isinstance(values["malformed_page"], dict):
            values["malformed_page"] = [values["malformed_page"]]
        for entry in values["malformed_page"] or []:
            if "operation" not in entry:
                raise InvalidParameter("each malformed_page entry needs an 'operation' (and optional 'page', 'region')")
        values["malformed_page"] = list(values["malformed_page"] or [])
        for name, needs, choices in _HOSTILE:
            entries = values[name]
            entries = [entries] if isinstance(entries, dict) else list(entries or [])
            for entry in entries:
                if not isinstance(entry, dict) or "operation" not in entry or any(k not in entry for k in needs):
                    raise InvalidParameter(f"each {name} entry needs 'operation' and {list(needs)} "
                                           "(and an optional 'region')")
                if choices and entry[needs[0]] not in choices:
                    raise InvalidParameter(f"{name}[{needs[0]}] must be one of {list(choices)}, got {entry[needs[0]]!r}")
            values[name] = entries
        values["denied_compartments"] = list(values["denied_compartments"] or [])
        if not 0.0 <= float(values["error_rate"]) <= 1.0:
            raise InvalidParameter(f"error_rate must be between 0 and 1, got {values['error_rate']}")
        if values["rate_limit_rps"] is not None and float(values["rate_limit_rps"]) <= 0:
            raise InvalidParameter("rate_limit_rps must be > 0 (or null to switch throttling off)")
        if float(values["latency_ms"]) < 0:
            raise InvalidParameter("latency_ms must be >= 0")
        for name in ("copy_request_received_seconds", "copy_seconds_per_gb", "copy_committed_seconds"):
            if float(values[name]) < 0:
                raise InvalidParameter(f"{name} must be >= 0")
        return Knobs(**values)


#: hostile-answer knobs: (name, keys each entry needs, allowed values of the first key)
_HOSTILE = (("wrong_shape", ("shape",), ("object", "list", "text", "null")),
            ("page_loop", ("mode",), ("repeat", "cycle", "empty")),
            ("record_faults", ("field",), ()), ("stall", ("seconds",), ()), ("trickle", ("interval",), ()))
_LOOP = "loop-"


def _entry(entries: list[dict[str, Any]], region: str | None, operation: str) -> dict[str, Any] | None:
    return next((e for e in entries if e.get("operation") == operation and e.get("region") in (None, region)), None)


class Faults:
    """The knobs in force plus the state they need: token buckets (real time) and the seeded RNG.

    Not thread-safe on its own: the backend calls it under its lock.
    """

    def __init__(self, knobs: Knobs | None = None, *, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.knobs = knobs or Knobs()
        self._monotonic = monotonic
        self.reset_state()

    def reset_state(self) -> None:
        """Refill every bucket and reseed the error RNG (after the knobs change)."""
        # token buckets per (region, operation): (tokens, last refill in real monotonic seconds)
        self.buckets: dict[tuple[str, str], tuple[float, float]] = {}
        self.rng = random.Random(self.knobs.error_seed)
        self.record_counts: dict[int, int] = {}  # record_faults entry -> matching records seen

    def set(self, changes: dict[str, Any]) -> Knobs:
        """Apply knob changes (see :class:`Knobs`), reset the fault state; return the knobs in force."""
        self.knobs = self.knobs.updated(changes)
        self.reset_state()
        return self.knobs

    def take_token(self, region: str, operation: str) -> bool:
        """Token bucket per (region, operation) in real time; False means answer 429."""
        rps = self.knobs.rate_limit_rps
        ops = self.knobs.rate_limit_operations
        if rps is None or (ops is not None and operation not in ops):
            return True
        burst = float(self.knobs.rate_limit_burst or max(1.0, rps))
        now = self._monotonic()
        tokens, last = self.buckets.get((region, operation), (burst, now))
        tokens = min(burst, tokens + (now - last) * rps)
        if tokens < 1.0:
            self.buckets[(region, operation)] = (tokens, now)
            return False
        self.buckets[(region, operation)] = (tokens - 1.0, now)
        return True

    def inject_error(self, operation: str) -> bool:
        """True when this request should fail with a 500 (``error_rate``, seeded RNG)."""
        ops = self.knobs.error_operations
        if self.knobs.error_rate <= 0 or (ops is not None and operation not in ops):
            return False
        return self.rng.random() < self.knobs.error_rate

    def malformed(self, region: str | None, operation: str, page_number: int) -> bool:
        """True when this page of this list operation must be answered with broken JSON."""
        for entry in self.knobs.malformed_page:
            if entry.get("operation") != operation:
                continue
            if entry.get("region") not in (None, region):
                continue
            if int(entry.get("page", 1)) == page_number:
                return True
        return False

    # ------------------------------------------------------------------------------ hostile answers
    def loop_page(self, region: str | None, operation: str, query: dict[str, list[str]]) -> int | None:
        """For a ``page_loop`` operation: take our own loop token out of ``query`` (so the handler serves
        the first page) and return its number (0 for the first request); None when no loop applies."""
        if _entry(self.knobs.page_loop, region, operation) is None:
            return None
        token = (query.get("page") or [""])[0]
        if not token.startswith(_LOOP):
            return 0
        query.pop("page", None)
        try:
            return int(token[len(_LOOP):]) + 1
        except ValueError:
            return 1

    def distort(self, region: str | None, operation: str, body: Any, headers: dict[str, str],
                loop: int | None) -> Any:
        """Apply ``record_faults``, ``page_loop`` and ``wrong_shape`` to a 200 answer; return the body to send."""
        if isinstance(body, bytes):
            return body
        faults = [(i, e) for i, e in enumerate(self.knobs.record_faults)
                  if e.get("operation") == operation and e.get("region") in (None, region)]
        if faults:
            body = self._records(body, faults)
        entry = _entry(self.knobs.page_loop, region, operation)
        if entry is not None and loop is not None:
            mode = entry["mode"]
            if mode == "repeat":
                headers["opc-next-page"] = f"{_LOOP}0"
            elif mode == "cycle":
                headers["opc-next-page"] = f"{_LOOP}{loop % 2}"
            else:
                headers["opc-next-page"] = f"{_LOOP}{loop}"
                if loop > 0:
                    body = {"items": []} if isinstance(body, dict) and "items" in body else []
        shape = _entry(self.knobs.wrong_shape, region, operation)
        if shape is not None:
            body = {"object": lambda b: {"items": b}, "list": lambda b: [b], "text": lambda b: "not what you asked for",
                    "null": lambda b: None}[shape["shape"]](body)
        return body

    def _records(self, body: Any, faults: list[tuple[int, dict[str, Any]]]) -> Any:
        wrapped = isinstance(body, dict) and isinstance(body.get("items"), list)
        items = body["items"] if wrapped else body if isinstance(body, list) else [body]
        out = []
        for item in items:
            if isinstance(item, dict):
                ident = item.get("id")  # matched as served, before any fault changed it
                for index, entry in faults:
                    if entry.get("ids") is not None and ident not in entry["ids"]:
                        continue
                    seen = self.record_counts[index] = self.record_counts.get(index, 0) + 1
                    if seen % max(1, int(entry.get("every") or 1)):
                        continue
                    item = dict(item)
                    if entry.get("drop"):
                        item.pop(entry["field"], None)
                    else:
                        item[entry["field"]] = copy.deepcopy(entry.get("value"))
            out.append(item)
        if wrapped:
            return dict(body, items=out)
        return out if isinstance(body, list) else out[0]

    def stall_seconds(self, region: str | None, operation: str) -> float:
        entry = _entry(self.knobs.stall, region, operation)
        return float(entry["seconds"]) if entry else 0.0

    def trickle_interval(self, region: str | None, operation: str) -> float | None:
        entry = _entry(self.knobs.trickle, region, operation)
        return float(entry["interval"]) if entry else None

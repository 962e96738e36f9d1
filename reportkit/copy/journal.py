"""The copy journal: append-only JSON lines, each fsynced, folded back into the state of every entry.

A crash or SIGKILL leaves a usable journal; re-running the same plan with the same journal resumes
(:func:`fold_journal` says which entries are finished, in flight, or to request again).
"""
from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from reportkit.errors import PlanError
from reportkit.schema import CopyOutcome

JOURNAL_VERSION = 1
# An HTTP status OCI answers with that will not change by asking again with the same plan.
FINAL_REFUSALS = (400,)


class Journal:
    """An append-only JSONL file; every line is flushed and fsync'ed before ``append`` returns."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self.path.parent.mkdir(parents=True, exist_ok=True)

    def append(self, event: str, **fields: Any) -> dict[str, Any]:
        record = {"event": event, "time": pd.Timestamp.now(tz="UTC").isoformat(), **fields}
        line = json.dumps(record, sort_keys=False, default=str) + "\n"
        with self._lock, self.path.open("a", encoding="utf-8") as fh:
            fh.write(line)
            fh.flush()
            os.fsync(fh.fileno())
        return record


def read_journal(path: str | Path) -> list[dict[str, Any]]:
    """Return the journal's events in order ([] when the file does not exist).

    A last line cut short (the process was killed while writing it) is ignored; a malformed line
    elsewhere raises :class:`PlanError`, because then the journal cannot be trusted to resume.
    """
    path = Path(path)
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").split("\n")
    events = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            if number == len(lines):  # the final fragment has no newline: a torn write
                break
            raise PlanError(f"journal {path} line {number} is not JSON; it cannot be used to resume. "
                            "Move it aside and re-run: retry tokens prevent duplicate copies") from None
        if not isinstance(record, dict) or "event" not in record:
            raise PlanError(f"journal {path} line {number} is not a journal event; move the file aside and re-run")
        events.append(record)
    return events


@dataclass
class EntryState:
    """What the journal says about one (entry, retry token) attempt."""

    requested: bool = False
    copy_id: str | None = None
    state: str | None = None
    final: bool = False
    outcome: CopyOutcome | None = None
    http_status: int | None = None
    code: str | None = None
    message: str | None = None
    opc_request_id: str | None = None


def fold_journal(events: list[dict[str, Any]]) -> dict[tuple[str, str], EntryState]:
    """Return the latest known state per (entry_id, retry_token) from journal events."""
    states: dict[tuple[str, str], EntryState] = {}
    for ev in events:
        entry_id, token = ev.get("entry_id"), ev.get("retry_token")
        if not entry_id or not token:
            continue
        st = states.setdefault((entry_id, token), EntryState())
        kind = ev["event"]
        if kind == "requested":
            st.requested = True
        elif kind == "accepted":
            st.copy_id, st.state = ev.get("copy_id"), ev.get("state")
            st.opc_request_id = ev.get("opc_request_id")
            st.final, st.outcome, st.http_status, st.code, st.message = False, None, None, None, None
        elif kind == "finished":
            st.copy_id, st.state, st.final = ev.get("copy_id") or st.copy_id, ev.get("state"), True
            st.outcome = CopyOutcome.COPIED if ev.get("state") == "AVAILABLE" else CopyOutcome.FAULTY
        elif kind == "refused":
            st.http_status, st.code, st.message = ev.get("http_status"), ev.get("code"), ev.get("message")
            st.opc_request_id = ev.get("opc_request_id")
            st.outcome = CopyOutcome.REFUSED
            st.final = st.http_status in FINAL_REFUSALS
        elif kind in ("error", "wait_abandoned"):
            st.message, st.outcome = ev.get("message"), CopyOutcome.ERROR
    return states

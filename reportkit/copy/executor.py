"""Execute a copy plan: the ONLY module of reportkit that calls a mutating OCI API.

``execute_plan(plan)`` is a dry run: it prints what it would do and sends nothing (no OCI client
is even created). With ``execute=True`` it, for each planned entry:

1. appends ``requested`` to the journal, then calls CopyBootVolumeBackup (CopyVolumeGroupBackup for
   a volume group backup entry) through a client of the entry's SOURCE region with
   ``opc-retry-token`` = the entry's ``retry_token`` (deterministic, so a retried or re-run request
   gets the same copy back instead of a second one);
2. appends ``accepted`` (opc-request-id, new copy id) or ``refused`` (HTTP status, OCI code and
   message: 409 copy in flight, 400 ineligible, 404, 429, ...) and goes on with the rest;
3. waits for the copy through a client of the DESTINATION region (the copy lives there; polling
   it through the source region's client gives 404, which is why the SDK's composite waiter is
   not used) until AVAILABLE / FAULTY / TERMINATED, and appends ``finished``.

Waves: entries of one boot volume (volume group) from one source region run one after the other
(OCI allows one copy per boot volume, and per volume group, at a time from a source region);
different ones run in parallel up to ``concurrency``. The journal is append-only JSON lines,
each fsync'ed, so a crash or SIGKILL leaves a usable journal. Re-running the same plan with the
same journal resumes: finished entries are skipped, in-flight ones are waited for,
requested-but-unanswered ones are requested again with the same retry token. Ctrl-C stops
cleanly (requests already sent are recorded).
"""
from __future__ import annotations

import dataclasses
import os
import sys
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait as wait_futures
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pandas as pd

from reportkit._io import json_records
from reportkit.copy.clients import client_factory_from
from reportkit.copy.journal import FINAL_REFUSALS, JOURNAL_VERSION, EntryState, Journal, fold_journal, read_journal
from reportkit.errors import PlanError
from reportkit.plan import CopyPlan
from reportkit.plan.model import chain_key
from reportkit.schema import COPY_RESULTS, CopyOutcome, PlanKind, PlanStatus

FINAL_STATES = ("AVAILABLE", "FAULTY", "TERMINATED")
DEFAULT_POLL_INTERVAL = 30.0     # seconds between polls of a copy's state
DEFAULT_TIMEOUT = 6 * 3600.0     # give up waiting on one copy after this long (re-run waits again)
MAX_POLL_ERRORS = 5              # consecutive failed polls before the wait is abandoned



@dataclass(frozen=True)
class ExecutionResult:
    """What a run did: ``entries`` (schema.COPY_RESULTS, one row per plan entry) and counts."""

    dry_run: bool
    entries: pd.DataFrame
    journal_path: Path | None
    interrupted: bool = False
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when every planned entry has an AVAILABLE copy (or, for a dry run, would be made)."""
        outcomes = set(self.entries.loc[self.entries["outcome"] != CopyOutcome.BLOCKED, "outcome"].astype(str))
        wanted = {CopyOutcome.WOULD_COPY.value} if self.dry_run else {CopyOutcome.COPIED.value}
        return not self.interrupted and outcomes <= wanted


# --------------------------------------------------------------------------------------------
# The executor
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ExecutorOptions:
    """How to execute a plan: pacing, where the clients connect, and the hooks tests drive.

    - ``concurrency``: volumes copied at once (one volume's waves always run one after the other);
    - ``poll_interval`` / ``timeout``: seconds between polls of a copy, and before giving up
      waiting on one (a re-run waits again);
    - credentials: ``auth`` (an AuthContext or an auth mode), ``profile``/``config_file``, or
      ``config`` + ``signer``; ``endpoint_template`` (``http://host:port/{region}``) points the
      clients elsewhere (the fake); ``client_factory(region)`` replaces all of these;
    - ``wait(seconds)`` replaces sleeping between polls (default: an interruptible wait) and
      ``before_poll(entry)`` runs before each poll: tests use them to drive a simulated clock;
    - ``progress``: a progress bar on stderr; ``out``: where the run is narrated (default stdout).
    """

    concurrency: int = 4
    poll_interval: float = DEFAULT_POLL_INTERVAL
    timeout: float = DEFAULT_TIMEOUT
    auth: Any = None
    profile: str | None = None
    config_file: str | os.PathLike | None = None
    config: Mapping[str, Any] | None = None
    signer: Any = None
    endpoint_template: str | None = None
    client_factory: Callable[[str], Any] | None = None
    wait: Callable[[float], None] | None = None
    before_poll: Callable[[dict[str, Any]], None] | None = None
    progress: bool = True
    out: IO[str] | None = None

    def clients(self) -> Callable[[str], Any]:
        """Return the client factory these options describe."""
        return self.client_factory or client_factory_from(
            auth=self.auth, profile=self.profile, config_file=self.config_file, config=self.config,
            signer=self.signer, endpoint_template=self.endpoint_template)


def execute_plan(plan: CopyPlan, options: ExecutorOptions | None = None, *, execute: bool = False,
                 journal_path: str | Path | None = None, **changes: Any) -> ExecutionResult:
    """Run ``plan`` (dry run unless ``execute``); return the :class:`ExecutionResult`.

    ``journal_path`` is required to execute (it is what makes a run resumable); a dry run reads it
    when given, to show what a re-run would skip. ``options`` (:class:`ExecutorOptions`) says how;
    any of its fields can also be given by keyword (``execute_plan(plan, execute=True,
    journal_path=..., profile="DEFAULT", concurrency=8)``).
    """
    o = dataclasses.replace(options or ExecutorOptions(), **changes)
    out = o.out if o.out is not None else sys.stdout
    if o.concurrency < 1:
        raise PlanError(f"concurrency must be at least 1, got {o.concurrency}")
    if o.poll_interval < 0:
        raise PlanError(f"poll interval must be >= 0 seconds, got {o.poll_interval}")
    journal_events = read_journal(journal_path) if journal_path else []
    states = fold_journal(journal_events)
    if not execute:
        return _dry_run(plan, states, journal_path, out)
    if not journal_path:
        raise PlanError("executing a plan needs a journal file (--journal) so that it can be resumed safely")
    # The SDK imports its service packages lazily (oci.__getattr__); two worker threads touching
    # `oci.core` first at once can see a half-imported module. Import it here, before any thread.
    import oci.core  # noqa: F401
    runner = _Runner(plan, Journal(journal_path), states, o.clients(), poll_interval=o.poll_interval,
                     timeout=o.timeout, wait=o.wait, before_poll=o.before_poll, progress=o.progress, out=out)
    return runner.run(o.concurrency)


def _dry_run(plan: CopyPlan, states: Mapping[tuple[str, str], EntryState], journal_path: str | Path | None,
             out: IO[str]) -> ExecutionResult:
    rows = []
    print("DRY RUN: nothing will be copied and no request is sent to OCI. "
          "Re-run with --execute to make these copies.", file=out)
    s = plan.summary
    print(f"plan {plan.plan_id}: {s.copies} copies, {s.gb_to_transfer} GB, {s.waves} wave(s), {s.blocked} blocked",
          file=out)
    for entry in _ordered(plan.entries):
        st = states.get((entry["entry_id"], entry["retry_token"]))
        if entry["status"] == PlanStatus.BLOCKED:
            outcome = CopyOutcome.BLOCKED
            print(f"  BLOCKED  {entry['backup_id']} -> {entry['destination_region']}: {entry['block_reason']}", file=out)
        elif st is not None and st.final:
            outcome = st.outcome or CopyOutcome.COPIED
            print(f"  DONE     wave {entry['wave']}: {entry['backup_id']} -> {entry['destination_region']} "
                  f"({outcome.value}, {st.copy_id or st.code}); would be skipped", file=out)
        else:
            outcome = CopyOutcome.WOULD_COPY
            verb = "WAIT FOR" if st is not None and st.copy_id else "COPY    "
            print(f"  {verb} wave {entry['wave']}: {entry['cli_command']}", file=out)
        rows.append(_result_row(entry, outcome, st, resumed=st is not None))
    result = _result(True, rows, journal_path, interrupted=False)
    print(f"DRY RUN finished: {result.counts.get('would_copy', 0)} copies would be requested. "
          "Nothing was changed.", file=out)
    return result


class _Runner:
    """One execution: chains of waves run in a thread pool, every step journaled."""

    def __init__(self, plan: CopyPlan, journal: Journal, states: dict[tuple[str, str], EntryState],
                 factory: Callable[[str], Any], *, poll_interval: float, timeout: float,
                 wait: Callable[[float], None] | None, before_poll: Callable[[dict[str, Any]], None] | None,
                 progress: bool, out: IO[str]) -> None:
        self.plan, self.journal, self.states, self.factory = plan, journal, states, factory
        self.poll_interval, self.timeout = poll_interval, timeout
        self.stop = threading.Event()
        self.wait = wait or (lambda seconds: self.stop.wait(seconds))
        self.before_poll = before_poll
        self.out = out
        self.progress_enabled = progress
        self.results: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()
        self._bar: Any = None
        self._other_endings = 0

    # ---- orchestration ----------------------------------------------------------------------
    def run(self, concurrency: int) -> ExecutionResult:
        entries = _ordered(self.plan.entries)
        chains: dict[tuple[str, str], list[dict[str, Any]]] = {}
        todo = 0
        for entry in entries:
            st = self.states.get((entry["entry_id"], entry["retry_token"]))
            if entry["status"] == PlanStatus.BLOCKED:
                self.results[entry["entry_id"]] = _result_row(entry, CopyOutcome.BLOCKED, None)
            elif st is not None and st.final:
                self.results[entry["entry_id"]] = _result_row(entry, st.outcome or CopyOutcome.COPIED, st,
                                                               resumed=True)
            else:
                chains.setdefault(chain_key(entry), []).append(entry)
                todo += 1
        done_before = sum(1 for r in self.results.values() if r["outcome"] != CopyOutcome.BLOCKED)
        available_before = sum(1 for r in self.results.values() if r["outcome"] == CopyOutcome.COPIED)
        in_flight = sum(1 for chain in chains.values() for e in chain if self._in_flight(e))
        self.journal.append("run_started", plan_id=self.plan.plan_id, version=JOURNAL_VERSION,
                            to_do=todo, already_done=done_before)
        print(f"EXECUTING plan {self.plan.plan_id}: {todo} copies to make or wait for, {in_flight} of them "
              f"requested by an earlier run ({done_before} already finished, {available_before} AVAILABLE), "
              f"journal {self.journal.path}", file=self.out)
        from tqdm import tqdm

        # The bar counts copies that are AVAILABLE (restorable), those the journal already knows included;
        # other endings (refused, faulty, errors) are counted beside it.
        self._bar = tqdm(total=todo + done_before, initial=available_before, unit="copy", desc="copies AVAILABLE",
                         disable=not self.progress_enabled, file=sys.stderr)
        self._other_endings = done_before - available_before
        interrupted = False
        pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="reportkit-copy")
        try:
            pending: set[Future] = {pool.submit(self._run_chain, chain) for chain in chains.values()}
            while pending:
                try:
                    done, pending = wait_futures(pending, timeout=0.2, return_when=FIRST_COMPLETED)
                    for fut in done:
                        fut.result()  # a bug in a worker must not pass silently
                except KeyboardInterrupt:
                    interrupted = True
                    self._interrupt("Ctrl-C")
        finally:
            if interrupted or self.stop.is_set():
                interrupted = True
            pool.shutdown(wait=True, cancel_futures=True)
            self._bar.close()
        for entry in entries:  # chains never started (interrupted before their turn)
            self.results.setdefault(entry["entry_id"], _result_row(entry, CopyOutcome.NOT_STARTED, None))
        self.journal.append("run_finished", plan_id=self.plan.plan_id, interrupted=interrupted)
        result = _result(False, [self.results[e["entry_id"]] for e in entries], self.journal.path, interrupted)
        c = result.counts
        print(f"{'INTERRUPTED' if interrupted else 'FINISHED'}: {c.get('copied', 0)} copied, "
              f"{c.get('faulty', 0)} faulty, {c.get('refused', 0)} refused, {c.get('error', 0)} errors, "
              f"{c.get('waiting', 0)} still in progress, {c.get('not_started', 0)} not started. "
              + ("Re-run the same command to resume." if not result.ok else ""), file=self.out)
        return result

    def _interrupt(self, why: str) -> None:
        if not self.stop.is_set():
            self.stop.set()
            print(f"\nstopping ({why}): requests already sent are recorded; re-run to resume", file=self.out)
            self.journal.append("interrupted", reason=why)

    def _run_chain(self, chain: list[dict[str, Any]]) -> None:
        """Run one volume's waves in order: wave n+1 only after wave n's copy is no longer in flight."""
        for i, entry in enumerate(chain):
            if self.stop.is_set():
                break
            outcome = self._run_entry(entry)
            if outcome in (CopyOutcome.WAITING, CopyOutcome.ERROR) and self._in_flight(entry):
                # Its copy may still be running: starting the next wave would be refused (409).
                for later in chain[i + 1:]:
                    self._record(later, CopyOutcome.NOT_STARTED, None,
                                 message=f"waits for wave {entry['wave']} ({entry['entry_id']}) to finish")
                return

    def _in_flight(self, entry: dict[str, Any]) -> bool:
        st = self.states.get((entry["entry_id"], entry["retry_token"]))
        return st is not None and st.copy_id is not None and not st.final

    # ---- one entry ----------------------------------------------------------------------------
    def _run_entry(self, entry: dict[str, Any]) -> CopyOutcome:
        key = (entry["entry_id"], entry["retry_token"])
        st = self.states.setdefault(key, EntryState())
        resumed = st.requested
        if st.copy_id is None:
            outcome = self._request(entry, st)
            if outcome is not None:
                return outcome
        return self._wait_for(entry, st, resumed)

    def _request(self, entry: dict[str, Any], st: EntryState) -> CopyOutcome | None:
        """Send CopyBootVolumeBackup (CopyVolumeGroupBackup for a group entry); return an outcome when
        there is nothing to wait for."""
        import oci

        ids = {"entry_id": entry["entry_id"], "retry_token": entry["retry_token"]}
        group = _is_group(entry)
        details_class = (oci.core.models.CopyVolumeGroupBackupDetails if group
                         else oci.core.models.CopyBootVolumeBackupDetails)
        details = details_class(destination_region=entry["destination_region"],
                                display_name=entry["display_name"] or None, kms_key_id=entry["kms_key_id"] or None)
        self.journal.append("requested", **ids, backup_id=entry["backup_id"],
                            source_region=entry["source_region"], destination_region=entry["destination_region"],
                            kms_key_id=entry["kms_key_id"], display_name=entry["display_name"],
                            wave=entry["wave"])
        st.requested = True
        try:
            client = self.factory(entry["source_region"])
            copy = client.copy_volume_group_backup if group else client.copy_boot_volume_backup
            response = copy(entry["backup_id"], details, opc_retry_token=entry["retry_token"],
                            retry_strategy=oci.retry.NoneRetryStrategy())
        except oci.exceptions.ServiceError as exc:
            self.journal.append("refused", **ids, http_status=exc.status, code=exc.code, message=exc.message,
                                opc_request_id=exc.request_id)
            st.http_status, st.code, st.message, st.opc_request_id = exc.status, exc.code, exc.message, exc.request_id
            st.final = exc.status in FINAL_REFUSALS
            return self._record(entry, CopyOutcome.REFUSED, st)
        except Exception as exc:  # noqa: BLE001 - network errors of any kind are recorded, the run goes on
            message = f"{type(exc).__name__}: {exc}"
            self.journal.append("error", **ids, stage="request", message=message)
            st.message = message
            return self._record(entry, CopyOutcome.ERROR, st, message=message)
        copy = response.data
        st.copy_id, st.state, st.opc_request_id = copy.id, copy.lifecycle_state, response.request_id
        self.journal.append("accepted", **ids, copy_id=copy.id, state=copy.lifecycle_state,
                            opc_request_id=response.request_id,
                            opc_work_request_id=response.headers.get("opc-work-request-id"))
        return None

    def _wait_for(self, entry: dict[str, Any], st: EntryState, resumed: bool) -> CopyOutcome:
        """Poll the copy through the DESTINATION region's client until it reaches a final state."""
        ids = {"entry_id": entry["entry_id"], "retry_token": entry["retry_token"]}
        waited, errors = 0.0, 0
        while True:
            if self.stop.is_set():
                return self._record(entry, CopyOutcome.WAITING, st, resumed=resumed)
            if self.before_poll is not None:
                self.before_poll(entry)
            try:
                client = self.factory(entry["destination_region"])
                get = client.get_volume_group_backup if _is_group(entry) else client.get_boot_volume_backup
                backup = get(st.copy_id).data
                errors = 0
                st.state = backup.lifecycle_state
            except Exception as exc:  # noqa: BLE001 - a failed poll is retried, then recorded
                errors += 1
                status = getattr(exc, "status", None)
                if errors >= MAX_POLL_ERRORS:
                    message = f"could not read copy {st.copy_id} in {entry['destination_region']}: " \
                              f"{getattr(exc, 'code', type(exc).__name__)} {getattr(exc, 'message', exc)}"
                    self.journal.append("wait_abandoned", **ids, copy_id=st.copy_id, http_status=status,
                                        message=message)
                    return self._record(entry, CopyOutcome.ERROR, st, message=message, resumed=resumed)
            if st.state in FINAL_STATES:
                self.journal.append("finished", **ids, copy_id=st.copy_id, state=st.state)
                st.final = True
                outcome = CopyOutcome.COPIED if st.state == "AVAILABLE" else CopyOutcome.FAULTY
                return self._record(entry, outcome, st, resumed=resumed)
            if waited >= self.timeout:
                self.journal.append("wait_timeout", **ids, copy_id=st.copy_id, state=st.state, waited_seconds=waited)
                return self._record(entry, CopyOutcome.WAITING, st, resumed=resumed,
                                    message=f"still {st.state} after {waited:.0f} s; re-run to keep waiting")
            self.wait(self.poll_interval)
            waited += self.poll_interval

    def _record(self, entry: dict[str, Any], outcome: CopyOutcome, st: EntryState | None, *,
                message: str | None = None, resumed: bool = False) -> CopyOutcome:
        with self._lock:
            self.results[entry["entry_id"]] = _result_row(entry, outcome, st, message=message, resumed=resumed)
            if outcome == CopyOutcome.COPIED:
                self._bar.update(1)
            elif outcome != CopyOutcome.NOT_STARTED:
                self._other_endings += 1
                self._bar.set_postfix_str(f"not available: {self._other_endings} (last: {outcome.value})")
        return outcome


def _is_group(entry: Mapping[str, Any]) -> bool:
    """True for a volume group backup copy (plans written before entries had a kind copy boot backups)."""
    return entry.get("kind") == PlanKind.VOLUME_GROUP_BACKUP


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------
def _ordered(entries: pd.DataFrame) -> list[dict[str, Any]]:
    frame = entries.sort_values(["wave", "source_region", "boot_volume_id", "destination_region"],
                                kind="stable", na_position="last")
    return json_records(frame)


def _result_row(entry: Mapping[str, Any], outcome: CopyOutcome, st: EntryState | None, *,
                message: str | None = None, resumed: bool = False) -> dict[str, Any]:
    return {
        "entry_id": entry["entry_id"], "wave": entry["wave"], "source_region": entry["source_region"],
        "destination_region": entry["destination_region"], "backup_id": entry["backup_id"],
        "boot_volume_id": entry["boot_volume_id"], "outcome": outcome.value, "resumed": resumed,
        "copy_id": st.copy_id if st else None, "final_state": st.state if st else None,
        "http_status": st.http_status if st else None, "code": st.code if st else None,
        "message": message or (st.message if st else None) or (entry.get("block_reason") if outcome ==
                                                                 CopyOutcome.BLOCKED else None),
        "opc_request_id": st.opc_request_id if st else None,
    }


def _result(dry_run: bool, rows: list[dict[str, Any]], journal_path: str | Path | None,
            interrupted: bool) -> ExecutionResult:
    frame = COPY_RESULTS.coerce(pd.DataFrame(rows, columns=COPY_RESULTS.column_names))
    counts = {k: int(v) for k, v in frame["outcome"].value_counts().items() if v}
    return ExecutionResult(dry_run, frame, Path(journal_path) if journal_path else None, interrupted, counts)

"""Copy results: what the copy executor did with each plan entry."""
from __future__ import annotations

from enum import StrEnum

from reportkit.schema.table import BOOL, CATEGORY, INT, STRING, Column, Table, enum_values


class CopyOutcome(StrEnum):
    """What the copy executor did with one plan entry (reportkit.copy)."""

    COPIED = "copied"              # the copy reached AVAILABLE in the destination region
    FAULTY = "faulty"              # the copy ended FAULTY / TERMINATED
    REFUSED = "refused"            # OCI refused the request (409 in flight, 400 ineligible, 404, 429, ...)
    ERROR = "error"                # the request or the wait failed without an OCI answer (network)
    WAITING = "waiting"            # requested, not finished when the run stopped (re-run waits for it)
    NOT_STARTED = "not_started"    # interrupted, or its earlier wave is still running
    WOULD_COPY = "would_copy"      # dry run: would be requested
    BLOCKED = "blocked"            # blocked in the plan: never requested


COPY_RESULTS = Table("copy_results", "One row per plan entry: what the copy executor did with it.", (
    Column("entry_id", STRING, "Plan entry id"),
    Column("wave", INT, "Wave of the entry"),
    Column("source_region", STRING, "Region the copy request went to"),
    Column("destination_region", STRING, "Region the copy is made in"),
    Column("backup_id", STRING, "Source boot volume backup OCID"),
    Column("boot_volume_id", STRING, "Boot volume OCID"),
    Column("outcome", CATEGORY, "What happened", enum_values(CopyOutcome)),
    Column("resumed", BOOL, "True when the outcome comes from (or continued) an earlier run's journal"),
    Column("copy_id", STRING, "OCID of the new copy in the destination region"),
    Column("final_state", STRING, "Last lifecycle state seen of the copy"),
    Column("http_status", INT, "HTTP status of a refused request"),
    Column("code", STRING, "OCI error code of a refused request"),
    Column("message", STRING, "OCI's message (or the error text)"),
    Column("opc_request_id", STRING, "opc-request-id of the copy request (or the refusal)"),
))

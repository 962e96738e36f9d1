"""Execute a copy plan: the ONLY package of reportkit that calls a mutating OCI API.

:func:`execute_plan` (:mod:`~reportkit.copy.executor`) is a dry run unless ``execute=True``;
every step is recorded in an append-only journal (:mod:`~reportkit.copy.journal`) through which a
killed run resumes; :mod:`~reportkit.copy.clients` builds the OCI clients. See docs/copy.md.
"""
from __future__ import annotations

from reportkit.copy.clients import ClientFactory, client_factory_from
from reportkit.copy.executor import ExecutionResult, ExecutorOptions, execute_plan
from reportkit.copy.journal import EntryState, Journal, fold_journal, read_journal

__all__ = ["ClientFactory", "EntryState", "ExecutionResult", "ExecutorOptions", "Journal", "client_factory_from",
           "execute_plan", "fold_journal", "read_journal"]

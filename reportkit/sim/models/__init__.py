"""State of the fake OCI API and the services' rules, without HTTP (moto's ``models``).

A :class:`SimBackend` holds one tenancy and ties the service models together: identity
(:mod:`.identity`), block storage reads (:mod:`.blockstorage`), cross-region copies
(:mod:`.copies`), compute images and shapes (:mod:`.compute`), Vault vaults and keys (:mod:`.kms`),
Marketplace listings (:mod:`.marketplace`) and Resource Search (:mod:`.search`). Resources are kept in the OCI wire format (camelCase dicts,
as in the tenancy document) and served through ``to_dict``; keys starting with ``_`` are private
and never served. Operations return plain lists/dicts; rules raise
:mod:`reportkit.sim.exceptions` errors carrying the OCI status and code. Pagination and
serialisation are the HTTP layer's job.
"""
from __future__ import annotations

from reportkit.sim.models.backend import LogEntry, RegionBackend, SimBackend
from reportkit.sim.models.base import Clock, Record, TimedRecord, WireDict, format_time, new_ocid, parse_time

__all__ = ["Clock", "LogEntry", "Record", "RegionBackend", "SimBackend", "TimedRecord", "WireDict",
           "format_time", "new_ocid", "parse_time"]

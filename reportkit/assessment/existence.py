"""Existence at ``as_of`` (rule book §1): a record the assessment sees existed at that instant.

A record exists when it was created (and its request received) by ``as_of`` and had not expired
by then. Records that did not exist are dropped before every rule; they stay in the snapshot.
A null timestamp proves nothing either way, so it never drops a record (a backup without a
``time_created`` cannot be fresh anyway: its age is unprovable).

One reading the rule book leaves open: a copy still REQUEST_RECEIVED has no creation yet, and
its ``time_created`` may name when it will be created (the fake serves it so). Such a record exists
from its request: its request received by ``as_of`` is what the snapshot proves. It can only ever
be ``in_progress``, never fresh, and seeing it keeps the plan from requesting a second copy (409).
"""
from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from reportkit.assessment._lookup import is_in
from reportkit.inventory import Inventory
from reportkit.schema import INVENTORY_TABLES, LATER_TABLES

#: inventory tables whose records are born (and may expire) at a known time. Policies, their
#: assignments and group memberships are not in the list: they say what is *required*, and the
#: snapshot only knows today's; dropping a newer one would fall back to "any region", which can
#: only make a verdict look better.
TIMED_TABLES = ("backups", "boot_volumes", "volume_group_backups", "boot_volume_replicas", "volume_group_replicas")
_BORN = ("time_created", "time_request_received")


def exists_at(frame: pd.DataFrame, as_of: pd.Timestamp) -> np.ndarray:
    """Return a bool per row: created (and requested) by ``as_of`` and not expired at it (a request not
    yet started: requested by ``as_of``, module docstring)."""
    if not len(frame):
        return np.ones(0, dtype=bool)

    def after(column: str) -> np.ndarray:
        return (frame[column] > as_of).fillna(False).to_numpy(bool)

    born = np.ones(len(frame), dtype=bool)
    for column in _BORN:
        if column in frame.columns:
            born &= ~after(column)
    if "time_request_received" in frame.columns and "lifecycle_state" in frame.columns:
        requested = frame["time_request_received"].notna().to_numpy(bool) & ~after("time_request_received")
        born |= is_in(frame["lifecycle_state"], ["REQUEST_RECEIVED"]) & requested
    if "expiration_time" in frame.columns:
        born &= ~(frame["expiration_time"] <= as_of).fillna(False).to_numpy(bool)
    return born


def at_as_of(inventory: Inventory, as_of: pd.Timestamp) -> Inventory:
    """Return ``inventory`` with only the records of :data:`TIMED_TABLES` that existed at ``as_of``
    (a table every record of which existed is kept as it is, without a copy)."""
    changes = {}
    for name in TIMED_TABLES:
        frame = getattr(inventory, name)
        keep = exists_at(frame, as_of)
        if not keep.all():
            changes[name] = frame[keep].reset_index(drop=True)
    return dataclasses.replace(inventory, **changes) if changes else inventory


def oldest_data_time(inventory: Inventory) -> pd.Timestamp | None:
    """Return the earliest ``time_created`` of the backups, group backups, boot volumes and replicas
    (the lower bound of a meaningful ``as_of``), or None when the inventory holds none."""
    firsts = [getattr(inventory, name)["time_created"].min() for name in TIMED_TABLES]
    known = [t for t in firsts if not pd.isna(t)]
    return min(known) if known else None


def collected_tables(inventory: Inventory) -> frozenset[str]:
    """Return the inventory tables the collection read. A collector that says (``parameters["tables"]``)
    is believed; otherwise the tables of the protection model (rule book §9) count as not collected:
    the snapshot predates them (or was written by a collector that did not read them)."""
    parameters = inventory.metadata.parameters or {}
    if "tables" in parameters:
        return frozenset(str(t) for t in parameters["tables"])
    return frozenset(INVENTORY_TABLES) - LATER_TABLES

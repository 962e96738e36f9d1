"""Read a whole tenancy into an :class:`~reportkit.inventory.Inventory`: :func:`collect`.

Split by concern: :mod:`~reportkit.collection.options` (:class:`CollectOptions`),
:mod:`~reportkit.collection.rows` (pure JSON -> rows, by column name),
:mod:`~reportkit.collection.pacing` (adaptive rate + region-fair scheduler),
:mod:`~reportkit.collection.calls` (paced, retried raw OCI reads),
:mod:`~reportkit.collection.readers` (one reader per OCI operation) and
:mod:`~reportkit.collection.run` (discovery and the run itself).
"""
from __future__ import annotations

from reportkit.collection.calls import Tuning
from reportkit.collection.options import DEFAULT_PER_REGION, DEFAULT_WORKERS, CollectOptions
from reportkit.collection.run import collect

__all__ = ["collect", "CollectOptions", "Tuning", "DEFAULT_WORKERS", "DEFAULT_PER_REGION"]

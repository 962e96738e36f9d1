"""reportkit: audit cross-region copies of OCI boot volume backups.

The public API is re-exported here (lazily, so ``import reportkit`` stays fast and the CLI does not
pay for pandas/oci imports it does not need)::

    inv = reportkit.collect(profile="DEFAULT")          # read every region and compartment
    inv.save()                                          # Parquet snapshot + manifest
    inv = reportkit.load_snapshot("latest")
    result = reportkit.assess(inv, rpo_days=7)          # verdicts, findings, summaries
"""
from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

from reportkit.errors import (  # noqa: E402
    CollectionError,
    ConfigError,
    InputError,
    PlanError,
    PolicyParseError,
    ReportError,
    ReportkitError,
    SchemaError,
    SnapshotError,
)

# public name -> module that defines it
_LAZY_EXPORTS: dict[str, str] = {
    "collect": "reportkit.collection",
    "Inventory": "reportkit.inventory",
    "load_snapshot": "reportkit.snapshot",
    "assess": "reportkit.assessment",
    "Assessment": "reportkit.assessment",
    "can_copy": "reportkit.iam",
    "parse_policy": "reportkit.iam",
    "render_report": "reportkit.report",
    "make_plan": "reportkit.plan",
    "execute_plan": "reportkit.copy",
    "serve": "reportkit.sim",
}

__all__ = [
    "__version__",
    "ReportkitError",
    "ConfigError",
    "InputError",
    "SnapshotError",
    "SchemaError",
    "PolicyParseError",
    "CollectionError",
    "ReportError",
    "PlanError",
    *_LAZY_EXPORTS,
]


def __getattr__(name: str) -> Any:
    module_name = _LAZY_EXPORTS.get(name)
    if module_name is None:
        raise AttributeError(f"module 'reportkit' has no attribute {name!r}")
    return getattr(importlib.import_module(module_name), name)

"""reportkit: audit cross-region copies of OCI boot volume backups. This module is the public API.

The verbs, re-exported lazily (``import reportkit`` stays fast, and the CLI does not pay for the
pandas/oci imports a command does not need)::

    inv = reportkit.collect(profile="DEFAULT")          # read every region and compartment
    inv.save()                                          # Parquet snapshot + manifest
    inv = reportkit.load_snapshot("latest")
    result = reportkit.assess(inv, rpo_days=7)          # verdicts, findings, summaries
    reportkit.render_report("coverage", parameters={"snapshot": "latest"})
    plan = reportkit.make_plan(result)                  # the copies that close the gaps
    reportkit.execute_plan(plan)                        # a dry run unless execute=True

Every entry point (the CLI, the notebooks, the demo) goes through :mod:`reportkit.pipeline`, which
adds the settings' image overrides to ``assess``; the errors are in :mod:`reportkit.errors`.
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

# public name -> module that defines it (imported on first use)
_LAZY_EXPORTS: dict[str, str] = {
    "collect": "reportkit.collection",
    "CollectOptions": "reportkit.collection",
    "Inventory": "reportkit.inventory",
    "load_snapshot": "reportkit.snapshot",
    "assess": "reportkit.assessment",
    "Assessment": "reportkit.assessment",
    "Settings": "reportkit.settings",
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


def __dir__() -> list[str]:
    """The public names (the lazy ones included) and the sub-packages already imported, for ``dir(reportkit)``
    and tab completion."""
    loaded = {name for name, value in globals().items()
              if not name.startswith("_") and getattr(value, "__name__", "") == f"{__name__}.{name}"}
    return sorted({*__all__, *loaded})


def __getattr__(name: str) -> Any:
    """Import the module behind a public name on first use (PEP 562); nothing else happens here."""
    module_name = _LAZY_EXPORTS.get(name)
    if module_name is None:
        raise AttributeError(f"module 'reportkit' has no attribute {name!r}")
    return getattr(importlib.import_module(module_name), name)

"""Read a whole tenancy into an :class:`~reportkit.inventory.Inventory`: ``reportkit.collect(...)``.

The package is split by concern: :mod:`~reportkit.collect.rows` (pure JSON -> rows),
:mod:`~reportkit.collect.pacing` (adaptive rate + region-fair scheduler),
:mod:`~reportkit.collect.calls` (paced, retried raw OCI reads), and
:mod:`~reportkit.collect.collector` (discovery and the run itself).
"""
from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from reportkit._callable_module import make_module_callable
from reportkit.auth import load_auth
from reportkit.collect.calls import Tuning
from reportkit.errors import InputError
from reportkit.inventory import Inventory

DEFAULT_WORKERS = 32
DEFAULT_PER_REGION = 8


def collect(
    profile: str | None = None,
    *,
    config_file: str | os.PathLike[str] | None = None,
    auth: str | None = None,
    regions: str | Sequence[str] | None = None,
    compartment: str | None = None,
    endpoint_template: str | None = None,
    workers: int | None = None,
    per_region: int | None = None,
    progress: bool = True,
    tuning: Tuning | None = None,
    use_search: bool = False,
) -> Inventory:
    """Read every subscribed region and compartment and return the :class:`Inventory`.

    - ``profile`` / ``config_file`` / ``auth``: as ``reportkit.auth.load_auth`` (``OCI_CLI_*``
      honoured); ``auth`` is api_key, security_token, instance_principal or resource_principal.
    - ``regions``: names or short codes (``"lhr,fra"`` or a list); default every READY region.
    - ``compartment``: a path (``Prod/App``) or OCID; collect only that sub-tree.
    - ``endpoint_template``: e.g. ``"http://127.0.0.1:8080/{region}"`` sends every service
      client of a region to that base URL (the fake, private endpoints).
    - ``workers``: thread pool size (default 32); ``per_region``: requests of one region in
      flight at once (default 8).
    - ``progress``: a ``tqdm.auto`` bar (terminal and Jupyter).
    - ``use_search``: pre-filter compartments with OCI Resource Search (per region, one paged
      ``query bootvolume resources`` and one ``query bootvolumebackup resources``) and list boot
      volumes (backups) only where it found some, in the root, and in every compartment
      ListCompartments does not mark accessible. Most compartments of a real tenancy are empty,
      so this saves most of the requests (about half the wall time on the benchmark tenancy).
      **Off by default**, because it can hide a gap: search shows only what the caller may
      inspect, and ``isAccessible`` says a compartment can be read at all, not that its boot
      volumes and backups can; under a per-compartment auditor policy a compartment whose volumes
      we may not list looks empty to search and would be skipped with no ``errors`` row. Turn it
      on when the auditing group has ``inspect`` on volumes and boot-volume-backups in the whole
      tenancy (the policy in docs/security.md does). Also, the search index lags: a resource
      created in the last minutes may not be indexed yet. A region whose search fails is listed
      in full. What the search did is in ``inv.metadata.parameters["search"]`` (regions searched,
      fallback regions with the reason, compartments skipped per region).

    Partial failures are rows of ``inv.errors``; raises :class:`~reportkit.errors.CollectionError`
    only when nothing usable was read, :class:`~reportkit.errors.ConfigError` /
    :class:`~reportkit.errors.InputError` for bad credentials or parameters.
    """
    from reportkit.collect.collector import run_collection

    if endpoint_template is not None and "{region}" not in endpoint_template:
        raise InputError(f"endpoint template {endpoint_template!r} must contain {{region}}, "
                         "e.g. http://127.0.0.1:8080/{region}")
    workers = int(workers or DEFAULT_WORKERS)
    per_region = int(per_region or min(DEFAULT_PER_REGION, workers))
    if workers < 1 or per_region < 1:
        raise InputError(f"workers ({workers}) and per_region ({per_region}) must be at least 1")
    ctx = load_auth(profile=profile, config_file=config_file, auth=auth)
    parameters: dict[str, Any] = {
        "profile": profile or os.environ.get("OCI_CLI_PROFILE"), "auth": ctx.method, "source": ctx.source,
        "regions": regions if regions is None or isinstance(regions, str) else list(regions),
        "compartment": compartment, "endpoint_template": endpoint_template, "workers": workers,
        "per_region": per_region, "use_search": bool(use_search),
    }
    return run_collection(ctx, regions=regions, compartment=compartment, endpoint_template=endpoint_template,
                          workers=workers, per_region=per_region, progress=progress, tuning=tuning or Tuning(),
                          parameters=parameters, use_search=bool(use_search))


make_module_callable(__name__, collect)

__all__ = ["collect", "Tuning", "DEFAULT_WORKERS", "DEFAULT_PER_REGION"]

"""CollectOptions: every choice of a collection run (credentials, scope, endpoints, pacing) in one value."""
from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import pandas as pd

from reportkit.collection.calls import Tuning
from reportkit.errors import InputError

DEFAULT_WORKERS = 32
DEFAULT_PER_REGION = 8


def utc_now() -> pd.Timestamp:
    """The wall clock, in UTC (the default :attr:`CollectOptions.clock`)."""
    return pd.Timestamp.now(tz="UTC")


@dataclass(frozen=True)
class CollectOptions:
    """How to collect. Every field has a default that suits a real tenancy.

    - ``profile`` / ``config_file`` / ``auth``: as :func:`reportkit.auth.load_auth` (``OCI_CLI_*``
      honoured); ``auth`` is api_key, security_token, instance_principal or resource_principal.
    - ``regions``: names or short codes (``"lhr,fra"`` or a list); default every READY region.
    - ``compartment``: a path (``Prod/App``) or OCID; collect only that sub-tree.
    - ``endpoint_template``: e.g. ``"http://127.0.0.1:8080/{region}"`` sends every service
      client of a region to that base URL (the fake, private endpoints).
    - ``workers``: thread pool size; ``per_region``: requests of one region in flight at once
      (default ``min(8, workers)``).
    - ``progress``: a ``tqdm.auto`` bar (terminal and Jupyter).
    - ``tuning``: retry, paging and bound knobs (:class:`~reportkit.collection.calls.Tuning`: pages per
      listing, empty pages in a row, a deadline per request and per region).
    - ``use_search``: the Resource Search pre-filter (see :func:`reportkit.collection.collect`).
    - ``clock``: the wall clock stamped on the metadata and error rows (time is a parameter, so a
      test can step it; elapsed time is always measured on the monotonic clock). Against the fake
      OCI API its simulated clock is stamped instead, and this one recorded beside it.
    """

    profile: str | None = None
    config_file: str | os.PathLike[str] | None = None
    auth: str | None = None
    regions: str | Sequence[str] | None = None
    compartment: str | None = None
    endpoint_template: str | None = None
    workers: int = DEFAULT_WORKERS
    per_region: int | None = None
    progress: bool = True
    tuning: Tuning = field(default_factory=Tuning)
    use_search: bool = False
    clock: Callable[[], pd.Timestamp] = utc_now

    def validated(self) -> CollectOptions:
        """Return these options with ``workers``/``per_region`` resolved; raise InputError if unusable."""
        if self.endpoint_template is not None and "{region}" not in self.endpoint_template:
            raise InputError(f"endpoint template {self.endpoint_template!r} must contain {{region}}, "
                             "e.g. http://127.0.0.1:8080/{region}")
        workers = int(self.workers or DEFAULT_WORKERS)
        per_region = int(self.per_region or min(DEFAULT_PER_REGION, workers))
        if workers < 1 or per_region < 1:
            raise InputError(f"workers ({workers}) and per_region ({per_region}) must be at least 1")
        return dataclasses.replace(self, workers=workers, per_region=per_region, use_search=bool(self.use_search),
                                   tuning=self.tuning or Tuning())

    def recorded(self, auth_method: str, auth_source: str) -> dict[str, object]:
        """The parameters stored in the snapshot's metadata (what was asked, never a secret)."""
        regions = self.regions if self.regions is None or isinstance(self.regions, str) else list(self.regions)
        return {"profile": self.profile or os.environ.get("OCI_CLI_PROFILE"), "auth": auth_method,
                "source": auth_source, "regions": regions, "compartment": self.compartment,
                "endpoint_template": self.endpoint_template, "workers": self.workers,
                "per_region": self.per_region, "use_search": self.use_search}

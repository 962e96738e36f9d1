"""OCI clients for the copy executor: one BlockstorageClient per (thread, region), never retried by the SDK."""
from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from typing import Any

from reportkit.errors import PlanError


class ClientFactory:
    """Builds one BlockstorageClient per (thread, region); copies are never retried by the SDK.

    Retries are off (and the circuit breaker too) because a refusal must be recorded as OCI's
    answer, and because the retry token already makes our own re-run safe.
    """

    def __init__(self, config: Mapping[str, Any], signer: Any = None, endpoint_template: str | None = None) -> None:
        self.config = dict(config)
        self.signer = signer
        self.endpoint_template = endpoint_template
        self._local = threading.local()

    def __call__(self, region: str) -> Any:
        cache = self._local.__dict__.setdefault("clients", {})
        if region not in cache:
            import oci

            kwargs: dict[str, Any] = {
                "retry_strategy": oci.retry.NoneRetryStrategy(),
                "circuit_breaker_strategy": oci.circuit_breaker.NoCircuitBreakerStrategy(),
            }
            if self.signer is not None:
                kwargs["signer"] = self.signer
            if self.endpoint_template:
                kwargs["service_endpoint"] = self.endpoint_template.format(region=region)
            cache[region] = oci.core.BlockstorageClient({**self.config, "region": region}, **kwargs)
        return cache[region]


def client_factory_from(*, auth: Any = None, profile: str | None = None, config_file: str | os.PathLike | None = None,
                        config: Mapping[str, Any] | None = None, signer: Any = None,
                        endpoint_template: str | None = None) -> ClientFactory:
    """Return a :class:`ClientFactory` from an AuthContext, a config dict + signer, or a profile."""
    if config is None:
        from reportkit.auth import AuthContext, load_auth

        ctx = auth if isinstance(auth, AuthContext) else load_auth(profile=profile, config_file=config_file, auth=auth)
        config, signer = ctx.config, ctx.signer
    if endpoint_template is not None and "{region}" not in endpoint_template:
        raise PlanError(f"endpoint template {endpoint_template!r} has no {{region}} placeholder; "
                        "use e.g. http://127.0.0.1:8080/{region}")
    return ClientFactory(config, signer, endpoint_template)

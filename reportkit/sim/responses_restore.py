"""The HTTP side of the operations that tell whether a copy can be restored where it is: compute shapes,
image shape compatibility, and Vault (vaults on the regional endpoint, keys on each vault's management
endpoint). Kept apart from :mod:`reportkit.sim.responses` (same conventions, same helpers) so each stays small.
"""
from __future__ import annotations

from typing import Any

from reportkit.sim.models import SimBackend
from reportkit.sim.models.kms import endpoint_slug
from reportkit.sim.responses import Request, Response, _ok, paginate

#: the path of a vault's management endpoint below the region (the fake's stand-in for
#: ``https://<vault>-management.kms.<region>.oraclecloud.com``); routes match it
KMS_MANAGEMENT = "kms-mgmt"


# -------------------------------------------------------------------------------------- shapes
def list_shapes(backend: SimBackend, req: Request) -> Response:
    items = backend.compute.list_shapes(
        req.region or "", req.arg("compartmentId"), availability_domain=req.arg("availabilityDomain"),
        image_id=req.arg("imageId"), shape=req.arg("shape"))
    return paginate(backend, req, items)


def list_image_shape_compatibility_entries(backend: SimBackend, req: Request) -> Response:
    return paginate(backend, req, backend.compute.list_image_shape_compatibility_entries(req.region or "",
                                                                                         req.params["id"]))


def get_image_shape_compatibility_entry(backend: SimBackend, req: Request) -> Response:
    return _ok(backend.compute.get_image_shape_compatibility_entry(req.region or "", req.params["id"],
                                                                   req.params["shape"]), etag=True)


# ---------------------------------------------------------------------------------------- vault
def _with_endpoints(vault: dict[str, Any], req: Request) -> dict[str, Any]:
    """A vault with the endpoints this fake serves for it, on the host the client called."""
    base = f"http://{req.headers.get('host') or '127.0.0.1'}/{req.region}"
    slug = endpoint_slug(vault["id"])
    # the crypto endpoint (Encrypt/Decrypt) is named for completeness; the fake does not serve it
    return {**vault, "managementEndpoint": f"{base}/{KMS_MANAGEMENT}/{slug}",
            "cryptoEndpoint": f"{base}/kms-crypto/{slug}"}


def list_vaults(backend: SimBackend, req: Request) -> Response:
    items = backend.kms.list_vaults(req.region or "", req.arg("compartmentId"), sort_by=req.arg("sortBy"),
                                    sort_order=req.arg("sortOrder"))
    return paginate(backend, req, [_with_endpoints(v, req) for v in items])


def get_vault(backend: SimBackend, req: Request) -> Response:
    return _ok(_with_endpoints(backend.kms.get_vault(req.region or "", req.params["id"]), req), etag=True)


def get_key(backend: SimBackend, req: Request) -> Response:
    return _ok(backend.kms.get_key(req.region or "", req.params["vault"], req.params["id"]), etag=True)


def list_keys(backend: SimBackend, req: Request) -> Response:
    items = backend.kms.list_keys(
        req.region or "", req.params["vault"], req.arg("compartmentId"), protection_mode=req.arg("protectionMode"),
        algorithm=req.arg("algorithm"), length=req.arg("length"), curve_id=req.arg("curveId"),
        sort_by=req.arg("sortBy"), sort_order=req.arg("sortOrder"))
    return paginate(backend, req, items)

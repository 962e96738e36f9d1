"""A fake of the OCI REST API for the unmodified ``oci`` SDK and CLI, on 127.0.0.1.

    with reportkit.sim.serve(document) as sim:
        config_path, profile = write_oci_config(tmpdir, sim.endpoint_template, tenancy_id=sim.tenancy_id)
        config = oci.config.from_file(config_path, profile)
        client = oci.core.BlockstorageClient(config, service_endpoint=sim.endpoint("uk-london-1"))

State and rules: :mod:`reportkit.sim.models` (one module per service); faults:
:mod:`~reportkit.sim.faults`; HTTP: :mod:`~reportkit.sim.responses`, :mod:`~reportkit.sim.routes`,
:mod:`~reportkit.sim.server`; tenancy documents: :mod:`~reportkit.sim.documents` (format in
``docs/sim.md``) and the demo generator :mod:`reportkit.sim.demo`.
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

from reportkit.sim.server import SimServer, serve

__all__ = ["SimServer", "serve", "write_oci_config", "SIM_USER_ID"]

#: the user OCID written into generated configs (the fake does not check who signs)
SIM_USER_ID = "ocid1.user.oc1..aaaaaaaasimauditor"


def write_oci_config(directory: str | os.PathLike[str], endpoint_template: str | None = None, *,
                     tenancy_id: str, region: str = "uk-london-1",
                     profile: str = "DEFAULT") -> tuple[Path, str]:
    """Write a throwaway RSA API key and an ``oci`` config file into ``directory``.

    The SDK and the ``oci`` CLI sign requests with this key; the fake only checks the signature
    header is well formed. ``endpoint_template`` is recorded as a comment (neither the SDK nor the
    CLI reads endpoints from the config). Returns ``(config_path, profile)``.
    """
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    key_path = folder / "sim_api_key.pem"
    # the trailing OCI_API_KEY label is Oracle's marker for API keys (the oci CLI warns without it)
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()) + b"OCI_API_KEY\n")
    key_path.chmod(0o600)
    public_der = key.public_key().public_bytes(serialization.Encoding.DER,
                                               serialization.PublicFormat.SubjectPublicKeyInfo)
    digest = hashlib.md5(public_der).hexdigest()  # noqa: S324 (OCI key fingerprints are MD5)
    fingerprint = ":".join(digest[i:i + 2] for i in range(0, len(digest), 2))
    config_path = folder / "config"
    lines = []
    if endpoint_template:
        lines.append(f"# reportkit sim endpoint template: {endpoint_template}")
    lines += [f"[{profile}]", f"user={SIM_USER_ID}", f"fingerprint={fingerprint}", f"tenancy={tenancy_id}",
              f"region={region}", f"key_file={key_path}", ""]
    config_path.write_text("\n".join(lines))
    config_path.chmod(0o600)
    return config_path, profile

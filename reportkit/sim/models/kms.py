"""Vault (KMS) in the fake: vaults per region, their keys and states, each vault's management endpoint,
the keys the auditor may not read, and which keys a copy may be encrypted with."""
from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from reportkit.sim.exceptions import NotAuthorizedOrNotFound
from reportkit.sim.models.base import Record, WireDict, filtered, sort_records

if TYPE_CHECKING:
    from reportkit.sim.models.backend import SimBackend

#: the fields ListVaults serves (VaultSummary) of the Vault records the document holds
VAULT_SUMMARY_FIELDS = ("compartmentId", "cryptoEndpoint", "definedTags", "displayName", "freeformTags", "id",
                        "lifecycleState", "managementEndpoint", "timeCreated", "vaultType",
                        "externalKeyManagerMetadataSummary")
#: the fields ListKeys serves (KeySummary; ``algorithm`` comes from the key's ``keyShape``)
KEY_SUMMARY_FIELDS = ("compartmentId", "definedTags", "displayName", "freeformTags", "id", "lifecycleState",
                      "timeCreated", "vaultId", "protectionMode", "externalKeyReferenceDetails",
                      "isAutoRotationEnabled")
#: the only state in which a key encrypts and decrypts
USABLE_KEY_STATE = "ENABLED"


def endpoint_slug(vault_id: str) -> str:
    """The path segment naming a vault's endpoints in the fake (stable, URL-safe, unique per vault)."""
    return hashlib.sha256(vault_id.encode()).hexdigest()[:20]


def derived_records(doc: WireDict, region: str) -> tuple[dict[str, Record], dict[str, Record]]:
    """(vaults, keys) of ``region``: the document's ``vaults`` and ``keys``, plus, for every key that
    ``vaultKeys`` names without a record, an ENABLED key in one derived ACTIVE vault of the root
    compartment (documents written before the ``vaults`` section, such as the demo)."""
    vaults = {v["id"]: Record(v) for v in doc.get("vaults", {}).get(region, [])}
    keys = {k["id"]: Record(k) for k in doc.get("keys", {}).get(region, [])}
    bare = [k for k in doc.get("vaultKeys", {}).get(region, []) if k not in keys]
    if bare:
        tenancy = doc["tenancy"]["id"]
        created = doc.get("asOf") or "2026-01-01T00:00:00.000Z"
        vault_id = f"ocid1.vault.oc1.{region}.aaaaaaaa{hashlib.sha256(region.encode()).hexdigest()[:40]}"
        vaults.setdefault(vault_id, Record({
            "id": vault_id, "compartmentId": tenancy, "displayName": f"{region} vault (from vaultKeys)",
            "lifecycleState": "ACTIVE", "vaultType": "DEFAULT", "timeCreated": created}))
        for n, key_id in enumerate(bare, start=1):
            keys[key_id] = Record({
                "id": key_id, "compartmentId": tenancy, "vaultId": vault_id, "displayName": f"key-{n}",
                "lifecycleState": USABLE_KEY_STATE, "protectionMode": "HSM", "timeCreated": created,
                "currentKeyVersion": f"{key_id}.version1", "keyShape": {"algorithm": "AES", "length": 32}})
    return vaults, keys


class KmsBackend:
    """ListVaults and GetVault (regional endpoint), GetKey and ListKeys (a vault's management endpoint)."""

    def __init__(self, sim: SimBackend) -> None:
        self.sim = sim
        self.denied_vaults: set[str] = set()

    def load(self, doc: WireDict) -> None:
        self.denied_vaults = set(doc.get("access", {}).get("deniedVaults", []))

    # ------------------------------------------------------------------------------ look-ups
    def vault_by_slug(self, region: str, slug: str) -> Record | None:
        return next((v for v in self.sim.regions[region].vaults.values() if endpoint_slug(v.id) == slug), None)

    def copy_key_problem(self, region: str, key_id: str) -> str | None:
        """Why a copy into ``region`` may not be encrypted with ``key_id``, or None when it may: the key
        must be a key of that region, ENABLED, in a vault that is not DELETED."""
        backend = self.sim.regions[region]
        key = backend.keys.get(key_id)
        if key is None:
            return f"it is not a Vault key in the destination region {region}"
        if key.get("lifecycleState") != USABLE_KEY_STATE:
            return f"the key is {key.get('lifecycleState')} in {region}, not ENABLED"
        vault = backend.vaults.get(str(key.get("vaultId")))
        if vault is None or vault.get("lifecycleState") == "DELETED":
            return f"the key's vault is deleted in {region}"
        return None

    # ------------------------------------------------------------------------------ regional endpoint
    def list_vaults(self, region: str, compartment_id: str | None, *, sort_by: str | None = None,
                    sort_order: str | None = None) -> list[WireDict]:
        """ListVaults: the vaults of a compartment in a region, as VaultSummary (endpoints added by the caller)."""
        with self.sim.lock:
            backend = self.sim.region(region)
            self.sim.check_list_compartment(compartment_id)
            out = [{k: v for k, v in vault.to_dict().items() if k in VAULT_SUMMARY_FIELDS}
                   for vault in backend.vaults.values() if vault.compartment_id == compartment_id]
            return sort_records(out, sort_by, sort_order)

    def get_vault(self, region: str, vault_id: str) -> WireDict:
        with self.sim.lock:
            return self.sim.visible(self.sim.region(region).vaults.get(vault_id), "vault", vault_id).to_dict()

    # ------------------------------------------------------------------------------ management endpoint
    def _endpoint_vault(self, region: str, slug: str) -> Record:
        """The vault a management endpoint names; 404 if unknown, DELETED, or its keys are not readable."""
        self.sim.region(region)
        vault = self.vault_by_slug(region, slug)
        if vault is None or vault.get("lifecycleState") == "DELETED" or vault.id in self.denied_vaults:
            raise NotAuthorizedOrNotFound(f"Authorization failed or requested resource not found: the vault of "
                                          f"management endpoint {slug} in {region}.")
        return vault

    def get_key(self, region: str, slug: str, key_id: str) -> WireDict:
        """GetKey on a vault's management endpoint: a key of that vault the auditing user may read; else 404."""
        with self.sim.lock:
            vault = self._endpoint_vault(region, slug)
            key = self.sim.regions[region].keys.get(key_id)
            if key is not None and key.get("vaultId") != vault.id:
                key = None  # another vault's key: its own endpoint serves it
            return self.sim.visible(key, "key", key_id).to_dict()

    def list_keys(self, region: str, slug: str, compartment_id: str | None, *, protection_mode: str | None = None,
                  algorithm: str | None = None, length: str | None = None, curve_id: str | None = None,
                  sort_by: str | None = None, sort_order: str | None = None) -> list[WireDict]:
        """ListKeys on a vault's management endpoint: that vault's keys in a compartment, as KeySummary."""
        with self.sim.lock:
            vault = self._endpoint_vault(region, slug)
            self.sim.check_list_compartment(compartment_id)
            out = []
            for key in self.sim.regions[region].keys.values():
                if key.get("vaultId") != vault.id or key.compartment_id != compartment_id:
                    continue
                shape = key.get("keyShape") or {}
                wanted = (("algorithm", algorithm), ("curveId", curve_id), ("length", length))
                if any(value and str(shape.get(name)) != str(value) for name, value in wanted):
                    continue
                summary = {k: v for k, v in key.to_dict().items() if k in KEY_SUMMARY_FIELDS}
                if shape.get("algorithm"):
                    summary["algorithm"] = shape["algorithm"]
                out.append(summary)
            return sort_records(filtered(out, protectionMode=protection_mode), sort_by, sort_order)

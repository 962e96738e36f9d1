"""The fake's Vault through the real SDK (KmsVaultClient on the regional endpoint, KmsManagementClient on
each vault's management endpoint) and the real `oci` CLI: vaults, keys in every state, what the auditor
may not read, the keys derived from ``vaultKeys``, and the copy rule on the destination key."""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import oci
import pytest
from sim_fixtures import (
    BKP, FRA, IAD, KEY, KEY_FRA, LHR, PROD, SECRET, TENANCY, VAULT, build_restorable_tenancy, client,
)

from reportkit.sim.models.kms import endpoint_slug

OCI_CLI = Path(__file__).resolve().parents[1] / ".venv" / "bin" / "oci"


@pytest.fixture
def vaults(regional_clients, restorable_sim):
    """KmsVaultClients per region on the restorable tenancy."""
    return regional_clients(oci.key_management.KmsVaultClient)


def _management(oci_config, endpoint: str):
    """A KmsManagementClient the way OCI documents it: the vault's managementEndpoint as service_endpoint."""
    return oci.key_management.KmsManagementClient(oci_config, endpoint, retry_strategy=oci.retry.NoneRetryStrategy())


def _vault(vaults, region: str, compartment: str, vault_id: str):
    return next(v for v in vaults[region].list_vaults(compartment).data if v.id == vault_id)


# --- the regional endpoint: ListVaults, GetVault ------------------------------------------------
def test_list_vaults_gives_each_vault_an_endpoint_the_fake_serves(vaults, restorable_sim):
    listed = vaults[IAD].list_vaults(PROD).data
    assert {v.display_name: v.lifecycle_state for v in listed} == {
        "iad-vault": "ACTIVE", "iad-hsm": "ACTIVE", "old-vault": "DELETED"}
    vault = _vault(vaults, FRA, PROD, VAULT["fra"])
    assert vault.management_endpoint == f"{restorable_sim.url}/{FRA}/kms-mgmt/{endpoint_slug(VAULT['fra'])}"
    assert vault.crypto_endpoint.startswith(f"{restorable_sim.url}/{FRA}/") and vault.vault_type == "DEFAULT"
    assert vaults[FRA].list_vaults(TENANCY).data == []  # vaults live in a compartment, not everywhere
    full = vaults[FRA].get_vault(VAULT["fra"]).data
    assert full.management_endpoint == vault.management_endpoint and full.compartment_id == PROD


def test_vaults_in_a_compartment_the_auditor_may_not_read_are_404(vaults):
    for call in (lambda: vaults[IAD].list_vaults(SECRET), lambda: vaults[IAD].get_vault(VAULT["iad_secret"]),
                 lambda: vaults[FRA].get_vault(VAULT["iad_prod"])):  # another region's vault
        with pytest.raises(oci.exceptions.ServiceError) as err:
            call()
        assert err.value.status == 404


def test_list_vaults_pages(vaults):
    pages = oci.pagination.list_call_get_all_results(vaults[IAD].list_vaults, PROD, limit=1)
    assert len(pages.data) == 3


# --- the management endpoint: GetKey, ListKeys ---------------------------------------------------
@pytest.mark.parametrize("key_id, state", [
    (KEY_FRA, "ENABLED"), (KEY["fra_disabled"], "DISABLED"), (KEY["fra_pending"], "PENDING_DELETION")])
def test_get_key_through_the_vaults_management_endpoint(oci_config, vaults, key_id, state):
    endpoint = _vault(vaults, FRA, PROD, VAULT["fra"]).management_endpoint
    key = _management(oci_config, endpoint).get_key(key_id).data
    assert (key.id, key.lifecycle_state, key.vault_id) == (key_id, state, VAULT["fra"])
    assert key.key_shape.algorithm == "AES" and key.compartment_id == PROD
    if state == "PENDING_DELETION":
        assert key.time_of_deletion.isoformat().startswith("2026-11-20")


def test_a_key_is_served_only_by_its_own_vaults_endpoint(oci_config, vaults):
    other = _vault(vaults, IAD, PROD, VAULT["iad_prod"]).management_endpoint
    with pytest.raises(oci.exceptions.ServiceError) as err:
        _management(oci_config, other).get_key(KEY_FRA)
    assert err.value.status == 404


@pytest.mark.parametrize("vault, key", [
    ("iad_denied", "iad_denied"),  # access.deniedVaults: listed, but its keys are not readable
    ("iad_secret", "iad_secret"),  # the key's compartment is denied
    ("iad_deleted", "iad_deleted"),  # a DELETED vault serves nothing
])
def test_keys_the_auditor_may_not_read_are_404(oci_config, restorable_sim, vault, key):
    endpoint = f"{restorable_sim.url}/{IAD}/kms-mgmt/{endpoint_slug(VAULT[vault])}"
    with pytest.raises(oci.exceptions.ServiceError) as err:
        _management(oci_config, endpoint).get_key(KEY[key])
    assert err.value.status == 404 and err.value.code == "NotAuthorizedOrNotFound"


def test_an_unknown_management_endpoint_is_404(oci_config, restorable_sim):
    with pytest.raises(oci.exceptions.ServiceError) as err:
        _management(oci_config, f"{restorable_sim.url}/{FRA}/kms-mgmt/nosuchvault").get_key(KEY_FRA)
    assert err.value.status == 404


def test_list_keys_of_a_vault_in_a_compartment(oci_config, vaults):
    mgmt = _management(oci_config, _vault(vaults, FRA, PROD, VAULT["fra"]).management_endpoint)
    keys = oci.pagination.list_call_get_all_results(mgmt.list_keys, PROD, limit=2).data
    assert {k.id: k.lifecycle_state for k in keys} == {
        KEY_FRA: "ENABLED", KEY["fra_disabled"]: "DISABLED", KEY["fra_pending"]: "PENDING_DELETION"}
    assert {k.algorithm for k in keys} == {"AES"} and {k.vault_id for k in keys} == {VAULT["fra"]}
    assert mgmt.list_keys(PROD, algorithm="RSA").data == []
    with pytest.raises(oci.exceptions.ServiceError) as err:
        mgmt.list_keys(SECRET)
    assert err.value.status == 404


def test_the_request_log_names_the_kms_operations_and_regions(oci_config, vaults, restorable_sim):
    restorable_sim.clear_requests()
    endpoint = _vault(vaults, FRA, PROD, VAULT["fra"]).management_endpoint
    _management(oci_config, endpoint).get_key(KEY_FRA)
    assert [(e["operation"], e["region"], e["status"]) for e in restorable_sim.requests()] == [
        ("ListVaults", FRA, 200), ("GetKey", FRA, 200)]


# --- documents with vaultKeys only (the demo) ----------------------------------------------------
def test_vault_keys_alone_become_enabled_keys_of_a_derived_vault_in_the_root(oci_config, sim):
    listed = client(oci.key_management.KmsVaultClient, oci_config, sim, FRA).list_vaults(TENANCY).data
    assert [v.lifecycle_state for v in listed] == ["ACTIVE"] and "vaultKeys" in listed[0].display_name
    key = _management(oci_config, listed[0].management_endpoint).get_key(KEY_FRA).data
    assert key.lifecycle_state == "ENABLED" and key.compartment_id == TENANCY
    assert client(oci.key_management.KmsVaultClient, oci_config, sim, IAD).list_vaults(TENANCY).data == []


# --- the copy rule: the destination key must be usable ----------------------------------------
@pytest.mark.parametrize("key_id, accepted, why", [
    (KEY_FRA, True, ""),
    (KEY["fra_disabled"], False, "DISABLED"),
    (KEY["fra_pending"], False, "PENDING_DELETION"),
    (KEY["iad_enabled"], False, "not a Vault key in the destination region eu-frankfurt-1"),
])
def test_a_copy_is_encrypted_only_with_an_enabled_key_of_the_destination(oci_config, restorable_sim, key_id, accepted,
                                                                           why):
    storage = client(oci.core.BlockstorageClient, oci_config, restorable_sim, LHR)
    details = oci.core.models.CopyBootVolumeBackupDetails(destination_region=FRA, kms_key_id=key_id)
    if accepted:
        assert storage.copy_boot_volume_backup(BKP["platform"], details).data.kms_key_id == key_id
        return
    with pytest.raises(oci.exceptions.ServiceError) as err:
        storage.copy_boot_volume_backup(BKP["platform"], details)
    assert err.value.status == 400 and why in err.value.message


def test_a_key_in_a_deleted_vault_cannot_encrypt_a_copy(oci_config, restorable_sim):
    doc = build_restorable_tenancy()
    next(k for k in doc["keys"][IAD] if k["id"] == KEY["iad_deleted"])["lifecycleState"] = "ENABLED"
    restorable_sim.load(doc)
    storage = client(oci.core.BlockstorageClient, oci_config, restorable_sim, LHR)
    with pytest.raises(oci.exceptions.ServiceError) as err:
        storage.copy_boot_volume_backup(BKP["platform"], oci.core.models.CopyBootVolumeBackupDetails(
            destination_region=IAD, kms_key_id=KEY["iad_deleted"]))
    assert err.value.status == 400 and "vault is deleted" in err.value.message


# --- the real oci CLI ----------------------------------------------------------------------------
@pytest.mark.skipif(not OCI_CLI.exists(), reason="the oci CLI (oci-cli package) is installed by `make setup`")
def test_oci_cli_reads_a_key_through_the_management_endpoint(oci_config_file, vaults):
    config, profile = oci_config_file
    endpoint = _vault(vaults, FRA, PROD, VAULT["fra"]).management_endpoint
    env = dict(os.environ, OCI_CLI_SUPPRESS_FILE_PERMISSIONS_WARNING="True", SUPPRESS_LABEL_WARNING="True")
    result = subprocess.run([str(OCI_CLI), "--config-file", str(config), "--profile", profile, "kms", "management",
                             "key", "get", "--key-id", KEY["fra_disabled"], "--endpoint", endpoint],
                            capture_output=True, text=True, timeout=60, env=env)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)["data"]
    assert (data["id"], data["lifecycle-state"], data["vault-id"]) == (KEY["fra_disabled"], "DISABLED", VAULT["fra"])

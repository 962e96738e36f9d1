"""Every auth mode yields a working signer; every misconfiguration names the file and the field."""
from __future__ import annotations

import datetime as dt
import http.server
import json
import threading
import time

import jwt
import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from reportkit.auth import load_auth
from reportkit.errors import ConfigError

TENANCY = "ocid1.tenancy.oc1..aaaatest"
USER = "ocid1.user.oc1..aaaauser"
SECRET = "s3cret-passphrase"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch, tmp_path):
    for name in ("OCI_CLI_CONFIG_FILE", "OCI_CLI_PROFILE", "OCI_CLI_AUTH", "OCI_CLI_REGION", "OCI_CONFIG_FILE",
                 "OCI_RESOURCE_PRINCIPAL_VERSION", "OCI_RESOURCE_PRINCIPAL_RPST",
                 "OCI_RESOURCE_PRINCIPAL_PRIVATE_PEM", "OCI_RESOURCE_PRINCIPAL_REGION", "OCI_METADATA_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))  # ~/.oci/config never leaks in


def _key(passphrase: str | None = None) -> tuple[rsa.RSAPrivateKey, bytes]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    enc = (serialization.BestAvailableEncryption(passphrase.encode()) if passphrase
           else serialization.NoEncryption())
    return key, key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, enc)


@pytest.fixture(scope="module")
def pem() -> bytes:
    return _key()[1]


def _write_config(tmp_path, pem, body: str):
    key = tmp_path / "key.pem"
    key.write_bytes(pem)
    cfg = tmp_path / "config"
    cfg.write_text(body.format(key=key))
    return cfg


_PROFILE = """[DEFAULT]
user = {user}
fingerprint = 11:22:33:44:55:66:77:88:99:00:aa:bb:cc:dd:ee:ff
key_file = {{key}}
tenancy = {tenancy}
region = {region}
""".format(user=USER, tenancy=TENANCY, region="uk-london-1")


def _signed_key_id(ctx) -> str:
    req = requests.Request("GET", "http://127.0.0.1:1/20160918/bootVolumes").prepare()
    ctx.signer(req)
    auth = req.headers["authorization"]
    return auth.split('keyId="', 1)[1].split('"', 1)[0]


# ---------------------------------------------------------------------------------------------
# api_key
# ---------------------------------------------------------------------------------------------
def test_api_key_profile_gives_config_and_signer(tmp_path, pem):
    cfg = _write_config(tmp_path, pem, _PROFILE + "\n[OTHER]\nregion = eu-frankfurt-1\n")
    ctx = load_auth(config_file=cfg)
    assert (ctx.method, ctx.tenancy_id, ctx.region) == ("api_key", TENANCY, "uk-london-1")
    assert _signed_key_id(ctx) == f"{TENANCY}/{USER}/11:22:33:44:55:66:77:88:99:00:aa:bb:cc:dd:ee:ff"
    # OTHER inherits DEFAULT's fields and overrides the region, exactly like the CLI
    assert load_auth(config_file=cfg, profile="OTHER").region == "eu-frankfurt-1"


def test_oci_cli_environment_variables_are_honoured(tmp_path, pem, monkeypatch):
    cfg = _write_config(tmp_path, pem, _PROFILE + "\n[OTHER]\nregion = eu-frankfurt-1\n")
    monkeypatch.setenv("OCI_CLI_CONFIG_FILE", str(cfg))
    monkeypatch.setenv("OCI_CLI_PROFILE", "OTHER")
    monkeypatch.setenv("OCI_CLI_REGION", "ams")  # short codes become names
    ctx = load_auth()
    assert (ctx.region, ctx.source) == ("eu-amsterdam-1", f"{cfg} [OTHER]")
    assert load_auth(region="lhr").region == "uk-london-1"  # an explicit argument beats the env
    monkeypatch.setenv("OCI_CLI_AUTH", "password")
    with pytest.raises(ConfigError, match=r"unknown auth mode 'password' \(from OCI_CLI_AUTH\)"):
        load_auth()


def test_missing_config_file_names_the_path_and_where_it_came_from(tmp_path):
    with pytest.raises(ConfigError, match=r"config file .*nope not found \(from --config-file\)"):
        load_auth(config_file=tmp_path / "nope")
    with pytest.raises(ConfigError, match=r"\.oci/config not found \(from the default location\)"):
        load_auth()


def test_unknown_profile_lists_the_profiles_that_exist(tmp_path, pem):
    cfg = _write_config(tmp_path, pem, _PROFILE + "\n[PROD]\nregion = eu-frankfurt-1\n")
    with pytest.raises(ConfigError, match=r"profile 'DEV' not found .*config; profiles there: DEFAULT, PROD"):
        load_auth(config_file=cfg, profile="DEV")
    only = _write_config(tmp_path, pem, _PROFILE.replace("[DEFAULT]", "[PROD]"))
    with pytest.raises(ConfigError, match=r"profile 'DEFAULT' not found .*profiles there: PROD \("):
        load_auth(config_file=only)


def test_missing_field_bad_key_path_and_malformed_values_are_named(tmp_path, pem):
    cfg = _write_config(tmp_path, pem, _PROFILE.replace("user = ", "#user = "))
    with pytest.raises(ConfigError, match=r"profile \[DEFAULT\]: missing field\(s\) user"):
        load_auth(config_file=cfg)
    cfg = _write_config(tmp_path, pem, _PROFILE.replace("key_file = {key}", "key_file = /no/such/key.pem"))
    with pytest.raises(ConfigError, match=r"key_file /no/such/key.pem does not exist"):
        load_auth(config_file=cfg)
    cfg = _write_config(tmp_path, pem, _PROFILE.replace(USER, "not-an-ocid"))
    with pytest.raises(ConfigError, match=r"\[DEFAULT\]: user is malformed"):
        load_auth(config_file=cfg)
    cfg = _write_config(tmp_path, b"not a key", _PROFILE)
    with pytest.raises(ConfigError, match=r"not a readable PEM private key"):
        load_auth(config_file=cfg)


def test_passphrase_protected_key_needs_the_passphrase_and_it_is_never_shown(tmp_path):
    _, encrypted = _key(SECRET)
    cfg = _write_config(tmp_path, encrypted, _PROFILE)
    with pytest.raises(ConfigError, match=r"passphrase-protected but the profile has no pass_phrase"):
        load_auth(config_file=cfg)
    cfg = _write_config(tmp_path, encrypted, _PROFILE + "pass_phrase = wrong-one\n")
    with pytest.raises(ConfigError, match=r"the pass_phrase does not decrypt it") as info:
        load_auth(config_file=cfg)
    assert "wrong-one" not in str(info.value)
    cfg = _write_config(tmp_path, encrypted, _PROFILE + f"pass_phrase = {SECRET}\n")
    ctx = load_auth(config_file=cfg)
    assert ctx.method == "api_key" and SECRET not in repr(ctx)


# ---------------------------------------------------------------------------------------------
# security_token
# ---------------------------------------------------------------------------------------------
def _token(claims: dict, key=None) -> str:
    key = key or rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return jwt.encode(claims, key, algorithm="RS256")


def test_security_token_profile_signs_with_the_session_token(tmp_path, pem):
    token = _token({"sub": USER, "exp": int(time.time()) + 3600, "iat": int(time.time())})
    (tmp_path / "token").write_text(token + "\n")
    body = _PROFILE.replace("user = ", "#user = ") + f"security_token_file = {tmp_path / 'token'}\n"
    cfg = _write_config(tmp_path, pem, body)
    ctx = load_auth(config_file=cfg, auth="security_token")
    assert (ctx.method, ctx.tenancy_id) == ("security_token", TENANCY)
    assert _signed_key_id(ctx) == f"ST${token}"


def test_security_token_misconfigurations(tmp_path, pem):
    cfg = _write_config(tmp_path, pem, _PROFILE)
    with pytest.raises(ConfigError, match=r"missing field\(s\) security_token_file"):
        load_auth(config_file=cfg, auth="security_token")
    cfg = _write_config(tmp_path, pem, _PROFILE + f"security_token_file = {tmp_path / 'none'}\n")
    with pytest.raises(ConfigError, match=r"security_token_file .*none does not exist .*oci session authenticate"):
        load_auth(config_file=cfg, auth="security_token")
    (tmp_path / "old").write_text(_token({"exp": int(time.time()) - 60}))
    cfg = _write_config(tmp_path, pem, _PROFILE + f"security_token_file = {tmp_path / 'old'}\n")
    with pytest.raises(ConfigError, match=r"has expired .*oci session refresh"):
        load_auth(config_file=cfg, auth="security_token")


# ---------------------------------------------------------------------------------------------
# resource principal (OCI_RESOURCE_PRINCIPAL_VERSION=2.2: RPST and PEM in the environment)
# ---------------------------------------------------------------------------------------------
def test_resource_principal_reads_tenancy_and_region_from_the_environment(monkeypatch):
    key, pem = _key()
    rpst = _token({"res_tenant": TENANCY, "res_compartment": "ocid1.compartment.oc1..nb",
                   "exp": int(time.time()) + 3600, "iat": int(time.time())})
    monkeypatch.setenv("OCI_RESOURCE_PRINCIPAL_VERSION", "2.2")
    monkeypatch.setenv("OCI_RESOURCE_PRINCIPAL_RPST", rpst)
    monkeypatch.setenv("OCI_RESOURCE_PRINCIPAL_PRIVATE_PEM", pem.decode())
    monkeypatch.setenv("OCI_RESOURCE_PRINCIPAL_REGION", "fra")
    ctx = load_auth(auth="resource_principal")
    assert (ctx.method, ctx.tenancy_id, ctx.region) == ("resource_principal", TENANCY, "eu-frankfurt-1")
    assert ctx.config == {"region": "eu-frankfurt-1", "tenancy": TENANCY}
    assert _signed_key_id(ctx) == f"ST${rpst}"


def test_resource_principal_without_its_environment_says_which_variable(monkeypatch):
    with pytest.raises(ConfigError, match="OCI_RESOURCE_PRINCIPAL_VERSION"):
        load_auth(auth="resource_principal")
    monkeypatch.setenv("OCI_RESOURCE_PRINCIPAL_VERSION", "2.2")
    with pytest.raises(ConfigError, match=r"OCI_RESOURCE_PRINCIPAL_VERSION=2.2\) failed: .*OCI_RESOURCE_PRINCIPAL_RPST"):
        load_auth(auth="resource-principal")


# ---------------------------------------------------------------------------------------------
# instance principal: a local metadata service + federation endpoint fed with test certificates
# ---------------------------------------------------------------------------------------------
def _cert(subject_ou: str, key, issuer_key=None) -> bytes:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test"),
                      x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, subject_ou)])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=1)).sign(issuer_key or key, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.PEM)


@pytest.fixture()
def metadata_service():
    leaf_key, leaf_pem = _key()
    files = {
        "/opc/v2/instance/region": b"lhr\n",
        "/opc/v2/identity/cert.pem": _cert(f"opc-tenant:{TENANCY}", leaf_key),
        "/opc/v2/identity/key.pem": leaf_pem,
        "/opc/v2/identity/intermediate.pem": _cert("intermediate", rsa.generate_private_key(65537, 2048)),
    }
    token = _token({"sub": "ocid1.instance.oc1.uk-london-1.x", "exp": int(time.time()) + 3600,
                    "iat": int(time.time())})
    seen: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):  # noqa: N802
            seen.append(self.path)
            body = files.get(self.path)
            self.send_response(200 if body else 404)
            self.end_headers()
            self.wfile.write(body or b"")

        def do_POST(self):  # noqa: N802
            seen.append(self.path)
            payload = json.loads(self.rfile.read(int(self.headers["content-length"])))
            ok = self.path == "/v1/x509" and "certificate" in payload and "publicKey" in payload
            self.send_response(200 if ok else 400)
            self.send_header("content-type", "application/json")
            self.end_headers()
            self.wfile.write(json.dumps({"token": token} if ok else {"code": "Bad", "message": "bad"}).encode())

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", files, token, seen
    server.shutdown()
    server.server_close()


def test_instance_principal_uses_the_metadata_service_and_federation_endpoint(metadata_service, monkeypatch):
    base, _, token, seen = metadata_service
    monkeypatch.setenv("OCI_METADATA_BASE_URL", f"{base}/opc/v2")
    ctx = load_auth(auth="instance_principal", federation_endpoint=f"{base}/v1/x509")
    assert (ctx.method, ctx.tenancy_id, ctx.region) == ("instance_principal", TENANCY, "uk-london-1")
    assert _signed_key_id(ctx) == f"ST${token}"
    assert "/v1/x509" in seen and "/opc/v2/identity/cert.pem" in seen


def test_instance_principal_off_an_instance_is_a_clear_error(metadata_service, monkeypatch):
    base, files, _, _ = metadata_service
    del files["/opc/v2/identity/cert.pem"]  # 404 from the metadata service: not retried
    monkeypatch.setenv("OCI_METADATA_BASE_URL", f"{base}/opc/v2")
    with pytest.raises(ConfigError, match=r"instance principal auth failed via the metadata service .*OCI_METADATA_BASE_URL"):
        load_auth(auth="instance_principal", federation_endpoint=f"{base}/v1/x509")

"""Turn "who am I" into an OCI ``config`` dict and a request signer, the way the OCI CLI would.

Four modes, chosen by ``auth=`` (or ``OCI_CLI_AUTH``, default ``api_key``):

- ``api_key``: a profile of an OCI config file (``--config-file`` / ``OCI_CLI_CONFIG_FILE`` /
  ``~/.oci/config``; profile ``--profile`` / ``OCI_CLI_PROFILE`` / ``DEFAULT``);
- ``security_token``: a profile written by ``oci session authenticate`` (``security_token_file`` +
  ``key_file``);
- ``instance_principal``: the instance's certificate from the metadata service
  (``OCI_METADATA_BASE_URL`` overrides ``http://169.254.169.254/opc/v2``);
- ``resource_principal``: OCI Data Science notebooks, Functions, jobs
  (``OCI_RESOURCE_PRINCIPAL_VERSION`` and friends).

The SDK reads none of the ``OCI_CLI_*`` variables, so this module maps them. Every
misconfiguration becomes a :class:`~reportkit.errors.ConfigError` naming the file and the field;
no message ever contains a key, passphrase or token.
"""
from __future__ import annotations

import configparser
import math
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reportkit.errors import ConfigError

AUTH_MODES = ("api_key", "security_token", "instance_principal", "resource_principal")
DEFAULT_CONFIG_FILE = "~/.oci/config"
DEFAULT_PROFILE = "DEFAULT"
_API_KEY_FIELDS = ("user", "fingerprint", "key_file", "tenancy", "region")
_TOKEN_FIELDS = ("security_token_file", "key_file", "tenancy", "region")


@dataclass(frozen=True)
class AuthContext:
    """What every OCI client needs: ``config`` (dict) and ``signer``, plus who/where we are.

    ``source`` says where the credentials came from (file and profile, or the principal kind), for
    messages and the snapshot manifest. ``repr`` never shows the config (it may hold a passphrase).
    """

    config: dict[str, Any] = field(repr=False)
    signer: Any = field(repr=False)
    tenancy_id: str
    region: str
    method: str
    source: str = ""


def load_auth(
    profile: str | None = None,
    config_file: str | os.PathLike[str] | None = None,
    auth: str | None = None,
    region: str | None = None,
    *,
    federation_endpoint: str | None = None,
) -> AuthContext:
    """Return the :class:`AuthContext` for the requested auth mode.

    Explicit arguments win over ``OCI_CLI_PROFILE`` / ``OCI_CLI_CONFIG_FILE`` / ``OCI_CLI_AUTH`` /
    ``OCI_CLI_REGION``, which win over the defaults. ``region`` overrides the profile's region
    (or the principal's own region). ``federation_endpoint`` only matters for instance principals
    (the SDK derives ``https://auth.<region>.oraclecloud.com/v1/x509`` otherwise).
    Raises :class:`ConfigError` with the file and field at fault.
    """
    mode = (auth or os.environ.get("OCI_CLI_AUTH") or "api_key").strip().lower().replace("-", "_")
    if mode not in AUTH_MODES:
        raise ConfigError(f"unknown auth mode {mode!r} (from {'--auth' if auth else 'OCI_CLI_AUTH'}); "
                          f"use one of: {', '.join(AUTH_MODES)}")
    region = _normalise_region(region or os.environ.get("OCI_CLI_REGION") or None)
    if mode in ("api_key", "security_token"):
        path = _config_path(config_file)
        name = profile or os.environ.get("OCI_CLI_PROFILE") or DEFAULT_PROFILE
        section = _read_profile(path, name)
        if mode == "api_key":
            return _api_key(path, name, section, region)
        return _security_token(path, name, section, region)
    if mode == "instance_principal":
        return _instance_principal(region, federation_endpoint)
    return _resource_principal(region)


# --------------------------------------------------------------------------------------------
# Config file modes
# --------------------------------------------------------------------------------------------
def _config_path(config_file: str | os.PathLike[str] | None) -> Path:
    if config_file:
        origin, raw = "--config-file", str(config_file)
    elif os.environ.get("OCI_CLI_CONFIG_FILE"):
        origin, raw = "OCI_CLI_CONFIG_FILE", os.environ["OCI_CLI_CONFIG_FILE"]
    else:
        origin, raw = "the default location", DEFAULT_CONFIG_FILE
        # the SDK's own fallback: OCI_CONFIG_FILE only when ~/.oci/config does not exist
        if not Path(raw).expanduser().is_file() and os.environ.get("OCI_CONFIG_FILE"):
            origin, raw = "OCI_CONFIG_FILE", os.environ["OCI_CONFIG_FILE"]
    path = Path(raw).expanduser()
    if not path.is_file():
        raise ConfigError(f"OCI config file {path} not found (from {origin}); create it with "
                          f"`oci setup config` or pass --config-file / set OCI_CLI_CONFIG_FILE")
    return path


def _read_profile(path: Path, name: str) -> dict[str, str]:
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(path, encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError) as exc:
        raise ConfigError(f"OCI config file {path} cannot be parsed: {type(exc).__name__} "
                          f"(check the [PROFILE] headers and key = value lines)") from None
    # configparser always "has" DEFAULT; it only exists for us when the file defines it
    has_default = bool(parser.defaults())
    profiles = ([DEFAULT_PROFILE] if has_default else []) + parser.sections()
    if name not in profiles:
        listed = ", ".join(profiles) if profiles else "none"
        raise ConfigError(f"profile {name!r} not found in OCI config file {path}; profiles there: {listed} "
                          f"(pass --profile or set OCI_CLI_PROFILE)")
    return dict(parser[name])


def _require(path: Path, name: str, section: dict[str, str], fields: tuple[str, ...], region: str | None) -> None:
    missing = [f for f in fields if not section.get(f) and not (f == "region" and region)]
    if missing:
        raise ConfigError(f"OCI config file {path}, profile [{name}]: missing field(s) {', '.join(missing)}")


def _load_key(path: Path, name: str, section: dict[str, str]) -> Any:
    import oci

    key_path = Path(section["key_file"]).expanduser()
    if not key_path.is_file():
        raise ConfigError(f"OCI config file {path}, profile [{name}]: key_file {key_path} does not exist "
                          f"(fix the key_file path)")
    passphrase = section.get("pass_phrase") or None
    try:
        return oci.signer.load_private_key_from_file(str(key_path), passphrase)
    except oci.exceptions.MissingPrivateKeyPassphrase:
        raise ConfigError(f"OCI config file {path}, profile [{name}]: key_file {key_path} is passphrase-protected "
                          f"but the profile has no pass_phrase (add pass_phrase = ...)") from None
    except (oci.exceptions.InvalidPrivateKey, ValueError):
        what = "the pass_phrase does not decrypt it" if passphrase else "it is not a readable PEM private key"
        raise ConfigError(f"OCI config file {path}, profile [{name}]: key_file {key_path}: {what}") from None
    except OSError as exc:
        raise ConfigError(f"OCI config file {path}, profile [{name}]: key_file {key_path} cannot be read "
                          f"({exc.strerror})") from None


def _api_key(path: Path, name: str, section: dict[str, str], region: str | None) -> AuthContext:
    import oci

    _require(path, name, section, _API_KEY_FIELDS, region)
    _load_key(path, name, section)  # clear messages for the key before the SDK's own checks
    try:
        config = oci.config.from_file(str(path), name)
    except Exception as exc:  # noqa: BLE001 - every SDK complaint becomes a ConfigError naming the file
        raise ConfigError(f"OCI config file {path}, profile [{name}]: {_first_line(exc)}") from None
    if region:
        config["region"] = region
    config["region"] = _normalise_region(config["region"])
    try:
        oci.config.validate_config(config)
    except oci.exceptions.InvalidConfig as exc:
        detail = exc.args[0] if exc.args and isinstance(exc.args[0], dict) else {}
        fields = ", ".join(f"{k} is {v}" for k, v in detail.items()) or "invalid"
        raise ConfigError(f"OCI config file {path}, profile [{name}]: {fields}") from None
    signer = oci.signer.Signer(
        tenancy=config["tenancy"], user=config["user"], fingerprint=config["fingerprint"],
        private_key_file_location=config["key_file"], pass_phrase=config.get("pass_phrase"),
    )
    return AuthContext(config, signer, config["tenancy"], config["region"], "api_key", f"{path} [{name}]")


def _security_token(path: Path, name: str, section: dict[str, str], region: str | None) -> AuthContext:
    import jwt
    import oci

    _require(path, name, section, _TOKEN_FIELDS, region)
    token_path = Path(section["security_token_file"]).expanduser()
    if not token_path.is_file():
        raise ConfigError(f"OCI config file {path}, profile [{name}]: security_token_file {token_path} does not "
                          f"exist (run `oci session authenticate --profile-name {name}`)")
    not_a_token = ConfigError(f"OCI config file {path}, profile [{name}]: security_token_file {token_path} does not "
                              f"hold a session token (run `oci session authenticate --profile-name {name}`)")
    try:
        token = token_path.read_text(encoding="utf-8").strip()
        claims = jwt.decode(token, options={"verify_signature": False})
    except (OSError, UnicodeDecodeError, jwt.PyJWTError):
        raise not_a_token from None
    expires = claims.get("exp") if isinstance(claims, dict) else None
    if expires is not None and (isinstance(expires, bool) or not isinstance(expires, (int, float))
                                or not math.isfinite(expires)):
        raise ConfigError(f"OCI config file {path}, profile [{name}]: the session token in {token_path} has an "
                          f"expiry ('exp') that is not a time ({str(expires)[:40]!r}); authenticate again")
    if expires is not None and expires < time.time():
        raise ConfigError(f"OCI config file {path}, profile [{name}]: the session token in {token_path} has expired "
                          f"(run `oci session refresh --profile {name}` or authenticate again)")
    key = _load_key(path, name, section)
    config = dict(section)
    config["region"] = _normalise_region(region or section["region"])
    signer = oci.auth.signers.SecurityTokenSigner(token=token, private_key=key)
    return AuthContext(config, signer, section["tenancy"], config["region"], "security_token", f"{path} [{name}]")


# --------------------------------------------------------------------------------------------
# Principals
# --------------------------------------------------------------------------------------------
def _instance_principal(region: str | None, federation_endpoint: str | None) -> AuthContext:
    import oci

    base = os.environ.get("OCI_METADATA_BASE_URL", "http://169.254.169.254/opc/v2")
    # A short retry budget: the SDK default retries the metadata service for 3 minutes, which
    # turns "not on an OCI instance" into a long hang.
    retry = oci.retry.RetryStrategyBuilder(max_attempts=3, total_elapsed_time_seconds=15,
                                           retry_max_wait_between_calls_seconds=2).get_retry_strategy()
    kwargs: dict[str, Any] = {"retry_strategy": retry}
    if federation_endpoint:
        kwargs["federation_endpoint"] = federation_endpoint
    try:
        signer = oci.auth.signers.InstancePrincipalsSecurityTokenSigner(**kwargs)
    except Exception as exc:  # noqa: BLE001 - network, certificate and token errors all mean "not usable"
        raise ConfigError(f"instance principal auth failed via the metadata service {base} "
                          f"({type(exc).__name__}: {_first_line(exc)}); run on an OCI instance in a dynamic group, "
                          f"or set OCI_METADATA_BASE_URL") from None
    final_region = region or _normalise_region(signer.region)
    config = {"region": final_region, "tenancy": signer.tenancy_id}
    return AuthContext(config, signer, signer.tenancy_id, final_region, "instance_principal", base)


def _resource_principal(region: str | None) -> AuthContext:
    import oci

    version = os.environ.get("OCI_RESOURCE_PRINCIPAL_VERSION")
    if not version:
        raise ConfigError("resource principal auth needs the environment variable OCI_RESOURCE_PRINCIPAL_VERSION "
                          "(set by OCI Data Science notebooks, Functions and jobs); it is not set")
    try:
        signer = oci.auth.signers.get_resource_principals_signer()
    except Exception as exc:  # noqa: BLE001 - missing env, unreadable PEM, malformed RPST
        raise ConfigError(f"resource principal auth (OCI_RESOURCE_PRINCIPAL_VERSION={version}) failed: "
                          f"{type(exc).__name__}: {_first_line(exc)}; check OCI_RESOURCE_PRINCIPAL_RPST, "
                          f"OCI_RESOURCE_PRINCIPAL_PRIVATE_PEM and OCI_RESOURCE_PRINCIPAL_REGION") from None
    final_region = region or _normalise_region(getattr(signer, "region", None))
    if not final_region:
        raise ConfigError("resource principal auth: no region (set OCI_RESOURCE_PRINCIPAL_REGION or pass --regions)")
    tenancy = getattr(signer, "tenancy_id", None)
    if not tenancy:
        raise ConfigError("resource principal auth: the session token has no res_tenant claim (tenancy OCID)")
    config = {"region": final_region, "tenancy": tenancy}
    return AuthContext(config, signer, tenancy, final_region, "resource_principal",
                       f"OCI_RESOURCE_PRINCIPAL_VERSION={version}")


# --------------------------------------------------------------------------------------------
def _normalise_region(region: str | None) -> str | None:
    """Short codes (``lhr``) become names (``uk-london-1``); anything else is kept as given."""
    if not region:
        return region
    from reportkit.regions import region_name

    return region_name(region.strip())


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:300] if text else type(exc).__name__

"""Collect's SDK clients read the proxy and CA-bundle environment once, with requests' own rules.

(A performance fix: requests otherwise walks os.environ on every request. The settings must
stay exactly what requests would have used per request.)
"""
from __future__ import annotations

from pathlib import Path

import pytest

from reportkit.auth import load_auth
from reportkit.collection.calls import OciCaller, Tuning
from reportkit.sim import write_oci_config

TENANCY = "ocid1.tenancy.oc1..aaaaaaaaenvtest"


@pytest.fixture
def caller_for(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "all_proxy",
                 "no_proxy", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        monkeypatch.delenv(name, raising=False)
    config, profile = write_oci_config(tmp_path, tenancy_id=TENANCY)

    def make(template: str) -> OciCaller:
        return OciCaller(load_auth(profile=profile, config_file=config), endpoint_template=template, tuning=Tuning())
    return make


def test_proxy_and_bundle_are_resolved_once_per_client(caller_for, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("NO_PROXY", "internal.example")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/corp-ca.pem")
    session = caller_for("https://iaas.{region}.oraclecloud.com").client("blockstorage", "uk-london-1") \
        .base_client.session
    assert session.trust_env is False
    assert session.proxies.get("https") == "http://proxy.example:3128"
    assert session.verify == "/etc/corp-ca.pem"


def test_no_proxy_hosts_get_no_proxy(caller_for, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("NO_PROXY", "internal.example")
    session = caller_for("https://{region}.internal.example").client("blockstorage", "uk-london-1") \
        .base_client.session
    assert session.trust_env is False
    assert "https" not in session.proxies
    assert session.verify is True  # no bundle variable: the SDK's default stays


def test_settings_equal_what_requests_merges_per_request(caller_for, monkeypatch: pytest.MonkeyPatch) -> None:
    from oci._vendor import requests

    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("CURL_CA_BUNDLE", "/etc/curl-ca.pem")
    url = "https://iaas.uk-london-1.oraclecloud.com/20160918/bootVolumes"
    per_request = requests.Session().merge_environment_settings(url, {}, None, None, None)
    session = caller_for("https://iaas.{region}.oraclecloud.com").client("blockstorage", "uk-london-1") \
        .base_client.session
    once = session.merge_environment_settings(url, {}, None, None, None)
    assert session.trust_env is False
    assert once["proxies"] == per_request["proxies"]
    assert once["verify"] == per_request["verify"] == "/etc/curl-ca.pem"

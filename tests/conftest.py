"""Shared pytest fixtures. Keep each fixture small; other parts append theirs below."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from reportkit.sim import SimServer, write_oci_config
from sim_fixtures import TENANCY, build_fixture_tenancy


@pytest.fixture(scope="session", autouse=True)
def _hermetic_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Point the default data folder at an empty temporary one for the whole session, so a developer's
    data/ (snapshots, an edited image_overrides.csv) never changes what a test sees."""
    import os

    saved = {name: os.environ.get(name) for name in ("REPORTKIT_DATA", "REPORTKIT_SNAPSHOTS")}
    os.environ["REPORTKIT_DATA"] = str(tmp_path_factory.mktemp("data"))
    os.environ.pop("REPORTKIT_SNAPSHOTS", None)
    yield
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture(scope="session")
def _sim_server() -> Iterator[SimServer]:
    with SimServer(build_fixture_tenancy()) as server:
        yield server


@pytest.fixture
def sim(_sim_server: SimServer) -> SimServer:
    """A running fake OCI API loaded with tests/sim_fixtures.py, reset (state, knobs, log) per test."""
    _sim_server.load(build_fixture_tenancy())
    _sim_server.reset()
    return _sim_server


@pytest.fixture(scope="module")
def _module_sim(request: pytest.FixtureRequest) -> Iterator[SimServer]:
    """A fake of the test module's own (a bounded run that failed may still be talking to it), serving the
    module's ``DOCUMENT()`` (default: the fixture tenancy)."""
    build = getattr(request.module, "DOCUMENT", build_fixture_tenancy)
    with SimServer(build()) as server:
        yield server


@pytest.fixture
def fake(_module_sim: SimServer, request: pytest.FixtureRequest) -> SimServer:
    """The module's own fake, reloaded with its ``DOCUMENT()`` and reset (state, knobs, log) per test."""
    _module_sim.load(getattr(request.module, "DOCUMENT", build_fixture_tenancy)())
    _module_sim.reset()
    return _module_sim


@pytest.fixture(scope="session")
def oci_config_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """(config path, profile) of a throwaway ``oci`` config for the fixture tenancy (region uk-london-1)."""
    return write_oci_config(tmp_path_factory.mktemp("oci"), tenancy_id=TENANCY)


@pytest.fixture(scope="session")
def oci_config(oci_config_file: tuple[Path, str]) -> dict[str, Any]:
    """An ``oci`` config dict for SDK clients; pass ``service_endpoint=sim.endpoint(region)`` to each."""
    import oci

    path, profile = oci_config_file
    return oci.config.from_file(str(path), profile)


@pytest.fixture(scope="session")
def report_history(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A 3-month snapshot history (tests/report_fixtures.py): ``snapshots`` (oldest first), ``history``."""
    from report_fixtures import build_history

    base = tmp_path_factory.mktemp("report-history")
    return {"snapshots": build_history(base / "snapshots"), "history": base / "snapshots"}


@pytest.fixture(scope="session")
def rendered_reports(report_history: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Report tests: the coverage and monthly reports of :func:`report_history`, rendered ONCE per
    session (a kernel start costs seconds). Tests using it are slow (they pay for the renders)."""
    from reportkit.report import render_report

    out = tmp_path_factory.mktemp("reports") / "out"
    snapshots = report_history["snapshots"]
    return {
        **report_history, "out": out,
        "coverage": render_report("coverage", parameters={"snapshot": str(snapshots[-1])}, out_dir=out),
        "monthly": render_report("monthly", parameters={"history": str(report_history["history"])}, out_dir=out),
    }


#: session fixtures that cost seconds: whatever uses them is marked slow, so `make test-fast` skips it
_SLOW_FIXTURES = frozenset({"rendered_reports", "demo_collection"})


#: tests whose work runs in the background from the end of collection (subprocesses, on the second core),
#: name -> (module, function starting it); the tests run last and wait for it
_BACKGROUND = {"test_make_setup_in_a_fresh_copy_installs_quietly_once": ("test_makefile", "start_fresh_setup"),
               "test_the_readme_walkthrough_runs_line_by_line_and_ends_with_real_numbers": ("test_readme",
                                                                                          "start_walkthrough")}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark slow whatever renders the report notebooks or collects the demo tenancy; run the background
    tests last."""
    for item in items:
        if _SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
    items.sort(key=lambda item: item.name in _BACKGROUND)


def pytest_collection_finish(session: pytest.Session) -> None:
    """Start the work of every selected background test (see _BACKGROUND)."""
    import importlib

    selected = {item.name for item in session.items}
    for name, (module, function) in _BACKGROUND.items():
        if name in selected:
            getattr(importlib.import_module(module), function)()


#: the demo tenancy is collected under this name: every test of it also sees a hostile tenancy name
HOSTILE_TENANCY = "../../etc"
_SESSION_TOKEN = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.c2VjcmV0LXNlc3Npb24tdG9rZW4.U0lHTkFUVVJFLVNFQ1JFVA"


@pytest.fixture(scope="session")
def demo_collection(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The demo tenancy, collected ONCE per session the way a user does it: ``reportkit collect`` (the
    real SDK over HTTP to the fake), under a hostile tenancy name, with an oci config holding secrets
    that tests/test_security.py looks for in every output.

    Returns ``document`` (as served), ``inventory`` and ``snapshot`` (stamped with the demo's ``asOf``,
    as ``reportkit demo`` does, so verdicts are the ones the generator intended), and for the
    security tests ``cli_snapshot`` (as the CLI wrote it, under ``out``), ``base``, ``out``,
    ``config``, ``profile``, ``secrets`` and ``printed`` (what collect printed); ``requests`` is
    the fake's request log of the collection. Serve ``copy.deepcopy(document)``: it is shared.
    """
    import contextlib
    import io

    import pandas as pd

    from reportkit.cli import main
    from reportkit.demo import stamp_inventory
    from reportkit.sim.demo import build_demo_tenancy
    from reportkit.snapshot import load_snapshot, save_snapshot

    document = build_demo_tenancy()
    document["tenancy"]["name"] = HOSTILE_TENANCY
    base = tmp_path_factory.mktemp("demo")
    out = base / "work" / "out"  # "../../etc" from the snapshot root must not reach base/etc
    secret_dir = base / "secret-oci-dir"
    config_path, profile = write_oci_config(secret_dir, tenancy_id=document["tenancy"]["id"])
    token_file = secret_dir / "session_token"
    token_file.write_text(_SESSION_TOKEN)
    # an extra field the api_key mode ignores: its value (and the token file) must not travel either
    config_path.write_text(config_path.read_text() + f"security_token_file={token_file}\n")
    fields = dict(line.split("=", 1) for line in config_path.read_text().splitlines()
                  if "=" in line and not line.startswith("#"))
    key_path = secret_dir / "sim_api_key.pem"
    body = [line for line in key_path.read_text().splitlines()
            if line and not line.startswith("-----") and line != "OCI_API_KEY"]
    secrets = {
        "key file path": str(key_path), "fingerprint": fields["fingerprint"],
        "fingerprint (no colons)": fields["fingerprint"].replace(":", ""), "session token": _SESSION_TOKEN,
        "token file path": str(token_file), "config line user=": f"user={fields['user']}",
        "config line key_file=": f"key_file={fields['key_file']}",
        "config line fingerprint=": f"fingerprint={fields['fingerprint']}",
        **{f"private key line {i}": body[i] for i in (1, len(body) // 2, len(body) - 2)},
    }
    printed = io.StringIO()
    with SimServer(document) as server, contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
        code = main(["collect", "--config-file", str(config_path), "--profile", profile, "--endpoint-template",
                     server.endpoint_template, "--out", str(out / "snapshots"), "--no-progress"])
        requests = server.requests()
    assert code == 0, printed.getvalue()
    cli_snapshot = next(p.parent for p in (out / "snapshots").rglob("manifest.json"))
    inventory = stamp_inventory(load_snapshot(cli_snapshot), pd.Timestamp(document["asOf"]))
    return {"document": document, "inventory": inventory,
            "snapshot": save_snapshot(inventory, tmp_path_factory.mktemp("demo-stamped")),
            "cli_snapshot": cli_snapshot, "base": base, "out": out, "config": config_path, "profile": profile,
            "secrets": secrets, "printed": printed.getvalue(), "requests": requests}


@pytest.fixture
def restorable_sim(sim: SimServer) -> SimServer:
    """The fake loaded with sim_fixtures.build_restorable_tenancy: shapes, image shape compatibility,
    vaults and keys (reset per test like ``sim``)."""
    from sim_fixtures import build_restorable_tenancy

    sim.load(build_restorable_tenancy())
    return sim


@pytest.fixture(scope="session")
def regional_clients(oci_config: dict[str, Any], _sim_server: SimServer) -> Any:
    """``clients(cls)`` -> {region: SDK client of ``cls``} for the fixture regions, made once per session
    (a client costs ~70 ms) and pointed at the session's fake whatever document it holds."""
    from sim_fixtures import FRA, IAD, LHR, client

    made: dict[type, dict[str, Any]] = {}

    def clients(cls: type) -> dict[str, Any]:
        if cls not in made:
            made[cls] = {region: client(cls, oci_config, _sim_server, region) for region in (LHR, FRA, IAD)}
        return made[cls]

    return clients

"""Shared pytest fixtures. Keep each fixture small; other parts append theirs below."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from reportkit.sim import SimServer, write_oci_config
from sim_fixtures import TENANCY, build_fixture_tenancy


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
def rendered_reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Report tests: a 3-month snapshot history (tests/report_fixtures.py) and the coverage and
    monthly reports rendered from it ONCE per session (a kernel start costs seconds)."""
    from report_fixtures import build_history

    from reportkit.report import render_report

    base = tmp_path_factory.mktemp("reports")
    snapshots = build_history(base / "snapshots")
    out = base / "out"
    return {
        "snapshots": snapshots, "history": base / "snapshots", "out": out,
        "coverage": render_report("coverage", parameters={"snapshot": str(snapshots[-1])}, out_dir=out),
        "monthly": render_report("monthly", parameters={"history": str(base / "snapshots")}, out_dir=out),
    }


@pytest.fixture(scope="session")
def demo_collection(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The demo tenancy served by its own fake, collected ONCE per session with the real SDK.

    Returns ``{"document", "inventory", "snapshot"}``; the inventory is stamped with the demo's
    ``asOf`` (as ``reportkit demo`` does) and saved as a snapshot.
    """
    import pandas as pd

    from reportkit.collection import collect
    from reportkit.demo import stamp_inventory
    from reportkit.sim.demo import build_demo_tenancy
    from reportkit.snapshot import save_snapshot

    document = build_demo_tenancy()
    base = tmp_path_factory.mktemp("demo")
    with SimServer(document) as server:
        config_path, profile = write_oci_config(base / "oci", tenancy_id=server.tenancy_id)
        inventory = collect(profile, config_file=config_path, endpoint_template=server.endpoint_template,
                            progress=False)
    inventory = stamp_inventory(inventory, pd.Timestamp(document["asOf"]))
    return {"document": document, "inventory": inventory,
            "snapshot": save_snapshot(inventory, base / "snapshots")}

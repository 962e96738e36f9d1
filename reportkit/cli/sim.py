"""`reportkit sim serve`: run the fake OCI API on 127.0.0.1 until Ctrl-C, with a ready `oci` config."""
from __future__ import annotations

import argparse
import json
import tempfile
import threading
from collections import Counter
from pathlib import Path
from typing import Any

from reportkit.errors import InputError

_EPILOG = """\
The fake speaks the OCI REST API for the regions of the tenancy document. Point the SDK at
service_endpoint=<template with {region} filled in>, or the oci CLI at --endpoint; the config file
printed here signs requests with a throwaway key. Admin endpoints: <url>/_sim/reset, /_sim/tenancy,
/_sim/clock, /_sim/clock/advance, /_sim/requests, /_sim/knobs, /_sim/regions.
"""


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("sim", help="the fake OCI API (for demos and tests)", description=__doc__)
    sub = p.add_subparsers(dest="sim_command", metavar="SIM_COMMAND")
    serve = sub.add_parser("serve", help="serve the fake OCI API until Ctrl-C", description=__doc__,
                           epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    serve.add_argument("--port", type=int, default=0, help="TCP port on 127.0.0.1 (default: any free port)")
    serve.add_argument("--tenancy", default="demo",
                       help="'demo' (the built-in demo tenancy) or a tenancy document JSON file")
    serve.add_argument("--config-dir", type=Path,
                       help="where to write the oci config and key (default: a new temporary folder)")
    serve.set_defaults(func=run_serve)
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])


def load_tenancy(source: str) -> dict[str, Any]:
    """Return the tenancy document named by ``source``: 'demo' or a JSON file path."""
    if source == "demo":
        try:
            from reportkit.sim.demo import build_demo_tenancy
        except ImportError as exc:
            raise InputError(f"the demo tenancy is not available ({exc}); pass --tenancy FILE with a "
                             "tenancy document JSON file instead") from exc
        return build_demo_tenancy()
    path = Path(source)
    if not path.is_file():
        raise InputError(f"--tenancy {source}: no such file; pass 'demo' or a tenancy document JSON file")
    try:
        doc = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise InputError(f"--tenancy {source}: not a readable JSON file ({exc})") from exc
    return doc


def run_serve(args: argparse.Namespace) -> int:
    from reportkit.sim import SimServer, write_oci_config

    doc = load_tenancy(args.tenancy)
    try:
        server = SimServer(doc, port=args.port)
    except OSError as exc:
        raise InputError(f"cannot listen on 127.0.0.1:{args.port} ({exc}); pick another --port") from exc
    home = next((s["regionName"] for s in doc.get("regionSubscriptions", []) if s.get("isHomeRegion")),
                None) or "uk-london-1"
    config_dir = args.config_dir or Path(tempfile.mkdtemp(prefix="reportkit-sim-"))
    with server:
        config_path, profile = write_oci_config(config_dir, server.endpoint_template,
                                                tenancy_id=server.tenancy_id, region=home)
        # the example lists the home-region compartment holding the most backups, so it shows something
        per_compartment = Counter(b.get("compartmentId") for b in doc.get("bootVolumeBackups", {}).get(home, []))
        first = per_compartment.most_common(1)[0][0] if per_compartment else server.tenancy_id
        print(f"endpoint template: {server.endpoint_template}", flush=True)
        print(f"oci config: {config_path} (profile {profile})", flush=True)
        print(f"tenancy: {server.tenancy_id}  regions: {', '.join(server.backend.identity.subscribed_region_names())}",
              flush=True)
        print("try:", flush=True)
        print(f"  oci --config-file {config_path} --profile {profile} bv boot-volume-backup list --all "
              f"--compartment-id {first} --endpoint {server.endpoint(home)}", flush=True)
        print(f"admin: {server.url}/_sim/requests  (Ctrl-C to stop)", flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            print("stopped", flush=True)
    return 0

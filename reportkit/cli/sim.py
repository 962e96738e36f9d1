"""`reportkit sim serve`: run the fake OCI API on 127.0.0.1 until Ctrl-C, with a ready `oci` config."""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

_EPILOG = """\
The fake speaks the OCI REST API for the regions of the tenancy document. Point the SDK at
service_endpoint=<template with {region} filled in>, or the oci CLI at --endpoint; the config file
printed here signs requests with a throwaway key. Admin endpoints: <url>/_sim/reset, /_sim/tenancy,
/_sim/clock, /_sim/clock/advance, /_sim/clock/rate, /_sim/requests, /_sim/knobs, /_sim/regions,
/_sim/regions/<region>/ready. Every response carries the simulated time in an opc-sim-time header.
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
    serve.add_argument("--clock-rate", type=float, default=0.0, metavar="R",
                       help="run the simulated clock at R times real time: 0 = frozen (default; copies then "
                            "progress only through /_sim/clock/advance), 1 = real time, 3600 = an hour per second")
    serve.set_defaults(func=run_serve)
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])


def run_serve(args: argparse.Namespace) -> int:
    from reportkit.sim.standalone import ServeOptions, serve_until_interrupted

    options = ServeOptions(tenancy=args.tenancy, port=args.port, config_dir=args.config_dir,
                           clock_rate=args.clock_rate)
    return serve_until_interrupted(options, echo=lambda line: print(line, flush=True))

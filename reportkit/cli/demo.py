"""``reportkit demo``: the whole product on the embedded demo tenancy, served by the fake OCI API."""
from __future__ import annotations

import argparse

from reportkit.cli._options import SNAPSHOT_ROOT_HELP
from reportkit.settings import current

_HELP = """\
Start the fake OCI API (reportkit.sim) on 127.0.0.1 with the built-in demo tenancy, collect it with
the real oci SDK (one snapshot per month end, for the trend report), assess the latest snapshot and
render the coverage and monthly HTML reports. Prints the paths of everything it wrote.
Nothing leaves this machine.

The demo's folders are its own: a re-run replaces the demo tenancy's snapshots (never a snapshot it
did not write), their assessment exports and the reports in <reports>/demo/, instead of adding
copies next to them.
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("demo", help="run collect -> assess -> report on the demo tenancy",
                                   description=_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--snapshots", metavar="DIR", help=f"snapshot root ({SNAPSHOT_ROOT_HELP.removeprefix('where snapshots live (')}")
    parser.add_argument("--out", metavar="DIR", help="reports folder; the demo's go into its demo/ folder "
                                                     "(default: data/reports, so data/reports/demo)")
    parser.add_argument("--assessments", metavar="DIR",
                        help="where the assessment CSV/JSON exports go (default: data/assessments)")
    parser.add_argument("--months", type=int, default=6,
                        help="month-end snapshots to collect for the history (default: %(default)s)")
    parser.add_argument("--collect-only", action="store_true",
                        help="only collect the snapshots (what `make lab` needs)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bars")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from reportkit.demo import run_demo

    settings = current().replace(snapshots=args.snapshots, reports=args.out, assessments=args.assessments)
    result = run_demo(settings, months=args.months, collect_only=args.collect_only, progress=not args.no_progress)
    print(f"\nlatest snapshot: {result.latest_snapshot}")
    if result.assessment_files:
        folder = next(iter(result.assessment_files.values())).parent
        print(f"assessment: {folder}/ ({', '.join(result.assessment_files)})")
    for path in result.reports:
        print(f"report: {path}")
    return 0

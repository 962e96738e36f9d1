"""`reportkit report coverage|monthly|explore`: render a report notebook into one HTML file."""
from __future__ import annotations

import argparse
import sys

from reportkit.cli._options import SNAPSHOT_ROOT_HELP, settings_from

_HELP = """\
Execute a report notebook with papermill and write, into --out, one self-contained HTML file
(no code, nothing fetched from the network), the executed notebook (the audit record), the
findings CSV and summary.json. Names carry the tenancy and date; earlier reports are never
overwritten.

examples:
  reportkit report coverage --snapshot latest -p rpo_days 7
  reportkit report coverage -p copy_targets 'uk-london-1=eu-frankfurt-1'
  reportkit report monthly --month 2025-06 --history data/snapshots
  reportkit report explore -p region uk-london-1 -p status missing
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "report", help="render the coverage, monthly or explore report to HTML", description=_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("kind", choices=["coverage", "monthly", "explore"], help="which report")
    parser.add_argument("--snapshot", help="snapshot folder, a snapshots root, or 'latest' (coverage, explore)")
    parser.add_argument("--snapshot-root", help=SNAPSHOT_ROOT_HELP)
    parser.add_argument("--month", help="month YYYY-MM (monthly; default: the newest snapshot's month)")
    parser.add_argument("--history", help="snapshots folder (monthly; default: --snapshot-root)")
    parser.add_argument("--overrides", metavar="CSV",
                        help="image overrides (default data/image_overrides.csv when it exists; 'none' for none); "
                             "the same as -p image_overrides CSV")
    parser.add_argument("-p", "--parameter", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"),
                        help="set a notebook parameter, e.g. -p rpo_days 7 (repeatable)")
    parser.add_argument("--out", help="output folder (default data/reports)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from reportkit.errors import InputError
    from reportkit.report import render_report

    params: dict[str, str] = {}
    for name, value in args.parameter:
        if name in params:
            raise InputError(f"parameter {name!r} is given twice")
        params[name] = value
    options = {"snapshot": args.snapshot, "month": args.month, "history": args.history,
               "image_overrides": args.overrides}
    for name, value in options.items():
        if value is None:
            continue
        if name in params:
            flag = "overrides" if name == "image_overrides" else name
            raise InputError(f"give {name} either as --{flag} or as -p {name}, not both")
        params[name] = value
    result = render_report(args.kind, parameters=params, out_dir=args.out, settings=settings_from(args),
                           progress=not args.quiet)
    print(result.html)
    for role, path in sorted(result.files.items()):
        if role != "html":
            print(f"  {role}: {path}", file=sys.stderr)
    return 0

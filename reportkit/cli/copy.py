"""`reportkit copy --plan FILE`: a dry run by default; `--execute` makes the copies (the only mutating command)."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

_EPILOG = """\
Without --execute nothing is sent to OCI: the command prints what it would do.
With --execute each copy is requested in its source region with an opc-retry-token derived from
the plan entry, waited for in its destination region, and journaled (JSON lines). Re-running the
same command resumes from the journal without making a second copy; Ctrl-C stops cleanly.
"""


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("copy", help="execute a copy plan (dry run unless --execute)", description=__doc__,
                              epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--plan", type=Path, required=True, help="plan file written by `reportkit plan`")
    p.add_argument("--execute", action="store_true", help="really make the copies (default: dry run)")
    p.add_argument("--journal", type=Path, help="journal file (default: <plan>.journal.jsonl)")
    p.add_argument("--concurrency", type=int, default=4, help="copies in flight at once (default 4)")
    p.add_argument("--poll-interval", type=float, default=30.0, help="seconds between state polls (default 30)")
    p.add_argument("--timeout", type=float, default=6 * 3600.0,
                   help="stop waiting for one copy after this many seconds (default 6 h; a re-run waits again)")
    p.add_argument("--profile", help="OCI config profile (default: OCI_CLI_PROFILE or DEFAULT)")
    p.add_argument("--config-file", help="OCI config file (default: OCI_CLI_CONFIG_FILE or ~/.oci/config)")
    p.add_argument("--auth", help="api_key (default), security_token, instance_principal or resource_principal")
    p.add_argument("--endpoint-template", help="e.g. http://127.0.0.1:8080/{region} (the fake OCI API)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from reportkit.copy import ExecutorOptions, execute_plan
    from reportkit.plan import load_plan

    plan = load_plan(args.plan)
    journal = args.journal or args.plan.with_name(args.plan.name + ".journal.jsonl")
    if not args.execute:
        print("=" * 72)
        print("DRY RUN: no copy will be made. Add --execute to copy.")
        print("=" * 72)
        execute_plan(plan, execute=False, journal_path=journal if journal.exists() else None)
        return 0
    options = ExecutorOptions(concurrency=args.concurrency, poll_interval=args.poll_interval, timeout=args.timeout,
                              profile=args.profile, config_file=args.config_file, auth=args.auth,
                              endpoint_template=args.endpoint_template, progress=not args.no_progress)
    result = execute_plan(plan, options, execute=True, journal_path=journal)
    if result.interrupted:
        print(f"interrupted: journal {journal} is complete up to here; re-run the same command to resume",
              file=sys.stderr)
        return 130
    return 0 if result.ok else 1

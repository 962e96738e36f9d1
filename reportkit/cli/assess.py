"""`reportkit assess`: classify a snapshot's backups and volumes; write CSV findings and summary.json."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from reportkit.errors import InputError

_EPILOG = """\
Writes into --out: backups.csv, volumes.csv, findings.csv, controls.csv, summary.json
(columns documented in docs/assess.md). Exit code 1 when --fail-under is given and coverage is
below it (or cannot be computed), 2 for bad input.

--copy-targets FILE   source region -> destination region(s), as JSON ({"lhr": ["fra", "ams"]})
                      or one 'source: destination[, destination]' per line (lhr: fra)
--overrides CSV       image_id,image_class,note lines that win over image inference
                      (default: data/image_overrides.csv when it exists)

examples:
  reportkit assess --snapshot latest
  reportkit assess --snapshot data/snapshots/acme-2024-06-01T0000Z --rpo-days 1 --fail-under 95
"""

DEFAULT_OVERRIDES = Path("data/image_overrides.csv")


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("assess", help="assess cross-region copy coverage of a snapshot; write CSV + JSON",
                              description=__doc__, epilog=_EPILOG,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--snapshot", default="latest", help="snapshot folder, or 'latest' (default)")
    p.add_argument("--snapshot-root", help="where snapshots live (default $REPORTKIT_SNAPSHOTS or data/snapshots)")
    p.add_argument("--rpo-days", default="7", help="a copy of a backup older than this many days is stale (default 7)")
    p.add_argument("--as-of", help="instant to judge, ISO 8601 (default: when the snapshot was collected)")
    p.add_argument("--copy-targets", type=Path, help="file: source region -> destination region(s)")
    p.add_argument("--overrides", type=Path, help="image overrides CSV (default data/image_overrides.csv if present)")
    p.add_argument("--out", type=Path, default=Path("data/assessments"), help="output folder (default data/assessments)")
    p.add_argument("--fail-under", type=float, metavar="PCT", help="exit 1 when coverage %% is below PCT")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from reportkit.assess import assess, export_assessment, load_image_overrides, read_copy_targets
    from reportkit.snapshot import load_snapshot

    if args.fail_under is not None and not 0 <= args.fail_under <= 100:
        raise InputError(f"--fail-under must be a percentage between 0 and 100, got {args.fail_under}")
    targets = read_copy_targets(args.copy_targets) if args.copy_targets else None
    overrides_path = args.overrides or (DEFAULT_OVERRIDES if DEFAULT_OVERRIDES.exists() else None)
    overrides = load_image_overrides(overrides_path) if overrides_path else None
    inventory = load_snapshot(args.snapshot, root=args.snapshot_root)  # None: the default root
    result = assess(inventory, rpo_days=args.rpo_days, as_of=args.as_of, copy_targets=targets,
                    image_overrides=overrides)
    written = export_assessment(result, args.out)
    print(format_summary(result))
    folder = next(iter(written.values())).parent  # args.out, or args.out-N when that already held an export
    print(f"wrote {len(written)} files to {folder}/: {', '.join(sorted(written))}")
    if args.fail_under is not None:
        pct = result.summary.coverage_pct
        if pct is None or pct < args.fail_under:
            shown = "n/a" if pct is None else f"{pct:.1f}%"
            print(f"coverage {shown} is below --fail-under {args.fail_under:g}%", file=sys.stderr)
            return 1
    return 0


def format_summary(result: Any) -> str:
    """One screen of text: headline coverage, status counts, and findings per control."""
    s = result.summary
    meta = result.metadata
    pct = "n/a (nothing assessable)" if s.coverage_pct is None else f"{s.coverage_pct:.1f}%"
    lines = [
        f"tenancy {meta.tenancy_name}  as of {s.as_of.isoformat()}  rpo {s.rpo_days} days",
        f"coverage {pct} = covered {s.covered} / (volumes {s.total_volumes} - ineligible {s.ineligible}"
        f" - unknown {s.unknown})",
        "  " + "  ".join(f"{name} {getattr(s, name)}" for name in (
            "covered", "stale", "in_progress", "failed", "missing", "no_backup", "ineligible", "unknown")),
    ]
    if s.collection_gaps:
        lines.append(f"  collection errors: {s.collection_gaps} (data we could not read counts as unknown)")
    lines.append("controls (non-compliant / unknown):")
    for row in result.controls.itertuples(index=False):  # nine rows: not a loop over resources
        if row.non_compliant or row.unknown:
            lines.append(f"  {row.control:<24} {row.severity:<6} {row.non_compliant:>7} / {row.unknown}")
    return "\n".join(lines)

"""`reportkit assess`: classify a snapshot's backups and volumes; write CSV findings and summary.json."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from reportkit.cli._options import add_assessment, add_snapshot, assessment_options, settings_from

_EPILOG = """\
Writes into --out: backups.csv, group_backups.csv, items.csv, volumes.csv, findings.csv,
controls.csv, summary.json (columns documented in docs/assess.md). Exit code 1 when --fail-under
is given and the restorable percentage (covered / every volume; unknown counts as not covered) is
below it (or cannot be computed), 2 for bad input.

--copy-targets FILE   source region -> destination region(s), as JSON ({"lhr": ["fra", "ams"]})
                      or one 'source: destination[, destination]' per line (lhr: fra)
--accept KINDS        copy,group_copy,replica (default): the protection kinds that may cover a volume
--overrides CSV       image_id,image_class,note lines that win over image inference
                      (default: data/image_overrides.csv when it exists). The same file is applied
                      by `reportkit plan`, `reportkit report` and `reportkit demo`.

A snapshot older than the RPO at --as-of is said first: its copies may look stale only because
the data is old.

examples:
  reportkit assess --snapshot latest
  reportkit assess --snapshot latest --as-of 2026-11-01 --rpo-days 1
  reportkit assess --snapshot data/snapshots/tenancy=acme-corp/date=2026-11-01/20261101T000000Z --fail-under 95
  reportkit assess --snapshot latest --accept copy,group_copy        # replicas do not count
"""

def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("assess", help="assess cross-region copy coverage of a snapshot; write CSV + JSON",
                              description=__doc__, epilog=_EPILOG,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    add_snapshot(p)
    add_assessment(p)
    p.add_argument("--out", type=Path,
                   help="output folder (default data/assessments/tenancy=<t>/date=<d>/<run>, after the snapshot)")
    p.add_argument("--fail-under", type=float, metavar="PCT",
                   help="exit 1 when the restorable %% (covered / every volume in scope) is below PCT")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from reportkit import pipeline

    settings = settings_from(args)
    assessed = pipeline.assess_snapshot(args.snapshot, settings, **assessment_options(args))
    written = pipeline.export(assessed, args.out, settings)
    result = assessed.assessment
    print(format_summary(result))
    folder = next(iter(written.values())).parent  # the folder asked for, or folder-N when that already held an export
    print(f"wrote {len(written)} files to {folder}/: {', '.join(sorted(written))}")
    if args.fail_under is not None:
        pct = result.summary.restorable_pct
        if pct is None or pct < args.fail_under:
            shown = "n/a" if pct is None else f"{pct:.1f}%"
            print(f"restorable {shown} is below --fail-under {args.fail_under:g}%", file=sys.stderr)
            return 1
    return 0


def format_summary(result: Any) -> str:
    """One screen of text: old data said first, the headline sentence and percentages, status counts,
    findings per control."""
    from reportkit.report.views.blocks import stale_data_note

    s = result.summary
    meta = result.metadata

    def pct(value: float | None) -> str:
        return "n/a" if value is None else f"{value:.1f}%"

    stale = stale_data_note(meta, s)
    lines = [f"WARNING: {stale}"] if stale else []
    lines += [
        f"tenancy {meta.tenancy_name}  as of {s.as_of.isoformat()}  rpo {s.rpo_days} days",
        s.sentence(),
        f"restorable {pct(s.restorable_pct)} = covered {s.covered} / volumes {s.total_volumes}  "
        f"(at most {pct(s.restorable_upper_pct)} if every unknown were covered; copyable coverage "
        f"{pct(s.copyable_coverage_pct)} = covered / (volumes - ineligible {s.ineligible}))",
        "  " + "  ".join(f"{name} {n}" for name, n in s.counts().items()),
    ]
    accepted = result.parameters.get("accept")
    if accepted and len(accepted) < 3:
        lines.append(f"  counting only: {', '.join(accepted)}")
    lines += [f"  note: {note}" for note in getattr(result, "notes", ())]
    if s.collection_gaps:
        lines.append(f"  collection errors: {s.collection_gaps} (data we could not read counts as unknown)")
    lines.append("controls (non-compliant / unknown):")
    for row in result.controls.itertuples(index=False):  # nine rows: not a loop over resources
        if row.non_compliant or row.unknown:
            lines.append(f"  {row.control:<24} {row.severity:<6} {row.non_compliant:>7} / {row.unknown}")
    return "\n".join(lines)

"""`reportkit plan`: from a snapshot, the copies that would close the coverage gaps (writes a plan file)."""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from reportkit.cli._options import add_assessment, add_snapshot, assessment_options, settings_from

_EPILOG = """\
The plan is a JSON file (plus a CSV next to it, for people) listing, per copy, the wave, regions,
backup, size, Vault key and the equivalent `oci bv boot-volume-backup copy` command. Nothing is
copied: run `reportkit copy --plan FILE` (a dry run) and then `--execute`.

--copy-targets FILE   source region -> destination region(s): JSON {"lhr": ["fra"]} or lines "lhr: fra"
--kms-key-map FILE    JSON object: destination region -> Vault key OCID in that region
"""


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("plan", help="plan the cross-region copies that close coverage gaps (read-only)",
                              description=__doc__, epilog=_EPILOG,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    add_snapshot(p)
    add_assessment(p)
    p.add_argument("--kms-key-map", type=Path, help="JSON file: destination region -> Vault key OCID there")
    p.add_argument("--allow-encryption-downgrade", action="store_true",
                   help="let a Vault-encrypted backup be copied with an Oracle-managed key when no destination "
                        "key is mapped (otherwise such copies are blocked)")
    p.add_argument("--group", help="IAM group that will run the copies: copies its policies do not allow are "
                                   "blocked up front (uses the snapshot's IAM policies)")
    p.add_argument("--out", type=Path,
                   help="plan file to write (default data/plans/tenancy=<t>/date=<d>/<run>/copy-plan.json, after "
                        "the snapshot; never overwritten: an existing name gets -2, -3...)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from reportkit import pipeline
    from reportkit.plan import read_kms_key_map, save_plan
    from reportkit.report.views.blocks import stale_data_note
    from reportkit.snapshot import snapshot_place

    settings = settings_from(args)
    kms_key_map = read_kms_key_map(args.kms_key_map) if args.kms_key_map else None
    planned = pipeline.plan_from_snapshot(args.snapshot, settings, **assessment_options(args), kms_key_map=kms_key_map,
                                          allow_encryption_downgrade=args.allow_encryption_downgrade, group=args.group)
    if args.group and not planned.iam_checked:
        print(f"note: cannot check IAM for group {args.group!r} (no IAM policies in the snapshot); copies are not "
              "checked against policies")
    plan = planned.plan
    note = stale_data_note(planned.assessed.assessment.metadata, planned.assessed.assessment.summary)
    if note:
        print(f"WARNING: {note}")
    path = save_plan(plan, args.out or settings.plans / snapshot_place(planned.assessed.path) / "copy-plan.json")
    csv_path = path.with_suffix(".csv")
    s = plan.summary
    print(f"plan {plan.plan_id}: {s.copies} copies of {s.volumes} boot volumes, {s.gb_to_transfer} GB to transfer, "
          f"{s.waves} wave(s); {s.blocked} blocked ({s.iam_denied} by IAM); "
          f"{s.skipped_volumes} volumes not planned (see 'skipped' in the file)")
    if s.encryption_downgrades:
        print(f"warning: {s.encryption_downgrades} copies will use an Oracle-managed key although their source "
              "uses a Vault key (--allow-encryption-downgrade)")
    print(f"wrote {path} and {csv_path}; next: reportkit copy --plan {path}   (a dry run)")
    return 0

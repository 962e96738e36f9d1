"""`reportkit plan`: from a snapshot, the copies that would close the coverage gaps (writes a plan file)."""
from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from reportkit.errors import InputError

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
    p.add_argument("--snapshot", default="latest", help="snapshot folder, or 'latest' (default)")
    p.add_argument("--snapshot-root", help="where snapshots live (default $REPORTKIT_SNAPSHOTS or data/snapshots)")
    p.add_argument("--rpo-days", type=int, default=7, help="a copy older than this is stale (default 7)")
    p.add_argument("--copy-targets", type=Path, help="file: source region -> destination region(s), JSON or 'lhr: fra, ams' lines")
    p.add_argument("--kms-key-map", type=Path, help="JSON file: destination region -> Vault key OCID there")
    p.add_argument("--allow-encryption-downgrade", action="store_true",
                   help="let a Vault-encrypted backup be copied with an Oracle-managed key when no destination "
                        "key is mapped (otherwise such copies are blocked)")
    p.add_argument("--group", help="IAM group that will run the copies: copies its policies do not allow are "
                                   "blocked up front (uses the snapshot's IAM policies)")
    p.add_argument("--out", type=Path, default=Path("copy-plan.json"), help="plan file to write (default copy-plan.json)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from reportkit.assess import assess, read_copy_targets
    from reportkit.plan import iam_check_for_group, make_plan, save_plan
    from reportkit.snapshot import load_snapshot

    inventory = load_snapshot(args.snapshot, root=args.snapshot_root)
    copy_targets = read_copy_targets(args.copy_targets) if args.copy_targets else None
    kms_key_map = read_json_mapping(args.kms_key_map, "kms key map") if args.kms_key_map else None
    assessment = assess(inventory, rpo_days=args.rpo_days, copy_targets=copy_targets)
    iam = None
    if args.group:
        iam = iam_check_for_group(inventory, args.group)
        if iam is None:
            print(f"note: cannot check IAM for group {args.group!r} (no IAM policies in the snapshot, or the IAM "
                  "evaluator is not available); copies are not checked against policies")
    plan = make_plan(assessment, kms_key_map=kms_key_map, allow_encryption_downgrade=args.allow_encryption_downgrade,
                     iam_verdicts=iam, group=args.group)
    path = save_plan(plan, args.out)
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


def read_json_mapping(path: Path, what: str) -> dict[str, Any]:
    """Return the JSON object in ``path``; raise InputError naming the file otherwise."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{what} file {path} does not exist") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{what} file {path} is not readable JSON ({exc})") from None
    if not isinstance(data, dict):
        raise InputError(f"{what} file {path} must hold a JSON object (region -> value), not {type(data).__name__}")
    return data

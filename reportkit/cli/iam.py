"""`reportkit iam check|matrix`: can a group copy boot volume backups between regions? May a service use a key?"""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from reportkit.cli._options import SNAPSHOT_ROOT_HELP
from reportkit.errors import InputError

_HELP = """\
Evaluate IAM policy statements for the cross-region copy of boot volume backups: READ and COPY in
the source region, CREATE in the destination region. With --service, evaluate instead whether a
service may perform cryptographic operations (KEY_ENCRYPT, KEY_DECRYPT) with a Vault key: the
Block Volume service (blockstorage) needs that on the destination key of a Vault-encrypted copy.
Policies come from a snapshot (default: the newest) or from --policies FILE: a text file with one
statement a line, or the JSON that `oci iam policy list --compartment-id ... --all` prints.

examples:
  reportkit iam check --group VolumeAdmins --from lhr --to fra --policies policies.txt
  reportkit iam check --group 'Default/Copiers' --from uk-london-1 --to eu-frankfurt-1 --compartment Prod:Team1
  reportkit iam check --service blockstorage --key ocid1.key.oc1.eu-frankfurt-1.xxx --compartment Security
  reportkit iam matrix --group MyTestGroup --regions lhr,fra,iad,phx --policies policies.json --csv matrix.csv
  reportkit iam matrix --all-groups --snapshot latest --csv matrices.csv

exit status: 0 when the copy (or the service's use of the key) is allowed (matrix: every
cross-region pair), 1 when not or when a malformed statement or unknown condition variable leaves
the answer unknown, 2 on bad input.
"""


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("iam", help="IAM: may a group copy backups from S to T? may a service use a key?",
                                   description=_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="iam_command", metavar="{check,matrix}")
    check = commands.add_parser("check", help="one copy (--group --from --to) or key (--service --key): verdict, why",
                                description=_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    who = check.add_mutually_exclusive_group(required=True)
    who.add_argument("--group", help="group name, Domain/Name, or group OCID (the copy question)")
    who.add_argument("--service", help="service principal name, e.g. blockstorage (the key question; needs --key)")
    check.add_argument("--from", dest="source", help="with --group: source region key or name (lhr, uk-london-1)")
    check.add_argument("--to", dest="destination", help="with --group: destination region key or name")
    check.add_argument("--key", help="with --service: the Vault key OCID; --compartment is then the key's compartment")
    check.add_argument("--region", help="with --service: the key's region (default: read from the key OCID)")
    check.add_argument("--vault", help="with --service: the key's vault OCID (for target.vault.id conditions)")
    _common(check)
    check.set_defaults(func=run_check)
    matrix = commands.add_parser("matrix", help="every source x destination region: allowed/denied/unknown",
                                 description=_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    who = matrix.add_mutually_exclusive_group(required=True)
    who.add_argument("--group", help="group name, Domain/Name, or group OCID")
    who.add_argument("--all-groups", action="store_true", help="every group the policies name")
    matrix.add_argument("--regions", help="comma-separated region keys or names (default: the snapshot's "
                                          "subscribed regions, or the regions the policies name)")
    matrix.add_argument("--csv", type=Path, help="write the matrix to this CSV file")
    _common(matrix)
    matrix.set_defaults(func=run_matrix)
    parser.set_defaults(func=lambda args: parser.print_help() or 2)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--compartment", help="compartment path as policies write it (Prod:Team1) or OCID; "
                                              "default: the root compartment")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--policies", type=Path, help="text file (one statement a line) or ListPolicies JSON")
    source.add_argument("--snapshot", help="snapshot folder, a snapshots root, or 'latest' (the default)")
    parser.add_argument("--snapshot-root", help=SNAPSHOT_ROOT_HELP)


def _load(args: argparse.Namespace) -> tuple[Any, Any, list[str]]:
    """Return (policies, compartments table or None, subscribed region names) from the arguments."""
    if args.policies is not None:
        from reportkit.iam import read_policies_file

        return read_policies_file(args.policies), None, []
    from reportkit.snapshot import load_snapshot  # lazily: only snapshot users pay for pyarrow

    inventory = load_snapshot(args.snapshot or "latest", root=args.snapshot_root)
    regions = [str(r) for r in inventory.regions["region"].dropna()] if len(inventory.regions) else []
    return inventory.iam_policies, inventory.compartments, regions


def _check_arguments(args: argparse.Namespace) -> None:
    """The options each question needs (argparse cannot say "required with --group")."""
    if args.group is not None:
        wrong = [flag for flag, value in (("--key", args.key), ("--region", args.region), ("--vault", args.vault))
                 if value is not None]
        if args.source is None or args.destination is None or wrong:
            raise InputError("iam check --group needs --from and --to" +
                             (f" and does not take {', '.join(wrong)}" if wrong else ""))
    else:
        wrong = [flag for flag, value in (("--from", args.source), ("--to", args.destination)) if value is not None]
        if not args.key or wrong:
            raise InputError("iam check --service needs --key KEY_OCID" +
                             (f" and does not take {', '.join(wrong)}" if wrong else ""))


def run_check(args: argparse.Namespace) -> int:
    from reportkit.iam import CheckStatus, IamStatus, can_copy, can_service_use_key, suggest_fix

    _check_arguments(args)
    policies, compartments, _ = _load(args)
    if args.group is not None:
        verdict = can_copy(policies, args.group, args.source, args.destination, args.compartment,
                           compartments=compartments)
        what = "this copy"
    else:
        verdict = can_service_use_key(policies, args.service, key_id=args.key, key_compartment=args.compartment,
                                      region=args.region, vault_id=args.vault, compartments=compartments)
        what = f"the {args.service} service's use of this key"
    print(verdict.explain())
    fixes = suggest_fix(verdict)
    if fixes:
        print(f"\nTo allow {what}, add:")
        print("\n".join(f"  {fix}" for fix in fixes))
    if any(c.status is CheckStatus.DENIED for c in verdict.checks):
        print(f"\nA Deny statement blocks {what}: an Allow cannot override it; narrow or remove the Deny.")
    if verdict.status is IamStatus.UNKNOWN:
        print("\nThe answer is uncertain: fix the malformed statements or check the conditions named above.")
    return 0 if verdict.status is IamStatus.ALLOWED else 1


def run_matrix(args: argparse.Namespace) -> int:
    from reportkit.iam import copy_matrices, copy_matrix, regions_in_policies

    policies, compartments, subscribed = _load(args)
    if args.regions:
        regions = [r.strip() for r in args.regions.split(",") if r.strip()]
    else:
        regions = subscribed or regions_in_policies(policies)
    if not regions:
        raise InputError("no regions for the matrix: pass --regions lhr,fra,... (the policies name none and "
                         "there is no snapshot region list)")
    from reportkit._io import write_csv

    if args.all_groups:
        frame = copy_matrices(policies, regions, args.compartment, compartments=compartments)
        cross = frame[frame["source"] != frame["destination"]]
        for group, part in frame.groupby("group", sort=False):
            print(f"group {group}:")
            print(part.pivot(index="source", columns="destination", values="status").to_string())
            print()
        all_allowed = bool(len(cross)) and bool((cross["status"] == "allowed").all())
        if args.csv:
            write_csv(frame, args.csv)  # group names are free text: formulas neutralised
    else:
        frame = copy_matrix(policies, args.group, regions, args.compartment, compartments=compartments)
        print(f"group {args.group}: rows are source regions, columns destination regions")
        print(frame.to_string())
        cells = [frame.loc[s, d] for s in frame.index for d in frame.columns if s != d]
        all_allowed = bool(cells) and all(c == "allowed" for c in cells)
        if args.csv:
            write_csv(frame.rename_axis("source").reset_index(), args.csv)
    if args.csv:
        print(f"wrote {args.csv}")
    return 0 if all_allowed else 1

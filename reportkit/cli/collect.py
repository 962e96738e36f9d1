"""`reportkit collect`: read every subscribed region and compartment into a new snapshot."""
from __future__ import annotations

import argparse

from reportkit.auth import AUTH_MODES
from reportkit.cli._options import SNAPSHOT_ROOT_HELP

_HELP = """\
Read boot volume backups, boot volumes, backup policies and assignments, images and IAM
policies from every READY subscribed region and every ACTIVE compartment, and write them as a
new snapshot (Parquet + manifest.json) under --out. Credentials come from the OCI config file
or a principal, never from the command line; OCI_CLI_PROFILE, OCI_CLI_CONFIG_FILE, OCI_CLI_AUTH
and OCI_CLI_REGION are honoured.

With --search, compartments are pre-filtered with OCI Resource Search (one query per region):
boot volumes and backups are listed only where the search finds some, in the root, and in every
compartment you cannot read at all. Much faster on big tenancies, but only safe when the auditing
group may inspect volumes and boot-volume-backups everywhere (search shows nothing where it may
not, and such a compartment would be skipped silently), and the search index lags by minutes.
Off by default: every compartment is listed.

Reads that fail (throttling that never clears, a region that is down, a compartment you may not
read) are recorded in the snapshot's errors table and summarised here; the exit code is 0
unless nothing usable could be collected (then 1).

examples:
  reportkit collect --profile DEFAULT
  reportkit collect --regions lhr,fra --compartment Prod/App
  reportkit collect --auth instance_principal
  reportkit collect --endpoint-template 'http://127.0.0.1:8080/{region}' --config-file sim/config
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "collect", help="read every region and compartment into a snapshot", description=_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--profile", help="profile in the OCI config file (default DEFAULT or $OCI_CLI_PROFILE)")
    parser.add_argument("--config-file", help="OCI config file (default ~/.oci/config or $OCI_CLI_CONFIG_FILE)")
    parser.add_argument("--auth", choices=AUTH_MODES,
                        help="how to authenticate (default api_key or $OCI_CLI_AUTH)")
    parser.add_argument("--regions", help="comma-separated region names or short codes (default: all subscribed)")
    parser.add_argument("--compartment", help="only this compartment sub-tree: a path like Prod/App, or an OCID")
    parser.add_argument("--endpoint-template", help="base URL per region, e.g. 'http://127.0.0.1:8080/{region}'")
    parser.add_argument("--workers", type=int, help="parallel requests in total (default 32)")
    parser.add_argument("--out", help=f"snapshots folder ({SNAPSHOT_ROOT_HELP.removeprefix('where snapshots live (')}")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.add_argument("--search", action=argparse.BooleanOptionalAction, default=False,
                        help="pre-filter compartments with Resource Search (faster; needs tenancy-wide inspect "
                             "on volumes and boot-volume-backups; misses resources of the last minutes). "
                             "Default: --no-search, every compartment is listed")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from reportkit.collection import collect
    from reportkit.collection.summary import collection_summary
    from reportkit.snapshot import save_snapshot

    inv = collect(args.profile, config_file=args.config_file, auth=args.auth, regions=args.regions,
                  compartment=args.compartment, endpoint_template=args.endpoint_template, workers=args.workers,
                  progress=not args.no_progress, use_search=args.search)
    path = save_snapshot(inv, args.out)
    meta = inv.metadata
    seconds = (meta.finished_at - meta.started_at).total_seconds()
    print(f"snapshot: {path}")
    print(f"tenancy {meta.tenancy_name} (home {meta.home_region}), {len(meta.regions)} region(s), "
          f"{len(inv.compartments)} compartment(s), {seconds:.1f} s, "
          f"{meta.parameters.get('calls', 0)} calls, {meta.parameters.get('retries', 0)} retries")
    print(collection_summary(inv).to_string(index=False))
    print(search_note(meta.parameters.get("search") or {}))
    if len(inv.errors):
        top = inv.errors.groupby(["operation", "code"], dropna=False).size().sort_values(ascending=False).head(5)
        print(f"{len(inv.errors)} read(s) failed and are listed in {path / 'errors.parquet'}; most common:")
        for (operation, code), n in top.items():
            print(f"  {n:5d}  {operation}  {code}")
    return 0


def search_note(search: dict) -> str:
    """One or two lines on what the Resource Search pre-filter did (``parameters["search"]``)."""
    if not search.get("enabled"):
        return "every compartment was listed (--search pre-filters with Resource Search: faster, see --help)"
    lines = [f"Resource Search skipped {search.get('lists_skipped_total', 0)} list call(s) on compartments "
             f"it found empty ({search.get('compartments_skipped_total', 0)} region x compartment pair(s) not "
             f"listed at all) in {len(search.get('regions_searched', []))} region(s); resources created in the "
             "last minutes may not be indexed yet: leave out --search to list every compartment"]
    for region, reason in search.get("fallback_regions", {}).items():
        lines.append(f"  search failed in {region} ({reason}): every compartment there was listed")
    return "\n".join(lines)

"""`reportkit collect`: read every subscribed region and compartment into a new snapshot."""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from reportkit.auth import AUTH_MODES
from reportkit.cli._options import SNAPSHOT_ROOT_HELP

if TYPE_CHECKING:
    from reportkit.inventory import Inventory

_HELP = """\
Read boot volume backups, boot volumes, volume groups and their backups, boot volume and volume
group replicas, backup policies and their assignments (to volumes and to groups), images and IAM
policies from every READY subscribed region and every compartment that is not DELETED, and write
them as a new snapshot (Parquet + manifest.json) under --out. Regions still being subscribed
(IN_PROGRESS) are listed but not read. Credentials come from the OCI config file or a principal,
never from the command line; OCI_CLI_PROFILE, OCI_CLI_CONFIG_FILE, OCI_CLI_AUTH and OCI_CLI_REGION
are honoured.

With --search, compartments are pre-filtered with OCI Resource Search (one query per region):
boot volumes and backups are listed only where the search finds some, in the root, and in every
compartment you cannot read at all. Much faster on big tenancies, but only safe when the auditing
group may inspect volumes and boot-volume-backups everywhere (search shows nothing where it may
not, and such a compartment would be skipped silently), and the search index lags by minutes.
Off by default: every compartment is listed.

Reads that fail (throttling that never clears, a region that is down, a compartment you may not
read, an answer of the wrong shape, a listing whose pages loop, a request past its deadline) and
records with a field that cannot be read are recorded in the snapshot's errors table and
summarised here; what they could hide is judged unknown, never covered.

--out is checked before anything is read (it must be a writable folder with room for a snapshot).
If writing the snapshot fails afterwards, the collection is saved under the system's temporary
folder instead and the error line says where and how to move it. Ctrl-C stops within seconds;
--on-interrupt says what happens to what was read (default discard: a partial snapshot could
become 'latest' and be judged as a whole month; keep writes it, marked incomplete, every read not
done an errors row).

Exit codes: 0 collected (even with errors rows), 1 nothing usable could be read or the snapshot
could not be written after collecting, 2 bad input (options, credentials, --out, an answer of
the wrong shape during discovery), 130 interrupted. Against the fake OCI API (reportkit sim
serve) the snapshot is stamped with the fake's clock.

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
    parser.add_argument("--on-interrupt", choices=("discard", "keep"), default="discard",
                        help="on Ctrl-C: discard what was read (default), or keep it as a snapshot marked "
                             "incomplete (every read not done is an errors row)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from reportkit.collection import collect
    from reportkit.collection.run import CollectionInterrupted
    from reportkit.snapshot import check_writable

    root = check_writable(args.out)  # a bad --out fails here, before any request
    try:
        inv = collect(args.profile, config_file=args.config_file, auth=args.auth, regions=args.regions,
                      compartment=args.compartment, endpoint_template=args.endpoint_template, workers=args.workers,
                      progress=not args.no_progress, use_search=args.search)
    except CollectionInterrupted as stop:
        return _interrupted(stop.inventory, root, args.on_interrupt)
    path = _save(inv, root)
    _summary(inv, path)
    return 0


def _save(inv: Inventory, root: Path) -> Path:
    """Write the snapshot; if that fails now that the work is done, keep it elsewhere and say where (exit 1)."""
    from reportkit.errors import SnapshotWriteError
    from reportkit.snapshot import save_elsewhere, save_snapshot

    try:
        return save_snapshot(inv, root)
    except SnapshotWriteError as exc:
        kept = save_elsewhere(inv)
        if kept is None:
            raise SnapshotWriteError(f"{exc}; it could not be kept anywhere else either: collect again with "
                                     "another --out") from None
        raise SnapshotWriteError(f"{exc}; the collection was saved under {kept} instead: move it with "
                                 f"`mv {kept}/tenancy=* <snapshots folder>/` (or read it with --snapshot-root "
                                 f"{kept})") from None


def _interrupted(inv: Inventory | None, root: Path, mode: str) -> int:
    import sys

    if inv is None or mode == "discard":
        print("reportkit: interrupted: nothing was written (--on-interrupt keep keeps a partial snapshot)",
              file=sys.stderr)
        return 130
    path = _save(inv, root)
    print(f"reportkit: interrupted: partial snapshot kept at {path} (marked incomplete; "
          f"{int((inv.errors['code'] == 'Interrupted').sum())} read(s) not done are errors rows)", file=sys.stderr)
    return 130


def _summary(inv: Inventory, path: Path) -> None:
    import pandas as pd

    from reportkit.collection.summary import collection_summary

    meta = inv.metadata
    clock = meta.parameters.get("clock") or {}
    wall = [clock.get("wall_started_at"), clock.get("wall_finished_at")]
    seconds = ((pd.Timestamp(wall[1]) - pd.Timestamp(wall[0])) if all(wall)
               else (meta.finished_at - meta.started_at)).total_seconds()
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
    notes = meta.parameters.get("compartments") or {}
    if notes.get("not_active"):
        paths = dict(zip(inv.compartments["compartment_id"], inv.compartments["path"]))
        print(f"{len(notes['not_active'])} compartment(s) not ACTIVE were read: "
              + ", ".join(f"{paths.get(cid) or cid} ({state})" for cid, state in sorted(notes["not_active"].items())[:5]))
    if meta.parameters.get("regions_in_progress"):
        print("region(s) still being subscribed, not read: " + ", ".join(meta.parameters["regions_in_progress"]))


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

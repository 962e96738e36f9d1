"""Options several commands share, declared once so they are spelled, defaulted and parsed the same way.

Values stay text here: the library validates them (``--rpo-days seven`` is the same InputError
from ``assess``, ``plan`` and ``report``), so a bad value is one ``reportkit: error:`` line.
"""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from reportkit.settings import Settings, current

SNAPSHOT_ROOT_HELP = "where snapshots live (default $REPORTKIT_SNAPSHOTS, else $REPORTKIT_DATA/snapshots or data/snapshots)"


def add_snapshot(parser: argparse.ArgumentParser, *, default: str | None = "latest") -> None:
    """--snapshot and --snapshot-root."""
    parser.add_argument("--snapshot", default=default,
                        help="snapshot folder, a snapshots root, or 'latest' (default: the newest under --snapshot-root)")
    parser.add_argument("--snapshot-root", help=SNAPSHOT_ROOT_HELP)


def add_assessment(parser: argparse.ArgumentParser, *, as_of: bool = True) -> None:
    """--rpo-days, --copy-targets, --accept, --overrides (and --as-of): how a snapshot is judged."""
    parser.add_argument("--rpo-days", default="7", metavar="DAYS",
                        help="a copy whose source backup is older than this many days is stale (default 7)")
    if as_of:
        parser.add_argument("--as-of", help="instant to judge, ISO 8601 (default: when the snapshot was collected)")
    parser.add_argument("--copy-targets", type=Path, metavar="FILE",
                        help="source region -> destination region(s): JSON {\"lhr\": [\"fra\"]} or lines 'lhr: fra, ams'")
    parser.add_argument("--accept", metavar="KINDS",
                        help="protection kinds that may make a volume covered, comma-separated: copy (boot volume "
                             "backup copies), group_copy (volume group backup copies), replica (boot volume replicas); "
                             "default all three. E.g. --accept copy when your policy demands backup copies")
    parser.add_argument("--overrides", metavar="CSV",
                        help="image overrides (image_id,image_class,note) that win over image inference; default "
                             "data/image_overrides.csv when it exists; 'none' for no overrides")


def settings_from(args: argparse.Namespace) -> Settings:
    """The settings of this run: the environment's, with --snapshot-root and --overrides applied."""
    s = current().replace(snapshots=getattr(args, "snapshot_root", None))
    return s.with_overrides(getattr(args, "overrides", None))


def assessment_options(args: argparse.Namespace) -> dict[str, Any]:
    """Keyword arguments for :func:`reportkit.pipeline.assess_snapshot` from the parsed options."""
    from reportkit.assessment import parse_accept, read_copy_targets

    options: dict[str, Any] = {"rpo_days": args.rpo_days,
                               "copy_targets": read_copy_targets(args.copy_targets) if args.copy_targets else None}
    if getattr(args, "accept", None) is not None:
        options["accept"] = parse_accept(args.accept, where="--accept")
    if getattr(args, "as_of", None) is not None:
        options["as_of"] = args.as_of
    return options

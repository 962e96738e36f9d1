"""Options several commands share, declared once so they are spelled, defaulted and checked the same way.

:func:`check_shared` runs before every command (``reportkit.cli.main``): each shared option a
command has is checked, and normalised in place, before the command reads a file or sends a
request, so ``--rpo-days ²`` or ``--endpoint-template file://x`` is the same one ``reportkit:
error:`` line (exit 2) from every command that takes it.
"""
from __future__ import annotations

import argparse
import math
import os
from pathlib import Path
from typing import Any

from reportkit.errors import InputError
from reportkit.settings import Settings, current

SNAPSHOT_ROOT_HELP = "where snapshots live (default $REPORTKIT_SNAPSHOTS, else $REPORTKIT_DATA/snapshots or data/snapshots)"

#: option -> (smallest, largest) for the numbers commands take; beyond them a run cannot be sane
#: (a million threads, a poll every 10^300 seconds) and some values overflow the standard library
_NUMBER_BOUNDS: dict[str, tuple[float, float]] = {
    "workers": (1, 1024), "concurrency": (1, 256), "poll_interval": (0, 86_400), "timeout": (0, 30 * 86_400),
    "clock_rate": (0, 1_000_000), "port": (0, 65_535), "months": (1, 120), "fail_under": (0, 100),
}


def add_snapshot(parser: argparse.ArgumentParser, *, default: str | None = "latest") -> None:
    """--snapshot and --snapshot-root."""
    parser.add_argument("--snapshot", default=default,
                        help="snapshot folder, a snapshots root, or 'latest' (default: the newest under --snapshot-root)")
    parser.add_argument("--snapshot-root", help=SNAPSHOT_ROOT_HELP)


def add_assessment(parser: argparse.ArgumentParser) -> None:
    """--rpo-days, --as-of, --copy-targets, --accept, --overrides: how a snapshot is judged."""
    parser.add_argument("--rpo-days", default="7", metavar="DAYS",
                        help="a copy whose source backup is older than this many days is stale (default 7)")
    parser.add_argument("--as-of", metavar="TIME",
                        help="instant to judge, ISO 8601, e.g. 2026-11-01 (default: when the snapshot was collected)")
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
    """Keyword arguments for :func:`reportkit.pipeline.assess_snapshot` from the (checked) options."""
    from reportkit.assessment import parse_accept

    options: dict[str, Any] = {"rpo_days": args.rpo_days, "copy_targets": args.copy_targets, "as_of": args.as_of}
    if getattr(args, "accept", None) is not None:
        options["accept"] = parse_accept(args.accept, where="--accept")
    return options


# --------------------------------------------------------------------------------------------
# Checks before any work
# --------------------------------------------------------------------------------------------
def check_shared(args: argparse.Namespace) -> None:
    """Check (and normalise in place) every shared option ``args`` carries; raise InputError naming the
    first bad one. Reads at most the small files the options name (copy targets)."""
    from reportkit.report.parameters import check_as_of, check_rpo_days, read_copy_targets_file

    for name, value in vars(args).items():
        if isinstance(value, list) and name != "parameter":  # argparse turns `--opt=--` into []
            raise InputError(f"--{name.replace('_', '-')} needs a value")
        if isinstance(value, (str, Path)) and ("\0" in str(value) or _has_lone_surrogate(str(value))):
            raise InputError(f"--{name.replace('_', '-')} {str(value)!r} holds a character no file name or "
                             "OCI name can hold")
    for name, (low, high) in _NUMBER_BOUNDS.items():
        value = getattr(args, name, None)
        if value is not None and not (math.isfinite(value) and low <= value <= high):
            raise InputError(f"--{name.replace('_', '-')} {value:g} is out of range: give a number from {low:g} to {high:g}")
    if getattr(args, "rpo_days", None) is not None:
        args.rpo_days = check_rpo_days(args.rpo_days)
    if getattr(args, "accept", None) is not None:
        from reportkit.assessment import parse_accept

        parse_accept(args.accept, where="--accept")
    if getattr(args, "as_of", None) is not None:
        args.as_of = check_as_of(args.as_of)
    if isinstance(getattr(args, "copy_targets", None), Path):
        args.copy_targets = read_copy_targets_file(args.copy_targets)
    if getattr(args, "endpoint_template", None) is not None:
        from reportkit.endpoints import check_endpoint_template

        check_endpoint_template(args.endpoint_template)
    regions = getattr(args, "regions", None)
    if regions is not None and not [r for r in regions.split(",") if r.strip()]:
        raise InputError(f"--regions {regions!r} names no region; give names or keys such as lhr,fra "
                         "(or leave it out for every subscribed region)")
    for name in _PATH_OPTIONS:
        if getattr(args, name, None) is not None:
            check_path(str(getattr(args, name)), f"--{name.replace('_', '-')}", empty_ok=name == "overrides")
    for name in _OUTPUT_FILES.get(getattr(args, "command", None), ()):
        if getattr(args, name, None) is not None:
            check_file_output(Path(getattr(args, name)), f"--{name.replace('_', '-')}")
    for name in _OUTPUT_FOLDERS.get(getattr(args, "command", None), ()):
        if getattr(args, name, None) is not None:
            folder = Path(getattr(args, name))
            check_folder(folder, f"--{name.replace('_', '-')}")
            if not folder.name:  # '.' or '..': results are published next to it, under its real name
                setattr(args, name, folder.resolve())
    for name in ("snapshot_root", "history"):
        if getattr(args, name, None) is not None:
            check_folder(Path(getattr(args, name)), f"--{name.replace('_', '-')}", must_exist=True, output=False)


#: options naming a file or folder (checked for names no file system takes)
_PATH_OPTIONS = ("snapshot", "snapshot_root", "out", "copy_targets", "overrides", "kms_key_map", "plan", "journal",
                 "config_file", "policies", "csv", "history", "snapshots", "assessments", "config_dir", "tenancy")
#: command -> its options naming a folder it writes into
_OUTPUT_FOLDERS: dict[str, tuple[str, ...]] = {
    "collect": ("out",), "assess": ("out",), "report": ("out",), "demo": ("out", "snapshots", "assessments"),
    "sim": ("config_dir",),
}
#: command -> its options naming a file it writes
_OUTPUT_FILES: dict[str, tuple[str, ...]] = {"plan": ("out",), "copy": ("journal",), "iam": ("csv",)}


def check_path(text: str, option: str, *, empty_ok: bool = False) -> None:
    """Refuse a path no file system takes: empty, or a name longer than 255 bytes (InputError)."""
    if not text.strip() and not empty_ok:
        raise InputError(f"{option} is empty: give a path")
    if len(os.fsencode(text)) > 4095 or any(len(os.fsencode(part)) > 255 for part in Path(text).parts):
        raise InputError(f"{option} {text[:40]!r}...: a name in it is longer than file systems allow (255 bytes)")


def check_file_output(path: Path, option: str) -> None:
    """Refuse a file option that names a folder, or whose folder cannot be created or written."""
    if path.is_dir():
        raise InputError(f"{option} {str(path)!r} is a folder; give the file to write")
    check_folder(path.parent, f"{option} {str(path)!r}: its folder")


def check_folder(path: Path, option: str, *, must_exist: bool = False, output: bool = True) -> None:
    """Refuse a folder option that names a file, a missing input folder, or an output folder that cannot
    be created or written (InputError naming the option)."""
    if path.exists() and not path.is_dir():
        raise InputError(f"{option} {str(path)!r} is a file, not a folder")
    if must_exist and not path.is_dir():
        raise InputError(f"{option} {str(path)!r} does not exist")
    if not output:
        return
    if not path.resolve().name:
        raise InputError(f"{option} {str(path)!r} is the file system's root; give a folder to write into")
    existing = path
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
        raise InputError(f"{option} {str(path)!r} is not writable: {str(existing)!r} {_why_not_writable(existing)}")


def _why_not_writable(folder: Path) -> str:
    """The reason ``folder`` takes no new file, in words (a file, a read-only file system, permissions)."""
    if not folder.is_dir():
        return "is a file, not a folder"
    try:
        if os.statvfs(folder).f_flag & os.ST_RDONLY:
            return "is on a Read-only file system"
    except OSError:
        pass
    return "is not a folder this user may write into (permissions)"


def _has_lone_surrogate(text: str) -> bool:
    """True when ``text`` holds a lone surrogate (bytes of argv that are not UTF-8 end up as one)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False

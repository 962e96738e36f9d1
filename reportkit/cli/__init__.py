"""Command line: argv -> one library call -> exit code. No logic lives here.

Each sub-command is a module in this package that defines ``register(subparsers)``; it adds its
parser and sets ``func`` to a callable taking the parsed ``argparse.Namespace`` and returning an
exit code. Modules are discovered, so adding a command never edits this file.
"""
from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence
from typing import NoReturn

from reportkit import __version__
from reportkit.cli._options import check_shared
from reportkit.errors import ReportkitError

_DESCRIPTION = """\
reportkit audits cross-region copies of OCI boot volume backups.

Typical flow:
  reportkit collect --profile DEFAULT          read every region and compartment into a snapshot
  reportkit assess --snapshot latest           classify backups and volumes, write CSV findings
  reportkit report coverage                    render the HTML coverage report
  reportkit demo                               all of the above against the built-in demo tenancy

Nothing here changes your tenancy except `reportkit copy --execute`.
"""


class OneLineParser(argparse.ArgumentParser):
    """An argument parser whose errors are one ``reportkit: error:`` line (no usage block), like every
    other bad input; sub-commands inherit it."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"reportkit: error: {self.prog}: {_one_line(message)} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """Return the top-level parser with every discovered sub-command registered."""
    parser = OneLineParser(
        prog="reportkit",
        description=_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"reportkit {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module_info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if module_info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; return the process exit code (0 ok, 1 finding/failure, 2 bad input, 130 Ctrl-C).

    Options several commands share are checked before the command starts any work
    (:func:`reportkit.cli._options.check_shared`); every refusal is one ``reportkit: error:`` line.
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, or a parse error already printed in one line
        return exc.code if isinstance(exc.code, int) else 2
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        check_shared(args)
        return int(args.func(args) or 0)
    except ReportkitError as exc:
        print(f"reportkit: error: {_one_line(str(exc))}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("reportkit: interrupted", file=sys.stderr)
        return 130
    except OSError as exc:  # the disk or the OS refused a read or write the checks could not foresee
        print(f"reportkit: error: I/O failure: {_one_line(str(exc))}", file=sys.stderr)
        return 1


def _one_line(text: str) -> str:
    """The message on one line: user input quoted in it may hold line breaks or control characters,
    shown escaped (``\\n``, ``\\x0c``) instead."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)

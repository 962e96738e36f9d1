"""Every error reportkit raises on purpose. Each message says what is wrong, where, and what to do.

The CLI turns a :class:`ReportkitError` into one line on stderr and exit code 2 (bad input);
anything else is a bug and keeps its traceback.
"""
from __future__ import annotations


class ReportkitError(Exception):
    """Root of reportkit's own errors: the message is written for the user, not the developer."""

    exit_code: int = 2


class ConfigError(ReportkitError):
    """OCI configuration (file, profile, key, auth mode) is missing or malformed."""


class InputError(ReportkitError):
    """A parameter or input file given by the user is invalid (region, compartment, rpo_days, ...)."""


class SnapshotError(ReportkitError):
    """A snapshot folder is missing, corrupt, partial, tampered with, or of a newer schema."""


class SnapshotWriteError(SnapshotError):
    """Writing a snapshot failed after the collection (disk full, folder gone read-only): exit 1, because
    the input was good and work was done; the message says where the collection was kept instead."""

    exit_code = 1


class SchemaError(ReportkitError):
    """A DataFrame does not match the declared columns of its table."""


class PolicyParseError(ReportkitError):
    """An IAM policy statement could not be parsed (carries policy, statement number and column)."""


class CollectionError(ReportkitError):
    """Nothing usable could be collected (partial failures are recorded in ``errors`` instead)."""

    exit_code = 1


class WireError(ReportkitError):
    """An OCI answer collect cannot go on without (the tenancy, the region subscriptions, the compartment
    list) is not the shape the SDK documents; names the operation and what was wrong (exit 2)."""


class ReportError(ReportkitError):
    """A report notebook failed to execute or render (names the cell and the error)."""

    exit_code = 1


class PlanError(ReportkitError):
    """A copy plan is invalid or cannot be executed as written."""

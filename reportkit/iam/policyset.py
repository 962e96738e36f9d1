"""Policies as the evaluator reads them: parsed statements plus where each policy is attached.

Accepted inputs (all pure, except :func:`read_policies_file`, which reads a file):
- a list of statement strings, or one string with one statement a line (attached to the root);
- a DataFrame shaped like :data:`reportkit.schema.IAM_POLICIES` (``policy_name``,
  ``statement_index``, ``statement``, ``compartment_id``, ...), optionally with the
  :data:`reportkit.schema.COMPARTMENTS` table to resolve compartment paths and inheritance;
- the JSON of ``ListPolicies`` (``oci iam policy list`` prints ``{"data": [...]}``; the SDK's
  objects use ``compartment_id``, the CLI ``compartment-id``), via :func:`policies_from_export`;
- an already built :class:`PolicySet`.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from reportkit.compartments import CompartmentTree
from reportkit.errors import InputError
from reportkit.iam.parser import ParsedEntry, StatementOrigin, parse_entry

@dataclass(frozen=True)
class PolicyEntry:
    """One parsed statement and the path of the compartment its policy is attached to."""

    parsed: ParsedEntry
    attachment_path: tuple[str, ...] | None  # None: attached to a compartment we cannot place


@dataclass(frozen=True)
class PolicySet:
    """Every statement to evaluate, parsed once, plus the compartment tree (possibly empty)."""

    entries: tuple[PolicyEntry, ...]
    tree: CompartmentTree = field(default_factory=CompartmentTree)


def load_policies(policies: Any, compartments: pd.DataFrame | None = None) -> PolicySet:
    """Return a :class:`PolicySet` from any accepted input (see the module docstring)."""
    if isinstance(policies, PolicySet):
        return policies
    tree = CompartmentTree.from_frame(compartments)
    if isinstance(policies, pd.DataFrame):
        return PolicySet(tuple(_entries_from_frame(policies, tree)), tree)
    if isinstance(policies, str):
        policies = [line for line in policies.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    if isinstance(policies, Iterable):
        items = list(policies)
        if not all(isinstance(s, str) for s in items):
            raise InputError("policies must be statement strings, an iam_policies DataFrame or a PolicySet")
        return PolicySet(tuple(PolicyEntry(parse_entry(text, StatementOrigin("policy", n, None)), ())
                               for n, text in enumerate(items, start=1)), tree)
    raise InputError(f"cannot read policies from a {type(policies).__name__}; give statement strings or "
                     f"the inventory's iam_policies table")


def _entries_from_frame(frame: pd.DataFrame, tree: CompartmentTree) -> Iterable[PolicyEntry]:
    if len(frame) == 0:
        return
    if "statement" not in frame.columns:
        raise InputError("the policies table has no 'statement' column; expected reportkit.schema.IAM_POLICIES")
    n = len(frame)
    names = frame["policy_name"] if "policy_name" in frame.columns else pd.Series(["policy"] * n, index=frame.index)
    numbers = (frame["statement_index"] if "statement_index" in frame.columns
               else pd.Series(range(1, n + 1), index=frame.index))
    comps = (frame["compartment_id"] if "compartment_id" in frame.columns
             else pd.Series([None] * n, index=frame.index))
    for text, name, number, comp in zip(frame["statement"], names, numbers, comps, strict=True):
        comp_id = None if comp is None or pd.isna(comp) else str(comp)
        origin = StatementOrigin("policy" if pd.isna(name) else str(name),
                                 0 if pd.isna(number) else int(number), comp_id)
        yield PolicyEntry(parse_entry("" if pd.isna(text) else str(text), origin), tree.names(comp_id))


def policies_from_export(data: Any) -> pd.DataFrame:
    """Turn a ListPolicies JSON export into an iam_policies-shaped DataFrame (one row per statement).

    ``data`` is the decoded JSON: ``{"data": [policy, ...]}`` as the oci CLI prints it, or the list
    of policies itself. Each policy needs ``statements``; ``name``, ``id`` and ``compartment-id`` /
    ``compartment_id`` are used when present.
    """
    if isinstance(data, Mapping) and "data" in data:
        data = data["data"]
    if isinstance(data, Mapping) and "statements" in data:
        data = [data]
    if not isinstance(data, list):
        raise InputError("the policy JSON is neither a list of policies nor {\"data\": [...]} as "
                         "`oci iam policy list` prints it")
    rows = []
    for k, policy in enumerate(data, start=1):
        if not isinstance(policy, Mapping) or not isinstance(policy.get("statements"), list):
            raise InputError(f"policy #{k} in the JSON has no 'statements' list")
        name = policy.get("name") or f"policy-{k}"
        comp = policy.get("compartment-id", policy.get("compartment_id", policy.get("compartmentId")))
        for i, statement in enumerate(policy["statements"], start=1):
            rows.append({"policy_id": policy.get("id"), "compartment_id": comp, "policy_name": name,
                         "statement_index": i, "statement": str(statement),
                         "lifecycle_state": policy.get("lifecycle-state", policy.get("lifecycle_state"))})
    return pd.DataFrame(rows, columns=["policy_id", "compartment_id", "policy_name", "statement_index",
                                       "statement", "lifecycle_state"])


def read_policies_file(path: str | Path) -> pd.DataFrame:
    """I/O: return an iam_policies-shaped frame from a statement-per-line text file or ListPolicies JSON
    (what ``oci iam policy list --all`` prints); raise InputError naming the file otherwise."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(f"policies file {path} does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"policies file {path} cannot be read ({exc})") from None
    if text.lstrip()[:1] in ("{", "["):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f"policies file {path} looks like JSON but is not valid JSON: {exc}") from None
        try:
            return policies_from_export(data)
        except InputError as exc:  # say which file: the shape error alone does not
            raise InputError(f"policies file {path}: {exc}") from None
    # A text file is one policy named after the file; statement numbers are line numbers, so an
    # error's "statement 7" is line 7 of the file.
    rows = [{"policy_name": Path(path).name, "statement_index": number, "statement": line.strip()}
            for number, line in enumerate(text.splitlines(), start=1)
            if line.strip() and not line.lstrip().startswith("#")]
    return pd.DataFrame(rows, columns=["policy_name", "statement_index", "statement"])

"""Source x destination region matrices of the copy verdict, for one group or every group."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

from reportkit.iam.evaluator import Evaluator
from reportkit.iam.parser import Statement
from reportkit.iam.policyset import load_policies
from reportkit.regions import resolve_region


def _region_names(regions: Iterable[str]) -> list[str]:
    names = list(dict.fromkeys(resolve_region(r)[1] for r in regions))
    if not names:
        from reportkit.errors import InputError

        raise InputError("no regions given for the matrix: pass region keys or names, e.g. lhr,fra,iad")
    return names


def copy_matrix(policies: Any, group: str, regions: Iterable[str], compartment: str | None = None, *,
                compartments: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return a wide frame: index ``source`` region names, columns ``destination`` region names,
    values ``allowed`` / ``denied`` / ``unknown`` (see :class:`~reportkit.iam.evaluator.IamStatus`).

    The diagonal is what the policies say about a copy into the same region (OCI copies only
    between regions; the value is kept so the frame stays square). ``frame.to_csv(path)`` exports it.
    """
    names = _region_names(regions)
    evaluator = Evaluator(policies, group, compartment, compartments=compartments)
    data = {dst: [evaluator.verdict(src, dst).status.value for src in names] for dst in names}
    frame = pd.DataFrame(data, index=pd.Index(names, name="source"))
    frame.columns = pd.Index(names, name="destination")
    return frame


def groups_in_policies(policies: Any) -> list[str]:
    """Every group a parsed statement names, as ``Name``, ``Domain/Name`` or OCID, sorted."""
    found: dict[str, str] = {}
    for entry in load_policies(policies).entries:
        stmt = entry.parsed
        if not isinstance(stmt, Statement) or stmt.subject.kind != "group":
            continue
        for p in stmt.subject.principals:
            label = p.ocid or (f"{p.domain}/{p.name}" if p.domain is not None else p.name or "")
            found.setdefault(label.lower(), label)
    return sorted(found.values(), key=str.lower)


def copy_matrices(policies: Any, regions: Iterable[str], compartment: str | None = None, *,
                  compartments: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return a long frame (group, source, destination, status) for every group the policies name."""
    policyset = load_policies(policies, compartments)
    names = _region_names(regions)
    rows = []
    for group in groups_in_policies(policyset):
        evaluator = Evaluator(policyset, group, compartment)
        for src in names:
            for dst in names:
                rows.append((group, src, dst, evaluator.verdict(src, dst).status.value))
    return pd.DataFrame(rows, columns=["group", "source", "destination", "status"])


def regions_in_policies(policies: Any) -> list[str]:
    """Region names that parsed statements compare ``request.region`` / ``target.region`` with.

    Used as the matrix's default regions when no subscription list is at hand.
    """
    from reportkit.iam.matching import REGION_VARIABLES
    from reportkit.iam.parser import Clause, ConditionGroup
    from reportkit.regions import region_key, region_name

    found: dict[str, None] = {}

    def visit(condition: Any) -> None:
        if isinstance(condition, ConditionGroup):
            for item in condition.items:
                visit(item)
        elif isinstance(condition, Clause) and condition.variable in REGION_VARIABLES:
            for value in condition.values:
                key = None if value.is_pattern else region_key(value.text)
                if key:
                    found.setdefault(region_name(key))

    for entry in load_policies(policies).entries:
        if isinstance(entry.parsed, Statement):
            visit(entry.parsed.condition)
    return list(found)


def copy_permission_overview(policies: Any, regions: Iterable[str], *,
                             compartments: pd.DataFrame | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return ``(matrix, summary)`` for every group the policies name, over ``regions``.

    ``matrix`` is :func:`copy_matrices` without the diagonal (OCI copies only between regions):
    group, source, destination, status. ``summary`` has one row per group: ``allowed``, ``denied``
    and ``unknown`` region pairs, one pair the group cannot copy (``example_gap``, e.g.
    ``uk-london-1 -> eu-frankfurt-1``) and the first statement that would allow it (``suggested_fix``).
    """
    from reportkit.iam.evaluator import can_copy
    from reportkit.iam.suggest import suggest_fix

    policyset = load_policies(policies, compartments)
    matrix = copy_matrices(policyset, regions)
    matrix = matrix[matrix["source"] != matrix["destination"]].reset_index(drop=True)
    counts = (matrix.groupby(["group", "status"]).size().unstack(fill_value=0)
              .reindex(columns=["allowed", "denied", "unknown"], fill_value=0))
    gaps = matrix[matrix["status"] != "allowed"].groupby("group", sort=False).head(1).set_index("group")
    rows = []
    for group in counts.index:  # one row per group named in the policies: a handful, not a data loop
        example, fix = "", ""
        if group in gaps.index:
            src, dst = gaps.loc[group, "source"], gaps.loc[group, "destination"]
            example = f"{src} -> {dst}"
            fix = "; ".join(suggest_fix(can_copy(policyset, group, src, dst))) or "(blocked by a Deny or unknown)"
        rows.append({"group": group, **{k: int(v) for k, v in counts.loc[group].items()},
                     "example_gap": example, "suggested_fix": fix})
    summary = pd.DataFrame(rows, columns=["group", "allowed", "denied", "unknown", "example_gap", "suggested_fix"])
    return matrix, summary.sort_values(["allowed", "group"], kind="stable").reset_index(drop=True)

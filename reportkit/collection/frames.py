"""Rows -> the declared DataFrames, never failing on one bad value, and the check of times after the collection.

Rows were checked field by field when read (:mod:`~reportkit.collection.wire`), so converting a
whole column normally just works. If a value still cannot be cast, only that cell becomes null and
is reported, so one bad value can never cost the snapshot. A timestamp more than a day after the
collection ended cannot be true (``FUTURE_SLACK``): it is nulled and reported the same way.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from reportkit.collection.rows import RowMap
from reportkit.errors import SchemaError
from reportkit.schema import TIMESTAMP, Table

#: how far after the collection's end a timestamp may lie (clock skew between OCI and us)
FUTURE_SLACK = pd.Timedelta(days=1)
#: the wire fields that say when something happened (an expiry or a retention end lies ahead by nature)
PAST_TIMES = frozenset({"timeCreated", "timeRequestReceived", "timeLastSynced"})


@dataclass(frozen=True)
class CellProblem:
    """One cell nulled while building a frame: which record, which wire field, what it held, why."""

    table: str
    record_id: str | None
    compartment_id: str | None
    region: str | None
    column: str
    raw: str
    reason: str


def frame(table: Table, rows: Iterable[tuple], problems: list[CellProblem] | None = None) -> pd.DataFrame:
    """Build the declared frame for ``table`` from rows built by ``table.row`` (one conversion per column).

    A column that cannot be cast as a whole is cast cell by cell; a cell that cannot be cast becomes
    null and, when ``problems`` is given, is reported there.
    """
    data = list(rows)
    raw = pd.DataFrame.from_records(data, columns=table.column_names) if data else \
        pd.DataFrame({c: [] for c in table.column_names})
    try:
        return table.coerce(raw)
    except SchemaError:
        pass
    for col in table.columns:
        try:
            table.coerce(raw[[col.name]])
        except SchemaError:
            raw[col.name] = _cells(table, raw, col.name, problems)
    return table.coerce(raw)


def _cells(table: Table, raw: pd.DataFrame, column: str, problems: list[CellProblem] | None) -> pd.Series:
    one = Table(table.name, table.description, (table.column(column),))
    out = []
    for index, value in raw[column].items():
        try:
            one.coerce(pd.DataFrame({column: [value]}))
            out.append(value)
        except SchemaError as exc:
            out.append(None)
            if problems is not None:
                problems.append(_problem(table, raw, index, column, value, str(exc)))
    return pd.Series(out, index=raw.index, dtype=object)


def _problem(table: Table, raw: pd.DataFrame, index: object, column: str, value: object, reason: str) -> CellProblem:
    def get(name: str) -> str | None:
        if name not in raw.columns:
            return None
        found = raw.at[index, name]
        return None if found is None or (isinstance(found, float) and pd.isna(found)) else str(found)

    return CellProblem(table.name, get(table.columns[0].name), get("compartment_id"), get("region"), column,
                       str(value)[:200], reason)


def drop_duplicates(frames: dict[str, pd.DataFrame]) -> dict[str, int]:
    """Keep each record once (in place): a listing may return a record twice (a page read again when a
    next-page token looped, a record that moved while paging). Entity tables are keyed by their id
    column; membership tables by the whole row. Return the number dropped per table (only > 0)."""
    out = {}
    for name, frame in frames.items():
        if frame.empty:
            continue
        key = None if name.endswith("_members") or name == "iam_policies" else [frame.columns[0]]
        dupes = frame.duplicated(subset=key, keep="first").to_numpy(bool)
        if dupes.any():
            frames[name] = frame[~dupes].reset_index(drop=True)
            out[name] = int(dupes.sum())
    return out


def future_times(frames: dict[str, pd.DataFrame], maps: Iterable[RowMap], finished: pd.Timestamp,
                 ) -> list[CellProblem]:
    """Null every time of something that happened (:data:`PAST_TIMES`) later than ``finished`` +
    :data:`FUTURE_SLACK` in ``frames`` (in place); return one problem per cell, named by its wire field."""
    limit = pd.Timestamp(finished).tz_convert("UTC") + FUTURE_SLACK
    out: list[CellProblem] = []
    for rowmap in maps:
        frame = frames.get(rowmap.table.name)
        if frame is None or frame.empty:
            continue
        for col in rowmap.table.columns:
            if col.dtype != TIMESTAMP or rowmap.columns.get(col.name) not in PAST_TIMES:
                continue
            late = frame[col.name].gt(limit).fillna(False).to_numpy(bool)
            if not late.any():
                continue
            for index in frame.index[late]:
                value = frame.at[index, col.name]
                out.append(CellProblem(rowmap.table.name, _text(frame, index, rowmap.id_column),
                                       _text(frame, index, "compartment_id"), _text(frame, index, "region"),
                                       rowmap.columns[col.name], value.isoformat(),
                                       f"{rowmap.columns[col.name]} is more than {FUTURE_SLACK.days} day after the "
                                       f"collection ended ({finished.isoformat()}): it cannot be true"))
            frame.loc[late, col.name] = pd.NaT
    return out


def _text(frame: pd.DataFrame, index: object, column: str) -> str | None:
    if column not in frame.columns:
        return None
    value = frame.at[index, column]
    return None if pd.isna(value) else str(value)

"""Vectorised look-ups shared by the assess modules (private).

Joins in assess are positional: ``positions(values, keys)`` says, for every value, the row of
``keys`` holding it (-1 when absent). Positions index plain numpy arrays, which keeps a
million-backup assessment to a few hash look-ups instead of repeated DataFrame merges.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


def _arrow(values: pd.Series | pd.Index | Sequence[object]) -> pa.Array:
    if isinstance(values, (pd.Series, pd.Index)):
        if isinstance(values.dtype, pd.CategoricalDtype):
            values = values.astype("string[pyarrow]")
        elif not (isinstance(values.dtype, pd.StringDtype) and values.dtype.storage == "pyarrow"):
            values = values.astype("string[pyarrow]")
        array = pa.array(values.array)
    else:
        array = pa.array(list(values), type=pa.string())
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    return array.cast(pa.large_string()) if array.type != pa.large_string() else array


def positions(values: pd.Series | Sequence[object], keys: pd.Series | Sequence[object]) -> np.ndarray:
    """Return, for each of ``values``, the first row of ``keys`` equal to it; -1 when absent or NA.

    The hash table is built on the smaller side: looking 200,000 copies' sources up among a
    million backups hashes the distinct sources and probes the backups, not the other way round
    (building a table of a million distinct strings is what costs).
    """
    probe, table = _arrow(values), _arrow(keys)
    if probe.null_count and probe.null_count > len(probe) // 4:  # NA never matches: look the rest up
        valid = pc.is_valid(probe)
        out = np.full(len(probe), -1, dtype=np.int64)
        out[valid.to_numpy(zero_copy_only=False)] = _positions(probe.filter(valid), table)
        return out
    return _positions(probe, table)


def _positions(probe: pa.Array, table: pa.Array) -> np.ndarray:
    if len(table) <= 4 * len(probe) or not len(probe):
        found = pc.index_in(probe, value_set=table)
        return found.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
    encoded = probe.dictionary_encode()
    where = pc.index_in(table, value_set=encoded.dictionary).fill_null(-1).to_numpy(zero_copy_only=False)
    rows = np.flatnonzero(where >= 0)[::-1]  # reversed: the first matching row of keys wins
    first = np.full(len(encoded.dictionary) + 1, -1, dtype=np.int64)
    first[where[rows]] = rows
    index = encoded.indices.fill_null(len(encoded.dictionary)).to_numpy(zero_copy_only=False)
    return first[index]


def is_in(series: pd.Series, values: Sequence[str]) -> np.ndarray:
    """Return a bool per row: the value is one of ``values`` (NA: False); cheap on categoricals and text."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        values = {str(v) for v in values}
        categories = list(series.dtype.categories)
        lut = np.zeros(len(categories) + 1, dtype=bool)  # code -1 (NA) reads the last slot: False
        lut[[i for i, c in enumerate(categories) if c in values]] = True
        return lut[np.asarray(series.array.codes)]
    if isinstance(series.dtype, pd.StringDtype):
        found = pc.is_in(_arrow(series), value_set=pa.array([str(v) for v in values], type=pa.large_string()))
        return found.fill_null(False).to_numpy(zero_copy_only=False)
    return series.isin(list(values)).fillna(False).to_numpy(bool)


def take(array: np.ndarray | pd.api.extensions.ExtensionArray, pos: np.ndarray) -> pd.Series:
    """Return ``array[pos]`` as a Series, NA where ``pos`` is negative (dtype kept)."""
    values = pd.array(array) if isinstance(array, np.ndarray) else array
    pos = np.asarray(pos, dtype=np.int64)
    return pd.Series(values.take(np.where(pos < 0, -1, pos), allow_fill=True))


def join_region_sets(masks: np.ndarray, vocabulary: list[str]) -> pd.Series:
    """Turn per-row bit masks over ``vocabulary`` into sorted comma-separated region names.

    Only the distinct masks are spelled out in Python (a tenancy has a handful of region
    combinations), then broadcast back by position; an empty mask gives NA.
    """
    masks = np.asarray(masks, dtype=np.uint64)
    if len(masks) > 4096:  # hashing beats sorting on many rows; sorting has less overhead on few
        inverse, distinct = pd.factorize(masks)
    else:
        distinct, inverse = np.unique(masks, return_inverse=True)
    order = sorted(range(len(vocabulary)), key=lambda i: vocabulary[i])
    spelled = []
    for mask in distinct.tolist():
        names = [vocabulary[i] for i in order if (mask >> i) & 1]
        spelled.append(",".join(names) if names else None)
    words = pa.array(spelled, type=pa.large_string())
    return pd.Series(pd.array(words.take(pa.array(inverse.ravel().astype(np.int64))), dtype="string"))


def join_by_group(group: np.ndarray, values: pd.Series, n: int, sep: str = ",") -> pd.Series:
    """Return, for each group 0..n-1, its ``values`` joined with ``sep`` in the order given ('' for a
    group without values). ``group`` must be sorted; ``values`` has no NA. One vectorised join."""
    counts = np.bincount(np.asarray(group, dtype=np.int64), minlength=n)[:n] if n else np.zeros(0, np.int64)
    offsets = pa.array(np.concatenate([[0], np.cumsum(counts)]).astype(np.int64))
    lists = pa.LargeListArray.from_arrays(offsets, _arrow(values.reset_index(drop=True)))
    return pd.Series(pd.array(pc.binary_join(lists, pa.scalar(sep, type=pa.large_string())), dtype="string"))


def key_positions(values: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Return, for each integer of ``values``, the position of that integer in ``keys`` (unique); -1 when
    absent. The integer-key join of the rule steps (a merge costs milliseconds on a handful of rows)."""
    values = np.asarray(values, dtype=np.int64)
    if not len(keys):
        return np.full(len(values), -1, dtype=np.int64)
    order = np.argsort(keys, kind="stable")
    ordered = np.asarray(keys, dtype=np.int64)[order]
    at = np.clip(np.searchsorted(ordered, values), 0, len(ordered) - 1)
    return np.where(ordered[at] == values, order[at], -1)


def last_per_key(keys: np.ndarray, *by: np.ndarray) -> np.ndarray:
    """Return the position of the last row of each distinct key once rows are sorted by (key, *by): the
    "latest per group" of the rule steps, as one sort."""
    keys = np.asarray(keys)
    if not len(keys):
        return np.zeros(0, dtype=np.int64)
    order = np.lexsort((*reversed([np.asarray(b) for b in by]), keys))
    ordered = keys[order]
    return order[np.r_[ordered[1:] != ordered[:-1], True]]


def utc_times(values: np.ndarray) -> pd.Series:
    """int64 nanoseconds (the minimum int64 = NaT) as a ``datetime64[ns, UTC]`` Series."""
    return pd.Series(pd.DatetimeIndex(np.asarray(values, dtype=np.int64).view("datetime64[ns]")).tz_localize("UTC"))


def present(series: pd.Series) -> np.ndarray:
    """A bool per row: the text is neither NA nor blank."""
    text = pc.utf8_trim_whitespace(_arrow(series))
    return pc.not_equal(text, pa.scalar("", type=pa.large_string())).fill_null(False).to_numpy(zero_copy_only=False)


def region_bits(codes: np.ndarray) -> np.ndarray:
    """Return ``1 << code`` as uint64 (0 for code -1); the vocabulary is capped at 64 regions."""
    codes = np.asarray(codes, dtype=np.int64)
    return np.where(codes >= 0, np.left_shift(np.uint64(1), np.clip(codes, 0, 63).astype(np.uint64)), np.uint64(0))


Text = "str | pd.Series | list[str | pd.Series] | None"


def _text_array(value: object, n: int) -> pa.Array:
    """One piece of text for ``n`` rows as a large_string array: a constant, a Series, or a list of
    parts (constants and Series) joined in Arrow, never through Python objects."""
    if value is None or isinstance(value, str):
        return pa.array([value], type=pa.large_string()).take(pa.array(np.zeros(n, dtype=np.int64)))
    if isinstance(value, list):
        flat = _flatten(value)
        arrays = [pa.scalar(v, type=pa.large_string()) if isinstance(v, str) else _as_arrow_text(v) for v in flat]
        if not any(isinstance(a, pa.Array) for a in arrays):
            return _text_array("".join(flat), n)
        return pc.binary_join_element_wise(*arrays, pa.scalar("", type=pa.large_string()))
    return _as_arrow_text(value)


def _flatten(parts: list) -> list:
    out: list = []
    for part in parts:
        out.extend(_flatten(part) if isinstance(part, list) else [part])
    return out


def _as_arrow_text(value: object) -> pa.Array:
    if isinstance(value, pa.Array):
        return value if value.type == pa.large_string() else value.cast(pa.large_string())
    return _arrow(pd.Series(value).reset_index(drop=True))


def compose_text(cases: Sequence[tuple[np.ndarray, object]], n: int) -> pd.Series:
    """Return a string Series of length ``n``: for each row, the text of the first case it matches.

    Each case is ``(mask, builder)``; ``builder(rows)`` gets the row positions the case decides
    and returns one string (shared), a Series of strings aligned with ``rows``, or a list of such
    parts to concatenate. Builders only run on their own rows, so a million rows pay for the texts
    they show, not for every template. Rows matching no case are NA.
    """
    choice = np.select([np.asarray(m, dtype=bool) for m, _ in cases], list(range(len(cases))), default=-1) \
        if cases else np.full(n, -1)
    pieces, row_parts = [], []
    for k, (_, builder) in enumerate(cases):
        rows = np.flatnonzero(choice == k)
        if not len(rows):
            continue
        pieces.append(_text_array(builder(rows), len(rows)))
        row_parts.append(rows)
    rest = np.flatnonzero(choice == -1)
    if len(rest):
        pieces.append(pa.nulls(len(rest), type=pa.large_string()))
        row_parts.append(rest)
    if not pieces:
        return pd.Series([], dtype="string")
    values = pa.concat_arrays(pieces)
    where = np.empty(n, dtype=np.int64)
    where[np.concatenate(row_parts)] = np.arange(n)  # row r's text is at position where[r] of the pieces
    return pd.Series(pd.array(values.take(pa.array(where)), dtype="string"))


def at(values: pd.Series | np.ndarray, rows: np.ndarray) -> pa.Array:
    """``values`` at ``rows`` as Arrow text for :func:`compose_text` (NA shown as '?')."""
    return text_at(values, rows).fill_null("?")


def text_at(values: pd.Series | np.ndarray, rows: np.ndarray) -> pa.Array:
    """``values`` at ``rows`` as Arrow text (large_string; NA stays null).

    Numbers are formatted once per distinct value (a column of counts or ages has few), not per row;
    a categorical spells each category once.
    """
    rows = np.asarray(rows, dtype=np.int64)
    if isinstance(values, np.ndarray) and values.dtype.kind in "iuf":
        codes, uniques = pd.factorize(values[rows], use_na_sentinel=True)
        words = pa.array([str(v) for v in uniques] + [None], type=pa.large_string())
        return words.take(pa.array(np.where(codes < 0, len(uniques), codes)))
    if isinstance(values, pd.Series) and isinstance(values.dtype, pd.CategoricalDtype):
        words = pa.array([str(c) for c in values.cat.categories] + [None], type=pa.large_string())
        codes = np.asarray(values.array.codes)[rows]
        return words.take(pa.array(np.where(codes < 0, len(words) - 1, codes)))
    if isinstance(values, pd.Series) and isinstance(values.dtype, pd.StringDtype) and values.dtype.storage == "pyarrow":
        taken = pa.array(values.array).take(pa.array(rows))  # the rows first: never a copy of the whole column
        if isinstance(taken, pa.ChunkedArray):
            taken = taken.combine_chunks()
        return taken if taken.type == pa.large_string() else taken.cast(pa.large_string())
    if isinstance(values, np.ndarray) and values.dtype.kind in "OUS":  # a few rows of Python strings
        return pa.array([None if _missing(v) else str(v) for v in values[rows]], type=pa.large_string())
    series = values if isinstance(values, pd.Series) else pd.Series(values)
    return _arrow(as_text(series.take(rows).reset_index(drop=True)))


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def as_text(series: pd.Series) -> pd.Series:
    """``series`` as a pandas string Series; a categorical spells each category once (no per-row Python)."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        words = pa.array([str(c) for c in series.cat.categories] + [None], type=pa.large_string())
        codes = np.asarray(series.array.codes)
        return pd.Series(pd.array(words.take(pa.array(np.where(codes < 0, len(words) - 1, codes))), dtype="string"),
                         index=series.index)
    return series.astype("string")


def category_codes(series: pd.Series, vocabulary: list[str]) -> np.ndarray:
    """Index of each value in ``vocabulary`` (-1 when absent/NA), via the categories when categorical."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        where = {name: i for i, name in enumerate(vocabulary)}
        cat_pos = np.array([where.get(str(c), -1) for c in series.dtype.categories], dtype=np.int64)
        codes = np.asarray(series.array.codes)
        return np.where(codes >= 0, np.append(cat_pos, -1)[codes], -1).astype(np.int64)
    return positions(series, vocabulary)


def spell(codes: np.ndarray, vocabulary: list[str]) -> pd.Series:
    """Inverse of :func:`category_codes`: a string Series (NA where the code is -1)."""
    words = pa.array(list(vocabulary) + [None], type=pa.large_string())
    index = np.where(np.asarray(codes) >= 0, codes, len(vocabulary))
    return pd.Series(pd.array(words.take(pa.array(index)), dtype="string"))


def sort_unique(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    """Return ``frame`` sorted by ``key`` with one row per key, whatever the input row order.

    Duplicated keys (the same resource listed twice) keep the row that sorts first on all
    columns, so the choice does not depend on input order either. Fast path: one argsort.
    """
    ids = frame[key].astype("string[pyarrow]")
    values = pa.array(ids.array)
    if len(values) > 1 and pc.all(pc.less(values.slice(0, len(values) - 1), values.slice(1))).as_py():
        return frame.reset_index(drop=True)  # already strictly sorted: nothing to do
    order = pc.array_sort_indices(values, null_placement="at_end").to_numpy()
    out = frame.take(order).reset_index(drop=True)
    sorted_ids = pa.array(out[key].astype("string[pyarrow]").array)
    if len(sorted_ids) > 1 and pc.any(pc.equal(sorted_ids.slice(0, len(sorted_ids) - 1),
                                               sorted_ids.slice(1))).as_py():
        columns = list(out.columns)
        text = out.astype("string")  # rare path: duplicates, decide on every column
        order = text.sort_values(columns, kind="stable", na_position="last").index
        out = out.loc[order].drop_duplicates(key).reset_index(drop=True)
    return out

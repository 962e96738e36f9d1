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
        values = values.astype("string[pyarrow]")
        return pa.array(values.array)
    return pa.array(list(values), type=pa.string())


def positions(values: pd.Series | Sequence[object], keys: pd.Series | Sequence[object]) -> np.ndarray:
    """Return, for each of ``values``, the first row of ``keys`` equal to it; -1 when absent or NA."""
    found = pc.index_in(_arrow(values), value_set=_arrow(keys))
    return found.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)


def take(array: np.ndarray | pd.api.extensions.ExtensionArray, pos: np.ndarray, fill: object = pd.NA) -> pd.Series:
    """Return ``array[pos]`` as a Series, with ``fill`` where ``pos`` is -1 (dtype kept)."""
    series = pd.Series(array)
    if len(series) == 0:
        return pd.Series([fill] * len(pos), dtype=series.dtype)
    out = series.take(np.where(pos < 0, 0, pos)).reset_index(drop=True)
    return out.mask(pos < 0, fill) if (pos < 0).any() else out


def join_region_sets(masks: np.ndarray, vocabulary: list[str]) -> pd.Series:
    """Turn per-row bit masks over ``vocabulary`` into sorted comma-separated region names.

    Only the distinct masks are spelled out in Python (a tenancy has a handful of region
    combinations), then broadcast back by position; an empty mask gives NA.
    """
    distinct, inverse = np.unique(masks, return_inverse=True)
    order = sorted(range(len(vocabulary)), key=lambda i: vocabulary[i])
    spelled = []
    for mask in distinct.tolist():
        names = [vocabulary[i] for i in order if (mask >> i) & 1]
        spelled.append(",".join(names) if names else pd.NA)
    return pd.Series(pd.array(spelled, dtype="string"), dtype="string").take(inverse.ravel()).reset_index(drop=True)


def region_bits(codes: np.ndarray) -> np.ndarray:
    """Return ``1 << code`` as uint64 (0 for code -1); the vocabulary is capped at 64 regions."""
    codes = np.asarray(codes, dtype=np.int64)
    return np.where(codes >= 0, np.left_shift(np.uint64(1), np.clip(codes, 0, 63).astype(np.uint64)), np.uint64(0))


def compose_text(cases: Sequence[tuple[np.ndarray, object]], n: int) -> pd.Series:
    """Return a string Series of length ``n``: for each row, the text of the first case it matches.

    Each case is ``(mask, builder)``; ``builder(rows)`` gets the row positions the case decides
    and returns one string (shared) or a Series of strings aligned with ``rows``. Builders only
    run on their own rows, so a million rows pay for the texts they show, not for every template.
    Rows matching no case are NA.
    """
    choice = np.select([np.asarray(m, dtype=bool) for m, _ in cases], list(range(len(cases))), default=-1) \
        if cases else np.full(n, -1)
    pieces, row_parts = [], []
    for k, (_, builder) in enumerate(cases):
        rows = np.flatnonzero(choice == k)
        if not len(rows):
            continue
        value = builder(rows)
        if value is None or isinstance(value, str):
            piece = pa.array([value], type=pa.string()).take(pa.array(np.zeros(len(rows), dtype=np.int64)))
        else:
            piece = _arrow(pd.Series(value).reset_index(drop=True))
        pieces.append(piece.cast(pa.large_string()))
        row_parts.append(rows)
    rest = np.flatnonzero(choice == -1)
    if len(rest):
        pieces.append(pa.nulls(len(rest), type=pa.large_string()))
        row_parts.append(rest)
    if not pieces:
        return pd.Series([], dtype="string")
    values = pa.concat_arrays(pieces)
    order = np.argsort(np.concatenate(row_parts), kind="stable")
    return pd.Series(pd.array(values.take(pa.array(order)), dtype="string"))


def at(values: pd.Series | np.ndarray, rows: np.ndarray) -> pd.Series:
    """``values`` at ``rows`` as a string Series with a fresh index (NA shown as '?')."""
    return pd.Series(values).take(rows).reset_index(drop=True).astype("string").fillna("?")


def category_codes(series: pd.Series, vocabulary: list[str]) -> np.ndarray:
    """Index of each value in ``vocabulary`` (-1 when absent/NA), via the categories when categorical."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        cat_pos = positions(pd.Series(series.cat.categories, dtype="string"), vocabulary)
        codes = series.cat.codes.to_numpy()
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

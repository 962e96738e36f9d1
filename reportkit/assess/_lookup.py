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


def region_codes(regions: pd.Series, vocabulary: list[str]) -> np.ndarray:
    """Return the index of each region in ``vocabulary`` (-1 when absent or NA)."""
    return positions(regions, vocabulary)


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

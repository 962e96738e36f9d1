"""Neutralise CSV cells that a spreadsheet would run as a formula (CSV/formula injection).

OCI display names are free text: a backup named ``=HYPERLINK(...)`` must not become a live
formula when an analyst opens the CSV in Excel. OWASP's advice: prefix such cells with a single
quote. Cells starting with ``= + - @``, a tab or a carriage return are prefixed.
"""
from __future__ import annotations

import pandas as pd

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formulas(df: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of ``df`` whose text cells starting with = + - @ tab or CR get a leading ``'``.

    Only text columns (string, object, categorical) are touched; numbers stay numbers, so a
    negative number is not altered. Categorical columns come back as strings.
    """
    out = df.copy()
    for name in out.columns:
        col = out[name]
        if isinstance(col.dtype, pd.CategoricalDtype):
            col = col.astype("string")
        elif not (pd.api.types.is_string_dtype(col.dtype) or col.dtype == object):
            continue
        text = col.astype("string")
        risky = text.str.startswith(FORMULA_PREFIXES).fillna(False)
        # object columns may hold numbers; only real strings are neutralised
        if col.dtype == object:
            risky &= col.map(lambda v: isinstance(v, str)).astype(bool)
        if risky.any():
            out[name] = text.mask(risky, "'" + text)
        elif isinstance(out[name].dtype, pd.CategoricalDtype):
            out[name] = text
    return out

"""Column and Table: a table's columns declared once (name, dtype, description), reused to validate,
coerce, build empty frames and write the data dictionary.

Conventions (all tables):
- regions are region *names* (``uk-london-1``), never keys;
- timestamps are ``datetime64[ns, UTC]``;
- OCIDs and free text are pandas ``string``; counts are nullable ``Int64``; flags ``boolean``;
- status vocabularies are ``StrEnum`` s stored as pandas categoricals with the enum's order.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from enum import StrEnum

import pandas as pd

from reportkit.errors import SchemaError

STRING = "string"
INT = "Int64"
FLOAT = "Float64"
BOOL = "boolean"
TIMESTAMP = "datetime64[ns, UTC]"
CATEGORY = "category"
OBJECT = "object"


@dataclass(frozen=True)
class Column:
    """One column: its name, pandas dtype, meaning, and (for categoricals) the category order."""

    name: str
    dtype: str
    description: str
    categories: tuple[str, ...] | None = None

    def pandas_dtype(self) -> object:
        if self.dtype == CATEGORY:
            return pd.CategoricalDtype(list(self.categories) if self.categories else None)
        return self.dtype


def enum_values(values: type[StrEnum]) -> tuple[str, ...]:
    """Return the values of a status enum in declaration order (the category order of its columns)."""
    return tuple(v.value for v in values)


@dataclass(frozen=True)
class Table:
    """A declared table: ordered columns plus a one-line description."""

    name: str
    description: str
    columns: tuple[Column, ...] = field(default_factory=tuple)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @cached_property
    def _names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @cached_property
    def _name_set(self) -> frozenset[str]:
        return frozenset(self._names)

    def row(self, **values: object) -> tuple:
        """Return one row as a tuple in the declared column order, built by column name.

        Columns not given are NA. Raises :class:`SchemaError` for a name the table does not
        declare, so a typo cannot shift a value into the wrong column. Tuples keep a run of
        100k rows small; :meth:`coerce` (``from_records`` with :attr:`column_names`) reads them.
        """
        names = self._names
        if not values.keys() <= self._name_set:
            unknown = sorted(set(values) - self._name_set)
            raise SchemaError(f"table {self.name!r} has no column(s) {unknown}; declare them in reportkit/schema/")
        return tuple(values.get(name) for name in names)

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(f"{self.name} has no column {name!r}")

    def dtypes(self) -> dict[str, object]:
        return {c.name: c.pandas_dtype() for c in self.columns}

    def empty(self) -> pd.DataFrame:
        """Return a zero-row frame with every declared column and dtype (a fresh frame each call)."""
        return self._empty.copy(deep=False)

    @cached_property
    def _empty(self) -> pd.DataFrame:
        return self.coerce(pd.DataFrame({c.name: [] for c in self.columns}))

    def coerce(self, df: pd.DataFrame | Iterable[Mapping[str, object]]) -> pd.DataFrame:
        """Return ``df`` (or records) with exactly the declared columns, in order, cast to dtype.

        Missing declared columns are added as all-NA; undeclared columns raise, because a
        column nobody declared is a column nobody documented.
        """
        frame = df if isinstance(df, pd.DataFrame) else pd.DataFrame.from_records(list(df))
        present = list(frame.columns)
        extra = [c for c in present if c not in self._name_set]
        if extra:
            raise SchemaError(f"table {self.name!r}: undeclared columns {extra}; declare them in reportkit/schema/")
        if tuple(present) == self._names:  # the common case: every column, in order; cast only what differs
            out = frame.copy(deep=False)
            for (col, expected), (_, series) in zip(self._expected, frame.items(), strict=True):
                if not _has_dtype(series, col, expected):
                    out[col.name] = _cast(series, col, self.name)
            index = out.index
            if isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1:
                return out
            return out.reset_index(drop=True)
        out = {}
        n = len(frame)
        for col, expected in self._expected:
            series = frame[col.name] if col.name in frame.columns else pd.Series([pd.NA] * n, index=frame.index)
            out[col.name] = series if _has_dtype(series, col, expected) else _cast(series, col, self.name)
        return pd.DataFrame(out, index=frame.index).reset_index(drop=True)

    @cached_property
    def _expected(self) -> tuple[tuple[Column, str], ...]:
        """(column, the str of its pandas dtype) once per table: parsing a dtype string costs on every check."""
        return tuple((c, "" if c.dtype in (CATEGORY, OBJECT) else str(pd.api.types.pandas_dtype(c.dtype)))
                     for c in self.columns)

    def validate(self, df: pd.DataFrame) -> pd.DataFrame:
        """Raise :class:`SchemaError` unless ``df`` has exactly the declared columns and dtypes."""
        if list(df.columns) != self.column_names:
            missing = [c for c in self.column_names if c not in df.columns]
            extra = [c for c in df.columns if c not in self.column_names]
            raise SchemaError(
                f"table {self.name!r}: columns differ from the declaration (missing {missing}, extra {extra})"
            )
        for (col, expected), actual in zip(self._expected, df.dtypes, strict=True):
            if _has_dtype_of(actual, col, expected):
                continue
            if col.dtype == CATEGORY:
                if not isinstance(actual, pd.CategoricalDtype):
                    raise SchemaError(f"table {self.name!r}: column {col.name!r} is {actual}, expected category")
                if col.categories and list(actual.categories) != list(col.categories):
                    raise SchemaError(
                        f"table {self.name!r}: column {col.name!r} categories {list(actual.categories)} "
                        f"!= declared {list(col.categories)}"
                    )
            elif col.dtype != OBJECT and str(actual) != expected:
                raise SchemaError(f"table {self.name!r}: column {col.name!r} is {actual}, expected {col.dtype}")
        return df


def _cast(series: pd.Series, col: Column, table: str) -> pd.Series:
    try:
        if col.dtype == TIMESTAMP:
            return pd.to_datetime(series, utc=True, format="ISO8601").astype(TIMESTAMP)
        if col.dtype == CATEGORY:
            values = series.astype("object").where(series.notna(), None)
            return pd.Series(pd.Categorical(values, categories=list(col.categories) if col.categories else None),
                             index=series.index)
        if col.dtype == OBJECT:
            return series.astype(object)
        return series.astype(col.dtype)
    except (TypeError, ValueError) as exc:
        raise SchemaError(f"table {table!r}: column {col.name!r} cannot be read as {col.dtype}: {exc}") from exc


def _has_dtype(series: pd.Series, col: Column, expected: str) -> bool:
    """True when ``series`` already has the declared dtype (nothing to convert: the common case)."""
    return _has_dtype_of(series.dtype, col, expected)


def _has_dtype_of(actual: object, col: Column, expected: str) -> bool:
    if col.dtype == CATEGORY:
        return isinstance(actual, pd.CategoricalDtype) and (
            col.categories is None or actual.categories.equals(_category_index(col.categories)))
    if col.dtype == OBJECT:
        return actual == object
    return str(actual) == expected


@lru_cache(maxsize=256)
def _category_index(categories: tuple[str, ...]) -> pd.Index:
    return pd.Index(list(categories))


def data_dictionary(tables: Iterable[Table]) -> pd.DataFrame:
    """Return one row per declared column: table, column, dtype, description (for docs and reports)."""
    rows = []
    for table in tables:
        for col in table.columns:
            desc = col.description
            if col.categories:
                desc = f"{desc} (one of: {', '.join(col.categories)})"
            rows.append({"table": table.name, "column": col.name, "dtype": col.dtype, "description": desc})
    return pd.DataFrame(rows, columns=["table", "column", "dtype", "description"])

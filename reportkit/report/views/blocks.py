"""Building blocks of every report: the escaping boundary (:class:`Html`), KPI tiles, panels, tables.

Pure functions: an assessment's frames (or numbers) in, an :class:`Html` snippet or a pandas
``Styler`` out. No I/O, no clock. Every string that comes from OCI (display names, compartment
names, error messages) is HTML-escaped here, because a display name like
``<script>alert(1)</script>`` must reach the reader as text, never as markup.
"""
from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd
from pandas.io.formats.style import Styler

from reportkit.report.palette import STATUS_COLOURS, STATUS_LABELS
from reportkit.schema import ACTION_NEEDED, CoverageStatus, Table, data_dictionary

#: Restorable percentage thresholds for the headline tile: >= GOOD is green, >= WARN amber, else red.
COVERAGE_GOOD = 95.0
COVERAGE_WARN = 80.0

#: Default number of rows shown in a table; the full data is in the CSV next to the report.
TOP_N = 20


class Html(str):
    """A snippet of trusted HTML (built here with every value escaped); notebooks display it as HTML."""

    def _repr_html_(self) -> str:
        return str(self)


def _e(value: Any) -> str:
    return html.escape("" if value is None or value is pd.NA else str(value), quote=True)


def _get(obj: Any, name: str, default: Any = None) -> Any:
    if isinstance(obj, Mapping):
        return obj.get(name, default)
    return getattr(obj, name, default)


def _is_na(value: Any) -> bool:
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


# --------------------------------------------------------------------------------------------
# KPI tiles and panels
# --------------------------------------------------------------------------------------------
# (status, label, level when the count is above zero, what the tile means)
_COUNT_TILES: tuple[tuple[CoverageStatus, str, str], ...] = (
    (CoverageStatus.COVERED, "good", "fresh copy or replica in every required region"),
    (CoverageStatus.STALE, "warn", "newest copy or replica older than the RPO"),
    (CoverageStatus.MISSING, "bad", "no copy or replica in a required region"),
    (CoverageStatus.IN_PROGRESS, "warn", "copy under way"),
    (CoverageStatus.FAILED, "bad", "copy ended FAULTY"),
    (CoverageStatus.NO_BACKUP, "bad", "no backup at all"),
    (CoverageStatus.INELIGIBLE, "warn", "image cannot be copied"),
    (CoverageStatus.UNKNOWN, "warn", "could not be judged: never counted as covered"),
)


def coverage_level(pct: float | None) -> str:
    """Return 'good', 'warn' or 'bad' for a coverage percentage (None -> 'warn': nothing to judge)."""
    if _is_na(pct):
        return "warn"
    return "good" if pct >= COVERAGE_GOOD else "warn" if pct >= COVERAGE_WARN else "bad"


def _tile(kpi: str, value: str, raw: Any, label: str, note: str, level: str, colour: str,
          extra_class: str = "") -> str:
    raw_text = "" if _is_na(raw) else str(raw)
    return (
        f'<div class="rk-kpi rk-{_e(level)} {extra_class}" data-kpi="{_e(kpi)}" data-value="{_e(raw_text)}" '
        f'style="--rk-colour:{_e(colour)}">'
        f'<div class="rk-kpi-value">{_e(value)}</div><div class="rk-kpi-label">{_e(label)}</div>'
        f'<div class="rk-kpi-note">{_e(note)}</div></div>'
    )


def kpi_tiles(summary: Any) -> Html:
    """Return the KPI tiles of a coverage summary (``CoverageSummary`` or its ``to_dict()``).

    The headline tile is ``restorable_pct`` (covered / every volume in scope: unknown counts as not
    covered, so data that could not be read never raises it), with its upper bound and the
    copyable coverage beside it. Each tile carries ``data-kpi`` (its name) and ``data-value`` (the
    exact number) so tests and scripts can read the report; colour follows
    :data:`reportkit.plots.STATUS_COLOURS`, and the level (good/warn/bad) is also said in words:
    colour is never the only signal.
    """
    pct = _get(summary, "restorable_pct")
    level = coverage_level(pct)
    target = f"target ≥ {COVERAGE_GOOD:.0f}%"
    pct_text = "n/a" if _is_na(pct) else f"{pct:.1f}%"
    note = {"good": f"on target ({target})", "warn": f"below target ({target})",
            "bad": f"well below target ({target})"}[level]
    if _is_na(pct):
        note = "no boot volume in scope"
    colour = {"good": STATUS_COLOURS[CoverageStatus.COVERED], "warn": STATUS_COLOURS[CoverageStatus.STALE],
              "bad": STATUS_COLOURS[CoverageStatus.FAILED]}[level]
    tiles = [_tile("restorable_pct", pct_text, None if _is_na(pct) else round(float(pct), 4),
                   "Restorable in another region", note, level, colour, "rk-headline")]
    for kpi, label, meaning in (("restorable_upper_pct", "At most, if every unknown were covered",
                                 "upper bound: covered + unknown"),
                                ("copyable_coverage_pct", "Coverage of copyable volumes",
                                 "covered / (volumes − ineligible)")):
        value = _get(summary, kpi)
        tiles.append(_tile(kpi, "n/a" if _is_na(value) else f"{value:.1f}%",
                           None if _is_na(value) else round(float(value), 4), label, meaning, "neutral", "#0072B2"))
    total = _get(summary, "total_volumes", 0)
    tiles.append(_tile("total_volumes", f"{total:,}", total, "Boot volumes", "in scope", "neutral", "#0072B2"))
    for status, bad_level, meaning in _COUNT_TILES:
        n = int(_get(summary, status.value, 0) or 0)
        tiles.append(_tile(status.value, f"{n:,}", n, STATUS_LABELS[status], meaning,
                           (bad_level if n else "neutral") if status != CoverageStatus.COVERED else "good",
                           STATUS_COLOURS[status]))
    gaps = int(_get(summary, "collection_gaps", 0) or 0)
    tiles.append(_tile("collection_gaps", f"{gaps:,}", gaps, "Collection gaps",
                       "calls that failed: affected data is unknown" if gaps else "every call succeeded",
                       "bad" if gaps else "good", STATUS_COLOURS[CoverageStatus.FAILED] if gaps else
                       STATUS_COLOURS[CoverageStatus.COVERED]))
    return Html('<div class="rk-kpis">' + "".join(tiles) + "</div>")


def headline(summary: Any) -> Html:
    """Return one paragraph: 'N of M boot volumes could be restored in another region from data no older
    than the RPO (R days)', the percentage, and how many need action or could not be judged."""
    pct = _get(summary, "restorable_pct")
    total = int(_get(summary, "total_volumes", 0) or 0)
    covered = int(_get(summary, "covered", 0) or 0)
    action = sum(int(_get(summary, s.value, 0) or 0) for s in ACTION_NEEDED)
    unknown = int(_get(summary, "unknown", 0) or 0)
    rpo = _get(summary, "rpo_days")
    if not total:
        first = "There is no boot volume in scope."
    else:
        first = (f"{covered:,} of {total:,} boot volumes could be restored in another region from data no older "
                 f"than the RPO ({rpo} days): {pct:.0f}%.")
    parts = [first, f"{action:,} of {total:,} boot volumes need action."]
    if unknown:
        parts.append(f"{unknown:,} could not be judged because data could not be read; they count as not covered.")
    return Html(f'<p class="rk-headline-text" data-kpi-text="headline"><strong>{_e(" ".join(parts))}</strong></p>')


def data_freshness(metadata: Any, *, as_of: Any, regions: pd.DataFrame | None = None,
                   errors: pd.DataFrame | None = None) -> Html:
    """Return a panel: when the data was collected, its age at ``as_of``, regions read, collection gaps.

    Collection gaps (rows of the inventory's ``errors`` table) are shown in red, with what they
    mean for the verdicts.
    """
    finished = pd.Timestamp(_get(metadata, "finished_at"))
    as_of_ts = pd.Timestamp(as_of) if not _is_na(as_of) else finished
    age_h = (as_of_ts - finished).total_seconds() / 3600
    age = f"{age_h:.1f} hours" if abs(age_h) < 48 else f"{age_h / 24:.1f} days"
    rows = [
        ("Tenancy", _get(metadata, "tenancy_name")),
        ("Data collected", f"{finished:%Y-%m-%d %H:%M} UTC (reportkit {_get(metadata, 'reportkit_version')})"),
        ("Assessed as of", f"{as_of_ts:%Y-%m-%d %H:%M} UTC — data age {age}"),
    ]
    if regions is not None and len(regions):
        collected = regions[regions["collected"].fillna(False).astype(bool)]["region"].astype(str).tolist()
        missed = regions[~regions["collected"].fillna(False).astype(bool)]["region"].astype(str).tolist()
        rows.append(("Regions read", f"{len(collected)} of {len(regions)}: {', '.join(collected) or 'none'}"))
        if missed:
            rows.append(("Regions NOT read", ", ".join(missed)))
    body = "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in rows)
    out = f'<table class="rk-freshness">{body}</table>'
    n_errors = 0 if errors is None else len(errors)
    if n_errors:
        by_op = (errors.assign(region=errors["region"].astype(str), operation=errors["operation"].astype(str))
                 .groupby(["region", "operation"]).size().sort_values(ascending=False))
        items = "".join(f"<li>{_e(r)} · {_e(o)}: {n}</li>" for (r, o), n in by_op.head(10).items())
        out += (f'<div class="rk-alert" data-kpi-alert="collection_gaps"><strong>{n_errors} collection gap'
                f'{"s" if n_errors != 1 else ""}</strong>: some calls failed, so the volumes they concern are '
                f'reported as <em>unknown</em>, never as covered.<ul>{items}</ul></div>')
    else:
        out += '<div class="rk-ok">No collection gaps: every region and compartment was read.</div>'
    return Html(out)


def callout(text: str, *, level: str = "alert") -> Html:
    """Return ``text`` (escaped) in a coloured box: level 'alert' (red) or 'ok' (green)."""
    return Html(f'<div class="rk-{"alert" if level == "alert" else "ok"}">{_e(text)}</div>')


# --------------------------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------------------------
def _format_value(value: Any) -> str:
    if _is_na(value):
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, float):
        return f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


#: Inline styles of every table, so JupyterLab (which lacks the report's CSS) shows text left-aligned and
#: long reasons wrapped inside the page, numbers right-aligned.
_TABLE_STYLES = [
    {"selector": "th, td", "props": "text-align: left; vertical-align: top; white-space: normal;"},
    {"selector": "td", "props": "max-width: 36em; overflow-wrap: anywhere;"},
    {"selector": "td.rk-num", "props": "text-align: right;"},
    {"selector": "td.rk-nowrap", "props": "white-space: nowrap;"},
    {"selector": "caption", "props": "caption-side: top; text-align: left;"},
]


#: a text column whose values are all at most this long (regions, statuses, short names) never wraps
_NOWRAP_CHARS = 24


def _cell_class(column: pd.Series, numeric: bool) -> str:
    """'rk-num' for numbers (right-aligned), 'rk-nowrap' for short texts (``eu-amsterdam-1`` stays on one
    line while long reasons and OCIDs wrap), else nothing."""
    if numeric:
        return "rk-num"
    longest = column.map(lambda v: len(_format_value(v))).max() if len(column) else 0
    return "rk-nowrap" if longest <= _NOWRAP_CHARS else ""


def table(frame: pd.DataFrame, *, top_n: int | None = TOP_N, caption: str | None = None,
          full_data: str | None = None, labels: Mapping[str, str] | None = None) -> Styler:
    """Return ``frame`` as a formatted, escaped Styler showing at most ``top_n`` rows.

    Numbers get thousands separators, floats one decimal, timestamps minutes, NA a dash, and
    booleans yes/no. When rows are cut, the caption says how many are shown and where the full
    data is (``full_data``, e.g. the CSV file name next to the report).
    """
    total = len(frame)
    shown = frame if top_n is None else frame.head(top_n)
    shown = shown.rename(columns=dict(labels or {}))
    # object dtype so every cell goes through the same formatter (nullable ints, categoricals...)
    shown = shown.astype(object).reset_index(drop=True)
    notes = []
    if caption:
        notes.append(caption)
    if total > len(shown):
        notes.append(f"Showing {len(shown):,} of {total:,} rows.")
        if full_data:
            notes.append(f"Full data: {full_data}.")
    elif total == 0:
        notes.append("No rows.")
    numeric = [labels.get(c, c) if labels else c for c in frame.columns
               if pd.api.types.is_numeric_dtype(frame[c].dtype) and not pd.api.types.is_bool_dtype(frame[c].dtype)]
    styler = (shown.style.hide(axis="index")
              .format(_format_value, escape="html")
              .format_index(escape="html", axis=1)
              .set_table_attributes('class="rk-table"')
              .set_table_styles(_TABLE_STYLES)
              .set_td_classes(pd.DataFrame([[_cell_class(shown[c], c in numeric) for c in shown.columns]] * len(shown),
                                           columns=shown.columns)))
    if notes:
        styler = styler.set_caption(_e(" ".join(notes)))
    return styler


def parameters_table(parameters: Mapping[str, Any], metadata: Any | None = None) -> Styler:
    """Return the parameters of the run (and of the collection) as a two-column table."""
    rows = [{"parameter": k, "value": _param_text(v)} for k, v in parameters.items()]
    if metadata is not None:
        for key in ("tenancy_name", "tenancy_id", "home_region", "started_at", "finished_at", "reportkit_version"):
            rows.append({"parameter": f"collection.{key}", "value": _param_text(_get(metadata, key))})
        for key, value in (_get(metadata, "parameters") or {}).items():
            rows.append({"parameter": f"collection.{key}", "value": _param_text(value)})
    return table(pd.DataFrame(rows, columns=["parameter", "value"]), top_n=None)


def _param_text(value: Any) -> str:
    if isinstance(value, Mapping):
        return ", ".join(f"{k} → {_param_text(v)}" for k, v in value.items()) or "—"
    if isinstance(value, (list, tuple)):
        return ", ".join(map(_param_text, value)) or "—"
    return "—" if _is_na(value) else str(value)


def dictionary(tables: Iterable[Table] | None = None) -> Styler:
    """Return the data dictionary (every declared column of ``tables``) from ``reportkit.schema``."""
    from reportkit.schema import INVENTORY_TABLES

    return table(data_dictionary(INVENTORY_TABLES.values() if tables is None else tables), top_n=None)


def title_block(title: str, metadata: Any, summary: Any, *, month: str | None = None) -> Html:
    """Return the report's title (escaped) with tenancy, period and assessment time under it, and, when
    the data is older than the RPO at the assessment time, a red box saying so (:func:`stale_data_note`)."""
    as_of = pd.Timestamp(_get(summary, "as_of"))
    period = f"Month {month} · " if month else ""
    sub = (f"{period}Tenancy {_get(metadata, 'tenancy_name')} · assessed as of {as_of:%Y-%m-%d %H:%M} UTC · "
           f"RPO {_get(summary, 'rpo_days')} days")
    note = stale_data_note(metadata, summary)
    alert = f'<div class="rk-alert" data-kpi-alert="stale_data">{_e(note)}</div>' if note else ""
    return Html(f'<h1 class="rk-title">{_e(title)}</h1><p class="rk-note">{_e(sub)}</p>{alert}')


def stale_data_note(metadata: Any, summary: Any) -> str | None:
    """Return one sentence when the data was collected longer than the RPO before the assessment time
    (``summary.as_of``), else None: every copy made since is invisible, so verdicts say more about
    the data's age than about the copies."""
    collected = pd.Timestamp(_get(metadata, "finished_at"))
    as_of, rpo_days = pd.Timestamp(_get(summary, "as_of")), int(_get(summary, "rpo_days"))
    age = as_of - collected
    if age <= pd.Timedelta(days=rpo_days):
        return None
    return (f"Old data: this snapshot was collected {collected:%Y-%m-%d %H:%M} UTC, {age / pd.Timedelta(days=1):,.0f} "
            f"days before the assessment time ({as_of:%Y-%m-%d %H:%M} UTC), longer than the {rpo_days}-day RPO. "
            "Copies made since cannot be seen, so volumes may show as stale or missing because the data is old. "
            "Collect a new snapshot, or judge it as of its collection time (leave as_of empty).")

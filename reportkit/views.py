"""Display-ready pieces of a report: KPI tiles, panels and formatted, truncated tables.

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

from reportkit.compartments import subtree_mask
from reportkit.plots import SEVERITY_COLOURS, STATUS_COLOURS, STATUS_LABELS
from reportkit.schema import Control, CoverageStatus, ImageClass, Severity, Table, data_dictionary

#: Coverage percentage thresholds for the headline tile: >= GOOD is green, >= WARN amber, else red.
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
    (CoverageStatus.COVERED, "good", "fresh copy in every required region"),
    (CoverageStatus.STALE, "warn", "newest copy older than the RPO"),
    (CoverageStatus.MISSING, "bad", "no copy in a required region"),
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

    Each tile carries ``data-kpi`` (its name) and ``data-value`` (the exact number) so tests and
    scripts can read the report; colour follows :data:`reportkit.plots.STATUS_COLOURS`, and the
    level (good/warn/bad) is also said in words: colour is never the only signal.
    """
    pct = _get(summary, "coverage_pct")
    level = coverage_level(pct)
    target = f"target ≥ {COVERAGE_GOOD:.0f}%"
    pct_text = "n/a" if _is_na(pct) else f"{pct:.1f}%"
    note = {"good": f"on target ({target})", "warn": f"below target ({target})",
            "bad": f"well below target ({target})"}[level]
    if _is_na(pct):
        note = "no copyable volume could be judged"
    colour = {"good": STATUS_COLOURS[CoverageStatus.COVERED], "warn": STATUS_COLOURS[CoverageStatus.STALE],
              "bad": STATUS_COLOURS[CoverageStatus.FAILED]}[level]
    tiles = [_tile("coverage_pct", pct_text, None if _is_na(pct) else round(float(pct), 4),
                   "Coverage of copyable volumes", note, level, colour, "rk-headline")]
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
    """Return one paragraph saying how protected the tenancy is and how many volumes need action."""
    pct = _get(summary, "coverage_pct")
    total = int(_get(summary, "total_volumes", 0) or 0)
    action = sum(int(_get(summary, s, 0) or 0) for s in ("stale", "missing", "failed", "no_backup"))
    unknown = int(_get(summary, "unknown", 0) or 0)
    rpo = _get(summary, "rpo_days")
    if _is_na(pct):
        first = f"None of the {total:,} boot volumes could be judged for cross-region coverage."
    else:
        first = (f"{pct:.0f}% of the boot volumes that can be copied have a copy in another region "
                 f"no older than {rpo} days.")
    parts = [first, f"{action:,} of {total:,} boot volumes need action."]
    if unknown:
        parts.append(f"{unknown:,} could not be judged because data could not be read; they are not counted as covered.")
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
              .set_td_classes(pd.DataFrame([["rk-num" if c in numeric else "" for c in shown.columns]] * len(shown),
                                           columns=shown.columns)))
    if notes:
        styler = styler.set_caption(_e(" ".join(notes)))
    return styler


def coverage_table(frame: pd.DataFrame, group: str, *, top_n: int = TOP_N, full_data: str | None = None) -> Styler:
    """Return coverage per region/compartment, worst first, statuses in the schema's order."""
    statuses = [s.value for s in CoverageStatus if s.value in frame.columns]
    cols = [group, *[c for c in ("total", "total_volumes") if c in frame.columns], *statuses, "coverage_pct"]
    data = frame[[c for c in cols if c in frame.columns]].copy()
    data["coverage_pct"] = pd.to_numeric(data["coverage_pct"], errors="coerce").astype(float)
    data = data.sort_values(["coverage_pct", group], na_position="first", kind="stable")
    labels = {s.value: STATUS_LABELS[s] for s in CoverageStatus} | {"coverage_pct": "Coverage %",
                                                                     "total": "Volumes", "total_volumes": "Volumes"}
    return table(data, top_n=top_n, full_data=full_data, labels=labels,
                 caption="Worst coverage first. Coverage % = covered / (volumes − ineligible − unknown).")


_SEVERITY_ORDER = {s.value: i for i, s in enumerate(Severity)}


def top_findings(findings: pd.DataFrame, *, top_n: int = TOP_N, full_data: str | None = None) -> Styler:
    """Return findings, most severe first, with what to do about each."""
    data = findings.copy()
    data["_order"] = data["severity"].astype(str).map(_SEVERITY_ORDER)
    data = data.sort_values(["_order", "control", "region"], kind="stable")
    cols = ["severity", "control", "region", "compartment_path", "resource_id", "message", "remediation"]
    return table(data[[c for c in cols if c in data.columns]], top_n=top_n, full_data=full_data,
                 labels={"compartment_path": "compartment", "resource_id": "resource"},
                 caption="Most severe first.")


def rpo_table(volumes: pd.DataFrame, *, rpo_days: int, top_n: int = TOP_N, full_data: str | None = None) -> Styler:
    """Return volumes whose newest recoverable copy is oldest (or absent) first, against the RPO."""
    data = volumes.copy()
    data["rpo_age_days"] = pd.to_numeric(data["rpo_age_days"], errors="coerce").astype(float)
    data = data.sort_values("rpo_age_days", ascending=False, na_position="first", kind="stable")
    data["within_rpo"] = data["rpo_age_days"].map(lambda d: pd.NA if _is_na(d) else bool(d <= rpo_days))
    cols = ["display_name", "region", "compartment_path", "coverage_status", "required_regions",
            "covered_regions", "newest_copy_source_time", "rpo_age_days", "within_rpo"]
    return table(data[[c for c in cols if c in data.columns]], top_n=top_n, full_data=full_data,
                 labels={"rpo_age_days": "copy age (days)", "newest_copy_source_time": "newest copy of",
                         "within_rpo": f"within {rpo_days}-day RPO", "compartment_path": "compartment"},
                 caption="Oldest or missing copies first; '—' means no copy in a required region.")


#: Why an image class can or cannot be copied, and what to use instead (oci-facts §2.2 and §8).
IMAGE_CLASS_GUIDANCE: dict[ImageClass, tuple[str, str]] = {
    ImageClass.PLATFORM: ("Oracle platform image: backups can be copied to another region.",
                          "Copy backups with a backup policy that has a destination region."),
    ImageClass.CUSTOM_FROM_PLATFORM: ("Custom image built from a platform image: backups can be copied.",
                                      "Copy backups with a backup policy that has a destination region."),
    ImageClass.CUSTOM_IMPORTED: ("Imported (BYOI) image: not built from a platform image, so OCI refuses "
                                 "cross-region backup copies.",
                                 "Use boot volume cross-region replicas, or export the image to Object "
                                 "Storage and import it in the destination region."),
    ImageClass.CUSTOM_FROM_MARKETPLACE: ("Custom image whose root is a Marketplace image: copies are refused.",
                                         "Use boot volume cross-region replicas, or relaunch from the "
                                         "listing in the destination region."),
    ImageClass.MARKETPLACE: ("Marketplace (partner) image: OCI refuses cross-region backup copies.",
                             "Use boot volume cross-region replicas, or relaunch from the Marketplace "
                             "listing in the destination region."),
    ImageClass.COMMUNITY: ("Community image (published through Marketplace): copies are refused.",
                           "Use boot volume cross-region replicas."),
    ImageClass.UNKNOWN: ("The image could not be read (deleted, not visible, or a failed call): "
                         "eligibility is unknown.",
                         "Check read access to the image (GetImage), or record the class in "
                         "data/image_overrides.csv."),
}


def image_classes(volumes: pd.DataFrame) -> Styler:
    """Return one row per image class: volumes, whether copies are possible, why, what to use instead."""
    counts = volumes.groupby(volumes["image_class"].astype("object").fillna(ImageClass.UNKNOWN.value)).agg(
        volumes=("boot_volume_id", "size"),
        ineligible=("coverage_status", lambda s: int((s.astype(str) == CoverageStatus.INELIGIBLE.value).sum())),
    )
    rows = []
    for cls in ImageClass:
        n = int(counts["volumes"].get(cls.value, 0))
        if not n:
            continue
        why, instead = IMAGE_CLASS_GUIDANCE[cls]
        rows.append({"image class": cls.value, "boot volumes": n,
                     "ineligible": int(counts["ineligible"].get(cls.value, 0)), "why": why,
                     "what to use instead": instead})
    frame = pd.DataFrame(rows, columns=["image class", "boot volumes", "ineligible", "why", "what to use instead"])
    return table(frame, top_n=None)


def ineligible_volumes(volumes: pd.DataFrame, *, top_n: int = TOP_N, full_data: str | None = None) -> Styler:
    """Return volumes whose image cannot be copied, with their protection and the reason."""
    data = volumes[volumes["coverage_status"].astype(str) == CoverageStatus.INELIGIBLE.value]
    cols = ["display_name", "region", "compartment_path", "image_class", "protection", "replica_regions", "reason"]
    return table(data[[c for c in cols if c in data.columns]], top_n=top_n, full_data=full_data,
                 labels={"compartment_path": "compartment"})


def encryption_findings(findings: pd.DataFrame, *, top_n: int = TOP_N, full_data: str | None = None) -> Styler | Html:
    """Return the encryption findings (copies protected by a weaker key than their source) or a green note."""
    data = findings[findings["control"].astype(str) == Control.XR_ENCRYPTION_DOWNGRADE.value]
    if data.empty:
        return callout("No encryption findings: every copy is encrypted at least as strongly as its source.",
                       level="ok")
    return top_findings(data, top_n=top_n, full_data=full_data)


def collection_gaps(errors: pd.DataFrame, *, top_n: int = TOP_N, full_data: str | None = None) -> Styler | Html:
    """Return the failed calls (what could not be read) or a green note when there were none."""
    if errors.empty:
        return callout("Every call succeeded.", level="ok")
    cols = ["region", "compartment_id", "operation", "http_status", "code", "message", "opc_request_id"]
    return table(errors[[c for c in cols if c in errors.columns]], top_n=top_n, full_data=full_data)


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


def severity_badges(findings: pd.DataFrame) -> Html:
    """Return a one-line count of findings per severity, coloured with the severity palette."""
    counts = findings["severity"].astype(str).value_counts()
    parts = [f'<span class="rk-badge" data-severity="{s.value}" style="border-left:6px solid '
             f'{SEVERITY_COLOURS[s]};padding:2px 8px;margin-right:8px">{_e(s.value)}: {int(counts.get(s.value, 0))}'
             "</span>" for s in Severity]
    return Html("<p>" + "".join(parts) + "</p>")


# --------------------------------------------------------------------------------------------
# Title, monthly and exploration pieces
# --------------------------------------------------------------------------------------------
def title_block(title: str, metadata: Any, summary: Any, *, month: str | None = None) -> Html:
    """Return the report's title (escaped) with tenancy, period and assessment time under it."""
    as_of = pd.Timestamp(_get(summary, "as_of"))
    period = f"Month {month} · " if month else ""
    sub = (f"{period}Tenancy {_get(metadata, 'tenancy_name')} · assessed as of {as_of:%Y-%m-%d %H:%M} UTC · "
           f"RPO {_get(summary, 'rpo_days')} days")
    return Html(f'<h1 class="rk-title">{_e(title)}</h1><p class="rk-note">{_e(sub)}</p>')


def trend_table(trend: pd.DataFrame) -> Styler:
    """Return the monthly trend as a table (months without a snapshot show dashes)."""
    cols = ["month", "run", "total_volumes", "covered", "stale", "missing", "failed", "in_progress", "no_backup",
            "ineligible", "unknown", "coverage_pct", "collection_gaps"]
    return table(trend[[c for c in cols if c in trend.columns]], top_n=None,
                 labels={"run": "snapshot", "total_volumes": "volumes", "coverage_pct": "coverage %",
                         "collection_gaps": "gaps"})


_RESULT_COLOURS = {"PASS": STATUS_COLOURS[CoverageStatus.COVERED], "FAIL": STATUS_COLOURS[CoverageStatus.FAILED],
                   "UNKNOWN": STATUS_COLOURS[CoverageStatus.UNKNOWN]}


def control_table(controls: pd.DataFrame) -> Styler:
    """Return controls with PASS/FAIL/UNKNOWN and their counts; the result cell is coloured and worded."""
    order = {"FAIL": 0, "UNKNOWN": 1, "PASS": 2}
    data = controls.assign(_o=controls["result"].map(order)).sort_values(["_o", "control"]).drop(columns="_o")
    cols = ["result", "control", "severity", "description", "compliant", "non_compliant", "unknown", "pct_compliant"]
    styler = table(data[cols], top_n=None, labels={"non_compliant": "non-compliant", "pct_compliant": "% compliant"})
    return styler.map(lambda v: f"border-left: 6px solid {_RESULT_COLOURS.get(v, '#999')}; font-weight: bold"
                      if v in _RESULT_COLOURS else "", subset=["result"])


def change_tiles(changes: pd.DataFrame) -> Html:
    """Return three tiles: new, resolved and persisting findings since the previous month."""
    counts = changes["change"].value_counts() if len(changes) else pd.Series(dtype=int)
    spec = [("new", "New findings", "bad", STATUS_COLOURS[CoverageStatus.FAILED]),
            ("resolved", "Resolved", "good", STATUS_COLOURS[CoverageStatus.COVERED]),
            ("persisting", "Persisting", "warn", STATUS_COLOURS[CoverageStatus.STALE])]
    tiles = [_tile(f"findings_{k}", f"{int(counts.get(k, 0)):,}", int(counts.get(k, 0)), label,
                   "since the previous month", level if counts.get(k, 0) else "neutral", colour)
             for k, label, level, colour in spec]
    return Html('<div class="rk-kpis">' + "".join(tiles) + "</div>")


def changed_findings(changes: pd.DataFrame, *, top_n: int = TOP_N, full_data: str | None = None) -> Styler:
    """Return new findings first, then persisting, then resolved, most severe first within each."""
    data = changes.assign(_c=changes["change"].map({"new": 0, "persisting": 1, "resolved": 2}),
                          _s=changes["severity"].astype(str).map(_SEVERITY_ORDER))
    data = data.sort_values(["_c", "_s", "control"], kind="stable")
    cols = ["change", "severity", "control", "region", "compartment_path", "resource_id", "message", "remediation"]
    return table(data[[c for c in cols if c in data.columns]], top_n=top_n, full_data=full_data,
                 labels={"compartment_path": "compartment", "resource_id": "resource"})


def evidence_table(snapshots: pd.DataFrame) -> Styler:
    """Return the month-end snapshots used: id, collection time, manifest sha256, versions, counts."""
    cols = ["month", "run", "finished_at", "manifest_sha256", "reportkit_version", "backups", "boot_volumes",
            "errors", "path"]
    return table(snapshots[[c for c in cols if c in snapshots.columns]], top_n=None,
                 labels={"run": "snapshot id", "finished_at": "collected (UTC)", "errors": "collection gaps"})


def signoff_block(month: str) -> Html:
    """Return an empty sign-off table (prepared by / reviewed by / approved by) for the month."""
    rows = "".join(f"<tr><th>{_e(role)}</th><td></td><td></td><td></td></tr>"
                   for role in ("Prepared by", "Reviewed by", "Approved by"))
    return Html(f'<table class="rk-signoff"><caption>Sign-off for {_e(month)}</caption>'
                "<tr><th></th><th>Name</th><th>Date</th><th>Signature</th></tr>" + rows + "</table>")


def filter_volumes(volumes: pd.DataFrame, *, region: str | None = None, compartment: str | None = None,
                   image_class: str | None = None, status: str | None = None) -> pd.DataFrame:
    """Return the volumes matching every given filter (compartment matches a path prefix)."""
    mask = pd.Series(True, index=volumes.index)
    if region:
        mask &= volumes["region"].astype(str) == region
    if compartment:
        mask &= subtree_mask(volumes["compartment_path"], compartment)
    if image_class:
        mask &= volumes["image_class"].astype(str) == image_class
    if status:
        mask &= volumes["coverage_status"].astype(str) == status
    return volumes[mask].reset_index(drop=True)


def filter_summary(selected: pd.DataFrame, volumes: pd.DataFrame, **filters: Any) -> Html:
    """Return a sentence: how many volumes match which filters, and their statuses."""
    given = ", ".join(f"{k.replace('_', ' ')} = {v}" for k, v in filters.items() if v) or "no filter"
    counts = selected["coverage_status"].astype(str).value_counts()
    parts = ", ".join(f"{STATUS_LABELS[s]}: {int(counts[s.value])}" for s in CoverageStatus if counts.get(s.value))
    return Html(f'<p data-kpi="filtered_volumes" data-value="{len(selected)}">{_e(len(selected))} of '
                f"{_e(len(volumes))} boot volumes match ({_e(given)}). {_e(parts)}</p>")


def first_volume_id(volumes: pd.DataFrame) -> str | None:
    """Return the OCID of the first volume of ``volumes`` (None when empty)."""
    return None if volumes.empty else str(volumes["boot_volume_id"].iloc[0])


def volume_card(volumes: pd.DataFrame, boot_volume_id: str | None) -> Html | Styler:
    """Return one volume's verdict as a two-column table, or a note when it is not in the snapshot."""
    if not boot_volume_id:
        return callout("No boot volume matches the filters.")
    row = volumes[volumes["boot_volume_id"].astype(str) == boot_volume_id]
    if row.empty:
        return callout(f"Boot volume {boot_volume_id} is not in this snapshot.")
    record = row.iloc[0]
    frame = pd.DataFrame({"field": list(record.index), "value": [_format_value(v) for v in record.to_numpy()]})
    return table(frame, top_n=None)


def volume_history(backups: pd.DataFrame, boot_volume_id: str | None, *, top_n: int = 50) -> Styler | Html:
    """Return every backup of a volume and every copy of them, newest first."""
    if not boot_volume_id:
        return callout("No boot volume selected.")
    own = backups["boot_volume_id"].astype(str) == boot_volume_id
    ids = set(backups.loc[own, "backup_id"].astype(str))
    copies = backups["source_boot_volume_backup_id"].astype(str).isin(ids)
    data = backups[own | copies].sort_values("time_created", ascending=False)
    cols = ["time_created", "role", "region", "display_name", "lifecycle_state", "backup_type", "source_type",
            "copy_status", "copy_regions", "newest_copy_age_days", "kms_key_id", "backup_id"]
    return table(data[[c for c in cols if c in data.columns]], top_n=top_n,
                 caption=f"{int(own.sum())} backups of the volume and {int((copies & ~own).sum())} copies.")

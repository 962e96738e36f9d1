"""Charts for people: each title states the finding, axes are labelled, colours never change meaning.

Every function takes a DataFrame (or a few numbers) produced by :mod:`reportkit.assessment` or
:mod:`reportkit.assessment.monthly` and returns a :class:`Chart`: the PNG bytes plus the title and alt text.
A ``Chart`` renders itself in a notebook as an inline ``<img src="data:image/png;base64,...">``, so
the HTML report needs nothing from the network and shows the same picture offline.

Figures are built with :class:`matplotlib.figure.Figure` (no pyplot global state), rendered by the
Agg canvas at a modest DPI to keep the HTML small.

Colours: the Okabe-Ito palette (safe for the common colour-vision deficiencies), ONE fixed colour
per :class:`~reportkit.schema.CoverageStatus` (``STATUS_COLOURS``) in every chart and KPI tile, in
the schema's category order, so "orange" means "stale" everywhere.
"""
from __future__ import annotations

import base64
import html
import io
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from reportkit.report.palette import OKABE_ITO, SEVERITY_COLOURS, STATUS_COLOURS, STATUS_LABELS  # noqa: F401
from reportkit.schema import CoverageStatus, Severity

#: Rendering resolution. 100 DPI keeps a 9x4 inch chart around 30-60 KB.
DPI = 100
_TEXT = "#222222"
_GRID = "#DDDDDD"
# Sequential blue ramp for counts (heat map): light for few copies, dark for many.
_COUNT_CMAP = LinearSegmentedColormap.from_list("rk_counts", ["#F2F7FB", OKABE_ITO["blue"]])


@dataclass(frozen=True)
class Chart:
    """A rendered chart: PNG bytes, the finding as title, alt text for screen readers."""

    title: str
    png: bytes
    alt: str
    width_px: int
    height_px: int

    def data_uri(self) -> str:
        """Return the PNG as a ``data:`` URI (embedded; nothing is fetched when the HTML opens)."""
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")

    def _repr_html_(self) -> str:
        # Displayed at CSS width = pixel width, capped by the page width.
        return (
            f'<figure class="rk-chart"><img src="{self.data_uri()}" alt="{html.escape(self.alt)}" '
            f'width="{self.width_px}" height="{self.height_px}" style="max-width:100%;height:auto">'
            "</figure>"
        )

    def save(self, path: str) -> None:
        """Write the PNG to ``path``."""
        with open(path, "wb") as fh:
            fh.write(self.png)


def _figure(width: float, height: float) -> Figure:
    fig = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    return fig


def _style_axes(ax) -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.spines["left"].set_color("#888888")
    ax.spines["bottom"].set_color("#888888")
    ax.tick_params(colors=_TEXT, labelsize=9)
    ax.xaxis.label.set_color(_TEXT)
    ax.yaxis.label.set_color(_TEXT)


def _render(fig: Figure, title: str, alt: str) -> Chart:
    # Wrap long findings so the title never runs off a narrow figure.
    chars = int(fig.get_size_inches()[0] * 10)
    fig.suptitle("\n".join(textwrap.wrap(title, chars)), fontsize=12, fontweight="bold", color=_TEXT, x=0.01, ha="left")
    buf = io.BytesIO()
    # metadata: no software/version stamp, so the same data renders the same bytes.
    fig.savefig(buf, format="png", dpi=DPI, facecolor="white", metadata={"Software": None})
    width, height = (int(round(v)) for v in fig.get_size_inches() * DPI)
    return Chart(title=title, png=buf.getvalue(), alt=alt, width_px=width, height_px=height)


def _pct(value: float | None) -> str:
    return "n/a" if value is None or pd.isna(value) else f"{value:.0f}%"


def _status_columns(frame: pd.DataFrame) -> list[CoverageStatus]:
    return [s for s in CoverageStatus if s.value in frame.columns]


# --------------------------------------------------------------------------------------------
# Coverage
# --------------------------------------------------------------------------------------------
def coverage_overview(counts: Mapping[str, int], restorable_pct: float | None) -> Chart:
    """Return one 100%-wide bar splitting all boot volumes by coverage status.

    ``counts`` maps a :class:`CoverageStatus` value to its number of volumes; ``restorable_pct`` is
    the headline (covered / every volume in scope), stated in the title.
    """
    values = {s: int(counts.get(s.value, counts.get(s, 0)) or 0) for s in CoverageStatus}
    total = sum(values.values())
    if restorable_pct is None or pd.isna(restorable_pct):
        title = "No boot volume in scope"
    else:
        title = f"{restorable_pct:.0f}% of boot volumes could be restored in another region from fresh data"
    fig = _figure(9, 2.3)
    ax = fig.add_subplot()
    left = 0
    for status, n in values.items():
        if n == 0:
            continue
        ax.barh([0], [n], left=left, color=STATUS_COLOURS[status], edgecolor="white", height=0.6,
                label=f"{STATUS_LABELS[status]} ({n})")
        if total and n / total >= 0.06:  # label only segments wide enough to hold the number
            ax.text(left + n / 2, 0, str(n), ha="center", va="center", fontsize=9,
                    color="white" if status in _DARK_STATUSES else _TEXT)
        left += n
    ax.set_xlim(0, max(total, 1))
    ax.set_yticks([])
    ax.set_xlabel("Boot volumes")
    _style_axes(ax)
    ax.spines["left"].set_visible(False)
    if total:
        fig.legend(loc="outside lower center", ncol=4, frameon=False, fontsize=9)
    alt = title + ". " + ", ".join(f"{STATUS_LABELS[s]}: {n}" for s, n in values.items()) + "."
    return _render(fig, title, alt)


_DARK_STATUSES = {CoverageStatus.COVERED, CoverageStatus.FAILED, CoverageStatus.NO_BACKUP,
                  CoverageStatus.MISSING}


def coverage_by_group(frame: pd.DataFrame, group: str, *, what: str = "region", top_n: int = 15) -> Chart:
    """Return stacked horizontal bars of volumes per status for each ``group`` value, worst first.

    ``frame`` is the output of ``coverage_by_region`` / ``coverage_by_compartment``: one row per
    group with a count column per status and ``restorable_pct``. At most ``top_n`` groups are drawn
    (the lowest), and the title says which group is worst.
    """
    statuses = _status_columns(frame)
    data = frame.copy()
    data["_pct"] = pd.to_numeric(data.get("restorable_pct"), errors="coerce").astype(float)
    # Worst first; groups without volumes (pct NA) sort first too: nothing to show is not good news.
    data = data.sort_values(["_pct", group], na_position="first", kind="stable").head(top_n)
    n_groups = len(frame)
    if data.empty:
        title = f"No boot volumes to show by {what}"
    else:
        worst = data.iloc[0]
        if pd.isna(worst["_pct"]):
            title = f"{what.capitalize()} {worst[group]} holds no boot volume"
        elif worst["_pct"] >= 100:
            title = f"Every {what} has all its boot volumes restorable in another region"
        else:
            title = f"Lowest restorable share: {what} {worst[group]} at {_pct(worst['_pct'])}"
    height = 1.7 + 0.38 * max(len(data), 1)
    fig = _figure(9, height)
    ax = fig.add_subplot()
    labels = [_shorten(str(v)) for v in data[group]][::-1]
    y = np.arange(len(data))
    left = np.zeros(len(data))
    for status in statuses:
        vals = pd.to_numeric(data[status.value], errors="coerce").fillna(0).to_numpy(dtype=float)[::-1]
        if not vals.any():
            continue
        ax.barh(y, vals, left=left, color=STATUS_COLOURS[status], edgecolor="white", height=0.7,
                label=STATUS_LABELS[status])
        left += vals
    for yi, (total, pct) in enumerate(zip(left, data["_pct"].to_numpy()[::-1])):
        ax.text(total, yi, f"  {_pct(pct)}", va="center", fontsize=9, color=_TEXT)
    ax.set_yticks(y, labels)
    ax.set_xlabel("Boot volumes")
    ax.set_ylabel(what.capitalize())
    ax.set_xlim(0, max(left.max(initial=0) * 1.15, 1))
    _style_axes(ax)
    ax.xaxis.grid(True, color=_GRID)
    ax.set_axisbelow(True)
    if statuses and left.any():
        fig.legend(loc="outside lower center", fontsize=8, frameon=False, ncol=len(statuses))
    shown = f" (the {len(data)} lowest of {n_groups})" if n_groups > len(data) else ""
    alt = f"{title}{shown}. Bars show boot volumes per coverage status; the label is the coverage percentage."
    return _render(fig, title, alt)


def _shorten(text: str, limit: int = 38) -> str:
    return text if len(text) <= limit else "…" + text[-(limit - 1):]


def copy_matrix_heatmap(matrix: pd.DataFrame, *, regions: Sequence[str] | pd.Series | None = None) -> Chart:
    """Return a heat map of AVAILABLE cross-region copies: rows are source, columns destination regions.

    ``matrix`` is wide (index = source region, columns = destination regions, values = counts).
    ``regions`` (the subscribed regions) adds rows/columns for regions with no copy at all, so a
    region that sends nothing is visible. The title names the busiest route or the idle sources.
    """
    data = matrix.apply(pd.to_numeric, errors="coerce").fillna(0).astype(float)
    if regions is not None:
        names = sorted(set(map(str, regions)) | set(map(str, data.index)) | set(map(str, data.columns)))
        data = data.rename(index=str, columns=str).reindex(index=names, columns=names, fill_value=0.0)
    total = int(data.to_numpy().sum()) if data.size else 0
    if total == 0:
        title = "No boot volume backup has an available copy in another region"
    else:
        src, dst = data.stack().idxmax()
        idle = [str(r) for r in data.index if data.loc[r].sum() == 0]
        title = f"{total} available copies; the busiest route is {src} → {dst} ({int(data.loc[src, dst])})"
        if idle:
            title = f"{len(idle)} of {len(data.index)} source regions send no copies; busiest route {src} → {dst}"
    rows, cols = max(len(data.index), 1), max(len(data.columns), 1)
    fig = _figure(min(max(8.0, 2.5 + 1.1 * cols), 11), 1.8 + 0.5 * rows)
    ax = fig.add_subplot()
    if data.size:
        vmax = max(data.to_numpy().max(), 1)
        image = ax.imshow(data.to_numpy(), cmap=_COUNT_CMAP, vmin=0, vmax=vmax, aspect="auto")
        for (i, j), value in np.ndenumerate(data.to_numpy()):
            ax.text(j, i, f"{int(value)}" if value else "–", ha="center", va="center", fontsize=9,
                    color="white" if value > vmax * 0.55 else _TEXT)
        ax.set_xticks(range(len(data.columns)), [str(c) for c in data.columns], rotation=30, ha="right")
        ax.set_yticks(range(len(data.index)), [str(r) for r in data.index])
        cbar = fig.colorbar(image, ax=ax, shrink=0.8)
        cbar.set_label("Available copies", fontsize=9)
    else:
        ax.set_xticks([])
        ax.set_yticks([])
    ax.set_xlabel("Destination region")
    ax.set_ylabel("Source region")
    for spine in ax.spines.values():
        spine.set_visible(False)
    alt = title + ". Cells count available copies from the row's region into the column's region."
    return _render(fig, title, alt)


def copy_age(volumes: pd.DataFrame, rpo_days: int) -> Chart:
    """Return a histogram of the age of each volume's newest recoverable cross-region copy, against the RPO.

    ``volumes`` is the assessment's volumes table: ``rpo_age_days`` per volume (NA when a
    required region holds no copy). Ineligible volumes are left out (they cannot have a copy);
    volumes without any copy are counted in the caption, not binned.
    """
    eligible = volumes[volumes["coverage_status"].astype(str) != CoverageStatus.INELIGIBLE.value]
    ages_days = eligible["rpo_age_days"]
    without_copy = int(pd.to_numeric(ages_days, errors="coerce").isna().sum())
    ages = pd.to_numeric(ages_days, errors="coerce").dropna().astype(float)
    late = int((ages > rpo_days).sum())
    if ages.empty:
        title = "No boot volume has a copy in another region to date"
    elif late:
        title = f"{late} of {len(ages)} copied volumes have a newest copy older than the {rpo_days}-day RPO"
    else:
        title = f"Every copied volume's newest copy is within the {rpo_days}-day RPO"
    fig = _figure(9, 3.4)
    ax = fig.add_subplot()
    if not ages.empty:
        upper = max(float(ages.max()), rpo_days * 1.5, 1.0)
        edges = np.linspace(0, np.ceil(upper), min(int(np.ceil(upper)), 40) + 1)
        counts, edges = np.histogram(ages.clip(upper=edges[-1]), bins=edges)
        centres = (edges[:-1] + edges[1:]) / 2
        width = (edges[1] - edges[0]) * 0.9
        fresh = edges[1:] <= rpo_days
        ax.bar(centres[fresh], counts[fresh], width=width, color=STATUS_COLOURS[CoverageStatus.COVERED],
               label=f"Within RPO ({int(counts[fresh].sum())})")
        ax.bar(centres[~fresh], counts[~fresh], width=width, color=STATUS_COLOURS[CoverageStatus.STALE],
               label=f"Older than RPO ({int(counts[~fresh].sum())})")
        ax.axvline(rpo_days, color=_TEXT, linestyle="--", linewidth=1.2)
        ax.text(rpo_days, ax.get_ylim()[1] * 0.95, f" RPO {rpo_days} days", va="top", fontsize=9, color=_TEXT)
        ax.legend(fontsize=8, frameon=False, loc="upper right")
    ax.set_xlabel("Age of the newest copy in another region (days)")
    ax.set_ylabel("Boot volumes")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    _style_axes(ax)
    ax.yaxis.grid(True, color=_GRID)
    ax.set_axisbelow(True)
    caption = (f"{without_copy} copyable volumes lack a copy in a required region and are not shown."
               if without_copy else "")
    if caption:
        ax.text(0.01, 0.97, caption, transform=ax.transAxes, fontsize=8, color="#555555", ha="left", va="top")
    alt = f"{title}. {caption}".strip()
    return _render(fig, title, alt)


def coverage_trend(trend: pd.DataFrame) -> Chart:
    """Return the monthly restorable percentage as a line, with the unknown share as bars.

    ``trend`` has one row per month: ``month`` (YYYY-MM), ``restorable_pct`` (may be NA when no
    snapshot was taken that month) and optionally ``unknown`` and ``total_volumes``.
    """
    data = trend.copy()
    data["_pct"] = pd.to_numeric(data["restorable_pct"], errors="coerce").astype(float)
    known = data.dropna(subset=["_pct"])
    if known.empty:
        title = "No snapshot in the period could be assessed"
    elif len(known) == 1:
        title = (f"Restorable was {_pct(known['_pct'].iloc[0])} in {known['month'].iloc[0]} "
                 "(one month of history)")
    else:
        first, last = known.iloc[0], known.iloc[-1]
        delta = last["_pct"] - first["_pct"]
        verb = "rose" if delta > 0.5 else "fell" if delta < -0.5 else "held steady"
        if verb == "held steady":
            title = f"Restorable held steady at {_pct(last['_pct'])} from {first['month']} to {last['month']}"
        else:
            title = (f"Restorable {verb} from {_pct(first['_pct'])} in {first['month']} "
                     f"to {_pct(last['_pct'])} in {last['month']}")
    fig = _figure(9, 3.4)
    ax = fig.add_subplot()
    x = np.arange(len(data))
    if "unknown" in data.columns and "total_volumes" in data.columns:
        total = pd.to_numeric(data["total_volumes"], errors="coerce").astype(float)
        share = (pd.to_numeric(data["unknown"], errors="coerce").astype(float) / total.where(total > 0) * 100)
        if share.fillna(0).any():
            ax.bar(x, share.fillna(0), color=STATUS_COLOURS[CoverageStatus.UNKNOWN], width=0.6,
                   label="Volumes we could not judge (%)")
    ax.plot(x, data["_pct"], marker="o", color=STATUS_COLOURS[CoverageStatus.COVERED], linewidth=2,
            label="Restorable in another region (%)")
    for xi, value in zip(x, data["_pct"]):
        if not pd.isna(value):
            ax.annotate(f"{value:.0f}%", (xi, value), textcoords="offset points", xytext=(0, 6), ha="center",
                        fontsize=8, color=_TEXT)
    ax.set_xticks(x, [str(m) for m in data["month"]], rotation=30, ha="right")
    ax.set_ylim(0, 105)
    ax.set_xlabel("Month (last snapshot of each month)")
    ax.set_ylabel("Percent of boot volumes")
    _style_axes(ax)
    ax.yaxis.grid(True, color=_GRID)
    ax.set_axisbelow(True)
    ax.legend(fontsize=8, frameon=False, loc="lower left")
    alt = title + ". " + "; ".join(f"{m}: {_pct(v)}" for m, v in zip(data["month"], data["_pct"]))
    return _render(fig, title, alt)


def findings_by_control(findings: pd.DataFrame) -> Chart:
    """Return horizontal bars counting findings per control, coloured by severity."""
    if findings.empty:
        title = "No findings: every control passed"
        counts = pd.DataFrame(columns=["control", "severity", "n"])
    else:
        counts = (findings.assign(control=findings["control"].astype(str), severity=findings["severity"].astype(str))
                  .groupby(["control", "severity"], observed=True).size().rename("n").reset_index()
                  .sort_values("n", ascending=True))
        top = counts.iloc[-1]
        title = f"{len(findings)} findings; most come from {top['control']} ({int(top['n'])})"
    fig = _figure(9, 1.4 + 0.35 * max(len(counts), 1))
    ax = fig.add_subplot()
    if not counts.empty:
        colours = [SEVERITY_COLOURS.get(Severity(s), OKABE_ITO["grey"]) if s in Severity._value2member_map_
                   else OKABE_ITO["grey"] for s in counts["severity"]]
        ax.barh(counts["control"] + " (" + counts["severity"] + ")", counts["n"], color=colours)
    ax.set_xlabel("Findings")
    ax.set_ylabel("Control (severity)")
    _style_axes(ax)
    alt = title + ". " + "; ".join(f"{c} {s}: {n}" for c, s, n in counts[["control", "severity", "n"]].itertuples(index=False))
    return _render(fig, title, alt)


# --------------------------------------------------------------------------------------------
# IAM
# --------------------------------------------------------------------------------------------
IAM_COLOURS = {"allowed": OKABE_ITO["bluish_green"], "denied": OKABE_ITO["vermillion"],
               "unknown": OKABE_ITO["grey"]}


def iam_copy_permissions(summary: pd.DataFrame) -> Chart:
    """Return stacked bars per IAM group: region pairs it may copy between, may not, or unknown.

    ``summary`` is the second frame of :func:`reportkit.iam.copy_permission_overview`.
    """
    groups = summary["group"].astype(str).tolist()
    pairs = int((summary[["allowed", "denied", "unknown"]].sum(axis=1).max()) if len(summary) else 0)
    everywhere = int((summary["allowed"] == pairs).sum()) if pairs else 0
    title = (f"{everywhere} of {len(groups)} groups may copy boot volume backups between every pair of regions"
             if groups else "No IAM policy names a group")
    fig = _figure(9, 0.45 * max(len(groups), 1) + 1.6)
    ax = fig.add_subplot()
    left = np.zeros(len(groups))
    for status, colour in IAM_COLOURS.items():
        values = summary[status].to_numpy(dtype=float) if len(summary) else np.zeros(0)
        ax.barh(groups, values, left=left, color=colour, edgecolor="white", height=0.6,
                label=f"{status} region pairs")
        left += values
    ax.set_xlabel("Source -> destination region pairs")
    ax.invert_yaxis()
    _style_axes(ax)
    if groups:
        fig.legend(loc="outside lower center", ncol=3, frameon=False, fontsize=9)
    alt = title + ". " + "; ".join(f"{r.group}: {r.allowed} allowed, {r.denied} denied, {r.unknown} unknown"
                                   for r in summary.itertuples(index=False)) + "."
    return _render(fig, title, alt)


"""Colours and labels that never change meaning: one colour per coverage status and severity (Okabe-Ito).

Shared by the charts (:mod:`~reportkit.report.plots`) and the KPI tiles (:mod:`~reportkit.report.views`),
so "orange" means "stale" everywhere. The Okabe-Ito palette is safe for the common colour-vision
deficiencies; statuses are listed in the schema's category order.
"""
from __future__ import annotations

from reportkit.schema import CoverageStatus, Severity

#: Okabe & Ito (2008) colour-blind-safe palette.
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
    "grey": "#999999",  # not in Okabe-Ito; neutral for "we do not know"
}

#: One colour per coverage status, used by every chart and by the KPI tiles.
STATUS_COLOURS: dict[CoverageStatus, str] = {
    CoverageStatus.COVERED: OKABE_ITO["bluish_green"],
    CoverageStatus.STALE: OKABE_ITO["orange"],
    CoverageStatus.IN_PROGRESS: OKABE_ITO["sky_blue"],
    CoverageStatus.FAILED: OKABE_ITO["vermillion"],
    CoverageStatus.MISSING: OKABE_ITO["reddish_purple"],
    CoverageStatus.NO_BACKUP: OKABE_ITO["black"],
    CoverageStatus.INELIGIBLE: OKABE_ITO["yellow"],
    CoverageStatus.UNKNOWN: OKABE_ITO["grey"],
}

#: Human labels for statuses (legends, tiles).
STATUS_LABELS: dict[CoverageStatus, str] = {
    CoverageStatus.COVERED: "Covered",
    CoverageStatus.STALE: "Stale",
    CoverageStatus.IN_PROGRESS: "In progress",
    CoverageStatus.FAILED: "Failed",
    CoverageStatus.MISSING: "Missing",
    CoverageStatus.NO_BACKUP: "No backup",
    CoverageStatus.INELIGIBLE: "Ineligible",
    CoverageStatus.UNKNOWN: "Unknown",
}

SEVERITY_COLOURS: dict[Severity, str] = {
    Severity.HIGH: OKABE_ITO["vermillion"],
    Severity.MEDIUM: OKABE_ITO["orange"],
    Severity.LOW: OKABE_ITO["sky_blue"],
    Severity.INFO: OKABE_ITO["grey"],
}

"""Sections of the coverage report: coverage tables, findings, RPO ages, image classes, encryption, gaps."""
from __future__ import annotations

import pandas as pd
from pandas.io.formats.style import Styler

from reportkit.report.palette import SEVERITY_COLOURS, STATUS_LABELS
from reportkit.report.views.blocks import TOP_N, Html, _e, _is_na, callout, table
from reportkit.schema import Control, CoverageStatus, ImageClass, Severity


_PCT_LABELS = {"restorable_pct": "Restorable %", "restorable_upper_pct": "At most %",
               "copyable_coverage_pct": "Copyable coverage %"}


def coverage_table(frame: pd.DataFrame, group: str, *, top_n: int = TOP_N, full_data: str | None = None) -> Styler:
    """Return coverage per region/compartment, worst first, statuses in the schema's order."""
    statuses = [s.value for s in CoverageStatus if s.value in frame.columns]
    cols = [group, *[c for c in ("total", "total_volumes") if c in frame.columns], *statuses, *_PCT_LABELS]
    data = frame[[c for c in cols if c in frame.columns]].copy()
    for pct in _PCT_LABELS:
        if pct in data.columns:
            data[pct] = pd.to_numeric(data[pct], errors="coerce").astype(float)
    data = data.sort_values(["restorable_pct", group], na_position="first", kind="stable")
    labels = {s.value: STATUS_LABELS[s] for s in CoverageStatus} | _PCT_LABELS | {"total": "Volumes",
                                                                                   "total_volumes": "Volumes"}
    return table(data, top_n=top_n, full_data=full_data, labels=labels,
                 caption="Worst first. Restorable % = covered / volumes (unknown counts as not covered); at most % "
                         "adds the unknown; copyable coverage % = covered / (volumes − ineligible).")


SEVERITY_ORDER = {s.value: i for i, s in enumerate(Severity)}


def top_findings(findings: pd.DataFrame, *, top_n: int = TOP_N, full_data: str | None = None) -> Styler:
    """Return findings, most severe first, with what to do about each."""
    data = findings.copy()
    data["_order"] = data["severity"].astype(str).map(SEVERITY_ORDER)
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
    cols = ["display_name", "region", "compartment_path", "image_class", "protection", "replica_regions",
            "cross_ad_replica", "reason"]
    return table(data[[c for c in cols if c in data.columns]], top_n=top_n, full_data=full_data,
                 labels={"compartment_path": "compartment"})


def protection_kinds(table_by_kind: pd.DataFrame) -> Styler:
    """Return the protection-by-kind table (:func:`reportkit.assessment.protection_by_kind`)."""
    return table(table_by_kind, top_n=None, labels={
        "volumes_protected": "volumes with one in another region", "volumes_fresh": "of which fresh",
        "volumes_covered_by": "covered volumes it covers", "only_protection": "only protection of"},
        caption="An item in the volume's own region (a cross-AD replica, a copy back home) never counts. "
                "A kind not accepted (accept=) is shown but does not cover.")


def lapsing(lapses: pd.DataFrame, *, top_n: int = TOP_N, full_data: str | None = None) -> Styler | Html:
    """Return the covered volumes whose protection lapses within 7 days with nothing scheduled to renew it
    (:func:`reportkit.assessment.lapsing_coverage`), or a green note when there is none."""
    if lapses.empty:
        return callout("No covered volume loses its protection within 7 days without something scheduled to "
                       "renew it.", level="ok")
    cols = ["display_name", "region", "compartment_path", "covered_by", "protected_until", "copy_expires_at",
            "lapse_reason"]
    return table(lapses[cols], top_n=top_n, full_data=full_data,
                 labels={"compartment_path": "compartment", "lapse_reason": "why nothing renews it"},
                 caption="Soonest first. protected_until: when the volume stops being covered if nothing new "
                         "arrives.")


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


def severity_badges(findings: pd.DataFrame) -> Html:
    """Return a one-line count of findings per severity, coloured with the severity palette."""
    counts = findings["severity"].astype(str).value_counts()
    parts = [f'<span class="rk-badge" data-severity="{s.value}" style="border-left:6px solid '
             f'{SEVERITY_COLOURS[s]};padding:2px 8px;margin-right:8px">{_e(s.value)}: {int(counts.get(s.value, 0))}'
             "</span>" for s in Severity]
    return Html("<p>" + "".join(parts) + "</p>")

"""Findings (one row per resource failing a control) and the per-control compliance summary."""
from __future__ import annotations

import numpy as np
import pandas as pd

from reportkit.assessment._lookup import positions, take
from reportkit.schema import (
    CONTROLS,
    COPY_JUDGED,
    COVERAGE_STATUSES,
    FINDINGS,
    Control,
    CopyStatus,
    CoverageStatus,
    Role,
    Severity,
)

C, S = Control, Severity
CONTROL_INFO: dict[Control, tuple[Severity, str]] = {
    C.XR_COPY_MISSING: (S.HIGH, "Every eligible boot volume with a backup has an AVAILABLE copy in each required "
                                "destination region"),
    C.XR_COPY_STALE: (S.MEDIUM, "The newest cross-region copy is of a backup taken within rpo_days"),
    C.XR_COPY_FAILED: (S.HIGH, "The latest cross-region copy attempt did not end FAULTY"),
    C.XR_COPY_IN_PROGRESS: (S.INFO, "No boot volume depends on a copy that is still being made"),
    C.XR_INELIGIBLE_IMAGE: (S.MEDIUM, "Boot volumes run images whose backups can be copied cross-region"),
    C.XR_ENCRYPTION_DOWNGRADE: (S.MEDIUM, "A copy of a Vault-encrypted backup is also Vault-encrypted"),
    C.XR_ORPHAN_COPY: (S.INFO, "Every cross-region copy still has its source backup"),
    C.BACKUP_MISSING: (S.HIGH, "Every boot volume has an AVAILABLE backup taken within rpo_days"),
    C.COLLECTION_GAP: (S.MEDIUM, "The data needed to decide coverage could be read"),
}

_S = CoverageStatus
_VOLUME_CONTROLS = {
    # control: (statuses evaluated, statuses non-compliant); COPY_JUDGED = all but ineligible and no_backup
    C.XR_COPY_MISSING: (COPY_JUDGED, {_S.MISSING}),
    C.XR_COPY_STALE: ({_S.COVERED, _S.STALE, _S.UNKNOWN}, {_S.STALE}),
    C.XR_COPY_FAILED: (COPY_JUDGED, {_S.FAILED}),
    C.XR_COPY_IN_PROGRESS: (COPY_JUDGED, {_S.IN_PROGRESS}),
    C.XR_INELIGIBLE_IMAGE: (COVERAGE_STATUSES, {_S.INELIGIBLE}),
}
_STATUS_CONTROL = {
    CoverageStatus.MISSING: C.XR_COPY_MISSING, CoverageStatus.STALE: C.XR_COPY_STALE,
    CoverageStatus.FAILED: C.XR_COPY_FAILED, CoverageStatus.IN_PROGRESS: C.XR_COPY_IN_PROGRESS,
    CoverageStatus.INELIGIBLE: C.XR_INELIGIBLE_IMAGE, CoverageStatus.UNKNOWN: C.COLLECTION_GAP,
}


def _fresh_backup(volumes: pd.DataFrame, as_of: pd.Timestamp, rpo_days: int) -> np.ndarray:
    newest = volumes["newest_backup_time"]
    return (newest.notna() & (newest >= as_of - pd.Timedelta(days=rpo_days))).to_numpy(bool)


def downgrade_rows(backups: pd.DataFrame, src_pos: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Return (copy rows, their source rows): AVAILABLE cross-region copies with an Oracle-managed key
    whose source uses a Vault key. ``src_pos`` (row of each backup's source, -1 if none) saves a look-up.
    """
    if src_pos is None:
        src_pos = np.full(len(backups), -1, dtype=np.int64)
        is_copy = (backups["role"] == Role.COPY.value).to_numpy(bool)
        src_pos[is_copy] = positions(backups["source_boot_volume_backup_id"][is_copy], backups["backup_id"])
    kms = backups["kms_key_id"].fillna("").str.strip().ne("").to_numpy(bool)
    region = backups["region"].astype("category")
    codes = positions(pd.Series(region.cat.categories, dtype="string"),
                      pd.Series(region.cat.categories, dtype="string"))
    region_code = np.where(region.cat.codes.to_numpy() >= 0, np.append(codes, -1)[region.cat.codes.to_numpy()], -1)
    safe = np.clip(src_pos, 0, None)
    hit = ((src_pos >= 0) & (backups["lifecycle_state"] == "AVAILABLE").fillna(False).to_numpy(bool) & ~kms
           & np.append(kms, False)[np.where(src_pos >= 0, safe, len(kms))]
           & (region_code != np.append(region_code, -2)[np.where(src_pos >= 0, safe, len(kms))]))
    rows = np.flatnonzero(hit)
    return rows, src_pos[rows]


def build_findings(volumes: pd.DataFrame, backups: pd.DataFrame, *, as_of: pd.Timestamp, rpo_days: int,
                   downgrades: tuple[np.ndarray, np.ndarray] | None = None) -> pd.DataFrame:
    """Return schema.FINDINGS: one row per (control, resource) that fails or cannot be checked.

    Volume verdicts map to XR_COPY_* / XR_INELIGIBLE_IMAGE / COLLECTION_GAP (unknown);
    BACKUP_MISSING when no AVAILABLE backup is within rpo_days (unknown volumes are left to
    COLLECTION_GAP); per backup, XR_ENCRYPTION_DOWNGRADE and XR_ORPHAN_COPY. ``downgrades`` is
    :func:`downgrade_rows` when the caller already has it.
    """
    parts = []
    status = volumes["coverage_status"].astype("string")
    for cov, control in _STATUS_CONTROL.items():
        sel = volumes[status.eq(cov.value).to_numpy(bool)]
        parts.append(_rows(control, sel, "boot_volume", sel["reason"], sel["remediation"]))
    no_fresh = ~_fresh_backup(volumes, as_of, rpo_days) & ~status.eq(CoverageStatus.UNKNOWN.value).to_numpy(bool)
    sel = volumes[no_fresh]
    newest = sel["newest_backup_time"].dt.strftime("%Y-%m-%dT%H:%M:%SZ").astype("string")
    parts.append(_rows(C.BACKUP_MISSING, sel, "boot_volume",
                       ("no AVAILABLE backup within " + str(rpo_days) + " days (newest: "
                        + newest.fillna("none") + ")"),
                       pd.Series("Assign a backup policy with a daily schedule, or take a backup now",
                                 index=sel.index, dtype="string")))
    rows, src = downgrades if downgrades is not None else downgrade_rows(backups)
    sel = backups.take(rows)
    src_id = sel["source_boot_volume_backup_id"].astype("string")
    parts.append(_rows(C.XR_ENCRYPTION_DOWNGRADE, sel, "boot_volume_backup",
                       "copy of " + src_id + " uses an Oracle-managed key while its source uses Vault key "
                       + pd.Series(take(backups["kms_key_id"].array, src).array, index=sel.index, dtype="string"),
                       pd.Series("Copy again with --kms-key-id set to a Vault key in the destination region, then "
                                 "delete this copy", index=sel.index, dtype="string")))
    sel = backups[(backups["copy_status"] == CopyStatus.ORPHAN.value).to_numpy(bool)]
    parts.append(_rows(C.XR_ORPHAN_COPY, sel, "boot_volume_backup", sel["reason"],
                       pd.Series("Keep it if it is still needed for recovery, otherwise delete it to stop paying "
                                 "for its storage", index=sel.index, dtype="string")))
    out = pd.concat(parts, ignore_index=True)
    out = FINDINGS.coerce(out)
    order = {c.value: i for i, c in enumerate(Control)}
    return out.assign(_o=out["control"].astype("string").map(order)).sort_values(
        ["_o", "region", "compartment_path", "resource_id"], kind="stable").drop(columns="_o").reset_index(drop=True)


def _rows(control: Control, sel: pd.DataFrame, kind: str, message: pd.Series, remediation: pd.Series) -> pd.DataFrame:
    severity, _ = CONTROL_INFO[control]
    resource = sel["boot_volume_id"] if kind == "boot_volume" else sel["backup_id"]
    text = lambda values: pd.Series(values).astype("string").array  # noqa: E731 - keep arrow arrays
    return pd.DataFrame({
        "control": control.value,
        "severity": severity.value,
        "resource_id": text(resource),
        "resource_type": kind,
        "region": text(sel["region"]),
        "compartment_path": text(sel["compartment_path"]),
        "message": text(message),
        "remediation": text(remediation),
    }, index=range(len(sel)))


def build_controls(volumes: pd.DataFrame, backups: pd.DataFrame, *, as_of: pd.Timestamp, rpo_days: int,
                   downgrades: tuple[np.ndarray, np.ndarray] | None = None) -> pd.DataFrame:
    """Return schema.CONTROLS: per control, compliant / non-compliant / unknown resource counts.

    Volume controls evaluate the volumes a rule applies to (XR_COPY_STALE only those with a copy
    or unknown; the copy controls not ineligible or no_backup volumes); ``unknown`` counts the
    evaluated volumes whose verdict is unknown. Backup controls evaluate copies.
    """
    status = volumes["coverage_status"].astype("string")
    is_unknown = status.eq(CoverageStatus.UNKNOWN.value).to_numpy(bool)
    rows = []
    for control, (evaluated, failing) in _VOLUME_CONTROLS.items():
        ev = status.isin(sorted(s.value for s in evaluated)).to_numpy(bool)
        bad = status.isin(sorted(s.value for s in failing)).to_numpy(bool)
        rows.append((control, int((ev & ~bad & ~is_unknown).sum()), int(bad.sum()), int((ev & is_unknown).sum())))
    n_down = len((downgrades if downgrades is not None else downgrade_rows(backups))[0])
    rows.append((C.XR_ENCRYPTION_DOWNGRADE, *_copy_counts(backups, n_down)))
    copies = backups[(backups["role"] == Role.COPY.value).to_numpy(bool)
                     & ~backups["lifecycle_state"].isin(["TERMINATED", "TERMINATING"]).to_numpy(bool)]
    cstat = copies["copy_status"]
    orphan = int(cstat.eq(CopyStatus.ORPHAN.value).sum())
    unk = int(cstat.eq(CopyStatus.UNKNOWN.value).sum())
    rows.append((C.XR_ORPHAN_COPY, len(copies) - orphan - unk, orphan, unk))
    fresh = _fresh_backup(volumes, as_of, rpo_days)
    rows.append((C.BACKUP_MISSING, int(fresh.sum()), int((~fresh & ~is_unknown).sum()), int((~fresh & is_unknown).sum())))
    rows.append((C.COLLECTION_GAP, int((~is_unknown).sum()), int(is_unknown.sum()), 0))
    frame = pd.DataFrame(rows, columns=["control", "compliant", "non_compliant", "unknown"])
    frame["description"] = [CONTROL_INFO[Control(c)][1] for c in frame["control"]]
    frame["severity"] = [CONTROL_INFO[Control(c)][0].value for c in frame["control"]]
    frame["control"] = [str(c) for c in frame["control"]]
    judged = frame["compliant"] + frame["non_compliant"]
    frame["pct_compliant"] = (frame["compliant"] / judged.where(judged > 0) * 100).astype("Float64")
    order = {c.value: i for i, c in enumerate(Control)}
    frame = frame.sort_values("control", key=lambda s: s.map(order)).reset_index(drop=True)
    return CONTROLS.coerce(frame)


def _copy_counts(backups: pd.DataFrame, downgrades: int) -> tuple[int, int, int]:
    """(compliant, non_compliant, unknown) for XR_ENCRYPTION_DOWNGRADE over AVAILABLE copies."""
    copies = backups[(backups["role"] == Role.COPY.value).to_numpy(bool)
                     & (backups["lifecycle_state"] == "AVAILABLE").to_numpy(bool)]
    # a copy whose source is gone cannot be compared with its source's key
    unknown = int(copies["copy_status"].isin([CopyStatus.ORPHAN.value,
                                                                CopyStatus.UNKNOWN.value]).sum())
    return len(copies) - downgrades - unknown, downgrades, unknown

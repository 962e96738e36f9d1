"""Findings (one row per resource failing a control) and the per-control compliance summary."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from reportkit.assessment._lookup import is_in, positions, take
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
    C.XR_COPY_MISSING: (S.HIGH, "Every eligible boot volume with a backup has an AVAILABLE copy (or accepted replica) "
                                "in each required destination region"),
    C.XR_COPY_STALE: (S.MEDIUM, "The newest cross-region copy or replica holds data taken within rpo_days"),
    C.XR_COPY_FAILED: (S.HIGH, "The latest cross-region copy attempt did not end FAULTY"),
    C.XR_COPY_IN_PROGRESS: (S.INFO, "No boot volume depends on a copy that is still being made"),
    C.XR_INELIGIBLE_IMAGE: (S.MEDIUM, "Boot volumes run images whose backups can be copied cross-region"),
    C.XR_ENCRYPTION_DOWNGRADE: (S.MEDIUM, "A copy of a Vault-encrypted backup (its immediate source or its root) is "
                                          "also Vault-encrypted"),
    C.XR_ORPHAN_COPY: (S.INFO, "Every cross-region copy still traces back to its root backup"),
    C.BACKUP_MISSING: (S.HIGH, "Every boot volume has an AVAILABLE root backup taken within rpo_days"),
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


@dataclass(frozen=True)
class Downgrades:
    """AVAILABLE copies with an Oracle-managed key whose immediate source or root uses a Vault key
    (``rows``: rows of the assessed backups; ``against``: the row of the Vault-encrypted backup
    compared; ``what``: 'source' or 'root'), and the copies that cannot be compared (their chain is
    broken and their immediate source is gone)."""

    rows: np.ndarray
    against: np.ndarray
    what: np.ndarray
    evaluated: int
    unknown: int


def downgrade_rows(backups: pd.DataFrame, source: np.ndarray | None = None,
                   root: np.ndarray | None = None) -> Downgrades:
    """Return the :class:`Downgrades` of the assessed backups: each AVAILABLE copy (or member of a group
    backup copy) is compared with its immediate source AND its chain's root (a copy of a copy may have
    lost the key one hop earlier). ``source`` / ``root`` are the rows of each backup's immediate source
    and root (negative when none) when the caller has them; else they are looked up by OCID."""
    ids = backups["backup_id"]
    source = positions(backups["source_boot_volume_backup_id"], ids) if source is None else source
    root = positions(backups["root_backup_id"], ids) if root is None else root
    source, root = np.where(source >= 0, source, -1), np.where(root >= 0, root, -1)  # -1: the appended "none"
    copies = (is_in(backups["role"], [Role.COPY.value, Role.GROUP_COPY_MEMBER.value])
              & is_in(backups["lifecycle_state"], ["AVAILABLE"]))
    kms = backups["kms_key_id"].notna().to_numpy(bool)
    if kms.any():
        kms = kms & backups["kms_key_id"].fillna("").str.strip().ne("").to_numpy(bool)
    region = backups["region"].cat.codes.to_numpy() if isinstance(backups["region"].dtype, pd.CategoricalDtype) \
        else pd.factorize(backups["region"])[0]
    keyed = np.append(kms, False)
    region_of = np.append(region, -2)
    by_source = copies & ~kms & keyed[source] & (region != region_of[source])
    by_root = copies & ~kms & ~by_source & keyed[root] & (region != region_of[root])
    rows = np.flatnonzero(by_source | by_root)
    against = np.where(by_source[rows], source[rows], root[rows])
    what = np.where(by_source[rows], "source", "root")
    unknown = int((copies & ~(by_source | by_root) & (root < 0) & (source < 0)).sum())
    return Downgrades(rows=rows, against=against, what=what, evaluated=int(copies.sum()), unknown=unknown)


def build_findings(volumes: pd.DataFrame, backups: pd.DataFrame, group_backups: pd.DataFrame | None = None, *,
                   as_of: pd.Timestamp, rpo_days: int, downgrades: Downgrades | None = None) -> pd.DataFrame:
    """Return schema.FINDINGS: one row per (control, resource) that fails or cannot be checked.

    Volume verdicts map to XR_COPY_* / XR_INELIGIBLE_IMAGE / COLLECTION_GAP (unknown);
    BACKUP_MISSING when no AVAILABLE root backup is within rpo_days (unknown volumes are left to
    COLLECTION_GAP); per backup, XR_ENCRYPTION_DOWNGRADE and XR_ORPHAN_COPY (boot and group backup
    copies). ``downgrades`` is :func:`downgrade_rows` when the caller already has it.
    """
    parts = []
    # narrow frames first: filtering a million-row table copies every column it has
    volumes = volumes[["boot_volume_id", "region", "compartment_path", "coverage_status", "reason", "remediation",
                       "newest_backup_time"]]
    status = volumes["coverage_status"]
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
    down = downgrades if downgrades is not None else downgrade_rows(backups)
    backups = backups[["backup_id", "region", "compartment_path", "kms_key_id", "copy_status", "reason"]]
    sel = backups.take(down.rows)
    against = pd.Series(take(backups["backup_id"].array, down.against).array, index=sel.index, dtype="string")
    key = pd.Series(take(backups["kms_key_id"].array, down.against).array, index=sel.index, dtype="string")
    parts.append(_rows(C.XR_ENCRYPTION_DOWNGRADE, sel, "boot_volume_backup",
                       "copy uses an Oracle-managed key while its " + pd.Series(down.what, index=sel.index,
                                                                                  dtype="string")
                       + " " + against + " uses Vault key " + key,
                       pd.Series("Copy again with --kms-key-id set to a Vault key in the destination region, then "
                                 "delete this copy", index=sel.index, dtype="string")))
    keep = "Keep it if it is still needed for recovery, otherwise delete it to stop paying for its storage"
    sel = backups[is_in(backups["copy_status"], [CopyStatus.ORPHAN.value])]
    parts.append(_rows(C.XR_ORPHAN_COPY, sel, "boot_volume_backup", sel["reason"],
                       pd.Series(keep, index=sel.index, dtype="string")))
    if group_backups is not None and len(group_backups):
        sel = group_backups[(group_backups["copy_status"] == CopyStatus.ORPHAN.value).to_numpy(bool)]
        parts.append(_rows(C.XR_ORPHAN_COPY, sel, "volume_group_backup", sel["reason"],
                           pd.Series(keep, index=sel.index, dtype="string")))
    out = pd.concat(parts, ignore_index=True)
    out = FINDINGS.coerce(out)
    order = {c.value: i for i, c in enumerate(Control)}
    return out.assign(_o=out["control"].astype("string").map(order)).sort_values(
        ["_o", "region", "compartment_path", "resource_id"], kind="stable").drop(columns="_o").reset_index(drop=True)


def _rows(control: Control, sel: pd.DataFrame, kind: str, message: pd.Series, remediation: pd.Series) -> pd.DataFrame:
    severity, _ = CONTROL_INFO[control]
    resource = {"boot_volume": "boot_volume_id", "boot_volume_backup": "backup_id",
                "volume_group_backup": "volume_group_backup_id"}[kind]
    resource = sel[resource]
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


def build_controls(volumes: pd.DataFrame, backups: pd.DataFrame, group_backups: pd.DataFrame | None = None, *,
                   as_of: pd.Timestamp, rpo_days: int, downgrades: Downgrades | None = None) -> pd.DataFrame:
    """Return schema.CONTROLS: per control, compliant / non-compliant / unknown resource counts.

    Volume controls evaluate the volumes a rule applies to (XR_COPY_STALE only those with a copy
    or unknown; the copy controls not ineligible or no_backup volumes); ``unknown`` counts the
    evaluated volumes whose verdict is unknown. Backup controls evaluate copies (boot and group).
    ``pct_compliant`` counts what could not be evaluated against the control (rule book §8).
    """
    status = volumes["coverage_status"].astype("string")
    is_unknown = status.eq(CoverageStatus.UNKNOWN.value).to_numpy(bool)
    rows = []
    for control, (evaluated, failing) in _VOLUME_CONTROLS.items():
        ev = status.isin(sorted(s.value for s in evaluated)).to_numpy(bool)
        bad = status.isin(sorted(s.value for s in failing)).to_numpy(bool)
        rows.append((control, int((ev & ~bad & ~is_unknown).sum()), int(bad.sum()), int((ev & is_unknown).sum())))
    down = downgrades if downgrades is not None else downgrade_rows(backups)
    rows.append((C.XR_ENCRYPTION_DOWNGRADE, down.evaluated - len(down.rows) - down.unknown, len(down.rows),
                 down.unknown))
    statuses = [_live_copy_statuses(backups)]
    if group_backups is not None and len(group_backups):
        statuses.append(_live_copy_statuses(group_backups))
    cstat = pd.concat(statuses, ignore_index=True)
    orphan = int(cstat.eq(CopyStatus.ORPHAN.value).sum())
    unk = int(cstat.eq(CopyStatus.UNKNOWN.value).sum())
    rows.append((C.XR_ORPHAN_COPY, len(cstat) - orphan - unk, orphan, unk))
    fresh = _fresh_backup(volumes, as_of, rpo_days)
    rows.append((C.BACKUP_MISSING, int(fresh.sum()), int((~fresh & ~is_unknown).sum()), int((~fresh & is_unknown).sum())))
    rows.append((C.COLLECTION_GAP, int((~is_unknown).sum()), int(is_unknown.sum()), 0))
    frame = pd.DataFrame(rows, columns=["control", "compliant", "non_compliant", "unknown"])
    frame["description"] = [CONTROL_INFO[Control(c)][1] for c in frame["control"]]
    frame["severity"] = [CONTROL_INFO[Control(c)][0].value for c in frame["control"]]
    frame["control"] = [str(c) for c in frame["control"]]
    evaluated = frame["compliant"] + frame["non_compliant"] + frame["unknown"]
    frame["pct_compliant"] = (frame["compliant"] / evaluated.where(evaluated > 0) * 100).astype("Float64")
    order = {c.value: i for i, c in enumerate(Control)}
    frame = frame.sort_values("control", key=lambda s: s.map(order)).reset_index(drop=True)
    return CONTROLS.coerce(frame)


def _live_copy_statuses(frame: pd.DataFrame) -> pd.Series:
    """copy_status of the copies of a backups table that are not TERMINATED/TERMINATING."""
    live = is_in(frame["role"], [Role.COPY.value]) & ~is_in(frame["lifecycle_state"], ["TERMINATED", "TERMINATING"])
    return frame["copy_status"][live].reset_index(drop=True)

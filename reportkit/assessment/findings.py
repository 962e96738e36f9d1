"""Findings (one row per resource failing a control) and the per-control compliance summary."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from reportkit.assessment._lookup import is_in, positions, present, take, text_at
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
        kms = kms & present(backups["kms_key_id"])
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
    copies). ``downgrades`` is :func:`downgrade_rows` when the caller already has it. Sorted by
    control (the enum's order), region, compartment path and resource.
    """
    parts: list[_Part] = []
    status = volumes["coverage_status"]
    codes = status.cat.codes.to_numpy() if isinstance(status.dtype, pd.CategoricalDtype) else None
    for cov, control in _STATUS_CONTROL.items():
        rows = np.flatnonzero(codes == list(status.cat.categories).index(cov.value)) if codes is not None \
            else np.flatnonzero(status.eq(cov.value).to_numpy(bool))
        parts.append(_Part(control, volumes, rows, "boot_volume", volumes["reason"], volumes["remediation"]))
    rows = np.flatnonzero(~_fresh_backup(volumes, as_of, rpo_days) & ~is_in(status, [CoverageStatus.UNKNOWN.value]))
    if len(rows):
        newest = volumes["newest_backup_time"].take(rows).dt.strftime("%Y-%m-%dT%H:%M:%SZ").astype("string")
        message = f"no AVAILABLE backup within {rpo_days} days (newest: " + newest.fillna("none") + ")"
        parts.append(_Part(C.BACKUP_MISSING, volumes, rows, "boot_volume", message,
                           "Assign a backup policy with a daily schedule, or take a backup now", taken=True))
    down = downgrades if downgrades is not None else downgrade_rows(backups)
    if len(down.rows):
        against = take(backups["backup_id"].array, down.against).astype("string")
        key = take(backups["kms_key_id"].array, down.against).astype("string").fillna("?")
        message = ("copy uses an Oracle-managed key while its " + pd.Series(down.what, dtype="string") + " "
                   + against + " uses Vault key " + key)
        parts.append(_Part(C.XR_ENCRYPTION_DOWNGRADE, backups, down.rows, "boot_volume_backup", message,
                           "Copy again with --kms-key-id set to a Vault key in the destination region, then delete "
                           "this copy", taken=True))
    keep = "Keep it if it is still needed for recovery, otherwise delete it to stop paying for its storage"
    parts.append(_Part(C.XR_ORPHAN_COPY, backups, np.flatnonzero(is_in(backups["copy_status"], [CopyStatus.ORPHAN])),
                       "boot_volume_backup", backups["reason"], keep))
    if group_backups is not None and len(group_backups):
        parts.append(_Part(C.XR_ORPHAN_COPY, group_backups,
                           np.flatnonzero(is_in(group_backups["copy_status"], [CopyStatus.ORPHAN])),
                           "volume_group_backup", group_backups["reason"], keep))
    return _findings_frame([p for p in parts if len(p.rows)])


_RESOURCE = {"boot_volume": "boot_volume_id", "boot_volume_backup": "backup_id",
             "volume_group_backup": "volume_group_backup_id"}


@dataclass(frozen=True)
class _Part:
    """The findings of one control on some rows of one table; ``message``/``remediation`` are a constant,
    a column of the table (taken at ``rows``), or already taken (``taken``)."""

    control: Control
    frame: pd.DataFrame
    rows: np.ndarray
    kind: str
    message: object
    remediation: object
    taken: bool = False

    def text(self, value: object, *, taken: bool | None = None) -> pa.Array:
        if isinstance(value, str):
            return pa.array([value], type=pa.large_string()).take(pa.array(np.zeros(len(self.rows), dtype=np.int64)))
        if self.taken if taken is None else taken:
            return text_at(value, np.arange(len(value)))
        return text_at(value, self.rows)

    def column(self, name: str) -> pa.Array:
        return self.text(self.frame[name], taken=False)


def _findings_frame(parts: list[_Part]) -> pd.DataFrame:
    if not parts:
        return FINDINGS.empty()
    controls = [c.value for c in Control]
    severities = [s.value for s in Severity]
    n = [len(p.rows) for p in parts]

    def strings(arrays: list[pa.Array]) -> pd.Series:
        return pd.Series(pd.array(pa.concat_arrays(arrays), dtype="string"))

    out = pd.DataFrame({
        "control": pd.Categorical.from_codes(np.repeat([controls.index(p.control.value) for p in parts], n),
                                             categories=controls),
        "severity": pd.Categorical.from_codes(np.repeat([severities.index(CONTROL_INFO[p.control][0].value)
                                                         for p in parts], n), categories=severities),
        "resource_id": strings([p.column(_RESOURCE[p.kind]) for p in parts]),
        "resource_type": strings([p.text(p.kind) for p in parts]),
        "region": strings([p.column("region") for p in parts]),
        "compartment_path": strings([p.column("compartment_path") for p in parts]),
        "message": strings([p.text(p.message) for p in parts]),
        "remediation": strings([p.text(p.remediation) for p in parts]),
    })
    order = np.lexsort((out["resource_id"].fillna("").to_numpy(object),
                        out["compartment_path"].fillna("").to_numpy(object), out["region"].fillna("").to_numpy(object),
                        out["control"].cat.codes.to_numpy()))
    return FINDINGS.validate(out.take(order).reset_index(drop=True))


def build_controls(volumes: pd.DataFrame, backups: pd.DataFrame, group_backups: pd.DataFrame | None = None, *,
                   as_of: pd.Timestamp, rpo_days: int, downgrades: Downgrades | None = None) -> pd.DataFrame:
    """Return schema.CONTROLS: per control, compliant / non-compliant / unknown resource counts.

    Volume controls evaluate the volumes a rule applies to (XR_COPY_STALE only those with a copy
    or unknown; the copy controls not ineligible or no_backup volumes); ``unknown`` counts the
    evaluated volumes whose verdict is unknown. Backup controls evaluate copies (boot and group).
    ``pct_compliant`` counts what could not be evaluated against the control (rule book §8).
    """
    status = volumes["coverage_status"]
    is_unknown = is_in(status, [CoverageStatus.UNKNOWN.value])
    counts: dict[Control, tuple[int, int, int]] = {}
    for control, (evaluated, failing) in _VOLUME_CONTROLS.items():
        ev = is_in(status, [s.value for s in evaluated])
        bad = is_in(status, [s.value for s in failing])
        counts[control] = (int((ev & ~bad & ~is_unknown).sum()), int(bad.sum()), int((ev & is_unknown).sum()))
    down = downgrades if downgrades is not None else downgrade_rows(backups)
    counts[C.XR_ENCRYPTION_DOWNGRADE] = (down.evaluated - len(down.rows) - down.unknown, len(down.rows), down.unknown)
    orphan = unk = live = 0
    for frame in (backups, group_backups):
        if frame is not None and len(frame):
            cstat = _live_copy_statuses(frame)
            live, orphan = live + len(cstat), orphan + int(is_in(cstat, [CopyStatus.ORPHAN.value]).sum())
            unk += int(is_in(cstat, [CopyStatus.UNKNOWN.value]).sum())
    counts[C.XR_ORPHAN_COPY] = (live - orphan - unk, orphan, unk)
    fresh = _fresh_backup(volumes, as_of, rpo_days)
    counts[C.BACKUP_MISSING] = (int(fresh.sum()), int((~fresh & ~is_unknown).sum()), int((~fresh & is_unknown).sum()))
    counts[C.COLLECTION_GAP] = (int((~is_unknown).sum()), int(is_unknown.sum()), 0)
    compliant, non_compliant, unknown = (np.array([counts[c][i] for c in Control], dtype=np.int64) for i in range(3))
    evaluated = compliant + non_compliant + unknown
    pct = np.where(evaluated > 0, compliant / np.maximum(evaluated, 1) * 100, np.nan)
    return CONTROLS.validate(pd.DataFrame({
        "control": pd.Categorical.from_codes(np.arange(len(Control)), categories=[c.value for c in Control]),
        "description": pd.array([CONTROL_INFO[c][1] for c in Control], dtype="string"),
        "severity": pd.Categorical.from_codes([list(Severity).index(CONTROL_INFO[c][0]) for c in Control],
                                              categories=[s.value for s in Severity]),
        "compliant": pd.array(compliant, dtype="Int64"), "non_compliant": pd.array(non_compliant, dtype="Int64"),
        "unknown": pd.array(unknown, dtype="Int64"),
        "pct_compliant": pd.arrays.FloatingArray(np.nan_to_num(pct), evaluated == 0),
    }))


def _live_copy_statuses(frame: pd.DataFrame) -> pd.Series:
    """copy_status of the copies of a backups table that are not TERMINATED/TERMINATING."""
    live = is_in(frame["role"], [Role.COPY.value]) & ~is_in(frame["lifecycle_state"], ["TERMINATED", "TERMINATING"])
    return frame["copy_status"][live].reset_index(drop=True)

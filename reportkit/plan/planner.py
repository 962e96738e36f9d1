"""The copy plan: which cross-region copies would bring every eligible boot volume to ``covered``.

Pure: an :class:`~reportkit.assessment.Assessment` in, a :class:`CopyPlan` out (no I/O, no clock, no
OCI). Only :mod:`reportkit.copy` ever executes a plan. The rules come from OCI's documentation
(Oracle's "Copying a Boot Volume Backup Between Regions"):

- one copy per boot volume at a time from a source region, so a volume that needs two
  destinations gets two *waves* (wave 2 starts when its wave-1 copy has finished);
- only backups of volumes built from platform images (or custom images built from them) can be
  copied: ineligible and unknown volumes are never planned, they are listed in ``skipped``;
- a Vault key for the copy must be a key *in the destination region* (``kms_key_map``); a
  Vault-encrypted source without such a key is blocked unless the caller explicitly allows the
  copy to fall back to an Oracle-managed key (``allow_encryption_downgrade``);
- a copy never goes to the volume's own region (it protects nothing there);
- a volume whose destination comes from its volume group's policy is closed by copying the group's
  newest AVAILABLE root group backup (:mod:`reportkit.plan.groups`).

Saving and loading (``save_plan`` / ``load_plan``) is file I/O and lives in :mod:`reportkit.plan.files`.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from reportkit.errors import InputError
from reportkit.plan.groups import group_entry, plan_group_copies
from reportkit.plan.model import (
    CopyPlan,
    IamCheck,
    assign_waves,
    copy_cli_command,
    copy_encryption,
    entry_id_for,
    retry_token_for,
    stale_note,
    summarize_plan,
)
from reportkit.regions import lookup_region
from reportkit.schema import (
    COPYABLE_IMAGE_CLASSES,
    PLAN_ENTRIES,
    PLAN_SKIPPED,
    PLANNABLE,
    BackupState,
    CoverageStatus,
    Encryption,
    PlanKind,
    PlanStatus,
    RequirementSource,
)

# PLANNABLE (schema): the verdicts a copy can fix. in_progress is left alone (a copy is already
# running) and no_backup/ineligible/unknown cannot be fixed by a copy.
# Copy states that mean "this backup is already copied, or being copied, to that region".
_LIVE_COPY_STATES = (BackupState.REQUEST_RECEIVED, BackupState.CREATING, BackupState.AVAILABLE)
_IN_FLIGHT_STATES = (BackupState.REQUEST_RECEIVED, BackupState.CREATING)
_FAILED_COPY_STATES = (BackupState.FAULTY, BackupState.TERMINATED, BackupState.TERMINATING)
_ELIGIBLE_IMAGE_CLASSES = tuple(c.value for c in COPYABLE_IMAGE_CLASSES)
ANY_REGION = "any"  # required_regions value meaning "a fresh copy in any other region"

def make_plan(
    assessment: Any,
    *,
    kms_key_map: Mapping[str, str] | None = None,
    allow_encryption_downgrade: bool = False,
    iam_verdicts: IamCheck | None = None,
    group: str | None = None,
) -> CopyPlan:
    """Return the copies that would bring every eligible, not-covered boot volume to ``covered``.

    For each volume whose ``coverage_status`` is missing/stale/failed and each required
    destination region without a fresh copy, the entry copies the volume's newest AVAILABLE
    source backup — unless that backup is already copied (or being copied) there. Volumes that
    cannot or need not be copied are returned in ``skipped`` with the reason.

    ``kms_key_map`` maps destination region (name or short code) -> Vault key OCID in that region.
    ``iam_verdicts`` (optional) says whether the caller may make a copy; entries it denies are
    blocked. ``group`` is only recorded in the parameters.
    Raises :class:`InputError` when a key of ``kms_key_map`` is not in its destination region.
    """
    keys = normalise_kms_key_map(kms_key_map or {})
    params = dict(getattr(assessment, "parameters", {}) or {})
    rpo_days = params.get("rpo_days")
    as_of = _as_of(assessment, params)
    volumes = assessment.volumes
    backups = assessment.backups
    eligible = _image_eligibility(getattr(assessment, "images", None))

    sources, copies = _split_backups(backups)
    entries: list[dict[str, Any]] = []
    skipped: list[dict[str, Any]] = []
    group_needs: list[tuple[dict[str, Any], list[str], dict[str, Any]]] = []
    for vol in volumes.to_dict("records"):
        status = _str(vol.get("coverage_status"))
        if status == CoverageStatus.COVERED:
            continue
        base = _skip_base(vol)
        if status not in PLANNABLE:
            skipped.append({**base, "reason": _not_plannable_reason(status, vol)})
            continue
        verdict = _volume_eligibility(vol, eligible)
        if verdict is False or (verdict is None and _str(vol.get("image_class")) not in _ELIGIBLE_IMAGE_CLASSES):
            # Belt and braces: assess already says missing/stale/failed, but a copy of an
            # ineligible image fails at OCI, and an unknown one must not be attempted.
            what = "not copy-eligible" if verdict is False else "of unknown eligibility"
            skipped.append({**base, "reason": f"image {_str(vol.get('image_id')) or '(none)'} is {what}; "
                                              "OCI only copies backups of platform-image volumes"})
            continue
        region = _str(vol.get("region"))
        if _str(vol.get("requirement_source")) == RequirementSource.GROUP_POLICY:
            lacking = [d for d in _regions(vol.get("required_regions"))
                       if d not in set(_regions(vol.get("covered_regions"))) and d != region]
            if lacking:
                group_needs.append((vol, lacking, base))
            else:
                skipped.append({**base, "reason": "no required destination region lacks a fresh copy"})
            continue
        vol_sources = sources.get((_str(vol.get("boot_volume_id")), region), [])
        vol_backup_ids = {_str(b.get("backup_id")) for b in vol_sources}
        required = _regions(vol.get("required_regions"))
        if ANY_REGION in required:
            # "any other region": refresh where the volume already has copies; with none, the
            # plan cannot guess a destination.
            required = [r for r in _regions_with_copies(copies, vol_backup_ids) if r != region][:1]
            if not required:
                skipped.append({**base, "reason": "any other region would do but none is chosen: "
                                                  "give the destination with --copy-targets"})
                continue
        busy = [c for (src, _), rows in copies.items() if src in vol_backup_ids for c in rows
                if _str(c.get("lifecycle_state")) in _IN_FLIGHT_STATES]
        if busy:
            # OCI allows one copy per boot volume at a time from a source region: any new copy
            # would be refused (409) until this one has finished.
            skipped.append({**base, "reason": f"a copy of this volume from {region} is in progress "
                                              f"({_str(busy[0].get('backup_id'))} in {_str(busy[0].get('region'))}); "
                                              "OCI allows one at a time: plan again when it has finished"})
            continue
        covered = set(_regions(vol.get("covered_regions")))
        destinations = [d for d in required if d not in covered and d != region]
        if not destinations:
            skipped.append({**base, "reason": "no required destination region lacks a fresh copy"})
            continue
        newest = next((b for b in vol_sources if _str(b.get("lifecycle_state")) == BackupState.AVAILABLE), None)
        if newest is None:
            skipped.append({**base, "reason": f"no AVAILABLE backup in {region} to copy; take a backup first"})
            continue
        for dest in destinations:
            live = copies.get((_str(newest["backup_id"]), dest), [])
            if any(_str(c.get("lifecycle_state")) in _LIVE_COPY_STATES for c in live):
                skipped.append({**base, "destination_region": dest,
                                "reason": f"newest backup {newest['backup_id']} is already copied or being copied "
                                          f"to {dest}; take a new backup to refresh the copy"})
                continue
            failed = sum(_str(c.get("lifecycle_state")) in _FAILED_COPY_STATES for c in live)
            entry = _entry(vol, newest, dest, keys, allow_encryption_downgrade, failed, rpo_days=rpo_days, as_of=as_of)
            if _str(vol.get("image_class")) not in _ELIGIBLE_IMAGE_CLASSES:
                entry["note"] = "; ".join(filter(None, [entry["note"], (
                    f"image class is {_str(vol.get('image_class')) or 'unknown'}: eligibility rests on an "
                    "earlier successful copy of this volume")]))
            entries.append(entry)

    group_rows, group_skipped = plan_group_copies(
        group_needs, getattr(assessment, "group_backups", None), backups,
        entry=lambda gb, _vols, dest, key, failed: group_entry(
            gb, dest, key, failed, keys=keys, allow_downgrade=allow_encryption_downgrade, rpo_days=rpo_days,
            as_of=as_of, ids=(entry_id_for, retry_token_for)))
    skipped += group_skipped
    entries = _block_unready_destinations(entries, getattr(assessment, "regions", None))
    group_rows = _block_unready_destinations(group_rows, getattr(assessment, "regions", None))
    if iam_verdicts is not None:
        entries = [_apply_iam(e, iam_verdicts) for e in entries]
    entries += group_rows
    entries = assign_waves(entries)
    entries_df = PLAN_ENTRIES.coerce(pd.DataFrame(entries, columns=PLAN_ENTRIES.column_names))
    skipped_df = PLAN_SKIPPED.coerce(pd.DataFrame(skipped, columns=PLAN_SKIPPED.column_names))
    parameters = {
        "rpo_days": rpo_days,
        "as_of": as_of.isoformat() if as_of is not None else None,
        "copy_targets": params.get("copy_targets"),
        "kms_key_map": dict(sorted(keys.items())),
        "allow_encryption_downgrade": bool(allow_encryption_downgrade),
        "group": group,
        "iam_checked": iam_verdicts is not None,
        "tenancy_id": getattr(getattr(assessment, "metadata", None), "tenancy_id", None),
        "tenancy_name": getattr(getattr(assessment, "metadata", None), "tenancy_name", None),
    }
    return CopyPlan(entries_df, skipped_df, summarize_plan(entries_df, skipped_df), parameters)


def iam_check_for_group(inventory: Any, group: str) -> IamCheck | None:
    """Return an ``iam_verdicts`` check for ``group`` from the inventory's IAM policies, or None when
    the inventory holds no IAM policy statement (copies are then not checked)."""
    from reportkit.iam import copy_checker

    policies = getattr(inventory, "iam_policies", None)
    if policies is None or len(policies) == 0:
        return None
    return copy_checker(policies, group, compartments=getattr(inventory, "compartments", None))


def normalise_kms_key_map(kms_key_map: Mapping[str, str]) -> dict[str, str]:
    """Return ``kms_key_map`` keyed by region name; raise :class:`InputError` on a misplaced key.

    A key must live in the destination region (OCI rejects anything else); the region segment of
    the key OCID (``ocid1.key.oc1.<region>.…``) is checked when it has one.
    """
    out: dict[str, str] = {}
    for raw_region, key in kms_key_map.items():
        region = lookup_region(raw_region)
        key = str(key).strip()
        if not key.startswith("ocid1.key."):
            raise InputError(f"kms key map: {raw_region!r} -> {key!r} is not a Vault key OCID "
                             "(expected ocid1.key.oc1.<region>....); fix the key map file")
        segment = key.split(".")[3] if len(key.split(".")) > 4 else ""
        if segment and lookup_region(segment) != region:
            raise InputError(f"kms key map: the key for {region} is in region {lookup_region(segment)} "
                             f"({key}); a copy can only use a Vault key in its destination region")
        out[region] = key
    return out


# ---- helpers --------------------------------------------------------------------------------
def _entry(vol: Mapping[str, Any], backup: Mapping[str, Any], dest: str, keys: Mapping[str, str],
           allow_downgrade: bool, failed: int, *, rpo_days: Any, as_of: pd.Timestamp | None) -> dict[str, Any]:
    backup_id = _str(backup["backup_id"])
    source_region = _str(backup.get("region")) or _str(vol.get("region"))
    source_key = _str(backup.get("kms_key_id")) or None
    dest_key = keys.get(dest)
    encryption, status, reason, key_note = copy_encryption(source_key, dest_key, dest, allow_downgrade=allow_downgrade,
                                                           source="source", holder="source backup")
    created = backup.get("time_created")
    notes = [n for n in (key_note, stale_note(created, as_of, rpo_days, what="backup", fresh="backup")) if n]
    entry_id = entry_id_for(backup_id, dest)
    name = _str(backup.get("display_name")) or backup_id
    display_name = f"{name} (copy to {dest})"[:255]
    kms = dest_key if encryption == Encryption.VAULT else None
    size = backup.get("size_in_gbs")
    return {
        "entry_id": entry_id,
        "kind": PlanKind.BOOT_VOLUME_BACKUP.value,
        "wave": None,
        "source_region": source_region,
        "destination_region": dest,
        "backup_id": backup_id,
        "boot_volume_id": _str(vol.get("boot_volume_id")),
        "volume_name": _str(vol.get("display_name")),
        "compartment_id": _str(backup.get("compartment_id")) or _str(vol.get("compartment_id")),
        "compartment_path": _str(vol.get("compartment_path")),
        "size_gb": None if size is None or pd.isna(size) else int(size),
        "backup_time_created": created,
        "source_kms_key_id": source_key,
        "kms_key_id": kms,
        "encryption": encryption.value,
        "display_name": display_name,
        "status": status.value,
        "block_reason": reason,
        "iam_allowed": None,
        "iam_reason": None,
        "note": "; ".join(notes) or None,
        "retry_token": retry_token_for(entry_id, failed),
        "cli_command": copy_cli_command(backup_id, dest, source_region, kms_key_id=kms, display_name=display_name),
    }


def _block_unready_destinations(entries: list[dict[str, Any]], regions: pd.DataFrame | None) -> list[dict[str, Any]]:
    """Block the entries whose destination is not a READY subscribed region: OCI refuses a copy to a
    region the tenancy does not subscribe to, or whose subscription is still IN_PROGRESS (400). Without
    a regions table (an assessment built by hand) nothing is blocked."""
    if regions is None or len(regions) == 0 or "status" not in regions.columns:
        return entries
    status = {str(r): str(s).upper() for r, s in zip(regions["region"], regions["status"], strict=True) if pd.notna(r)}
    out = []
    for entry in entries:
        dest = entry["destination_region"]
        if status.get(dest) != "READY" and entry["status"] == PlanStatus.PLANNED:
            why = (f"its subscription is {status[dest]}" if dest in status else "the tenancy does not subscribe to it")
            entry = {**entry, "status": PlanStatus.BLOCKED.value,
                     "block_reason": f"destination {dest} is not a READY region ({why}); OCI refuses the copy "
                                     "until the region subscription is READY"}
        out.append(entry)
    return out


def _apply_iam(entry: dict[str, Any], check: IamCheck) -> dict[str, Any]:
    allowed, reason = check(entry["source_region"], entry["destination_region"], entry["compartment_id"],
                            entry["kms_key_id"])
    out = {**entry, "iam_allowed": allowed, "iam_reason": reason or None}
    if allowed is False and out["status"] == PlanStatus.PLANNED:
        out["status"] = PlanStatus.BLOCKED.value
        out["block_reason"] = f"IAM: the group cannot make this copy ({reason}); fix the policy or use another group"
    return out


def _split_backups(backups: pd.DataFrame) -> tuple[dict, dict]:
    """Return (sources by (boot_volume_id, region), newest first; copies by (source backup, region))."""
    wanted = ["backup_id", "region", "compartment_id", "display_name", "boot_volume_id", "lifecycle_state",
              "time_created", "size_in_gbs", "kms_key_id", "source_boot_volume_backup_id", "role"]
    frame = backups[[c for c in wanted if c in backups.columns]]  # to_dict over ~40 columns is the cost
    source_col = frame.get("source_boot_volume_backup_id")
    is_copy = source_col.notna() if source_col is not None else pd.Series(False, index=frame.index)
    if "role" in frame.columns:
        is_copy = is_copy | (frame["role"].astype("string") == "copy").fillna(False)
    frame = frame.sort_values("time_created", ascending=False, na_position="last", kind="stable")
    sources: dict[tuple[str, str], list[dict]] = {}
    copies: dict[tuple[str, str], list[dict]] = {}
    for row, copy_flag in zip(frame.to_dict("records"), is_copy.loc[frame.index], strict=True):
        if copy_flag:
            copies.setdefault((_str(row.get("source_boot_volume_backup_id")), _str(row.get("region"))), []).append(row)
        else:
            sources.setdefault((_str(row.get("boot_volume_id")), _str(row.get("region"))), []).append(row)
    return sources, copies


def _volume_eligibility(vol: Mapping[str, Any], images: Mapping[str, bool | None]) -> bool | None:
    """Return True/False/None (unknown) for the volume: its own copy_eligible, else its image's."""
    own = vol.get("copy_eligible")
    if own is not None and not pd.isna(own):
        return bool(own)
    return images.get(_str(vol.get("image_id")))


def _regions_with_copies(copies: Mapping[tuple[str, str], list[dict]], backup_ids: set[str]) -> list[str]:
    """Return regions holding copies of these backups, the one with the newest copy first."""
    found = [(row.get("time_created"), region) for (src, region), rows in copies.items() if src in backup_ids
             for row in rows]
    found.sort(key=lambda t: (pd.Timestamp(t[0]) if t[0] is not None and not pd.isna(t[0])
                              else pd.Timestamp.min.tz_localize("UTC")), reverse=True)
    return list(dict.fromkeys(region for _, region in found))


def _image_eligibility(images: pd.DataFrame | None) -> dict[str, bool | None]:
    """Return image_id -> copy_eligible (True/False, None = unknown) from assessed images."""
    if images is None or "copy_eligible" not in getattr(images, "columns", []):
        return {}
    out: dict[str, bool | None] = {}
    for image_id, ok in zip(images["image_id"], images["copy_eligible"], strict=True):
        value = None if ok is None or pd.isna(ok) else bool(ok)
        # An image seen in several regions: any "unknown"/False wins over True (never over-promise).
        prev = out.get(_str(image_id), True)
        out[_str(image_id)] = value if prev is True else prev
    return out


def _skip_base(vol: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "boot_volume_id": _str(vol.get("boot_volume_id")),
        "region": _str(vol.get("region")),
        "volume_name": _str(vol.get("display_name")),
        "compartment_path": _str(vol.get("compartment_path")),
        "coverage_status": _str(vol.get("coverage_status")),
        "destination_region": None,
    }


def _not_plannable_reason(status: str, vol: Mapping[str, Any]) -> str:
    detail = _str(vol.get("reason"))
    why = {
        CoverageStatus.INELIGIBLE: "image is not copy-eligible (OCI copies only platform-image volumes)",
        CoverageStatus.UNKNOWN: "coverage is unknown (data could not be read): never planned",
        CoverageStatus.NO_BACKUP: "volume has no backup to copy; take a backup first",
        CoverageStatus.IN_PROGRESS: "a copy is in progress; wait for it",
    }.get(status, f"coverage status {status!r} is not one a copy can fix")
    return f"{why} ({detail})" if detail else why


def _regions(value: Any) -> list[str]:
    """Return region names from a list/array or a comma/space separated string (NA -> [])."""
    if value is None:
        return []
    if isinstance(value, str):
        items = value.replace(";", ",").replace(" ", ",").split(",")
    elif hasattr(value, "__iter__"):
        items = list(value)
    elif pd.isna(value):
        return []
    else:
        items = [value]
    return [ANY_REGION if str(i).strip().lower() == ANY_REGION else lookup_region(i)
            for i in items if i is not None and str(i).strip()]


def _as_of(assessment: Any, params: Mapping[str, Any]) -> pd.Timestamp | None:
    value = params.get("as_of") or getattr(getattr(assessment, "summary", None), "as_of", None)
    if value is None:
        return None
    ts = pd.Timestamp(value)
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")


def _str(value: Any) -> str:
    if value is None:
        return ""
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    return str(value)

"""Group backup copies in the plan: a volume whose required destination comes from its volume group's
policy is closed by copying the group's backup (CopyVolumeGroupBackup), not its own boot backup.

Pure, like :mod:`reportkit.plan.planner`: the assessed group backups and boot backups in, plan entry
rows and skipped rows out. The rules:

- the copy is of the newest AVAILABLE root volume group backup holding the volume (its members
  include a backup of it); one entry per (group backup, destination) serves every member volume;
- OCI copies one volume group backup per volume group at a time from a source region: a group
  with a copy in flight from that region is skipped, and the n-th copy of a group goes in wave n;
- a group backup already copied (or being copied) to the destination is not copied again;
- a member encrypted with a Vault key needs a destination key, as for a boot backup copy;
- the IAM evaluator models boot volume backup permissions only: a group entry is never blocked up
  front by it, and says that it was not checked.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from reportkit.plan.model import copy_cli_command, copy_encryption, stale_note
from reportkit.schema import Encryption, PlanKind

_LIVE = ("REQUEST_RECEIVED", "CREATING", "COMMITTED", "AVAILABLE")
_IN_FLIGHT = ("REQUEST_RECEIVED", "CREATING", "COMMITTED")
_FAILED = ("FAULTY", "TERMINATED", "TERMINATING")


def plan_group_copies(needs: list[tuple[dict[str, Any], list[str], dict[str, Any]]], group_backups: pd.DataFrame,
                      backups: pd.DataFrame, *, entry: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Return (entries, skipped) for the volumes that need a group backup copy.

    ``needs`` holds (volume row, destinations lacking a fresh item, skipped-row base) per volume;
    ``entry(group_backup, volumes, destination, source_kms_key, failed_attempts)`` builds one entry
    (the planner's key, encryption, note and id rules).
    """
    entries: dict[tuple[str, str], dict[str, Any]] = {}
    skipped: list[dict[str, Any]] = []
    if not needs:
        return [], []
    roots, copies = _split(group_backups)
    for vol, destinations, base in needs:
        vid = str(vol.get("boot_volume_id"))
        holds = [vid in str(ids).split(",") for ids in roots["boot_volume_ids"].fillna("")]
        holding = roots[np.array(holds, dtype=bool)]
        available = holding[holding["lifecycle_state"].astype("string").eq("AVAILABLE").fillna(False).to_numpy(bool)]
        if available.empty:
            skipped.append({**base, "reason": "its volume group's policy sets the destination, but no AVAILABLE volume "
                                              "group backup holds it: take a volume group backup first"})
            continue
        newest = available.sort_values(["time_created", "volume_group_backup_id"], ascending=[False, True],
                                       kind="stable").iloc[0].to_dict()
        gid, region = str(newest["volume_group_backup_id"]), str(newest["region"])
        busy = copies[(copies["volume_group_id"] == newest["volume_group_id"]) & (copies["origin"] == region)
                      & copies["lifecycle_state"].isin(_IN_FLIGHT)]
        if len(busy):
            skipped.append({**base, "reason": f"a copy of volume group {newest['volume_group_id']} from {region} is in "
                                              f"progress ({busy.iloc[0]['volume_group_backup_id']}); OCI allows one "
                                              "at a time: plan again when it has finished"})
            continue
        for dest in destinations:
            to_dest = copies[(copies["root_backup_id"] == gid) & (copies["region"] == dest)]
            if to_dest["lifecycle_state"].isin(_LIVE).any():
                skipped.append({**base, "destination_region": dest,
                                "reason": f"newest volume group backup {gid} is already copied or being copied to "
                                          f"{dest}; take a new group backup to refresh the copy"})
                continue
            key = (gid, dest)
            if key not in entries:
                failed = int(to_dest["lifecycle_state"].isin(_FAILED).sum())
                entries[key] = entry(newest, [], dest, _member_key(backups, gid), failed)
            entries[key]["_volumes"].append(vol)
    out = []
    for row in entries.values():
        vols = sorted(row.pop("_volumes"), key=lambda v: str(v.get("boot_volume_id")))
        row["boot_volume_id"] = ",".join(str(v.get("boot_volume_id")) for v in vols)
        row["volume_name"] = ",".join(str(v.get("display_name") or "") for v in vols)
        out.append(row)
    return out, skipped


def group_entry(gb: Mapping[str, Any], dest: str, source_key: str | None, failed: int, *, keys: Mapping[str, str],
                allow_downgrade: bool, rpo_days: Any, as_of: pd.Timestamp | None, ids: Any) -> dict[str, Any]:
    """One plan entry copying volume group backup ``gb`` to ``dest`` (``ids`` = (entry_id_for,
    retry_token_for) of the planner, so both kinds share one id and token scheme)."""
    entry_id_for, retry_token_for = ids
    gid, region = str(gb["volume_group_backup_id"]), str(gb["region"])
    dest_key = keys.get(dest)
    encryption, status, reason, key_note = copy_encryption(
        source_key, dest_key, dest, allow_downgrade=allow_downgrade, source="a member",
        holder="a member of the volume group backup")
    created = gb.get("time_created")
    notes = [n for n in (key_note, stale_note(created, as_of, rpo_days, what="volume group backup",
                                              fresh="group backup")) if n]
    entry_id = entry_id_for(gid, dest)
    display_name = f"{gb.get('display_name') or gid} (copy to {dest})"[:255]
    kms = dest_key if encryption == Encryption.VAULT else None
    size = gb.get("size_in_gbs")
    return {
        "entry_id": entry_id, "kind": PlanKind.VOLUME_GROUP_BACKUP.value, "wave": None, "source_region": region,
        "destination_region": dest, "backup_id": gid, "volume_group_id": gb.get("volume_group_id"),
        "compartment_id": gb.get("compartment_id"), "compartment_path": gb.get("compartment_path"),
        "size_gb": None if size is None or pd.isna(size) else int(size), "backup_time_created": created,
        "source_kms_key_id": source_key, "kms_key_id": kms, "encryption": encryption.value,
        "display_name": display_name, "status": status.value, "block_reason": reason, "iam_allowed": None,
        "iam_reason": "not checked: reportkit's IAM evaluator models boot volume backup copies only",
        "note": "; ".join(notes) or None, "retry_token": retry_token_for(entry_id, failed),
        "cli_command": copy_cli_command(gid, dest, region, kms_key_id=kms, display_name=display_name, group=True),
        "_volumes": [],
    }


def _split(group_backups: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(root group backups, copies with the region of their root as ``origin``)."""
    if group_backups is None or group_backups.empty:
        empty = pd.DataFrame(columns=["volume_group_backup_id", "region", "lifecycle_state", "boot_volume_ids",
                                      "volume_group_id", "root_backup_id", "time_created", "origin"])
        return empty, empty
    frame = group_backups.assign(region=group_backups["region"].astype("string"),
                                 lifecycle_state=group_backups["lifecycle_state"].astype("string"))
    is_copy = frame["role"].astype("string").eq("copy").fillna(False)
    roots = frame[~is_copy]
    copies = frame[is_copy].assign(origin=frame["origin_region"].astype("string")[is_copy])
    return roots, copies


def _member_key(backups: pd.DataFrame, group_backup_id: str) -> str | None:
    """The Vault key of a member of the group backup, if any uses one."""
    if "volume_group_backup_id" not in backups.columns:
        return None
    members = backups[backups["volume_group_backup_id"].astype("string").eq(group_backup_id).fillna(False)]
    keys = members["kms_key_id"].dropna().astype(str).str.strip()
    keys = keys[keys.ne("")]
    return str(keys.iloc[0]) if len(keys) else None

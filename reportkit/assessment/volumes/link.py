"""Protection items (rule book §3, §4): each backup copy, group backup copy and replica, linked to the
boot volume it protects, with its state at as_of.

One long frame, one row per (item, volume): ``vol`` (row of the assessed volume), ``kind``,
``region`` (code), ``state``, ``available`` (lifecycle AVAILABLE), ``data`` / ``expires`` /
``attempt`` (int64 ns; NaT = ``NAT``), ``row`` (row of the item in its own table), ``away`` (not in
the volume's home region) and ``accepted`` (its kind counts, ``accept=``).

- A backup copy protects the volume of its chain's root (its own ``boot_volume_id`` when the
  chain is broken: still a copy of that volume, of unprovable age). A copy whose own
  ``boot_volume_id`` disagrees with its root's is ``unknown``.
- A group backup copy protects every volume its root group backup holds a member of (a broken
  chain: the volumes of its own visible members). When its own members are visible, the member for
  a volume must be there and AVAILABLE, else the item is at best ``stale`` for that volume.
- A replica protects its ``boot_volume_id``; it is fresh only when AVAILABLE, synced within the RPO
  (not after as_of) and its volume group replica, if any, is AVAILABLE.
- A replica the volume names (``BootVolume.bootVolumeReplicas``) in a region that could not be
  read is an ``unknown`` replica: a lead, never proof.
- A broken chain whose missing record a collection gap could hide is ``unknown``, else ``stale``.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from reportkit.assessment._lookup import category_codes, is_in, positions
from reportkit.assessment.gaps import Gaps
from reportkit.assessment.lineage import COPY, Break, Chains
from reportkit.schema import ItemState, ProtectionKind

NAT = np.iinfo(np.int64).min
KINDS = [k.value for k in ProtectionKind]
BACKUP_COPY, GROUP_COPY, REPLICA = range(3)
STATES = [s.value for s in ItemState]
FRESH, IN_PROGRESS, FAILED, STALE, NONE, UNKNOWN = (STATES.index(s.value) for s in (
    ItemState.FRESH, ItemState.IN_PROGRESS, ItemState.FAILED, ItemState.STALE, ItemState.NONE, ItemState.UNKNOWN))

_GONE = ("TERMINATING", "TERMINATED")
_PENDING = ("REQUEST_RECEIVED", "CREATING", "COMMITTED", "PROVISIONING", "ACTIVATING")
ITEM_COLUMNS = ["vol", "kind", "region", "state", "available", "data", "expires", "attempt", "row"]


def ns(series: pd.Series) -> np.ndarray:
    """Timestamps as int64 nanoseconds (NaT = NAT)."""
    return series.to_numpy(dtype="datetime64[ns]", na_value=np.datetime64("NaT")).view(np.int64)


def _lifecycle(states: pd.Series, *wanted: str) -> np.ndarray:
    return is_in(states, wanted)


def item_state(lifecycle: pd.Series, *, proven: np.ndarray, unknown: np.ndarray) -> np.ndarray:
    """Rule book §4 for one item per row: ``proven`` = AVAILABLE data within the RPO; ``unknown`` = a
    gap or a disagreement leaves the item undecided."""
    available = _lifecycle(lifecycle, "AVAILABLE")
    return np.select(
        [_lifecycle(lifecycle, *_GONE), unknown, available & proven, available, _lifecycle(lifecycle, *_PENDING),
         _lifecycle(lifecycle, "FAULTY")],
        [NONE, UNKNOWN, FRESH, STALE, IN_PROGRESS, FAILED], UNKNOWN).astype(np.int8)


def link_items(chains: Chains, volumes: pd.DataFrame, vol_region: np.ndarray, replicas: pd.DataFrame,
               group_replicas: pd.DataFrame, *, gaps: Gaps, vocabulary: list[str], ready: np.ndarray,
               aliases: dict[str, str], as_of: pd.Timestamp, cutoff: pd.Timestamp,
               accepted: frozenset[ProtectionKind], replica_leads: bool = True) -> pd.DataFrame:
    """Return the protection items of the assessed ``volumes`` (module docstring), sorted by
    (vol, kind, region, row). ``aliases`` maps the lower-case region names and keys an OCID's region
    segment may hold to region names. ``replica_leads``: replicas were collected, so a replica a volume
    names that no listing showed is a lead (False for a snapshot that predates replicas: rule book §9)."""
    parts = [
        _backup_copies(chains, volumes, gaps=gaps, vocabulary=vocabulary, ready=ready, aliases=aliases, cutoff=cutoff),
        _group_copies(chains, gaps=gaps, vocabulary=vocabulary, ready=ready, aliases=aliases, cutoff=cutoff),
        _replicas(replicas, group_replicas, volumes, vocabulary=vocabulary, as_of=as_of, cutoff=cutoff),
    ]
    parts = [p for p in parts if len(p)]
    items = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0] if parts else _no_items()
    items = items[items["vol"].to_numpy() >= 0]
    if replica_leads:
        leads = _replica_leads(volumes, vol_region, items, gaps=gaps, vocabulary=vocabulary)
        items = pd.concat([items, leads], ignore_index=True) if len(leads) else items
    home = vol_region[items["vol"].to_numpy()]
    wanted = np.array([ProtectionKind(k) in accepted for k in KINDS])
    items = items.assign(away=items["region"].to_numpy() != home, accepted=wanted[items["kind"].to_numpy()])
    return items.sort_values(["vol", "kind", "region", "row"], kind="stable").reset_index(drop=True)


def _backup_copies(chains: Chains, volumes: pd.DataFrame, *, gaps: Gaps, vocabulary: list[str], ready: np.ndarray,
                   aliases: dict[str, str], cutoff: pd.Timestamp) -> pd.DataFrame:
    """One item per boot backup copy, for the volume of its chain's root."""
    b, lin = chains.backups, chains.boot
    rows = np.flatnonzero(chains.role == COPY)
    root = lin.root[rows]
    resolved = root >= 0
    vol = np.where(resolved, chains.backup_volume[np.clip(root, 0, None)] if len(root) else -1,
                   chains.backup_volume[rows])
    volume_id = b["boot_volume_id"]
    own = volume_id.take(rows).reset_index(drop=True)
    of_root = volume_id.take(np.clip(root, 0, None)).reset_index(drop=True)
    disagree = (resolved & own.notna().to_numpy(bool) & (own != of_root).fillna(False).to_numpy(bool))
    created = ns(b["time_created"])
    data = np.where(resolved, created[np.clip(root, 0, None)] if len(root) else NAT, NAT)
    hidden = _hidden_by_gap(lin.broken[rows] == Break.ABSENT, lin.missing_id.take(rows).reset_index(drop=True),
                            [b["compartment_id"].take(rows).reset_index(drop=True),
                             _volume_column(volumes, vol, "compartment_id")],
                            gaps=gaps, vocabulary=vocabulary, ready=ready, aliases=aliases)
    lifecycle = b["lifecycle_state"].take(rows).reset_index(drop=True)
    state = item_state(lifecycle, proven=(data != NAT) & (data >= cutoff.value), unknown=disagree | hidden)
    return pd.DataFrame({
        "vol": vol, "kind": np.int8(BACKUP_COPY), "region": chains.backup_region[rows], "state": state,
        "available": _lifecycle(lifecycle, "AVAILABLE"), "data": data,
        "expires": ns(b["expiration_time"])[rows], "attempt": _attempt(b)[rows], "row": rows})


def _group_copies(chains: Chains, *, gaps: Gaps, vocabulary: list[str], ready: np.ndarray, aliases: dict[str, str],
                  cutoff: pd.Timestamp) -> pd.DataFrame:
    """One item per (group backup copy, volume its root group backup holds)."""
    g, lin = chains.groups, chains.group
    is_copy = lin.source != -1
    if not is_copy.any():
        return pd.DataFrame(columns=ITEM_COLUMNS)
    members = chains.members.assign(vol=chains.backup_volume[chains.members["backup"].to_numpy()])
    held = members.loc[members["vol"].to_numpy() >= 0, ["group", "vol"]].drop_duplicates()
    copies = pd.DataFrame({"row": np.flatnonzero(is_copy)})
    copies["root"] = lin.root[copies["row"].to_numpy()]
    resolved = copies["root"].to_numpy() >= 0
    # the volumes the ROOT holds; a broken chain falls back to the copy's own visible members
    copies["holder"] = np.where(resolved, copies["root"].to_numpy(), copies["row"].to_numpy())
    pairs = copies.merge(held.rename(columns={"group": "holder"}), on="holder")
    # consistency (research §2): when the copy's own members are visible, the one for the volume
    # must be there and AVAILABLE
    own = members.merge(pd.DataFrame({"group": copies["row"]}), on="group")
    own = own.assign(ok=_lifecycle(chains.backups["lifecycle_state"].take(own["backup"].to_numpy())
                                   .reset_index(drop=True), "AVAILABLE"))
    visible = np.isin(pairs["row"].to_numpy(), own["group"].to_numpy())
    member_ok = pairs.merge(own.groupby(["group", "vol"], as_index=False)["ok"].any()
                            .rename(columns={"group": "row"}), on=["row", "vol"], how="left")["ok"]
    unproven_member = visible & ~member_ok.fillna(False).to_numpy(bool)
    row = pairs["row"].to_numpy()
    root = pairs["root"].to_numpy()
    created = ns(g["time_created"])
    data = np.where(root >= 0, created[np.clip(root, 0, None)] if len(root) else NAT, NAT)
    hidden = _hidden_by_gap(lin.broken[row] == Break.ABSENT, lin.missing_id.take(row).reset_index(drop=True),
                            [g["compartment_id"].take(row).reset_index(drop=True)],
                            gaps=gaps, vocabulary=vocabulary, ready=ready, aliases=aliases)
    lifecycle = g["lifecycle_state"].take(row).reset_index(drop=True)
    state = item_state(lifecycle, proven=(data != NAT) & (data >= cutoff.value) & ~unproven_member, unknown=hidden)
    return pd.DataFrame({
        "vol": pairs["vol"].to_numpy(), "kind": np.int8(GROUP_COPY), "region": chains.group_region[row],
        "state": state, "available": _lifecycle(lifecycle, "AVAILABLE"), "data": data,
        "expires": ns(g["expiration_time"])[row], "attempt": _attempt(g)[row], "row": row})


def _replicas(replicas: pd.DataFrame, group_replicas: pd.DataFrame, volumes: pd.DataFrame, *,
              vocabulary: list[str], as_of: pd.Timestamp, cutoff: pd.Timestamp) -> pd.DataFrame:
    """One item per boot volume replica; data time = time_last_synced."""
    if replicas.empty:
        return pd.DataFrame(columns=ITEM_COLUMNS)
    synced = ns(replicas["time_last_synced"])
    group_id = replicas["volume_group_replica_id"].astype("string")
    group_pos = positions(group_id, group_replicas["replica_id"])
    group_available = _lifecycle(group_replicas["lifecycle_state"], "AVAILABLE")
    group_ok = group_id.isna().to_numpy(bool) | ((group_pos >= 0) & np.append(group_available, False)[group_pos])
    in_window = (synced != NAT) & (synced >= cutoff.value) & (synced <= as_of.value)
    lifecycle = replicas["lifecycle_state"].reset_index(drop=True)
    return pd.DataFrame({
        "vol": positions(replicas["boot_volume_id"], volumes["boot_volume_id"]), "kind": np.int8(REPLICA),
        "region": category_codes(replicas["region"], vocabulary),
        "state": item_state(lifecycle, proven=in_window & group_ok, unknown=np.zeros(len(replicas), dtype=bool)),
        "available": _lifecycle(lifecycle, "AVAILABLE"), "data": synced,
        "expires": np.full(len(replicas), NAT, dtype=np.int64), "attempt": ns(replicas["time_created"]),
        "row": np.arange(len(replicas))})


def _replica_leads(volumes: pd.DataFrame, vol_region: np.ndarray, items: pd.DataFrame, *, gaps: Gaps,
                   vocabulary: list[str]) -> pd.DataFrame:
    """An ``unknown`` replica per region a volume names a replica in (BootVolume.bootVolumeReplicas)
    whose replicas could not all be read, when no replica record of it was read there (rule book §6)."""
    named = volumes["replica_regions"].astype("string").fillna("").str.strip()
    sel = np.flatnonzero(named.ne("").to_numpy(bool))
    if not len(sel) or not gaps.any_region_gap().any():
        return pd.DataFrame(columns=ITEM_COLUMNS)
    leads = pd.DataFrame({"vol": sel, "region": named.take(sel).str.split(",").to_numpy()}).explode("region")
    leads["region"] = category_codes(leads["region"].astype("string").str.strip(), vocabulary)
    leads = leads[(leads["region"].to_numpy() >= 0) & (leads["region"].to_numpy() != vol_region[leads["vol"]])]
    leads = leads[gaps.any_region_gap()[leads["region"].to_numpy()]]
    read = items.loc[items["kind"].to_numpy() == REPLICA, ["vol", "region"]]
    leads = leads.merge(read.drop_duplicates(), on=["vol", "region"], how="left", indicator=True)
    leads = leads[leads["_merge"] == "left_only"]
    n = len(leads)
    return pd.DataFrame({
        "vol": leads["vol"].to_numpy(np.int64), "kind": np.int8(REPLICA), "region": leads["region"].to_numpy(np.int64),
        "state": np.full(n, UNKNOWN, dtype=np.int8), "available": np.zeros(n, dtype=bool),
        "data": np.full(n, NAT), "expires": np.full(n, NAT), "attempt": np.full(n, NAT), "row": np.full(n, -1)})


def _no_items() -> pd.DataFrame:
    empty = np.zeros(0, dtype=np.int64)
    return pd.DataFrame({"vol": empty, "kind": empty.astype(np.int8), "region": empty, "state": empty.astype(np.int8),
                         "available": empty.astype(bool), "data": empty, "expires": empty, "attempt": empty,
                         "row": empty})


def _attempt(frame: pd.DataFrame) -> np.ndarray:
    """When each record was requested: time_request_received, else time_created."""
    return ns(frame["time_request_received"].fillna(frame["time_created"]))


def _volume_column(volumes: pd.DataFrame, vol: np.ndarray, column: str) -> pd.Series:
    values = volumes[column].reset_index(drop=True)
    out = values.take(np.clip(vol, 0, None)).reset_index(drop=True) if len(values) else pd.Series(
        [pd.NA] * len(vol), dtype="string")
    return out.where(pd.Series(vol >= 0), pd.NA)


def _hidden_by_gap(absent: np.ndarray, missing_id: pd.Series, compartments: list[pd.Series], *, gaps: Gaps,
                   vocabulary: list[str], ready: np.ndarray, aliases: dict[str, str]) -> np.ndarray:
    """True where a chain broke at a missing record that a collection gap could hide (rule book §2):
    a gap in the record's region (the region segment of its OCID when it names a subscribed region,
    else any region), in the region as a whole or in a compartment where it would be."""
    out = np.zeros(len(absent), dtype=bool)
    rows = np.flatnonzero(absent)
    if not len(rows) or not gaps.any():
        return out
    segment = missing_id.take(rows).astype("string").str.extract(r"^[^.]*\.[^.]*\.[^.]*\.([^.]*)\.", expand=False)
    segment = segment.astype("string").fillna("").str.lower()
    code = category_codes(segment.map(aliases).astype("string"), vocabulary)
    code = np.where((code >= 0) & ready[np.clip(code, 0, None)], code, -1)  # -1: any region
    hit = np.where(code >= 0, gaps.whole_regions[np.clip(code, 0, None)], gaps.whole_regions.any())
    for compartment in compartments:
        hit |= gaps.compartment_gap(code, compartment.take(rows).reset_index(drop=True))
    out[rows] = hit
    return out

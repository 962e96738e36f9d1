"""Requirements (rule book §5): which destinations must hold a fresh item, per boot volume.

In this order (``requirement_source`` says which applied):

1. ``copy_targets``: the entry for the volume's home region (all its regions are required);
2. ``volume_policy``: the volume's own backup policy has a ``destination_region``;
3. ``group_policy``: the policies of the volume groups it is a member of name destinations (all
   of them are required);
4. ``any``: any other subscribed READY region will do (destination code ANY).

A volume whose own or group's policy could not be read (and no copy_targets entry applies) has an
unknown requirement (``policy_unknown``): a verdict that depends on where the items are is a guess.
So has a volume without copy_targets or its own policy's destination that a volume group we could
not see may hold (``groups_unread``, :func:`reportkit.assessment.gaps.group_listing_gaps`): that
group's policy may require a destination.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from reportkit.assessment._lookup import category_codes, is_in, join_by_group, positions, take
from reportkit.schema import RequirementSource

ANY = -1  # destination code: any other subscribed READY region
SOURCES = [s.value for s in RequirementSource]


@dataclass(frozen=True)
class Requirements:
    """The (volume, destination) pairs and, per volume, where they came from."""

    pairs: pd.DataFrame       # vol, dest (region code, or ANY); sorted, unique
    per_volume: pd.DataFrame  # one row per volume: source (index into SOURCES), policy_id, policy_name,
    #                           policy_destination_region, volume_group_id, copies_scheduled, policy_unknown


def _policy_of(assets: pd.Series, assignments: pd.DataFrame, policies: pd.DataFrame) -> pd.DataFrame:
    """Return policy_id, policy_name, destination_region per asset (aligned with ``assets``): its most
    recent assignment wins (ties: the policy OCID, so row order never decides)."""
    if assignments.empty or not len(assets):
        na = pd.array([pd.NA] * len(assets), dtype="string")
        return pd.DataFrame({"policy_id": na, "policy_name": na, "destination_region": na})
    latest = assignments
    if assignments["asset_id"].duplicated().any():  # OCI allows one per asset; a snapshot may still hold two
        ordered = assignments.sort_values(["asset_id", "time_created", "policy_id"], kind="stable",
                                          na_position="first")
        latest = ordered.drop_duplicates("asset_id", keep="last")
    policy_id = take(latest["policy_id"].astype("string").array, positions(assets, latest["asset_id"]))
    table = policies.drop_duplicates("policy_id")
    at_policy = positions(policy_id, table["policy_id"])
    dest = take(table["destination_region"].astype("string").array, at_policy).str.strip()
    return pd.DataFrame({"policy_id": policy_id.array,
                         "policy_name": take(table["display_name"].astype("string").array, at_policy).array,
                         "destination_region": dest.where(dest.ne(""), pd.NA).array})


def _memberships(ids: pd.Series, groups: pd.DataFrame, group_members: pd.DataFrame, assignments: pd.DataFrame,
                 policies: pd.DataFrame, unreadable: set[str]) -> pd.DataFrame:
    """Return vol, volume_group_id, destination (of the group's policy), unreadable (its policy) per
    membership of an assessed volume in a volume group that is not TERMINATED, sorted by (vol, group)."""
    if group_members.empty:
        return pd.DataFrame({"vol": np.zeros(0, np.int64), "volume_group_id": pd.array([], dtype="string"),
                             "destination": pd.array([], dtype="string"), "unreadable": np.zeros(0, bool)})
    gone = groups.loc[is_in(groups["lifecycle_state"], ["TERMINATED"]), "volume_group_id"]
    member = group_members.loc[~group_members["volume_group_id"].isin(gone).to_numpy(bool),
                               ["volume_id", "volume_group_id"]].astype("string").dropna().drop_duplicates()
    member = member.assign(vol=positions(member["volume_id"], ids))
    member = member[member["vol"].to_numpy() >= 0].sort_values(["vol", "volume_group_id"], kind="stable")
    return pd.DataFrame({
        "vol": member["vol"].to_numpy(np.int64), "volume_group_id": member["volume_group_id"].array,
        "destination": _policy_of(member["volume_group_id"], assignments, policies)["destination_region"].array,
        "unreadable": member["volume_group_id"].isin(sorted(unreadable)).to_numpy(bool)})


def find_requirements(volumes: pd.DataFrame, vol_region: np.ndarray, *, targets: dict[str, tuple[str, ...]],
                      vocabulary: list[str], assignments: pd.DataFrame, policies: pd.DataFrame,
                      groups: pd.DataFrame, group_members: pd.DataFrame, unreadable: set[str],
                      groups_unread: np.ndarray | None = None) -> Requirements:
    """Return the :class:`Requirements` of ``volumes`` (sorted, unique; ``vol_region`` their region
    codes). ``groups`` / ``group_members`` are the inventory's volume groups and their members;
    ``unreadable`` the assets whose policy could not be read; ``groups_unread`` a bool per volume:
    a volume group that may hold it could not be seen."""
    m = len(volumes)
    ids = volumes["boot_volume_id"].astype("string").reset_index(drop=True)
    own = _policy_of(ids, assignments, policies)
    member = _memberships(ids, groups, group_members, assignments, policies, unreadable)
    group_ids = join_by_group(member["vol"].to_numpy(), member["volume_group_id"], m)
    group_dest = member["destination"].notna().to_numpy(bool)

    targeted = is_in(volumes["region"], list(targets))
    own_dest = own["destination_region"]
    by_volume = own_dest.notna().to_numpy(bool)
    by_group = np.zeros(m, dtype=bool)
    by_group[member["vol"].to_numpy(np.int64)[group_dest]] = True
    source = np.select([targeted, by_volume, by_group], [SOURCES.index(RequirementSource.COPY_TARGETS.value),
                                                        SOURCES.index(RequirementSource.VOLUME_POLICY.value),
                                                        SOURCES.index(RequirementSource.GROUP_POLICY.value)],
                       SOURCES.index(RequirementSource.ANY.value)).astype(np.int8)

    # (volume, destination) pairs of each rule, as integer codes
    vol_parts = [np.flatnonzero(by_volume & ~targeted)]
    dest_parts = [category_codes(own_dest[by_volume & ~targeted], vocabulary)]
    for home, dests in targets.items():
        at_home = np.flatnonzero(targeted & (vol_region == vocabulary.index(home)))
        for dest in dests:
            vol_parts.append(at_home)
            dest_parts.append(np.full(len(at_home), vocabulary.index(dest)))
    from_group = group_dest & ~(targeted | by_volume)[member["vol"].to_numpy(np.int64)]
    vol_parts.append(member["vol"].to_numpy(np.int64)[from_group])
    dest_parts.append(category_codes(member["destination"][from_group], vocabulary))
    rest = np.flatnonzero(~(targeted | by_volume | by_group))
    vol_parts.append(rest)
    dest_parts.append(np.full(len(rest), ANY))
    vol, dest = np.concatenate(vol_parts).astype(np.int64), np.concatenate(dest_parts).astype(np.int64)
    keep = np.unique(vol * (len(vocabulary) + 1) + dest + 1, return_index=True)[1]  # unique, sorted by (vol, dest)
    pairs = pd.DataFrame({"vol": vol[keep], "dest": dest[keep]})

    group_unreadable = np.zeros(m, dtype=bool)
    group_unreadable[member["vol"].to_numpy(np.int64)[member["unreadable"].to_numpy(bool)]] = True
    per_volume = pd.DataFrame({
        "source": source,
        "policy_id": own["policy_id"].array,
        "policy_name": own["policy_name"].array,
        "policy_destination_region": own_dest.array,
        "volume_group_id": group_ids.array,
        "copies_scheduled": by_volume | by_group,
        "policy_unknown": (ids.isin(sorted(unreadable)).fillna(False).to_numpy(bool) | group_unreadable
                           | (_unread(groups_unread, m) & ~by_volume)) & ~targeted,
    })
    return Requirements(pairs=pairs, per_volume=per_volume)


def _unread(groups_unread: np.ndarray | None, m: int) -> np.ndarray:
    return np.zeros(m, dtype=bool) if groups_unread is None else np.asarray(groups_unread, dtype=bool)

"""The protection items of an assessment as a declared table (schema.PROTECTION_ITEMS): one row per
(item, boot volume it protects), with OCIDs and names instead of the rule steps' integer codes."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from reportkit.assessment._lookup import take, text_at, utc_times
from reportkit.assessment.lineage import Chains
from reportkit.assessment.volumes.link import BACKUP_COPY, GROUP_COPY, KINDS, REPLICA, STATES
from reportkit.schema import PROTECTION_ITEMS


def items_table(items: pd.DataFrame, volumes: pd.DataFrame, chains: Chains, replicas: pd.DataFrame,
                vocabulary: list[str]) -> pd.DataFrame:
    """Return schema.PROTECTION_ITEMS for the items of :func:`~reportkit.assessment.volumes.link.link_items`."""
    kind = items["kind"].to_numpy()
    row = items["row"].to_numpy()
    sources = {BACKUP_COPY: (chains.backups, "backup_id"), GROUP_COPY: (chains.groups, "volume_group_backup_id"),
               REPLICA: (replicas.reset_index(drop=True), "replica_id")}
    columns = ("item_id", "compartment_id", "lifecycle_state")
    pieces: dict[str, list[pa.Array]] = {c: [] for c in columns}
    placed = []
    for code, (frame, id_column) in sources.items():
        sel = np.flatnonzero((kind == code) & (row >= 0))
        if not len(sel):
            continue
        for column, source in zip(columns, (id_column, "compartment_id", "lifecycle_state"), strict=True):
            pieces[column].append(text_at(frame[source], row[sel]))
        placed.append(sel)
    leads = np.flatnonzero(row < 0)  # replicas a volume names in a region that could not be read
    for column in columns:
        pieces[column].append(pa.nulls(len(leads), type=pa.large_string()))
    where = np.empty(len(items), dtype=np.int64)
    where[np.concatenate([*placed, leads])] = np.arange(len(items))
    text = {c: pd.Series(pd.array(pa.concat_arrays(pieces[c]).take(pa.array(where)), dtype="string"))
            for c in columns}
    vol = items["vol"].to_numpy()
    out = pd.DataFrame({
        "boot_volume_id": take(volumes["boot_volume_id"].array, vol).array,
        "home_region": take(volumes["region"].array, vol).array,
        "kind": pd.Categorical.from_codes(kind, categories=KINDS),
        "item_id": text["item_id"].array,
        "region": pd.Categorical.from_codes(items["region"].to_numpy(), categories=vocabulary),
        "compartment_id": text["compartment_id"].array,
        "lifecycle_state": text["lifecycle_state"].array,
        "state": pd.Categorical.from_codes(items["state"].to_numpy(), categories=STATES),
        "data_time": _ts(items["data"].to_numpy()),
        "expires_at": _ts(items["expires"].to_numpy()),
        "away": pd.arrays.BooleanArray(items["away"].to_numpy(bool), np.zeros(len(items), dtype=bool)),
        "accepted": pd.arrays.BooleanArray(items["accepted"].to_numpy(bool), np.zeros(len(items), dtype=bool)),
    })
    return PROTECTION_ITEMS.coerce(out)


def _ts(values: np.ndarray) -> pd.Series:
    return utc_times(values)

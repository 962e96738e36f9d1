"""AssessContext: one assessment's validated parameters and the lookups every rule step shares."""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from reportkit.assessment._lookup import _arrow
from reportkit.assessment.existence import at_as_of, oldest_data_time
from reportkit.assessment.gaps import Gaps, find_gaps, subscribing_regions
from reportkit.assessment.images import validate_image_overrides
from reportkit.assessment.params import (
    check_as_of_bounds,
    parse_accept,
    resolve_as_of,
    resolve_copy_targets,
    validate_rpo_days,
)
from reportkit.errors import InputError
from reportkit.inventory import Inventory
from reportkit.schema import ACCEPTED_KIND, ProtectionKind

MAX_REGIONS = 64  # region sets are bit masks in a uint64


@dataclass(frozen=True)
class AssessContext:
    """Everything a rule step needs besides the frame it works on; built once by :func:`build_context`.

    - ``inventory``: what was collected, restricted to the records that existed at ``as_of``
      (rule book §1; its tables are read, never changed);
    - ``rpo_days``, ``as_of``: an item is fresh when its data is at most ``rpo_days`` older than
      ``as_of`` (UTC);
    - ``targets``: validated copy_targets, source region -> destination regions (names);
    - ``accept``: the protection kinds that may make a destination fresh (rule book §0);
    - ``overrides``: validated image overrides (image_id, image_class, note), or None;
    - ``vocabulary``: every region the assessment may mention, sorted; a region's *code* is its
      index here (region sets are bit masks over it);
    - ``ready``: a bool per region code: subscribed and READY, the candidates for "any other region";
    - ``subscribing``: a bool per region code: subscription still IN_PROGRESS (holds nothing, never a gap);
    - ``gaps``: the regions and compartments that could not be read.
    """

    inventory: Inventory
    rpo_days: int
    as_of: pd.Timestamp
    targets: dict[str, tuple[str, ...]]
    accept: frozenset[ProtectionKind]
    overrides: pd.DataFrame | None
    vocabulary: list[str]
    ready: np.ndarray
    subscribing: np.ndarray
    gaps: Gaps

    @property
    def cutoff(self) -> pd.Timestamp:
        """Data older than this is stale: ``as_of - rpo_days``."""
        return self.as_of - pd.Timedelta(days=self.rpo_days)

    def paths(self, compartment_id: pd.Series) -> pd.Series:
        """The compartment path of each row (the OCID when the compartment is not in the inventory);
        :func:`reportkit.compartments.paths_for` with the lookup built once per assessment."""
        keys, words = self._path_lookup
        ids = _arrow(compartment_id)
        found = pc.index_in(ids, value_set=keys)
        text = pc.if_else(pc.is_valid(found), words.take(found.fill_null(0)) if len(words) else ids, ids)
        return pd.Series(pd.array(text, dtype="string"))

    @cached_property
    def _path_lookup(self) -> tuple[pa.Array, pa.Array]:
        """(compartment OCIDs, their paths) as Arrow text; the first row of an OCID listed twice wins."""
        table = self.inventory.compartments.drop_duplicates("compartment_id")
        table = table[table["compartment_id"].notna().to_numpy(bool) & table["path"].notna().to_numpy(bool)]
        return _arrow(table["compartment_id"]), _arrow(table["path"])

    def parameters(self) -> dict[str, object]:
        """The parameters recorded with the assessment (JSON-ready)."""
        return {
            "rpo_days": self.rpo_days,
            "as_of": self.as_of.isoformat(),
            "copy_targets": {k: list(v) for k, v in self.targets.items()},
            "accept": sorted(a.value for a, kind in ACCEPTED_KIND.items() if kind in self.accept),
            "image_overrides": 0 if self.overrides is None else len(self.overrides),
        }


def build_context(inventory: Inventory, *, rpo_days: object = 7, as_of: pd.Timestamp | str | None = None,
                  copy_targets: Mapping[str, str | Sequence[str]] | None = None,
                  accept: Iterable[str] | str | None = None,
                  image_overrides: pd.DataFrame | None = None) -> AssessContext:
    """Return the :class:`AssessContext` of ``inventory`` with these parameters; raise InputError for
    invalid ones (see :func:`reportkit.assessment.assess`)."""
    if not isinstance(inventory, Inventory):
        raise InputError(f"assess() needs an Inventory (from collect or load_snapshot), got {type(inventory).__name__}")
    rpo = validate_rpo_days(rpo_days)
    when = resolve_as_of(as_of, inventory.metadata)
    check_as_of_bounds(when, oldest_data_time(inventory), inventory.metadata.finished_at)
    kinds = parse_accept(accept)
    targets = resolve_copy_targets(copy_targets, inventory.regions)
    overrides = validate_image_overrides(image_overrides) if image_overrides is not None else None
    existing = at_as_of(inventory, when)
    vocabulary = region_vocabulary(existing, targets)
    regions = existing.regions
    names = np.array(vocabulary, dtype=object)
    status = regions["status"].astype("string").fillna("READY").str.strip().str.upper()
    ready = np.isin(names, regions.loc[status.eq("READY").to_numpy(bool), "region"].astype("string").dropna()
                    .to_numpy(object))
    subscribing = np.isin(names, sorted(subscribing_regions(regions)))
    gaps = find_gaps(existing.errors, regions, vocabulary)
    return AssessContext(inventory=existing, rpo_days=rpo, as_of=when, targets=targets, accept=kinds,
                         overrides=overrides, vocabulary=vocabulary, ready=ready, subscribing=subscribing, gaps=gaps)


def region_vocabulary(inventory: Inventory, targets: Mapping[str, tuple[str, ...]]) -> list[str]:
    """Every region the assessment may mention, sorted: subscribed, holding data, or a destination."""
    def distinct(series: pd.Series) -> list[str]:
        # categories first: a million-row region column has a handful of distinct values
        values = series.cat.categories if isinstance(series.dtype, pd.CategoricalDtype) else series.unique()
        return [str(v).strip() for v in values if not pd.isna(v)]

    names = [*distinct(inventory.regions["region"]), *distinct(inventory.backups["region"]),
             *distinct(inventory.boot_volumes["region"]), *distinct(inventory.backup_policies["destination_region"]),
             *distinct(inventory.volume_group_backups["region"]), *distinct(inventory.boot_volume_replicas["region"]),
             *(r for pair in targets.items() for r in (pair[0], *pair[1]))]
    vocabulary = sorted({name for name in names if name})
    if len(vocabulary) > MAX_REGIONS:
        raise InputError(f"the inventory mentions {len(vocabulary)} regions; assess supports at most {MAX_REGIONS}")
    return vocabulary

"""AssessContext: one assessment's validated parameters and the lookups every rule step shares."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from reportkit.assessment.gaps import Gaps, find_gaps
from reportkit.assessment.images import validate_image_overrides
from reportkit.assessment.params import resolve_as_of, resolve_copy_targets, validate_rpo_days
from reportkit.compartments import paths_for
from reportkit.errors import InputError
from reportkit.inventory import Inventory

MAX_REGIONS = 64  # region sets are bit masks in a uint64


@dataclass(frozen=True)
class AssessContext:
    """Everything a rule step needs besides the frame it works on; built once by :func:`build_context`.

    - ``inventory``: what was collected (its tables are read, never changed);
    - ``rpo_days``, ``as_of``: a copy is fresh when its source backup is at most ``rpo_days``
      older than ``as_of`` (UTC);
    - ``targets``: validated copy_targets, source region -> destination regions (names);
    - ``overrides``: validated image overrides (image_id, image_class, note), or None;
    - ``vocabulary``: every region the assessment may mention, sorted; a region's *code* is its
      index here (region sets are bit masks over it);
    - ``subscribed``: a bool per region code, the candidates for "any other region";
    - ``gaps``: the regions and compartments that could not be read.
    """

    inventory: Inventory
    rpo_days: int
    as_of: pd.Timestamp
    targets: dict[str, tuple[str, ...]]
    overrides: pd.DataFrame | None
    vocabulary: list[str]
    subscribed: np.ndarray
    gaps: Gaps

    def paths(self, compartment_id: pd.Series) -> pd.Series:
        """The compartment path of each row (the OCID when the compartment is not in the inventory)."""
        return paths_for(compartment_id, self.inventory.compartments)

    def parameters(self) -> dict[str, object]:
        """The parameters recorded with the assessment (JSON-ready)."""
        return {
            "rpo_days": self.rpo_days,
            "as_of": self.as_of.isoformat(),
            "copy_targets": {k: list(v) for k, v in self.targets.items()},
            "image_overrides": 0 if self.overrides is None else len(self.overrides),
        }


def build_context(inventory: Inventory, *, rpo_days: object = 7, as_of: pd.Timestamp | str | None = None,
                  copy_targets: Mapping[str, str | Sequence[str]] | None = None,
                  image_overrides: pd.DataFrame | None = None) -> AssessContext:
    """Return the :class:`AssessContext` of ``inventory`` with these parameters; raise InputError for
    invalid ones (see :func:`reportkit.assessment.assess`)."""
    if not isinstance(inventory, Inventory):
        raise InputError(f"assess() needs an Inventory (from collect or load_snapshot), got {type(inventory).__name__}")
    rpo = validate_rpo_days(rpo_days)
    when = resolve_as_of(as_of, inventory.metadata)
    targets = resolve_copy_targets(copy_targets, inventory.regions)
    overrides = validate_image_overrides(image_overrides) if image_overrides is not None else None
    vocabulary = region_vocabulary(inventory, targets)
    subscribed = np.isin(np.array(vocabulary, dtype=object),
                         inventory.regions["region"].astype("string").dropna().to_numpy(object))
    gaps = find_gaps(inventory.errors, inventory.regions, vocabulary)
    return AssessContext(inventory=inventory, rpo_days=rpo, as_of=when, targets=targets, overrides=overrides,
                         vocabulary=vocabulary, subscribed=subscribed, gaps=gaps)


def region_vocabulary(inventory: Inventory, targets: Mapping[str, tuple[str, ...]]) -> list[str]:
    """Every region the assessment may mention, sorted: subscribed, holding data, or a destination."""
    def distinct(series: pd.Series) -> list[str]:
        # categories first: a million-row region column has a handful of distinct values
        values = series.cat.categories if isinstance(series.dtype, pd.CategoricalDtype) else series.unique()
        return [str(v).strip() for v in values if not pd.isna(v)]

    names = [*distinct(inventory.regions["region"]), *distinct(inventory.backups["region"]),
             *distinct(inventory.boot_volumes["region"]), *distinct(inventory.backup_policies["destination_region"]),
             *(r for pair in targets.items() for r in (pair[0], *pair[1]))]
    vocabulary = sorted({name for name in names if name})
    if len(vocabulary) > MAX_REGIONS:
        raise InputError(f"the inventory mentions {len(vocabulary)} regions; assess supports at most {MAX_REGIONS}")
    return vocabulary

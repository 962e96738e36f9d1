"""The demo spec: the packaged TOML (regions, compartments, policies, scenarios) and what each scenario must show."""
from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from reportkit.errors import InputError

DEFAULT_SEED = 20261101
DEFAULT_AS_OF = "2026-11-01T00:00:00Z"
DEFAULT_RPO_DAYS = 7
SCHEMA_VERSION = 1

#: package data of reportkit.sim (the TOML is data, shared by the generator and the benchmark tenancy)
SPEC_PATH = Path(__file__).resolve().parent.parent / "data" / "demo_tenancy.toml"

NOT_VISIBLE = "not_visible"
#: image kinds whose backups OCI refuses to copy across regions (ImageClass values)
INELIGIBLE_KINDS = ("marketplace", "custom_from_marketplace", "community", "custom_imported")

# What each scenario must show at the generator's end time under the default assessment.
SCENARIO_STATUS: dict[str, str] = {
    "policy_copy": "covered",
    "policy_copy_kms_downgrade": "covered",
    "policy_copy_dest_key": "covered",
    "manual_copy": "covered",
    "copy_in_progress": "in_progress",
    "manual_copy_stopped": "stale",
    "late_copy_of_old_backup": "stale",
    "copy_failed": "failed",
    "no_copy_policy": "missing",
    "no_backup": "no_backup",
    "no_backup_faulty": "no_backup",
    "no_backup_terminated": "no_backup",
    "provisioning": "no_backup",
    "ineligible_marketplace": "ineligible",
    "ineligible_custom_from_marketplace": "ineligible",
    "ineligible_community": "ineligible",
    "ineligible_imported": "ineligible",
    "deleted_image_no_copy": "unknown",
    "deleted_image_fresh_copy": "covered",
    "replica_only": "missing",
    "replica_and_copy": "covered",
    "orphan_copy": "stale",
    "copy_in_wrong_region": "missing",
    "copy_terminated": "missing",
    "denied_compartment": NOT_VISIBLE,
}


def load_spec(path: Path | str | None = None) -> dict[str, Any]:
    """Return the declarative demo spec (the packaged TOML unless ``path`` names another file)."""
    spec_path = Path(path) if path is not None else SPEC_PATH
    try:
        with spec_path.open("rb") as fh:
            spec = tomllib.load(fh)
    except FileNotFoundError as exc:
        raise InputError(f"demo spec {spec_path} does not exist; pass spec=None to use the packaged one") from exc
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"demo spec {spec_path} is not valid TOML: {exc}; fix the file") from exc
    for key in ("tenancy", "regions", "compartments", "scenarios", "images", "oracle_policies"):
        if key not in spec:
            raise InputError(f"demo spec {spec_path} has no [{key}] section; see the packaged demo_tenancy.toml")
    unknown = sorted(set(spec["scenarios"]) - set(SCENARIO_STATUS))
    if unknown:
        raise InputError(f"demo spec {spec_path}: unknown scenarios {unknown}; known: {sorted(SCENARIO_STATUS)}")
    return spec



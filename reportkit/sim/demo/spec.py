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

# What each scenario must show at the generator's end time under the default assessment (the rule book
# of issue 13: every kind of protection accepted, rpo_days=7).
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
    "replica_only": "covered",  # a healthy cross-region replica protects (was "missing" before issue 13)
    "replica_and_copy": "covered",
    "orphan_copy": "stale",
    "copy_in_wrong_region": "missing",
    "copy_terminated": "missing",
    "denied_compartment": NOT_VISIBLE,
    # volume groups
    "group_copy": "covered",  # the group's policy copies its scheduled group backups: members covered
    "group_copy_stopped": "stale",  # hand-made group copies stopped weeks ago
    "group_joined_late": "missing",  # joined the group after its last group backup: no copy holds it
    "group_replica": "covered",  # a volume group replica in another region
    # replicas
    "replica_cross_ad": "missing",  # another AD of the same region: never regional protection
    "replica_faulty": "failed",
    "replica_lagging": "stale",  # AVAILABLE, last synced before as_of - RPO
    "ineligible_with_replica": "covered",  # a Marketplace image cannot be copied, but it is replicated
    # copy chains
    "chain_fresh": "covered",  # a recent backup copied on twice (e.g. iad -> fra -> lhr)
    "chain_old_backup": "stale",  # an old backup copied recently, then copied on: data as old as the root
    "chain_back_home": "missing",  # copied away and back home; the copy away was deleted
    "chain_terminated_middle": "covered",  # the middle copy was deleted: the chain still resolves
    # where things live
    "moved_copy": "covered",  # copies moved to another compartment of the destination
    "policy_to_subscribing_region": "missing",  # the policy's destination is still being subscribed
    "inactive_compartment": "covered",
    "deleting_compartment": "missing",
    "copy_expiring": "covered",  # covered by copies that expire within days
    "retention_locked_copy": "covered",
}

#: scenario options the generator understands (spec table [scenario_options.<scenario>])
SCENARIO_OPTIONS = ("group_size", "group_policy", "block_volumes", "joins", "route", "move_to", "compartment",
                    "policy", "lock_days")


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
    _check_options(spec, spec_path)
    return spec


def _check_options(spec: dict[str, Any], spec_path: Path) -> None:
    """Every [scenario_options] entry names a known scenario, option, region, compartment and policy."""
    regions = {r["name"] for r in spec["regions"]}
    paths = {c["path"] for c in spec["compartments"]}
    policies = set(spec.get("user_policies", {}))
    for scenario, options in spec.get("scenario_options", {}).items():
        where = f"demo spec {spec_path}: [scenario_options.{scenario}]"
        if scenario not in SCENARIO_STATUS:
            raise InputError(f"{where} names an unknown scenario; known: {sorted(SCENARIO_STATUS)}")
        bad = sorted(set(options) - set(SCENARIO_OPTIONS))
        if bad:
            raise InputError(f"{where}: unknown options {bad}; known: {list(SCENARIO_OPTIONS)}")
        problems = [f"route region {r!r} is not in [[regions]]" for r in options.get("route", []) if r not in regions]
        problems += [f"{key} {options[key]!r} is not a compartment path" for key in ("compartment", "move_to")
                     if key in options and options[key] not in paths]
        problems += [f"{key} {options[key]!r} is not a [user_policies] key" for key in ("policy", "group_policy")
                     if key in options and options[key] not in policies]
        joins = options.get("joins")
        if joins is not None and "group_size" not in spec.get("scenario_options", {}).get(joins, {}):
            problems.append(f"joins {joins!r} is not a scenario with group_size")
        if problems:
            raise InputError(f"{where}: {problems[0]}")



"""Which permissions a verb grants on a resource type, for the boot volume backup copy question.

Sources (see docs/iam.md and the facts document):
- verbs are cumulative, inspect < read < use < manage (Oracle policy reference, "Verbs");
- ``boot-volume-backups`` and ``volume-backups`` per-verb permissions (Core Services policy
  reference, "Details for Verb + Resource-Type Combinations");
- ``volume-family`` is the union of its members **minus** BOOT_VOLUME_BACKUP_COPY and
  VOLUME_BACKUP_COPY ("Copying a Boot Volume Backup Between Regions" and "Common Policies" say the
  family does not include the copy permission, overriding the general "equivalent to" sentence);
- ``all-resources`` is taken to include every permission, COPY included. That is **not documented**
  and is reported as an uncertainty by the evaluator (:data:`UNCERTAIN_RESOURCE_TYPES`).

Only the permissions that matter here are modelled. Any other resource type grants none of them.
"""
from __future__ import annotations

VERBS: tuple[str, ...] = ("inspect", "read", "use", "manage")

BOOT_VOLUME_BACKUP_INSPECT = "BOOT_VOLUME_BACKUP_INSPECT"
BOOT_VOLUME_BACKUP_READ = "BOOT_VOLUME_BACKUP_READ"
BOOT_VOLUME_BACKUP_UPDATE = "BOOT_VOLUME_BACKUP_UPDATE"
BOOT_VOLUME_BACKUP_COPY = "BOOT_VOLUME_BACKUP_COPY"
BOOT_VOLUME_BACKUP_CREATE = "BOOT_VOLUME_BACKUP_CREATE"
BOOT_VOLUME_BACKUP_DELETE = "BOOT_VOLUME_BACKUP_DELETE"
BOOT_VOLUME_BACKUP_MOVE = "BOOT_VOLUME_BACKUP_MOVE"

# What copying needs, in which region (the copy page's "Restricting Access").
COPY_SOURCE_PERMISSIONS: tuple[str, ...] = (BOOT_VOLUME_BACKUP_READ, BOOT_VOLUME_BACKUP_COPY)
COPY_DESTINATION_PERMISSIONS: tuple[str, ...] = (BOOT_VOLUME_BACKUP_CREATE,)


def _cumulative(increments: dict[str, tuple[str, ...]]) -> dict[str, frozenset[str]]:
    """Turn each verb's increment into the cumulative set (manage includes use, read, inspect)."""
    out: dict[str, frozenset[str]] = {}
    acc: set[str] = set()
    for verb in VERBS:
        acc |= set(increments.get(verb, ()))
        out[verb] = frozenset(acc)
    return out


BOOT_VOLUME_BACKUPS = _cumulative({
    "inspect": (BOOT_VOLUME_BACKUP_INSPECT,),
    "read": (BOOT_VOLUME_BACKUP_READ,),
    "use": (BOOT_VOLUME_BACKUP_UPDATE, BOOT_VOLUME_BACKUP_COPY),
    "manage": (BOOT_VOLUME_BACKUP_CREATE, BOOT_VOLUME_BACKUP_DELETE, BOOT_VOLUME_BACKUP_MOVE),
})

VOLUME_BACKUPS = _cumulative({
    "inspect": ("VOLUME_BACKUP_INSPECT",),
    "read": ("VOLUME_BACKUP_READ",),
    "use": ("VOLUME_BACKUP_UPDATE", "VOLUME_BACKUP_COPY"),
    "manage": ("VOLUME_BACKUP_CREATE", "VOLUME_BACKUP_DELETE", "VOLUME_BACKUP_MOVE"),
})

# The copy permissions volume-family leaves out (copy page + common policies).
VOLUME_FAMILY_EXCLUDED: frozenset[str] = frozenset({BOOT_VOLUME_BACKUP_COPY, "VOLUME_BACKUP_COPY"})

VOLUME_FAMILY = {verb: (BOOT_VOLUME_BACKUPS[verb] | VOLUME_BACKUPS[verb]) - VOLUME_FAMILY_EXCLUDED
                 for verb in VERBS}

ALL_RESOURCES = {verb: BOOT_VOLUME_BACKUPS[verb] | VOLUME_BACKUPS[verb] for verb in VERBS}

RESOURCE_TYPES: dict[str, dict[str, frozenset[str]]] = {
    "boot-volume-backups": BOOT_VOLUME_BACKUPS,
    "volume-backups": VOLUME_BACKUPS,
    "volume-family": VOLUME_FAMILY,
    "all-resources": ALL_RESOURCES,
}

# (resource type, permission) pairs whose inclusion is an assumption, not a documented fact.
UNCERTAIN_GRANTS: frozenset[tuple[str, str]] = frozenset({
    ("all-resources", BOOT_VOLUME_BACKUP_COPY),
    ("all-resources", "VOLUME_BACKUP_COPY"),
})


def permissions_for(verb: str, resource_type: str) -> frozenset[str]:
    """Return the modelled permissions ``verb resource_type`` grants (empty for other types).

    Both arguments are matched case-insensitively; an unknown verb grants nothing.
    """
    table = RESOURCE_TYPES.get(resource_type.lower())
    if table is None:
        return frozenset()
    return table.get(verb.lower(), frozenset())


def is_uncertain_grant(resource_type: str | None, permission: str) -> bool:
    """True when ``resource_type`` is only *assumed* to include ``permission`` (all-resources + COPY)."""
    return resource_type is not None and (resource_type.lower(), permission) in UNCERTAIN_GRANTS

"""Which permissions a verb grants on a resource type: boot volume backup copies and Vault keys.

Sources (see docs/iam.md and the facts document):
- verbs are cumulative, inspect < read < use < manage (Oracle policy reference, "Verbs");
- ``boot-volume-backups`` and ``volume-backups`` per-verb permissions (Core Services policy
  reference, "Details for Verb + Resource-Type Combinations");
- ``volume-family`` is the union of its members **minus** BOOT_VOLUME_BACKUP_COPY and
  VOLUME_BACKUP_COPY ("Copying a Boot Volume Backup Between Regions" and "Common Policies" say the
  family does not include the copy permission, overriding the general "equivalent to" sentence);
- ``all-resources`` is taken to include every permission, COPY included. That is **not documented**
  for COPY and is reported as an uncertainty by the evaluator (:data:`UNCERTAIN_GRANTS`);
- ``vaults``, ``keys`` and ``key-delegate`` per-verb permissions ("Details for the Vault Service",
  https://docs.oracle.com/iaas/Content/Identity/Reference/keypolicyreference.htm): ``use keys`` adds
  KEY_ENCRYPT and KEY_DECRYPT, the cryptographic operations a service needs on a key;
- ``key-family`` (vaults + keys + key-delegate) appears only on an older, translated copy of that
  page: modelled, and every grant through it is reported as an assumption.

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

KEY_READ = "KEY_READ"
KEY_ENCRYPT = "KEY_ENCRYPT"
KEY_DECRYPT = "KEY_DECRYPT"
# What a service needs to "perform cryptographic operations" with a key (the copy page), which is
# what Oracle's sample grants with `use keys` (Common Policies, "services-use-key").
KEY_CRYPTO_PERMISSIONS: tuple[str, ...] = (KEY_ENCRYPT, KEY_DECRYPT)

VAULTS = _cumulative({
    "inspect": ("VAULT_INSPECT",),
    "read": ("VAULT_READ",),
    "use": ("VAULT_CREATE_KEY", "VAULT_IMPORT_KEY", "VAULT_CREATE_SECRET"),
    "manage": ("VAULT_CREATE", "VAULT_UPDATE", "VAULT_DELETE", "VAULT_MOVE", "VAULT_BACKUP", "VAULT_RESTORE",
               "VAULT_REPLICATE"),
})

KEYS = _cumulative({
    "inspect": ("KEY_INSPECT",),
    "read": (KEY_READ,),
    "use": (KEY_ENCRYPT, KEY_DECRYPT, "KEY_EXPORT", "KEY_SIGN", "KEY_VERIFY"),
    "manage": ("KEY_CREATE", "KEY_UPDATE", "KEY_ROTATE", "KEY_DELETE", "KEY_MOVE", "KEY_IMPORT", "KEY_BACKUP",
               "KEY_RESTORE"),
})

# key-delegate has only a `use` row (KEY_ASSOCIATE, KEY_DISASSOCIATE); manage includes use.
KEY_DELEGATE = _cumulative({"use": ("KEY_ASSOCIATE", "KEY_DISASSOCIATE")})

KEY_FAMILY = {verb: VAULTS[verb] | KEYS[verb] | KEY_DELEGATE[verb] for verb in VERBS}

ALL_RESOURCES = {verb: BOOT_VOLUME_BACKUPS[verb] | VOLUME_BACKUPS[verb] | KEY_FAMILY[verb] for verb in VERBS}

RESOURCE_TYPES: dict[str, dict[str, frozenset[str]]] = {
    "boot-volume-backups": BOOT_VOLUME_BACKUPS,
    "volume-backups": VOLUME_BACKUPS,
    "volume-family": VOLUME_FAMILY,
    "vaults": VAULTS,
    "keys": KEYS,
    "key-delegate": KEY_DELEGATE,
    "key-family": KEY_FAMILY,
    "all-resources": ALL_RESOURCES,
}

# (resource type, permission) pairs whose inclusion is an assumption, not a documented fact, and why.
_COPY_NOTE = "{rt} is assumed to include {perm} (undocumented; volume-family does not)."
_KEY_FAMILY_NOTE = ("{rt} is assumed to be vaults + keys + key-delegate and so to include {perm} (only an older, "
                    "translated Oracle page documents key-family).")
UNCERTAIN_GRANTS: dict[tuple[str, str], str] = {
    ("all-resources", BOOT_VOLUME_BACKUP_COPY): _COPY_NOTE,
    ("all-resources", "VOLUME_BACKUP_COPY"): _COPY_NOTE,
    **{("key-family", perm): _KEY_FAMILY_NOTE for verb in VERBS for perm in KEY_FAMILY[verb]},
}


#: every permission some modelled resource type grants; other permissions cannot be answered
MODELLED_PERMISSIONS: frozenset[str] = frozenset().union(*(ALL_RESOURCES.values()))


def permissions_for(verb: str, resource_type: str) -> frozenset[str]:
    """Return the modelled permissions ``verb resource_type`` grants (empty for other types).

    Both arguments are matched case-insensitively; an unknown verb grants nothing.
    """
    table = RESOURCE_TYPES.get(resource_type.lower())
    if table is None:
        return frozenset()
    return table.get(verb.lower(), frozenset())


def is_uncertain_grant(resource_type: str | None, permission: str) -> bool:
    """True when ``resource_type`` is only *assumed* to include ``permission`` (all-resources + COPY,
    key-family)."""
    return uncertain_grant_note(resource_type, permission) is not None


def uncertain_grant_note(resource_type: str | None, permission: str) -> str | None:
    """The assumption a grant of ``permission`` through ``resource_type`` rests on, or None when documented."""
    if resource_type is None:
        return None
    note = UNCERTAIN_GRANTS.get((resource_type.lower(), permission))
    return note.format(rt=resource_type.lower(), perm=permission) if note else None

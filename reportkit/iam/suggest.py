"""The minimal statements to add so a group can copy, or a service can use a key, in OCI policy syntax."""
from __future__ import annotations

from reportkit.iam.verdicts import CopyVerdict, KeyUseVerdict
from reportkit.iam.permissions import BOOT_VOLUME_BACKUP_COPY, BOOT_VOLUME_BACKUP_CREATE, BOOT_VOLUME_BACKUP_READ
from reportkit.regions import region_key


def _location(compartment: str | None) -> str:
    text = (compartment or "").strip()
    if not text or text in ("/", ":") or text.lower() == "tenancy":
        return "tenancy"
    if text.lower().startswith("ocid1."):
        return f"compartment id {text}"
    parts = [p.strip() for p in text.replace("/", ":").strip(":").split(":") if p.strip()]
    return "compartment " + ":".join(parts)


def suggest_fix(verdict: CopyVerdict | KeyUseVerdict) -> list[str]:
    """Return the statements to add (one per list item) so that ``verdict``'s copy (or use of a key) is allowed.

    Each missing permission gets the narrowest statement Oracle's own examples use:
    COPY -> ``use boot-volume-backups where request.permission='BOOT_VOLUME_BACKUP_COPY'`` (the
    copy page's statement), READ -> ``read boot-volume-backups``, CREATE -> ``manage
    boot-volume-backups where request.permission='BOOT_VOLUME_BACKUP_CREATE'``. When the group's
    existing statements restrict regions (``request.region`` / ``target.region``), the suggestion
    is scoped to the source and destination asked about, as in Oracle's London -> Frankfurt example.

    For a service's use of a key: Oracle's sample narrowed to the key, ``Allow service <name> to use
    keys in <the key's compartment> where target.key.id = '<key OCID>'``.

    Returns ``[]`` when the copy is already allowed. A permission blocked by a Deny cannot be fixed
    by adding an Allow: it is left out here and named in ``verdict.reasons()``.
    """
    if verdict.allowed:
        return []
    if isinstance(verdict, KeyUseVerdict):
        return _key_use_fix(verdict)
    need = {c.permission for c in verdict.checks if not c.granted_by and not c.denied_by}
    subject = verdict.group.to_oci()
    where = _location(verdict.compartment)
    src = region_key(verdict.source) or verdict.source
    dst = region_key(verdict.destination) or verdict.destination
    scoped = verdict.region_restricted
    out = []
    if BOOT_VOLUME_BACKUP_READ in need:
        condition = f" where request.region='{src}'" if scoped else ""
        out.append(f"Allow {subject} to read boot-volume-backups in {where}{condition}")
    if BOOT_VOLUME_BACKUP_COPY in need:
        condition = (f"all {{request.permission='{BOOT_VOLUME_BACKUP_COPY}', request.region='{src}', "
                     f"target.region='{dst}'}}" if scoped else f"request.permission='{BOOT_VOLUME_BACKUP_COPY}'")
        out.append(f"Allow {subject} to use boot-volume-backups in {where} where {condition}")
    if BOOT_VOLUME_BACKUP_CREATE in need:
        condition = (f"all {{request.permission='{BOOT_VOLUME_BACKUP_CREATE}', request.region='{dst}'}}"
                     if scoped else f"request.permission='{BOOT_VOLUME_BACKUP_CREATE}'")
        out.append(f"Allow {subject} to manage boot-volume-backups in {where} where {condition}")
    return out


def _key_use_fix(verdict: KeyUseVerdict) -> list[str]:
    if not any(not c.granted_by and not c.denied_by for c in verdict.checks):
        return []
    return [f"Allow service {verdict.service} to use keys in {_location(verdict.key_compartment)} "
            f"where target.key.id = '{verdict.key_id}'"]

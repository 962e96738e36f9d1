"""Oracle's published policies for copying boot volume backups, verbatim, as test cases and demos.

Source: "Copying a Boot Volume Backup Between Regions"
(https://docs.oracle.com/en-us/iaas/Content/Block/Tasks/copyingbootvolumebackupcrossregion.htm) and
"Common Policies" (https://docs.oracle.com/iaas/Content/Identity/policiescommon/commonpolicies.htm).
"""
from __future__ import annotations

# "Let volume admins manage block volumes, backups, and volume groups": the first two statements
# do everything except copy across regions; the third is the one the copy page says to add.
VOLUME_ADMINS: tuple[str, ...] = (
    "Allow group VolumeAdmins to manage volume-family in tenancy",
    "Allow group VolumeAdmins to use instance-family in tenancy",
)
VOLUME_ADMINS_COPY_STATEMENT = (
    "Allow group VolumeAdmins to use boot-volume-backups in tenancy "
    "where request.permission='BOOT_VOLUME_BACKUP_COPY'"
)

# Example 1, London -> Frankfurt only. As published, the second statement is truncated: it never
# closes its "all {" (trailing comma and space included, exactly as printed).
LONDON_TO_FRANKFURT_AS_PRINTED: tuple[str, ...] = (
    "Allow group MyTestGroup to read boot-volume-backups in tenancy where all {request.region='lhr'}",
    "Allow group MyTestGroup to use boot-volume-backups in tenancy where all "
    "{request.permission='BOOT_VOLUME_BACKUP_COPY', request.region = 'lhr', ",
    "Allow group MyTestGroup to manage boot-volume-backups in tenancy where all "
    "{request.permission='BOOT_VOLUME_BACKUP_CREATE', request.region = 'fra'}",
)
# The same with the second statement completed as the example's text intends.
LONDON_TO_FRANKFURT_CLOSED: tuple[str, ...] = (
    LONDON_TO_FRANKFURT_AS_PRINTED[0],
    LONDON_TO_FRANKFURT_AS_PRINTED[1] + "target.region='fra'}",
    LONDON_TO_FRANKFURT_AS_PRINTED[2],
)

# Example 2: manage backups everywhere; copy from phx/iad anywhere, from fra/lhr only to fra/lhr.
RESTRICTED_SOURCES: tuple[str, ...] = (
    "Allow group MyTestGroup to read boot-volume-backups in tenancy where all {request.region='lhr'}",
    "Allow group MyTestGroup to manage boot-volume-backups in tenancy where any "
    "{request.permission!='BOOT_VOLUME_BACKUP_COPY'}",
    "Allow group MyTestGroup to use boot-volume-backups in tenancy where all "
    "{request.permission='BOOT_VOLUME_BACKUP_COPY', any {request.region='lhr', request.region='fra'}, "
    "any{target.region='fra', target.region='lhr'}}",
    "Allow group MyTestGroup to use boot-volume-backups in tenancy where all "
    "{request.permission='BOOT_VOLUME_BACKUP_COPY', any {request.region='phx', request.region='iad'}}",
)

# "Let boot volume backup admins manage only backups" and "Restrict admin access to a region".
BOOT_VOLUME_BACKUP_ADMINS: tuple[str, ...] = (
    "Allow group BootVolumeBackupAdmins to manage boot-volume-backups in tenancy",
)
PHX_ADMINS: tuple[str, ...] = (
    "Allow group PHX-Admins to manage all-resources in tenancy where request.region='phx'",
)

"""reportkit.collection.rows: OCI JSON -> rows built by column name."""
from __future__ import annotations

import pytest

from reportkit.collection.rows import backup_row, image_row, region_of_availability_domain
from reportkit.errors import SchemaError
from reportkit.schema import BACKUPS, REGIONS
from sim_fixtures import FRA, LHR


def test_replica_region_comes_from_the_availability_domain():
    keys = {"LHR": LHR, "FRA": FRA}
    assert region_of_availability_domain("Uocm:FRA-AD-2", keys) == FRA
    assert region_of_availability_domain("Uocm:UK-LONDON-1-AD-1", keys) == LHR
    assert region_of_availability_domain("abcd:PHX-AD-1", keys) == "us-phoenix-1"
    assert region_of_availability_domain("pjBI:US-ASHBURN-AD-1", keys) == "us-ashburn-1"


def test_rows_are_built_by_column_name_in_the_declared_order():
    from reportkit.collection import wire

    values, problems = wire.check(wire.BOOT_VOLUME_BACKUP, {"id": "b1", "sourceBootVolumeBackupId": "src",
                                                            "lifecycleState": "NEW_STATE", "extraField": 1})
    assert {p.field for p in problems} == {"compartmentId", "displayName", "timeCreated"}  # required, absent
    row = backup_row(values, LHR)
    named = dict(zip(BACKUPS.column_names, row, strict=True))
    assert named["backup_id"] == "b1" and named["region"] == LHR
    assert named["source_boot_volume_backup_id"] == "src" and named["lifecycle_state"] == "UNKNOWN_ENUM_VALUE"
    assert image_row(None, "img", LHR, "not_found")["lookup_status"] == "not_found"
    with pytest.raises(SchemaError, match="regon"):
        REGIONS.row(regon=LHR)

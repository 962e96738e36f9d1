"""I/O: write an assessment as CSV files and summary.json for automation (stable column order)."""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from reportkit._io import json_records, publish_folder, stage_folder, write_csv, write_json
from reportkit.errors import InputError
from reportkit.schema import ASSESSED_BACKUPS, ASSESSED_GROUP_BACKUPS, ASSESSED_VOLUMES, CONTROLS, FINDINGS, \
    PROTECTION_ITEMS

if TYPE_CHECKING:
    from reportkit.assessment import Assessment

EXPORTS = {
    "backups.csv": ("backups", ASSESSED_BACKUPS),
    "group_backups.csv": ("group_backups", ASSESSED_GROUP_BACKUPS),
    "items.csv": ("items", PROTECTION_ITEMS),
    "volumes.csv": ("volumes", ASSESSED_VOLUMES),
    "findings.csv": ("findings", FINDINGS),
    "controls.csv": ("controls", CONTROLS),
}


def export_assessment(assessment: Assessment, out_dir: str | Path) -> dict[str, Path]:
    """Write backups.csv, group_backups.csv, items.csv, volumes.csv, findings.csv, controls.csv and
    summary.json into ``out_dir``.

    Columns follow the schema declarations (docs/assess.md); timestamps are ISO 8601 UTC; cells a
    spreadsheet would run as a formula are neutralised. The files are written into a hidden
    staging folder and renamed into place at once; an earlier export is never overwritten: when
    ``out_dir`` already holds files, the export goes to ``out_dir-2`` (``-3``, ...). Returns
    {file name: path written}.
    """
    target = Path(out_dir)
    try:
        staging = stage_folder(target.parent, target.name)
    except OSError as exc:
        raise InputError(f"cannot create output folder {target}: {exc}") from exc
    try:
        for name, (attr, table) in EXPORTS.items():
            write_csv(getattr(assessment, attr)[table.column_names], staging / name)
        write_json({
            "summary": {**assessment.summary.to_dict(), "sentence": assessment.summary.sentence()},
            "notes": list(getattr(assessment, "notes", ())),
            "parameters": assessment.parameters,
            "collection": assessment.metadata.to_dict(),
            "controls": json_records(assessment.controls),
        }, staging / "summary.json")
        final = publish_folder(staging, target)
    except FileExistsError:
        shutil.rmtree(staging, ignore_errors=True)
        raise InputError(f"{target}: 10,000 earlier exports already exist; pass another --out") from None
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise InputError(f"cannot write the assessment to {target}: {exc}") from exc
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return {name: final / name for name in [*EXPORTS, "summary.json"]}

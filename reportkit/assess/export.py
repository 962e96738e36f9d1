"""I/O: write an assessment as CSV files and summary.json for automation (stable column order)."""
from __future__ import annotations

import errno
import json
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from reportkit.csvsafe import neutralise_formulas
from reportkit.errors import InputError
from reportkit.schema import ASSESSED_BACKUPS, ASSESSED_VOLUMES, CONTROLS, FINDINGS

if TYPE_CHECKING:
    from reportkit.assess import Assessment

EXPORTS = {
    "backups.csv": ("backups", ASSESSED_BACKUPS),
    "volumes.csv": ("volumes", ASSESSED_VOLUMES),
    "findings.csv": ("findings", FINDINGS),
    "controls.csv": ("controls", CONTROLS),
}


def export_assessment(assessment: Assessment, out_dir: str | Path) -> dict[str, Path]:
    """Write backups.csv, volumes.csv, findings.csv, controls.csv and summary.json into ``out_dir``.

    Columns follow the schema declarations (docs/assess.md); timestamps are ISO 8601 UTC; cells a
    spreadsheet would run as a formula are neutralised. The files are written into a hidden
    staging folder and renamed into place at once; an earlier export is never overwritten: when
    ``out_dir`` already holds files, the export goes to ``out_dir-2`` (``-3``, ...). Returns
    {file name: path written}.
    """
    target = Path(out_dir)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
    except OSError as exc:
        raise InputError(f"cannot create output folder {target}: {exc}") from exc
    try:
        for name, (attr, table) in EXPORTS.items():
            frame = getattr(assessment, attr)[table.column_names]
            neutralise_formulas(_iso_times(frame)).to_csv(staging / name, index=False, lineterminator="\n")
        summary = {
            "summary": assessment.summary.to_dict(),
            "parameters": assessment.parameters,
            "collection": assessment.metadata.to_dict(),
            "controls": json.loads(assessment.controls.astype(object).where(assessment.controls.notna(), None)
                                   .to_json(orient="records")),
        }
        (staging / "summary.json").write_text(json.dumps(summary, indent=2, sort_keys=False, default=str) + "\n",
                                              encoding="utf-8")
        final = _publish(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return {name: final / name for name in [*EXPORTS, "summary.json"]}


def _publish(staging: Path, target: Path) -> Path:
    """Rename ``staging`` to ``target`` (or ``target-N``): rename onto a non-empty folder fails, so
    two concurrent exports can never land in, or clobber, the same folder."""
    for n in range(1, 10_000):
        candidate = target if n == 1 else target.with_name(f"{target.name}-{n}")
        try:
            staging.rename(candidate)
            return candidate
        except OSError as exc:
            if exc.errno not in (errno.EEXIST, errno.ENOTEMPTY, errno.EISDIR, errno.ENOTDIR):
                raise InputError(f"cannot write the assessment to {candidate}: {exc}") from exc
    raise InputError(f"{target}: 10,000 earlier exports already exist; pass another --out")


def _iso_times(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for name, dtype in frame.dtypes.items():
        if isinstance(dtype, pd.DatetimeTZDtype):
            out[name] = frame[name].dt.strftime("%Y-%m-%dT%H:%M:%S.%fZ").astype("string")
    return out

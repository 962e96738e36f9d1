"""I/O: write an assessment as CSV files and summary.json for automation (stable column order)."""
from __future__ import annotations

import json
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
    spreadsheet would run as a formula are neutralised. Returns {file name: path written}.
    """
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create output folder {out}: {exc}") from exc
    written: dict[str, Path] = {}
    for name, (attr, table) in EXPORTS.items():
        frame = getattr(assessment, attr)[table.column_names]
        path = out / name
        _write_csv(neutralise_formulas(_iso_times(frame)), path)
        written[name] = path
    summary = {
        "summary": assessment.summary.to_dict(),
        "parameters": assessment.parameters,
        "collection": assessment.metadata.to_dict(),
        "controls": json.loads(assessment.controls.astype(object).where(assessment.controls.notna(), None)
                               .to_json(orient="records")),
    }
    path = out / "summary.json"
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(summary, indent=2, sort_keys=False, default=str) + "\n", encoding="utf-8")
    tmp.replace(path)
    written["summary.json"] = path
    return written


def _iso_times(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for name, dtype in frame.dtypes.items():
        if isinstance(dtype, pd.DatetimeTZDtype):
            out[name] = frame[name].dt.strftime("%Y-%m-%dT%H:%M:%S.%fZ").astype("string")
    return out


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    frame.to_csv(tmp, index=False, lineterminator="\n")
    tmp.replace(path)

"""reportkit.assessment.findings: findings per control and the control summary."""
from __future__ import annotations

import pytest

from reportkit.assessment import assess
from reportkit.schema import CONTROLS, FINDINGS
from test_assessment_builders import sample


def test_findings_and_controls() -> None:
    result = assess(sample().inventory())
    f = result.findings
    by = {(r.control, r.resource_id) for r in f.itertuples()}
    assert ("XR_COPY_MISSING", "missing") in by
    assert ("XR_INELIGIBLE_IMAGE", "inelig") in by
    assert ("XR_ENCRYPTION_DOWNGRADE", "c3") in by
    assert ("XR_ORPHAN_COPY", "c-orphan") in by
    assert ("BACKUP_MISSING", "inelig") in by
    assert f.set_index("resource_id").loc["missing", "compartment_path"] == "Prod"
    c = result.controls.set_index("control")
    assert c.loc["XR_COPY_MISSING", "non_compliant"] == 1 and c.loc["XR_COPY_MISSING", "compliant"] == 2
    assert c.loc["XR_ENCRYPTION_DOWNGRADE", "non_compliant"] == 1
    assert c.loc["XR_COPY_MISSING", "pct_compliant"] == pytest.approx(200 / 3)
    FINDINGS.validate(f)
    CONTROLS.validate(result.controls)

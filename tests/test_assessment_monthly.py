"""reportkit.assessment.monthly: finding changes between months and control results."""
from __future__ import annotations

import pandas as pd

from reportkit.assessment.monthly import compare_findings, control_status


def test_compare_findings_and_controls_never_pass_on_unknown():
    prev = pd.DataFrame({"control": ["A", "A"], "resource_id": ["x", "y"], "severity": ["high"] * 2})
    cur = pd.DataFrame({"control": ["A", "B"], "resource_id": ["x", "x"], "severity": ["high"] * 2})
    changes = compare_findings(cur, prev).set_index(["control", "resource_id"])["change"].to_dict()
    assert changes == {("A", "x"): "persisting", ("B", "x"): "new", ("A", "y"): "resolved"}
    controls = pd.DataFrame({"control": ["P", "U", "F"], "compliant": [3, 3, 3], "non_compliant": [0, 0, 1],
                             "unknown": [0, 2, 2]})
    assert control_status(controls)["result"].tolist() == ["PASS", "UNKNOWN", "FAIL"]

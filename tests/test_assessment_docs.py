"""docs/assess.md is generated from reportkit.assessment.docs and the schema: it must be current."""
from __future__ import annotations

from pathlib import Path


def test_docs_assess_md_is_current() -> None:
    from reportkit.assessment.docs import render

    path = Path(__file__).resolve().parents[1] / "docs" / "assess.md"
    assert path.read_text(encoding="utf-8") == render(), "regenerate: python -m reportkit.assessment.docs > docs/assess.md"

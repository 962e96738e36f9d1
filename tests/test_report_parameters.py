"""Fast tests of the report machinery: parameters, names, HTML conversion, views, charts, history."""
from __future__ import annotations

import nbformat
import papermill
import pytest

from reportkit.cli import main
from reportkit.errors import InputError
from reportkit.report import NOTEBOOK_DIR, NOTEBOOKS, PARAMETERS, validate_parameters


def test_wrong_types_are_refused_before_any_kernel_starts(tmp_path):
    with pytest.raises(InputError, match="rpo_days"):
        validate_parameters("coverage", {"rpo_days": "seven"})
    with pytest.raises(InputError, match="rpo_days"):
        validate_parameters("coverage", {"rpo_days": True})
    with pytest.raises(InputError, match="no parameter 'rpo'"):
        validate_parameters("coverage", {"rpo": 7})
    with pytest.raises(InputError, match="YYYY-MM"):
        validate_parameters("monthly", {"month": "2025-13"})
    assert validate_parameters("coverage", {"rpo_days": "7"}) == {"rpo_days": 7}
    assert validate_parameters("coverage", {"copy_targets": "lhr=fra+ams,iad=phx"})["copy_targets"] == {
        "lhr": ["fra", "ams"], "iad": ["phx"]}


def test_cli_exits_2_on_a_bad_parameter(capsys):
    assert main(["report", "coverage", "-p", "rpo_days", "seven"]) == 2
    assert "rpo_days" in capsys.readouterr().err


@pytest.mark.parametrize("kind", sorted(NOTEBOOKS))
def test_declared_parameters_match_the_notebook_and_notebooks_stay_thin(kind):
    path = NOTEBOOK_DIR / NOTEBOOKS[kind]
    assert set(papermill.inspect_notebook(str(path))) == set(PARAMETERS[kind])
    nb = nbformat.read(str(path), as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            for line in cell.source.splitlines():
                assert not line.lstrip().startswith(("def ", "class ", "for ", "while ")), (kind, line)


def test_accept_is_checked_before_a_kernel_starts() -> None:
    from reportkit.errors import InputError
    from reportkit.report.parameters import validate_parameters

    assert validate_parameters("coverage", {"accept": "replica,copy"})["accept"] == ["copy", "replica"]
    assert validate_parameters("explore", {"accept": None})["accept"] is None
    with pytest.raises(InputError, match="accept"):
        validate_parameters("coverage", {"accept": "tapes"})

"""The project's own promises: set-up files agree, notebooks are clean, the CLI explains itself."""
from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "reportkit" / "report" / "notebooks"  # shipped in the package; notebooks/ is the lab workspace


def _requirement_names(reqs: list[str]) -> dict[str, str]:
    out = {}
    for req in reqs:
        match = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$", req)
        assert match, req
        out[match.group(1).lower().replace("_", "-")] = match.group(2).replace(" ", "")
    return out


def test_environment_yml_lists_the_same_dependencies_as_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = _requirement_names(project["dependencies"] + project["optional-dependencies"]["test"])
    listed: list[str] = []
    text = (ROOT / "environment.yml").read_text()
    for line in text[text.index("dependencies:"):].splitlines():
        item = line.split("#")[0].strip()
        if not item.startswith("- ") or item.endswith(":"):
            continue
        item = item[2:].strip()
        if item.startswith("-e") or item.startswith("python") or item == "pip":
            continue
        listed.append(item)
    assert _requirement_names(listed) == wanted


def test_notebooks_are_committed_without_outputs_and_with_a_parameters_cell():
    from reportkit.report import LANDING_NOTEBOOK
    from reportkit.report import NOTEBOOKS as REPORTS

    notebooks = sorted(NOTEBOOKS.glob("*.ipynb"))
    assert {p.name for p in notebooks} == {*REPORTS.values(), LANDING_NOTEBOOK}, notebooks
    for path in notebooks:
        nb = json.loads(path.read_text())
        code_cells = [c for c in nb["cells"] if c["cell_type"] == "code"]
        for cell in code_cells:
            assert not cell.get("outputs"), f"{path.name}: a code cell has outputs"
            assert not cell.get("execution_count"), f"{path.name}: a code cell has an execution count"
        tagged = [c for c in code_cells if "parameters" in c.get("metadata", {}).get("tags", [])]
        assert len(tagged) == 1, f"{path.name}: expected exactly one cell tagged 'parameters'"


def _subcommands() -> list[str]:
    from reportkit.cli import build_parser

    parser = build_parser()
    action = next(a for a in parser._actions if a.dest == "command")
    return sorted(action.choices)


def test_every_command_has_help():
    commands = _subcommands()
    assert commands, "no sub-commands registered"
    for command in [[], *[[c] for c in commands]]:
        result = subprocess.run([sys.executable, "-m", "reportkit", *command, "--help"],
                                capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, (command, result.stderr)
        assert "usage: reportkit" in result.stdout


def test_ci_runs_make_test_and_readme_shows_the_two_commands():
    assert "make test" in (ROOT / ".ci" / "run").read_text()
    readme = (ROOT / "README.md").read_text()
    assert readme.index("make demo") < 2000 and readme.index("make test") < 2000


@pytest.mark.parametrize("name", ["reportkit"])
def test_console_script_is_declared(name):
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["scripts"][name] == "reportkit.cli:main"


def test_public_functions_stay_callable_after_their_package_is_imported():
    import reportkit
    import reportkit.assessment  # noqa: F401 - the import is the point: it must not rebind reportkit.assess
    import reportkit.collection  # noqa: F401 - sub-packages are nouns: reportkit.collect stays the function

    from reportkit.errors import InputError

    assert callable(reportkit.assess) and callable(reportkit.collect)
    with pytest.raises(InputError):
        reportkit.collect(endpoint_template="http://127.0.0.1:1/no-region-placeholder")


def test_notebooks_stay_thin_they_call_reportkit_and_show_results():
    # Logic lives in the library: a def, class or loop in a notebook is code that belongs in reportkit,
    # and a notebook importing anything but reportkit is doing work the library should do.
    forbidden = {
        "a function definition": r"^\s*(async\s+)?def ",
        "a class definition": r"^\s*class ",
        "a loop": r"^\s*(for|while) ",
        "an import of something other than reportkit": r"^\s*(import|from) (?!reportkit\b)",
    }
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        nb = json.loads(path.read_text())
        for index, cell in enumerate(nb["cells"]):
            if cell["cell_type"] != "code":
                continue
            source = "".join(cell["source"])
            for what, pattern in forbidden.items():
                assert not re.search(pattern, source, re.M), f"{path.name} cell {index} has {what}"


def test_every_module_says_what_it_owns_and_stays_small():
    # small modules owning one thing: a docstring whose first line says what, and ~400 lines at most
    too_long, undocumented = [], []
    for path in sorted((ROOT / "reportkit").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        if len(text.splitlines()) > 420:
            too_long.append(str(path.relative_to(ROOT)))
        first = text.lstrip().split("\n", 1)[0]
        if not (first.startswith('"""') and len(first.strip('"').strip()) > 10):
            undocumented.append(str(path.relative_to(ROOT)))
    assert not too_long and not undocumented, (too_long, undocumented)


def test_every_status_list_is_derived_from_its_enum():
    import dataclasses

    from reportkit.assessment import CoverageSummary
    from reportkit.assessment.monthly import SUMMARY_COLUMNS
    from reportkit.schema import COPY_JUDGED, COVERAGE_STATUSES, CoverageStatus

    fields = [f.name for f in dataclasses.fields(CoverageSummary)]
    assert [f for f in fields if f in set(CoverageStatus)] == [s.value for s in CoverageStatus]
    # the trend's columns: total, one per status, the three headline percentages (rule book §8), gaps
    assert SUMMARY_COLUMNS[1:-4] == [s.value for s in COVERAGE_STATUSES]
    assert set(COPY_JUDGED) == set(CoverageStatus) - {CoverageStatus.INELIGIBLE, CoverageStatus.NO_BACKUP}

"""The package installs whole: a wheel, installed NON-editable into a fresh venv, renders a report.

The fresh venv borrows the project venv's third-party packages through a ``.pth`` line (a plain
path: the editable-install finder in the project's site-packages is not activated), so nothing is
downloaded to install; reportkit itself comes only from the wheel, which the test asserts. Those
packages' data files (nbconvert's HTML templates) live under the project venv's prefix, where a
real install would put them under the fresh one: ``JUPYTER_PATH`` says where.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow

_CHECK = r"""
import json, sys
from pathlib import Path
import reportkit
from reportkit.assessment.docs import render
from reportkit.report import NOTEBOOK_DIR, render_report
from reportkit.sim.demo import build_demo_tenancy

result = render_report("coverage", parameters={"snapshot": sys.argv[1]}, out_dir=sys.argv[2])
print(json.dumps({"reportkit": reportkit.__file__, "notebooks": str(NOTEBOOK_DIR), "html": str(result.html),
                  "docs": len(render()), "demo_volumes": sum(len(v) for v in build_demo_tenancy()["bootVolumes"].values())}))
"""


def _run(argv: list[str], **kwargs) -> subprocess.CompletedProcess:
    done = subprocess.run(argv, capture_output=True, text=True, timeout=300, **kwargs)
    assert done.returncode == 0, f"{argv}\n{done.stdout}\n{done.stderr}"
    return done


def test_a_wheel_installed_into_a_fresh_venv_renders_a_report(report_history, tmp_path):
    # build from a copy of the sources: an in-tree build/ folder could carry files deleted since
    source = tmp_path / "src"
    shutil.copytree(ROOT / "reportkit", source / "reportkit", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(tmp_path / "dist"), str(source)])
    wheel = next((tmp_path / "dist").glob("reportkit-*.whl"))

    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    python = venv / "bin" / "python"
    site = Path(_run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).stdout.strip())
    (site / "project_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    _run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index", "--quiet",
          str(wheel)])

    workdir = tmp_path / "elsewhere"  # not the repository: its reportkit/ must not be importable
    workdir.mkdir()
    env = {**os.environ, "JUPYTER_PATH": str(Path(sys.prefix) / "share" / "jupyter")}
    out = _run([str(python), "-c", _CHECK, str(report_history["snapshots"][-1]), str(tmp_path / "reports")],
               cwd=workdir, env=env).stdout
    found = json.loads(out.strip().splitlines()[-1])
    assert Path(found["reportkit"]).is_relative_to(venv), found  # the wheel's copy, not the checkout
    assert Path(found["notebooks"]).is_relative_to(venv)  # the packaged notebooks
    html = Path(found["html"]).read_text(encoding="utf-8")
    assert 'data-kpi="restorable_pct"' in html and "<script" not in html  # rule book §8: the headline tile
    assert found["docs"] > 1000 and found["demo_volumes"] > 200  # package data: docs head, demo spec

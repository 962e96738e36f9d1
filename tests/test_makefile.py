"""The Makefile on a fresh machine: the `browser` recipe as root and through sudo, and `make setup` in a
fresh copy of the repository.

The browser recipe is run by the real `make` with chromium hidden from PATH and `id`, `sudo` and
`apt-get` replaced by recorders, so the exact commands it would run are checked without installing
anything (issue 16: as root the recipe once ran a command named `DEBIAN_FRONTEND=noninteractive`).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MAKE = shutil.which("make")

pytestmark = pytest.mark.skipif(MAKE is None or not (ROOT / "Makefile").is_file(),
                                reason="needs make and the repository's Makefile")

RECORDER = """#!/bin/sh
# records its name, its arguments and DEBIAN_FRONTEND, one line per call
echo "$(basename "$0") $* [DEBIAN_FRONTEND=${DEBIAN_FRONTEND:-unset}]" >> "$RECORD"
"""


def _fake_path(tmp_path: Path, *, uid: int, chromium: bool) -> tuple[Path, Path]:
    """A PATH folder with every tool of /usr/bin and /bin except chromium, and recorders for id, sudo and
    apt-get; return (folder, record file)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for folder in (Path("/usr/local/bin"), Path("/usr/bin"), Path("/bin")):
        for tool in folder.iterdir() if folder.is_dir() else ():
            target = bin_dir / tool.name
            if tool.name.startswith("chromium") or target.exists() or not os.access(tool, os.X_OK):
                continue
            target.symlink_to(tool)
    for name in ("id", "sudo", "apt-get"):
        (bin_dir / name).unlink(missing_ok=True)
    (bin_dir / "apt-get").write_text(RECORDER)
    (bin_dir / "sudo").write_text(RECORDER + 'exec "$@"\n')  # sudo runs the rest of its command line
    (bin_dir / "id").write_text(f'#!/bin/sh\n[ "$1" = "-u" ] && echo {uid} || echo "uid={uid}"\n')
    if chromium:
        (bin_dir / "chromium").write_text("#!/bin/sh\nexit 0\n")
    for name in ("apt-get", "sudo", "id", "chromium"):
        if (bin_dir / name).exists():
            (bin_dir / name).chmod(0o755)
    return bin_dir, tmp_path / "record.txt"


def _run_browser_recipe(tmp_path: Path, *, uid: int, chromium: bool) -> list[str]:
    bin_dir, record = _fake_path(tmp_path, uid=uid, chromium=chromium)
    shutil.copy(ROOT / "Makefile", tmp_path / "Makefile")
    env = {"PATH": str(bin_dir), "RECORD": str(record), "HOME": str(tmp_path)}
    done = subprocess.run([MAKE, "--no-print-directory", "browser"], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    return record.read_text().splitlines() if record.exists() else []


def test_browser_recipe_as_root_runs_apt_get_directly_with_a_noninteractive_frontend(tmp_path):
    assert _run_browser_recipe(tmp_path, uid=0, chromium=False) == [
        "apt-get update -qq [DEBIAN_FRONTEND=noninteractive]",
        "apt-get install -y -qq chromium [DEBIAN_FRONTEND=noninteractive]",
    ]


def test_browser_recipe_as_a_user_goes_through_sudo(tmp_path):
    assert _run_browser_recipe(tmp_path, uid=1000, chromium=False) == [
        "sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq [DEBIAN_FRONTEND=unset]",
        "apt-get update -qq [DEBIAN_FRONTEND=noninteractive]",
        "sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium [DEBIAN_FRONTEND=unset]",
        "apt-get install -y -qq chromium [DEBIAN_FRONTEND=noninteractive]",
    ]


@pytest.mark.parametrize("uid", [0, 1000])
def test_browser_recipe_does_nothing_when_chromium_is_there(tmp_path, uid):
    assert _run_browser_recipe(tmp_path, uid=uid, chromium=True) == []


def _fresh_copy(target: Path) -> Path:
    """Copy the files git tracks (as they are in the working tree) to ``target``: what a clone gets."""
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True)
    for name in filter(None, listed.stdout.decode().split("\0")):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


#: the background `make setup` of test_make_setup_in_a_fresh_copy_installs_quietly_once (see start_fresh_setup)
_FRESH_SETUP: dict[str, object] = {}
FRESH_SETUP_TEST = "test_make_setup_in_a_fresh_copy_installs_quietly_once"


def start_fresh_setup() -> None:
    """Start `make setup` in a fresh copy of the repository, in the background.

    Called by tests/conftest.py when the test is selected, as soon as collection ends, so that the
    minute of pip install runs on the second core while the rest of the suite runs (the test
    itself is moved to the end and waits for it). Nothing here sleeps: the test waits on the process.
    """
    import tempfile

    if not (ROOT / ".git").exists():
        return  # an installed copy: the test skips itself
    base = Path(tempfile.mkdtemp(prefix="reportkit-fresh-setup-"))
    repo = _fresh_copy(base / "repo")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REPORTKIT_", "VIRTUAL_ENV", "PYTEST"))}
    # the base interpreter, not this venv's (a venv made from a venv's python is still a fresh venv)
    env["PYTHON"] = getattr(sys, "_base_executable", None) or sys.executable
    _FRESH_SETUP.update(base=base, repo=repo, env=env, process=subprocess.Popen(
        [MAKE, "--no-print-directory", "setup"], cwd=repo, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True))


@pytest.mark.slow  # a real venv and a real pip install (~a minute, in the background: see start_fresh_setup)
def test_make_setup_in_a_fresh_copy_installs_quietly_once():
    if not (ROOT / ".git").exists():
        pytest.skip("needs the git repository (not an installed wheel)")
    if not _FRESH_SETUP:
        start_fresh_setup()  # run alone, without the conftest hook
    repo, env, process = _FRESH_SETUP["repo"], _FRESH_SETUP["env"], _FRESH_SETUP["process"]
    try:
        output, _ = process.communicate(timeout=600)
        assert process.returncode == 0, output
        # a quiet log: our one line, no pip notices, no setuptools deprecation warnings
        assert output.splitlines() == ["installing reportkit and its test extra into .venv (about a minute, once)"], \
            output
        version = subprocess.run([str(repo / ".venv/bin/reportkit"), "--version"], capture_output=True, text=True,
                                 timeout=120)
        assert version.returncode == 0 and version.stdout.startswith("reportkit "), version
        second = subprocess.run([MAKE, "--no-print-directory", "setup"], cwd=repo, env=env, capture_output=True,
                                text=True, timeout=60)
        assert second.returncode == 0 and "installing" not in second.stdout + second.stderr  # the stamp holds
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        shutil.rmtree(_FRESH_SETUP["base"], ignore_errors=True)


def test_make_lab_installs_jupyterlab_once_and_opens_the_landing_notebook_on_copies(tmp_path):
    """`make lab` with the venv's python replaced by a recorder: what it installs, copies and starts."""
    for name in ("Makefile", "pyproject.toml"):
        shutil.copy(ROOT / name, tmp_path / name)
    packaged = tmp_path / "reportkit" / "report" / "notebooks"
    shutil.copytree(ROOT / "reportkit" / "report" / "notebooks", packaged)
    (tmp_path / "notebooks").mkdir()
    python = tmp_path / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text('#!/bin/sh\necho "$(basename "$PWD") REPORTKIT_DATA=${REPORTKIT_DATA:-unset} $*" >> "$RECORD"\n')
    python.chmod(0o755)
    (tmp_path / ".venv" / ".installed-stamp").touch()  # set up already (newer than pyproject.toml)
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("REPORTKIT_")},
           "RECORD": str(tmp_path / "record.txt")}

    def lab() -> list[str]:
        (tmp_path / "record.txt").unlink(missing_ok=True)
        done = subprocess.run([MAKE, "--no-print-directory", "lab"], cwd=tmp_path, env=env, capture_output=True,
                              text=True, timeout=60)
        assert done.returncode == 0, done.stdout + done.stderr
        return (tmp_path / "record.txt").read_text().splitlines()

    root_flag = " --allow-root" if os.getuid() == 0 else ""
    data = f"REPORTKIT_DATA={tmp_path / 'data'}"
    assert lab() == [
        f"{tmp_path.name} REPORTKIT_DATA=unset -m pip install -qq --no-compile --disable-pip-version-check -e .[test,lab]",
        f"{tmp_path.name} {data} -m reportkit demo --collect-only",  # no snapshots yet: into the project's data/
        f"notebooks {data} -m jupyter lab start_here.ipynb{root_flag}",
    ]
    copies = sorted(p.name for p in (tmp_path / "notebooks").glob("*.ipynb"))
    assert copies == sorted(p.name for p in packaged.glob("*.ipynb")) and "start_here.ipynb" in copies
    (tmp_path / "notebooks" / "start_here.ipynb").write_text("my edits")
    (tmp_path / "data" / "snapshots").mkdir(parents=True)
    # again: no install (the stamp holds), no collection, and the edited copy is kept
    assert lab() == [f"notebooks {data} -m jupyter lab start_here.ipynb{root_flag}"]
    assert (tmp_path / "notebooks" / "start_here.ipynb").read_text() == "my edits"

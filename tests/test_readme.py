"""The README's walk-through on the fake OCI, run as a newcomer pastes it: every block, in order, in a shell.

What is checked:
- every shell block of the section "A walk-through on the fake OCI" exits 0 (the first block, the
  fake, runs in the background until the end, as in its own terminal);
- the `oci` CLI lists backups;
- the first `assess` shows the demo's coverage, not the 0 % of a snapshot judged months after the
  data it holds: this needs `collect` to stamp a snapshot from the fake with the fake's clock
  (issue 16 item 2, the collector's part);
- the plan's copies are all made (`copy --execute` finishes: the fake's clock runs), and the last
  report, after collecting again, shows a higher coverage than the first, with its KPIs equal to
  what `assess` says of the same snapshot.

Only the port (a free one instead of 8080) and the config folder (a temporary one) are changed.
The walk-through starts in the background when collection ends (tests/conftest.py) and this test,
run last, checks what it did.
"""
from __future__ import annotations

import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

from test_report_notebooks import kpis_of

ROOT = Path(__file__).resolve().parent.parent
SECTION = "## A walk-through on the fake OCI"

pytestmark = pytest.mark.slow  # the whole walk-through: a fake, two collections, two reports, real copies


def walkthrough_blocks(readme: str) -> list[str]:
    """The ```bash blocks of the walk-through section, in order."""
    section = readme[readme.index(SECTION):]
    section = section[: section.index("\n## ", len(SECTION))]
    return re.findall(r"```bash\n(.*?)```", section, flags=re.S)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_line(process: subprocess.Popen, prefix: str, timeout: float = 120) -> list[str]:
    """Read the process's output (in a thread) until a line starts with ``prefix``; return the lines read."""
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        for line in process.stdout:
            lines.put(line.rstrip("\n"))
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while (left := deadline - time.monotonic()) > 0:
        try:
            line = lines.get(timeout=left)
        except queue.Empty:
            break
        if line is None:
            break
        seen.append(line)
        if line.startswith(prefix):
            return seen
    raise AssertionError(f"the fake never printed {prefix!r}: {seen}")


def _read_env(path: Path) -> dict[str, str]:
    pairs = [item.split("=", 1) for item in path.read_bytes().decode().split("\0") if "=" in item]
    return {k: v for k, v in pairs if not k.startswith("BASH_FUNC_") and k not in ("_", "SHLVL", "PWD", "OLDPWD")}


#: the walk-through running in the background (see start_walkthrough)
_RUN: dict[str, object] = {}
BACKGROUND_TEST = "test_the_readme_walkthrough_runs_line_by_line_and_ends_with_real_numbers"


def run_walkthrough(base: Path, result: dict) -> None:
    """Run the walk-through's blocks under ``base`` as a newcomer would; fill ``result`` with ``work`` (the
    checkout folder), ``blocks``, ``outputs`` and ``codes`` (one per block after the fake's), or ``error``."""
    try:
        blocks = walkthrough_blocks((ROOT / "README.md").read_text(encoding="utf-8"))
        result["blocks"] = blocks
        if len(blocks) < 4 or not blocks[0].startswith(".venv/bin/reportkit sim serve"):
            return
        port, config_dir = str(_free_port()), str(base / "reportkit-sim")
        blocks = [b.replace("8080", port).replace("/tmp/reportkit-sim", config_dir) for b in blocks]
        work = result["work"] = base / "work"  # a checkout as a newcomer has it: .venv here, data/ written here
        work.mkdir()
        (work / ".venv").symlink_to(Path(sys.prefix))
        env = {k: v for k, v in os.environ.items() if not k.startswith(("REPORTKIT_", "OCI_", "PYTEST", "VIRTUAL_ENV"))}
        env["HOME"] = str(base)  # no ~/.oci of the machine
        outputs: list[str] = result.setdefault("outputs", [])
        codes: list[int] = result.setdefault("codes", [])
        fake = subprocess.Popen(["bash", "-c", f"exec {blocks[0]}"], cwd=work, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True)
        try:
            _wait_for_line(fake, "admin:")
            state = base / "env"
            for block in blocks[1:]:
                done = subprocess.run(["bash", "-euo", "pipefail", "-c", f"{block}\nenv -0 > {state}"], cwd=work,
                                      env=env, capture_output=True, text=True, timeout=600)
                outputs.append(done.stdout + done.stderr)
                codes.append(done.returncode)
                if done.returncode:
                    return
                env = _read_env(state)
        finally:
            fake.send_signal(signal.SIGINT)
            fake.communicate(timeout=30)
    except Exception as exc:  # noqa: BLE001 - reported by the test, in the test's thread
        result["error"] = exc


def start_walkthrough() -> None:
    """Run the walk-through in a thread, started by tests/conftest.py as soon as collection ends: it is
    subprocesses from end to end (the fake, the oci CLI, reportkit), so it runs on the second core
    while the rest of the suite runs; the test (moved last) waits for the thread."""
    base = Path(tempfile.mkdtemp(prefix="reportkit-readme-"))
    result: dict = {}
    thread = threading.Thread(target=run_walkthrough, args=(base, result), name="readme-walkthrough", daemon=True)
    _RUN.update(base=base, result=result, thread=thread)
    thread.start()


def test_the_readme_walkthrough_runs_line_by_line_and_ends_with_real_numbers():
    if not _RUN:
        start_walkthrough()  # run alone, without the conftest hook
    thread, result = _RUN["thread"], _RUN["result"]
    try:
        thread.join(timeout=900)
        assert not thread.is_alive(), "the walk-through did not finish in 15 minutes"
        if "error" in result:
            raise result["error"]
        blocks, outputs, codes = result["blocks"], result["outputs"], result["codes"]
        assert len(blocks) >= 4 and blocks[0].startswith(".venv/bin/reportkit sim serve"), blocks
        for block, output, code in zip(blocks[1:], outputs, codes, strict=False):
            assert code == 0, f"this README block failed ({code}):\n{block}\n{output}"
        assert len(codes) == len(blocks) - 1
        _check_numbers(result["work"], outputs)
    finally:
        shutil.rmtree(_RUN["base"], ignore_errors=True)


def _check_numbers(work: Path, outputs: list[str]) -> None:
    text = "\n".join(outputs)
    assert "AVAILABLE" in outputs[0]  # the oci CLI listed backups

    first = float(re.search(r"^restorable ([0-9.]+)% =", text, re.M).group(1))
    assert first >= 30.0, f"the first assessment shows {first}% (a snapshot stamped with the machine's clock?)"
    planned = int(re.search(r"^plan \S+: (\d+) copies", text, re.M).group(1))
    assert planned > 0 and f"FINISHED: {planned} copied" in text

    from reportkit.assessment import assess
    from reportkit.snapshot import list_snapshots, load_snapshot

    reports = sorted((work / "data" / "reports").glob("coverage_*.html"))
    assert len(reports) == 2, reports
    kpis = kpis_of(reports[-1])
    latest = load_snapshot(list_snapshots(work / "data" / "snapshots")["path"].iloc[-1])
    summary = assess(latest).summary
    assert float(kpis["restorable_pct"]) == pytest.approx(summary.restorable_pct, abs=1e-3)
    assert int(kpis["covered"]) == summary.covered
    print(f"walk-through: restorable {first}% -> {summary.restorable_pct:.1f}% after {planned} copies")
    assert summary.restorable_pct > first, (first, summary.restorable_pct)

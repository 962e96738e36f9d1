"""What every benchmark shares: the fake OCI API in its own process, child-process measurements,
medians, and a description of the machine.

Why the fake runs in another process: a benchmark client and an in-process server would share
one GIL, so the server's JSON encoding would be charged to the client. In its own process the
fake uses the second core, as a real OCI endpoint uses someone else's machine.
"""
from __future__ import annotations

import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable


# ------------------------------------------------------------------------------------- statistics
def median_of(fn: Callable[[], float], repeats: int) -> tuple[float, list[float]]:
    """Run ``fn`` (returns seconds) ``repeats`` times; return (median, all values)."""
    values = [fn() for _ in range(max(1, repeats))]
    return statistics.median(values), values


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    """Return (wall seconds, result) of ``fn()``."""
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def peak_rss_mb() -> float:
    """Peak resident memory of THIS process so far, in MB (Linux reports ru_maxrss in KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> tuple[float, float]:
    """(user, system) CPU seconds of this process so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime, usage.ru_stime


# ------------------------------------------------------------------------------ a standalone run
def quick_main(doc: str | None, run: Callable[..., dict[str, Any]], quick_help: str) -> None:
    """``python -m bench.bench_X [--quick]``: run one benchmark and print its figures, one a line."""
    import argparse

    parser = argparse.ArgumentParser(description=(doc or "").partition("\n")[0])
    parser.add_argument("--quick", action="store_true", help=quick_help)
    figures = run(quick=parser.parse_args().quick)
    for name, value in figures.items():
        print(f"{name}: {round(value, 3) if isinstance(value, float) else value}")


# ------------------------------------------------------------------------------ child processes
def run_child(module: str, function: str, params: dict[str, Any], *, timeout: float = 1800) -> dict[str, Any]:
    """Run ``module.function(params) -> dict`` in a fresh Python process; return its dict.

    The child adds ``wall_s``, ``user_cpu_s``, ``sys_cpu_s`` and ``peak_rss_mb`` of the whole
    child (so peak memory is that of the measured work alone, not of the benchmark driver).
    """
    code = (
        "import json, resource, sys, time\n"
        f"sys.path.insert(0, {str(ROOT)!r})\n"
        f"from {module} import {function} as fn\n"
        "params = json.loads(sys.stdin.read())\n"
        "t0 = time.perf_counter()\n"
        "out = fn(params)\n"
        "out['wall_s'] = time.perf_counter() - t0\n"
        "u = resource.getrusage(resource.RUSAGE_SELF)\n"
        "out.update(user_cpu_s=u.ru_utime, sys_cpu_s=u.ru_stime, peak_rss_mb=u.ru_maxrss / 1024)\n"
        "sys.stdout.write('\\n@@RESULT@@' + json.dumps(out, default=str) + '\\n')\n"
    )
    proc = subprocess.run([PYTHON, "-c", code], input=json.dumps(params), capture_output=True, text=True,
                          timeout=timeout, cwd=ROOT)
    marker = proc.stdout.rfind("@@RESULT@@")
    if proc.returncode != 0 or marker < 0:
        raise RuntimeError(f"{module}.{function} failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout[marker + len("@@RESULT@@"):].strip())


# ------------------------------------------------------------------------------ the fake OCI API
class SimProcess:
    """The fake OCI API serving a ``build_scaled_tenancy`` document, in a child process.

    Control goes through the fake's unsigned admin endpoints (``/_sim/knobs``, ``/_sim/requests``).
    ``layout`` is {region: {compartment_id: [backups, boot volumes]}} of the served document.
    """

    def __init__(self, scale: dict[str, int]) -> None:
        code = (f"import sys; sys.path.insert(0, {str(ROOT)!r}); "
                "from bench.common import _serve_child; _serve_child()")
        self._proc = subprocess.Popen([PYTHON, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                      text=True, cwd=ROOT)
        assert self._proc.stdin is not None and self._proc.stdout is not None
        self._proc.stdin.write(json.dumps(scale) + "\n")
        self._proc.stdin.flush()
        line = self._proc.stdout.readline()
        if not line:
            raise RuntimeError(f"the fake OCI API did not start (exit {self._proc.wait()})")
        info = json.loads(line)
        self.url: str = info["url"]
        self.tenancy_id: str = info["tenancy_id"]
        self.home: str = info["home"]
        self.regions: list[str] = info["regions"]
        self.layout: dict[str, dict[str, list[int]]] = info["layout"]
        self.compartments: list[str] = info["compartments"]
        self.build_s: float = info["build_s"]

    @property
    def endpoint_template(self) -> str:
        return self.url + "/{region}"

    def endpoint(self, region: str) -> str:
        return f"{self.url}/{region}"

    def _admin(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(f"{self.url}/_sim/{path}", data=data, method=method,
                                     headers={"content-type": "application/json"})
        with urllib.request.urlopen(req, timeout=120) as resp:  # noqa: S310 - 127.0.0.1 only
            return json.loads(resp.read())

    def set_knobs(self, **knobs: Any) -> dict[str, Any]:
        return self._admin("POST", "knobs", knobs)

    def requests(self) -> list[dict[str, Any]]:
        """The fake's request log since the last :meth:`clear_requests`."""
        return self._admin("GET", "requests")["requests"]

    def clear_requests(self) -> None:
        self._admin("DELETE", "requests")

    def server_cpu_s(self) -> float:
        """CPU seconds (user + system) the fake's process has used so far (from /proc)."""
        fields = Path(f"/proc/{self._proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks = os.sysconf("SC_CLK_TCK")
        return (int(fields[11]) + int(fields[12])) / ticks

    def close(self) -> None:
        if self._proc.poll() is None:
            assert self._proc.stdin is not None
            self._proc.stdin.close()  # the child exits when its stdin closes
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()

    def __enter__(self) -> SimProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _serve_child() -> None:
    """Child side of :class:`SimProcess`: build the document, serve, report, wait for stdin EOF."""
    from reportkit.sim import SimServer
    from bench.tenancy import build_scaled_tenancy

    scale = json.loads(sys.stdin.readline())
    t0 = time.perf_counter()
    doc = build_scaled_tenancy(**scale)
    build_s = time.perf_counter() - t0
    layout: dict[str, dict[str, list[int]]] = {}
    for region, items in doc["bootVolumeBackups"].items():
        for item in items:
            layout.setdefault(region, {}).setdefault(item["compartmentId"], [0, 0])[0] += 1
    for region, items in doc["bootVolumes"].items():
        for item in items:
            layout.setdefault(region, {}).setdefault(item["compartmentId"], [0, 0])[1] += 1
    subs = doc["regionSubscriptions"]
    home = next((s["regionName"] for s in subs if s.get("isHomeRegion")), subs[0]["regionName"])
    server = SimServer(doc).start()
    info = {"url": server.url, "tenancy_id": server.tenancy_id, "home": home,
            "regions": [s["regionName"] for s in subs], "layout": layout,
            "compartments": [doc["tenancy"]["id"]] + [c["id"] for c in doc["compartments"]], "build_s": build_s}
    del doc  # the backend holds its own records
    sys.stdout.write(json.dumps(info) + "\n")
    sys.stdout.flush()
    sys.stdin.read()  # block until the parent closes our stdin (or dies)
    server.stop()


@contextmanager
def oci_config(sim: SimProcess, directory: Path) -> Iterator[tuple[Path, str]]:
    """Write an ``oci`` config (throwaway key) for ``sim`` into ``directory``; yield (path, profile)."""
    from reportkit.sim import write_oci_config

    yield write_oci_config(directory, sim.endpoint_template, tenancy_id=sim.tenancy_id, region=sim.home)


# ------------------------------------------------------------------------------------ the machine
def machine() -> dict[str, str]:
    """Describe the machine and software the figures were measured on."""
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    from importlib.metadata import PackageNotFoundError, version

    versions = []
    for name in ("reportkit", "oci", "oci-cli", "pandas", "pyarrow", "duckdb", "numpy", "papermill", "nbconvert"):
        try:
            versions.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            versions.append(f"{name} (not installed)")
    load = os.getloadavg()
    return {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": str(os.cpu_count()),
        "cpu": cpu,
        "ram": ram,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "packages": ", ".join(versions),
        "load_average_at_start": f"{load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} (1/5/15 min)",
    }


def _assess_child(params: dict[str, Any]) -> dict[str, Any]:
    """Child side of the assess benchmark: ``bench_assess.run`` in a fresh process (clean peak RSS)."""
    from bench.bench_assess import run

    return dict(run(params["backups"]))

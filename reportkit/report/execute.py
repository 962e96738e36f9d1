"""Executing a report notebook: papermill in THIS interpreter, a failure named by its cell and section."""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from reportkit._io import publish_file
from reportkit.errors import InputError, ReportError, ReportkitError


def _kernel_manager_class() -> type:
    """Return a kernel manager that starts ipykernel with THIS interpreter (the project's venv).

    A kernelspec named python3 may exist in the user's Jupyter folders pointing at another Python;
    papermill would then import a different reportkit (or none). Building the spec from
    ``sys.executable`` removes that ambiguity.
    """
    from jupyter_client.kernelspec import KernelSpec
    from jupyter_client.manager import AsyncKernelManager

    class ThisPythonKernelManager(AsyncKernelManager):
        @property
        def kernel_spec(self) -> KernelSpec:
            if self._kernel_spec is None:
                self._kernel_spec = KernelSpec(
                    argv=[sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}",
                          "--IPKernelApp.log_level=ERROR"],
                    display_name=f"reportkit ({sys.executable})", language="python",
                )
            return self._kernel_spec

    return ThisPythonKernelManager


#: errors a cell may raise that mean "bad input" (a parameter the checks before the kernel could not
#: judge): exit 2 like the same error on the command line, and no failed notebook is kept
_INPUT_ERRORS = ("InputError", "SnapshotError", "ConfigError")


def execute_notebook(source: Path, executed: Path, params: dict[str, Any], *, kind: str, progress: bool,
                     timeout: int, out: Path):
    """Run the notebook ``source`` with papermill into ``executed``; return the executed NotebookNode.

    When a cell fails, the executed notebook (with its traceback) is published into ``out/failed/``
    as ``<stem>.ipynb`` (never over an earlier one: ``-2``, ``-3``...) and :class:`ReportError`
    names the cell, its section, the error and that file; a cell refusing its input (InputError,
    SnapshotError, ConfigError) is an :class:`InputError` instead, and nothing is kept.
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    env_backend = os.environ.get("MPLBACKEND")
    os.environ["MPLBACKEND"] = "Agg"  # inherited by the kernel: never try to open a window
    try:
        return papermill.execute_notebook(
            str(source), str(executed), parameters=params, kernel_name="python3", language="python",
            progress_bar={"desc": f"{kind} report", "unit": "cell"} if progress else False,
            cwd=str(Path.cwd()), execution_timeout=timeout,
            kernel_manager_class=_kernel_manager_class(),
        )
    except PapermillExecutionError as exc:
        if exc.ename in _INPUT_ERRORS:
            raise InputError(f"the {kind} report: {exc.evalue.strip()}") from None
        section = _section_of(executed, exc.cell_index)
        where = f"cell {exc.exec_count}" + (f" (section '{section}')" if section else "")
        kept = ""
        if executed.exists():
            kept = f". The executed notebook with the full traceback is {publish_file(executed, out / 'failed', executed.name)}"
        raise ReportError(f"the {kind} report failed in {where}: {exc.ename}: {exc.evalue.strip()}{kept}") from None
    except ReportkitError:
        raise
    except Exception as exc:  # kernel died, timeout, missing kernel: name it for the user
        raise ReportError(f"the {kind} report could not be executed: {type(exc).__name__}: {exc}") from exc
    finally:
        if env_backend is None:
            os.environ.pop("MPLBACKEND", None)
        else:
            os.environ["MPLBACKEND"] = env_backend


def _section_of(executed: Path, cell_index: int) -> str | None:
    """Return the last markdown heading above cell ``cell_index`` of the executed notebook."""
    try:
        import nbformat

        cells = nbformat.read(str(executed), as_version=4).cells
    except Exception:  # noqa: BLE001 - the heading is a courtesy; the error itself is what matters
        return None
    for cell in reversed(cells[: cell_index + 1]):
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    return None

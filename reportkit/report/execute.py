"""Executing a report notebook: papermill in THIS interpreter, a failure named by its cell and section."""
from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import Any

from reportkit.errors import ReportError, ReportkitError


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


def execute_notebook(source: Path, executed: Path, params: dict[str, Any], *, kind: str, progress: bool,
             timeout: int, out: Path):
    """Run the notebook ``source`` with papermill into ``executed``; return the executed NotebookNode.

    On a failing cell, the executed notebook (with its traceback) is kept in ``out`` as
    ``<stem>.FAILED.ipynb`` and :class:`ReportError` names the cell, its section and the error.
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    env_backend = os.environ.get("MPLBACKEND")
    os.environ["MPLBACKEND"] = "Agg"  # inherited by the kernel: never try to open a window
    try:
        return papermill.execute_notebook(
            str(source), str(executed), parameters=params, kernel_name="python3", language="python",
            progress_bar=progress, cwd=str(Path.cwd()), execution_timeout=timeout,
            kernel_manager_class=_kernel_manager_class(),
        )
    except PapermillExecutionError as exc:
        kept = out / f"{executed.stem}.FAILED.ipynb"
        if executed.exists():
            shutil.copyfile(executed, kept)
        section = _section_of(executed, exc.cell_index)
        where = f"cell {exc.exec_count}" + (f" (section '{section}')" if section else "")
        raise ReportError(f"the {kind} report failed in {where}: {exc.ename}: {exc.evalue.strip()}. "
                          f"The executed notebook with the full traceback is {kept}") from None
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

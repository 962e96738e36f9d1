"""Let a package answer calls as the function it is named after (``reportkit.collect(...)``).

``reportkit.collect`` and ``reportkit.assess`` are both a sub-package and the public function of
the same name. Importing the sub-package makes Python set ``reportkit.<name>`` to the *module*,
hiding the lazily exported function; making that module callable keeps ``reportkit.assess(inv)``
working however the package was imported.
"""
from __future__ import annotations

import sys
import types
from collections.abc import Callable
from typing import Any


def make_module_callable(module_name: str, function: Callable[..., Any]) -> None:
    """Make ``sys.modules[module_name](...)`` call ``function(...)``."""

    class _CallableModule(types.ModuleType):
        __doc__ = sys.modules[module_name].__doc__

        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            return function(*args, **kwargs)

    sys.modules[module_name].__class__ = _CallableModule

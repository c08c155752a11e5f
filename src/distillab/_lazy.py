"""Package attributes loaded on first use (PEP 562), so importing a package stays cheap."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_attributes(package: str, home: Mapping[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` that imports ``home[name]`` and returns its ``name``.

    Example (in a package's ``__init__``)::

        __getattr__ = lazy_attributes(__name__, {"write_report": "distillab.report.html"})
    """

    def getattr_(name: str) -> Any:
        if name in home:
            return getattr(importlib.import_module(home[name]), name)
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    return getattr_

"""A griffe extension for the API reference: read ``Example:`` sections as doctest examples.

distillab's docstrings title their doctests ``Example:``, which Google style reads as a plain
admonition, so its ``>>>`` lines would render as nested block quotes; ``Examples:`` renders
them as code. Loaded by ``mkdocs.yml`` (``extensions``); not a documentation page.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

_EXAMPLE = re.compile(r"^(\s*)Example:\s*$", re.MULTILINE)


class ExampleSections(griffe.Extension):
    """Rename every ``Example:`` section title to ``Examples:`` before the docstring is parsed."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        """Rewrite the docstring of each loaded object."""
        if obj.docstring is not None:
            obj.docstring.value = _EXAMPLE.sub(r"\1Examples:", obj.docstring.value)

"""The model pages (``docs/models/<study>.md``) in the report, and links to them.

Docstrings, captions and agreement labels cite the model as "model §N"; the report
turns each such citation into a link to the study's model page, rendered to HTML beside the
study pages. The pages ship with the package (``distillab/model_pages`` in a wheel) and are read
from ``docs/models`` in a source checkout.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import markdown

__all__ = ["link_citations", "model_page", "render_model_page"]

_PACKAGE = Path(__file__).resolve().parents[1]
_PLACES = (_PACKAGE / "model_pages", _PACKAGE.parents[1] / "docs" / "models")
_CITATION = re.compile(r"model §(\d+(?:\.\d+)*)")
_NUMBERED = re.compile(r"^(\d+(?:\.\d+)*)\.?\s")


def model_page(study: str) -> Path | None:
    """The model of ``study``, or ``None`` if it ships none."""
    for place in _PLACES:
        path = place / f"{study}.md"
        if path.is_file():
            return path
    return None


def _slug(title: str, separator: str) -> str:
    """Heading ids: ``"5. Testable predictions"`` → ``"s5"``, ``"4.1 What"`` → ``"s4-1"``."""
    number = _NUMBERED.match(title)
    if number:
        return "s" + number.group(1).replace(".", "-")
    return separator.join(re.findall(r"\w+", title.lower()))


def render_model_page(study: str, text: str) -> str:
    """The HTML body of a model page (headings get ``s<N>`` ids for "§N" links)."""
    return markdown.markdown(
        text,
        extensions=["tables", "toc"],
        extension_configs={"toc": {"slugify": _slug}},
    )


def link_citations(escaped: str, study: str, prefix: str = "../") -> str:
    """Replace every "model §N" in already-escaped HTML text by a link to the model page."""
    if model_page(study) is None:
        return escaped

    def link(match: re.Match[str]) -> str:
        number = match.group(1)
        anchor = "s" + number.split(".")[0]
        href = html.escape(f"{prefix}models/{study}.html#{anchor}")
        return f"<a href='{href}'>model §{number}</a>"

    return _CITATION.sub(link, escaped)

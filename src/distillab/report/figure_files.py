"""A drawn figure as files for the report: the image (SVG, or PNG at 2× when SVG is large) and
the data of every panel as CSV, so a reader can read exact values instead of estimating them."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib
import numpy as np
from matplotlib.axes import Axes
from matplotlib.container import ErrorbarContainer
from matplotlib.figure import Figure as MplFigure

from distillab.studies import Figure
from distillab.sweep.store import Row

__all__ = ["FigureFiles", "figure_files", "panel_csv", "render_figure"]

SVG_LIMIT = 400_000
"""Largest SVG kept (bytes); a figure with more points than that is stored as a 2× PNG."""

_DPI = 110


@dataclass(frozen=True)
class FigureFiles:
    """The files of one figure.

    Attributes:
      image: the image bytes.
      suffix: ``"svg"`` or ``"png"``.
      csv: every panel's series as CSV text (UTF-8 bytes).
      width_px, height_px: the image's size in CSS pixels at 1×.
    """

    image: bytes
    suffix: str
    csv: bytes
    width_px: int
    height_px: int


def render_figure(figure: Figure, rows: Sequence[Row]) -> bytes:
    """Draw ``figure`` from ``rows`` and return PNG bytes at the report's 1× resolution."""
    buffer = io.BytesIO()
    figure.draw(rows).savefig(buffer, format="png", dpi=_DPI)
    return buffer.getvalue()


def _series(ax: Axes) -> list[tuple[str, str, np.ndarray, np.ndarray, np.ndarray]]:
    """(series label, kind, x, y, y error) for every line and error-bar set of a panel."""
    out = []
    in_containers = set()
    for container in ax.containers:
        if not isinstance(container, ErrorbarContainer):
            continue
        line, _, bars = container.lines
        if line is None:
            continue
        in_containers.add(id(line))
        x = np.asarray(line.get_xdata(), dtype=float)
        y = np.asarray(line.get_ydata(), dtype=float)
        err = np.full_like(y, np.nan)
        if bars:
            segments = bars[0].get_segments()
            if len(segments) == len(y):
                err = np.asarray([abs(s[1][1] - s[0][1]) / 2 for s in segments])
        label = container.get_label() or ""
        out.append((label if not label.startswith("_") else "", "points ± s.e.", x, y, err))
    for line in ax.get_lines():
        if id(line) in in_containers or line.get_label() == "_nolegend_":
            continue
        x = np.asarray(line.get_xdata(), dtype=float)
        y = np.asarray(line.get_ydata(), dtype=float)
        if x.size == 0 or x.shape != y.shape:
            continue
        label = str(line.get_label())
        kind = "line" if line.get_linestyle() not in ("None", "none", "") else "points"
        out.append(
            (label if not label.startswith("_") else "", kind, x, y, np.full_like(y, np.nan))
        )
    return out


def panel_csv(drawing: MplFigure) -> bytes:
    """The data of every visible panel of ``drawing`` as CSV.

    Columns: ``panel, title, xlabel, ylabel, series, kind, x, y, y_error`` (one row per drawn
    point; ``kind`` is ``line`` for theory, ``points ± s.e.`` for simulation means).
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["panel", "title", "xlabel", "ylabel", "series", "kind", "x", "y", "y_error"])
    panels = [ax for ax in drawing.axes if ax.get_visible() and ax.axison]
    for index, ax in enumerate(panels, start=1):
        for label, kind, xs, ys, errs in _series(ax):
            for x, y, err in zip(xs, ys, errs, strict=True):
                writer.writerow(
                    [
                        index,
                        ax.get_title(),
                        ax.get_xlabel(),
                        ax.get_ylabel(),
                        label,
                        kind,
                        repr(float(x)),
                        repr(float(y)),
                        "" if np.isnan(err) else repr(float(err)),
                    ]
                )
    return buffer.getvalue().encode("utf-8")


def figure_files(figure: Figure, rows: Sequence[Row]) -> FigureFiles:
    """Draw ``figure`` once and return its image and panel data.

    SVG keeps lines sharp at any zoom and is small for line plots; a figure whose SVG would
    exceed :data:`SVG_LIMIT` bytes (many scattered points) is stored as a PNG at 2×.
    """
    drawing = figure.draw(rows)
    width, height = drawing.get_size_inches()
    svg = io.BytesIO()
    with matplotlib.rc_context({"svg.fonttype": "none"}):  # text as text: small and sharp
        drawing.savefig(svg, format="svg", metadata={"Date": None})
    image, suffix = svg.getvalue(), "svg"
    if len(image) > SVG_LIMIT:
        png = io.BytesIO()
        drawing.savefig(png, format="png", dpi=2 * _DPI)
        image, suffix = png.getvalue(), "png"
    return FigureFiles(
        image=image,
        suffix=suffix,
        csv=panel_csv(drawing),
        width_px=round(width * _DPI),
        height_px=round(height * _DPI),
    )

"""Helpers for figure ``plot(rows)`` functions: theory as lines, simulation as mean ± s.e.

Figures are drawn on ``matplotlib.figure.Figure`` objects (no pyplot state), so plotting is safe
in any process and needs no display.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from numpy.typing import NDArray

from distillab.sweep.store import Row

__all__ = [
    "finish_axes",
    "matches",
    "new_figure",
    "plot_simulation",
    "plot_theory",
    "seed_statistics",
    "theory_curve",
]


def new_figure(
    ncols: int = 1, nrows: int = 1, *, width: float = 4.8, height: float = 3.6
) -> tuple[Figure, NDArray[Any]]:
    """A figure with an ``(nrows, ncols)`` array of axes, sized per panel."""
    figure = Figure(figsize=(width * ncols, height * nrows), layout="constrained")
    axes = figure.subplots(nrows, ncols, squeeze=False)
    return figure, axes


def matches(row: Row, where: Mapping[str, Any] | None) -> bool:
    """True if every ``where`` entry equals the row's parameter of that name."""
    return all(row.params.get(key) == value for key, value in (where or {}).items())


def theory_curve(
    rows: Sequence[Row], x: str, y: str, *, where: Mapping[str, Any] | None = None
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Theory rows' (params[x], values[y]) sorted by x, filtered by ``where``."""
    pairs = sorted(
        (float(r.params[x]), float(r.values[y]))
        for r in rows
        if r.kind == "theory" and r.ok and y in r.values and matches(r, where)
    )
    if not pairs:
        return np.empty(0), np.empty(0)
    xs, ys = zip(*pairs, strict=True)
    return np.asarray(xs), np.asarray(ys)


def seed_statistics(
    rows: Sequence[Row], x: str, y: str, *, where: Mapping[str, Any] | None = None
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64], NDArray[np.int64]]:
    """Mean and standard error over seeds of simulation values[y], grouped by params[x].

    Returns:
      ``(x, mean, sem, count)`` sorted by x; sem = sample std/√count (0 for a single seed).
    """
    groups: dict[float, list[float]] = defaultdict(list)
    for r in rows:
        if r.kind == "simulation" and r.ok and y in r.values and matches(r, where):
            groups[float(r.params[x])].append(float(r.values[y]))
    xs = np.asarray(sorted(groups))
    stats = [_mean_sem(groups[v]) for v in xs]
    mean = np.asarray([s[0] for s in stats])
    sem = np.asarray([s[1] for s in stats])
    count = np.asarray([len(groups[v]) for v in xs], dtype=np.int64)
    return xs, mean, sem, count


def _mean_sem(values: Sequence[float]) -> tuple[float, float]:
    data = np.asarray(values, dtype=np.float64)
    if data.size == 0:
        return float("nan"), float("nan")
    sem = float(data.std(ddof=1) / np.sqrt(data.size)) if data.size > 1 else 0.0
    return float(data.mean()), sem


def plot_theory(
    ax: Axes,
    rows: Sequence[Row],
    x: str,
    y: str,
    *,
    where: Mapping[str, Any] | None = None,
    label: str | None = None,
    **style: Any,
) -> None:
    """Draw the theory values as a line."""
    xs, ys = theory_curve(rows, x, y, where=where)
    if xs.size:
        ax.plot(xs, ys, label=label, **{"linewidth": 1.6, **style})


def plot_simulation(
    ax: Axes,
    rows: Sequence[Row],
    x: str,
    y: str,
    *,
    where: Mapping[str, Any] | None = None,
    label: str | None = None,
    **style: Any,
) -> None:
    """Draw the simulation seed means with standard-error bars."""
    xs, mean, sem, _ = seed_statistics(rows, x, y, where=where)
    if xs.size:
        ax.errorbar(
            xs, mean, yerr=sem, label=label, **{"fmt": "o", "markersize": 4, "capsize": 3, **style}
        )


def finish_axes(
    ax: Axes,
    *,
    xlabel: str,
    ylabel: str,
    title: str = "",
    xscale: str = "linear",
    yscale: str = "linear",
) -> None:
    """Label the axes, set their scales and add a legend when anything is labelled."""
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    for set_scale, scale in ((ax.set_xscale, xscale), (ax.set_yscale, yscale)):
        if scale == "log2":
            set_scale("log", base=2)
        else:
            set_scale(scale)
    if ax.get_legend_handles_labels()[1]:
        ax.legend(fontsize=8)

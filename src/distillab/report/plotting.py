"""Helpers for figure ``plot(rows)`` functions: theory as lines, simulation as mean ± s.e.

Figures are drawn on ``matplotlib.figure.Figure`` objects (no pyplot state), so plotting is safe
in any process and needs no display.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from numpy.typing import NDArray

from distillab.sweep.store import Row

__all__ = [
    "finish_axes",
    "list_statistics",
    "matches",
    "new_figure",
    "plot_list",
    "plot_simulation",
    "plot_theory",
    "seed_statistics",
    "theory_curve",
    "value_statistics",
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
    rows: Sequence[Row],
    x: str,
    y: str,
    *,
    where: Mapping[str, Any] | None = None,
    position: Callable[[Any], float] = float,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Theory rows' (position(params[x]), values[y]) sorted by x, filtered by ``where``."""
    pairs = sorted(
        (position(r.params[x]), float(r.values[y])) for r in _selected(rows, y, where, "theory")
    )
    if not pairs:
        return np.empty(0), np.empty(0)
    xs, ys = zip(*pairs, strict=True)
    return np.asarray(xs), np.asarray(ys)


def seed_statistics(
    rows: Sequence[Row],
    x: str,
    y: str,
    *,
    where: Mapping[str, Any] | None = None,
    position: Callable[[Any], float] = float,
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64], NDArray[np.int64]]:
    """Mean and standard error over seeds of simulation values[y], grouped by params[x].

    ``position`` maps a parameter value to its place on the x axis (e.g. a category's index).

    Returns:
      ``(x, mean, sem, count)`` sorted by x; sem = sample std/√count (0 for a single seed).
    """
    groups: dict[float, list[float]] = defaultdict(list)
    for r in _selected(rows, y, where, "simulation"):
        groups[position(r.params[x])].append(float(r.values[y]))
    xs = np.asarray(sorted(groups))
    stats = [_mean_sem(np.asarray(groups[v], dtype=np.float64)) for v in xs]
    mean = np.asarray([s[0] for s in stats])
    sem = np.asarray([s[1] for s in stats])
    count = np.asarray([len(groups[v]) for v in xs], dtype=np.int64)
    return xs, mean, sem, count


def _mean_sem(data: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Mean and standard error along axis 0 (sample std/√k; 0 for a single row)."""
    if len(data) > 1:
        return data.mean(axis=0), data.std(axis=0, ddof=1) / np.sqrt(len(data))
    return data.mean(axis=0), np.zeros_like(data[0])


def _selected(
    rows: Sequence[Row], key: str, where: Mapping[str, Any] | None, kind: str
) -> list[Row]:
    return [r for r in rows if r.kind == kind and r.ok and key in r.values and matches(r, where)]


def value_statistics(
    rows: Sequence[Row],
    key: str,
    *,
    where: Mapping[str, Any] | None = None,
    kind: str = "simulation",
) -> tuple[float, float, int]:
    """Mean, standard error and count of a scalar values[key] over the matching rows.

    Returns ``(nan, nan, 0)`` if no row matches.
    """
    chosen = _selected(rows, key, where, kind)
    if not chosen:
        return float("nan"), float("nan"), 0
    mean, sem = _mean_sem(np.asarray([float(r.values[key]) for r in chosen]))
    return float(mean), float(sem), len(chosen)


def list_statistics(
    rows: Sequence[Row],
    key: str,
    *,
    where: Mapping[str, Any] | None = None,
    kind: str = "simulation",
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Element-wise mean and standard error over the matching rows of a list values[key].

    For list-valued results such as a trajectory u(k) or an accuracy curve. Rows whose lists
    differ in length from the first are skipped; empty arrays if no row matches.
    """
    lists = [np.asarray(r.values[key], dtype=np.float64) for r in _selected(rows, key, where, kind)]
    lists = [v for v in lists if v.shape == lists[0].shape] if lists else []
    if not lists:
        return np.empty(0), np.empty(0)
    return _mean_sem(np.stack(lists))


def plot_theory(
    ax: Axes,
    rows: Sequence[Row],
    x: str,
    y: str,
    *,
    where: Mapping[str, Any] | None = None,
    label: str | None = None,
    kind: str = "theory",
    position: Callable[[Any], float] = float,
    **style: Any,
) -> None:
    """Draw the theory values as a line.

    ``kind="simulation"`` draws the seed mean of a theory value that ``simulate`` returned
    beside its measurement (a theory that depends on the seed's data or network).
    """
    if kind == "theory":
        xs, ys = theory_curve(rows, x, y, where=where, position=position)
    else:
        xs, ys, _, _ = seed_statistics(rows, x, y, where=where, position=position)
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
    scope: Callable[[Mapping[str, Any]], bool] | None = None,
    position: Callable[[Any], float] = float,
    **style: Any,
) -> None:
    """Draw the simulation seed means with standard-error bars.

    ``scope`` (a claim's ``in_scope``): points outside it are drawn hollow and faded in the
    series' colour, so a reader sees where the theory does not claim agreement.
    """
    xs, mean, sem, _ = seed_statistics(rows, x, y, where=where, position=position)
    if not xs.size:
        return
    inside = np.ones(xs.size, dtype=bool)
    if scope is not None:
        first: dict[float, Mapping[str, Any]] = {}
        for r in _selected(rows, y, where, "simulation"):
            first.setdefault(position(r.params[x]), r.params)
        inside = np.asarray([bool(scope(first[float(v)])) for v in xs])
    style = {"fmt": "o", "markersize": 4, "capsize": 3, **style}
    if inside.any():
        ax.errorbar(xs[inside], mean[inside], yerr=sem[inside], label=label, **style)
    if (~inside).any():
        # Hollow and faded, in the series' own colour so a reader still sees which series it is.
        faded = {**style, "markerfacecolor": "none", "linestyle": "none", "alpha": 0.45}
        faded.setdefault("color", "0.5")
        unclaimed = label if not inside.any() else None  # keep the series in the legend
        ax.errorbar(xs[~inside], mean[~inside], yerr=sem[~inside], label=unclaimed, **faded)


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


def plot_list(
    ax: Axes,
    rows: Sequence[Row],
    x: str,
    y: str,
    *,
    where: Mapping[str, Any] | None = None,
    kind: str = "simulation",
    points: bool = True,
    every: int = 1,
    band: bool = False,
    shift: float = 0.0,
    label: str | None = None,
    **style: Any,
) -> None:
    """Draw list values[y] against list values[x] + ``shift`` (e.g. a trajectory against its
    steps, or against step + 1 on a log axis).

    ``points=True``: every ``every``-th element as a seed mean with standard-error bars;
    ``points=False``: a line through the means, with a shaded mean ± s.e. band if ``band``.
    """
    xs, _ = list_statistics(rows, x, where=where, kind=kind)
    ys, sem = list_statistics(rows, y, where=where, kind=kind)
    if not xs.size or xs.shape != ys.shape:
        return
    xs = xs + shift
    if points:
        ax.errorbar(
            xs[::every],
            ys[::every],
            yerr=sem[::every],
            label=label,
            **{"fmt": "o", "markersize": 3.5, "capsize": 2, **style},
        )
    else:
        ax.plot(xs, ys, label=label, **{"linewidth": 1.6, **style})
        if band:
            colour = style.get("color", ax.get_lines()[-1].get_color())
            ax.fill_between(xs, ys - sem, ys + sem, color=colour, alpha=0.25)

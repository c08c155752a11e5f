"""Plot helpers of study ``rahbar-2020`` for values the foundation helpers do not cover.

Two cases: list-valued results (a trajectory u(k) or a spectrum per row: seed mean ± s.e. element
by element) and theory values that depend on the seed's network (u(0), a trained teacher), which
``simulate`` returns beside the measurement; their seed mean is drawn as the theory line.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from numpy.typing import NDArray

from distillab.report.plotting import matches, seed_statistics
from distillab.sweep.store import Row

__all__ = ["list_statistics", "plot_list", "plot_seed_theory"]


def list_statistics(
    rows: Sequence[Row],
    key: str,
    *,
    where: Mapping[str, Any] | None = None,
    kind: str = "simulation",
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Element-wise mean and standard error over the ``kind`` rows of list values[key].

    Rows whose lists differ in length from the first are skipped. Returns empty arrays if no row
    matches; the standard error is 0 for a single row.
    """
    lists = [
        np.asarray(r.values[key], dtype=np.float64)
        for r in rows
        if r.kind == kind and r.ok and key in r.values and matches(r, where)
    ]
    lists = [v for v in lists if v.shape == lists[0].shape] if lists else []
    if not lists:
        return np.empty(0), np.empty(0)
    data = np.stack(lists)
    sem = (
        data.std(axis=0, ddof=1) / np.sqrt(len(lists)) if len(lists) > 1 else np.zeros_like(data[0])
    )
    return data.mean(axis=0), sem


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
    label: str | None = None,
    **style: Any,
) -> None:
    """Draw list values[y] against list values[x]: points with s.e. bars, or a line."""
    xs, _ = list_statistics(rows, x, where=where, kind=kind)
    ys, sem = list_statistics(rows, y, where=where, kind=kind)
    if not xs.size or xs.shape != ys.shape:
        return
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


def plot_seed_theory(
    ax: Axes,
    rows: Sequence[Row],
    x: str,
    y: str,
    *,
    where: Mapping[str, Any] | None = None,
    label: str | None = None,
    **style: Any,
) -> None:
    """Draw the seed mean of a theory value that ``simulate`` returned, as a line over params[x]."""
    xs, mean, _, _ = seed_statistics(rows, x, y, where=where)
    if xs.size:
        ax.plot(xs, mean, label=label, **{"linewidth": 1.6, **style})

"""Shared fixtures: a toy study registered in place of the real registry."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from matplotlib.figure import Figure as MplFigure

import distillab.studies as studies_module
from distillab.report.plotting import new_figure, plot_simulation, plot_theory
from distillab.studies import Comparison, Figure, Study, Tolerance
from distillab.train.cache import CACHE_ENV

# Simulations cache teacher outputs; keep the test session's cache out of the user's home.
os.environ.setdefault(CACHE_ENV, tempfile.mkdtemp(prefix="distillab-test-cache-"))


def _theory(params: Mapping[str, Any]) -> dict[str, float]:
    return {"y": 2.0 * params["x"]}


def _simulate(params: Mapping[str, Any], seed: int) -> dict[str, Any]:
    if params["x"] == 3:
        raise RuntimeError("boom at x=3")
    if params["x"] == 2 and seed == 1:
        return {"status": "diverged", "message": "blew up", "y": float("inf")}
    return {"y": 2.0 * params["x"] + 0.01 * (seed - 0.5)}


def _plot(rows: list[Any]) -> MplFigure:
    figure, axes = new_figure()
    plot_theory(axes[0, 0], rows, "x", "y", label="theory")
    plot_simulation(axes[0, 0], rows, "x", "y", label="simulation")
    axes[0, 0].set_xlabel("x")
    return figure


TOY_FIGURE = Figure(
    name="line",
    title="a straight line",
    caption="y = 2x",
    grid={"quick": [{"x": 1}, {"x": 2}, {"x": 3}], "full": [{"x": v} for v in range(1, 6)]},
    theory=_theory,
    simulate=_simulate,
    plot=_plot,
    seeds={"quick": 2, "full": 3},
    compare=(
        Comparison(
            "y",
            "y",
            Tolerance("toy: seeds scatter by ±0.005 around 2x", allowance=0.01, z=0.0),
            label="y = 2x",
        ),
    ),
)
TOY_STUDY = Study("toy", "Toy", "nobody", "made up for tests", (TOY_FIGURE,))


@pytest.fixture
def toy_registry(monkeypatch: pytest.MonkeyPatch) -> Iterator[Study]:
    """Replace the studies registry by the toy study (in-process runs only)."""
    monkeypatch.setattr(studies_module, "registry", lambda: {"toy": TOY_STUDY})
    yield TOY_STUDY

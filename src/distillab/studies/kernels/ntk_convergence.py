"""Figure ``kernels/ntk-convergence``: the empirical NTK of a width-m net tends to the analytic NTK.

Theory (exact for i.i.d. hidden units): the width-m empirical NTK is a mean of m i.i.d. per-unit
kernels, so E‖Θ_m − Θ‖_F² = Σ_ij Var[c(x_i, x_j)]/m with the closed-form variance of
:func:`distillab.kernels.relu_ntk_variance`; the predicted relative error
sqrt(E‖Θ_m − Θ‖_F²)/‖Θ‖_F falls as m^{-1/2}. Simulation: ``empirical_ntk`` of a freshly
initialised ``TwoLayerNet`` on the same inputs, one network per seed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import torch
from matplotlib.figure import Figure as MplFigure

from distillab.data import unit_sphere
from distillab.kernels import empirical_ntk, relu_ntk, relu_ntk_variance
from distillab.nn import TwoLayerNet
from distillab.report.plotting import finish_axes, new_figure, plot_simulation, plot_theory
from distillab.studies.spec import Comparison, Figure, Tolerance
from distillab.sweep.grid import product_grid
from distillab.sweep.store import Row

TRAINED = ("first", "both")


def _inputs(params: Mapping[str, Any]) -> np.ndarray:
    return unit_sphere(params["n"], params["d"], seed=params["data_seed"])


def theory(params: Mapping[str, Any]) -> dict[str, float]:
    """Predicted mean squared relative error Σ Var/(m‖Θ‖_F²) and its root at width m."""
    X = _inputs(params)
    kernel = relu_ntk(X, trained=params["trained"])
    variance = relu_ntk_variance(X, trained=params["trained"])
    squared = variance.sum() / params["width"] / np.linalg.norm(kernel) ** 2
    return {"squared_error": float(squared), "relative_error": float(np.sqrt(squared))}


def simulate(params: Mapping[str, Any], seed: int) -> dict[str, float]:
    """Mean over ``networks`` random networks of ‖Θ̂_m − Θ‖_F²/‖Θ‖_F², and of its root.

    The networks of seed s are seeded ``s·networks + j``, so seeds never share a network.
    """
    X = _inputs(params)
    kernel = relu_ntk(X, trained=params["trained"])
    squared = []
    for j in range(params["networks"]):
        net = TwoLayerNet(
            params["d"],
            params["width"],
            trained=params["trained"],
            seed=seed * params["networks"] + j,
            dtype=torch.float64,
        )
        squared.append(np.linalg.norm(empirical_ntk(net, X) - kernel) ** 2)
    squared_error = np.asarray(squared) / np.linalg.norm(kernel) ** 2
    return {
        "squared_error": float(squared_error.mean()),
        "relative_error": float(np.sqrt(squared_error).mean()),
    }


def plot(rows: list[Row]) -> MplFigure:
    figure, axes = new_figure()
    ax = axes[0, 0]
    for trained, colour in zip(TRAINED, ("C0", "C1"), strict=True):
        where = {"trained": trained}
        plot_theory(
            ax,
            rows,
            "width",
            "relative_error",
            where=where,
            color=colour,
            label=f"theory, trained={trained}",
        )
        plot_simulation(
            ax,
            rows,
            "width",
            "relative_error",
            where=where,
            color=colour,
            label=f"simulation, trained={trained}",
        )
    finish_axes(
        ax,
        xlabel="width m",
        ylabel=r"$\|\hat\Theta_m-\Theta\|_F\,/\,\|\Theta\|_F$",
        title="Empirical NTK → analytic NTK (slope −1/2)",
        xscale="log2",
        yscale="log",
    )
    return figure


_BASE = {"n": 24, "d": 8, "data_seed": 0}
_NETWORKS = {"quick": 4, "full": 64}

FIGURE = Figure(
    name="ntk-convergence",
    title="Empirical NTK of TwoLayerNet converges to relu_ntk as m^(-1/2)",
    caption=(
        "Relative Frobenius error between the empirical NTK of a width-m two-layer ReLU network "
        "(NTK parameterisation, a_r = ±1) and the analytic arc-cosine NTK on 24 points of the "
        "sphere S^7. Lines: the exact prediction sqrt(Σ_ij Var[c_ij]/m)/‖Θ‖_F from the per-unit "
        "variance (slope −1/2); points: seed mean ± s.e. of independent networks. The agreement "
        "line tests the unbiased squared error, whose mean equals ΣVar/(m‖Θ‖²) at every width."
    ),
    grid={
        "quick": product_grid(
            trained=TRAINED,
            width=[64, 256, 1024, 4096],
            networks=[_NETWORKS["quick"]],
            **{k: [v] for k, v in _BASE.items()},
        ),
        "full": product_grid(
            trained=TRAINED,
            width=[2**k for k in range(5, 17)],
            networks=[_NETWORKS["full"]],
            **{k: [v] for k, v in _BASE.items()},
        ),
    },
    theory=theory,
    simulate=simulate,
    plot=plot,
    # One network's squared error has a coefficient of variation of about 0.36, so a seed (a mean
    # over `networks` networks) has 0.36/sqrt(networks): 16 seeds of 64 networks resolve ≈ 4 %.
    seeds={"quick": 8, "full": 16},
    compare=(
        Comparison(
            "squared_error",
            "squared_error",
            Tolerance(
                "E‖Θ_m − Θ‖²/‖Θ‖² = ΣVar/(m‖Θ‖²) is exact at every width for i.i.d. units, so "
                "only the seed noise of the unbiased squared error is allowed (z = 3)."
            ),
            label="mean squared relative error = ΣVar/(m‖Θ‖²), every width (exact)",
        ),
    ),
)

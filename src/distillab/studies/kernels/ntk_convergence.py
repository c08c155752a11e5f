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
from distillab.studies.spec import Comparison, Figure
from distillab.sweep.grid import product_grid
from distillab.sweep.store import Row

TRAINED = ("first", "both")


def _inputs(params: Mapping[str, Any]) -> np.ndarray:
    return unit_sphere(params["n"], params["d"], seed=params["data_seed"])


def theory(params: Mapping[str, Any]) -> dict[str, float]:
    """Predicted relative Frobenius error sqrt(Σ Var/m)/‖Θ‖_F at width m."""
    X = _inputs(params)
    kernel = relu_ntk(X, trained=params["trained"])
    variance = relu_ntk_variance(X, trained=params["trained"])
    error = np.sqrt(variance.sum() / params["width"]) / np.linalg.norm(kernel)
    return {"relative_error": float(error)}


def simulate(params: Mapping[str, Any], seed: int) -> dict[str, float]:
    """Relative Frobenius error ‖Θ̂_m − Θ‖_F/‖Θ‖_F of one random network."""
    X = _inputs(params)
    net = TwoLayerNet(
        params["d"], params["width"], trained=params["trained"], seed=seed, dtype=torch.float64
    )
    kernel = relu_ntk(X, trained=params["trained"])
    empirical = empirical_ntk(net, X)
    return {"relative_error": float(np.linalg.norm(empirical - kernel) / np.linalg.norm(kernel))}


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

FIGURE = Figure(
    name="ntk-convergence",
    title="Empirical NTK of TwoLayerNet converges to relu_ntk as m^(-1/2)",
    caption=(
        "Relative Frobenius error between the empirical NTK of a width-m two-layer ReLU network "
        "(NTK parameterisation, a_r = ±1) and the analytic arc-cosine NTK on 24 points of the "
        "sphere S^7. Lines: the exact prediction sqrt(Σ_ij Var[c_ij]/m)/‖Θ‖_F from the per-unit "
        "variance (slope −1/2); points: seed mean ± s.e. of independent networks."
    ),
    grid={
        "quick": product_grid(
            trained=TRAINED, width=[64, 256, 1024, 4096], **{k: [v] for k, v in _BASE.items()}
        ),
        "full": product_grid(
            trained=TRAINED,
            width=[2**k for k in range(5, 17)],
            **{k: [v] for k, v in _BASE.items()},
        ),
    },
    theory=theory,
    simulate=simulate,
    plot=plot,
    # One network's error has a coefficient of variation of about 0.18 around the prediction, so
    # a mean of 8 networks lies within 20% of it at 2.5 standard errors.
    seeds={"quick": 8, "full": 16},
    compare=(
        Comparison(
            "relative_error",
            "relative_error",
            tolerance=0.20,
            label="relative Frobenius error vs sqrt(ΣVar/m)/‖Θ‖ (8+ seeds)",
        ),
    ),
)

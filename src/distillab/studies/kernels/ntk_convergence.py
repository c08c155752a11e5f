"""Figure ``kernels/ntk-convergence``: the empirical NTK of a width-m net tends to the analytic NTK.

Theory (exact for i.i.d. hidden units): the width-m empirical NTK is a mean of m i.i.d. per-unit
kernels, so E‖Θ_m − Θ‖_F² = Σ_ij Var[c(x_i, x_j)]/m with the closed-form variance of
:func:`distillab.kernels.relu_ntk_variance`; the predicted relative error
sqrt(E‖Θ_m − Θ‖_F²)/‖Θ‖_F falls as m^{-1/2}. Simulation: ``empirical_ntk`` of a freshly
initialised ``TwoLayerNet`` on the same inputs, one network per seed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from distillab.report.panels import Line, Panel, Plot, Points
from distillab.studies.point import Point, within
from distillab.studies.spec import Comparison, Figure, Tolerance
from distillab.sweep.grid import product_grid

TRAINED = ("first", "both")


@dataclass(frozen=True)
class KernelPoint(Point):
    """n inputs on S^{d−1} (seed ``data_seed``), width m, the trained layers, networks per seed."""

    trained: Literal["first", "both"]
    width: int = within(1)
    networks: int = within(1)
    n: int = within(1)
    d: int = within(2)
    data_seed: int = within(0)


def _kernel(point: KernelPoint) -> tuple[np.ndarray, np.ndarray]:
    """The inputs X (n, d) and their analytic NTK Θ (n, n)."""
    from distillab.data import unit_sphere
    from distillab.kernels import relu_ntk

    X = unit_sphere(point.n, point.d, seed=point.data_seed)
    return X, relu_ntk(X, trained=point.trained)


def theory(point: KernelPoint) -> dict[str, float]:
    """Predicted mean squared relative error Σ Var/(m‖Θ‖_F²) and its root at width m."""
    from distillab.kernels import relu_ntk_variance

    X, kernel = _kernel(point)
    variance = relu_ntk_variance(X, trained=point.trained)
    squared = variance.sum() / point.width / np.linalg.norm(kernel) ** 2
    return {"squared_error": float(squared), "relative_error": float(np.sqrt(squared))}


def simulate(point: KernelPoint, seed: int) -> dict[str, float]:
    """Mean over ``networks`` random networks of ‖Θ̂_m − Θ‖_F²/‖Θ‖_F², and of its root.

    The networks of seed s are seeded ``s·networks + j``, so seeds never share a network.
    """
    import torch

    from distillab.kernels import empirical_ntk
    from distillab.nn import TwoLayerNet

    X, kernel = _kernel(point)
    squared = []
    for j in range(point.networks):
        net = TwoLayerNet(
            point.d,
            point.width,
            trained=point.trained,
            seed=seed * point.networks + j,
            dtype=torch.float64,
        )
        squared.append(np.linalg.norm(empirical_ntk(net, X) - kernel) ** 2)
    squared_error = np.asarray(squared) / np.linalg.norm(kernel) ** 2
    return {
        "squared_error": float(squared_error.mean()),
        "relative_error": float(np.sqrt(squared_error).mean()),
    }


PLOT = Plot(
    Panel(
        "width",
        series=(
            Line("relative_error", label="theory, trained={by}"),
            Points("relative_error", label="simulation, trained={by}"),
        ),
        xlabel="width m",
        ylabel=r"$\|\hat\Theta_m-\Theta\|_F\,/\,\|\Theta\|_F$",
        title="Empirical NTK → analytic NTK (slope −1/2)",
        xscale="log2",
        yscale="log",
        by="trained",
    )
)

_BASE = {"n": [24], "d": [8], "data_seed": [0]}
_WIDTHS = {"quick": [64, 256, 1024, 4096], "full": [2**k for k in range(5, 17)]}
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
        profile: product_grid(trained=TRAINED, width=widths, networks=[_NETWORKS[profile]], **_BASE)
        for profile, widths in _WIDTHS.items()
    },
    theory=theory,
    simulate=simulate,
    plot=PLOT,
    point=KernelPoint,
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

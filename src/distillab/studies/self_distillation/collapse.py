"""Figure ``self-distillation/collapse``: rounds before the ε-constrained fit collapses, vs ε.

Theory (Mobahi et al.'s constrained form): round t minimises ‖f‖²_H subject to a training mean
squared error ε against round t's targets (the previous training outputs), i.e. kernel ridge
regression with the λ_t at which that error is exactly ε; once ‖p_{t−1}‖²/n ≤ ε the zero
function is feasible and the fit collapses. The engine computes the rounds T(ε) exactly
(one eigendecomposition, one root-find per round); the reconstructed bracket
⌈√r⌉ − 1 ≤ T ≤ ⌈r⌉ − 1 with r = ‖y‖²/(nε) (:func:`collapse_bounds`) is drawn beside it. The
paper's own bound (in terms of the Gram matrix's condition number) is not reproduced here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from distillab.report.panels import Line, Panel, Plot
from distillab.studies.point import within
from distillab.studies.self_distillation.problem import DataPoint, problem_of
from distillab.studies.spec import Figure
from distillab.sweep.grid import product_grid

_BASE = {"n": 64, "n_test": 400, "d": 8, "noise": 4.0, "data_seed": 0}
_FRACTIONS = {"quick": np.logspace(-2, -0.25, 8), "full": np.logspace(-3, -0.1, 30)}


@dataclass(frozen=True)
class CollapsePoint(DataPoint):
    """The training error ε each round keeps, as a fraction of ‖y‖²/n."""

    loss_fraction: float = within(0, 1)


def theory(point: CollapsePoint) -> dict[str, float]:
    """T(ε) with ε = fraction·‖y‖²/n, the reconstructed bracket, and the last λ_t."""
    from distillab.theory.self_distillation import collapse_bounds

    prob = problem_of(point)
    label_norm = float(prob.y @ prob.y) / prob.y.size
    loss = point.loss_fraction * label_norm
    path = prob.engine.collapse(loss, max_rounds=100_000)
    lower, upper = collapse_bounds(label_norm, loss)
    return {
        "rounds": float(path.rounds),
        "lower_bound": float(lower),
        "upper_bound": float(upper),
        "collapsed": float(path.collapsed),
    }


PLOT = Plot(
    Panel(
        "loss_fraction",
        series=(
            Line("rounds", color="C0", label="rounds T(ε), exact"),
            Line("lower_bound", color="0.4", linestyle="--", label="lower bound ⌈√r⌉ − 1"),
            Line("upper_bound", color="0.4", linestyle=":", label="upper bound ⌈r⌉ − 1"),
        ),
        xlabel="ε / (‖y‖²/n)",
        ylabel="rounds before collapse",
        title="ε-constrained self-distillation collapses",
        xscale="log",
        yscale="log",
    )
)


FIGURE = Figure(
    name="collapse",
    title="Rounds of ε-constrained self-distillation before the fit collapses to zero",
    caption=(
        "Mobahi et al.'s constrained self-distillation on the data of the rounds figure "
        f"({_BASE['n']} points of S^{_BASE['d'] - 1}, NTK H^∞, noise σ = {_BASE['noise']:g}): "
        "each round keeps the training error against its targets at ε, which needs a larger "
        "ridge every round until the zero function is feasible. Line: the exact number of "
        "non-trivial rounds T(ε); dashed/dotted: the reconstructed bracket with "
        "r = ‖y‖²/(nε). Theory only: no simulation of this version yet."
    ),
    grid={
        profile: product_grid(
            loss_fraction=[float(f) for f in fractions], **{k: [v] for k, v in _BASE.items()}
        )
        for profile, fractions in _FRACTIONS.items()
    },
    theory=theory,
    plot=PLOT,
    point=CollapsePoint,
)

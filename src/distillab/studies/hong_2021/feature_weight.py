"""Figure ``hong-2021/lambda``: the best early-stopped risk against the feature weight λ.

With a knowledgeable, task-aligned teacher the feature term supplies targets cleaner than the
labels; our expectation [D] (model P9): the best early-stopped risk does not increase with λ over
λ ∈ {0.1, 0.3, 1, 3}, approaching the risk of the oracle teacher V = A. λ is the model's sum-form
weight (λ/2N)Σ_i‖W_1 x̃_i − V_1 x_i‖², i.e. ``feature_loss`` weighted by λ·m/2.
"""

from __future__ import annotations

from typing import Any

from distillab.report.panels import Panel, Plot, Points
from distillab.studies.hong_2021.common import LINEAR_DEFAULTS, EarlyStoppingPoint
from distillab.studies.spec import Figure


def simulate(point: EarlyStoppingPoint, seed: int) -> dict[str, Any]:
    """Best early-stopped risks of base, ST (fitted teacher) and ST (oracle teacher) at λ."""
    from distillab.studies.hong_2021 import linear_setup as linear

    results = linear.train_oracle_comparison(point, seed)
    values = linear.best_errors(results, point.stopping_step, rules=("every",))
    return linear.mark_divergence(values, results)


PLOT = Plot(
    Panel(
        "feature_weight",
        series=(
            Points(
                "student_teacher_best_error", color="C3", label="ST, fitted task-aligned teacher"
            ),
            Points(
                "oracle_best_error",
                color="C2",
                style={"fmt": "s", "fillstyle": "none"},
                label="ST, oracle teacher V = A",
            ),
            Points(
                "base_best_error",
                color="C0",
                style={"fmt": "D", "markersize": 3},
                label="base (λ = 0), same data",
            ),
        ),
        xlabel=r"feature weight $\lambda$ (sum form)",
        ylabel="best early-stopped test risk",
        title="More weight on good features, better student",
        xscale="log",
    ),
    width=6.0,
    height=4.0,
)


_BASE = {**LINEAR_DEFAULTS, "replicates": 4, "steps": 800, "stopping_step": 100}
_QUICK = (0.1, 0.3, 1.0, 3.0)
_FULL = (0.1, 0.3, 1.0, 3.0, 10.0)
_FULL_REPLICATES = 8


def _caption() -> str:
    p = _BASE
    return (
        f"Best-on-trajectory (every step) test risk against λ (d = {p['input_dim']} → "
        f"{p['width']} → {p['output_dim']}, rank-{p['target_rank']} target, N = {p['samples']}, "
        f"σ = {p['input_noise']:g}, τ = {p['label_noise']:g}) for the student–teacher run with "
        f"a task-aligned teacher fitted on N + {p['teacher_samples']} clean samples, with the "
        "oracle teacher V = A, and for the base run on the same data (diamonds); points: mean ± "
        f"s.e. over seeds, each seed the mean of {p['replicates']} training sets "
        f"({_FULL_REPLICATES} full). All runs share one step size "
        f"η = {p['lr_scale']:g}/λ_max(X̃ᵀX̃/N). The λ-monotonicity is our expectation [D] (model "
        "P9, asserted in the tests); the paper's λ is unknown to us. No closed form predicts "
        "these risks, so the figure has no agreement line."
    )


FIGURE = Figure(
    name="lambda",
    title="Best early-stopped risk vs feature weight λ (task-aligned teacher)",
    caption=_caption(),
    grid={
        "quick": [{**_BASE, "feature_weight": w} for w in _QUICK],
        "full": [{**_BASE, "feature_weight": w, "replicates": _FULL_REPLICATES} for w in _FULL],
    },
    simulate=simulate,
    plot=PLOT,
    point=EarlyStoppingPoint,
    seeds={"quick": 2, "full": 5},
)

"""Figure ``hong-2021/lambda``: the best early-stopped risk against the feature weight λ.

With a knowledgeable, task-aligned teacher the feature term supplies targets cleaner than the
labels; our expectation [D] (spec P9): the best early-stopped risk does not increase with λ over
λ ∈ {0.1, 0.3, 1, 3}, approaching the risk of the oracle teacher V = A. λ is the spec's sum-form
weight (λ/2N)Σ_i‖W_1 x̃_i − V_1 x_i‖², i.e. ``feature_loss`` weighted by λ·m/2.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from matplotlib.figure import Figure as MplFigure

from distillab.report.plotting import (
    finish_axes,
    new_figure,
    plot_simulation,
    seed_statistics,
)
from distillab.studies.hong_2021.linear_setup import (
    LINEAR_DEFAULTS,
    mark_divergence,
    train_oracle_comparison,
)
from distillab.studies.spec import Figure
from distillab.sweep.store import Row


def simulate(params: Mapping[str, Any], seed: int) -> dict[str, Any]:
    """Best early-stopped risks of base, ST (fitted teacher) and ST (oracle teacher) at λ."""
    results = train_oracle_comparison(params, seed)
    values = {f"{name}_best_error": float(np.mean(r.best_error)) for name, r in results.items()}
    values["best_ratio"] = values["student_teacher_best_error"] / values["base_best_error"]
    values["last_best_step"] = int(max(np.max(r.best_step) for r in results.values()))
    return mark_divergence(values, results)


def plot(rows: list[Row]) -> MplFigure:
    figure, axes = new_figure(width=6.0, height=4.0)
    ax = axes[0, 0]
    plot_simulation(
        ax,
        rows,
        "feature_weight",
        "student_teacher_best_error",
        color="C3",
        label="ST, teacher fitted on N + 2000 clean samples",
    )
    plot_simulation(
        ax,
        rows,
        "feature_weight",
        "oracle_best_error",
        color="C2",
        fmt="s",
        fillstyle="none",
        label="ST, oracle teacher V = A",
    )
    xs, base, base_sem, _ = seed_statistics(rows, "feature_weight", "base_best_error")
    if xs.size:
        ax.plot(xs, base, color="C0", label="base (λ = 0)")
        ax.fill_between(xs, base - base_sem, base + base_sem, color="C0", alpha=0.25)
    finish_axes(
        ax,
        xlabel=r"feature weight $\lambda$ (sum form)",
        ylabel="best early-stopped test risk",
        title="More weight on good features, better student",
        xscale="log",
    )
    return figure


_BASE = {**LINEAR_DEFAULTS, "replicates": 4, "steps": 800}

FIGURE = Figure(
    name="lambda",
    title="Best early-stopped risk vs feature weight λ (task-aligned teacher)",
    caption=(
        "Best-on-trajectory test risk against λ (d = 50 → 60 → 50, rank-8 target, N = 30, "
        "σ = 0.3, τ = 1) for the student–teacher run with a task-aligned teacher fitted on "
        "N + 2000 clean samples, with the oracle teacher V = A, and for the base run (band: "
        "mean ± s.e. over seeds; each seed averages 4 training sets). All runs share one step size "
        "η = 0.2/λ_max(X̃ᵀX̃/N). The λ-monotonicity is our expectation [D] (spec P9); the "
        "paper's λ is unknown to us."
    ),
    grid={
        "quick": [{**_BASE, "feature_weight": w} for w in (0.1, 0.3, 1.0, 3.0)],
        "full": [
            {**_BASE, "feature_weight": w, "replicates": 8} for w in (0.1, 0.3, 1.0, 3.0, 10.0)
        ],
    },
    simulate=simulate,
    plot=plot,
    seeds={"quick": 2, "full": 5},
)

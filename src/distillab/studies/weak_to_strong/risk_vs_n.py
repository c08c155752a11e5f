"""Figure ``weak-to-strong/risk-vs-n``: the target's risk vs sample size for three label sources.

Theory ([R], spec §3–§4): the deterministic-equivalent risk of the min-norm target trained on
labels xᵀβ_s, for β_s = β* (strong labels), the optimal surrogate ζ ⊙ β* and the optimal 0-1 mask,
at p = 500 and the paper's power-law setting. Simulation: Monte Carlo over Gaussian designs, the
risk of each draw computed exactly; the three sources share each draw, so the weak-to-strong gain
R(β*) − R(ζ ⊙ β*) is a paired difference.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from matplotlib.figure import Figure as MplFigure

from distillab.report.plotting import finish_axes, new_figure, plot_simulation, plot_theory
from distillab.studies.spec import Comparison, Figure
from distillab.studies.weak_to_strong.common import (
    P_FEATURES,
    SOURCE_NAMES,
    SOURCES,
    finite_size_rule,
    problem,
    seed_rng,
    surrogates,
    theory_risks,
)
from distillab.studies.weak_to_strong.monte_carlo import target_risks
from distillab.sweep.grid import product_grid
from distillab.sweep.store import Row

_SALT = 2
_N = {"quick": [50, 100, 200, 400], "full": [25, 50, 100, 150, 200, 300, 400, 450]}
_DRAWS = {"quick": 40, "full": 400}
_SEEDS = {"quick": 3, "full": 8}


def theory(params: Mapping[str, Any]) -> dict[str, float]:
    """Deterministic-equivalent risks and the weak-to-strong gain R(β*) − R(ζ ⊙ β*)."""
    risks = theory_risks(params["p"], params["n"])
    values = {f"risk_{k}": v for k, v in risks.items()}
    return {**values, "w2s_gain": risks["strong"] - risks["surrogate"]}


def simulate(params: Mapping[str, Any], seed: int) -> dict[str, float]:
    """Mean over ``draws`` designs of each source's exact risk, and the paired gain."""
    p, n = params["p"], params["n"]
    eigenvalues, truth, _ = problem(p, n)
    risks = target_risks(
        eigenvalues, truth, surrogates(p, n), n, params["draws"], seed_rng(params, seed, _SALT)
    )
    values = {f"risk_{k}": float(np.mean(v)) for k, v in risks.items()}
    return {**values, "w2s_gain": float(np.mean(risks["strong"] - risks["surrogate"]))}


def plot(rows: list[Row]) -> MplFigure:
    figure, axes = new_figure(ncols=2)
    for source, colour in zip(SOURCES, ("C0", "C2", "C1"), strict=True):
        key = f"risk_{source}"
        plot_theory(axes[0, 0], rows, "n", key, color=colour, label=SOURCE_NAMES[source])
        plot_simulation(
            axes[0, 0], rows, "n", key, color=colour, scope=_RISK_LINES[source].in_scope
        )
    finish_axes(
        axes[0, 0],
        xlabel="target sample size n",
        ylabel=r"excess risk $\|\hat\beta-\beta^*\|_\Sigma^2$",
        title=f"Target risk vs n (p = {P_FEATURES})",
        xscale="log",
        yscale="log",
    )
    plot_theory(axes[0, 1], rows, "n", "w2s_gain", color="C2", label="deterministic equivalent")
    plot_simulation(
        axes[0, 1],
        rows,
        "n",
        "w2s_gain",
        color="C3",
        label="Monte Carlo (paired)",
        scope=_GAIN_LINE.in_scope,
    )
    finish_axes(
        axes[0, 1],
        xlabel="target sample size n",
        ylabel=r"$R(\beta^*)-R(\zeta\odot\beta^*)$",
        title="W2S gain (> 0: surrogate beats strong labels)",
        xscale="log",
        yscale="log",
    )
    return figure


_RISK_LINES = {
    source: Comparison(
        f"risk_{source}",
        f"risk_{source}",
        finite_size_rule(f"risk with {SOURCE_NAMES[source]}"),
        label=f"risk with {SOURCE_NAMES[source]} = deterministic equivalent, every n",
    )
    for source in SOURCES
}
_GAIN_LINE = Comparison(
    "w2s_gain",
    "w2s_gain",
    finite_size_rule("weak-to-strong gain (paired over draws)"),
    label="weak-to-strong gain R(β*) − R(ζ ⊙ β*) > 0 as predicted, every n",
)

FIGURE = Figure(
    name="risk-vs-n",
    title="Risk vs n: strong labels, optimal surrogate, optimal mask (p = 500)",
    caption=(
        f"Excess risk of the min-norm target with p = {P_FEATURES} features, λᵢ = i⁻², "
        f"λᵢβ*ᵢ² = i⁻¹·⁵ (the paper's Fig. 1b setting), trained on n ∈ {_N['full']} samples "
        "labelled by β* (strong labels), by the optimal surrogate ζ ⊙ β* or by the optimal "
        "0-1 mask of β*. Lines: deterministic equivalents ([R], spec §3–§4); points: Monte Carlo "
        f"over Gaussian designs ({_DRAWS['full']} draws per seed in the full profile, "
        f"{_DRAWS['quick']} in quick), seed mean ± s.e. Right: the paired gain of the optimal "
        "surrogate over strong labels, positive at every n (weak-to-strong beats strong labels "
        "at the same n)."
    ),
    grid={
        profile: product_grid(p=[P_FEATURES], n=_N[profile], draws=[_DRAWS[profile]])
        for profile in ("quick", "full")
    },
    theory=theory,
    simulate=simulate,
    plot=plot,
    seeds=_SEEDS,
    compare=(*_RISK_LINES.values(), _GAIN_LINE),
)

"""Figure ``weak-to-strong/risk-vs-n``: the target's risk vs sample size for three label sources.

Theory ([R], model §3–§4): the deterministic-equivalent risk of the min-norm target trained on
labels xᵀβ_s, for β_s = β* (strong labels), the optimal surrogate ζ ⊙ β* and the optimal 0-1 mask,
at p = 500 and the paper's power-law setting. Simulation: Monte Carlo over Gaussian designs, the
risk of each draw computed exactly; the three sources share each draw, so the weak-to-strong gain
R(β*) − R(ζ ⊙ β*) is a paired difference.
"""

from __future__ import annotations

import numpy as np

from distillab.report.panels import Line, Panel, Plot, Points
from distillab.studies.spec import Comparison, Figure
from distillab.studies.weak_to_strong.common import (
    P_FEATURES,
    RISK_LABEL,
    SOURCE_NAMES,
    SOURCES,
    SizePoint,
    finite_size_rule,
    monte_carlo_risks,
    risk_series,
    theory_risks,
)
from distillab.sweep.grid import product_grid

_SALT = 2
_N = {"quick": [50, 100, 200, 400], "full": [25, 50, 100, 150, 200, 300, 400, 450]}
_DRAWS = {"quick": 40, "full": 400}
_SEEDS = {"quick": 3, "full": 8}


def theory(point: SizePoint) -> dict[str, float]:
    """Deterministic-equivalent risks and the weak-to-strong gain R(β*) − R(ζ ⊙ β*)."""
    risks = theory_risks(point.p, point.n)
    values = {f"risk_{k}": v for k, v in risks.items()}
    return {**values, "w2s_gain": risks["strong"] - risks["surrogate"]}


def simulate(point: SizePoint, seed: int) -> dict[str, float]:
    """Mean over ``draws`` designs of each source's exact risk, and the paired gain."""
    risks = monte_carlo_risks(point, seed, _SALT)
    values = {f"risk_{k}": float(np.mean(v)) for k, v in risks.items()}
    return {**values, "w2s_gain": float(np.mean(risks["strong"] - risks["surrogate"]))}


PLOT = Plot(
    Panel(
        "n",
        series=risk_series(),
        xlabel="target sample size n",
        ylabel=RISK_LABEL,
        title=f"Target risk vs n (p = {P_FEATURES})",
        xscale="log",
        yscale="log",
    ),
    Panel(
        "n",
        series=(
            Line("w2s_gain", color="C2", label="deterministic equivalent"),
            Points("w2s_gain", color="C3", label="Monte Carlo (paired)"),
        ),
        xlabel="target sample size n",
        ylabel=r"$R(\beta^*)-R(\zeta\odot\beta^*)$",
        title="W2S gain (> 0: surrogate beats strong labels)",
        xscale="log",
        yscale="log",
    ),
)

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
        "0-1 mask of β*. Lines: deterministic equivalents ([R], model §3–§4); points: Monte Carlo "
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
    plot=PLOT,
    point=SizePoint,
    seeds=_SEEDS,
    compare=(*_RISK_LINES.values(), _GAIN_LINE),
)

"""Figure ``weak-to-strong/optimal-surrogate``: the optimal surrogate amplifies, then shrinks.

Theory ([R], spec §4): the risk-minimising surrogate is β_s = ζ ⊙ β* with the gain
ζᵢ = λᵢ(λᵢ + κ)/(λᵢ² + κ²γ/(1−γ)), above 1 for principal features (λᵢ > κγ/(1−γ)) and below 1
for tail features; the optimal 0-1 mask keeps λᵢ > τ = κ(1/√(1−γ) − 1). Simulation: the exact
finite-n optimal surrogate is (E PΣP)⁻¹E[P]Σβ*, diagonal here, so its gain is
λᵢ(E P)ᵢᵢ/(E PΣP)ᵢᵢ with both means taken by Monte Carlo over designs (one set of draws per seed,
shared by every feature index).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import numpy as np
from matplotlib.figure import Figure as MplFigure
from numpy.typing import NDArray

from distillab.report.plotting import finish_axes, new_figure, plot_simulation
from distillab.studies.spec import Comparison, Figure
from distillab.studies.weak_to_strong.common import (
    N_PANEL_A,
    P_FEATURES,
    finite_size_rule,
    problem,
    seed_rng,
)
from distillab.studies.weak_to_strong.monte_carlo import projection_statistics
from distillab.sweep.grid import product_grid
from distillab.sweep.store import Row

_SALT = 1
_FEATURES = {
    "quick": [1, 3, 10, 30, 100, 300],
    "full": [1, 2, 3, 5, 10, 20, 30, 50, 100, 200, 300, 500],
}
_DRAWS = {"quick": 30, "full": 300}
_SEEDS = {"quick": 3, "full": 8}


def theory(params: Mapping[str, Any]) -> dict[str, float]:
    """Gain ζᵢ of the optimal surrogate, whether the optimal mask keeps i, and β*ᵢ."""
    eigenvalues, truth, target = problem(params["p"], params["n"])
    i = params["feature"] - 1
    return {
        "gain": float(target.gain()[i]),
        "mask": float(target.optimal_mask()[i]),
        "surrogate_weight": float(target.gain()[i] * truth[i]),
        "truth_weight": float(truth[i]),
        "eigenvalue": float(eigenvalues[i]),
    }


@lru_cache(maxsize=8)
def _statistics(p: int, n: int, draws: int, seed: int) -> tuple[NDArray, NDArray]:
    eigenvalues, _, _ = problem(p, n)
    rng = seed_rng({"p": p, "n": n}, seed, _SALT)
    return projection_statistics(eigenvalues, n, draws, rng)


def simulate(params: Mapping[str, Any], seed: int) -> dict[str, float]:
    """Monte Carlo gain λᵢ(E P)ᵢᵢ/(E PΣP)ᵢᵢ of the exact finite-n optimal surrogate."""
    eigenvalues, truth, _ = problem(params["p"], params["n"])
    diag_p, diag_psp = _statistics(params["p"], params["n"], params["draws"], seed)
    i = params["feature"] - 1
    gain = eigenvalues[i] * diag_p[i] / diag_psp[i]
    return {"gain": float(gain), "surrogate_weight": float(gain * truth[i])}


def _dense_theory(rows: list[Row]) -> tuple[NDArray, ...] | None:
    """The theory at every feature i = 1 … p (the grid samples only a few), from the engine."""
    points = [r.params for r in rows if r.kind == "theory"]
    if not points:
        return None
    eigenvalues, truth, target = problem(points[0]["p"], points[0]["n"])
    index = np.arange(1, eigenvalues.size + 1)
    return index, truth, target.optimal_surrogate(truth), target.gain(), target.optimal_mask()


def plot(rows: list[Row]) -> MplFigure:
    figure, axes = new_figure(ncols=2)
    left, right = axes[0, 0], axes[0, 1]
    dense = _dense_theory(rows)
    if dense is not None:
        index, truth, surrogate, gain, mask = dense
        left.plot(index, truth, color="C0", label="truth β*")
        left.plot(index, surrogate, color="C2", label="optimal surrogate ζ ⊙ β*")
        right.plot(index, gain, color="C2", label="gain ζᵢ (theory)")
        right.plot(index, mask, color="C1", linestyle="--", label="optimal 0-1 mask")
    plot_simulation(
        left, rows, "feature", "surrogate_weight", color="C3", label="Monte Carlo (exact finite n)"
    )
    finish_axes(
        left,
        xlabel="feature index i",
        ylabel=r"weight $\beta_i$",
        title=f"Optimal surrogate vs truth (p = {P_FEATURES}, n = {N_PANEL_A})",
        xscale="log",
        yscale="log",
    )
    plot_simulation(
        right, rows, "feature", "gain", color="C3", label="Monte Carlo", scope=_GAIN.in_scope
    )
    right.axhline(1.0, color="0.5", linewidth=0.8)
    finish_axes(
        right,
        xlabel="feature index i",
        ylabel=r"$\beta^s_i/\beta^*_i$",
        title="Amplification (> 1) → shrinkage (< 1)",
        xscale="log",
    )
    return figure


_GAIN = Comparison(
    "gain",
    "gain",
    finite_size_rule("optimal-surrogate gain λᵢ(E P)ᵢᵢ/(E PΣP)ᵢᵢ"),
    label="optimal surrogate's gain ζᵢ = its exact finite-n value, every feature",
)

FIGURE = Figure(
    name="optimal-surrogate",
    title="The optimal surrogate amplifies principal and shrinks tail features",
    caption=(
        f"Weights of the optimal surrogate against the truth β* for p = {P_FEATURES}, "
        f"n = {N_PANEL_A}, λᵢ = i⁻², λᵢβ*ᵢ² = i⁻¹·⁵ (the paper's Fig. 1a setting). Lines: the "
        "deterministic-equivalent gain ζᵢ = λᵢ(λᵢ + κ)/(λᵢ² + κ²γ/(1−γ)) ([R], spec §4) and the "
        "optimal 0-1 mask (keep λᵢ > κ(1/√(1−γ) − 1)); points: the exact finite-n optimal "
        "surrogate's gain λᵢ(E P)ᵢᵢ/(E PΣP)ᵢᵢ from Monte Carlo means over "
        f"{_DRAWS['full']} designs per seed (full; {_DRAWS['quick']} in quick)."
    ),
    grid={
        profile: product_grid(
            p=[P_FEATURES], n=[N_PANEL_A], draws=[_DRAWS[profile]], feature=_FEATURES[profile]
        )
        for profile in ("quick", "full")
    },
    theory=theory,
    simulate=simulate,
    plot=plot,
    seeds=_SEEDS,
    compare=(_GAIN,),
)

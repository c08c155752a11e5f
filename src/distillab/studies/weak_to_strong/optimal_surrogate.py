"""Figure ``weak-to-strong/optimal-surrogate``: the optimal surrogate amplifies, then shrinks.

Theory ([R], model §4): the risk-minimising surrogate is β_s = ζ ⊙ β* with the gain
ζᵢ = λᵢ(λᵢ + κ)/(λᵢ² + κ²γ/(1−γ)), above 1 for principal features (λᵢ > κγ/(1−γ)) and below 1
for tail features; the optimal 0-1 mask keeps λᵢ > τ = κ(1/√(1−γ) − 1). Simulation: the exact
finite-n optimal surrogate is (E PΣP)⁻¹E[P]Σβ*, diagonal here, so its gain is
λᵢ(E P)ᵢᵢ/(E PΣP)ᵢᵢ with both means taken by Monte Carlo over designs (one set of draws per seed,
shared by every feature index).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from numpy.typing import NDArray

from distillab.report.panels import Panel, Plot, Points, Reference, Trace
from distillab.studies.point import within
from distillab.studies.spec import Comparison, Figure
from distillab.studies.weak_to_strong.common import (
    N_PANEL_A,
    P_FEATURES,
    SizePoint,
    finite_size_rule,
    problem,
    seed_rng,
)
from distillab.sweep.grid import product_grid

_SALT = 1
_FEATURES = {
    "quick": [1, 3, 10, 30, 100, 300],
    "full": [1, 2, 3, 5, 10, 20, 30, 50, 100, 200, 300, 500],
}
_DRAWS = {"quick": 30, "full": 300}
_SEEDS = {"quick": 3, "full": 8}


@dataclass(frozen=True)
class FeaturePoint(SizePoint):
    """One feature index i (1-based) of the power-law setting."""

    feature: int = within(1)


def theory(point: FeaturePoint) -> dict[str, float | list[float]]:
    """Gain ζᵢ of the optimal surrogate, whether the optimal mask keeps i, and β*ᵢ.

    Also the whole curves over i = 1 … p (``index``, ``truth_curve``, ``surrogate_curve``,
    ``gain_curve``, ``mask_curve``): the grid samples a few features, the lines show them all.
    """
    eigenvalues, truth, target = problem(point.p, point.n)
    i = point.feature - 1
    gain, mask = target.gain(), target.optimal_mask()
    return {
        "gain": float(gain[i]),
        "mask": float(mask[i]),
        "surrogate_weight": float(gain[i] * truth[i]),
        "truth_weight": float(truth[i]),
        "eigenvalue": float(eigenvalues[i]),
        "index": [float(k) for k in range(1, point.p + 1)],
        "truth_curve": truth.tolist(),
        "surrogate_curve": (gain * truth).tolist(),
        "gain_curve": gain.tolist(),
        "mask_curve": mask.astype(float).tolist(),
    }


@lru_cache(maxsize=8)
def _statistics(p: int, n: int, draws: int, seed: int) -> tuple[NDArray, NDArray]:
    from distillab.studies.weak_to_strong.monte_carlo import projection_statistics

    eigenvalues, _, _ = problem(p, n)
    return projection_statistics(eigenvalues, n, draws, seed_rng(p, n, seed, _SALT))


def simulate(point: FeaturePoint, seed: int) -> dict[str, float]:
    """Monte Carlo gain λᵢ(E P)ᵢᵢ/(E PΣP)ᵢᵢ of the exact finite-n optimal surrogate."""
    eigenvalues, truth, _ = problem(point.p, point.n)
    diag_p, diag_psp = _statistics(point.p, point.n, point.draws, seed)
    i = point.feature - 1
    gain = eigenvalues[i] * diag_p[i] / diag_psp[i]
    return {"gain": float(gain), "surrogate_weight": float(gain * truth[i])}


def _curve(y: str, **options: object) -> Trace:
    """A theory curve over every feature i (read from one grid point's theory row)."""
    return Trace("index", y, kind="theory", points=False, where={"feature": min}, **options)


PLOT = Plot(
    Panel(
        "feature",
        series=(
            _curve("truth_curve", color="C0", label="truth β*"),
            _curve("surrogate_curve", color="C2", label="optimal surrogate ζ ⊙ β*"),
            Points("surrogate_weight", color="C3", label="Monte Carlo (exact finite n)"),
        ),
        xlabel="feature index i",
        ylabel=r"weight $\beta_i$",
        title=f"Optimal surrogate vs truth (p = {P_FEATURES}, n = {N_PANEL_A})",
        xscale="log",
        yscale="log",
    ),
    Panel(
        "feature",
        series=(
            _curve("gain_curve", color="C2", label="gain ζᵢ (theory)"),
            _curve("mask_curve", color="C1", linestyle="--", label="optimal 0-1 mask"),
            Points("gain", color="C3", label="Monte Carlo"),
            Reference(1.0, style={"linewidth": 0.8}),
        ),
        xlabel="feature index i",
        ylabel=r"$\beta^s_i/\beta^*_i$",
        title="Amplification (> 1) → shrinkage (< 1)",
        xscale="log",
    ),
)


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
        "deterministic-equivalent gain ζᵢ = λᵢ(λᵢ + κ)/(λᵢ² + κ²γ/(1−γ)) ([R], model §4) and the "
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
    plot=PLOT,
    point=FeaturePoint,
    seeds=_SEEDS,
    compare=(_GAIN,),
)

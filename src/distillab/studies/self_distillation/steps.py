"""Figure ``self-distillation/steps``: optimal excess risk of k-step self-distilled ridge vs k.

Theory (Pareek, Du & Oh): on a fixed design X (n × d, distinct singular values), the k-step
estimator is spectral, θ_k = Σ_j h_j(β)·(θ*_j + e_j/s_j)·v_j with h_j = Σ_i β_i a_j^i, so its
expected excess risk E‖θ_k − θ*‖²_Σ̂ is quadratic in β and the optimal imitation parameters ξ
are a linear solve (:class:`distillab.theory.self_distillation.RepeatedRidge`); λ is optimised
too. With θ* along one singular direction the k = d − 1 estimator can null every other direction:
the gain over ridge approaches d when the noise is small. Simulation: Monte Carlo over the noise
draws, each running the explicit k-step recursion with the theory's (λ, ξ).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import numpy as np
from matplotlib.figure import Figure as MplFigure

from distillab.report.plotting import finish_axes, new_figure, plot_simulation, plot_theory
from distillab.studies.spec import Comparison, Figure, Tolerance
from distillab.sweep.grid import product_grid
from distillab.sweep.store import Row
from distillab.theory.self_distillation import RepeatedRidge, StepsOptimum

ALIGNMENTS = ("aligned", "misaligned")
_BASE = {"n": 60, "d": 6, "noise": 0.5, "design_seed": 0}
_DRAWS = {"quick": 250, "full": 10000}


@lru_cache(maxsize=8)
def _engine(n: int, d: int, design_seed: int) -> RepeatedRidge:
    rng = np.random.default_rng(design_seed)
    # Column scales √1 … √2 make the singular values distinct (Pareek et al.'s condition).
    return RepeatedRidge(rng.standard_normal((n, d)) * np.sqrt(np.linspace(1.0, 2.0, d)))


def _theta_star(engine: RepeatedRidge, alignment: str) -> np.ndarray:
    directions = engine.directions
    if alignment == "aligned":
        return directions[:, 0]
    return directions.sum(axis=1) / np.sqrt(directions.shape[1])


@lru_cache(maxsize=64)
def _optimum(
    n: int, d: int, design_seed: int, noise: float, alignment: str, k: int
) -> StepsOptimum:
    engine = _engine(n, d, design_seed)
    scale = float(np.mean(engine.singular_values**2))
    return engine.best(
        _theta_star(engine, alignment),
        noise=noise,
        steps=k,
        ridges=scale * np.logspace(-3, 2, 41),
    )


def _point(params: Mapping[str, Any]) -> tuple[RepeatedRidge, np.ndarray, StepsOptimum]:
    engine = _engine(params["n"], params["d"], params["design_seed"])
    theta = _theta_star(engine, params["alignment"])
    best = _optimum(
        params["n"],
        params["d"],
        params["design_seed"],
        params["noise"],
        params["alignment"],
        params["steps"],
    )
    return engine, theta, best


def theory(params: Mapping[str, Any]) -> dict[str, Any]:
    """Optimal expected excess risk at k steps, its λ and ξ, and the ridge (k = 0) risk."""
    _, _, best = _point(params)
    ridge_risk = _optimum(
        params["n"], params["d"], params["design_seed"], params["noise"], params["alignment"], 0
    ).risk
    return {
        "excess_risk": best.risk,
        "gain_over_ridge": ridge_risk / best.risk,
        "ridge": best.ridge,
        "imitation": [float(x) for x in best.imitation],
    }


def simulate(params: Mapping[str, Any], seed: int) -> dict[str, float]:
    """Mean excess risk over ``draws`` noise draws of the explicit k-step recursion."""
    engine, theta, best = _point(params)
    X = engine.design
    rng = np.random.default_rng(seed)
    noise = params["noise"] * rng.standard_normal((X.shape[0], params["draws"]))  # type: ignore[union-attr]
    targets = (X @ theta)[:, None] + noise  # type: ignore[operator]
    estimates = engine.estimate(targets, ridge=best.ridge, imitation=best.imitation)
    errors = X @ (estimates - theta[:, None])  # type: ignore[operator]
    return {"excess_risk": float(np.mean(np.sum(errors**2, axis=0)) / X.shape[0])}  # type: ignore[union-attr]


def plot(rows: list[Row]) -> MplFigure:
    figure, axes = new_figure(ncols=2)
    for i, alignment in enumerate(ALIGNMENTS):
        where = {"alignment": alignment}
        plot_theory(
            axes[0, 0],
            rows,
            "steps",
            "excess_risk",
            where=where,
            color=f"C{i}",
            label=f"theory, θ* {alignment}",
        )
        plot_simulation(
            axes[0, 0],
            rows,
            "steps",
            "excess_risk",
            where=where,
            color=f"C{i}",
            label=f"Monte Carlo, θ* {alignment}",
            scope=FIGURE.compare[0].in_scope,
        )
        plot_theory(
            axes[0, 1],
            rows,
            "steps",
            "gain_over_ridge",
            where=where,
            color=f"C{i}",
            label=f"θ* {alignment}",
        )
    d = _BASE["d"]
    axes[0, 1].axhline(d, color="0.5", linestyle=":", label=f"d = {d}")
    finish_axes(
        axes[0, 0],
        xlabel="self-distillation steps k",
        ylabel="optimal excess risk",
        title="Optimal excess risk vs k",
        yscale="log",
    )
    finish_axes(
        axes[0, 1],
        xlabel="self-distillation steps k",
        ylabel="ridge risk / k-step risk",
        title="Gain over ridge (reaches ≈ d when aligned)",
    )
    return figure


def _grid(profile: str) -> list[dict[str, Any]]:
    return product_grid(
        alignment=ALIGNMENTS,
        steps=list(range(_BASE["d"])),
        draws=[_DRAWS[profile]],
        **{k: [v] for k, v in _BASE.items()},
    )


FIGURE = Figure(
    name="steps",
    title="k-step self-distilled ridge: optimal excess risk vs k, aligned and misaligned θ*",
    caption=(
        f"Linear regression on a fixed Gaussian design, n = {_BASE['n']}, d = {_BASE['d']} "
        f"(column variances 1 … 2, distinct singular values), noise σ = {_BASE['noise']:g}, "
        "‖θ*‖ = 1 along the top singular direction (aligned) or spread evenly over all of them "
        "(misaligned). Lines: the expected fixed-design excess risk ‖θ_k − θ*‖²_Σ̂ at the optimal "
        "λ and imitation parameters ξ (closed form, quadratic in the reparameterised β); "
        f"points: Monte Carlo over {_DRAWS['quick']} (quick) / {_DRAWS['full']} (full) noise "
        "draws per seed of the explicit k-step recursion with those (λ, ξ). Right: the gain "
        "over optimally tuned ridge (k = 0)."
    ),
    grid={"quick": _grid("quick"), "full": _grid("full")},
    theory=theory,
    simulate=simulate,
    plot=plot,
    seeds={"quick": 8, "full": 16},
    compare=(
        Comparison(
            "excess_risk",
            "excess_risk",
            Tolerance(
                "the closed form is the exact expectation over the noise for this design, so "
                "only the Monte Carlo seed noise is allowed (z = 3)."
            ),
            label="Monte Carlo excess risk = closed form, every k and alignment (exact)",
        ),
    ),
)

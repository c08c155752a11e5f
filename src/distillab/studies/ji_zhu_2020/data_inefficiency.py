"""Figure ``ji-zhu-2020/data-inefficiency``: ‖Δw‖² of the converged student and I(n) vs n per ρ.

The student's weight change is the min-norm interpolant of the effective logit, ‖Δw_n‖² =
gᵀΘ(X, X)⁻¹g (Arora et al.'s complexity). With ρ = 1 the target is the teacher w_tᵀφ, so
‖Δw_n‖² = ‖P_n w_t‖² grows to ‖w_t‖² and I(n) → 0; with ρ < 1 the jump of g at the teacher's
boundary puts it outside the RKHS and ‖Δw_n‖² grows without bound (I(n) ≳ 1). The paper names
data inefficiency as its task-difficulty metric [V]; the definition used here, I(n) =
d ln E‖Δw_n‖²/d ln n, and the mechanism are reconstructed [R] (spec §3.2–3.3). The alternative
learning-curve exponent β(n) = −d ln R/d ln n is drawn beside it (spec §6.2).
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
    plot_theory,
    seed_statistics,
)
from distillab.studies.ji_zhu_2020.common import (
    REFERENCE,
    kernel_problem,
    label_ticks,
    perfect_teacher,
    ratio_label,
)
from distillab.studies.spec import Comparison, Figure, Tolerance
from distillab.sweep.grid import product_grid
from distillab.sweep.store import Row
from distillab.theory.linearized_kd import data_inefficiency, risk_curve_exponent

QUICK_RATIOS = (0.1, 0.5, 0.7, 0.9, 1.0)
FULL_RATIOS = (0.1, 0.3, 0.5, 0.7, 0.9, 1.0)


def _teacher(params: Mapping[str, Any]) -> Any:
    return perfect_teacher(
        params["d"], params["centres"], params["logit_std"], params["teacher_seed"]
    )


def theory(params: Mapping[str, Any]) -> dict[str, float]:
    """ρ = 1: the limit ‖w_t‖² = aᵀΘ(C, C)a of ‖Δw_n‖² (an upper bound at every n)."""
    if params["soft_ratio"] != 1.0:
        return {}
    return {"weight_norm_sq": _teacher(params).norm_sq}


def simulate(params: Mapping[str, Any], seed: int) -> dict[str, float]:
    """‖Δw_n‖² and the transfer risk of the kernel student on training set ``seed``."""
    problem = kernel_problem(params, seed, _teacher(params))
    student = problem.student.solve(
        soft_ratio=params["soft_ratio"], temperature=params["temperature"]
    )
    return {
        "weight_norm_sq": student.weight_norm_sq,
        "risk": student.transfer_risk(problem.teacher_test_logits),
    }


def _slopes(rows: list[Row], key: str, rho: float, metric: Any) -> tuple[np.ndarray, np.ndarray]:
    ns, mean, _, _ = seed_statistics(rows, "n", key, where={"soft_ratio": rho})
    keep = mean > 0
    if keep.sum() < 2:
        return np.empty(0), np.empty(0)
    slopes = metric(ns[keep], mean[keep])
    return slopes.n, slopes.exponent


def plot(rows: list[Row]) -> MplFigure:
    figure, axes = new_figure(ncols=3, width=4.6, height=3.8)
    ratios = sorted({r.params["soft_ratio"] for r in rows}) or list(QUICK_RATIOS)
    for colour, rho in enumerate(ratios):
        style = {"color": f"C{colour}"}
        plot_simulation(
            axes[0, 0],
            rows,
            "n",
            "weight_norm_sq",
            where={"soft_ratio": rho},
            fmt="o-",
            label=ratio_label(rho),
            **style,
        )
        for ax, key, metric in (
            (axes[0, 1], "weight_norm_sq", data_inefficiency),
            (axes[0, 2], "risk", risk_curve_exponent),
        ):
            n_mid, exponent = _slopes(rows, key, rho, metric)
            ax.plot(n_mid, exponent, "o-", label=ratio_label(rho), **style)
    plot_theory(
        axes[0, 0],
        rows,
        "n",
        "weight_norm_sq",
        where={"soft_ratio": 1.0},
        color="k",
        linestyle="--",
        label=r"$\|w_t\|^2$ (limit for ρ = 1)",
    )
    finish_axes(
        axes[0, 0],
        xlabel="training set size n",
        ylabel=r"$\|\Delta w_n\|^2 = g^T\Theta^{-1}g$",
        title="Student weight norm",
        xscale="log",
        yscale="log",
    )
    for ax, ylabel, title in (
        (axes[0, 1], r"$I(n) = d\ln E\|\Delta w\|^2 / d\ln n$", "Data inefficiency (default)"),
        (axes[0, 2], r"$\beta(n) = -d\ln R / d\ln n$", "Learning-curve exponent (alternative)"),
    ):
        ax.axhline(0.0, color="0.6", linewidth=0.8)
        ax.axhline(1.0, color="0.6", linewidth=0.8, linestyle=":")
        finish_axes(
            ax,
            xlabel="training set size n (geometric midpoint)",
            ylabel=ylabel,
            title=title,
            xscale="log",
        )
    for ax in axes[0]:
        label_ticks(ax, sorted({r.params["n"] for r in rows}))
    return figure


def _grid(ns: list[int], ratios: tuple[float, ...], test_size: int) -> list[dict[str, Any]]:
    base = {**REFERENCE, "temperature": 1.0, "test_size": test_size}
    return product_grid(n=ns, soft_ratio=ratios, **{k: [v] for k, v in base.items()})


FIGURE = Figure(
    name="data-inefficiency",
    title="Data inefficiency: student weight norm ‖Δw‖² and its growth exponent I(n) vs n",
    caption=(
        "Perfect RKHS teacher (reference problem), mixed-target loss, T = 1. Left: ‖Δw_n‖² = "
        "gᵀΘ⁻¹g of the converged wide student (Θ = relu_ntk, both layers; the spec's kernel is "
        "2Θ, which halves these numbers), mean ± s.e. over training sets; dashed: ‖w_t‖², the "
        "limit and upper bound for ρ = 1. Middle: I(n) from the seed means on the doubling grid "
        "(the default data-inefficiency metric, our reconstruction of the paper's Section 4 "
        "[R]). Right: the learning-curve exponent β(n) (the spec's alternative; points with a "
        "zero Monte Carlo risk are dropped). Reconstructed predictions: I < 0.1 for ρ = 1 at "
        "n ≥ 200, I > 0.5 for ρ ≤ 0.7 at n ≥ 400, ‖Δw‖² decreasing in ρ."
    ),
    grid={
        "quick": _grid([25, 50, 100, 200, 400, 800], QUICK_RATIOS, 2000),
        "full": _grid([25, 50, 100, 200, 400, 800, 1600], FULL_RATIOS, 4000),
    },
    theory=theory,
    simulate=simulate,
    plot=plot,
    seeds={"quick": 3, "full": 5},
    # ‖P_n w_t‖² approaches ‖w_t‖² from below, slowly: 5.4% short at n = 400, 5.0% at 800 and
    # 3.6% at 1600 (seed means); the line checks that limit where the projection is nearly full.
    compare=(
        Comparison(
            "weight_norm_sq",
            "weight_norm_sq",
            Tolerance("unreviewed legacy tolerance", z=0, allowance=0.06, relative=True),
            label="ρ = 1: ‖Δw_n‖² → ‖w_t‖² (n ≥ 400)",
            scope=lambda p: p["soft_ratio"] == 1.0 and p["n"] >= 400,
            scope_reason="unreviewed legacy scope",
        ),
    ),
)

"""Figure ``ji-zhu-2020/data-inefficiency``: ‖Δw‖² of the converged student and I(n) vs n per ρ.

The student's weight change is the min-norm interpolant of the effective logit, ‖Δw_n‖² =
gᵀΘ(X, X)⁻¹g (Arora et al.'s complexity). With ρ = 1 the target is the teacher w_tᵀφ, so
‖Δw_n‖² = ‖P_n w_t‖² grows to ‖w_t‖² and I(n) → 0; with ρ < 1 the jump of g at the teacher's
boundary puts it outside the RKHS and ‖Δw_n‖² grows without bound (I(n) ≳ 1). The paper names
data inefficiency as its task-difficulty metric [V]; the definition used here, I(n) =
d ln E‖Δw_n‖²/d ln n, and the mechanism are reconstructed [R] (spec §3.2–3.3). The alternative
learning-curve exponent β(n) = −d ln R/d ln n is drawn beside it (spec §6.2).

Checked claim: for ρ = 1, ‖Δw_n‖² → ‖w_t‖² with the rate of the kernel. The deficit
‖(I − P_n)w_t‖² is a sum of squared residuals of projecting the teacher's centres on the data
span, each bounded by the power function of the kernel at the fill distance h_n ~ n^{−1/(d−1)};
the ReLU NTK's RKHS on S^{d−1} is the Sobolev space H^{d/2}, whose power function is O(h^{2s−(d−1)})
= O(h), so the relative deficit falls like n^{−1/(d−1)} (n^{−1/4} at d = 5). It is checked by an
allowance with that rate and by a scaling line on n.
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
from distillab.studies.ji_zhu_2020.common import (
    REFERENCE,
    kernel_problem,
    label_ticks,
    ratio_label,
    reference_teacher,
)
from distillab.studies.spec import Comparison, Figure, Scaling, Tolerance
from distillab.sweep.grid import product_grid
from distillab.sweep.store import Row
from distillab.theory.linearized_kd import data_inefficiency, risk_curve_exponent

QUICK_RATIOS = (0.1, 0.5, 0.7, 0.9, 1.0)
FULL_RATIOS = (0.1, 0.3, 0.5, 0.7, 0.9, 1.0)
#: c of the allowance c·n^{−1/(d−1)}·‖w_t‖²: a pilot on training sets 100–102 (not the figure's)
#: measured the relative deficit times n^{1/4} as 0.52, 0.31, 0.28, 0.25, 0.22, 0.21 at n = 25, 50,
#: 100, 400, 1600, 3200 (seed means; pre-asymptotic at n = 25).
DEFICIT_ALLOWANCE = 0.55
#: The rate is that of the fill distance h_n → 0; it needs the data to resolve the teacher's M
#: centres first, so the scaling line fits n ≥ 2M only.
ASYMPTOTIC_POINTS_PER_CENTRE = 2


def simulate(params: Mapping[str, Any], seed: int) -> dict[str, float]:
    """‖Δw_n‖², the transfer risk and the teacher's ‖w_t‖² = aᵀΘ(C, C)a on set ``seed``."""
    teacher = reference_teacher(params, seed)
    problem = kernel_problem(params, seed, teacher)
    student = problem.student.solve(
        soft_ratio=params["soft_ratio"], temperature=params["temperature"]
    )
    return {
        "weight_norm_sq": student.weight_norm_sq,
        "risk": student.transfer_risk(problem.teacher_test_logits),
        "teacher_norm_sq": teacher.norm_sq,
    }


def _deficit_rate(params: Mapping[str, Any]) -> float:
    return float(params["n"]) ** (-1.0 / (params["d"] - 1))


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
    limit = FIGURE.compare[0]
    for colour, rho in enumerate(ratios):
        style = {"color": f"C{colour}"}
        plot_simulation(
            axes[0, 0],
            rows,
            "n",
            "weight_norm_sq",
            where={"soft_ratio": rho},
            label=ratio_label(rho),
            scope=limit.in_scope if rho == 1.0 else None,
            **style,
        )
        for ax, key, metric in (
            (axes[0, 1], "weight_norm_sq", data_inefficiency),
            (axes[0, 2], "risk", risk_curve_exponent),
        ):
            n_mid, exponent = _slopes(rows, key, rho, metric)
            ax.plot(n_mid, exponent, "o", label=ratio_label(rho), **style)
    ns, norm, _, _ = seed_statistics(rows, "n", "teacher_norm_sq", where={"soft_ratio": 1.0})
    axes[0, 0].plot(ns, norm, color="k", linestyle="--", label=r"$\|w_t\|^2$ (limit for ρ = 1)")
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
    base = {**REFERENCE, "teacher": "centred", "temperature": 1.0, "test_size": test_size}
    return product_grid(n=ns, soft_ratio=ratios, **{k: [v] for k, v in base.items()})


_NS = {"quick": [25, 50, 100, 200, 400, 800], "full": [25, 50, 100, 200, 400, 800, 1600]}

FIGURE = Figure(
    name="data-inefficiency",
    title="Data inefficiency: student weight norm ‖Δw‖² and its growth exponent I(n) vs n",
    caption=(
        "One centred RKHS teacher (reference problem), mixed-target loss, T = 1, n = "
        f"{', '.join(map(str, _NS['full']))} (full). Left: ‖Δw_n‖² = gᵀΘ⁻¹g of the converged "
        "wide student (Θ = relu_ntk, both layers; the spec's kernel is 2Θ, which halves these "
        "numbers), mean ± s.e. over training sets; dashed: ‖w_t‖², the limit and upper bound for "
        "ρ = 1, reached at the rate n^{−1/(d−1)} of the kernel (agreement line: allowance "
        f"{DEFICIT_ALLOWANCE:g}·n^{{−1/4}}·‖w_t‖² plus a scaling line for n ≥ "
        f"{ASYMPTOTIC_POINTS_PER_CENTRE}M = "
        f"{ASYMPTOTIC_POINTS_PER_CENTRE * REFERENCE['centres']}). Middle: I(n) from the seed "
        "means on the doubling grid (the default data-inefficiency metric, our reconstruction "
        "of the paper's Section 4 [R]). Right: the learning-curve exponent β(n) (the spec's "
        "alternative; points with a zero Monte Carlo risk are dropped). Reconstructed "
        "predictions: I < 0.1 for ρ = 1 at n ≥ 200, I > 0.5 for ρ ≤ 0.7 at n ≥ 400, ‖Δw‖² "
        "decreasing in ρ."
    ),
    grid={
        "quick": _grid(_NS["quick"], QUICK_RATIOS, 2000),
        "full": _grid(_NS["full"], FULL_RATIOS, 4000),
    },
    simulate=simulate,
    plot=plot,
    seeds={"quick": 3, "full": 5},
    compare=(
        Comparison(
            "weight_norm_sq",
            "teacher_norm_sq",
            Tolerance(
                "seed noise (z = 3, paired with the seed's teacher) plus the kernel's "
                "projection deficit c·n^{−1/(d−1)}·‖w_t‖² (module doc); c = 0.55 from a pilot "
                "on training sets 100–102 (0.52, 0.31, 0.28 … 0.21 at n = 25, 50, 100 … 3200).",
                allowance=DEFICIT_ALLOWANCE,
                rate=_deficit_rate,
                rate_label="n^-1/(d-1)",
            ),
            label="ρ = 1: ‖Δw_n‖² → ‖w_t‖², every n",
            scope=lambda p: p["soft_ratio"] == 1.0,
            scope_reason=(
                "ρ = 1 only: the limit ‖w_t‖² is claimed where the target z_t is in the RKHS; for "
                "ρ < 1 the jump puts g outside it and ‖Δw_n‖² grows without bound"
            ),
            theory_from="seed",
        ),
        Scaling(
            "weight_norm_sq",
            "teacher_norm_sq",
            size="n",
            slope=-1.0 / (REFERENCE["d"] - 1),
            # ±0.25 would admit slope 0, a constant theory error, so the line could not fail.
            slack=0.2,
            reason=(
                "the relative deficit ‖(I − P_n)w_t‖²/‖w_t‖² is O(h_n) = O(n^{−1/(d−1)}), "
                "n^{−1/4} at d = 5 (module doc)"
            ),
            label="ρ = 1: relative deficit of ‖Δw_n‖² falls as n^{−1/4} (n ≥ 2M)",
            scope=lambda p: (
                p["soft_ratio"] == 1.0 and p["n"] >= ASYMPTOTIC_POINTS_PER_CENTRE * p["centres"]
            ),
            scope_reason=(
                "ρ = 1 only, as above, and n ≥ 2M: the rate is the fill distance's as h_n → 0, "
                "after the data resolve the teacher's M centres"
            ),
            theory_from="seed",
        ),
    ),
)

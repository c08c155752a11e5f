"""Figure ``ji-zhu-2020/data-inefficiency``: ‖Δw‖² of the converged student and I(n) vs n per ρ.

The student's weight change is the min-norm interpolant of the effective logit, ‖Δw_n‖² =
gᵀΘ(X, X)⁻¹g (Arora et al.'s complexity). With ρ = 1 the target is the teacher w_tᵀφ, so
‖Δw_n‖² = ‖P_n w_t‖² grows to ‖w_t‖² and I(n) → 0; with ρ < 1 the jump of g at the teacher's
boundary puts it outside the RKHS and ‖Δw_n‖² grows without bound (I(n) ≳ 1). The paper names
data inefficiency as its task-difficulty metric [V]; the definition used here, I(n) =
d ln E‖Δw_n‖²/d ln n, and the mechanism are reconstructed [R] (model §3.2–3.3). The alternative
learning-curve exponent β(n) = −d ln R/d ln n is drawn beside it (model §6.2).

Checked claim: for ρ = 1, ‖Δw_n‖² → ‖w_t‖² with the rate of the kernel. The deficit
‖(I − P_n)w_t‖² is a sum of squared residuals of projecting the teacher's centres on the data
span, each bounded by the power function of the kernel at the fill distance h_n ~ n^{−1/(d−1)};
the ReLU NTK's RKHS on S^{d−1} is the Sobolev space H^{d/2}, whose power function is O(h^{2s−(d−1)})
= O(h), so the relative deficit falls like n^{−1/(d−1)} (n^{−1/4} at d = 5). It is checked by an
allowance with that rate and by a scaling line on n.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from distillab.report.panels import Line, Panel, Plot, Points, Reference, render
from distillab.studies.ji_zhu_2020.common import (
    REFERENCE,
    KDPoint,
    grid,
    kernel_problem,
    ratio_label,
    reference_teacher,
)
from distillab.studies.spec import Comparison, Figure, Scaling, Tolerance

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure as MplFigure

    from distillab.sweep.store import Row
    from distillab.theory.linearized_kd import LocalExponent

QUICK_RATIOS = (0.1, 0.5, 0.7, 0.9, 1.0)
FULL_RATIOS = (0.1, 0.3, 0.5, 0.7, 0.9, 1.0)
#: c of the allowance c·n^{−1/(d−1)}·‖w_t‖²: a pilot on training sets 100–102 (not the figure's)
#: measured the relative deficit times n^{1/4} as 0.52, 0.31, 0.28, 0.25, 0.22, 0.21 at n = 25, 50,
#: 100, 400, 1600, 3200 (seed means; pre-asymptotic at n = 25).
DEFICIT_ALLOWANCE = 0.55
#: The rate is that of the fill distance h_n → 0; it needs the data to resolve the teacher's M
#: centres first, so the scaling line fits n ≥ 2M only.
ASYMPTOTIC_POINTS_PER_CENTRE = 2


def simulate(point: KDPoint, seed: int) -> dict[str, float]:
    """‖Δw_n‖², the transfer risk and the teacher's ‖w_t‖² = aᵀΘ(C, C)a on set ``seed``."""
    teacher = reference_teacher(point, seed)
    problem = kernel_problem(point, seed, teacher)
    student = problem.student.solve(soft_ratio=point.soft_ratio, temperature=point.temperature)
    return {
        "weight_norm_sq": student.weight_norm_sq,
        "risk": student.transfer_risk(problem.teacher_test_logits),
        "teacher_norm_sq": teacher.norm_sq,
    }


def _deficit_rate(point: KDPoint) -> float:
    return float(point.n) ** (-1.0 / (point.d - 1))


def _local_exponents(ax: Axes, rows: Sequence[Row], key: str, metric: str) -> None:
    """The local log-log slope ``metric`` of the seed means of ``key`` between adjacent n, per ρ
    (zero means are dropped), labelled in the legend."""
    from distillab.report.plotting import seed_statistics
    from distillab.theory import linearized_kd

    slopes: Callable[..., LocalExponent] = getattr(linearized_kd, metric)
    for colour, rho in enumerate(sorted({r.params["soft_ratio"] for r in rows})):
        ns, mean, _, _ = seed_statistics(rows, "n", key, where={"soft_ratio": rho})
        keep = mean > 0
        if keep.sum() >= 2:
            exponent = slopes(ns[keep], mean[keep])
            ax.plot(exponent.n, exponent.exponent, "o", color=f"C{colour}", label=ratio_label(rho))
    if ax.get_legend_handles_labels()[1]:
        ax.legend(fontsize=8)


def _exponent_panel(ylabel: str, title: str) -> Panel:
    """A panel of local exponents (drawn by :func:`plot`) with guides at 0 and 1."""
    thin = {"linewidth": 0.8}
    return Panel(
        "n",
        series=(
            Reference(0.0, color="0.6", style=thin),
            Reference(1.0, color="0.6", linestyle=":", style=thin),
        ),
        xlabel="training set size n (geometric midpoint)",
        ylabel=ylabel,
        title=title,
        xscale="log",
        xticks="grid",
    )


PLOT = Plot(
    Panel(
        "n",
        series=(
            Points("weight_norm_sq", label="{by}"),
            # The seeds' own teacher norm, drawn once (it fixes the by parameter).
            Line(
                "teacher_norm_sq",
                source="seed",
                where={"soft_ratio": 1.0},
                label=r"$\|w_t\|^2$ (limit for ρ = 1)",
                color="k",
                linestyle="--",
            ),
        ),
        xlabel="training set size n",
        ylabel=r"$\|\Delta w_n\|^2 = g^T\Theta^{-1}g$",
        title="Student weight norm",
        xscale="log",
        yscale="log",
        by="soft_ratio",
        by_label=ratio_label,
        xticks="grid",
    ),
    _exponent_panel(r"$I(n) = d\ln E\|\Delta w\|^2 / d\ln n$", "Data inefficiency (default)"),
    _exponent_panel(r"$\beta(n) = -d\ln R / d\ln n$", "Learning-curve exponent (alternative)"),
    width=4.6,
    height=3.8,
)

_EXPONENTS = (("weight_norm_sq", "data_inefficiency"), ("risk", "risk_curve_exponent"))


# Panels cannot draw the local exponents: slopes of the seed means across grid points.
def plot(rows: Sequence[Row]) -> MplFigure:
    """``PLOT`` with each ρ's local exponents of ‖Δw‖² (middle) and of the risk (right)."""
    drawing = render(PLOT, rows, FIGURE)
    for ax, (key, metric) in zip(drawing.axes[1:], _EXPONENTS, strict=True):
        _local_exponents(ax, rows, key, metric)
    return drawing


_NS = {"quick": [25, 50, 100, 200, 400, 800], "full": [25, 50, 100, 200, 400, 800, 1600]}
_RATIOS = {"quick": QUICK_RATIOS, "full": FULL_RATIOS}
_TEST_SIZE = {"quick": 2000, "full": 4000}

FIGURE = Figure(
    name="data-inefficiency",
    title="Data inefficiency: student weight norm ‖Δw‖² and its growth exponent I(n) vs n",
    caption=(
        "One centred RKHS teacher (reference problem), mixed-target loss, T = 1, n = "
        f"{', '.join(map(str, _NS['full']))} (full). Left: ‖Δw_n‖² = gᵀΘ⁻¹g of the converged "
        "wide student (Θ = relu_ntk, both layers; the model's kernel is 2Θ, which halves these "
        "numbers), mean ± s.e. over training sets; dashed: ‖w_t‖², the limit and upper bound for "
        "ρ = 1, reached at the rate n^{−1/(d−1)} of the kernel (agreement line: allowance "
        f"{DEFICIT_ALLOWANCE:g}·n^{{−1/4}}·‖w_t‖² plus a scaling line for n ≥ "
        f"{ASYMPTOTIC_POINTS_PER_CENTRE}M = "
        f"{ASYMPTOTIC_POINTS_PER_CENTRE * REFERENCE['centres']}). Middle: I(n) from the seed "
        "means on the doubling grid (the default data-inefficiency metric, our reconstruction "
        "of the paper's Section 4 [R]). Right: the learning-curve exponent β(n) (the model's "
        "alternative; points with a zero Monte Carlo risk are dropped). Reconstructed "
        "predictions: I < 0.1 for ρ = 1 at n ≥ 200, I > 0.5 for ρ ≤ 0.7 at n ≥ 400, ‖Δw‖² "
        "decreasing in ρ."
    ),
    grid={
        profile: grid(
            n=_NS[profile],
            soft_ratio=_RATIOS[profile],
            **REFERENCE,
            teacher="centred",
            temperature=1.0,
            test_size=_TEST_SIZE[profile],
        )
        for profile in ("quick", "full")
    },
    simulate=simulate,
    plot=plot,
    point=KDPoint,
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
            scope=lambda p: p.soft_ratio == 1.0,
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
            scope=lambda p: p.soft_ratio == 1.0 and p.n >= ASYMPTOTIC_POINTS_PER_CENTRE * p.centres,
            scope_reason=(
                "ρ = 1 only, as above, and n ≥ 2M: the rate is the fill distance's as h_n → 0, "
                "after the data resolve the teacher's M centres"
            ),
            theory_from="seed",
        ),
    ),
)

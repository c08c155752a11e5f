"""Figure ``teacher-optimality``: the teacher's test error falls monotonically to ε_BO as λ_T → ∞.

For the balanced mixture without bias the Hebbian estimator w ∝ Σ_μ y^μ x^μ is Bayes-optimal,
and ridge or logistic regression tends to it as λ_T → ∞ (Mignacco et al. 2020 [F]; identity 4 of
spec §3). So "how close the teacher is to optimal" is measured by how large λ_T is; there is no
finite optimum in this model (spec §7 discusses what the paper may have done instead).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from matplotlib.figure import Figure as MplFigure

from distillab.report.plotting import finish_axes, new_figure
from distillab.studies.saglietti_zdeborova_2022 import simulation
from distillab.studies.saglietti_zdeborova_2022.common import (
    BASE,
    SEEDS,
    SIZES,
    agreement_line,
    line_points,
    log_grid,
    plot_line,
    plot_line_and_points,
    theory_point,
    with_segment,
)
from distillab.studies.spec import Figure
from distillab.sweep.store import Row

TEACHER_LOSSES = ("square", "logistic")
SAMPLE_RATIOS = (0.5, 2.0)
_COLOURS = {0.5: "C0", 2.0: "C1"}
_TEACHER = agreement_line("teacher_test_error", "teacher test error")


theory = with_segment(theory_point, "teacher_reg", 3)


def simulate(params: Mapping[str, Any], seed: int) -> dict[str, Any]:
    """Fit the teacher alone on one sample and measure its overlaps and errors."""
    sample = simulation.sample_for(params, seed)
    teacher, note = simulation.fit_teacher(
        sample, loss=params["teacher_loss"], reg=params["teacher_reg"]
    )
    values: dict[str, Any] = simulation.measure_teacher(sample, teacher, noise=params["noise"])
    if note:
        values.update(status="not-converged", message=note)
    return values


def plot(rows: list[Row]) -> MplFigure:
    figure, axes = new_figure(ncols=2)
    for ax, loss in zip(axes[0], TEACHER_LOSSES, strict=True):
        for alpha in SAMPLE_RATIOS:
            where = {"teacher_loss": loss, "sample_ratio": alpha}
            colour = _COLOURS[alpha]
            plot_line_and_points(
                ax,
                rows,
                "teacher_reg",
                "teacher_test_error",
                where=where,
                scope=_TEACHER.in_scope,
                color=colour,
                label=f"teacher, $\\alpha = {alpha:g}$",
            )
            plot_line(
                ax,
                rows,
                "teacher_reg",
                "bayes_error",
                where=where,
                color=colour,
                linestyle=":",
                label=f"$\\varepsilon_{{BO}}(\\alpha = {alpha:g})$",
            )
        finish_axes(
            ax,
            xlabel="teacher ridge $\\lambda_T$",
            ylabel="teacher test error $\\varepsilon_T$",
            title=f"{loss} teacher: $\\varepsilon_T \\downarrow \\varepsilon_{{BO}}$ as "
            "$\\lambda_T \\to \\infty$",
            xscale="log",
        )
    return figure


def _grid(count: int, d: int) -> list[dict[str, Any]]:
    return [
        {
            **BASE,
            "teacher_loss": loss,
            "teacher_reg": reg,
            "segment_from": start,
            "student_loss": "hard_sq",
            "student_reg": 1.0,
            "sample_ratio": alpha,
            "d": d,
        }
        for loss in TEACHER_LOSSES
        for alpha in SAMPLE_RATIOS
        for reg, start in line_points(log_grid(1e-2, 1e3, count))
    ]


FIGURE = Figure(
    name="teacher-optimality",
    title="Teacher test error decreases to the Bayes error ε_BO as λ_T grows",
    caption=(
        "Teacher test error vs its ridge λ_T (log axis) for square and logistic teachers on all d "
        f"features, at α = {' and '.join(f'{a:g}' for a in SAMPLE_RATIOS)} "
        f"(Δ = {BASE['noise']:g}). Lines: replica theory; dotted: ε_BO(α) = "
        "H(√(α/(Δ(α+Δ)))); points: finite-d ridge (linear solve) and logistic (L-BFGS) teachers, "
        "seed mean ± s.e. In this balanced mixture the Hebbian estimator (λ_T → ∞) is "
        "Bayes-optimal (Mignacco et al. 2020 [F]), so ε_T decreases monotonically to ε_BO "
        "(identity 4 of spec §3, tested to 1e-6)."
    ),
    grid={"quick": _grid(6, SIZES["quick"]), "full": _grid(11, SIZES["full"])},
    theory=theory,
    simulate=simulate,
    plot=plot,
    seeds=SEEDS,
    compare=(_TEACHER,),
)

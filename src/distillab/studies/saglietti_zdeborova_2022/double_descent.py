"""Figure ``double-descent``: interpolation peaks at α = ρ for students and α = 1 for the teacher.

ε vs α on a log axis over [0.1, 10] (ρ = 0.5, Δ = 1). Left, ridgeless (λ = 10⁻⁶ ≈ 0⁺): the ridge
teacher peaks at α = 1 (it interpolates the labels there), the hard-label least-squares student
and the KD student of a regularised teacher (λ_T = 1) both peak at α = ρ, where the student's own
susceptibility V_S = ρ/(Δ(α − ρ)) diverges: the teacher's hidden-feature signal acts as label noise
for the student, so a regularised teacher does not remove the student's peak. Right, regularised:
λ_S ∈ {0.01, 0.1, 1} for the KD student and λ_T = 0.01 for the teacher smooth the peaks away.

Claim (iii) of the paper: the KD setting shows double descent [P]. Peak positions α = ρ ± 0.02
and α = 1 (spec §6.7 [R]) are tested on the theory curves.
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
    SQUARE_RIDGELESS,
    agreement_line,
    decimal_ticks,
    line_points,
    log_grid,
    mark_peaks,
    plot_line_and_points,
    theory_point,
    with_segment,
)
from distillab.studies.spec import Figure
from distillab.sweep.store import Row

_RIDGELESS = SQUARE_RIDGELESS
_RHO = BASE["feature_fraction"]
# (teacher_reg, student_loss, student_reg): each row's theory gives a teacher and a student curve.
_ROWS = (
    (_RIDGELESS, "hard_sq", _RIDGELESS),
    (1.0, "kd_sq", _RIDGELESS),
    (1.0, "kd_sq", 0.01),
    (1.0, "kd_sq", 0.1),
    (1.0, "kd_sq", 1.0),
    (0.01, "hard_sq", 0.01),
)
_REGULARISED = ", ".join(f"{reg:g}" for _, _, reg in _ROWS[2:5])
_STUDENT = agreement_line("student_test_error", "student test error")
_TEACHER = agreement_line("teacher_test_error", "teacher test error")


# Dense segments, with the peaks themselves, resolve the interpolation peaks sharply.
theory = with_segment(
    theory_point, "sample_ratio", 5, include=(0.45, 0.48, 0.5, 0.52, 0.55, 0.95, 0.98, 1.0, 1.02)
)


def simulate(params: Mapping[str, Any], seed: int) -> dict[str, Any]:
    """Ridge teacher and ridge student (hard labels or KD) on one sample."""
    return simulation.simulate_point(params, seed)


def _where(teacher_reg: float, student_loss: str, student_reg: float) -> dict[str, Any]:
    return {"teacher_reg": teacher_reg, "student_loss": student_loss, "student_reg": student_reg}


def plot(rows: list[Row]) -> MplFigure:
    figure, axes = new_figure(ncols=2, width=5.6, height=4.2)
    ridgeless, regularised = axes[0]
    plot_line_and_points(
        ridgeless,
        rows,
        "sample_ratio",
        "teacher_test_error",
        scope=_TEACHER.in_scope,
        where=_where(*_ROWS[0]),
        color="C1",
        linestyle="--",
        label="ridge teacher, $\\lambda_T \\to 0$ (peak at $\\alpha = 1$)",
        fmt="s",
    )
    plot_line_and_points(
        ridgeless,
        rows,
        "sample_ratio",
        "student_test_error",
        scope=_STUDENT.in_scope,
        where=_where(*_ROWS[0]),
        color="k",
        label="hard-label student, $\\lambda_S \\to 0$",
        fmt="^",
    )
    plot_line_and_points(
        ridgeless,
        rows,
        "sample_ratio",
        "student_test_error",
        scope=_STUDENT.in_scope,
        where=_where(*_ROWS[1]),
        color="C0",
        label="KD student of a $\\lambda_T = 1$ teacher, $\\lambda_S \\to 0$",
        fmt="o",
    )
    for (teacher_reg, loss, reg), colour in zip(_ROWS[2:5], ("C0", "C2", "C4"), strict=True):
        plot_line_and_points(
            regularised,
            rows,
            "sample_ratio",
            "student_test_error",
            scope=_STUDENT.in_scope,
            where=_where(teacher_reg, loss, reg),
            color=colour,
            label=f"KD student ($\\lambda_T = 1$), $\\lambda_S = {reg:g}$",
            fmt="o",
        )
    plot_line_and_points(
        regularised,
        rows,
        "sample_ratio",
        "student_test_error",
        scope=_STUDENT.in_scope,
        where=_where(*_ROWS[5]),
        color="k",
        label="hard-label student, $\\lambda_S = 0.01$",
        fmt="^",
    )
    plot_line_and_points(
        regularised,
        rows,
        "sample_ratio",
        "teacher_test_error",
        scope=_TEACHER.in_scope,
        where=_where(*_ROWS[5]),
        color="C1",
        linestyle="--",
        label="ridge teacher, $\\lambda_T = 0.01$",
        fmt="s",
    )
    for ax, title in (
        (
            ridgeless,
            "ridgeless ($\\lambda = 10^{-6}$): peaks at $\\alpha = \\rho$ and $\\alpha = 1$",
        ),
        (regularised, "regularised: the peaks are smoothed away"),
    ):
        mark_peaks(ax, rows, teacher=True)
        finish_axes(
            ax,
            xlabel="sample ratio $\\alpha = n/d$",
            ylabel="test error $\\varepsilon$",
            title=title,
            xscale="log",
        )
        decimal_ticks(ax, (0.1, 0.2, 0.5, 1, 2, 5, 10))
    return figure


# The peaks are compared, not excluded: the grids hold α = ρ and α = 1 themselves, the full grid
# also their neighbourhoods.
_PEAKS = {
    "quick": (_RHO, 1.0),
    "full": (0.4, 0.45, _RHO, 0.55, 0.6, 0.9, 0.95, 1.0, 1.05, 1.1),
}


def _grid(count: int, d: int, peaks: tuple[float, ...]) -> list[dict[str, Any]]:
    alphas = log_grid(0.1, 10.0, count, extra=peaks)
    return [
        {
            **BASE,
            "teacher_loss": "square",
            "teacher_reg": teacher_reg,
            "student_loss": student_loss,
            "student_reg": student_reg,
            "sample_ratio": alpha,
            "segment_from": start,
            "d": d,
        }
        for teacher_reg, student_loss, student_reg in _ROWS
        for alpha, start in line_points(alphas)
    ]


FIGURE = Figure(
    name="double-descent",
    title="Double descent: student peaks at α = ρ, ridgeless teacher peak at α = 1",
    caption=(
        f"Test error vs α = n/d on a log axis (ρ = {_RHO:g}, Δ = {BASE['noise']:g}, square "
        f"losses). Left: ridgeless (λ = {_RIDGELESS:g}) ridge teacher (dashed, peak at α = 1), "
        "hard-label least-squares student and KD student of a "
        f"λ_T = {_ROWS[1][0]:g} teacher (both peak at α = ρ: a regularised teacher does not "
        f"remove the student's peak). Right: student ridges λ_S = {_REGULARISED} and a teacher "
        f"with λ_T = {_ROWS[5][0]:g} smooth the peaks. Lines: replica theory [R]; points: "
        "finite-d simulations, seed mean ± s.e.; dotted: α = ρ and α = 1. The peaks themselves "
        "are simulated and compared (the grids hold α = ρ and α = 1, the full grid also their "
        "neighbourhoods); the seed spread is largest there. Double descent in KD is the paper's "
        "claim [P]; the peak positions are our reconstruction (spec §6.7, tested on the theory "
        "curves)."
    ),
    grid={
        "quick": _grid(12, SIZES["quick"], _PEAKS["quick"]),
        "full": _grid(24, SIZES["full"], _PEAKS["full"]),
    },
    theory=theory,
    simulate=simulate,
    plot=plot,
    seeds=SEEDS,
    compare=(
        _STUDENT,
        _TEACHER,
    ),
)

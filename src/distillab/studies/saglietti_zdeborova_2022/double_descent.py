"""Figure ``double-descent``: interpolation peaks at α = ρ for students and α = 1 for the teacher.

ε vs α on a log axis over [0.1, 10] (ρ = 0.5, Δ = 1). Left, ridgeless (λ = 10⁻⁶ ≈ 0⁺): the ridge
teacher peaks at α = 1 (it interpolates the labels there), the hard-label least-squares student
and the KD student of a regularised teacher (λ_T = 1) both peak at α = ρ, where the student's own
susceptibility V_S = ρ/(Δ(α − ρ)) diverges: the teacher's hidden-feature signal acts as label noise
for the student, so a regularised teacher does not remove the student's peak. Right, regularised:
λ_S ∈ {0.01, 0.1, 1} for the KD student and λ_T = 0.01 for the teacher smooth the peaks away.

Claim (iii) of the paper: the KD setting shows double descent [P]. Peak positions α = ρ ± 0.02
and α = 1 (model §6.7 [R]) are tested on the theory curves.
"""

from __future__ import annotations

from typing import Any

from distillab.report.panels import Line, Panel, Plot, Points
from distillab.studies.saglietti_zdeborova_2022.common import (
    ALPHA_LABEL,
    BASE,
    SEEDS,
    SIZES,
    SQUARE_RIDGELESS,
    LinePoint,
    agreement_line,
    along,
    line_and_points,
    log_grid,
    peaks,
    segment_rows,
    simulate_pair,
    theory_point,
    with_segment,
)
from distillab.studies.spec import Figure

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


def _where(teacher_reg: float, student_loss: str, student_reg: float) -> dict[str, Any]:
    return {"teacher_reg": teacher_reg, "student_loss": student_loss, "student_reg": student_reg}


def _teacher(row: tuple[float, str, float], label: str) -> tuple[Line, Points]:
    return line_and_points(
        "teacher_test_error", where=_where(*row), color="C1", linestyle="--", fmt="s", label=label
    )


def _student(row: tuple[float, str, float], colour: str, label: str) -> tuple[Line, Points]:
    fmt = "^" if row[1] == "hard_sq" else "o"
    return line_and_points(
        "student_test_error", where=_where(*row), color=colour, fmt=fmt, label=label
    )


def _panel(title: str, *series: Line | Points) -> Panel:
    return Panel(
        "sample_ratio",
        series=(*series, *peaks(teacher=True)),
        xlabel=ALPHA_LABEL,
        ylabel="test error $\\varepsilon$",
        title=title,
        xscale="log",
        xticks=(0.1, 0.2, 0.5, 1, 2, 5, 10),
    )


PLOT = Plot(
    _panel(
        "ridgeless ($\\lambda = 10^{-6}$): peaks at $\\alpha = \\rho$ and $\\alpha = 1$",
        *_teacher(_ROWS[0], "ridge teacher, $\\lambda_T \\to 0$ (peak at $\\alpha = 1$)"),
        *_student(_ROWS[0], "k", "hard-label student, $\\lambda_S \\to 0$"),
        *_student(_ROWS[1], "C0", "KD student of a $\\lambda_T = 1$ teacher, $\\lambda_S \\to 0$"),
    ),
    _panel(
        "regularised: the peaks are smoothed away",
        *(
            series
            for row, colour in zip(_ROWS[2:5], ("C0", "C2", "C4"), strict=True)
            for series in _student(
                row, colour, f"KD student ($\\lambda_T = 1$), $\\lambda_S = {row[2]:g}$"
            )
        ),
        *_student(_ROWS[5], "k", "hard-label student, $\\lambda_S = 0.01$"),
        *_teacher(_ROWS[5], "ridge teacher, $\\lambda_T = 0.01$"),
    ),
    width=5.6,
    height=4.2,
    prepare=segment_rows,
)


# The peaks are compared, not excluded: the grids hold α = ρ and α = 1 themselves, the full grid
# also their neighbourhoods.
_PEAKS = {
    "quick": (_RHO, 1.0),
    "full": (0.4, 0.45, _RHO, 0.55, 0.6, 0.9, 0.95, 1.0, 1.05, 1.1),
}


def _grid(count: int, d: int, around: tuple[float, ...]) -> list[dict[str, Any]]:
    alphas = log_grid(0.1, 10.0, count, extra=around)
    return [
        point
        for teacher_reg, student_loss, student_reg in _ROWS
        for point in along(
            "sample_ratio",
            alphas,
            teacher_loss="square",
            teacher_reg=teacher_reg,
            student_loss=student_loss,
            student_reg=student_reg,
            d=d,
        )
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
        "claim [P]; the peak positions are our reconstruction (model §6.7, tested on the theory "
        "curves)."
    ),
    grid={
        "quick": _grid(12, SIZES["quick"], _PEAKS["quick"]),
        "full": _grid(24, SIZES["full"], _PEAKS["full"]),
    },
    theory=theory,
    simulate=simulate_pair,
    plot=PLOT,
    point=LinePoint,
    seeds=SEEDS,
    compare=(
        _STUDENT,
        _TEACHER,
    ),
)

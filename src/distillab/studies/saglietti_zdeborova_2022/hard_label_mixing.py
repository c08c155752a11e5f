"""Figure ``hard-label-mixing``: mixing hard labels into the KD loss (η > 0) hurts here, while an
explicit student ridge λ_S on top of KD helps.

ε_S vs the hard-label weight η ∈ [0, 1] (η = 0 pure KD, η = 1 hard labels only) at α = 1 and 2
(ρ = 0.5, Δ = 1): ``kd_sq`` students of a ridge teacher (λ_T = 1) with λ_S ∈ {10⁻⁶, 0.1, 1}, and a
``kd_ce`` student (τ = 1, λ_S = 10⁻⁴) of a logistic teacher (λ_T = 1). Prediction (model §4(c)
[R]): for small λ_S, ε_S increases with η (the teacher's soft outputs are the better target);
a larger λ_S lowers the whole curve and flattens it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from distillab.report.panels import Line, Panel, Plot
from distillab.studies.saglietti_zdeborova_2022.common import (
    BASE,
    CE_RIDGELESS,
    SEEDS,
    SIZES,
    SQUARE_RIDGELESS,
    LinePoint,
    agreement_line,
    along,
    line_and_points,
    segment_rows,
    simulate_pair,
    theory_point,
    with_segment,
)
from distillab.studies.spec import Figure

SAMPLE_RATIOS = (1.0, 2.0)
_LINES = [
    {"teacher_loss": "square", "student_loss": "kd_sq", "student_reg": reg}
    for reg in (SQUARE_RIDGELESS, 0.1, 1.0)
] + [{"teacher_loss": "logistic", "student_loss": "kd_ce", "student_reg": CE_RIDGELESS}]
_COLOURS = ("C0", "C1", "C2", "C3")
_STUDENT = agreement_line("student_test_error", "student test error")
_SQUARE_REGS = ", ".join(f"{line['student_reg']:g}" for line in _LINES[:3])


theory = with_segment(theory_point, "hard_weight", 4, log=False)


def _label(line: Mapping[str, Any]) -> str:
    reg = "\\to 0" if line["student_reg"] < 1e-3 else f"= {line['student_reg']:g}"
    if line["student_loss"] == "kd_ce":
        return f"logistic teacher → kd_ce, $\\lambda_S {reg}$"
    return f"ridge teacher → kd_sq, $\\lambda_S {reg}$"


def _panel(alpha: float) -> Panel:
    """ε_S vs η at one α: one line per student, and the student's Bayes limit."""
    return Panel(
        "hard_weight",
        series=(
            *(
                series
                for line, colour in zip(_LINES, _COLOURS, strict=True)
                for series in line_and_points(
                    "student_test_error", color=colour, label=_label(line), where=line
                )
            ),
            Line(
                "student_bayes_error",
                color="0.3",
                linestyle=":",
                label="$\\varepsilon_{{BO,S}}$",
            ),
        ),
        xlabel="hard-label weight $\\eta$ (0: pure KD, 1: hard labels only)",
        ylabel="student test error $\\varepsilon_S$",
        title=f"$\\alpha = {alpha:g}$, teacher $\\lambda_T = 1$",
        where={"sample_ratio": alpha},
    )


def _grid(count: int, d: int) -> list[dict[str, Any]]:
    weights = [round(i / (count - 1), 4) for i in range(count)]
    return [
        point
        for alpha in SAMPLE_RATIOS
        for line in _LINES
        for point in along("hard_weight", weights, **line, teacher_reg=1.0, sample_ratio=alpha, d=d)
    ]


FIGURE = Figure(
    name="hard-label-mixing",
    title="Mixing in hard labels hurts the KD student; an explicit student ridge helps",
    caption=(
        "Student test error vs the hard-label weight η of the KD loss, "
        f"(1−η)·KD + η·hard, at α = {' and '.join(f'{a:g}' for a in SAMPLE_RATIOS)} "
        f"(ρ = {BASE['feature_fraction']:g}, Δ = {BASE['noise']:g}, teacher λ_T = 1): kd_sq "
        "students of a ridge teacher with "
        f"λ_S = {_SQUARE_REGS}, and a kd_ce "
        f"student (τ = {BASE['temperature']:g}, λ_S = {CE_RIDGELESS:g}) of a logistic teacher. "
        "Lines: replica theory [R]; points: finite-d simulations, seed "
        "mean ± s.e.; dotted: ε_BO,S. For small λ_S the error rises with η; adding λ_S on top of "
        "KD lowers it (model §4(c), our reconstruction; the paper's own KD loss and mixing "
        "convention are unverified, model §7). The kd_ce curve at α = 1 turns down just before "
        "η = 1, where the student becomes hard-label logistic regression with λ_S = 10⁻⁴ and "
        "its norm grows large (checked at 61 and 121 quadrature nodes)."
    ),
    grid={"quick": _grid(6, SIZES["quick"]), "full": _grid(11, SIZES["full"])},
    theory=theory,
    simulate=simulate_pair,
    plot=Plot(*(_panel(alpha) for alpha in SAMPLE_RATIOS), prepare=segment_rows),
    point=LinePoint,
    seeds=SEEDS,
    compare=(_STUDENT,),
)

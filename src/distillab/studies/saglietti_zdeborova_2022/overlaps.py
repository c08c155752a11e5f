"""Figure ``overlaps``: the order parameters m_S, Q_S, Q_TS, the training errors and the
teacher–student agreement, theory vs finite-d simulation.

Square case: ridge teacher (λ_T = 1) → ridgeless ``kd_sq`` student (λ_S = 10⁻⁶); CE case:
logistic teacher (λ_T = 1) → ``kd_ce`` student (τ = 1, λ_S = 10⁻⁴); ρ = 0.5, Δ = 1. The
simulation measures m_S = v_S·ŵ_S/d, Q_S = ‖ŵ_S‖²/d, Q_TS = ŵ_{T,S}·ŵ_S/d on trained weights.
Every quantity is compared at every point under the study's pre-registered rule (3 s.e. plus an
O(d^-1/2) finite-size allowance, :func:`common.agreement_line`) and checked by finite-size scaling
over ≥ 3 sizes d (:data:`common.SCALING_SIZES`): its mean error must fall as d^-1/2.
"""

from __future__ import annotations

from typing import Any

from distillab.report.panels import Line, Panel, Plot, Points
from distillab.studies.saglietti_zdeborova_2022.common import (
    ALPHA_LABEL,
    BASE,
    CE_RIDGELESS,
    SCALING_SIZES,
    SEEDS,
    SQUARE_RIDGELESS,
    LinePoint,
    agreement_line,
    along,
    log_grid,
    peaks,
    scaling_line,
    segment_rows,
    simulate_pair,
    theory_point,
    with_segment,
)
from distillab.studies.spec import Figure

_CASES = {
    "square": {"teacher_loss": "square", "student_loss": "kd_sq", "student_reg": SQUARE_RIDGELESS},
    "CE": {"teacher_loss": "logistic", "student_loss": "kd_ce", "student_reg": CE_RIDGELESS},
}
_COLOURS = {"square": "C0", "CE": "C3"}
_TEACHER_REG = 1.0
_PANELS = (
    ("m_S", "$m_S = v_S \\cdot \\hat w_S / d$"),
    ("Q_S", "$Q_S = \\|\\hat w_S\\|^2 / d$"),
    ("Q_TS", "$Q_{TS} = \\hat w_{T,S} \\cdot \\hat w_S / d$"),
    ("student_train_error", "student training error"),
    ("teacher_train_error", "teacher training error"),
    ("agreement", "test agreement $P(\\mathrm{sign}\\, h_T = \\mathrm{sign}\\, h_S)$"),
)
# One marker per simulated size d, of either profile.
_MARKERS = {250: "v", 500: "o", 1000: "s", 2000: "^"}
_COMPARED = (
    ("m_S", "student overlap m_S"),
    ("Q_S", "student norm Q_S"),
    ("Q_TS", "teacher–student overlap Q_TS"),
    ("student_test_error", "student test error"),
    ("student_train_error", "student training error"),
    ("teacher_train_error", "teacher training error"),
    ("agreement", "teacher–student test agreement"),
)
_CLAIMS = {key: (agreement_line(key, what), scaling_line(key, what)) for key, what in _COMPARED}


theory = with_segment(theory_point, "sample_ratio", 3, include=(BASE["feature_fraction"],))


def _series(key: str, case: str) -> tuple[Line | Points, ...]:
    """A case's theory line and its simulation points at every size d (marker per d)."""
    line, colour = _CASES[case], _COLOURS[case]
    return (
        Line(key, where=line, color=colour, label=f"{case} theory"),
        *(
            Points(
                key,
                where={**line, "d": d},
                color=colour,
                style={"fmt": marker},
                label=f"{case} simulation, $d = {d}$",
            )
            for d, marker in _MARKERS.items()
        ),
    )


PLOT = Plot(
    *(
        Panel(
            "sample_ratio",
            series=(*_series(key, "square"), *_series(key, "CE"), *peaks()),
            xlabel=ALPHA_LABEL,
            ylabel=label,
            xscale="log",
            xticks=(0.2, 0.5, 1, 2, 5),
            # Q_S of the ridgeless square student spikes at α = ρ (~λ_S^{-1/2}): log scale.
            yscale="log" if key == "Q_S" else "linear",
        )
        for key, label in _PANELS
    ),
    ncols=3,
    width=4.4,
    height=3.4,
    prepare=segment_rows,
)


def _grid(count: int, sizes: tuple[int, ...]) -> list[dict[str, Any]]:
    alphas = log_grid(0.2, 5.0, count, extra=(0.3, BASE["feature_fraction"], 1.0, 2.0, 4.0))
    return [
        point
        for line in _CASES.values()
        for d in sizes
        for point in along("sample_ratio", alphas, **line, teacher_reg=_TEACHER_REG, d=d)
    ]


FIGURE = Figure(
    name="overlaps",
    title="Order parameters m_S, Q_S, Q_TS, training errors and agreement: theory vs simulation",
    caption=(
        "Student overlaps m_S, Q_S, Q_TS (top), student and teacher training errors and the "
        f"teacher–student test agreement (bottom) vs α (ρ = {BASE['feature_fraction']:g}, "
        f"Δ = {BASE['noise']:g}, λ_T = {_TEACHER_REG:g}): square case (ridge teacher → "
        f"ridgeless kd_sq student, λ_S = {SQUARE_RIDGELESS:g}) and CE case (logistic teacher → "
        f"kd_ce student, τ = {BASE['temperature']:g}, λ_S = {CE_RIDGELESS:g}). Lines: replica "
        "theory (our reconstruction, model §3 [R]); points: finite-d simulations at each d (marker "
        "per d), seed mean ± s.e., α = ρ included. Every quantity has a line at every point "
        "(3 s.e. plus an O(d^-1/2) finite-size allowance) and a finite-size-scaling line: the "
        "mean theory error over the α grid must fall as d^-1/2 across the simulated sizes."
    ),
    grid={"quick": _grid(7, SCALING_SIZES["quick"]), "full": _grid(12, SCALING_SIZES["full"])},
    theory=theory,
    simulate=simulate_pair,
    plot=PLOT,
    point=LinePoint,
    seeds=SEEDS,
    compare=tuple(claim for pair in _CLAIMS.values() for claim in pair),
)

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

from collections.abc import Mapping
from typing import Any

from matplotlib.figure import Figure as MplFigure

from distillab.report.plotting import finish_axes, new_figure, plot_simulation
from distillab.studies.saglietti_zdeborova_2022 import simulation
from distillab.studies.saglietti_zdeborova_2022.common import (
    BASE,
    CE_RIDGELESS,
    SCALING_SIZES,
    SEEDS,
    SQUARE_RIDGELESS,
    agreement_line,
    decimal_ticks,
    line_points,
    log_grid,
    mark_peaks,
    plot_line,
    scaling_line,
    theory_point,
    with_segment,
)
from distillab.studies.spec import Figure
from distillab.sweep.store import Row

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


def simulate(params: Mapping[str, Any], seed: int) -> dict[str, Any]:
    """Trained teacher and student: overlaps, training errors, agreement."""
    return simulation.simulate_point(params, seed)


def plot(rows: list[Row]) -> MplFigure:
    figure, axes = new_figure(ncols=3, nrows=2, width=4.4, height=3.4)
    sizes = sorted({int(r.params["d"]) for r in rows if "d" in r.params})
    for ax, (key, label) in zip(axes.flat, _PANELS, strict=True):
        for case, line in _CASES.items():
            colour = _COLOURS[case]
            plot_line(
                ax, rows, "sample_ratio", key, where=line, color=colour, label=f"{case} theory"
            )
            for d in sizes:
                plot_simulation(
                    ax,
                    rows,
                    "sample_ratio",
                    key,
                    where={**line, "d": d},
                    scope=_CLAIMS[key][0].in_scope,
                    color=colour,
                    fmt=_MARKERS.get(d, "o"),
                    label=f"{case} simulation, $d = {d}$",
                )
        mark_peaks(ax, rows)
        # Q_S of the ridgeless square student spikes at α = ρ (~λ_S^{-1/2}): log scale.
        yscale = "log" if key == "Q_S" else "linear"
        finish_axes(
            ax, xlabel="sample ratio $\\alpha = n/d$", ylabel=label, xscale="log", yscale=yscale
        )
        decimal_ticks(ax, (0.2, 0.5, 1, 2, 5))
    return figure


def _grid(count: int, sizes: tuple[int, ...]) -> list[dict[str, Any]]:
    alphas = log_grid(0.2, 5.0, count, extra=(0.3, BASE["feature_fraction"], 1.0, 2.0, 4.0))
    return [
        {
            **BASE,
            **line,
            "teacher_reg": _TEACHER_REG,
            "sample_ratio": alpha,
            "segment_from": start,
            "d": d,
        }
        for line in _CASES.values()
        for d in sizes
        for alpha, start in line_points(alphas)
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
        "theory (our reconstruction, spec §3 [R]); points: finite-d simulations at each d (marker "
        "per d), seed mean ± s.e., α = ρ included. Every quantity has a line at every point "
        "(3 s.e. plus an O(d^-1/2) finite-size allowance) and a finite-size-scaling line: the "
        "mean theory error over the α grid must fall as d^-1/2 across the simulated sizes."
    ),
    grid={"quick": _grid(7, SCALING_SIZES["quick"]), "full": _grid(12, SCALING_SIZES["full"])},
    theory=theory,
    simulate=simulate,
    plot=plot,
    seeds=SEEDS,
    compare=tuple(claim for pair in _CLAIMS.values() for claim in pair),
)

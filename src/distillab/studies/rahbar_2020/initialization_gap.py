"""Figure ``rahbar-2020/initialization-gap``: shared vs fresh initialisation of a distilled student.

Theory (model T2/T6, [R]; the v1 lottery-ticket statement is a [G] reading of this): a student
trained to convergence on targets t from initial function f₀ predicts
f_∞(x) = h(x)ᵀH⁻¹t + g(x) with g(x) = f₀(x) − h(x)ᵀH⁻¹f₀(X). A pure-KD student (α = 1, loss
½‖u − z‖²) of a converged teacher (z ≈ y) therefore differs from the teacher on test inputs by
g_S − g_T (+ h(x)ᵀH⁻¹(z − y)): zero when they share the initialisation, ∝ κ when the student is
re-initialised. ``KernelKD.predict`` gives both networks' predicted test functions from their own
u(0), f₀; the gap is their difference. Simulation: a width-4096 (quick; 16384 full)
``TwoLayerNet`` teacher trained 600 GD steps (η = 1/μ_max) on ±1 labels of 40 points of S^9, a
student trained 600 steps on its outputs from the same (shared) or another (fresh)
initialisation, κ ∈ {0.25, 0.5, 1} (and 0.125 in full); 200 test points.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from distillab.report.panels import Line, Panel, Plot, Points, render
from distillab.studies.point import within
from distillab.studies.rahbar_2020.problem import load_problem
from distillab.studies.rahbar_2020.teachers import TeacherPoint, build_teacher, make_network
from distillab.studies.spec import Comparison, Figure, Scaling, Tolerance
from distillab.sweep.grid import product_grid

if TYPE_CHECKING:
    from matplotlib.figure import Figure as MplFigure

    from distillab.sweep.store import Row

INITS = ("shared", "fresh")
_FRESH_OFFSET = 10_007


@dataclass(frozen=True, kw_only=True)
class GapPoint(TeacherPoint):
    """A (network) teacher point with the pure-KD student's initialisation, step and steps."""

    student_init: Literal["shared", "fresh"]
    lr_scale: float = within(0)
    steps: int = within(0)


def _rms(values: np.ndarray) -> float:
    return float(np.sqrt(np.mean(values**2)))


def simulate(point: GapPoint, seed: int) -> dict[str, Any]:
    """Measured and predicted test-set gap between a pure-KD student and its teacher."""
    from distillab.theory.kernel_kd import KernelKD
    from distillab.train.wide_net import pi_gradient_descent

    problem = load_problem(point)
    teacher = build_teacher(problem, point, seed=seed)
    student_seed = seed if point.student_init == "shared" else seed + _FRESH_OFFSET
    lr, steps = problem.lr(point.lr_scale), point.steps
    run = pi_gradient_descent(
        make_network(problem, point, student_seed),
        problem.X,
        teacher.z,
        teacher.z,
        lr=lr,
        steps=steps,
        pi_weight=math.inf,
        normalization="mixture",
        X_test=problem.X_test,
    )
    if run.status == "diverged":
        return {"status": "diverged", "message": f"diverged by step {run.last_step}"}
    teacher_engine = problem.kernel_kd(problem.y, pi_weight=0.0, u0=teacher.u0)
    student_engine = KernelKD(
        problem.H, teacher.z, teacher.z, u0=run.train[0], pi_weight=0.0, spectrum=problem.spectrum
    )
    predicted = student_engine.predict(
        problem.h_test, steps, f0=run.test[0], lr=lr
    ) - teacher_engine.predict(problem.h_test, point.teacher_steps, f0=teacher.f0_test, lr=lr)
    measured = run.test[-1] - teacher.z_test
    scale = _rms(teacher.z_test)
    along = float(measured @ predicted / np.linalg.norm(predicted) / math.sqrt(predicted.size))
    return {
        "gap_rms": _rms(measured),
        "gap_rms_theory": _rms(predicted),
        "gap_along": along,
        "gap_relative": _rms(measured) / scale,
        "gap_relative_theory": _rms(predicted) / scale,
        "correlation": float(np.corrcoef(measured, predicted)[0, 1]),
        "gap": measured.tolist(),
        "gap_theory": predicted.tolist(),
    }


_BASE = {
    "dataset": "sphere",
    "n": 40,
    "d": 10,
    "n_test": 200,
    "data_seed": 0,
    "teacher": "network",
    "teacher_steps": 600,
    "width": 4096,
    "lr_scale": 1.0,
    "steps": 600,
}

_KAPPAS = {"quick": [0.25, 0.5, 1.0], "full": [0.125, 0.25, 0.5, 1.0]}
# The full profile runs 4× wider nets: the allowance c/(κ√m) halves (resolution ≈ 2–3% at κ = 1).
_WIDTHS = {"quick": _BASE["width"], "full": 4 * _BASE["width"]}


def _fresh(point: GapPoint) -> bool:
    return point.student_init == "fresh"


def _shared(point: GapPoint) -> bool:
    return point.student_init == "shared"


# Laziness: ReLU is 1-homogeneous, so the NTK does not depend on κ while the weights a unit needs
# to move do not shrink with it: the relative movement, hence the non-linear error, is
# ‖Δw_r‖/‖w_r(0)‖ ∝ 1/(κ√m) (Chizat, Oyallon & Bach 2019).
_LAZY_RATE = {
    "rate": lambda p: 1.0 / (p.init_scale * math.sqrt(p.width)),
    "rate_label": "1/(κ√m)",
}
_LAZY_REASON = (
    "seed noise of the paired differences (z = 3) plus the network's distance from its "
    "linearisation, O(1/(κ√m)) (its relative weight movement); c = {c:g} is twice the largest "
    "|relative error|·κ√m ({pilot}) of a pilot at seed 5 (not a grid seed), m = {m}, {where}."
)
# Pilot at seed 5, m = 4096: fresh κ = 1 / 0.25: RMS gap off by +1.0% / +4.2% (·κ√m = 0.63 /
# 0.67), its component along the prediction by +0.75% / +0.97%; shared κ = 1: +5.3% (3.4).
_FRESH_PILOT = {"c": 1.35, "pilot": "0.67", "m": _BASE["width"], "where": "fresh, κ = 0.25 and 1"}
_SHARED_PILOT = {"c": 6.8, "pilot": "3.4", "m": _BASE["width"], "where": "shared, κ = 1"}
_FRESH_SCOPE = (
    "fresh initialisation: the theory predicts the gap g_S − g_T (+ hᵀH⁻¹(z − y)) at every κ; "
    "its finite-width error is allowed by the rate 1/(κ√m), not cut off"
)
_FRESH_RULE = Tolerance(
    _LAZY_REASON.format(**_FRESH_PILOT), allowance=_FRESH_PILOT["c"], **_LAZY_RATE
)

PLOT = Plot(
    Panel(
        "init_scale",
        series=tuple(
            series
            for init, colour in zip(INITS, ("C0", "C3"), strict=True)
            for series in (
                Line(
                    "gap_rms_theory",
                    source="seed",
                    where={"student_init": init},
                    color=colour,
                    label=f"{init} init: theory ‖g_S − g_T‖",
                ),
                Points(
                    "gap_rms",
                    where={"student_init": init},
                    color=colour,
                    label=f"{init} init: trained nets",
                ),
            )
        ),
        xlabel="initialisation scale κ",
        ylabel="RMS test gap f_student − f_teacher",
        title="Initialisation gap (T2): ∝ κ if fresh, 0 if shared",
        xscale="log2",
        yscale="log",
    ),
    Panel(
        "gap_theory",
        series=(),
        xlabel="predicted gap g_S(x) − g_T(x) (+ hᵀH⁻¹(z − y))",
        ylabel="measured gap f_S(x) − f_T(x)",
        title="Fresh initialisation, one seed",
    ),
)


def plot(rows: Sequence[Row]) -> MplFigure:
    """The panels of ``PLOT``, then one seed's measured vs predicted gap per test point (right).

    Panels cannot draw the right one: it scatters the list values of a single row against each
    other, while a :class:`~distillab.report.panels.Trace` averages lists over seeds, whose
    fresh initialisations (hence gaps) differ, so their mean is no test function of a net.
    """
    drawing = render(PLOT, rows, FIGURE)
    fresh = [
        r
        for r in rows
        if r.kind == "simulation"
        and r.ok
        and r.params.get("student_init") == "fresh"
        and "gap" in r.values
    ]
    if fresh:
        right = drawing.axes[1]
        row = max(fresh, key=lambda r: (r.params["init_scale"], -(r.seed or 0)))
        predicted, measured = np.asarray(row.values["gap_theory"]), np.asarray(row.values["gap"])
        right.scatter(
            predicted,
            measured,
            s=8,
            color="C3",
            label=f"test points, κ = {row.params['init_scale']:g}",
        )
        edge = float(np.abs(np.concatenate([predicted, measured])).max())
        right.plot([-edge, edge], [-edge, edge], "k--", linewidth=1.0, label="measured = predicted")
        right.legend(fontsize=8)
    return drawing


FIGURE = Figure(
    name="initialization-gap",
    title="A pure-KD student reproduces its teacher iff it shares the initialisation (T2/T6)",
    caption=(
        f"RMS over {_BASE['n_test']} test points of the difference between a pure-KD student "
        "(loss ½‖u − z‖², trained to convergence on the outputs z of a converged teacher) and "
        "the teacher, vs the initialisation scale κ. Lines: kernel-regime prediction from "
        "KernelKD.predict for each network's own initial function — the gap g_S − g_T with "
        "g = f₀ − hᵀH⁻¹f₀(X), plus hᵀH⁻¹(z − y) from the teacher's unfinished fit (model T2, "
        f"[R]); points: width-{_WIDTHS['quick']} (quick) / {_WIDTHS['full']} (full) two-layer "
        "ReLU nets (teacher "
        f"{_BASE['teacher_steps']} GD steps on ±1 labels of {_BASE['n']} points of "
        f"S^{_BASE['d'] - 1}, student {_BASE['steps']} steps), seed mean ± s.e. Shared "
        "initialisation: the student retraces the teacher, the gap is only the propagated "
        "remainder z − y of the teacher's fit, orders of magnitude below the fresh gap (the v1 "
        "lottery-ticket reading [G]); fresh: the gap grows linearly in κ and matches the "
        "prediction point by point (right); its finite-width error is allowed as c/(κ√m), and a "
        "scaling line checks that the error falls as 1/κ."
    ),
    grid={
        profile: product_grid(
            student_init=list(INITS),
            init_scale=_KAPPAS[profile],
            width=[_WIDTHS[profile]],
            **{k: [v] for k, v in _BASE.items() if k != "width"},
        )
        for profile in ("quick", "full")
    },
    simulate=simulate,
    plot=plot,
    point=GapPoint,
    seeds={"quick": 2, "full": 4},
    compare=(
        Comparison(
            "gap_rms",
            "gap_rms_theory",
            _FRESH_RULE,
            theory_from="seed",
            label="fresh init: RMS test gap vs the predicted ‖g_S − g_T‖ of the same seed, every κ",
            scope=_fresh,
            scope_reason=_FRESH_SCOPE,
        ),
        Comparison(
            "gap_along",
            "gap_rms_theory",
            _FRESH_RULE,
            theory_from="seed",
            label=(
                "fresh init: component of the measured gap along the predicted one (RMS units) "
                "= ‖g_S − g_T‖: direction and size (model §5 item 10)"
            ),
            scope=_fresh,
            scope_reason=_FRESH_SCOPE,
        ),
        Comparison(
            "gap_relative",
            "gap_relative_theory",
            Tolerance(
                _LAZY_REASON.format(**_SHARED_PILOT)
                + " With a shared initialisation the student's targets z differ from the "
                "teacher's y only by the teacher's fit remainder, so the gap is that remainder "
                "propagated by the kernel, predicted per seed with the same rate.",
                allowance=_SHARED_PILOT["c"],
                **_LAZY_RATE,
            ),
            theory_from="seed",
            label="shared init: RMS gap / RMS teacher vs the predicted propagated remainder",
            scope=_shared,
            scope_reason=(
                "shared initialisation: the theory predicts the student retraces the teacher"
            ),
            scale=1.0,
            scale_reason="gap_relative is in units of the teacher's RMS test output",
        ),
        Scaling(
            "gap_rms",
            "gap_rms_theory",
            size="init_scale",
            slope=-1.0,
            reason=(
                "the relative weight movement, hence the non-linear error, is ∝ 1/(κ√m) "
                "(Chizat et al. 2019), at fixed m ∝ 1/κ"
            ),
            label="fresh init: relative gap error falls as 1/κ",
            theory_from="seed",
            scope=_fresh,
            scope_reason=_FRESH_SCOPE,
        ),
    ),
)

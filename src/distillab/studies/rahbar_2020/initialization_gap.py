"""Figure ``rahbar-2020/initialization-gap``: shared vs fresh initialisation of a distilled student.

Theory (spec T2/T6, [R]; the v1 lottery-ticket statement is a [G] reading of this): a student
trained to convergence on targets t from initial function f₀ predicts
f_∞(x) = h(x)ᵀH⁻¹t + g(x) with g(x) = f₀(x) − h(x)ᵀH⁻¹f₀(X). A pure-KD student (α = 1, loss
½‖u − z‖²) of a converged teacher (z ≈ y) therefore differs from the teacher on test inputs by
g_S − g_T (+ h(x)ᵀH⁻¹(z − y)): zero when they share the initialisation, ∝ κ when the student is
re-initialised. ``KernelKD.predict`` gives both networks' predicted test functions from their own
u(0), f₀; the gap is their difference. Simulation: width-4096 ``TwoLayerNet`` teacher trained 600
GD steps (η = 1/μ_max) on ±1 labels of 40 points of S^9, student trained 600 steps on its outputs
from the same (shared) or another (fresh) initialisation, κ ∈ {0.25, 0.5, 1}; 200 test points.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
from matplotlib.figure import Figure as MplFigure

from distillab.report.plotting import finish_axes, new_figure, plot_simulation, plot_theory
from distillab.studies.rahbar_2020.problem import load_problem
from distillab.studies.rahbar_2020.teachers import build_teacher, make_network
from distillab.studies.rahbar_2020.training import train_student
from distillab.studies.spec import Comparison, Figure, Tolerance
from distillab.sweep.grid import product_grid
from distillab.sweep.store import Row
from distillab.theory.kernel_kd import KernelKD

INITS = ("shared", "fresh")
_FRESH_OFFSET = 10_007


def _rms(values: np.ndarray) -> float:
    return float(np.sqrt(np.mean(values**2)))


def simulate(params: Mapping[str, Any], seed: int) -> dict[str, Any]:
    """Measured and predicted test-set gap between a pure-KD student and its teacher."""
    problem = load_problem(params)
    teacher = build_teacher(problem, params, seed=seed)
    student_seed = seed if params["student_init"] == "shared" else seed + _FRESH_OFFSET
    lr, steps = problem.lr(params["lr_scale"]), params["steps"]
    run = train_student(
        make_network(problem, params, student_seed),
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
    teacher_engine = KernelKD(
        problem.H,
        problem.y,
        problem.y,
        u0=teacher.u0,
        pi_weight=0.0,
        spectrum=problem.spectrum,
    )
    student_engine = KernelKD(
        problem.H, teacher.z, teacher.z, u0=run.train[0], pi_weight=0.0, spectrum=problem.spectrum
    )
    predicted = student_engine.predict(
        problem.h_test, steps, f0=run.test[0], lr=lr
    ) - teacher_engine.predict(problem.h_test, params["teacher_steps"], f0=teacher.f0_test, lr=lr)
    measured = run.test[-1] - teacher.z_test
    return {
        "gap_rms": _rms(measured),
        "gap_rms_theory": _rms(predicted),
        "gap_relative": _rms(measured) / _rms(teacher.z_test),
        "correlation": float(np.corrcoef(measured, predicted)[0, 1]),
        "one": 1.0,
        "zero": 0.0,
        "gap": measured.tolist(),
        "gap_theory": predicted.tolist(),
    }


def plot(rows: list[Row]) -> MplFigure:
    figure, axes = new_figure(ncols=2)
    left, right = axes[0]
    for init, colour in zip(INITS, ("C0", "C3"), strict=True):
        where = {"student_init": init}
        plot_theory(
            left,
            rows,
            "init_scale",
            "gap_rms_theory",
            where=where,
            kind="simulation",
            color=colour,
            label=f"{init} init: theory ‖g_S − g_T‖",
        )
        plot_simulation(
            left,
            rows,
            "init_scale",
            "gap_rms",
            where=where,
            color=colour,
            label=f"{init} init: trained nets",
        )
    finish_axes(
        left,
        xlabel="initialisation scale κ",
        ylabel="RMS test gap f_student − f_teacher",
        title="Initialisation gap (T2): ∝ κ if fresh, 0 if shared",
        xscale="log2",
        yscale="log",
    )
    fresh = [
        r
        for r in rows
        if r.kind == "simulation"
        and r.ok
        and r.params.get("student_init") == "fresh"
        and "gap" in r.values
    ]
    if fresh:
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
    finish_axes(
        right,
        xlabel="predicted gap g_S(x) − g_T(x) (+ hᵀH⁻¹(z − y))",
        ylabel="measured gap f_S(x) − f_T(x)",
        title="Fresh initialisation, one seed",
    )
    return figure


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

FIGURE = Figure(
    name="initialization-gap",
    title="A pure-KD student reproduces its teacher iff it shares the initialisation (T2/T6)",
    caption=(
        "RMS over 200 test points of the difference between a pure-KD student (loss ½‖u − z‖², "
        "trained to convergence on the outputs z of a converged teacher) and the teacher, vs the "
        "initialisation scale κ. Lines: kernel-regime prediction from KernelKD.predict for each "
        "network's own initial function — the gap g_S − g_T with g = f₀ − hᵀH⁻¹f₀(X) (spec T2, "
        "[R]); points: width-4096 two-layer ReLU nets, seed mean ± s.e. Shared initialisation: "
        "the student retraces the teacher (gap at round-off; the v1 lottery-ticket reading [G]); "
        "fresh: the gap grows linearly in κ and matches the prediction point by point (right)."
    ),
    grid={
        "quick": product_grid(
            student_init=list(INITS),
            init_scale=[0.25, 0.5, 1.0],
            **{k: [v] for k, v in _BASE.items()},
        ),
        "full": product_grid(
            student_init=list(INITS),
            init_scale=[0.125, 0.25, 0.5, 1.0],
            **{k: [v] for k, v in _BASE.items()},
        ),
    },
    simulate=simulate,
    plot=plot,
    seeds={"quick": 2, "full": 4},
    # Measured (seed 1): fresh-gap RMS within 6% of the prediction at κ = 0.125–0.25, 3.6% at
    # 0.5, 1.9% at 1 (smaller κ is less lazy at fixed m); correlation 0.91, 0.96–0.97, 0.99,
    # 0.997 at κ = 0.125, 0.25, 0.5, 1; shared gap/teacher RMS ≤ 4e-7 (the teacher's residual
    # convergence error). The comparisons apply where the regime is lazy enough (κ ≥ 0.5).
    compare=(
        Comparison(
            "gap_rms",
            "gap_rms_theory",
            Tolerance("unreviewed legacy tolerance", z=0, allowance=0.05, relative=True),
            theory_from="seed",
            label="fresh init: RMS gap vs ‖g_S − g_T‖, κ ≥ 0.5 (tol 5%)",
            scope=lambda p: p["student_init"] == "fresh" and p["init_scale"] >= 0.5,
            scope_reason="unreviewed legacy scope",
        ),
        Comparison(
            "correlation",
            "one",
            Tolerance("unreviewed legacy tolerance", z=0, allowance=0.05, relative=False),
            theory_from="seed",
            label="fresh init: corr(measured, predicted gap) ≥ 0.95, κ ≥ 0.5 (spec §5 item 10)",
            scope=lambda p: p["student_init"] == "fresh" and p["init_scale"] >= 0.5,
            scope_reason="unreviewed legacy scope",
        ),
        Comparison(
            "gap_relative",
            "zero",
            Tolerance("unreviewed legacy tolerance", z=0, allowance=1e-6, relative=False),
            theory_from="seed",
            label="shared init: RMS gap / RMS teacher (theory 0, abs tol 1e-6; spec §5 item 10)",
            scope=lambda p: p["student_init"] == "shared",
            scope_reason="unreviewed legacy scope",
        ),
    ),
)

"""Figure ``rahbar-2020/limit-point``: the trained student interpolates between the data and the PI.

Theory (spec T1, [A] for the claim, [R] for the formulas): KT-A converges to
u* = (y + λz)/(1+λ), so ‖y − u(∞)‖/‖y − z‖ = λ/(1+λ) whatever the student's width or capacity;
KT-B (the [G] alternative) converges to (H + λI)⁻¹(Hy + λz), residual λ(H + λI)⁻¹(y − z), the data
winning on high-capacity eigen-directions. Simulation: a width-5000 ``TwoLayerNet`` (κ = 1) and a
teacher network of the same initialisation trained on y for 20 steps (so z ≠ y and W_T exists for
KT-B); the student runs 800 GD steps with η·max rate = 1 (η = 1/((1+λ)μ_max) for KT-A,
1/(μ_max + λ) for KT-B, sum objectives).
"""

from __future__ import annotations

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

_NAMES = {"output": "KT-A (outputs)", "rkhs": "KT-B (weights/RKHS)"}


def simulate(params: Mapping[str, Any], seed: int) -> dict[str, Any]:
    """Train to convergence; return the measured and predicted residual ratios and limit error."""
    problem = load_problem(params)
    teacher = build_teacher(problem, params, seed=seed)
    net = make_network(problem, params, seed)
    engine = KernelKD(
        problem.H,
        problem.y,
        teacher.z,
        objective=params["objective"],
        pi_weight=params["pi_weight"],
        spectrum=problem.spectrum,
    )
    run = train_student(
        net,
        problem.X,
        problem.y,
        teacher.z,
        lr=params["lr_scale"] * engine.max_stable_lr / 2,
        steps=params["steps"],
        pi_weight=params["pi_weight"],
        objective=params["objective"],
        teacher_weights=teacher.weights,
    )
    if run.status == "diverged":
        return {"status": "diverged", "message": f"diverged by step {run.last_step}"}
    u, limit = run.train[-1], engine.limit()
    gap = np.linalg.norm(problem.y - teacher.z)
    return {
        "residual_ratio": float(np.linalg.norm(problem.y - u) / gap),
        "residual_ratio_theory": float(np.linalg.norm(problem.y - limit) / gap),
        "limit_error": float(np.linalg.norm(u - limit) / np.linalg.norm(limit)),
        "zero": 0.0,
    }


def plot(rows: list[Row]) -> MplFigure:
    figure, axes = new_figure(ncols=2)
    left, right = axes[0]
    lam = np.geomspace(0.05, 20.0, 200)
    left.plot(lam, lam / (1 + lam), color="C0", linewidth=1.6, label="KT-A theory λ/(1+λ)")
    for objective, colour in (("output", "C0"), ("rkhs", "C1")):
        where = {"objective": objective}
        if objective == "rkhs":
            plot_theory(
                left,
                rows,
                "pi_weight",
                "residual_ratio_theory",
                where=where,
                kind="simulation",
                color=colour,
                label="KT-B theory ‖λ(H+λI)⁻¹(y−z)‖/‖y−z‖",
            )
        plot_simulation(
            left,
            rows,
            "pi_weight",
            "residual_ratio",
            where=where,
            color=colour,
            label=f"{_NAMES[objective]}, trained net",
        )
        plot_simulation(
            right,
            rows,
            "pi_weight",
            "limit_error",
            where=where,
            color=colour,
            label=f"{_NAMES[objective]}, trained net (theory: 0)",
        )
    finish_axes(
        left,
        xlabel="PI weight λ",
        ylabel="‖y − u(∞)‖ / ‖y − z‖",
        title="Residual against the data (T1)",
        xscale="log",
    )
    finish_axes(
        right,
        xlabel="PI weight λ",
        ylabel="‖u(K) − u(∞)_theory‖ / ‖u(∞)_theory‖",
        title="Distance to the predicted limit",
        xscale="log",
        yscale="log",
    )
    return figure


_BASE = {
    "dataset": "sphere",
    "n": 40,
    "d": 10,
    "n_test": 1,
    "data_seed": 0,
    "teacher": "network",
    "teacher_steps": 20,
    "width": 5000,
    "init_scale": 1.0,
    "lr_scale": 1.0,
    "steps": 800,
}


def _grid(weights: list[float]) -> list[dict[str, Any]]:
    return product_grid(
        objective=["output", "rkhs"], pi_weight=weights, **{k: [v] for k, v in _BASE.items()}
    )


FIGURE = Figure(
    name="limit-point",
    title="The student's training residual is λ/(1+λ) of the teacher's (KT-A), and KT-B",
    caption=(
        "Training residual against the data, ‖y − u(∞)‖/‖y − z‖, after training to convergence, "
        "vs the PI weight λ. KT-A (½‖u−y‖² + λ/2‖u−z‖², the spec's reconstruction of the paper's "
        "objective): theory λ/(1+λ) for any over-parameterised student (paper's claim 'the "
        "student interpolates between PI and data' [A]; formula [R]). KT-B (λ/2‖W−W_T‖², our [G] "
        "alternative): theory from the spectrum of H^∞ with this seed's teacher outputs. Points: "
        "width-5000 two-layer ReLU nets (κ = 1, 40 points of S^9), teacher = same-initialisation "
        "net trained 20 steps on y; seed mean ± s.e. Right: relative distance to the predicted "
        "limit (KT-A: round-off; KT-B: the finite-width error)."
    ),
    grid={"quick": _grid([0.1, 1.0, 10.0]), "full": _grid([0.1, 0.3, 1.0, 3.0, 10.0])},
    simulate=simulate,
    plot=plot,
    seeds={"quick": 2, "full": 4},
    # Measured (seed 0): KT-A ratio and limit to 1e-13; KT-B limit error 0.16% (λ = 0.1) down to
    # 0.01% (λ = 10), residual ratio within 2.9% (its smaller denominator amplifies the error).
    compare=(
        Comparison(
            "residual_ratio",
            "residual_ratio_theory",
            Tolerance("unreviewed legacy tolerance", z=0, allowance=1e-6, relative=True),
            theory_from="seed",
            label="KT-A ‖y−u(∞)‖/‖y−z‖ = λ/(1+λ) (spec §5 item 2, tol 1e-6)",
            scope=lambda p: p["objective"] == "output",
            scope_reason="unreviewed legacy scope",
        ),
        Comparison(
            "limit_error",
            "zero",
            Tolerance("unreviewed legacy tolerance", z=0, allowance=1e-6, relative=False),
            theory_from="seed",
            label="KT-A ‖u − u*‖/‖u*‖ after training (spec §5 item 1, abs tol 1e-6)",
            scope=lambda p: p["objective"] == "output",
            scope_reason="unreviewed legacy scope",
        ),
        Comparison(
            "residual_ratio",
            "residual_ratio_theory",
            Tolerance("unreviewed legacy tolerance", z=0, allowance=0.05, relative=True),
            theory_from="seed",
            label="KT-B ‖y−u(∞)‖/‖y−z‖ vs ‖λ(H+λI)⁻¹(y−z)‖/‖y−z‖ at m = 5000 (tol 5%)",
            scope=lambda p: p["objective"] == "rkhs",
            scope_reason="unreviewed legacy scope",
        ),
        Comparison(
            "limit_error",
            "zero",
            Tolerance("unreviewed legacy tolerance", z=0, allowance=0.01, relative=False),
            theory_from="seed",
            label="KT-B ‖u − (H+λI)⁻¹(Hy+λz)‖/‖·‖ at m = 5000 (spec §5 item 9, abs tol 0.01)",
            scope=lambda p: p["objective"] == "rkhs",
            scope_reason="unreviewed legacy scope",
        ),
    ),
)

"""Figure ``rahbar-2020/speedup``: the teacher cuts the iterations needed, beyond (1+λ) if smooth.

Theory (spec T4, [A] for the claim, [R] for the counts): at a fixed GD step η on the KT-A sum
objective, k_ε = min{k : Σ_i (1 − η(1+λ)μ_i)^{2k}(v_iᵀu*)² ≤ ε²} (u(0) = 0 here: an
antisymmetric initialisation, the small-κ reading of spec §6.4), bounded by
⌈ln(‖u*‖/ε)/(−ln ρ)⌉. Effect 1 (rate): with z = y the count falls as k_ε(0)/(1+λ) — the "(1+λ)
rule". Effect 2 (spectral content): a smooth teacher — kernel GD on the noisy labels stopped
after 10 steps, its energy on the top eigenvectors of H^∞ — also shrinks u*'s weight on the slow
modes, so k_ε falls below the rule (spec §5 item 7). Simulation: wide ``TwoLayerNet`` students
trained until ‖u(k) − u*‖ ≤ ε = 0.2·√n. 20% label noise; S^9 and digits 3 vs 8.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace
from functools import lru_cache
from typing import Any

import numpy as np
from matplotlib.figure import Figure as MplFigure

from distillab.report.plotting import finish_axes, new_figure, plot_simulation, plot_theory
from distillab.studies.rahbar_2020.problem import DATASETS, Problem, load_problem
from distillab.studies.rahbar_2020.teachers import build_teacher, make_network
from distillab.studies.rahbar_2020.training import train_student
from distillab.studies.spec import Comparison, Figure, Tolerance
from distillab.sweep.grid import canonical_params, product_grid
from distillab.sweep.store import Row
from distillab.theory.kernel_kd import KernelKD

TEACHERS = ("labels", "smooth")
_TEACHER_NAMES = {"labels": "z = y", "smooth": "smooth teacher (kernel GD, 10 steps)"}


def _engine(params: Mapping[str, Any]) -> tuple[Problem, KernelKD, float, float]:
    problem = load_problem(params)
    teacher = build_teacher(problem, params, seed=0)
    engine = KernelKD(
        problem.H,
        problem.y,
        teacher.z,
        pi_weight=params["pi_weight"],
        spectrum=problem.spectrum,
    )
    return problem, engine, problem.lr(params["lr_scale"]), params["eps_rel"] * np.sqrt(problem.n)


def theory(params: Mapping[str, Any]) -> dict[str, Any]:
    """Exact spectral count, worst-case bound, the (1+λ) rule k_ε(0)/(1+λ) and the speed-ups."""
    _, engine, lr, eps = _engine(params)
    count = engine.steps_to(eps, lr)
    if not count.stable:
        return {"status": "diverged", "message": f"η(1+λ)μ_max ≥ 2 (ρ = {count.contraction:.3g})"}
    plain = replace(engine, pi_weight=0.0).steps_to(eps, lr).exact
    return {
        "steps_exact": count.exact,
        "steps_bound": count.bound,
        "steps_rule": plain / (1.0 + params["pi_weight"]),
        "speedup_exact": plain / count.exact,
        "speedup_rule": 1.0 + params["pi_weight"],
    }


def _steps(problem: Problem, engine: KernelKD, params: Mapping[str, Any], seed: int) -> int | None:
    """Steps a trained network needs until ‖u(k) − u*‖ ≤ ε (``None``: not within the budget)."""
    lr, eps = problem.lr(params["lr_scale"]), params["eps_rel"] * np.sqrt(problem.n)
    budget = 2 * (engine.steps_to(eps, lr).bound or 0) + 50
    run = train_student(
        make_network(problem, params, seed),
        problem.X,
        problem.y,
        engine.z,
        lr=lr,
        steps=budget,
        pi_weight=engine.pi_weight,
        target=engine.limit(),
        stop_below=eps,
    )
    return run.last_step if run.status == "reached" else None


@lru_cache(maxsize=16)
def _plain_steps(key: str, seed: int) -> int | None:
    """Network steps at λ = 0, memoised per process: u* = y whatever the teacher, so every
    λ > 0 point of one seed shares this run (same numbers as recomputing it)."""
    params = json.loads(key)
    problem = load_problem(params)
    engine = KernelKD(problem.H, problem.y, problem.y, pi_weight=0.0, spectrum=problem.spectrum)
    return _steps(problem, engine, params, seed)


def simulate(params: Mapping[str, Any], seed: int) -> dict[str, Any]:
    """Steps of a trained network at λ and at λ = 0 (same initialisation) and their ratio."""
    problem, engine, _, _ = _engine(params)
    shared = {k: v for k, v in params.items() if k not in ("teacher", "teacher_steps", "pi_weight")}
    plain = _plain_steps(canonical_params(shared), seed)
    steps = plain if engine.pi_weight == 0 else _steps(problem, engine, params, seed)
    if steps is None or plain is None:
        return {"status": "diverged", "message": "ε not reached within twice the worst-case bound"}
    return {"steps": steps, "steps_plain": plain, "speedup": plain / steps}


def plot(rows: list[Row]) -> MplFigure:
    figure, axes = new_figure(ncols=len(TEACHERS) + 1, nrows=len(DATASETS))
    for line, dataset in zip(axes, DATASETS, strict=True):
        for ax, teacher in zip(line[: len(TEACHERS)], TEACHERS, strict=True):
            where = {"dataset": dataset, "teacher": teacher}
            for key, colour, style, label in (
                ("steps_exact", "C0", "-", "exact spectral count"),
                ("steps_rule", "C2", "--", "(1+λ) rule k(0)/(1+λ)"),
                ("steps_bound", "C7", ":", "worst-case bound"),
            ):
                plot_theory(
                    ax,
                    rows,
                    "pi_weight",
                    key,
                    where=where,
                    color=colour,
                    linestyle=style,
                    label=label,
                )
            plot_simulation(
                ax, rows, "pi_weight", "steps", where=where, color="C3", label="trained net"
            )
            finish_axes(
                ax,
                xlabel="PI weight λ (fixed η)",
                ylabel="GD steps to ‖u − u*‖ ≤ ε",
                title=f"{dataset}: {_TEACHER_NAMES[teacher]}",
                yscale="log",
            )
        ax = line[-1]
        plot_theory(
            ax,
            rows,
            "pi_weight",
            "speedup_rule",
            where={"dataset": dataset, "teacher": "labels"},
            color="C2",
            linestyle="--",
            label="(1+λ) rule",
        )
        for teacher, colour in zip(TEACHERS, ("C0", "C1"), strict=True):
            where = {"dataset": dataset, "teacher": teacher}
            plot_theory(
                ax,
                rows,
                "pi_weight",
                "speedup_exact",
                where=where,
                color=colour,
                label=f"exact, {_TEACHER_NAMES[teacher].split(' (')[0]}",
            )
            plot_simulation(
                ax,
                rows,
                "pi_weight",
                "speedup",
                where=where,
                color=colour,
                label=f"net, {_TEACHER_NAMES[teacher].split(' (')[0]}",
            )
        finish_axes(
            ax,
            xlabel="PI weight λ (fixed η)",
            ylabel="speed-up k_ε(0) / k_ε(λ)",
            title=f"{dataset}: speed-up over plain training",
            yscale="log",
        )
    return figure


def _grid(sizes: dict[str, tuple[int, int]], width: int, weights: list[float]) -> list[dict]:
    base = {
        "n_test": 1,
        "data_seed": 0,
        "label_noise": 0.2,
        "teacher_steps": 10,
        "width": width,
        "antisymmetric": True,
        "lr_scale": 0.3,
        "eps_rel": 0.2,
    }
    points = []
    for dataset, (n, d) in sizes.items():
        points += product_grid(
            dataset=[dataset],
            n=[n],
            d=[d],
            teacher=list(TEACHERS),
            pi_weight=weights,
            **{k: [v] for k, v in base.items()},
        )
    return points


FIGURE = Figure(
    name="speedup",
    title="Steps to ε vs λ at fixed η: the (1+λ) rule, the exact spectral count, a smooth teacher",
    caption=(
        "GD steps until ‖u(k) − u*‖ ≤ ε = 0.2·√n on the KT-A sum objective at one fixed step "
        "η = 0.3/μ_max, vs λ; labels carry 20% noise. Lines: exact count from the spectrum of "
        "H^∞ (solid), the (1+λ) rule k_ε(0)/(1+λ) (dashed), the worst-case bound "
        "⌈ln(‖u*‖/ε)/(−ln ρ)⌉ (dotted) (spec T4, [R]). Points: trained two-layer ReLU students "
        "(antisymmetric initialisation, u(0) = 0), seed mean ± s.e. Left: z = y follows the "
        "rule (effect 1, the paper's claim that the teacher reduces iterations [A]). Right: a "
        "smooth teacher (kernel GD stopped after 10 steps) beats the rule — its energy lies on "
        "the fast eigenvectors (effect 2). Rows: 100 points of S^9 and 100 digits 3 vs 8; width "
        "4096 (quick) or 16384 (full). The nets' excess steps where u* carries label noise is "
        "the finite-width kernel's slow modes (≈ n/(√m μ_min) ≫ 1); it cancels in the speed-up."
    ),
    grid={
        "quick": _grid({"sphere": (100, 10), "digits": (100, 64)}, 4096, [0.0, 1.0, 4.0]),
        "full": _grid({"sphere": (100, 10), "digits": (100, 64)}, 16384, [0.0, 0.5, 1.0, 2.0, 4.0]),
    },
    theory=theory,
    simulate=simulate,
    plot=plot,
    seeds={"quick": 2, "full": 3},
    # Measured (quick, seeds 0–1): speed-up with z = y within 1% of 1+λ on both data sets; the
    # trained nets need 9–28% more steps than the exact count where u* carries the 20% label
    # noise (the finite-width kernel's slowest modes lag H^∞), 0–6% more with the smooth
    # teacher at λ > 0, whose u* avoids those modes.
    compare=(
        Comparison(
            "speedup",
            "speedup_rule",
            Tolerance("unreviewed legacy tolerance", z=0, allowance=0.10, relative=True),
            label="z = y: k_ε(0)/k_ε(λ) of trained nets vs 1+λ (spec §5 item 3, ±10%)",
            scope=lambda p: p["teacher"] == "labels",
            scope_reason="unreviewed legacy scope",
        ),
        Comparison(
            "steps",
            "steps_exact",
            Tolerance("unreviewed legacy tolerance", z=0, allowance=0.10, relative=True),
            label="smooth teacher, λ > 0: net steps vs exact spectral count (< rule; item 7)",
            scope=lambda p: p["teacher"] == "smooth" and p["pi_weight"] > 0,
            scope_reason="unreviewed legacy scope",
        ),
        Comparison(
            "steps",
            "steps_exact",
            Tolerance("unreviewed legacy tolerance", z=0, allowance=0.35, relative=True),
            label="all points: net steps vs exact count (finite-width excess ≤ 35%)",
        ),
    ),
)

"""Figure ``rahbar-2020/speedup``: the teacher cuts the iterations needed, beyond (1+λ) if smooth.

Theory (model T4, [A] for the claim, [R] for the counts): at a fixed GD step η on the KT-A sum
objective, k_ε = min{k : Σ_i (1 − η(1+λ)μ_i)^{2k}(v_iᵀu*)² ≤ ε²} (u(0) = 0 here: an
antisymmetric initialisation, the small-κ reading of model §6.4), bounded by
⌈ln(‖u*‖/ε)/(−ln ρ)⌉. Effect 1 (rate): with z = y the count falls as k_ε(0)/(1+λ) — the "(1+λ)
rule". Effect 2 (spectral content): a smooth teacher — kernel GD on the noisy labels stopped
after 10 steps, its energy on the top eigenvectors of H^∞ — also shrinks u*'s weight on the slow
modes, so k_ε falls below the rule (model §5 item 7). Simulation: wide ``TwoLayerNet`` students
trained until ‖u(k) − u*‖ ≤ ε = 0.2·√n. 20% label noise; S^9 and digits 3 vs 8.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np

from distillab.report.panels import Line, Panel, Plot, Points
from distillab.studies.point import within
from distillab.studies.rahbar_2020.problem import DATASETS, Problem, load_problem
from distillab.studies.rahbar_2020.teachers import (
    WIDTH_RATE,
    TeacherPoint,
    build_teacher,
    make_network,
)
from distillab.studies.spec import Comparison, Figure, Scaling, Tolerance
from distillab.sweep.grid import product_grid

if TYPE_CHECKING:
    from distillab.sweep.store import Row
    from distillab.theory.kernel_kd import KernelKD

TEACHERS = ("labels", "smooth")
_TEACHER_NAMES = {"labels": "z = y", "smooth": "smooth teacher (kernel GD)"}


@dataclass(frozen=True, kw_only=True)
class SpeedupPoint(TeacherPoint):
    """A teacher point with λ, the fixed step η = lr_scale/μ_max and ε = eps_rel·√n."""

    pi_weight: float = within(0)
    lr_scale: float = within(0)
    eps_rel: float = within(0)


def _engine(point: SpeedupPoint) -> tuple[Problem, KernelKD, float, float]:
    problem = load_problem(point)
    engine = problem.kernel_kd(build_teacher(problem, point, seed=0).z, pi_weight=point.pi_weight)
    return problem, engine, problem.lr(point.lr_scale), point.eps_rel * np.sqrt(problem.n)


def theory(point: SpeedupPoint) -> dict[str, Any]:
    """Exact spectral count, worst-case bound, the (1+λ) rule k_ε(0)/(1+λ) and the speed-ups."""
    _, engine, lr, eps = _engine(point)
    count = engine.steps_to(eps, lr)
    if not count.stable:
        return {"status": "diverged", "message": f"η(1+λ)μ_max ≥ 2 (ρ = {count.contraction:.3g})"}
    plain = replace(engine, pi_weight=0.0).steps_to(eps, lr).exact
    return {
        "steps_exact": count.exact,
        "steps_bound": count.bound,
        "steps_rule": plain / (1.0 + point.pi_weight),
        "speedup_exact": plain / count.exact,
        "speedup_rule": 1.0 + point.pi_weight,
    }


def _steps(problem: Problem, engine: KernelKD, point: SpeedupPoint, seed: int) -> int | None:
    """Steps a trained network needs until ‖u(k) − u*‖ ≤ ε (``None``: not within the budget)."""
    from distillab.train.wide_net import pi_gradient_descent

    lr, eps = problem.lr(point.lr_scale), point.eps_rel * np.sqrt(problem.n)
    budget = 2 * (engine.steps_to(eps, lr).bound or 0) + 50
    run = pi_gradient_descent(
        make_network(problem, point, seed),
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
def _plain_steps(point: SpeedupPoint, seed: int) -> int | None:
    """Network steps at λ = 0, memoised per process: u* = y whatever the teacher, so every
    λ > 0 point of one seed shares this run (same numbers as recomputing it)."""
    problem = load_problem(point)
    engine = problem.kernel_kd(problem.y, pi_weight=0.0)
    return _steps(problem, engine, point, seed)


def simulate(point: SpeedupPoint, seed: int) -> dict[str, Any]:
    """Steps of a trained network at λ and at λ = 0 (same initialisation) and their ratio."""
    problem, engine, _, _ = _engine(point)
    plain = _plain_steps(replace(point, teacher="labels", teacher_steps=0, pi_weight=0.0), seed)
    steps = plain if engine.pi_weight == 0 else _steps(problem, engine, point, seed)
    if steps is None or plain is None:
        return {"status": "diverged", "message": "ε not reached within twice the worst-case bound"}
    return {"steps": steps, "steps_plain": plain, "speedup": plain / steps}


_NOISE = 0.2
_TEACHER_STEPS = 10
_LR_SCALE = 0.3
_EPS_REL = 0.2
_SIZES = {"sphere": (100, 10), "digits": (100, 64)}
# Widths per profile and data set: a ladder of three on S^9 for the m^-1/2 scaling line, the
# digits at one width (their d = 64 makes wide nets 6× dearer per step).
_WIDTHS = {
    "quick": {"sphere": (1024, 2048, 4096), "digits": (4096,)},
    "full": {"sphere": (4096, 16384, 65536), "digits": (16384,)},
}
_WEIGHTS = {"quick": [0.0, 1.0, 4.0], "full": [0.0, 0.5, 1.0, 2.0, 4.0]}


def _grid(profile: str) -> list[dict]:
    base = {
        "n_test": 1,
        "data_seed": 0,
        "label_noise": _NOISE,
        "teacher_steps": _TEACHER_STEPS,
        "antisymmetric": True,
        "lr_scale": _LR_SCALE,
        "eps_rel": _EPS_REL,
    }
    points = []
    for dataset, (n, d) in _SIZES.items():
        points += product_grid(
            dataset=[dataset],
            n=[n],
            d=[d],
            teacher=list(TEACHERS),
            pi_weight=_WEIGHTS[profile],
            width=list(_WIDTHS[profile][dataset]),
            **{k: [v] for k, v in base.items()},
        )
    return points


# Pilot at seed 5 (not a grid seed), S^9, λ = 0 and 4: where u* carries the label noise (z = y,
# and λ = 0) the nets need 62–65% more steps than the exact count at m = 1024 and 24% more at
# 4096 (·√m ≤ 20.9); the smooth teacher at λ = 4 needs exactly the predicted count at both. The
# exact count from each seed's own initial kernel H_m(0) equals H^∞'s within one step (seed 5,
# m = 1024/4096, λ = 1/4), so the lag is the kernel's drift during training, not its initial
# fluctuation: a per-seed kernel theory would not tighten these lines.
_STEP_RULE = Tolerance(
    "seed noise (z = 3) plus the finite-width lag of the slow modes: the width-m kernel drifts "
    "from H^∞ by O(m^-1/2) during training, so a count set by the slow modes u* excites is off "
    "by a relative O(m^-1/2); c = 42 is twice the largest |relative error|·√m (20.9, z = y at "
    "λ = 4) of a pilot at seed 5 (not a grid seed), S^9, m = 1024 and 4096, λ = 0 and 4. This "
    "line cannot reach a 5% resolution: that needs c·m^-1/2 ≤ 2.5%, i.e. m ≈ 3·10⁶.",
    allowance=42.0,
    **WIDTH_RATE,
)
_Z_NE_Y = (
    "z ≠ y and λ > 0: there the count is a spectral prediction; with z = y the objective is "
    "(1+λ)·½‖u − y‖², so its speed-up 1+λ is the step-size identity (drawn, not checked), and "
    "at λ = 0 the speed-up is 1 by definition"
)


def _z_ne_y(point: SpeedupPoint) -> bool:
    return point.teacher == "smooth" and point.pi_weight > 0


SPEEDUP = Comparison(
    "speedup",
    "speedup_exact",
    Tolerance(
        _STEP_RULE.reason + " The speed-up inherits the λ = 0 count's error.",
        allowance=_STEP_RULE.allowance,
        **WIDTH_RATE,
    ),
    label="z ≠ y (smooth teacher): speed-up k_ε(0)/k_ε(λ) of nets vs the exact spectral ratio",
    scope=_z_ne_y,
    scope_reason=_Z_NE_Y,
)
STEPS = Comparison(
    "steps",
    "steps_exact",
    _STEP_RULE,
    label="net steps to ε vs the exact spectral count, every point",
)


def _largest_width(dataset: str, rows: Sequence[Row]) -> int | None:
    """The largest width of ``dataset`` run (the others serve the scaling line)."""
    return max(
        (r.params["width"] for r in rows if r.params.get("dataset") == dataset), default=None
    )


def _steps_panel(dataset: str, teacher: str) -> Panel:
    """Steps to ε vs λ: the three theory counts and the trained nets, one data set and teacher."""
    counts = (
        ("steps_exact", "C0", "-", "exact spectral count"),
        ("steps_rule", "C2", "--", "(1+λ) rule k(0)/(1+λ)"),
        ("steps_bound", "C7", ":", "worst-case bound"),
    )
    return Panel(
        "pi_weight",
        series=(
            *(Line(key, color=c, linestyle=ls, label=label) for key, c, ls, label in counts),
            Points("steps", color="C3", label="trained net"),
        ),
        xlabel="PI weight λ (fixed η)",
        ylabel="GD steps to ‖u − u*‖ ≤ ε",
        title=lambda rows: (
            f"{dataset}, m = {_largest_width(dataset, rows)}: {_TEACHER_NAMES[teacher]}"
        ),
        yscale="log",
        where={"dataset": dataset, "teacher": teacher, "width": max},
    )


def _speedup_panel(dataset: str) -> Panel:
    """Speed-up k_ε(0)/k_ε(λ) vs λ for both teachers against the (1+λ) rule."""
    short = {teacher: _TEACHER_NAMES[teacher].split(" (")[0] for teacher in TEACHERS}
    per_teacher = (
        series
        for teacher, colour in zip(TEACHERS, ("C0", "C1"), strict=True)
        for series in (
            Line(
                "speedup_exact",
                where={"teacher": teacher},
                color=colour,
                label=f"exact, {short[teacher]}",
            ),
            Points(
                "speedup", where={"teacher": teacher}, color=colour, label=f"net, {short[teacher]}"
            ),
        )
    )
    return Panel(
        "pi_weight",
        series=(
            Line(
                "speedup_rule",
                where={"teacher": "labels"},
                color="C2",
                linestyle="--",
                label="(1+λ) rule",
            ),
            *per_teacher,
        ),
        xlabel="PI weight λ (fixed η)",
        ylabel="speed-up k_ε(0) / k_ε(λ)",
        title=f"{dataset}: speed-up over plain training",
        yscale="log",
        where={"dataset": dataset, "width": max},
    )


PLOT = Plot(
    *(
        panel
        for dataset in DATASETS
        for panel in (*(_steps_panel(dataset, t) for t in TEACHERS), _speedup_panel(dataset))
    ),
    ncols=len(TEACHERS) + 1,
)

FIGURE = Figure(
    name="speedup",
    title="Steps to ε vs λ at fixed η: the (1+λ) rule, the exact spectral count, a smooth teacher",
    caption=(
        "GD steps until ‖u(k) − u*‖ ≤ ε = "
        f"{_EPS_REL:g}·√n on the KT-A sum objective at one fixed step η = {_LR_SCALE:g}/μ_max, "
        f"vs λ; labels carry {100 * _NOISE:g}% noise. Lines: exact count from the spectrum of "
        "H^∞ (solid), the (1+λ) rule k_ε(0)/(1+λ) (dashed), the worst-case bound "
        "⌈ln(‖u*‖/ε)/(−ln ρ)⌉ (dotted) (model T4, [R]). Points: trained two-layer ReLU students "
        "(antisymmetric initialisation, u(0) = 0), seed mean ± s.e. Left: z = y, whose speed-up "
        "is exactly the (1+λ) rule — the objective is (1+λ)·½‖u − y‖², a larger step, so it is "
        "drawn but not checked (greyed). Right: a smooth teacher (kernel GD stopped after "
        f"{_TEACHER_STEPS} steps) beats the rule — its energy lies on the fast eigenvectors "
        "(effect 2, the paper's claim that the teacher reduces iterations [A]); this speed-up "
        "is the checked prediction. Rows: "
        f"{_SIZES['sphere'][0]} points of S^{_SIZES['sphere'][1] - 1} and "
        f"{_SIZES['digits'][0]} digits 3 vs 8; drawn at the largest width of the grid (quick: "
        f"S^9 m = {'/'.join(map(str, _WIDTHS['quick']['sphere']))}, digits m = "
        f"{'/'.join(map(str, _WIDTHS['quick']['digits']))}; full: S^9 m = "
        f"{'/'.join(map(str, _WIDTHS['full']['sphere']))}, digits m = "
        f"{'/'.join(map(str, _WIDTHS['full']['digits']))}). The nets' excess steps where u* "
        "carries label noise come from the finite-width kernel's slow modes; the agreement "
        "lines allow them as c·m^-1/2 and a scaling line on the S^9 ladder checks that rate."
    ),
    grid={"quick": _grid("quick"), "full": _grid("full")},
    theory=theory,
    simulate=simulate,
    plot=PLOT,
    point=SpeedupPoint,
    seeds={"quick": 2, "full": 4},
    compare=(
        SPEEDUP,
        Comparison(
            "steps",
            "steps_exact",
            Tolerance(
                "seed noise (z = 3) plus one step, the integer resolution of a count: a smooth "
                "teacher's u* has little weight on the slow modes whose finite-width lag is the "
                "error above (model T4 effect 2; the pilot at seed 5, m = 1024 and 4096, λ = 4 "
                "found no excess step).",
                allowance=1.0,
                relative=False,
            ),
            label="z ≠ y (smooth teacher), λ > 0: net steps vs exact count (item 7)",
            scope=_z_ne_y,
            scope_reason=_Z_NE_Y,
        ),
        STEPS,
        Scaling(
            "steps",
            "steps_exact",
            size="width",
            slope=-0.5,
            reason="the width-m kernel's slow modes deviate from H^∞'s by O(m^-1/2)",
            label="S^9: net − exact step count falls as m^-1/2",
            scope=lambda p: p.dataset == "sphere",
            scope_reason=(
                "the width ladder is run on S^9 only (cost); the digits are checked at one width "
                "by the line above"
            ),
        ),
    ),
)

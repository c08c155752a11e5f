"""Figure ``hong-2021/decomposition``: how the teacher spreads its knowledge over its layers.

Factor 3 of Hong et al. [S]: the benefit depends on how the teacher decomposes its knowledge
across its hidden features. Our version [D] (spec §3 T3): four teachers with the same end-to-end
map V (fitted on N + 2000 clean samples) but different layers — task-aligned (V_1 = [V; 0]),
identity (V_1 = I: features are the clean inputs), random (V_1 = G) and task plus large
irrelevant features (V_1 = [V; 3G/√d]). Spec prediction: only the task-aligned teacher helps;
identity and random give no gain; task+irrelevant hurts. With noise-free labels (τ = 0) no teacher
helps (the null test P8): every linear target of x is seen through the same x̃.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from matplotlib.figure import Figure as MplFigure

from distillab.report.plotting import finish_axes, new_figure, seed_statistics
from distillab.studies.hong_2021.linear_setup import (
    LINEAR_DEFAULTS,
    Student,
    mark_divergence,
    train_students,
)
from distillab.studies.spec import Comparison, Figure, Tolerance
from distillab.sweep.store import Row
from distillab.theory.deep_linear_kd import DECOMPOSITIONS

LABEL_NOISES = (1.0, 0.0)


def theory(params: Mapping[str, Any]) -> dict[str, float]:
    """The spec's no-gain prediction (ST/base = 1) where it makes one [D]."""
    no_gain = params["label_noise"] == 0 or params["decomposition"] in ("identity", "random")
    return {"no_gain_ratio": 1.0} if no_gain else {}


def simulate(params: Mapping[str, Any], seed: int) -> dict[str, Any]:
    """Best early-stopped risks of base and of ST with the decomposed fitted teacher."""
    students = [
        Student("base"),
        Student(
            "student_teacher",
            "fitted",
            params["decomposition"],
            params["feature_weight"],
            params["teacher_samples"],
        ),
    ]
    _, results = train_students(
        params, seed, students, replicates=params["replicates"], steps=params["steps"]
    )
    base = float(np.mean(results["base"].best_error))
    student = float(np.mean(results["student_teacher"].best_error))
    values = {
        "base_best_error": base,
        "student_teacher_best_error": student,
        "best_ratio": student / base,
        "last_best_step": int(max(np.max(r.best_step) for r in results.values())),
    }
    return mark_divergence(values, results)


def plot(rows: list[Row]) -> MplFigure:
    figure, axes = new_figure(width=6.4, height=4.0)
    ax = axes[0, 0]
    positions = np.arange(len(DECOMPOSITIONS))
    bar_width = 0.38
    for offset, label_noise, colour in ((-0.5, 1.0, "C3"), (0.5, 0.0, "C7")):
        means, sems = [], []
        for decomposition in DECOMPOSITIONS:
            where = {"decomposition": decomposition, "label_noise": label_noise}
            _, mean, sem, _ = seed_statistics(rows, "label_noise", "best_ratio", where=where)
            means.append(mean[0] if mean.size else np.nan)
            sems.append(sem[0] if sem.size else 0.0)
        ax.bar(
            positions + offset * bar_width,
            means,
            bar_width,
            yerr=sems,
            capsize=3,
            color=colour,
            label=f"label noise τ = {label_noise:g}",
        )
    ax.axhline(1.0, color="k", linewidth=0.8, label="base (no teacher)")
    finish_axes(
        ax,
        xlabel="teacher decomposition (same end-to-end map V)",
        ylabel="best early-stopped risk, ST / base",
        title="Only task-aligned features carry the teacher's knowledge",
    )
    # After finish_axes: setting the scale resets the tick labels.
    names = [d.replace("task-irrelevant", "task+irrelevant") for d in DECOMPOSITIONS]
    ax.set_xticks(positions, names)
    ax.set_ylim(0.75, 1.15)
    return figure


_BASE = {**LINEAR_DEFAULTS, "replicates": 4}


def _points(replicates: int) -> list[dict[str, Any]]:
    # Without label noise the base run's best step comes later (≈100–800 steps).
    return [
        {
            **_BASE,
            "decomposition": decomposition,
            "label_noise": label_noise,
            "steps": 800 if label_noise else 3000,
            "replicates": replicates,
        }
        for label_noise in LABEL_NOISES
        for decomposition in DECOMPOSITIONS
    ]


FIGURE = Figure(
    name="decomposition",
    title="Teacher decompositions: task / identity / random / task+irrelevant (factor 3)",
    caption=(
        "Best-on-trajectory test risk of the student–teacher run over the base run's (paired "
        "data and initialisation; d = 50 → 60 → 50, rank-8 target, N = 30, σ = 0.3, λ = 1), "
        "for four teachers with the same end-to-end map (fitted on N + 2000 clean samples) split "
        "differently over their two layers; red: noisy labels (τ = 1), grey: noise-free labels "
        "(τ = 0, the null test). Error bars: s.e. over seeds (each the mean of 4 training sets). "
        "The paper names the decomposition as a factor [S]; these four teachers and the "
        "predictions (gain only for task-aligned features; none at τ = 0) are the spec's "
        "derivations [D]. Measured here: task-aligned ≈0.88, identity and random within 3% of "
        "base, all within ≈2–3% at τ = 0; the task+irrelevant teacher (10 irrelevant features of "
        "scale 3) gives a small gain instead of the spec's predicted loss."
    ),
    grid={"quick": _points(4), "full": _points(8)},
    theory=theory,
    simulate=simulate,
    plot=plot,
    seeds={"quick": 2, "full": 5},
    compare=(
        Comparison(
            "best_ratio",
            "no_gain_ratio",
            Tolerance("unreviewed legacy tolerance", z=0, allowance=0.03, relative=True),
            label="ST/base best risk vs 1 (identity, random at τ = 1; all at τ = 0)",
        ),
    ),
)

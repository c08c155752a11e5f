"""Figure ``hong-2021/teacher-knowledge``: a better teacher makes a better early-stopped student.

Factor 2 of Hong et al. [S]: the benefit depends on how knowledgeable the teacher is on the
clean-input problem. Our version [D] (spec §3 T3): a task-aligned teacher V = Y_T X_T^+ fitted on
the student's N clean samples plus N_T fresh ones; its clean error ‖V − A‖_F² is our C1/C2 at
σ = 0. Prediction: the best early-stopped student–teacher risk falls with the teacher's clean
error; a teacher that interpolates the student's samples (N + N_T ≤ d) passes on exactly the
labels, so its features carry nothing the labels do not, however bad it is elsewhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from matplotlib.figure import Figure as MplFigure

from distillab.report.plotting import finish_axes, new_figure, seed_statistics, theory_curve
from distillab.studies.hong_2021.linear_setup import (
    LINEAR_DEFAULTS,
    mark_divergence,
    min_norm_theory,
    train_oracle_comparison,
)
from distillab.studies.spec import Comparison, Figure, Tolerance
from distillab.sweep.store import Row

# The teacher's clean error is heavy-tailed within this many samples of the peak at N + N_T = d.
_NEAR_PEAK = 6


def theory(params: Mapping[str, Any]) -> dict[str, float]:
    """The teacher's expected clean error: C1/C2 at σ = 0 with N + N_T samples (inf at the peak)."""
    samples = params["samples"] + params["teacher_samples"]
    return {"teacher_error": min_norm_theory(params, samples=samples, input_noise=0.0)}


def simulate(params: Mapping[str, Any], seed: int) -> dict[str, Any]:
    """Best early-stopped risks of base, ST with the fitted teacher and ST with the oracle A."""
    results = train_oracle_comparison(params, seed)
    base = float(np.mean(results["base"].best_error))
    values = {
        "teacher_error": float(np.mean(results["student_teacher"].teacher_error)),
        "base_best_error": base,
        "student_teacher_best_error": float(np.mean(results["student_teacher"].best_error)),
        "oracle_best_error": float(np.mean(results["oracle"].best_error)),
        "best_ratio": float(np.mean(results["student_teacher"].best_error)) / base,
        "oracle_ratio": float(np.mean(results["oracle"].best_error)) / base,
        "last_best_step": int(max(np.max(r.best_step) for r in results.values())),
    }
    return mark_divergence(values, results)


def plot(rows: list[Row]) -> MplFigure:
    figure, axes = new_figure(ncols=2)
    ratio_ax, teacher_ax = axes[0]
    n = rows[0].params["samples"] if rows else 0
    d = rows[0].params["input_dim"] if rows else 0
    x, error, error_sem, _ = seed_statistics(rows, "teacher_samples", "teacher_error")
    _, ratio, ratio_sem, _ = seed_statistics(rows, "teacher_samples", "best_ratio")
    _, oracle, _, _ = seed_statistics(rows, "teacher_samples", "oracle_ratio")
    if x.size:
        interpolating = x + n <= d
        for mask, marker, label in (
            (~interpolating, "o", "ST, teacher fitted on N + N_T > d samples"),
            (interpolating, "s", "ST, teacher interpolates the student's data"),
        ):
            if mask.any():
                ratio_ax.errorbar(
                    error[mask],
                    ratio[mask],
                    xerr=error_sem[mask],
                    yerr=ratio_sem[mask],
                    fmt=marker,
                    color="C3",
                    capsize=3,
                    markersize=5,
                    label=label,
                )
        for xi, yi, teacher_samples in zip(error, ratio, x, strict=True):
            ratio_ax.annotate(
                f"$N_T$={int(teacher_samples)}",
                (xi, yi),
                textcoords="offset points",
                xytext=(4, 4),
                fontsize=7,
            )
        ratio_ax.axhline(
            float(np.mean(oracle)), color="C2", linestyle="--", label="ST, oracle V = A"
        )
    ratio_ax.axhline(1.0, color="k", linewidth=0.8, label="base (no teacher)")
    finish_axes(
        ratio_ax,
        xlabel=r"teacher clean error $\|V-A\|_F^2$",
        ylabel="best early-stopped risk, ST / base",
        title="Better teachers give better students",
        xscale="log",
    )
    xs, ys = theory_curve(rows, "teacher_samples", "teacher_error")
    finite = np.isfinite(ys)
    labelled = False
    for side in (xs + n < d, xs + n > d):
        keep = side & finite
        if keep.any():
            label = None if labelled else "C1/C2 at σ = 0 (ours)"
            teacher_ax.plot(xs[keep] + n, ys[keep], color="k", label=label)
            labelled = True
    if x.size:
        teacher_ax.errorbar(
            x + n,
            error,
            yerr=error_sem,
            fmt="o",
            color="C0",
            capsize=3,
            markersize=4,
            label="fitted teachers",
        )
    finish_axes(
        teacher_ax,
        xlabel="teacher's clean samples N + N_T",
        ylabel=r"teacher clean error $\|V-A\|_F^2$",
        title="Teacher knowledge (min-norm fit, σ = 0)",
        xscale="log",
        yscale="log",
    )
    return figure


_BASE = {**LINEAR_DEFAULTS, "replicates": 4, "steps": 800}

FIGURE = Figure(
    name="teacher-knowledge",
    title="Best early-stopped student risk vs the teacher's clean error (factor 2)",
    caption=(
        "Left: best-on-trajectory test risk of the student–teacher run divided by the base run's "
        "(same data, same initialisation; d = 50 → 60 → 50, rank-8 target, N = 30, σ = 0.3, "
        "τ = 1, λ = 1, task-aligned teacher) against the clean error of the teacher, fitted "
        "by min-norm least squares on the student's N clean samples plus N_T fresh ones. Dashed: "
        "the oracle teacher V = A. Right: the teachers' clean errors against C1/C2 at σ = 0 "
        "(our closed forms [D]). Squares: teachers that interpolate the student's samples pass on "
        "exactly the labels (identical students whatever their clean error, e.g. N_T = 0 and the "
        "peak N_T = 20). The paper states [S] that the teacher's knowledge matters; the "
        "linear-Gaussian model and every line here are ours [D]. The interpolating teachers still "
        "give a ≈4% gain in this configuration (spec P6 expects none): copying the labels into a "
        "hidden layer changes the implicit regularisation of early-stopped GD."
    ),
    grid={
        "quick": [{**_BASE, "teacher_samples": k} for k in (0, 20, 60, 120, 250, 500, 2000)],
        "full": [
            {**_BASE, "teacher_samples": k, "replicates": 8}
            for k in (0, 10, 20, 40, 60, 90, 120, 250, 500, 1000, 2000, 5000)
        ],
    },
    theory=theory,
    simulate=simulate,
    plot=plot,
    seeds={"quick": 2, "full": 5},
    compare=(
        Comparison(
            "teacher_error",
            "teacher_error",
            Tolerance("unreviewed legacy tolerance", z=0, allowance=0.15, relative=True),
            label=f"teacher clean error vs C1/C2 at σ = 0 (|N + N_T − d| ≥ {_NEAR_PEAK})",
            scope=lambda p: abs(p["samples"] + p["teacher_samples"] - p["input_dim"]) >= _NEAR_PEAK,
            scope_reason="unreviewed legacy scope",
        ),
    ),
)

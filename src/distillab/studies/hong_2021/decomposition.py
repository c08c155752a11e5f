"""Figure ``hong-2021/decomposition``: how the teacher spreads its knowledge over its layers.

Factor 3 of Hong et al. [S]: the benefit depends on how the teacher decomposes its knowledge
across its hidden features. Our version [D] (model §3 T3): four teachers with the same end-to-end
map V (fitted on N + 2000 clean samples) but different layers — task-aligned (V_1 = [V; 0]),
identity (V_1 = I: features are the clean inputs), random (V_1 = G) and task plus large
irrelevant features (V_1 = [V; 3G/√d]). Spec prediction: only the task-aligned teacher helps, as
much as the oracle teacher V = A up to the teacher's own error (the quantitative gain, tested
against an oracle-teacher student on the same data); identity and random give no gain;
task+irrelevant hurts. With noise-free labels (τ = 0) no teacher helps (the null test P8): every
linear target of x is seen through the same x̃. Both early-stopping rules (every step, a
``stopping_step`` grid) are read from the same runs; the no-gain lines are checked under both.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from distillab.report.panels import Bars, Panel, Plot, Reference
from distillab.studies.hong_2021.common import (
    DECOMPOSITIONS,
    LINEAR_DEFAULTS,
    Decomposition,
    EarlyStoppingPoint,
)
from distillab.studies.hong_2021.teacher_knowledge import student_gap_rule
from distillab.studies.spec import Comparison, Figure, Tolerance

LABEL_NOISES = (1.0, 0.0)


@dataclass(frozen=True)
class DecompositionPoint(EarlyStoppingPoint):
    """An early-stopping point whose fitted teacher splits V over its layers by ``decomposition``.

    ``decomposition``: one of :data:`~distillab.studies.hong_2021.common.DECOMPOSITIONS`.
    """

    decomposition: Decomposition


def simulate(point: DecompositionPoint, seed: int) -> dict[str, Any]:
    """Best early-stopped risks of base, ST with the decomposed teacher and ST with the oracle
    (task-aligned V = A), under both stopping rules."""
    from distillab.studies.hong_2021 import linear_setup as linear

    results = linear.train_oracle_comparison(point, seed, point.decomposition)
    return linear.mark_divergence(linear.best_errors(results, point.stopping_step), results)


# (label noise τ, stopping rule suffix, colour, hatch, rule) of each bar in a group, in order.
_BARS = (
    (1.0, "", "C3", None, "every step"),
    (1.0, "_grid", "C3", "//", "step grid"),
    (0.0, "", "C7", None, "every step"),
    (0.0, "_grid", "C7", "//", "step grid"),
)

PLOT = Plot(
    Panel(
        "decomposition",
        series=(
            *(
                Bars(
                    f"best_ratio{suffix}",
                    offset=offset - 1.5,
                    hatch=hatch,
                    color=colour,
                    where={"label_noise": label_noise},
                    label=f"τ = {label_noise:g}, stopping at the best {rule}",
                )
                for offset, (label_noise, suffix, colour, hatch, rule) in enumerate(_BARS)
            ),
            Reference(1.0, color="k", style={"linewidth": 0.8}, label="base (no teacher)"),
        ),
        xlabel="teacher decomposition (same end-to-end map V)",
        ylabel="best early-stopped risk, ST / base",
        title="Only task-aligned features carry the teacher's knowledge",
        categories=DECOMPOSITIONS,
        category_label=lambda d: d.replace("task-irrelevant", "task+irrelevant"),
        ylim=(0.75, 1.25),
    ),
    width=6.4,
    height=4.0,
)
"""ST/base per decomposition: grouped bars for τ = 1 and τ = 0 under both stopping rules."""


_BASE = {**LINEAR_DEFAULTS, "replicates": 2, "stopping_step": 100}
_FULL_REPLICATES = 8
# Without label noise the base run's best step comes later (≈100–800 steps).
_STEPS = {1.0: 800, 0.0: 3000}


def _points(replicates: int) -> list[dict[str, Any]]:
    return [
        {
            **_BASE,
            "decomposition": decomposition,
            "label_noise": label_noise,
            "steps": _STEPS[label_noise],
            "replicates": replicates,
        }
        for label_noise in LABEL_NOISES
        for decomposition in DECOMPOSITIONS
    ]


def _caption() -> str:
    p = _BASE
    return (
        "Best-on-trajectory test risk of the student–teacher run over the base run's (paired "
        f"data and initialisation; d = {p['input_dim']} → {p['width']} → {p['output_dim']}, "
        f"rank-{p['target_rank']} target, N = {p['samples']}, σ = {p['input_noise']:g}, "
        f"λ = {p['feature_weight']:g}), for four teachers with the same end-to-end map (fitted "
        f"on N + {p['teacher_samples']} clean samples) split differently over their two layers; "
        "red: noisy labels (τ = 1), grey: noise-free labels (τ = 0, the null test); solid: "
        f"stopping at the best of every step, hatched: of every {p['stopping_step']}th step. "
        f"Error bars: s.e. over seeds (each the mean of {p['replicates']} training sets; "
        f"{_FULL_REPLICATES} in the full profile). The paper names the decomposition as a factor "
        "[S]; these four teachers and the predictions (gain only for task-aligned features, as "
        "large as the oracle teacher's up to the teacher's error; none at τ = 0) are the model's "
        "derivations [D]. What holds under which rule: with every-step stopping the task-aligned "
        "gain matches the oracle's, identity and random teachers are within ≈1–2 % of base, the "
        "task+irrelevant teacher gives a ≈3 % gain (the model predicts a loss) and at τ = 0 the "
        f"teachers still move the best risk by ≈2 %; with the {p['stopping_step']}-step grid "
        "every ST run with τ = 1 is stopped at its initialisation (best steps ≈15–25 < "
        f"{p['stopping_step']}), so every teacher shown looks ≈7–10 % worse than base: "
        "the coarse grid does not show 'no gain', it shows nothing."
    )


_PAIRED = Tolerance(
    "the model predicts the same best risk with and without this teacher: seed noise of the "
    "paired difference only (z = 3), no allowance (no finite-size rate is claimed)."
)
# The no-gain claims (label, scope, why that scope), each checked under both stopping rules.
_NO_GAIN = (
    (
        "identity / random teacher: no gain, P7",
        lambda p: p.decomposition in ("identity", "random") and p.label_noise == 1.0,
        "model P7 makes its no-gain claim for these two decompositions",
    ),
    (
        "τ = 0: no teacher changes the best risk, P8",
        lambda p: p.label_noise == 0.0,
        "model P8: without label noise every linear target of x is seen through the same x̃, so "
        "no teacher helps",
    ),
)

FIGURE = Figure(
    name="decomposition",
    title="Teacher decompositions: task / identity / random / task+irrelevant (factor 3)",
    caption=_caption(),
    grid={"quick": _points(_BASE["replicates"]), "full": _points(_FULL_REPLICATES)},
    simulate=simulate,
    plot=PLOT,
    point=DecompositionPoint,
    seeds={"quick": 4, "full": 6},
    compare=(
        Comparison(
            "student_teacher_best_error",
            "oracle_best_error",
            student_gap_rule("every-step stopping"),
            label="task-aligned gain = oracle teacher's gain (τ = 1, every step)",
            scope=lambda p: p.decomposition == "task" and p.label_noise == 1.0,
            scope_reason=(
                "the gain is claimed for task-aligned features with noisy labels; at τ = 0 the "
                "fitted teacher is V = A exactly, so its run is the oracle's (nothing to test)"
            ),
            theory_from="seed",
        ),
        *(
            Comparison(
                f"student_teacher_best_error{suffix}",
                f"base_best_error{suffix}",
                _PAIRED,
                label=f"{claim} ({rule})",
                scope=scope,
                scope_reason=reason,
                theory_from="seed",
            )
            for claim, scope, reason in _NO_GAIN
            for suffix, rule in (("", "every step"), ("_grid", "step grid"))
        ),
    ),
)

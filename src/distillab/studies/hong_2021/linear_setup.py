"""Data, teachers and batched gradient-descent training of the deep-linear figures.

One call of :func:`train_students` draws ``replicates`` independent training sets for a seed and
trains every requested student (base, or student–teacher with some teacher) on each of them in one
batched gradient-descent run of :func:`distillab.train.deep_linear_gd.deep_linear_gd`. All
students of a replicate share its data and its initialisation, so their differences are paired.
The configuration and the point types are in :mod:`distillab.studies.hong_2021.common`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from distillab.data.clean_noisy import add_input_noise, gaussian_linear_task, low_rank_target_map
from distillab.errors import ConfigError
from distillab.studies.hong_2021.common import Decomposition, EarlyStoppingPoint, LinearPoint
from distillab.theory.deep_linear_kd import (
    hidden_features,
    linear_risk,
    lmmse_risk,
    min_norm_map,
    min_norm_risk,
    teacher_layers,
)
from distillab.train.deep_linear_gd import deep_linear_gd, small_initialisation

__all__ = [
    "STOPPING_RULES",
    "Cohort",
    "Student",
    "StudentResult",
    "best_error",
    "best_errors",
    "draw_cohort",
    "lmmse_floor",
    "log_steps",
    "mark_divergence",
    "min_norm_theory",
    "network_widths",
    "stopping_record_steps",
    "student_teacher",
    "target_map",
    "train_oracle_comparison",
    "train_students",
]

Array = NDArray[np.float64]


def _stream(seed: int, *keys: int) -> int:
    """An integer seed for an independent random stream named by ``keys``."""
    return int(np.random.SeedSequence([int(seed), *keys]).generate_state(1)[0])


def target_map(point: LinearPoint) -> Array:
    """The task's fixed map A (rank ``target_rank``, ‖A‖_F² = d_y), seeded by ``task_seed``."""
    return low_rank_target_map(
        point.output_dim, point.input_dim, point.target_rank, seed=_stream(point.task_seed, 0)
    )


def min_norm_theory(point: LinearPoint) -> float:
    """C1 (N < d − 1) or C2 (N > d + 1) of the task: expected risk of the min-norm map Y X̃^+.

    N = ``samples``, σ = ``input_noise`` (a teacher's clean error: ``replace`` them by N + N_T
    and 0). ``inf`` for |N − d| ≤ 1 (see :func:`distillab.theory.deep_linear_kd.min_norm_risk`,
    model §3 C1/C2).
    """
    return min_norm_risk(
        point.samples,
        point.input_dim,
        target_norm2=float(np.sum(target_map(point) ** 2)),
        input_noise=point.input_noise,
        label_noise=point.label_noise,
        output_dim=point.output_dim,
    )


def lmmse_floor(point: LinearPoint) -> float:
    """R*, the risk of the best linear map of the noisy inputs (the LMMSE floor)."""
    return lmmse_risk(target_map(point), input_noise=point.input_noise)


def network_widths(point: LinearPoint) -> tuple[int, ...]:
    """``(d, m, …, m, d_y)``: ``depth`` layers with hidden width ``width``."""
    return (point.input_dim, *(point.width,) * (point.depth - 1), point.output_dim)


def log_steps(steps: int, count: int = 40) -> list[int]:
    """About ``count`` recording steps spaced evenly in log(1 + k) from 0 to ``steps``."""
    grid = np.unique(np.round(np.expm1(np.linspace(0.0, np.log1p(steps), count))).astype(int))
    return [int(k) for k in grid]


@dataclass(frozen=True)
class Cohort:
    """The training sets of one seed: R replicates of N samples (model §2).

    Attributes:
      target: A ``(d_y, d)``.
      input_noise: σ.
      clean_inputs: X ``(R, N, d)`` (what the teacher sees).
      noisy_inputs: X̃ = X + E ``(R, N, d)``, noise fixed (what the student sees).
      labels: Y = X Aᵀ + label noise ``(R, N, d_y)``.
    """

    target: Array
    input_noise: float
    clean_inputs: Array
    noisy_inputs: Array
    labels: Array

    def interpolant_error(self) -> Array:
        """``(R,)`` R(Y X̃^+): the common limit of base and ST training when N < d (T1)."""
        fitted = min_norm_map(self.noisy_inputs, self.labels)
        return linear_risk(fitted, self.target, input_noise=self.input_noise)


def draw_cohort(point: LinearPoint, seed: int, replicates: int) -> Cohort:
    """Draw the ``replicates`` training sets of ``seed``."""
    target = target_map(point)
    clean, labels = gaussian_linear_task(
        point.samples,
        target,
        label_noise=point.label_noise,
        seed=_stream(seed, 1),
        replicates=replicates,
    )
    noisy = add_input_noise(clean, point.input_noise, seed=_stream(seed, 2))
    return Cohort(target, float(point.input_noise), clean, noisy, labels)


TeacherKind = Literal["none", "fitted", "oracle"]


@dataclass(frozen=True)
class Student:
    """One student of a batch.

    Attributes:
      name: key of its result.
      teacher: ``"none"`` (base loss), ``"fitted"`` (teacher V = Y_T X_T^+ fitted on the
        student's N clean samples plus ``teacher_samples`` fresh clean ones: the gradient-flow
        limit of a teacher trained on clean data, model §2) or ``"oracle"`` (V = A).
      decomposition: how V is split over the teacher's layers (see ``teacher_layers``).
      feature_weight: λ (model sum form).
      teacher_samples: N_T, extra clean samples of a fitted teacher.
    """

    name: str
    teacher: TeacherKind = "none"
    decomposition: Decomposition = "task"
    feature_weight: float = 0.0
    teacher_samples: int = 0


@dataclass(frozen=True)
class StudentResult:
    """One student's results on the R replicates of a cohort (arrays over replicates).

    Attributes:
      steps: ``(K,)`` recorded steps.
      test_error, train_loss: ``(R, K)`` along the trajectory.
      best_error, best_step: ``(R,)`` best-on-trajectory risk (oracle early stopping) and step.
      final_error, final_train_loss: ``(R,)`` after the last step.
      teacher_error: ``(R,)`` the teacher's clean error ‖V − A‖_F² (NaN without a teacher).
      diverged: some replicate diverged.
    """

    steps: NDArray[np.int64]
    test_error: Array
    train_loss: Array
    best_error: Array
    best_step: NDArray[np.int64]
    final_error: Array
    final_train_loss: Array
    teacher_error: Array
    diverged: bool


def _teacher_map(point: LinearPoint, cohort: Cohort, student: Student, seed: int) -> Array | None:
    replicates = cohort.clean_inputs.shape[0]
    if student.teacher == "none":
        return None
    if student.teacher == "oracle":
        return np.broadcast_to(cohort.target, (replicates, *cohort.target.shape))
    if student.teacher != "fitted":
        raise ConfigError(f"teacher must be 'none', 'fitted' or 'oracle', got {student.teacher!r}.")
    inputs, labels = cohort.clean_inputs, cohort.labels
    if student.teacher_samples > 0:
        extra_x, extra_y = gaussian_linear_task(
            student.teacher_samples,
            cohort.target,
            label_noise=point.label_noise,
            seed=_stream(seed, 3, student.teacher_samples),
            replicates=replicates,
        )
        inputs = np.concatenate([inputs, extra_x], axis=1)
        labels = np.concatenate([labels, extra_y], axis=1)
    return min_norm_map(inputs, labels)


def train_students(
    point: LinearPoint,
    seed: int,
    students: Sequence[Student],
    *,
    replicates: int,
    steps: int,
    record_steps: Sequence[int] | None = None,
) -> tuple[Cohort, dict[str, StudentResult]]:
    """Train every student on the same ``replicates`` training sets in one batched GD run.

    The step size is η = ``lr_scale``/λ_max(X̃ᵀX̃/N) (the largest over replicates), the same for
    all students, so their trajectories are compared step by step; η is halved for a replicate
    whose loss rises (see ``deep_linear_gd``).

    Returns:
      ``(cohort, {student name: StudentResult})``.
    """
    names = [s.name for s in students]
    if len(set(names)) != len(names) or not names:
        raise ConfigError(f"students need distinct names, got {names}.")
    cohort = draw_cohort(point, seed, replicates)
    widths = network_widths(point)
    n_students = len(students)
    n = point.samples
    targets = {layer: [] for layer in range(1, len(widths) - 1)}
    weights, teacher_errors = [], []
    for student in students:
        teacher = _teacher_map(point, cohort, student, seed)
        if teacher is None:
            features = [np.zeros((replicates, n, m)) for m in widths[1:-1]]
            teacher_errors.append(np.full(replicates, np.nan))
            weights.append(np.zeros(replicates))
        else:
            layers = teacher_layers(teacher, widths, student.decomposition, seed=_stream(seed, 4))
            features = hidden_features(layers, cohort.clean_inputs)
            teacher_errors.append(linear_risk(teacher, cohort.target, input_noise=0.0))
            weights.append(np.full(replicates, float(student.feature_weight)))
        for layer, feature in zip(targets, features, strict=True):
            targets[layer].append(feature)
    gram_top = np.linalg.eigvalsh(
        np.swapaxes(cohort.noisy_inputs, -1, -2) @ cohort.noisy_inputs / n
    )[:, -1].max()
    initial = small_initialisation(
        widths, replicates, init_scale=point.init_scale, seed=_stream(seed, 5)
    )
    run = deep_linear_gd(
        np.concatenate([cohort.noisy_inputs] * n_students),
        np.concatenate([cohort.labels] * n_students),
        widths=widths,
        target_map=cohort.target,
        input_noise=point.input_noise,
        steps=steps,
        lr=point.lr_scale / gram_top,
        initial_weights=[np.concatenate([w] * n_students) for w in initial],
        feature_weight=np.concatenate(weights),
        teacher_features={k: np.concatenate(v) for k, v in targets.items()},
        record_steps=record_steps,
    )
    results = {}
    for index, student in enumerate(students):
        part = slice(index * replicates, (index + 1) * replicates)
        results[student.name] = StudentResult(
            steps=run.steps,
            test_error=run.test_error[part],
            train_loss=run.train_loss[part],
            best_error=run.best_error[part],
            best_step=run.best_step[part],
            final_error=run.final_error[part],
            final_train_loss=run.final_train_loss[part],
            teacher_error=teacher_errors[index],
            diverged=bool(np.any(run.diverged_at[part] >= 0)),
        )
    return cohort, results


# Early stopping with an oracle validation set, at two resolutions: the best test risk over
# *every* GD step, or over a grid of every ``stopping_step``-th step (the rule of the earlier
# figures, 100 steps). Both are read from the same run; which claims hold depends on the rule.
STOPPING_RULES = ("every", "grid")


def stopping_record_steps(steps: int, stopping_step: int) -> list[int]:
    """The steps 0, s, 2s, …, ``steps`` at which the grid stopping rule may stop."""
    if stopping_step < 1:
        raise ConfigError(f"stopping_step must be a positive integer, got {stopping_step}.")
    return sorted({*range(0, steps + 1, stopping_step), steps})


def best_error(result: StudentResult, rule: str, stopping_step: int) -> Array:
    """``(R,)`` best early-stopped risk under ``rule``: ``"every"`` step or the ``"grid"``.

    The grid rule takes the minimum of the recorded risks at multiples of ``stopping_step`` (the
    run must have recorded them, see :func:`stopping_record_steps`).
    """
    if rule == "every":
        return result.best_error
    if rule != "grid":
        raise ConfigError(f"stopping rule must be one of {STOPPING_RULES}, got {rule!r}.")
    on_grid = (result.steps % stopping_step == 0) | (result.steps == result.steps.max())
    if on_grid.sum() < 2:
        raise ConfigError(f"the run recorded no {stopping_step}-step grid to stop on.")
    return np.min(result.test_error[:, on_grid], axis=1)


def best_errors(
    results: Mapping[str, StudentResult],
    stopping_step: int,
    rules: Sequence[str] = STOPPING_RULES,
) -> dict[str, float]:
    """Mean best risk of every student under each rule, the ST/base ratios and the last best step.

    Keys: ``<name>_best_error`` and ``best_ratio`` (every step), the same with ``_grid``
    (the ``stopping_step`` grid); ``best_ratio`` = student_teacher / base; ``last_best_step``,
    the latest best step of any student and replicate.
    """
    values: dict[str, float] = {}
    for rule in rules:
        suffix = "" if rule == "every" else "_grid"
        for name, result in results.items():
            values[f"{name}_best_error{suffix}"] = float(
                np.mean(best_error(result, rule, stopping_step))
            )
        values[f"best_ratio{suffix}"] = (
            values[f"student_teacher_best_error{suffix}"] / values[f"base_best_error{suffix}"]
        )
    values["last_best_step"] = int(max(np.max(r.best_step) for r in results.values()))
    return values


def student_teacher(point: LinearPoint, decomposition: Decomposition = "task") -> Student:
    """The student–teacher run of ``point``: λ = ``feature_weight``, a teacher fitted on N + N_T."""
    return Student(
        "student_teacher", "fitted", decomposition, point.feature_weight, point.teacher_samples
    )


def train_oracle_comparison(
    point: EarlyStoppingPoint, seed: int, decomposition: Decomposition = "task"
) -> dict[str, StudentResult]:
    """Train base, ST with the fitted ``decomposition`` teacher and ST with the oracle V = A.

    Both student–teacher runs use λ = ``feature_weight`` (the oracle's decomposition is
    task-aligned); the fitted teacher sees ``teacher_samples`` extra clean samples.
    ``replicates`` training sets, ``steps`` GD steps, the risk recorded on the ``stopping_step``
    grid (for :func:`best_error`).

    Returns:
      ``{"base": …, "student_teacher": …, "oracle": …}``.
    """
    students = [
        Student("base"),
        student_teacher(point, decomposition),
        Student("oracle", "oracle", "task", point.feature_weight),
    ]
    _, results = train_students(
        point,
        seed,
        students,
        replicates=point.replicates,
        steps=point.steps,
        record_steps=stopping_record_steps(point.steps, point.stopping_step),
    )
    return results


def mark_divergence(values: dict[str, Any], results: Mapping[str, StudentResult]) -> dict[str, Any]:
    """``values`` as a simulation's result: with status ``"diverged"`` if any replicate diverged."""
    if any(r.diverged for r in results.values()):
        return {"status": "diverged", "message": "a replicate diverged", **values}
    return values

"""Shared set-up of the ji-zhu-2020 figures: the reference problem, its points, the kernel student.

Reference problem (model §4, our scale-down): inputs uniform on S^{d−1} with d = 5; a kernel
teacher with M = 40 centres and std(z_t) = 3 (:mod:`distillab.data.kernel_teacher`), chosen by
the grid parameter ``teacher`` (:data:`TEACHERS`; default ``"centred"``, see
:func:`reference_teacher`); the kernel
Θ = ``relu_ntk(·, trained="both")``, the NTK of ``TwoLayerNet(trained="both")`` (the model's Θ is
twice it; interpolants and risks are the same, ‖Δw‖² is doubled); ridge 1e−9; a fixed test sample
per teacher. The training set of simulation seed s is ``unit_sphere(n, d, seed=s)``, whose first k
rows are ``unit_sphere(k, d, seed=s)``: sets are nested in n, as model P6 needs.
"""

from __future__ import annotations

import typing
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from numpy.typing import NDArray

# From the defining modules: the package attribute ``kernel_teacher`` is also its submodule.
from distillab.data.kernel_teacher import (
    ImperfectTeacher,
    KernelTeacher,
    imperfect_teacher,
    kernel_teacher,
)
from distillab.data.synthetic import unit_sphere
from distillab.kernels import relu_ntk
from distillab.report.panels import Key, Line, Panel, Plot, Points
from distillab.studies.point import Point, within
from distillab.sweep.grid import product_grid

if TYPE_CHECKING:
    from matplotlib.figure import Figure as MplFigure

    from distillab.sweep.store import Row
    from distillab.theory.linearized_kd import LinearizedKD
    from distillab.train.wide_net import KDNetworkRun

__all__ = [
    "REFERENCE",
    "TEACHERS",
    "KDPoint",
    "KernelProblem",
    "ProblemPoint",
    "TeacherPoint",
    "best_ratio_stars",
    "grid",
    "kernel_problem",
    "kernel_student",
    "perfect_teacher",
    "ratio_label",
    "reference_teacher",
    "risk_vs_ratio_plot",
    "teacher_with_error",
    "test_inputs",
    "train_network",
]

#: The reference setting shared by the synthetic figures (model §4).
REFERENCE: dict[str, Any] = {"d": 5, "centres": 40, "logit_std": 3.0, "teacher_seed": 0}

Teacher = Literal["centred", "per-seed"]
#: The two perfect teachers of the grid parameter ``teacher`` (see :func:`reference_teacher`).
#: The model does not say which one the paper means; ``"centred"`` is every figure's default.
TEACHERS: tuple[str, ...] = typing.get_args(Teacher)

#: Finite-width training (model E6): full-batch heavy-ball GD on the mean mixed-target loss. The
#: momentum keeps every update in the span of the training features, so the linearised limit is
#: unchanged, and makes 10⁴ steps reach what plain GD at lr 2 needs ≈ 5·10⁵ steps for.
NETWORK_LR = 10.0
NETWORK_MOMENTUM = 0.9


@dataclass(frozen=True)
class ProblemPoint(Point):
    """The reference problem at training-set size n: inputs on S^{d−1}, an M-centre teacher.

    ``centres`` is M, ``logit_std`` the teacher's std(z_t), ``test_size`` the fixed test sample.
    """

    d: int = within(2)
    centres: int = within(1)
    logit_std: float = within(0)
    teacher_seed: int = within(0)
    n: int = within(1)
    test_size: int = within(1)


@dataclass(frozen=True)
class TeacherPoint(ProblemPoint):
    """A reference problem with one of the perfect teachers :data:`TEACHERS`."""

    teacher: Teacher


@dataclass(frozen=True)
class KDPoint(TeacherPoint):
    """A perfect-teacher problem distilled with soft ratio ρ and temperature T (mixed-target)."""

    soft_ratio: float = within(0, 1)
    temperature: float = within(0)


def grid(**values: Any) -> list[dict[str, Any]]:
    """:func:`~distillab.sweep.grid.product_grid` with every scalar value a one-value axis.

    Example:
      >>> grid(n=[25, 50], d=5)
      [{'n': 25, 'd': 5}, {'n': 50, 'd': 5}]
    """
    return product_grid(**{k: v if isinstance(v, list | tuple) else [v] for k, v in values.items()})


@lru_cache(maxsize=8)
def perfect_teacher(
    d: int, centres: int, logit_std: float, teacher_seed: int, centred: bool = True
) -> KernelTeacher:
    """A kernel teacher of the reference problem (cached per process)."""
    return kernel_teacher(
        d, seed=teacher_seed, centres=centres, logit_std=logit_std, centred=centred
    )


def reference_teacher(point: TeacherPoint, seed: int) -> KernelTeacher:
    """The perfect teacher of simulation seed ``seed`` for the point's ``teacher``.

    ``"centred"`` (the default of every figure): one teacher for all seeds, seeded by
    ``teacher_seed``, its coefficients projected onto Σ_j a_j = 0 so that E_x z_t = 0 and the
    classes are balanced (our choice). ``"per-seed"``: the model's draw a_j ~ N(0, 1), not
    centred, a fresh teacher for every training set (seeded ``1000·(teacher_seed + 1) + seed``);
    the NTK's constant component then gives each teacher a random offset, so its classes are
    unbalanced and its transfer risk is lower. Which one the paper means is unknown.
    """
    shape = (point.d, point.centres, point.logit_std)
    if point.teacher == "centred":
        return perfect_teacher(*shape, point.teacher_seed)
    return perfect_teacher(*shape, 1000 * (point.teacher_seed + 1) + seed, centred=False)


@lru_cache(maxsize=8)
def teacher_with_error(
    d: int, centres: int, logit_std: float, teacher_seed: int, teacher_error: float
) -> ImperfectTeacher:
    """The imperfect kernel teacher with the given error rate (cached per process)."""
    return imperfect_teacher(
        d, teacher_error=teacher_error, seed=teacher_seed, centres=centres, logit_std=logit_std
    )


@lru_cache(maxsize=8)
def test_inputs(d: int, size: int, teacher_seed: int) -> NDArray[np.float64]:
    """The fixed test sample of a teacher: ``size`` uniform points of S^{d−1}."""
    g = np.random.default_rng([teacher_seed, 3]).standard_normal((size, d))
    return g / np.linalg.norm(g, axis=1, keepdims=True)


@dataclass(frozen=True)
class KernelProblem:
    """One training set of the reference problem with its factored kernel student.

    Attributes:
      X: ``(n, d)`` training inputs.
      X_test: ``(n_test, d)`` test inputs.
      student: the :class:`LinearizedKD` built on them.
      teacher_test_logits: ``(n_test,)`` z_t on the test inputs.
      test_labels: ``(n_test,)`` ground-truth 0/1 labels on the test inputs.
    """

    X: NDArray[np.float64]
    X_test: NDArray[np.float64]
    student: LinearizedKD
    teacher_test_logits: NDArray[np.float64]
    test_labels: NDArray[np.float64]


def kernel_problem(
    point: ProblemPoint, seed: int, teacher: KernelTeacher | ImperfectTeacher
) -> KernelProblem:
    """Training set ``unit_sphere(n, d, seed)``, the teacher's logits and labels, the student."""
    X = unit_sphere(point.n, point.d, seed=seed)
    X_test = test_inputs(point.d, point.test_size, point.teacher_seed)
    student = kernel_student(X, X_test, teacher.logits(X), teacher.labels(X))
    return KernelProblem(X, X_test, student, teacher.logits(X_test), teacher.labels(X_test))


def kernel_student(
    X: NDArray[np.float64],
    X_test: NDArray[np.float64],
    teacher_logits: NDArray[np.float64],
    labels: NDArray[np.float64],
) -> LinearizedKD:
    """The converged wide student on ``(n, d)`` inputs ``X``: Θ = ``relu_ntk(·, trained="both")``.

    ``teacher_logits`` and ``labels`` are the ``(n,)`` z_t and 0/1 labels of ``X``; predictions
    are made on the ``(n_test, d)`` inputs ``X_test``.
    """
    from distillab.theory.linearized_kd import LinearizedKD

    return LinearizedKD(
        relu_ntk(X, trained="both"),
        relu_ntk(X_test, X, trained="both"),
        teacher_logits,
        labels,
    )


def train_network(
    problem: KernelProblem,
    *,
    soft_ratio: float,
    temperature: float,
    width: int,
    steps: int,
    seed: int,
) -> KDNetworkRun:
    r"""The study's finite-width student (model E6) on ``problem``'s training set and test inputs.

    :func:`distillab.train.wide_net.kd_network_gd`: full-batch heavy-ball GD at η =
    ``NETWORK_LR``, μ = ``NETWORK_MOMENTUM``, float32.
    """
    from distillab.train.wide_net import kd_network_gd

    return kd_network_gd(
        problem.X,
        problem.student.teacher_logits,
        problem.student.labels,
        problem.X_test,
        soft_ratio=soft_ratio,
        temperature=temperature,
        width=width,
        steps=steps,
        lr=NETWORK_LR,
        momentum=NETWORK_MOMENTUM,
        seed=seed,
    )


def ratio_label(soft_ratio: float) -> str:
    """Legend text for a soft ratio."""
    return f"ρ = {soft_ratio:g}"


def risk_vs_ratio_plot(
    ns: Sequence[int],
    parameter: str,
    values: Sequence[float],
    *,
    theory_label: str,
    ylabel: str,
    title: Callable[[float], str],
) -> Plot:
    """Imperfect-teacher panels, one per value of ``parameter``: risk vs ρ per training set size.

    ``ns`` are the sizes of the figure's grids (one list for both profiles, so a size keeps its
    colour). Every n gets the seed means ± s.e. of ``risk`` in its own colour (its star at the
    best ρ is added by :func:`best_ratio_stars`); the theory ``teacher_error`` (read at the
    smallest n run) is a dashed black line labelled ``theory_label``.
    """
    star = {"color": "k", "marker": "*", "linestyle": "none", "style": {"markersize": 10}}
    series = (
        *(
            Points("risk", label=f"n = {n}", color=f"C{i}", where={"n": n})
            for i, n in enumerate(ns)
        ),
        Line("teacher_error", label=theory_label, color="k", linestyle="--", where={"n": min}),
        Key("best ρ (seed mean)", **star),
    )
    panels = (
        Panel(
            "soft_ratio",
            series=series,
            xlabel="soft ratio ρ",
            ylabel=ylabel,
            title=title(value),
            where={parameter: value},
        )
        for value in values
    )
    return Plot(*panels, width=5.0, height=3.9)


def best_ratio_stars(plot: Plot, drawing: MplFigure, rows: Sequence[Row]) -> MplFigure:
    """``drawing`` of ``plot`` with a star at the soft ratio of the smallest seed mean of every
    :class:`~distillab.report.panels.Points` series, in the series' colour (the measured best ρ).

    The best ρ is a statistic of the seed means across grid points, not a stored value, so it is
    drawn here rather than by a panel.
    """
    from distillab.report.plotting import seed_statistics

    for ax, panel in zip(drawing.axes, plot.panels, strict=False):
        for series in panel.series:
            if isinstance(series, Points):
                where = {**panel.where, **series.where}
                ratios, mean, _, _ = seed_statistics(rows, panel.x, series.y, where=where)
                if mean.size:
                    best = int(np.argmin(mean))
                    ax.plot(ratios[best], mean[best], "*", color=series.color, markersize=13)
    return drawing

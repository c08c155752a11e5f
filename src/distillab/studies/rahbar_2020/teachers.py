"""Teachers (the privileged information z) and student networks of study ``rahbar-2020``.

The model leaves the teacher open (model §6.3, [G]); four kinds are configurable by the grid
parameter ``teacher``:

* ``"labels"``: z = y, the perfect teacher (the z ≈ y case of model §5 item 3).
* ``"noisy-labels"``: a copy of the labels with a fraction ``teacher_noise`` of them flipped.
* ``"smooth"``: a kernel regressor stopped early — kernel GD on y from 0 for ``teacher_steps``
  steps of η = 1/μ_max: z = (I − (I − H/μ_max)^k) y, whose energy sits on the top eigenvectors
  of H^∞ (model §4 E2(a), §5 item 7).
* ``"network"``: a wide ``TwoLayerNet`` of the student's kind trained by GD on y for
  ``teacher_steps`` steps of η = 1/μ_max from the initialisation of seed ``seed`` (so a student of
  the same seed shares it: the KT-B teacher of model §2.4).

Networks: width ``width``, first-layer scale κ = ``init_scale`` (default 1, Du et al.'s
u(0) ≠ 0), ``antisymmetric`` pairs for u(0) = 0 exactly (κ → 0 without slowing the lazy regime;
model §6.4), float64.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, get_args

import numpy as np
from numpy.typing import NDArray

from distillab.studies.point import within
from distillab.studies.rahbar_2020.problem import Problem, ProblemPoint

if TYPE_CHECKING:
    import torch

    from distillab.nn import TwoLayerNet

__all__ = [
    "TEACHERS",
    "WIDTH_RATE",
    "NetworkPoint",
    "StudentPoint",
    "Teacher",
    "TeacherPoint",
    "build_teacher",
    "make_network",
    "width_rate",
]

TeacherKind = Literal["labels", "noisy-labels", "smooth", "network"]
TEACHERS: tuple[str, ...] = get_args(TeacherKind)


@dataclass(frozen=True, kw_only=True)
class NetworkPoint(ProblemPoint):
    """A training set and the networks' width m, scale κ and initialisation (module docstring)."""

    width: int = within(1)
    init_scale: float = within(0, default=1.0)
    antisymmetric: bool = False


def width_rate(point: NetworkPoint) -> float:
    """m^-1/2: how fast a lazy network of width m approaches its kernel model (Lee et al. 2019)."""
    return point.width**-0.5


WIDTH_RATE = {"rate": width_rate, "rate_label": "m^-1/2"}
"""The :class:`~distillab.studies.Tolerance` rate arguments of a finite-width allowance c·m^-1/2."""


@dataclass(frozen=True, kw_only=True)
class TeacherPoint(NetworkPoint):
    """A network point with its teacher: kind, steps k of a trained teacher, flipped fraction."""

    teacher: TeacherKind
    teacher_steps: int = within(0)
    teacher_noise: float = within(0, 1, default=0.0)


@dataclass(frozen=True, kw_only=True)
class StudentPoint(TeacherPoint):
    """A teacher point with the student's PI weight λ, step η = lr_scale/μ_max and step count K."""

    pi_weight: float = within(0)
    lr_scale: float = within(0)
    steps: int = within(0)


@dataclass(frozen=True)
class Teacher:
    """The privileged information handed to the student.

    Attributes:
      z: ``(n,)`` teacher outputs on the training inputs.
      z_test: ``(n_test,)`` teacher outputs on the test inputs (the labels' kinds: ``y_test``).
      weights: the teacher's first-layer weights W_T (``"network"`` only; needed by KT-B).
      u0, f0_test: a network teacher's initial outputs on the training and test inputs (its
        kernel-regime prediction needs them); ``None`` for the other kinds.
    """

    z: NDArray[np.float64]
    z_test: NDArray[np.float64]
    weights: torch.Tensor | None = None
    u0: NDArray[np.float64] | None = None
    f0_test: NDArray[np.float64] | None = None


def make_network(problem: Problem, point: NetworkPoint, seed: int) -> TwoLayerNet:
    """A float64 ``TwoLayerNet`` (trained="first") with the point's width and initialisation."""
    import torch

    from distillab.nn import TwoLayerNet

    return TwoLayerNet(
        problem.d,
        point.width,
        init_scale=point.init_scale,
        antisymmetric=point.antisymmetric,
        seed=seed,
        dtype=torch.float64,
    )


def build_teacher(problem: Problem, point: TeacherPoint, *, seed: int) -> Teacher:
    """The teacher ``point.teacher`` (see the module docstring).

    Args:
      problem: the training problem.
      point: reads ``teacher``, ``teacher_steps``, ``teacher_noise``, ``data_seed`` and, for
        ``"network"``, ``width``, ``init_scale``, ``antisymmetric``.
      seed: the network teacher's initialisation seed.
    """
    kind = point.teacher
    if kind == "labels":
        return Teacher(problem.y.copy(), problem.y_test.copy())
    if kind == "noisy-labels":
        flips = np.random.default_rng(point.data_seed + 2).permutation(problem.n)
        z = problem.y.copy()
        z[flips[: round(point.teacher_noise * problem.n)]] *= -1.0
        return Teacher(z, problem.y_test.copy())
    from distillab.train.wide_net import pi_gradient_descent

    steps, lr = point.teacher_steps, problem.lr(1.0)
    if kind == "smooth":
        kernel = problem.kernel_kd(problem.y, pi_weight=0.0)
        return Teacher(kernel.outputs(steps, lr=lr), kernel.predict(problem.h_test, steps, lr=lr))
    net = make_network(problem, point, seed)
    run = pi_gradient_descent(
        net, problem.X, problem.y, problem.y, lr=lr, steps=steps, X_test=problem.X_test
    )
    return Teacher(run.train[-1], run.test[-1], net.W.detach().clone(), run.train[0], run.test[0])

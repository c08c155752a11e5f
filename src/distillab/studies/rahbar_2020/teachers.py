"""Teachers (the privileged information z) and student networks of study ``rahbar-2020``.

The spec leaves the teacher open (spec §6.3, [G]); four kinds are configurable by the grid
parameter ``teacher``:

* ``"labels"``: z = y, the perfect teacher (the z ≈ y case of spec §5 item 3).
* ``"noisy-labels"``: a copy of the labels with a fraction ``teacher_noise`` of them flipped.
* ``"smooth"``: a kernel regressor stopped early — kernel GD on y from 0 for ``teacher_steps``
  steps of η = 1/μ_max: z = (I − (I − H/μ_max)^k) y, whose energy sits on the top eigenvectors
  of H^∞ (spec §4 E2(a), §5 item 7).
* ``"network"``: a wide ``TwoLayerNet`` of the student's kind trained by GD on y for
  ``teacher_steps`` steps of η = 1/μ_max from the initialisation of seed ``seed`` (so a student of
  the same seed shares it: the KT-B teacher of spec §2.4).

Networks: width ``width``, first-layer scale κ = ``init_scale`` (default 1, Du et al.'s
u(0) ≠ 0), ``antisymmetric`` pairs for u(0) = 0 exactly (κ → 0 without slowing the lazy regime;
spec §6.4), float64.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from numpy.typing import NDArray

from distillab.errors import ConfigError
from distillab.nn import TwoLayerNet
from distillab.studies.rahbar_2020.problem import Problem
from distillab.studies.rahbar_2020.training import train_student
from distillab.theory.kernel_kd import KernelKD

__all__ = ["TEACHERS", "Teacher", "build_teacher", "make_network"]

TEACHERS: tuple[str, ...] = ("labels", "noisy-labels", "smooth", "network")


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


def make_network(problem: Problem, params: Mapping[str, Any], seed: int) -> TwoLayerNet:
    """A float64 ``TwoLayerNet`` (trained="first") with the grid's width and initialisation."""
    return TwoLayerNet(
        problem.d,
        int(params["width"]),
        init_scale=float(params.get("init_scale", 1.0)),
        antisymmetric=bool(params.get("antisymmetric", False)),
        seed=seed,
        dtype=torch.float64,
    )


def build_teacher(problem: Problem, params: Mapping[str, Any], *, seed: int) -> Teacher:
    """The teacher named by ``params["teacher"]`` (see the module docstring).

    Args:
      problem: the training problem.
      params: grid point; reads ``teacher``, ``teacher_steps``, ``teacher_noise``, ``data_seed``
        and, for ``"network"``, ``width``, ``init_scale``, ``antisymmetric``.
      seed: the network teacher's initialisation seed.
    """
    kind = params["teacher"]
    if kind not in TEACHERS:
        raise ConfigError(f"teacher must be one of {TEACHERS}, got {kind!r}.")
    if kind == "labels":
        return Teacher(problem.y.copy(), problem.y_test.copy())
    if kind == "noisy-labels":
        noise = float(params["teacher_noise"])
        if not 0.0 <= noise <= 1.0:
            raise ConfigError(f"teacher_noise must lie in [0, 1], got {noise!r}.")
        flips = np.random.default_rng(int(params["data_seed"]) + 2).permutation(problem.n)
        z = problem.y.copy()
        z[flips[: round(noise * problem.n)]] *= -1.0
        return Teacher(z, problem.y_test.copy())
    steps = int(params["teacher_steps"])
    lr = problem.lr(1.0)
    if kind == "smooth":
        kernel = KernelKD(problem.H, problem.y, problem.y, pi_weight=0.0, spectrum=problem.spectrum)
        return Teacher(kernel.outputs(steps, lr=lr), kernel.predict(problem.h_test, steps, lr=lr))
    net = make_network(problem, params, seed)
    run = train_student(
        net, problem.X, problem.y, problem.y, lr=lr, steps=steps, X_test=problem.X_test
    )
    return Teacher(run.train[-1], run.test[-1], net.W.detach().clone(), run.train[0], run.test[0])

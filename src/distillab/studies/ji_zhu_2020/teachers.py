"""A trained wide network as teacher, and the binary digits task it teaches.

The synthetic figures use RKHS teachers (:mod:`distillab.data.kernel_teacher`). On real data the
teacher is a ``TwoLayerNet`` trained by full-batch GD on cross-entropy from a deliberately small
sample, so it is imperfect in a way nobody designed (spec §6.4 lists this as one of the paper's
possible teachers; Review 1 mentions the effect of a small teacher sample).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import torch
from numpy.typing import NDArray

from distillab.data import digits_binary
from distillab.errors import ConfigError
from distillab.nn import TwoLayerNet
from distillab.train import TeacherCache, cross_entropy_objective, fit

__all__ = ["DigitsTask", "digits_task", "network_teacher_logits"]


def network_teacher_logits(
    X_train: NDArray[np.float64],
    labels: NDArray[np.float64],
    X: NDArray[np.float64],
    *,
    width: int,
    steps: int,
    lr: float,
    seed: int,
) -> NDArray[np.float64]:
    r"""Logits on ``X`` of a ``TwoLayerNet(trained="both", antisymmetric=True)`` teacher.

    Trained by full-batch GD (step ``lr``) on the mean binary cross-entropy of 0/1 ``labels``
    over ``X_train``, float64.

    Returns:
      ``(len(X),)`` teacher logits z_t.
    """
    net = TwoLayerNet(
        X_train.shape[1],
        width,
        trained="both",
        antisymmetric=True,
        seed=seed,
        dtype=torch.float64,
    )
    train = {"x": torch.as_tensor(X_train), "y": torch.as_tensor(labels)}
    trajectory = fit(net, cross_entropy_objective(), train, steps=steps, lr=lr)
    if trajectory.status != "ok":
        raise ConfigError(f"the teacher's training diverged at step {trajectory.diverged_at}.")
    return TeacherCache().outputs(net, torch.as_tensor(X))["logits"]


@dataclass(frozen=True)
class DigitsTask:
    """Binary digits with a weak network teacher.

    Attributes:
      X: ``(N, 64)`` inputs on the unit sphere (centred, then normalised).
      labels: ``(N,)`` ground truth, 1 for the positive digit, else 0.
      teacher_logits: ``(N,)`` the teacher's logits on every input.
      pool: indices not used to train the teacher (student training and test sets come from
        here).
      teacher_error: the teacher's error rate on ``pool``.
    """

    X: NDArray[np.float64]
    labels: NDArray[np.float64]
    teacher_logits: NDArray[np.float64]
    pool: NDArray[np.int64]
    teacher_error: float


@lru_cache(maxsize=4)
def digits_task(
    positive: int,
    negative: int,
    teacher_size: int,
    teacher_width: int,
    teacher_steps: int,
    teacher_seed: int,
) -> DigitsTask:
    """Digits ``positive`` vs ``negative`` with a teacher trained on ``teacher_size`` examples.

    The teacher's examples are drawn with ``teacher_seed``; the teacher is trained at lr 2.
    Cached per process (all seeds of a figure share the teacher).
    """
    X, signs = digits_binary(positive, negative)
    labels = (signs > 0).astype(np.float64)
    order = np.random.default_rng([teacher_seed, 4]).permutation(labels.size)
    chosen, pool = order[:teacher_size], np.sort(order[teacher_size:])
    logits = network_teacher_logits(
        X[chosen],
        labels[chosen],
        X,
        width=teacher_width,
        steps=teacher_steps,
        lr=2.0,
        seed=teacher_seed,
    )
    error = float(np.mean((logits[pool] > 0) != (labels[pool] == 1.0)))
    return DigitsTask(X, labels, logits, pool, error)

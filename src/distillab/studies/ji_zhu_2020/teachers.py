"""A trained wide network as teacher, and the binary digits task it teaches.

The synthetic figures use RKHS teachers (:mod:`distillab.data.kernel_teacher`). On real data the
teacher is a ``TwoLayerNet`` trained by full-batch GD on cross-entropy from a deliberately small
sample, so it is imperfect in a way nobody designed (model §6.4 lists this as one of the paper's
possible teachers; Review 1 mentions the effect of a small teacher sample).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray

from distillab.data import digits_binary
from distillab.train.wide_net import network_teacher_logits

__all__ = ["DigitsTask", "digits_task"]


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

"""What the deep-linear figures share: the configuration ``LINEAR_DEFAULTS`` and their point types.

A point holds the linear-Gaussian task (d, d_y, rank of A, N, σ, τ), the deep linear network
(width m, depth), the student–teacher loss (λ, N_T) and the gradient-descent set-up (ε, η scale,
replicates, steps, the early-stopping grid). The configuration is ours [D]: the model's calibrated
§4.3 configuration was not available to us. We chose a low-rank target (rank 8 of 50) because
there gradient descent on the base loss, early-stopped, is about as good as the best ridge
estimator, so that a gain of student–teacher learning measures the teacher's knowledge rather than
a change of implicit regularisation; the study's status note says what remains
configuration-dependent.

Example:
  >>> LinearPoint.of(LINEAR_DEFAULTS).samples
  30
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, get_args

from distillab.studies.point import Point, within

__all__ = [
    "DECOMPOSITIONS",
    "LINEAR_DEFAULTS",
    "Decomposition",
    "EarlyStoppingPoint",
    "GDPoint",
    "LinearPoint",
]

LINEAR_DEFAULTS: dict[str, Any] = {
    "input_dim": 50,
    "output_dim": 50,
    "width": 60,
    "depth": 2,
    "target_rank": 8,
    "samples": 30,
    "input_noise": 0.3,
    "label_noise": 1.0,
    "feature_weight": 1.0,
    "teacher_samples": 2000,
    "init_scale": 1e-3,
    "lr_scale": 0.2,
    "task_seed": 0,
}

# The teacher decompositions of distillab.theory.deep_linear_kd (spelled out here so that the
# point type needs no engine import; a test keeps the two equal).
Decomposition = Literal["task", "identity", "random", "task-irrelevant"]
DECOMPOSITIONS: tuple[str, ...] = get_args(Decomposition)


@dataclass(frozen=True)
class LinearPoint(Point):
    """The task, the network and the student–teacher loss (model §2).

    Attributes:
      input_dim, output_dim: d and d_y.
      width, depth: hidden width m and number of layers (≥ 2: a hidden layer to match).
      target_rank: rank of the target map A (‖A‖_F² = d_y), drawn from ``task_seed``.
      samples: N, the student's training samples.
      input_noise, label_noise: σ and τ.
      feature_weight: λ (model sum form).
      teacher_samples: N_T, extra clean samples of a fitted teacher.
      init_scale: ε, the scale of the small initialisation.
      lr_scale: η·λ_max(X̃ᵀX̃/N).
    """

    input_dim: int = within(1)
    output_dim: int = within(1)
    width: int = within(1)
    depth: int = within(2)
    target_rank: int = within(1)
    samples: int = within(1)
    input_noise: float = within(0)
    label_noise: float = within(0)
    feature_weight: float = within(0)
    teacher_samples: int = within(0)
    init_scale: float = within(0)
    lr_scale: float = within(0)
    task_seed: int = within(0)


@dataclass(frozen=True)
class GDPoint(LinearPoint):
    """A linear point trained for ``steps`` GD steps on ``replicates`` training sets per seed."""

    replicates: int = within(1)
    steps: int = within(1)


@dataclass(frozen=True)
class EarlyStoppingPoint(GDPoint):
    """A GD point whose coarse early-stopping rule stops at multiples of ``stopping_step``."""

    stopping_step: int = within(1)

r"""Gradient descent on the linearised (infinitely wide) student with a KD loss, in kernel form.

The finite-step dynamics whose fixed point :mod:`distillab.theory.linearized_kd` predicts: the
student f(x) = φ(x)ᵀ(w − w₀) with f₀ ≡ 0 and kernel Θ = φᵀφ, trained by full-batch (heavy-ball) GD
on the mean binary KD loss (``"mixed-target"`` or ``"hinton"``, the conventions of that module).
Only kernel matrices enter, so any kernel works; with Θ = ``relu_ntk(X, trained="both")`` it is
the m → ∞ limit of training ``TwoLayerNet(trained="both", antisymmetric=True)``.

Example::

    >>> import numpy as np
    >>> from distillab.train.kernel_gd import kernel_gradient_descent
    >>> K = np.eye(2) + 0.5
    >>> run = kernel_gradient_descent(
    ...     K, K, np.array([2.0, -1.0]), np.array([1.0, 0.0]),
    ...     soft_ratio=1.0, temperature=1.0, lr=1.0, steps=20_000,
    ... )
    >>> np.round(run.train_logits[-1], 3)
    array([ 2., -1.])

Reference: Ji & Zhu, NeurIPS 2020, arXiv:2010.10090 (model ``docs/models/ji-zhu-2020.md`` §2, [R]);
Lee et al., arXiv:1902.06720 (wide networks evolve as their linearisation).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import expit

from distillab.errors import ConfigError
from distillab.theory.linearized_kd import SoftScale, Variant, check_loss_parameters

__all__ = ["KernelTrajectory", "kernel_gradient_descent"]


def _as_matrix(name: str, value: ArrayLike) -> NDArray[np.float64]:
    array = np.asarray(value, dtype=np.float64)
    if array.ndim != 2 or not np.all(np.isfinite(array)):
        raise ConfigError(f"{name} must be a finite matrix, got shape {array.shape}.")
    return array


@dataclass(frozen=True)
class KernelTrajectory:
    """Gradient descent on the linearised student, recorded at chosen steps.

    Attributes:
      steps: ``(K,)`` recorded step indices.
      train_logits: ``(K, n)`` logits on the training points.
      test_logits: ``(K, n_test)`` logits on the test points.
    """

    steps: NDArray[np.int64]
    train_logits: NDArray[np.float64]
    test_logits: NDArray[np.float64]


def kernel_gradient_descent(
    K_train: ArrayLike,
    K_test_train: ArrayLike,
    teacher_logits: ArrayLike,
    labels: ArrayLike,
    *,
    soft_ratio: float,
    temperature: float,
    lr: float,
    steps: int,
    variant: Variant = "mixed-target",
    soft_scale: SoftScale = "temperature-squared",
    momentum: float = 0.0,
    record_steps: Iterable[int] | None = None,
) -> KernelTrajectory:
    r"""Full-batch (heavy-ball) GD on the *mean* KD loss of the linearised student, f₀ ≡ 0.

    With Δw = Σ_i β_i φ(x_i) the update of ``torch.optim.SGD`` (step η, momentum μ) reads
    b ← μb + ℓ'(z)/n, β ← β − ηb, z = Θ(X, X)β, z_test = Θ(X_test, X)β, with ℓ' the per-sample
    derivative of the loss in the student logit: (σ(z/T) − ȳ)/T (``"mixed-target"``) or
    (1−ρ)(σ(z) − y) + (ρc_T/T)(σ(z/T) − σ(z_t/T)) (``"hinton"``). It is the m → ∞ limit of
    training ``TwoLayerNet(trained="both", antisymmetric=True)`` at the same η and μ when
    Θ = ``relu_ntk(X, trained="both")`` (Lee et al., arXiv:1902.06720). Its fixed point is
    ℓ'(z) = 0, i.e. z = :func:`distillab.theory.linearized_kd.effective_logit` (model §2,
    prediction P1); ρ = 0 has no fixed point (the logits grow like log t).

    Args:
      K_train, K_test_train: ``(n, n)`` and ``(n_test, n)`` kernels.
      teacher_logits, labels: ``(n,)`` z_t and 0/1 labels.
      soft_ratio, temperature, variant, soft_scale: the KD loss (ρ ∈ [0, 1], T > 0; see
        :mod:`distillab.theory.linearized_kd`).
      lr: step η > 0 on the mean loss.
      steps: number of updates.
      momentum: heavy-ball μ ∈ [0, 1) (spans are preserved, so the limit is unchanged).
      record_steps: steps to record (default 0 and ``steps``).

    Reference: model §2 dynamics [R]; Lee et al. (2019) for the linearisation.
    """
    check_loss_parameters(soft_ratio, temperature, variant, soft_scale)
    K = _as_matrix("K_train", K_train)
    cross = _as_matrix("K_test_train", K_test_train)
    z_t = np.asarray(teacher_logits, dtype=np.float64)
    y = np.asarray(labels, dtype=np.float64)
    n = z_t.size
    if z_t.ndim != 1 or y.shape != z_t.shape or K.shape != (n, n) or cross.shape[1:] != (n,):
        raise ConfigError(
            f"need K_train (n, n), K_test_train (n_test, n) and n teacher logits and labels, got "
            f"{K.shape}, {cross.shape}, {z_t.shape} and {y.shape}."
        )
    if not np.all(np.isfinite(z_t)) or not np.all((y == 0.0) | (y == 1.0)):
        raise ConfigError("teacher logits must be finite and labels 0 or 1.")
    if not (math.isfinite(lr) and lr > 0) or steps < 0 or not 0.0 <= momentum < 1.0:
        raise ConfigError("need lr > 0, steps ≥ 0 and momentum in [0, 1).")
    wanted = sorted({0, steps} if record_steps is None else {int(k) for k in record_steps})
    if wanted and (wanted[0] < 0 or wanted[-1] > steps):
        raise ConfigError(f"record_steps must lie in [0, {steps}].")
    T = temperature
    soft_target = soft_ratio * expit(z_t / T) + (1.0 - soft_ratio) * y
    weight = soft_ratio * (T**2 if soft_scale == "temperature-squared" else 1.0) / T

    def derivative(z: NDArray) -> NDArray:
        if variant == "mixed-target":
            return (expit(z / T) - soft_target) / T
        return (1.0 - soft_ratio) * (expit(z) - y) + weight * (expit(z / T) - expit(z_t / T))

    beta, buffer, z = np.zeros(n), np.zeros(n), np.zeros(n)
    recorded, train_out, test_out = [], [], []
    wanted_set = set(wanted)
    for step in range(steps + 1):
        if step in wanted_set:
            recorded.append(step)
            train_out.append(z.copy())
            test_out.append(cross @ beta)
        if step == steps:
            break
        buffer = momentum * buffer + derivative(z) / n
        beta = beta - lr * buffer
        z = K @ beta
    return KernelTrajectory(
        np.asarray(recorded, dtype=np.int64), np.asarray(train_out), np.asarray(test_out)
    )

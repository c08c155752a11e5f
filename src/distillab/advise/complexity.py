r"""Supervision complexity: how hard a teacher's targets are for the student's kernel to fit.

For targets Y ``(n, C)`` and the student's NTK Gram K ``(n, n)``,

    SC(Y) = sqrt( tr(Yᵀ K⁻¹ Y) · tr(K) ) / n,

the kernel (RKHS) norm of the targets scaled as in the generalisation bound of a kernel method
fitted to them (Rademacher complexity of the ball of that norm, ≤ sqrt(tr K)/n per unit norm).
Targets are the teacher's *centred probabilities* Y = softmax(t/T) − 1/C (the hard-label
reference uses onehot(y) − 1/C), so the score does not follow the scale of raw logits. K⁻¹ is
applied through a Cholesky factorisation in float64 with a ridge ε·tr(K)/n (ε = 1e-6) that keeps
a numerically singular Gram usable.

Reference: Harutyunyan, Rawat, Menon, Kim & Kumar, "Supervision complexity and its role in
knowledge distillation", ICLR 2023, arXiv:2301.12245 (the kernel norm Yᵀ K⁻¹ Y of the targets);
the normalisation and the choice of targets here are ours (docs/advisor.md, [R]).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy.linalg import cho_factor, cho_solve
from scipy.special import softmax

from distillab.errors import ConfigError

__all__ = ["RIDGE", "centred_targets", "supervision_complexity"]

RIDGE = 1e-6


def centred_targets(logits: NDArray[np.float64], temperature: float = 1.0) -> NDArray[np.float64]:
    """softmax(logits/T) − 1/C, shape ``(n, C)``."""
    logits = np.asarray(logits, dtype=np.float64)
    return softmax(logits / temperature, axis=1) - 1.0 / logits.shape[1]


def supervision_complexity(K: NDArray[np.float64], Y: NDArray[np.float64]) -> float:
    r"""SC(Y) = sqrt(tr(Yᵀ K⁻¹ Y)·tr(K))/n for the Gram ``K`` ``(n, n)`` and targets ``(n, C)``.

    Example:
      >>> K = np.eye(4); Y = np.ones((4, 1))
      >>> round(supervision_complexity(K, Y), 6)
      1.0
    """
    K = np.asarray(K, dtype=np.float64)
    Y = np.asarray(Y, dtype=np.float64)
    n = K.shape[0]
    if K.shape != (n, n) or Y.ndim != 2 or Y.shape[0] != n:
        raise ConfigError(f"need K (n, n) and Y (n, C), got {K.shape} and {Y.shape}.")
    trace = float(np.trace(K))
    factor = cho_factor(K + RIDGE * trace / n * np.eye(n), lower=True)
    norm = float(np.sum(Y * cho_solve(factor, Y)))
    return float(np.sqrt(max(norm, 0.0) * trace) / n)

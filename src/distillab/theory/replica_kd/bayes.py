"""Bayes-optimal test errors of the balanced Gaussian mixture, for the teacher and the student.

Data x = y·v/√d + √Δ·z with v ~ N(0, I_d), z ~ N(0, I_d), y = ±1, n = αd, no bias.

* ε_BO(α, Δ) = H(√(α/(Δ(α+Δ)))) with H(x) = ½erfc(x/√2): the Bayes-optimal error, attained by the
  Hebbian estimator w ∝ Σ_μ y^μ x^μ (m = α, Q = α² + αΔ) [F: Mignacco et al., arXiv:2002.11544].
* ε_BO,S(α, Δ, ρ) = H(√(ρα/(Δ(α+Δ)))): the same problem seen through the student's ρd features,
  i.e. α → α/ρ and Δ → Δ/ρ. No student on those features, distilled or not, can beat it [R].
* The oracle error (v known) is H(1/√Δ).

Reference: Saglietti & Zdeborová (arXiv:2012.00194), model §2 [F/R].
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import erfc

__all__ = ["bayes_error", "gaussian_tail", "oracle_error", "student_bayes_error"]


def gaussian_tail(x: ArrayLike) -> NDArray[np.float64] | float:
    """H(x) = P(ξ > x) = ½·erfc(x/√2) for ξ ~ N(0, 1) (elementwise)."""
    value = 0.5 * erfc(np.asarray(x, dtype=np.float64) / math.sqrt(2.0))
    return float(value) if np.ndim(value) == 0 else value


def bayes_error(sample_ratio: ArrayLike, noise: float) -> NDArray[np.float64] | float:
    """Bayes-optimal test error ε_BO = H(√(α/(Δ(α+Δ)))) of a model seeing all d features.

    Args:
      sample_ratio: α = n/d > 0 (scalar or array).
      noise: Δ > 0, the within-cluster variance.

    Example:
      >>> round(bayes_error(1.0, 1.0), 4)
      0.2398
    """
    alpha = np.asarray(sample_ratio, dtype=np.float64)
    return gaussian_tail(np.sqrt(alpha / (noise * (alpha + noise))))


def student_bayes_error(
    sample_ratio: ArrayLike, noise: float, feature_fraction: float
) -> NDArray[np.float64] | float:
    """The student's Bayes limit ε_BO,S = H(√(ρα/(Δ(α+Δ)))) on its ρd features.

    Equal to ε_BO(α/ρ, Δ/ρ). Every student, whatever its loss and teacher, has ε_S ≥ ε_BO,S; ridge
    on hard labels with λ_S → ∞ (the Hebbian student) attains it.

    Args:
      sample_ratio: α = n/d > 0 (d counts all features, not the student's).
      noise: Δ > 0.
      feature_fraction: ρ ∈ (0, 1], the fraction of features the student sees.
    """
    alpha = np.asarray(sample_ratio, dtype=np.float64)
    return gaussian_tail(np.sqrt(feature_fraction * alpha / (noise * (alpha + noise))))


def oracle_error(noise: float) -> float:
    """Test error H(1/√Δ) of the classifier that knows the cluster mean v."""
    return float(gaussian_tail(1.0 / math.sqrt(noise)))

"""Spectral helpers: one eigendecomposition of a Gram matrix, reused everywhere.

Theory engines in the kernel regime evaluate functions of a Gram matrix H (exp(−tH), (H+λI)⁻¹,
(I−ηH)ᵏ, H⁻¹) at many times and weights. Diagonalising once, H = V diag(μ) Vᵀ, turns each of those
into an O(n²) product with the stored eigenvectors; this module owns that step.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from distillab.errors import ConfigError

__all__ = ["GramSpectrum", "gram_spectrum"]


@dataclass(frozen=True)
class GramSpectrum:
    """Eigen-decomposition H = V diag(μ) Vᵀ with μ sorted in decreasing order.

    Attributes:
      eigenvalues: ``(n,)`` μ₁ ≥ … ≥ μₙ (clipped below at 0 to remove round-off negatives).
      eigenvectors: ``(n, n)`` orthonormal columns v_i.
    """

    eigenvalues: NDArray[np.float64]
    eigenvectors: NDArray[np.float64]

    @property
    def mu_max(self) -> float:
        """Largest eigenvalue μ_max."""
        return float(self.eigenvalues[0])

    @property
    def mu_min(self) -> float:
        """Smallest eigenvalue μ_min (λ₀ of Arora et al.)."""
        return float(self.eigenvalues[-1])

    def project(self, vectors: ArrayLike) -> NDArray[np.float64]:
        """Coordinates Vᵀt of ``(n,)`` or ``(n, k)`` vectors in the eigenbasis."""
        return self.eigenvectors.T @ np.asarray(vectors, dtype=np.float64)

    def apply(
        self, spectral_function: NDArray[np.float64], vectors: ArrayLike
    ) -> NDArray[np.float64]:
        """Return V diag(φ(μ)) Vᵀ t for precomputed values φ(μ) of shape ``(n,)``."""
        coords = self.project(vectors)
        scale = spectral_function if coords.ndim == 1 else spectral_function[:, None]
        return self.eigenvectors @ (scale * coords)


def gram_spectrum(H: ArrayLike) -> GramSpectrum:
    """Diagonalise a symmetric positive semi-definite Gram matrix once (cost O(n³)).

    Args:
      H: ``(n, n)`` symmetric matrix; it is symmetrised as (H + Hᵀ)/2 before ``eigh``.

    Returns:
      :class:`GramSpectrum` with eigenvalues in decreasing order.
    """
    H = np.asarray(H, dtype=np.float64)
    if H.ndim != 2 or H.shape[0] != H.shape[1]:
        raise ConfigError(f"a Gram matrix must be square, got shape {H.shape}.")
    mu, V = np.linalg.eigh(0.5 * (H + H.T))
    order = np.argsort(mu)[::-1]
    return GramSpectrum(np.maximum(mu[order], 0.0), np.ascontiguousarray(V[:, order]))

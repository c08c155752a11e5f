"""Monte Carlo over data draws: the min-norm target on surrogate labels, its risk exact.

One draw: X with n i.i.d. rows N(0, diag(λ)); for each surrogate β_s the target is
β̂ = Xᵀ(XXᵀ)⁻¹Xβ_s = Pβ_s (noise-free surrogate labels; label noise adds Xᵀ(XXᵀ)⁻¹ε), and its
excess risk (β̂ − β*)ᵀΣ(β̂ − β*) is computed exactly (no test sample). Cost per draw O(n²p).
The matrices are small (n, p ≤ a few thousand), so BLAS runs on one thread: more threads only
contend on a shared machine.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numpy.typing import NDArray
from threadpoolctl import threadpool_limits

__all__ = ["draw_design", "projection_statistics", "target_risks"]


def draw_design(eigenvalues: NDArray[np.float64], n: int, rng: np.random.Generator) -> np.ndarray:
    """``(n, p)`` Gaussian design with covariance diag(λ)."""
    return rng.standard_normal((n, eigenvalues.size)) * np.sqrt(eigenvalues)


def target_risks(
    eigenvalues: NDArray[np.float64],
    truth: NDArray[np.float64],
    surrogates: Mapping[str, NDArray[np.float64]],
    n: int,
    draws: int,
    rng: np.random.Generator,
    *,
    noise: float = 0.0,
) -> dict[str, NDArray[np.float64]]:
    """Per-draw excess risks ``(draws,)`` of the target trained on each surrogate's labels.

    All surrogates share each draw's design (and label noise of variance ``noise``), so their
    differences are paired.
    """
    names = list(surrogates)
    betas = np.stack([surrogates[k] for k in names], axis=1)
    risks = np.empty((draws, len(names)))
    with threadpool_limits(1):
        for k in range(draws):
            X = draw_design(eigenvalues, n, rng)
            labels = X @ betas
            if noise > 0:
                labels = labels + np.sqrt(noise) * rng.standard_normal((n, 1))
            fitted = X.T @ np.linalg.solve(X @ X.T, labels)
            error = fitted - truth[:, None]
            risks[k] = np.einsum("ij,i,ij->j", error, eigenvalues, error)
    return {name: risks[:, j] for j, name in enumerate(names)}


def projection_statistics(
    eigenvalues: NDArray[np.float64], n: int, draws: int, rng: np.random.Generator
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Monte Carlo means of diag P and diag PΣP, ``(p,)`` each, P = Xᵀ(XXᵀ)⁻¹X.

    The exact finite-n optimal surrogate is (E PΣP)⁻¹ E[P]Σβ*; both matrices are diagonal for a
    Gaussian design with diagonal Σ (sign-flip symmetry), so its gain is λᵢ(E P)ᵢᵢ/(E PΣP)ᵢᵢ.
    """
    p = eigenvalues.size
    diag_p, diag_psp = np.zeros(p), np.zeros(p)
    with threadpool_limits(1):
        for _ in range(draws):
            X = draw_design(eigenvalues, n, rng)
            projector = X.T @ np.linalg.solve(X @ X.T, X)
            diag_p += np.diag(projector)
            diag_psp += (projector**2) @ eigenvalues
    return diag_p / draws, diag_psp / draws

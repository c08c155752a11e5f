"""Analytic kernels of infinitely wide one-hidden-layer ReLU networks.

Arc-cosine kernels (Cho & Saul 2009) for w ~ N(0, I_d):

    E_w[1{wᵀx ≥ 0} 1{wᵀz ≥ 0} (wᵀx)ⁿ (wᵀz)ⁿ] = ‖x‖ⁿ‖z‖ⁿ Jₙ(θ) / (2π),

    J₀(θ) = π − θ,
    J₁(θ) = sin θ + (π − θ) cos θ,
    J₂(θ) = 3 sin θ cos θ + (π − θ)(1 + 2 cos² θ),

θ = arccos(xᵀz / (‖x‖‖z‖)), the cosine clipped to [−1, 1] (a zero-norm input gets θ = π/2; its
kernel entries vanish for n ≥ 1 and for the NTK).

The neural tangent kernel of f(x) = m^{-1/2} Σ_r a_r relu(w_rᵀx) with a_r² = 1 is

    trained="first" (only W trained):  Θ(x, z) = xᵀz · J₀(θ)/(2π)
    trained="both"  (W and a trained): Θ(x, z) = xᵀz · J₀(θ)/(2π) + ‖x‖‖z‖ · J₁(θ)/(2π).

References: Cho & Saul, "Kernel methods for deep learning", NeurIPS 2009; Jacot et al.,
arXiv:1806.07572; Arora et al., arXiv:1901.08584 (H^∞, their eq. for the first-layer kernel);
Du et al., arXiv:1810.02054.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from distillab.errors import ConfigError

__all__ = ["arccos_kernel", "relu_ntk", "relu_ntk_variance"]

Trained = Literal["first", "both"]
_TRAINED: tuple[str, ...] = ("first", "both")


def _as_inputs(
    X: ArrayLike, Z: ArrayLike | None
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    X = np.asarray(X, dtype=np.float64)
    Z = X if Z is None else np.asarray(Z, dtype=np.float64)
    if X.ndim != 2 or Z.ndim != 2:
        raise ConfigError(f"inputs must be 2-D (n, d) arrays, got shapes {X.shape} and {Z.shape}.")
    if X.shape[1] != Z.shape[1]:
        raise ConfigError(
            f"inputs must share their dimension d, got {X.shape[1]} and {Z.shape[1]}."
        )
    return X, Z


def _angles(
    X: NDArray[np.float64], Z: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Return (xᵀz, ‖x‖‖z‖, θ), each of shape (n, m)."""
    dot = X @ Z.T
    norms = np.linalg.norm(X, axis=1)[:, None] * np.linalg.norm(Z, axis=1)[None, :]
    with np.errstate(invalid="ignore", divide="ignore"):
        cos = np.where(norms > 0, dot / np.where(norms > 0, norms, 1.0), 0.0)
    if X is Z:
        # arccos has an infinite slope at 1: a 1e-16 round-off in cos would put 1e-8 into θ.
        np.fill_diagonal(cos, np.where(np.diag(norms) > 0, 1.0, 0.0))
    theta = np.arccos(np.clip(cos, -1.0, 1.0))
    return dot, norms, theta


def _j(order: int, theta: NDArray[np.float64]) -> NDArray[np.float64]:
    if order == 0:
        return np.pi - theta
    if order == 1:
        return np.sin(theta) + (np.pi - theta) * np.cos(theta)
    if order == 2:
        c = np.cos(theta)
        return 3.0 * np.sin(theta) * c + (np.pi - theta) * (1.0 + 2.0 * c**2)
    raise ConfigError(f"arc-cosine kernel order must be 0, 1 or 2, got {order!r}.")


def arccos_kernel(X: ArrayLike, Z: ArrayLike | None = None, *, order: int) -> NDArray[np.float64]:
    r"""Arc-cosine kernel k_n(x, z) = (1/π)‖x‖ⁿ‖z‖ⁿ Jₙ(θ) of Cho & Saul (2009).

    Equals 2·E_w[Θ(wᵀx)Θ(wᵀz)(wᵀx)ⁿ(wᵀz)ⁿ] for w ~ N(0, I); n = 0 is the step kernel,
    n = 1 is twice the ReLU NNGP kernel E[relu(wᵀx) relu(wᵀz)].

    Args:
      X: ``(n, d)`` inputs.
      Z: ``(m, d)`` inputs, or ``None`` for ``Z = X``.
      order: 0, 1 or 2.

    Returns:
      ``(n, m)`` float64 kernel matrix.

    Example:
      >>> arccos_kernel([[1.0, 0.0]], [[1.0, 0.0]], order=0)
      array([[1.]])
    """
    X, Z = _as_inputs(X, Z)
    _, norms, theta = _angles(X, Z)
    return norms**order * _j(order, theta) / np.pi


def relu_ntk(
    X: ArrayLike, Z: ArrayLike | None = None, *, trained: Trained = "first"
) -> NDArray[np.float64]:
    r"""Infinite-width NTK of f(x) = m^{-1/2} Σ_r a_r relu(w_rᵀx), w_r ~ N(0, I), a_r² = 1.

    trained="first":  Θ(x, z) = xᵀz·(π − θ)/(2π)  (Arora et al.'s H^∞)
    trained="both":   Θ(x, z) = xᵀz·(π − θ)/(2π) + ‖x‖‖z‖·(sin θ + (π − θ) cos θ)/(2π)

    Args:
      X: ``(n, d)`` inputs.
      Z: ``(m, d)`` inputs, or ``None`` for the Gram matrix of X.
      trained: which layers are trained: ``"first"`` (W only) or ``"both"``.

    Returns:
      ``(n, m)`` float64 kernel; symmetric positive semi-definite when ``Z is None``.

    Example:
      >>> float(relu_ntk([[1.0, 0.0]])[0, 0])
      0.5

    Reference: Arora et al. (2019), arXiv:1901.08584, §3 (H^∞); Jacot et al. (2018).
    """
    if trained not in _TRAINED:
        raise ConfigError(f"trained must be one of {_TRAINED}, got {trained!r}.")
    X, Z = _as_inputs(X, Z)
    dot, norms, theta = _angles(X, Z)
    kernel = dot * _j(0, theta) / (2.0 * np.pi)
    if trained == "both":
        kernel = kernel + norms * _j(1, theta) / (2.0 * np.pi)
    return kernel


def relu_ntk_variance(
    X: ArrayLike, Z: ArrayLike | None = None, *, trained: Trained = "first"
) -> NDArray[np.float64]:
    r"""Variance of one hidden unit's contribution to the empirical NTK.

    The width-m empirical NTK of ``TwoLayerNet`` (i.i.d. units, a_r = ±1) is the mean of m i.i.d.
    per-unit kernels c_r(x, z), so E[(Θ_m − Θ)²] = Var[c_r]/m entrywise and

        E‖Θ_m − Θ‖_F² = (1/m) Σ_ij Var[c_r(x_i, z_j)].

    With p = J₀(θ)/(2π) (an indicator squared is itself) the per-unit variance is
      trained="first":  (xᵀz)² p − (xᵀz p)²
      trained="both":   (xᵀz)² p + 2 xᵀz·k₁ + k₂ − Θ², with k₁ = ‖x‖‖z‖J₁/(2π),
                        k₂ = ‖x‖²‖z‖²J₂/(2π) and Θ = relu_ntk(x, z, trained="both").

    Args:
      X: ``(n, d)`` inputs.
      Z: ``(m, d)`` inputs or ``None``.
      trained: ``"first"`` or ``"both"``.

    Returns:
      ``(n, m)`` float64 matrix of per-unit variances.

    Reference: the law of large numbers behind Jacot et al. (2018), Thm. 1; arc-cosine moments of
    Cho & Saul (2009).
    """
    if trained not in _TRAINED:
        raise ConfigError(f"trained must be one of {_TRAINED}, got {trained!r}.")
    X, Z = _as_inputs(X, Z)
    dot, norms, theta = _angles(X, Z)
    p = _j(0, theta) / (2.0 * np.pi)
    second_moment = dot**2 * p
    if trained == "both":
        k1 = norms * _j(1, theta) / (2.0 * np.pi)
        k2 = norms**2 * _j(2, theta) / (2.0 * np.pi)
        second_moment = second_moment + 2.0 * dot * k1 + k2
    mean = relu_ntk(X, Z, trained=trained)
    return np.maximum(second_moment - mean**2, 0.0)

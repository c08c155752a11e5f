r"""The student's neural tangent kernel on the kernel subsample and the test points.

The advisor uses the *empirical* NTK of the seeded student at initialisation,
Θ̂(x, z) = (1/C)·Σ_c ∂f_c(x)/∂θ · ∂f_c(z)/∂θ (:func:`distillab.kernels.empirical_ntk`, the
output-trace kernel; structured per-layer contraction for MLPs, chunked ``torch.func`` Jacobians
for any other module). For a one-hidden-layer built-in MLP the infinite-width kernel is also
available in closed form (:func:`analytic_mlp_ntk`), to measure how far the finite student is from
its limit.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from distillab.errors import ConfigError

__all__ = ["analytic_mlp_ntk", "relative_difference", "select_kernel_points", "student_kernels"]


def select_kernel_points(n_train: int, n_kernel: int, seed: int) -> NDArray[np.int64]:
    """Indices of the kernel subsample: all ``n_train`` points if ``n_kernel ≥ n_train``.

    The subsample is explicit and reported by the advisor (never a silent truncation).

    >>> select_kernel_points(5, 10, 0).tolist()
    [0, 1, 2, 3, 4]
    """
    if n_kernel < 2:
        raise ConfigError(f"--n-kernel must be at least 2, got {n_kernel}.")
    if n_kernel >= n_train:
        return np.arange(n_train, dtype=np.int64)
    rng = np.random.default_rng([seed, 2])
    return np.sort(rng.permutation(n_train)[:n_kernel]).astype(np.int64)


def student_kernels(
    model: Any,
    X_kernel: NDArray[np.float32],
    X_test: NDArray[np.float32],
    *,
    chunk_size: int = 256,
    progress: Any = None,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The empirical NTK Gram ``(n, n)`` on ``X_kernel`` and the cross kernel ``(m, n)``.

    Memory is bounded by ``chunk_size`` (Jacobian chunks) and the structured factors, about
    ``n·Σ_l(in_l + C·out_l)`` numbers for an MLP (see :mod:`distillab.kernels.empirical`).
    ``progress(advance)`` is called after each of the two kernels.
    """
    import torch

    from distillab.kernels.empirical import empirical_ntk

    parameter = next(model.parameters())
    Xk = torch.as_tensor(X_kernel, dtype=parameter.dtype, device=parameter.device)
    Xt = torch.as_tensor(X_test, dtype=parameter.dtype, device=parameter.device)
    gram = empirical_ntk(model, Xk, chunk_size=chunk_size)
    if progress is not None:
        progress(1)
    cross = empirical_ntk(model, Xt, Xk, chunk_size=chunk_size)
    if progress is not None:
        progress(1)
    return gram, cross


def analytic_mlp_ntk(
    X: NDArray[np.floating], Z: NDArray[np.floating] | None = None, *, width: int
) -> NDArray[np.float64]:
    r"""Infinite-width NTK of the built-in one-hidden-layer MLP at its He initialisation.

    f(x) = Σ_r a_r relu(w_rᵀx + b_r) + c with w_r ~ N(0, (2/d) I), a_r ~ N(0, 1/m), b = c = 0:

        Θ(x, z) = (m/d)·k₁(x, z) + ½(xᵀz + 1)·k₀(x, z) + 1,

    k_n the arc-cosine kernels (1/π)‖x‖ⁿ‖z‖ⁿJₙ(θ) (:func:`distillab.kernels.arccos_kernel`): the
    output-layer weights give (2m/d)‖x‖‖z‖J₁/(2π), the hidden weights and biases (xᵀz + 1)J₀/(2π),
    the output bias 1. In this standard parameterisation the kernel grows with m.

    Args:
      X: ``(n, d)``; Z: ``(k, d)`` or ``None``; width: m.

    Returns:
      ``(n, k)`` float64.

    Reference: Cho & Saul (2009) for k₀, k₁; Jacot et al. (2018) for the NTK sum over layers.
    """
    from distillab.kernels import arccos_kernel

    X = np.asarray(X, dtype=np.float64)
    Z = X if Z is None else np.asarray(Z, dtype=np.float64)
    d = X.shape[1]
    k0 = arccos_kernel(X, Z, order=0)
    k1 = arccos_kernel(X, Z, order=1)
    return (width / d) * k1 + 0.5 * (X @ Z.T + 1.0) * k0 + 1.0


def relative_difference(A: NDArray[np.float64], B: NDArray[np.float64]) -> float:
    """‖A − B‖_F / ‖B‖_F."""
    return float(np.linalg.norm(A - B) / np.linalg.norm(B))

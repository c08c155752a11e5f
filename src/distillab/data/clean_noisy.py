"""Clean/noisy input pairs: the linear-Gaussian data model and additive Gaussian input noise.

The data model of Hong et al. (arXiv:2103.07600) as formalised in the model
(``docs/models/hong-2021.md`` §2, [D] except where noted): clean inputs x ~ N(0, I_d), labels
y = A x + ε with ε ~ N(0, τ² I), noisy inputs x̃ = x + e with e ~ N(0, σ² I) drawn once per
training sample and kept fixed. Arrays are sample-major: inputs ``(…, n, d)``, labels
``(…, n, d_y)``, maps ``(d_y, d)`` (predictions are ``x @ A.T``).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from distillab.errors import ConfigError

__all__ = ["add_input_noise", "gaussian_linear_task", "low_rank_target_map"]


def low_rank_target_map(
    output_dim: int, input_dim: int, rank: int, *, seed: int
) -> NDArray[np.float64]:
    r"""A random rank-r target map with r equal singular values: A = sqrt(d_y/r) U Qᵀ.

    U ``(d_y, r)`` and Q ``(d, r)`` have orthonormal columns drawn uniformly (QR of Gaussian
    matrices), so ‖A‖_F² = d_y: every output has unit signal variance on average, as for a map
    with i.i.d. N(0, 1/d) entries, but concentrated in r directions. ``rank = min(d_y, d)`` gives a
    scaled partial isometry.

    Args:
      output_dim: d_y.
      input_dim: d.
      rank: r, 1 ≤ r ≤ min(d_y, d).
      seed: seed of the numpy generator.

    Returns:
      ``(d_y, d)`` float64 array.

    Reference: Hong et al. model §2 ([D]: the model fixes no particular A; a low-rank A is our
    choice, see the study's status note).
    """
    if output_dim < 1 or input_dim < 1:
        raise ConfigError(f"dimensions must be positive, got d_y={output_dim}, d={input_dim}.")
    if not 1 <= rank <= min(output_dim, input_dim):
        raise ConfigError(f"rank must lie in [1, min(d_y, d)], got {rank}.")
    rng = np.random.default_rng(seed)
    left, _ = np.linalg.qr(rng.standard_normal((output_dim, rank)))
    right, _ = np.linalg.qr(rng.standard_normal((input_dim, rank)))
    return math.sqrt(output_dim / rank) * left @ right.T


def gaussian_linear_task(
    n: int,
    target_map: NDArray[np.float64],
    *,
    label_noise: float,
    seed: int,
    replicates: int | None = None,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    r"""Clean samples of the linear-Gaussian task: x ~ N(0, I_d), y = A x + ε, ε ~ N(0, τ² I).

    Args:
      n: number of samples N.
      target_map: A, shape ``(d_y, d)``.
      label_noise: τ ≥ 0 (τ = 0: noise-free labels).
      seed: seed of the numpy generator (inputs first, then label noise).
      replicates: if given, draw that many independent data sets stacked on a leading axis.

    Returns:
      ``(x, y)`` with shapes ``(n, d)`` and ``(n, d_y)`` (``(B, n, d)``, ``(B, n, d_y)`` with
      B = ``replicates``).

    Reference: Hong et al. model §2 ([D]).
    """
    target_map = np.asarray(target_map, dtype=np.float64)
    if target_map.ndim != 2:
        raise ConfigError(f"target_map must be a (d_y, d) matrix, got shape {target_map.shape}.")
    if n < 1:
        raise ConfigError(f"n must be positive, got {n}.")
    if not (math.isfinite(label_noise) and label_noise >= 0):
        raise ConfigError(f"label_noise must be a non-negative number, got {label_noise!r}.")
    if replicates is not None and replicates < 1:
        raise ConfigError(f"replicates must be positive, got {replicates}.")
    lead = () if replicates is None else (replicates,)
    output_dim, input_dim = target_map.shape
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((*lead, n, input_dim))
    y = x @ target_map.T + label_noise * rng.standard_normal((*lead, n, output_dim))
    return x, y


def add_input_noise(
    inputs: NDArray[np.float64], input_noise: float, *, seed: int
) -> NDArray[np.float64]:
    r"""Additive Gaussian input noise: x̃ = x + e, e ~ N(0, σ² I), one fixed draw per entry.

    Args:
      inputs: clean inputs of any shape (e.g. ``(n, d)`` or ``(B, n, d)``).
      input_noise: σ ≥ 0.
      seed: seed of the numpy generator.

    Returns:
      float64 array of the same shape.

    Reference: Hong et al. model §2 (Fig. 1 of the paper [S]: the student sees noisy inputs, the
    teacher their clean versions; fixed noise per sample is the model's choice [D]).
    """
    if not (math.isfinite(input_noise) and input_noise >= 0):
        raise ConfigError(f"input_noise must be a non-negative number, got {input_noise!r}.")
    inputs = np.asarray(inputs, dtype=np.float64)
    rng = np.random.default_rng(seed)
    return inputs + input_noise * rng.standard_normal(inputs.shape)

"""Seeded synthetic inputs."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from distillab.errors import ConfigError

__all__ = ["unit_sphere"]


def unit_sphere(n: int, d: int, *, seed: int) -> NDArray[np.float64]:
    r"""n points drawn uniformly on the unit sphere S^{d−1}: x = g/‖g‖, g ~ N(0, I_d).

    Args:
      n: number of points.
      d: ambient dimension.
      seed: seed of the numpy generator.

    Returns:
      ``(n, d)`` float64 array with unit-norm rows.
    """
    if n < 1 or d < 1:
        raise ConfigError(f"n and d must be positive, got n={n}, d={d}.")
    g = np.random.default_rng(seed).standard_normal((n, d))
    return g / np.linalg.norm(g, axis=1, keepdims=True)

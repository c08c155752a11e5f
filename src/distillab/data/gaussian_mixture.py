"""The balanced two-cluster Gaussian mixture of Mignacco et al. (2020).

x^μ = y^μ·v/√d + √Δ·z^μ with y^μ = ±1 equiprobable, z^μ ~ N(0, I_d), and the cluster mean
v ~ N(0, I_d) drawn once per instance (so ‖v‖²/d → 1). Fields are normalised as h = w·x/√d, so a
linear classifier w with m = v·w/d and Q = ‖w‖²/d has test error H(m/√(ΔQ)).

Reference: Mignacco, Krzakala, Lu, Urbani & Zdeborová, ICML 2020 (arXiv:2002.11544); used by the
Saglietti & Zdeborová model §2 [F].
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from distillab.errors import ConfigError

__all__ = ["MixtureSample", "gaussian_mixture"]


class MixtureSample(NamedTuple):
    """A sample of the mixture: inputs ``x`` (n, d), labels ``y`` (n,) in ±1, mean ``v`` (d,)."""

    x: NDArray[np.float64]
    y: NDArray[np.float64]
    mean: NDArray[np.float64]


def gaussian_mixture(
    n: int, d: int, *, noise: float, seed: int, mean: NDArray[np.float64] | None = None
) -> MixtureSample:
    r"""n points x = y·v/√d + √Δ·z of the balanced two-cluster mixture.

    Args:
      n: number of samples.
      d: dimension.
      noise: Δ > 0, the within-cluster variance.
      seed: seed of the numpy generator (draws v first when ``mean`` is None, then y, then z).
      mean: the cluster mean v, shape ``(d,)``; None draws v ~ N(0, I_d) from the seed (pass the
        training sample's mean to draw a test sample of the same instance).

    Returns:
      :class:`MixtureSample` ``(x, y, mean)``, float64.

    Example:
      >>> sample = gaussian_mixture(4, 3, noise=1.0, seed=0)
      >>> sample.x.shape, sorted(set(sample.y.tolist())) <= [-1.0, 1.0]
      ((4, 3), True)
    """
    if n < 1 or d < 1:
        raise ConfigError(f"n and d must be positive, got n={n}, d={d}.")
    if not (math.isfinite(noise) and noise > 0):
        raise ConfigError(f"noise must be a positive finite number, got {noise!r}.")
    rng = np.random.default_rng(seed)
    if mean is None:
        mean = rng.standard_normal(d)
    elif np.shape(mean) != (d,):
        raise ConfigError(f"mean must have shape ({d},), got {np.shape(mean)}.")
    y = rng.choice(np.array([-1.0, 1.0]), size=n)
    x = np.outer(y, mean) / math.sqrt(d) + math.sqrt(noise) * rng.standard_normal((n, d))
    return MixtureSample(x, y, np.asarray(mean, dtype=np.float64))

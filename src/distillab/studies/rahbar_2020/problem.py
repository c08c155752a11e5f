"""The training problems of study ``rahbar-2020``: inputs on the unit sphere, ±1 labels, H^∞.

Two data sets, both with inputs of unit norm as the kernel-regime theory assumes (spec §2.1):

* ``"sphere"``: x uniform on S^{d−1}; clean label sign(βᵀx) for a unit vector β drawn from the
  data seed (a learnable target, so test error means something) — our choice, the paper's
  synthetic target is unknown (spec §4 [G]).
* ``"digits"``: scikit-learn's handwritten digits 3 vs 8 (``digits_binary``: centred, each image
  scaled to unit norm, d = 64; ``d`` is ignored), 357 images split at random into n training and
  ``n_test`` test images — the real-data stand-in for the paper's CIFAR-10 (spec §4 E0).

Training labels carry ``label_noise``: that fraction of them (rounded) is flipped; test labels are
clean. The step size of every simulation is η = ``lr_scale``/μ_max on the SUM objective (spec
§2.5); ``fit`` with ``pi_loss`` (a mean) would take n·η.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
from numpy.typing import NDArray

from distillab.data import digits_binary, unit_sphere
from distillab.errors import ConfigError
from distillab.kernels import GramSpectrum, gram_spectrum, relu_ntk

__all__ = ["DATASETS", "Problem", "load_problem"]

DATASETS: tuple[str, ...] = ("sphere", "digits")


@dataclass(frozen=True, eq=False)
class Problem:
    """One training set with its kernel quantities (arrays are read-only: the object is cached).

    Attributes:
      X: ``(n, d)`` unit-norm training inputs.
      y: ``(n,)`` ±1 training labels (with label noise).
      y_clean: ``(n,)`` the labels before the flips.
      X_test: ``(n_test, d)`` test inputs.
      y_test: ``(n_test,)`` clean ±1 test labels.
      H: ``(n, n)`` H^∞ = ``relu_ntk(X, trained="first")``.
      h_test: ``(n_test, n)`` H^∞(x_test, x_i).
      spectrum: ``gram_spectrum(H)``.
    """

    X: NDArray[np.float64]
    y: NDArray[np.float64]
    y_clean: NDArray[np.float64]
    X_test: NDArray[np.float64]
    y_test: NDArray[np.float64]
    H: NDArray[np.float64]
    h_test: NDArray[np.float64]
    spectrum: GramSpectrum

    @property
    def n(self) -> int:
        """Number of training points."""
        return int(self.X.shape[0])

    @property
    def d(self) -> int:
        """Input dimension."""
        return int(self.X.shape[1])

    def lr(self, lr_scale: float) -> float:
        """GD step η = lr_scale/μ_max on the sum objective (λ = 0 is stable for lr_scale < 2)."""
        return lr_scale / self.spectrum.mu_max


def load_problem(params: Mapping[str, Any]) -> Problem:
    """The problem named by ``params``: dataset, n, d, n_test, label_noise, data_seed."""
    return _load(
        str(params["dataset"]),
        int(params["n"]),
        int(params.get("d", 64)),
        int(params.get("n_test", 200)),
        float(params.get("label_noise", 0.0)),
        int(params["data_seed"]),
    )


@lru_cache(maxsize=8)
def _load(dataset: str, n: int, d: int, n_test: int, label_noise: float, data_seed: int) -> Problem:
    if not 0.0 <= label_noise < 0.5:
        raise ConfigError(f"label_noise must lie in [0, 0.5), got {label_noise!r}.")
    if n < 2 or n_test < 1:
        raise ConfigError(f"need n ≥ 2 and n_test ≥ 1, got n={n}, n_test={n_test}.")
    if dataset == "sphere":
        inputs = unit_sphere(n + n_test, d, seed=data_seed)
        direction = np.random.default_rng(data_seed + 7).standard_normal(d)
        labels = np.where(inputs @ direction >= 0, 1.0, -1.0)
    elif dataset == "digits":
        inputs, labels = digits_binary(3, 8, normalize="sphere")
        if n + n_test > labels.size:
            raise ConfigError(
                f"digits 3 vs 8 has {labels.size} images, fewer than n + n_test = {n + n_test}."
            )
        order = np.random.default_rng(data_seed).permutation(labels.size)[: n + n_test]
        inputs, labels = inputs[order], labels[order]
    else:
        raise ConfigError(f"dataset must be one of {DATASETS}, got {dataset!r}.")
    X, X_test = inputs[:n], inputs[n:]
    y_clean, y_test = labels[:n], labels[n:]
    flips = np.random.default_rng(data_seed + 1).permutation(n)[: round(label_noise * n)]
    y = y_clean.copy()
    y[flips] *= -1.0
    H = relu_ntk(X)
    problem = Problem(X, y, y_clean, X_test, y_test, H, relu_ntk(X_test, X), gram_spectrum(H))
    for array in (X, y, y_clean, X_test, y_test, H, problem.h_test):
        array.setflags(write=False)
    return problem

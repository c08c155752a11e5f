"""The training problems of study ``rahbar-2020``: inputs on the unit sphere, ±1 labels, H^∞.

Two data sets, both with inputs of unit norm as the kernel-regime theory assumes (model §2.1):

* ``"sphere"``: x uniform on S^{d−1}; clean label sign(βᵀx) for a unit vector β drawn from the
  data seed (a learnable target, so test error means something) — our choice, the paper's
  synthetic target is unknown (model §4 [G]).
* ``"digits"``: scikit-learn's handwritten digits 3 vs 8 (``digits_binary``: centred, each image
  scaled to unit norm, d = 64; ``d`` is ignored), 357 images split at random into n training and
  ``n_test`` test images — the real-data stand-in for the paper's CIFAR-10 (model §4 E0).

Training labels carry ``label_noise``: that fraction of them (rounded) is flipped; test labels are
clean. The step size of every simulation is η = ``lr_scale``/μ_max on the SUM objective (model page
§2.5); ``fit`` with ``pi_loss`` (a mean) would take n·η.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal, get_args

import numpy as np
from numpy.typing import NDArray

from distillab.errors import ConfigError
from distillab.studies.point import Point, within

if TYPE_CHECKING:
    from distillab.kernels import GramSpectrum
    from distillab.theory.kernel_kd import KernelKD

__all__ = ["DATASETS", "Problem", "ProblemPoint", "load_problem"]

Dataset = Literal["sphere", "digits"]
DATASETS: tuple[str, ...] = get_args(Dataset)


@dataclass(frozen=True, kw_only=True)
class ProblemPoint(Point):
    """The training set of a grid point (see the module docstring).

    Attributes:
      dataset: ``"sphere"`` or ``"digits"``.
      n, n_test: training and test set sizes (n ≥ 2, n_test ≥ 1).
      d: input dimension of ``"sphere"`` (the digits have d = 64).
      data_seed: seed of the inputs, the labels' direction and the flips.
      label_noise: fraction of training labels flipped, in [0, 0.5).
    """

    dataset: Dataset
    n: int = within(2)
    d: int = within(1)
    n_test: int = within(1)
    data_seed: int = within(0)
    label_noise: float = within(0, 0.5, default=0.0)

    def __post_init__(self) -> None:
        super().__post_init__()
        # Half the labels flipped would leave no signal: the range is open at 0.5.
        if self.label_noise == 0.5:
            raise ConfigError(f"label_noise must lie in [0, 0.5), got {self.label_noise!r}.")


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

    def kernel_kd(self, z: NDArray[np.float64], **options: Any) -> KernelKD:
        """The kernel-regime engine of PI training on this problem: ``KernelKD(H, y, z)``.

        Args:
          z: ``(n,)`` the teacher's outputs (the PI) on the training inputs.
          options: ``KernelKD``'s keyword options (``pi_weight``, ``objective``,
            ``normalization``, ``u0``); the engine reuses the cached ``spectrum`` of H, so one
            per grid point is cheap.
        """
        from distillab.theory.kernel_kd import KernelKD

        return KernelKD(self.H, self.y, z, spectrum=self.spectrum, **options)


def load_problem(point: ProblemPoint) -> Problem:
    """The problem of ``point``'s data fields (built once per process and data set)."""
    return _load(ProblemPoint(**{f.name: getattr(point, f.name) for f in fields(ProblemPoint)}))


@lru_cache(maxsize=8)
def _load(point: ProblemPoint) -> Problem:
    from distillab.data import digits_binary, unit_sphere
    from distillab.kernels import gram_spectrum, relu_ntk

    n, n_test, data_seed = point.n, point.n_test, point.data_seed
    if point.dataset == "sphere":
        inputs = unit_sphere(n + n_test, point.d, seed=data_seed)
        direction = np.random.default_rng(data_seed + 7).standard_normal(point.d)
        labels = np.where(inputs @ direction >= 0, 1.0, -1.0)
    else:
        inputs, labels = digits_binary(3, 8, normalize="sphere")
        if n + n_test > labels.size:
            raise ConfigError(
                f"digits 3 vs 8 has {labels.size} images, fewer than n + n_test = {n + n_test}."
            )
        order = np.random.default_rng(data_seed).permutation(labels.size)[: n + n_test]
        inputs, labels = inputs[order], labels[order]
    X, X_test = inputs[:n], inputs[n:]
    y_clean, y_test = labels[:n], labels[n:]
    flips = np.random.default_rng(data_seed + 1).permutation(n)[: round(point.label_noise * n)]
    y = y_clean.copy()
    y[flips] *= -1.0
    H = relu_ntk(X)
    problem = Problem(X, y, y_clean, X_test, y_test, H, relu_ntk(X_test, X), gram_spectrum(H))
    for array in (X, y, y_clean, X_test, y_test, H, problem.h_test):
        array.setflags(write=False)
    return problem

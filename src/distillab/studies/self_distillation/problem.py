"""The kernel problem shared by the kernel figures: its point, data, engine and wide network.

Data: n training and n_test test points uniform on S^{d−1}, noiseless target
f*(x) = √d·x₁ + d·x₁x₂ (unit-scale linear plus quadratic part), labels y = f*(X) + σ·noise. The
kernel is the NTK H^∞ of the first layer of :class:`~distillab.nn.TwoLayerNet` (``relu_ntk``,
``trained="first"``), so a wide network trained to convergence on the ridge objective

  L(W) = (1/n)·[½‖f_W(X) − target‖² + (λ/2)‖W − W(0)‖²]

from an antisymmetric initialisation (f₀ ≡ 0) returns, in the kernel regime, the kernel ridge
fit H^∞(H^∞ + λI)⁻¹·target on the training points and k(x)ᵀ(H^∞ + λI)⁻¹·target elsewhere
(the linearised model's ridge solution; its finite-width deviation is O(m^{-1/2})).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray

from distillab.studies.point import Point, within

__all__ = ["DataPoint", "Problem", "problem", "problem_of", "target_function"]

# GD on the mean ridge loss with step lr_scale·n/(μ_max + λ): the slowest mode contracts by
# 1 − lr_scale·(μ_min + λ)/(μ_max + λ) per step, so STEPS_PER_CONDITION·κ/lr_scale steps
# (κ the condition number) leave at most e^{-10} of the initial error in any mode, far below
# the O(m^-1/2) finite-width deviation.
LR_SCALE = 1.5
STEPS_PER_CONDITION = 10.0


@dataclass(frozen=True)
class DataPoint(Point):
    """n training and n_test test points of S^{d−1}, label noise σ = ``noise``, ``data_seed``."""

    n: int = within(1)
    n_test: int = within(1)
    d: int = within(2)
    noise: float = within(0)
    data_seed: int = within(0)


def target_function(X: NDArray[np.float64]) -> NDArray[np.float64]:
    """f*(x) = √d·x₁ + d·x₁x₂ for ``(n, d)`` inputs (E f*² = 1 + d/(d + 2) on the sphere)."""
    d = X.shape[1]
    return math.sqrt(d) * X[:, 0] + d * X[:, 0] * X[:, 1]


class Problem:
    """Inputs, labels, f* at the test points and the kernel engine for one data seed."""

    def __init__(self, n: int, n_test: int, d: int, noise: float, data_seed: int) -> None:
        from distillab.data import unit_sphere
        from distillab.kernels import relu_ntk
        from distillab.theory.self_distillation import KernelSelfDistillation

        self.X = unit_sphere(n, d, seed=data_seed)
        self.X_test = unit_sphere(n_test, d, seed=data_seed + 1)
        self.clean = target_function(self.X)
        self.clean_test = target_function(self.X_test)
        rng = np.random.default_rng(data_seed + 2)
        self.y = self.clean + noise * rng.standard_normal(n)
        self.engine = KernelSelfDistillation(
            relu_ntk(self.X), self.y, relu_ntk(self.X_test, self.X)
        )

    def network_fit(
        self, targets: NDArray[np.float64], *, width: int, ridge: float, seed: int
    ) -> tuple[NDArray[np.float64], NDArray[np.float64], str]:
        """(training outputs, test outputs, status) of a fresh wide network fitted to ``targets``.

        :func:`~distillab.train.wide_net.ridge_network` (width m, ridge λ, seed) with step
        ``LR_SCALE``·n/(μ_max + λ) and ⌈``STEPS_PER_CONDITION``·κ/``LR_SCALE``⌉ steps, κ =
        (μ_max + λ)/(μ_min + λ) the condition number of H^∞ + λI: long enough for every mode.
        """
        import torch

        from distillab.train.wide_net import ridge_network

        spectrum = self.engine.spectrum
        assert spectrum is not None
        condition = (spectrum.mu_max + ridge) / (spectrum.mu_min + ridge)
        # These (n × m) products are far too small for several threads: extra threads only spin.
        threads = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            net, status = ridge_network(
                self.X,
                targets,
                width=width,
                ridge=ridge,
                steps=math.ceil(STEPS_PER_CONDITION * condition / LR_SCALE),
                lr=LR_SCALE * self.X.shape[0] / (spectrum.mu_max + ridge),
                seed=seed,
            )
            with torch.no_grad():
                train, test = (net(torch.as_tensor(x)).numpy() for x in (self.X, self.X_test))
        finally:
            torch.set_num_threads(threads)
        return train, test, status

    def test_error(self, predictions: NDArray[np.float64]) -> NDArray[np.float64]:
        """Mean squared error against f* on the test points (last axis)."""
        return np.mean((predictions - self.clean_test) ** 2, axis=-1)


@lru_cache(maxsize=8)
def problem(n: int, n_test: int, d: int, noise: float, data_seed: int) -> Problem:
    """The cached :class:`Problem` (one eigendecomposition per data seed and process)."""
    return Problem(n, n_test, d, noise, data_seed)


def problem_of(point: DataPoint) -> Problem:
    """The problem of a grid point."""
    return problem(point.n, point.n_test, point.d, point.noise, point.data_seed)

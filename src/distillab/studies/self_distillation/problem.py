"""The kernel problem shared by the kernel figures, and its wide-network simulation.

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
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

import numpy as np
import torch
from numpy.typing import NDArray

from distillab.data import unit_sphere
from distillab.kernels import relu_ntk
from distillab.nn import TwoLayerNet
from distillab.theory.self_distillation import KernelSelfDistillation
from distillab.train import Batch, Objective, fit

__all__ = ["Problem", "cache_key", "network_rounds", "problem", "problem_of", "target_function"]

# GD on the mean ridge loss with step lr_scale·n/(μ_max + λ): the slowest mode contracts by
# 1 − lr_scale·(μ_min + λ)/(μ_max + λ) per step, so STEPS_PER_CONDITION·κ/lr_scale steps
# (κ the condition number) leave at most e^{-10} of the initial error in any mode, far below
# the O(m^-1/2) finite-width deviation.
LR_SCALE = 1.5
STEPS_PER_CONDITION = 10.0


def target_function(X: NDArray[np.float64]) -> NDArray[np.float64]:
    """f*(x) = √d·x₁ + d·x₁x₂ for ``(n, d)`` inputs (E f*² = 1 + d/(d + 2) on the sphere)."""
    d = X.shape[1]
    return math.sqrt(d) * X[:, 0] + d * X[:, 0] * X[:, 1]


class Problem:
    """Inputs, labels, f* at the test points and the kernel engine for one data seed."""

    def __init__(self, n: int, n_test: int, d: int, noise: float, data_seed: int) -> None:
        self.X = unit_sphere(n, d, seed=data_seed)
        self.X_test = unit_sphere(n_test, d, seed=data_seed + 1)
        self.clean = target_function(self.X)
        self.clean_test = target_function(self.X_test)
        rng = np.random.default_rng(data_seed + 2)
        self.y = self.clean + noise * rng.standard_normal(n)
        self.engine = KernelSelfDistillation(
            relu_ntk(self.X), self.y, relu_ntk(self.X_test, self.X)
        )

    def test_error(self, predictions: NDArray[np.float64]) -> NDArray[np.float64]:
        """Mean squared error against f* on the test points (last axis)."""
        return np.mean((predictions - self.clean_test) ** 2, axis=-1)


@lru_cache(maxsize=8)
def problem(n: int, n_test: int, d: int, noise: float, data_seed: int) -> Problem:
    """The cached :class:`Problem` (one eigendecomposition per data seed and process)."""
    return Problem(n, n_test, d, noise, data_seed)


def problem_of(params: Mapping[str, Any]) -> Problem:
    """The problem of a grid point."""
    return problem(params["n"], params["n_test"], params["d"], params["noise"], params["data_seed"])


def _ridge_objective(start: torch.Tensor, ridge: float, n: int) -> Objective:
    def objective(model: torch.nn.Module, batch: Batch) -> torch.Tensor:
        residual = model(batch["x"]) - batch["y"]
        penalty = ((model.first.weight - start) ** 2).sum()
        return (0.5 * (residual**2).sum() + 0.5 * ridge * penalty) / n

    return objective


def train_ridge_network(
    X: NDArray[np.float64],
    targets: NDArray[np.float64],
    *,
    width: int,
    ridge: float,
    seed: int,
    mu_max: float,
    mu_min: float,
) -> tuple[TwoLayerNet, str]:
    """A fresh antisymmetric width-m network trained by full-batch GD on the ridge objective."""
    n, d = X.shape
    net = TwoLayerNet(d, width, antisymmetric=True, seed=seed, dtype=torch.float64)
    start = net.W.detach().clone()
    condition = (mu_max + ridge) / (mu_min + ridge)
    steps = math.ceil(STEPS_PER_CONDITION * condition / LR_SCALE)
    train = {"x": torch.as_tensor(X), "y": torch.as_tensor(targets)}
    trajectory = fit(
        net,
        _ridge_objective(start, ridge, n),
        train,
        steps=steps,
        lr=LR_SCALE * n / (mu_max + ridge),
    )
    return net, trajectory.status


@lru_cache(maxsize=64)
def network_rounds(
    key: tuple[tuple[str, Any], ...], alphas: tuple[float, ...], seed: int
) -> tuple[tuple[float, ...], tuple[float, ...], str]:
    """Test errors and ‖p_t‖²/n of rounds 1…R of networks distilled into fresh networks.

    Round t's network (seeded ``1000·seed + t``) fits α_t·y + (1 − α_t)·(previous network's
    training outputs). Cached per process: the points t = 1…R of one seed share one run.
    """
    params = dict(key)
    prob = problem_of(params)
    # These (64 × m) products are far too small for several threads: extra threads only spin.
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return _rounds(params, prob, alphas, seed)
    finally:
        torch.set_num_threads(threads)


def _rounds(
    params: Mapping[str, Any], prob: Problem, alphas: tuple[float, ...], seed: int
) -> tuple[tuple[float, ...], tuple[float, ...], str]:
    spectrum = prob.engine.spectrum
    assert spectrum is not None
    errors, norms = [], []
    previous = prob.y
    for t, alpha in enumerate(alphas, start=1):
        targets = alpha * prob.y + (1.0 - alpha) * previous
        net, status = train_ridge_network(
            prob.X,
            targets,
            width=params["width"],
            ridge=params["ridge"],
            seed=1000 * seed + t,
            mu_max=spectrum.mu_max,
            mu_min=spectrum.mu_min,
        )
        if status != "ok":
            return tuple(errors), tuple(norms), f"diverged in round {t}"
        with torch.no_grad():
            previous = net(torch.as_tensor(prob.X)).numpy()
            test = net(torch.as_tensor(prob.X_test)).numpy()
        errors.append(float(prob.test_error(test)))
        norms.append(float(previous @ previous) / previous.size)
    return tuple(errors), tuple(norms), "ok"


def cache_key(params: Mapping[str, Any], drop: Sequence[str]) -> tuple[tuple[str, Any], ...]:
    """A hashable key of ``params`` without the entries ``drop`` (e.g. the round)."""
    return tuple(sorted((k, v) for k, v in params.items() if k not in drop))

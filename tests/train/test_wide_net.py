"""Wide two-layer networks: the closed-form PI loop equals fit(), KD/teacher/ridge trainers."""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest
import torch

from distillab.data import unit_sphere
from distillab.errors import ConfigError
from distillab.kernels import relu_ntk
from distillab.nn import TwoLayerNet
from distillab.train import fit, pi_objective
from distillab.train.wide_net import (
    kd_network_gd,
    network_teacher_logits,
    pi_gradient_descent,
    ridge_network,
)


def _net(d: int, width: int, seed: int = 0, outputs: int = 1) -> TwoLayerNet:
    return TwoLayerNet(d, width, outputs=outputs, seed=seed, dtype=torch.float64)


@pytest.mark.parametrize(("lam", "outputs"), [(0.0, 1), (1.5, 1), (0.5, 3)])
def test_closed_form_loop_equals_fit_with_the_mean_loss_at_n_times_the_step(lam, outputs):
    X = unit_sphere(20, 10, seed=0)
    rng = np.random.default_rng(0)
    shape = (20,) if outputs == 1 else (20, outputs)
    y, z = rng.choice([-1.0, 1.0], size=shape), 0.5 * rng.standard_normal(shape)
    net = _net(10, 256, outputs=outputs)
    twin = copy.deepcopy(net)
    lr = 0.5 / np.linalg.eigvalsh(relu_ntk(X))[-1]
    run = pi_gradient_descent(net, X, y, z, lr=lr, steps=30, pi_weight=lam)
    data = {"x": torch.as_tensor(X.copy()), "y": torch.as_tensor(y), "z": torch.as_tensor(z)}
    # pi_loss is a mean: GD step n·η on it is GD step η on the model's sum objective.
    reference = fit(twin, pi_objective(pi_weight=lam), data, steps=30, lr=20 * lr)
    np.testing.assert_allclose(run.train[-1], reference.outputs["train"][-1], atol=1e-11)
    np.testing.assert_allclose(net.W.detach(), twin.W.detach(), atol=1e-11)
    assert run.status == "ok" and run.last_step == 30 and list(run.steps) == [0, 30]


def test_pi_gradient_descent_stops_at_the_target_and_reports_divergence() -> None:
    X = unit_sphere(10, 5, seed=1)
    y = np.where(np.arange(10) % 2, 1.0, -1.0)
    lr = 0.5 / np.linalg.eigvalsh(relu_ntk(X))[-1]
    reached = pi_gradient_descent(
        _net(5, 512), X, y, y, lr=lr, steps=10_000, target=y, stop_below=1e-2
    )
    assert reached.status == "reached" and reached.last_step < 10_000
    assert reached.distance_to_target[-1] <= 1e-2 < reached.distance_to_target[-2]
    blown = pi_gradient_descent(_net(5, 512), X, y, y, lr=100 * lr, steps=200)
    assert blown.status == "diverged"


def test_training_arguments_are_validated() -> None:
    X, y = unit_sphere(6, 4, seed=0), np.ones(6)
    with pytest.raises(ConfigError, match="W_T"):
        pi_gradient_descent(_net(4, 64), X, y, y, lr=0.1, steps=1, objective="rkhs")
    with pytest.raises(ConfigError, match="pure KD"):
        pi_gradient_descent(_net(4, 64), X, y, y, lr=0.1, steps=1, pi_weight=math.inf)
    with pytest.raises(ConfigError, match="target"):
        pi_gradient_descent(_net(4, 64), X, y, y, lr=0.1, steps=1, stop_below=0.1)
    both = TwoLayerNet(4, 64, trained="both", seed=0, dtype=torch.float64)
    with pytest.raises(ConfigError, match="trained='first'"):
        pi_gradient_descent(both, X, y, y, lr=0.1, steps=1)


def test_kd_network_with_pure_soft_targets_fits_the_teacher_logits() -> None:
    """ρ = 1, T = 1 (mixed-target): the fixed point is z_s = z_t on the training points."""
    X = unit_sphere(8, 5, seed=2)
    teacher = np.linspace(-2.0, 2.0, 8)
    labels = (teacher > 0).astype(float)
    run = kd_network_gd(
        X,
        teacher,
        labels,
        X[:3],
        soft_ratio=1.0,
        temperature=1.0,
        width=2048,
        steps=3000,
        lr=10.0,
        momentum=0.9,
        seed=0,
    )
    assert run.status == "ok"
    np.testing.assert_allclose(run.train_logits, teacher, atol=2e-2)
    np.testing.assert_allclose(run.test_logits, run.train_logits[:3], atol=1e-5)
    assert 0 < run.relative_weight_change < 0.1


def test_network_teacher_fits_its_training_sample(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("DISTILLAB_CACHE_DIR", str(tmp_path))
    X = unit_sphere(12, 6, seed=0)
    y = (np.arange(12) % 2).astype(float)
    logits = network_teacher_logits(X, y, X, width=512, steps=300, lr=2.0, seed=0)
    np.testing.assert_array_equal(logits > 0, y == 1)
    with pytest.raises(ConfigError, match="diverged"):
        network_teacher_logits(X, y, X, width=64, steps=50, lr=1e12, seed=0)


def test_wide_ridge_network_is_kernel_ridge_regression() -> None:
    """Kernel regime: the trained width-m net ≈ H^∞(H^∞ + λI)⁻¹y, deviation O(m^-1/2)."""
    X = unit_sphere(10, 4, seed=3)
    y = np.random.default_rng(3).standard_normal(10)
    H, ridge = relu_ntk(X), 0.05
    eigenvalues = np.linalg.eigvalsh(H)
    net, status = ridge_network(
        X, y, width=8192, ridge=ridge, steps=2000, lr=1.5 * 10 / (eigenvalues[-1] + ridge), seed=0
    )
    with torch.no_grad():
        fitted = net(torch.as_tensor(X)).numpy()
    kernel_fit = H @ np.linalg.solve(H + ridge * np.eye(10), y)
    assert status == "ok"
    assert np.abs(fitted - kernel_fit).max() < 0.05 * np.abs(kernel_fit).max()

"""Kernel GD on the linearised student: fixed point = effective logit, first step = autograd.

Spec: shared/papers/ji_zhu_wide_kd.md §2 (dynamics, P1).
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from distillab.data import unit_sphere
from distillab.errors import ConfigError
from distillab.kernels import relu_ntk
from distillab.losses import kd_loss
from distillab.theory.linearized_kd import VARIANTS, effective_logit
from distillab.train.kernel_gd import kernel_gradient_descent


def _teacher_sample(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    z = np.random.default_rng(seed).normal(0.0, 4.0, n)
    return z, (z > 0).astype(float)


@pytest.mark.parametrize("variant", VARIANTS)
def test_kernel_gradient_descent_converges_to_the_effective_logit(variant: str) -> None:
    """P1 (kernel): GD on the linearised student reaches g to 1e−4 relative."""
    X = unit_sphere(8, 3, seed=4)
    K = relu_ntk(X, trained="both")
    z_t, y = _teacher_sample(8, seed=4)
    z_t = z_t / 2
    kd = {"soft_ratio": 0.6, "temperature": 2.0, "variant": variant}
    run = kernel_gradient_descent(K, K, z_t, y, **kd, lr=40.0, momentum=0.9, steps=20_000)
    g = effective_logit(z_t, y, **kd)
    assert np.abs(run.train_logits[-1] - g).max() < 1e-4 * np.abs(g).max()
    np.testing.assert_allclose(run.test_logits[-1], run.train_logits[-1], atol=1e-8)
    assert np.all(run.train_logits[0] == 0.0) and list(run.steps) == [0, 20_000]


@pytest.mark.parametrize("variant", VARIANTS)
def test_kernel_gradient_descent_first_step_uses_the_kd_loss_gradient(variant: str) -> None:
    """One step from f₀ = 0: z₁ = −η Θ ∇_z L(0), with ∇L by autograd of the mean kd_loss."""
    X = unit_sphere(6, 3, seed=0)
    K = relu_ntk(X, trained="both")
    z_t, y = _teacher_sample(6)
    kd = {"soft_ratio": 0.3, "temperature": 3.0, "variant": variant}
    run = kernel_gradient_descent(K, K, z_t, y, **kd, lr=0.7, steps=1)
    s = torch.zeros(6, dtype=torch.float64, requires_grad=True)
    kd_loss(s, torch.tensor(z_t), torch.tensor(y), **kd).backward()
    np.testing.assert_allclose(run.train_logits[1], -0.7 * K @ s.grad.numpy(), atol=1e-14)


def test_kernel_gradient_descent_rejects_bad_settings() -> None:
    K = np.eye(3)
    kd = {"soft_ratio": 0.5, "temperature": 1.0}
    with pytest.raises(ConfigError):
        kernel_gradient_descent(K, K, np.ones(3), np.ones(3), **kd, lr=-1.0, steps=3)
    with pytest.raises(ConfigError):
        kernel_gradient_descent(K, K, np.ones(3), np.ones(3), **kd, lr=1.0, steps=3, momentum=1)
    with pytest.raises(ConfigError):
        kernel_gradient_descent(
            K, K, np.ones(3), np.ones(3), **kd, lr=1.0, steps=3, record_steps=[4]
        )


def test_kernel_gradient_descent_rejects_mismatched_shapes_and_labels() -> None:
    K = np.eye(3)
    kd = {"soft_ratio": 0.5, "temperature": 1.0, "lr": 1.0, "steps": 3}
    with pytest.raises(ConfigError, match="K_test_train"):
        kernel_gradient_descent(K, np.eye(2), np.ones(3), np.ones(3), **kd)
    with pytest.raises(ConfigError, match="labels 0 or 1"):
        kernel_gradient_descent(K, K, np.ones(3), np.full(3, 0.5), **kd)
    with pytest.raises(ConfigError, match="soft_scale"):
        kernel_gradient_descent(K, K, np.ones(3), np.ones(3), **kd, soft_scale="half")


def test_hard_labels_only_train_without_a_fixed_point() -> None:
    """ρ = 0 is plain cross-entropy: the logits keep growing (towards the max-margin solution)."""
    K = np.eye(2) + 0.5
    run = kernel_gradient_descent(
        K,
        K,
        np.zeros(2),
        np.array([1.0, 0.0]),
        soft_ratio=0.0,
        temperature=1.0,
        lr=1.0,
        steps=10_000,
        record_steps=[1000, 10_000],
    )
    margins = run.train_logits * np.array([1.0, -1.0])
    assert np.all(margins[1] > margins[0] + 1.0)

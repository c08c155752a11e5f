"""Linearised GD: a hand-checked step, exactness for a linear model, a very wide net."""

from __future__ import annotations

import numpy as np
import torch

from distillab.advise.dynamics import checkpoint_steps, linearized_kd_gd
from distillab.kernels.empirical import empirical_ntk
from distillab.losses import kd_loss
from distillab.nn import MLP


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def test_one_step_by_hand() -> None:
    K = np.array([[2.0, 0.5], [0.5, 1.0]])
    y = np.array([0, 1])
    t = np.array([[1.0, -1.0], [0.0, 2.0]])
    f0 = np.zeros((2, 2))
    rho, T, lr = 0.5, 2.0, 0.3
    g = (1 - rho) * (_softmax(f0) - np.eye(2)[y]) + rho * T * (_softmax(f0 / T) - _softmax(t / T))
    Kt = np.array([[1.0, 1.0]])
    run = linearized_kd_gd(
        K,
        Kt,
        f0,
        np.zeros((1, 2)),
        t[None],
        [0],
        y,
        np.array([0]),
        soft_ratio=[rho],
        temperature=[T],
        lr=lr,
        steps=1,
    )
    np.testing.assert_allclose(run.accumulated_gradient[0], g, rtol=1e-6)
    predicted_test = -lr / 2 * Kt @ g
    np.testing.assert_allclose(run.test_logits[0], predicted_test, rtol=1e-5, atol=1e-6)
    assert run.test_error.shape == (1, 1)
    s = torch.zeros(2, 2, dtype=torch.float64, requires_grad=True)
    loss = kd_loss(s, torch.as_tensor(t), torch.as_tensor(y), soft_ratio=rho, temperature=T)
    (autograd,) = torch.autograd.grad(loss, s)
    np.testing.assert_allclose(2 * autograd.numpy(), g, rtol=1e-10)  # mean loss: ∂L/∂s = g/n


def test_exact_for_a_linear_model() -> None:
    """f(x) = Wx + b is its own linearisation: GD on it equals the function-space run."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((12, 4))
    Xt = rng.standard_normal((5, 4))
    y = rng.integers(0, 3, 12)
    t = rng.standard_normal((12, 3)) * 2
    model = torch.nn.Linear(4, 3).double()
    K = empirical_ntk(model, X)
    Kt = empirical_ntk(model, Xt, X)
    with torch.no_grad():
        f0, f0t = model(torch.as_tensor(X)).numpy(), model(torch.as_tensor(Xt)).numpy()
    rhos, temps = [0.0, 0.5, 1.0], [1.0, 4.0, 2.0]
    run = linearized_kd_gd(
        K,
        Kt,
        f0,
        f0t,
        t[None],
        [0, 0, 0],
        y,
        rng.integers(0, 3, 5),
        soft_ratio=rhos,
        temperature=temps,
        lr=0.5,
        steps=20,
    )
    for row, (rho, T) in enumerate(zip(rhos, temps, strict=True)):
        net = torch.nn.Linear(4, 3).double()
        net.load_state_dict(model.state_dict())
        optimizer = torch.optim.SGD(net.parameters(), lr=0.5)
        for _ in range(20):
            optimizer.zero_grad()
            kd_loss(
                net(torch.as_tensor(X)),
                torch.as_tensor(t),
                torch.as_tensor(y),
                soft_ratio=rho,
                temperature=T,
            ).backward()
            optimizer.step()
        with torch.no_grad():
            np.testing.assert_allclose(
                run.test_logits[row], net(torch.as_tensor(Xt)).numpy(), rtol=1e-4, atol=1e-4
            )
            moved = sum(
                float((p - q).pow(2).sum())
                for p, q in zip(net.parameters(), model.parameters(), strict=True)
            )
            # Θ_cd = δ_cd(xᵀz + 1) for a linear layer: the output-trace path length is exact.
            np.testing.assert_allclose(run.path_length[row], np.sqrt(moved), rtol=1e-4)


def test_close_to_a_very_wide_net_for_a_few_steps() -> None:
    rng = np.random.default_rng(1)
    X = rng.random((20, 8)).astype(np.float32)
    y = rng.integers(0, 3, 20)
    t = rng.standard_normal((20, 3))
    model = MLP(8, [8192], 3, seed=0)
    K = empirical_ntk(model, torch.as_tensor(X))
    with torch.no_grad():
        f0 = model(torch.as_tensor(X)).double().numpy()
    lr, steps = 0.5 / np.linalg.eigvalsh(K)[-1] * 20, 10
    run = linearized_kd_gd(
        K, K, f0, f0, t[None], [0], y, y, soft_ratio=[0.5], temperature=[2.0], lr=lr, steps=steps
    )
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    for _ in range(steps):
        optimizer.zero_grad()
        kd_loss(
            model(torch.as_tensor(X)),
            torch.as_tensor(t),
            torch.as_tensor(y),
            soft_ratio=0.5,
            temperature=2.0,
        ).backward()
        optimizer.step()
    with torch.no_grad():
        trained = model(torch.as_tensor(X)).double().numpy()
    moved = np.linalg.norm(trained - f0)
    assert moved > 0.1
    assert np.linalg.norm(run.test_logits[0] - trained) < 0.05 * moved


def test_divergence_and_sharpness() -> None:
    K = np.eye(4) * 4.0
    y = np.array([0, 1, 0, 1])
    f0 = np.zeros((4, 2))
    run = linearized_kd_gd(
        K,
        K,
        f0,
        f0,
        np.zeros((1, 4, 2)),
        [0, 0],
        y,
        y,
        soft_ratio=[1.0, 1.0],
        temperature=[1.0, 1.0],
        lr=1.0,
        steps=5,
    )
    # Θ/n = I, H at uniform p over 2 classes has top eigenvalue 1/2: λ_max = 0.5.
    np.testing.assert_allclose(run.sharpness_init, 0.5, rtol=1e-4)
    # T = 100 keeps the soft term quadratic: η·λ_max = 5 > 2 grows the error every step.
    teacher = np.array([[[10.0, -10.0]] * 4])
    run = linearized_kd_gd(
        K,
        K,
        f0,
        f0,
        teacher,
        [0, 0],
        y,
        y,
        soft_ratio=[1.0, 1.0],
        temperature=[100.0, 100.0],
        lr=10.0,
        steps=20,
    )
    assert run.diverged.all()
    run = linearized_kd_gd(
        K, K, f0, f0, teacher, [0], y, y, soft_ratio=[1.0], temperature=[100.0], lr=1.0, steps=20
    )
    assert not run.diverged[0]


def test_checkpoints() -> None:
    assert checkpoint_steps(1).tolist() == [1]
    assert checkpoint_steps(300)[-1] == 300

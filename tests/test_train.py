"""fit(): exact GD iterates, SGD reproducibility, divergence status, recording, PI limit point."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from distillab.data import unit_sphere
from distillab.errors import ConfigError
from distillab.nn import TwoLayerNet
from distillab.train import (
    cross_entropy_objective,
    fit,
    kd_objective,
    pi_objective,
    squared_objective,
)


class Linear(torch.nn.Module):
    def __init__(self, d: int) -> None:
        super().__init__()
        self.w = torch.nn.Parameter(torch.zeros(d, dtype=torch.float64))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x @ self.w


def _regression(n: int = 20, d: int = 4) -> dict[str, torch.Tensor]:
    g = torch.Generator().manual_seed(0)
    x = torch.randn(n, d, generator=g, dtype=torch.float64)
    y = torch.randn(n, generator=g, dtype=torch.float64)
    return {"x": x, "y": y, "z": y}


def test_full_batch_gd_matches_the_closed_form_iteration() -> None:
    train = _regression()
    X, y = train["x"].numpy(), train["y"].numpy()
    lr, steps = 0.3, 25
    trajectory = fit(
        Linear(4), squared_objective(), train, steps=steps, lr=lr, record_steps=range(steps + 1)
    )
    w = np.zeros(4)
    for k in range(steps + 1):
        np.testing.assert_allclose(trajectory.outputs["train"][k], X @ w, atol=1e-12)
        assert trajectory.loss[k] == pytest.approx(0.5 * np.mean((X @ w - y) ** 2), rel=1e-12)
        w = w - lr * X.T @ (X @ w - y) / len(y)
    assert trajectory.status == "ok"


def test_sgd_is_bit_reproducible_and_seed_dependent() -> None:
    train = _regression(n=30)

    def run(seed: int) -> np.ndarray:
        return fit(
            Linear(4), squared_objective(), train, steps=40, lr=0.1, batch_size=7, seed=seed
        ).outputs["train"][-1]

    assert np.array_equal(run(3), run(3))
    assert not np.array_equal(run(3), run(4))


def test_minibatches_cover_each_epoch_exactly_once() -> None:
    seen: list[int] = []
    train = {"x": torch.arange(10.0)[:, None], "y": torch.zeros(10)}

    def objective(model: torch.nn.Module, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        if batch["x"].shape[0] < 10:
            seen.extend(int(v) for v in batch["x"][:, 0])
        return (model(batch["x"]) ** 2).mean()

    fit(torch.nn.Linear(1, 1), objective, train, steps=4, lr=1e-3, batch_size=5)
    assert sorted(seen[:10]) == list(range(10)) and sorted(seen[10:]) == list(range(10))


def test_divergence_is_a_recorded_status() -> None:
    train = _regression()
    # GD on a quadratic diverges once lr·λ_max(XᵀX/n) > 2.
    curvature = np.linalg.eigvalsh(train["x"].numpy().T @ train["x"].numpy() / 20).max()
    trajectory = fit(
        Linear(4), squared_objective(), train, steps=500, lr=2.2 / curvature, record_steps=[0, 500]
    )
    assert trajectory.status == "diverged" and trajectory.diverged_at is not None
    stable = fit(Linear(4), squared_objective(), train, steps=500, lr=1.8 / curvature)
    assert stable.status == "ok"


def test_recording_evaluate_sets_and_metrics() -> None:
    train = _regression()
    test_inputs = torch.randn(3, 4, dtype=torch.float64)
    trajectory = fit(
        Linear(4),
        squared_objective(),
        train,
        steps=10,
        lr=0.1,
        record_steps=[0, 5, 10],
        evaluate={"test": test_inputs},
        record=lambda m: {"norm": float(m.w.norm())},
    )
    assert trajectory.steps.tolist() == [0, 5, 10]
    assert trajectory.outputs["test"].shape == (3, 3)
    assert trajectory.metrics["norm"][0] == 0.0 and trajectory.metrics["norm"][-1] > 0


def test_fit_rejects_bad_configuration() -> None:
    train = _regression()
    with pytest.raises(ConfigError, match="lr"):
        fit(Linear(4), squared_objective(), train, steps=1, lr=0.0)
    with pytest.raises(ConfigError, match="record_steps"):
        fit(Linear(4), squared_objective(), train, steps=1, lr=0.1, record_steps=[2])
    with pytest.raises(ConfigError, match="first dimension"):
        fit(Linear(4), squared_objective(), {"x": train["x"], "y": train["y"][:3]}, steps=1, lr=0.1)
    with pytest.raises(ConfigError, match="soft_ratio"):
        kd_objective(soft_ratio=2.0, temperature=1.0)


def test_wide_network_trained_with_pi_loss_reaches_the_interpolation_point() -> None:
    # Rahbar et al. T1: u(∞) = (y + λz)/(1 + λ) for an over-parameterised student.
    X = torch.as_tensor(unit_sphere(12, 5, seed=0))
    rng = np.random.default_rng(1)
    y = torch.as_tensor(rng.choice([-1.0, 1.0], 12))
    z = torch.as_tensor(rng.uniform(-1, 1, 12))
    lam = 2.0
    net = TwoLayerNet(5, 2048, antisymmetric=True, seed=0, dtype=torch.float64)
    trajectory = fit(
        net, pi_objective(pi_weight=lam), {"x": X, "y": y, "z": z}, steps=3000, lr=12.0 / (1 + lam)
    )
    u = trajectory.outputs["train"][-1]
    u_star = ((y + lam * z) / (1 + lam)).numpy()
    assert np.linalg.norm(u - u_star) / np.linalg.norm(u_star) < 1e-3


def test_kd_and_cross_entropy_objectives_train_a_classifier() -> None:
    g = torch.Generator().manual_seed(0)
    x = torch.randn(40, 3, generator=g)
    y = (x[:, 0] > 0).long()
    teacher = 4 * x[:, 0]
    for objective in (
        cross_entropy_objective(),
        kd_objective(soft_ratio=0.7, temperature=2.0, variant="hinton"),
    ):
        model = torch.nn.Sequential(torch.nn.Linear(3, 1), torch.nn.Flatten(0))
        trajectory = fit(
            model, objective, {"x": x, "y": y, "teacher_logits": teacher}, steps=200, lr=0.5
        )
        assert trajectory.loss[-1] < 0.5 * trajectory.loss[0]

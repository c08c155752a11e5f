"""The ridge and feature-matching objectives: hand-computed values and validation."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from distillab.errors import ConfigError
from distillab.nn import MLP, TwoLayerNet
from distillab.train import feature_objective, ridge_objective


def test_ridge_objective_is_the_mean_squared_residual_plus_the_weight_penalty() -> None:
    net = TwoLayerNet(3, 8, seed=0, dtype=torch.float64)
    start = net.W.detach().clone()
    x = torch.randn(5, 3, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    y = torch.ones(5, dtype=torch.float64)
    objective = ridge_objective(start, 0.7, samples=10)
    with torch.no_grad():
        at_start = 0.5 * ((net(x) - y) ** 2).sum() / 10
        assert float(objective(net, {"x": x, "y": y})) == pytest.approx(float(at_start))
        net.first.weight.add_(1.0)
        moved = (0.5 * ((net(x) - y) ** 2).sum() + 0.5 * 0.7 * start.numel()) / 10
        assert float(objective(net, {"x": x, "y": y})) == pytest.approx(float(moved))
    with pytest.raises(ConfigError, match="ridge"):
        ridge_objective(start, -1.0, samples=10)


def test_feature_objective_adds_the_weighted_feature_mismatch() -> None:
    net = MLP(4, (6, 5), 3, seed=0)
    x = torch.randn(7, 4, generator=torch.Generator().manual_seed(1))
    y = torch.arange(7) % 3
    with torch.no_grad():
        logits, features = net.forward_features(x)
        batch = {"x": x, "y": y, "h1": torch.zeros_like(features[1])}
        value = feature_objective(2.0, [1])(net, batch)
        expected = F.cross_entropy(logits, y) + 2.0 * (features[1] ** 2).mean()
    assert float(value) == pytest.approx(float(expected), rel=1e-6)
    with pytest.raises(ConfigError, match="mse_feature_weight"):
        feature_objective(-1.0, [0])

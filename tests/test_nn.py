"""Model builders: parameterisation, initialisation statistics, shapes, reproducibility."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from distillab.errors import ConfigError
from distillab.nn import MLP, DeepLinearNet, TwoLayerNet


def test_two_layer_net_is_the_ntk_parameterisation() -> None:
    net = TwoLayerNet(4, 6, outputs=2, seed=0, dtype=torch.float64)
    x = torch.randn(5, 4, dtype=torch.float64)
    expected = torch.relu(x @ net.W.T) @ net.a / np.sqrt(6)
    torch.testing.assert_close(net(x), expected)
    assert set(net.a.unique().tolist()) <= {-1.0, 1.0}
    assert net(x).shape == (5, 2) and TwoLayerNet(4, 6, seed=0)(x.float()).shape == (5,)


def test_trained_first_fixes_the_output_weights() -> None:
    first = TwoLayerNet(3, 8, trained="first", seed=0)
    both = TwoLayerNet(3, 8, trained="both", seed=0)
    assert [p.shape for p in first.parameters() if p.requires_grad] == [(8, 3)]
    assert sorted(p.numel() for p in both.parameters() if p.requires_grad) == [8, 24]


def test_antisymmetric_initialisation_gives_zero_function() -> None:
    net = TwoLayerNet(5, 64, antisymmetric=True, outputs=3, seed=1, dtype=torch.float64)
    # Paired units cancel exactly in exact arithmetic; the matmul's summation order leaves ~1e-16.
    assert net(torch.randn(10, 5, dtype=torch.float64)).abs().max().item() < 1e-13
    with pytest.raises(ConfigError, match="even"):
        TwoLayerNet(5, 63, antisymmetric=True)


def test_initial_output_variance_is_half_the_squared_norm() -> None:
    # E[f(x)²] = E[a² relu(wᵀx)²] = ‖x‖²κ²/2 for any width (the NNGP diagonal).
    x = torch.tensor([[3.0, 4.0]], dtype=torch.float64)
    outputs = torch.stack(
        [TwoLayerNet(2, 256, init_scale=0.5, seed=s, dtype=torch.float64)(x) for s in range(400)]
    ).squeeze()
    expected = 25 * 0.25 / 2
    assert abs(outputs.pow(2).mean().item() - expected) < 4 * outputs.pow(2).std().item() / 20


def test_seeds_reproduce_and_differ() -> None:
    a, b, c = (TwoLayerNet(3, 10, seed=s) for s in (7, 7, 8))
    assert torch.equal(a.W, b.W) and not torch.equal(a.W, c.W)
    first, second = MLP(3, [4], 2, seed=1), MLP(3, [4], 2, seed=1)
    assert torch.equal(first.layers[0].weight, second.layers[0].weight)


def test_deep_linear_net_product_features_and_scale() -> None:
    net = DeepLinearNet([6, 5, 4, 3], init_scale=0.1, seed=0, dtype=torch.float64)
    x = torch.randn(7, 6, dtype=torch.float64)
    out, features = net.forward_features(x)
    torch.testing.assert_close(out, x @ net.end_to_end().T)
    assert [f.shape for f in features] == [(7, 5), (7, 4)]
    torch.testing.assert_close(features[1], x @ (net.weights[1] @ net.weights[0]).T)
    big = DeepLinearNet([400, 400], init_scale=0.1, seed=0, dtype=torch.float64)
    assert big.weights[0].std().item() == pytest.approx(0.1 / 20, rel=0.02)
    with pytest.raises(ConfigError, match="two"):
        DeepLinearNet([3])


def test_mlp_features_are_post_activation_hidden_layers() -> None:
    net = MLP(4, [8, 6], 3, seed=0)
    logits, features = net.forward_features(torch.randn(5, 4))
    assert logits.shape == (5, 3) and [f.shape for f in features] == [(5, 8), (5, 6)]
    assert all((f >= 0).all() for f in features)
    assert all(layer.bias.abs().sum() == 0 for layer in net.layers)

"""The advice's helpers: the lazy-regime diagnostic and the grid parser."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from distillab.advise.advice import kernel_movement, parse_grid
from distillab.advise.models import build_student
from distillab.errors import ConfigError


def test_kernel_movement_is_zero_for_a_linear_model_and_a_still_path() -> None:
    X = np.random.default_rng(0).random((10, 4)).astype(np.float32)
    linear = torch.nn.Linear(4, 3)
    gradients = np.random.default_rng(1).standard_normal((2, 10, 3))
    gradients[1] = 0.0
    moved, still = kernel_movement(linear, X, gradients, 0.5, np.arange(10))
    assert moved["kernel_change"] < 1e-6 and moved["weight_change"] > 0  # a linear NTK is fixed
    assert still == {"kernel_change": 0.0, "weight_change": 0.0}


def test_kernel_movement_grows_with_the_step() -> None:
    X = np.random.default_rng(0).random((16, 8)).astype(np.float32)
    net = build_student("mlp:64", 8, 3, seed=0)
    gradients = np.random.default_rng(1).standard_normal((1, 16, 3))
    small, large = (kernel_movement(net, X, gradients, lr, np.arange(16))[0] for lr in (0.1, 10.0))
    assert 0 < small["kernel_change"] < large["kernel_change"]
    np.testing.assert_allclose(large["weight_change"], 100 * small["weight_change"], rtol=1e-4)


def test_parse_grid() -> None:
    assert parse_grid("1, 0.5,0.5", "--soft-ratio", 0, 1, closed_low=True) == (0.5, 1.0)
    for text in ("", "a", "0,1.5", "nan"):
        with pytest.raises(ConfigError, match="--soft-ratio"):
            parse_grid(text, "--soft-ratio", 0, 1, closed_low=True)
    with pytest.raises(ConfigError, match=r"\(0, "):
        parse_grid("0", "--temperature", 0, 1e4, closed_low=False)

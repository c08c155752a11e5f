"""Importable ``module:function`` specs for the advisor's tests."""

from __future__ import annotations

import torch


def tiny_net(d_in: int, n_classes: int, seed: int) -> torch.nn.Module:
    """A one-hidden-layer tanh network (not all-Linear: exercises the Jacobian NTK)."""
    torch.manual_seed(seed)
    return torch.nn.Sequential(
        torch.nn.Linear(d_in, 16), torch.nn.Tanh(), torch.nn.Linear(16, n_classes)
    )


def not_a_module() -> str:
    """Returns a string, which the advisor must refuse."""
    return "not a module"


def wrong_outputs(d_in: int) -> torch.nn.Module:
    """Three outputs whatever the number of classes."""
    return torch.nn.Linear(d_in, 3)

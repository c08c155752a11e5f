"""Fully connected ReLU network with access to its hidden features."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

import torch
from torch import nn

from distillab.errors import ConfigError
from distillab.nn._init import generator, resolve_dtype

__all__ = ["MLP"]


class MLP(nn.Module):
    r"""Multi-layer perceptron h^l = relu(W_l h^{l−1} + b_l), output W_L h^{L−1} + b_L.

    He initialisation: W_l ~ N(0, 2/fan_in), b_l = 0 (output layer N(0, 1/fan_in)).

    Args:
      d_in: input dimension.
      hidden: hidden widths ``(m_1, …, m_{L−1})``, possibly empty.
      d_out: number of outputs (logits).
      seed: seeds a private generator (``None``: torch's global RNG).
      dtype: parameter dtype.

    Shapes: ``forward`` maps ``(n, d_in)`` to ``(n, d_out)``; ``forward_features`` also returns
    the post-activation hidden features ``(n, m_l)`` used for feature matching.

    Reference: He et al., arXiv:1502.01852 (initialisation).
    """

    def __init__(
        self,
        d_in: int,
        hidden: Sequence[int],
        d_out: int,
        *,
        seed: int | None = None,
        dtype: torch.dtype | None = None,
    ) -> None:
        super().__init__()
        widths = [int(d_in), *(int(h) for h in hidden), int(d_out)]
        if min(widths) < 1:
            raise ConfigError(f"all layer widths must be positive, got {widths}.")
        gen = generator(seed)
        dtype = resolve_dtype(dtype)
        self.layers = nn.ModuleList()
        for index, (fan_in, fan_out) in enumerate(itertools.pairwise(widths)):
            layer = nn.Linear(fan_in, fan_out, dtype=dtype)
            gain = 1.0 if index == len(widths) - 2 else 2.0
            with torch.no_grad():
                layer.weight.copy_(
                    torch.randn(fan_out, fan_in, generator=gen, dtype=dtype)
                    * math.sqrt(gain / fan_in)
                )
                layer.bias.zero_()
            self.layers.append(layer)

    def forward_features(self, x: torch.Tensor) -> tuple[torch.Tensor, list[torch.Tensor]]:
        """Return the logits and the list of post-activation hidden features."""
        features = []
        h = x
        for layer in self.layers[:-1]:
            h = torch.relu(layer(h))
            features.append(h)
        return self.layers[-1](h), features

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.forward_features(x)[0]

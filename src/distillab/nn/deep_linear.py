"""Deep linear network W = W_L ⋯ W_1, with access to its hidden features."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

import torch
from torch import nn

from distillab.errors import ConfigError
from distillab.nn._init import generator, resolve_dtype

__all__ = ["DeepLinearNet"]


class DeepLinearNet(nn.Module):
    r"""Deep linear network x ↦ W_L ⋯ W_1 x (no biases).

    Layer l maps width m_{l−1} to m_l; entries start i.i.d. N(0, ε²/m_{l−1}) with ε =
    ``init_scale`` (small ε: the small-initialisation regime of Saxe et al. and Hong et al.).
    Hidden feature l is h^l = W_{l:1} x.

    Args:
      widths: ``(d, m_1, …, m_{L−1}, d_y)``, at least two entries.
      init_scale: ε.
      seed: seeds a private generator (``None``: torch's global RNG).
      dtype: parameter dtype.

    Shapes: ``forward`` maps ``(n, d)`` to ``(n, d_y)``; ``forward_features`` also returns the
    L−1 hidden features ``(n, m_l)``; ``end_to_end()`` is the ``(d_y, d)`` product matrix.

    Reference: Saxe et al., arXiv:1312.6120; Hong et al., arXiv:2103.07600.
    """

    def __init__(
        self,
        widths: Sequence[int],
        *,
        init_scale: float = 1e-2,
        seed: int | None = None,
        dtype: torch.dtype | None = None,
    ) -> None:
        super().__init__()
        widths = [int(w) for w in widths]
        if len(widths) < 2 or min(widths) < 1:
            raise ConfigError(f"widths needs at least two positive entries, got {widths}.")
        if not (math.isfinite(init_scale) and init_scale >= 0):
            raise ConfigError(f"init_scale must be non-negative, got {init_scale!r}.")
        gen = generator(seed)
        dtype = resolve_dtype(dtype)
        self.widths = widths
        self.weights = nn.ParameterList(
            nn.Parameter(
                torch.randn(fan_out, fan_in, generator=gen, dtype=dtype)
                * (init_scale / math.sqrt(fan_in))
            )
            for fan_in, fan_out in itertools.pairwise(widths)
        )

    def forward_features(self, x: torch.Tensor) -> tuple[torch.Tensor, list[torch.Tensor]]:
        """Return the output and the hidden features [W_1 x, W_{2:1} x, …, W_{L−1:1} x]."""
        features = []
        h = x
        for layer, weight in enumerate(self.weights):
            h = h @ weight.T
            if layer < len(self.weights) - 1:
                features.append(h)
        return h, features

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.forward_features(x)[0]

    def end_to_end(self) -> torch.Tensor:
        """The product matrix W = W_L ⋯ W_1, shape ``(d_y, d)``."""
        product = self.weights[0]
        for weight in self.weights[1:]:
            product = weight @ product
        return product

"""Two-layer ReLU network in the NTK parameterisation."""

from __future__ import annotations

import math
from typing import Literal

import torch
from torch import nn

from distillab.errors import ConfigError
from distillab.nn._init import generator, resolve_dtype

__all__ = ["TwoLayerNet"]


class TwoLayerNet(nn.Module):
    r"""f(x) = m^{-1/2} Σ_{r=1..m} a_r relu(w_rᵀx), the network of Du et al. and Arora et al.

    Initialisation: w_r ~ N(0, κ² I_d) (κ = ``init_scale``), a_r uniform on {−1, +1} (one column
    per output). With ``trained="first"`` the output weights are a fixed buffer and only W is
    trained (the setting of Arora et al.; its NTK is ``relu_ntk(trained="first")`` = H^∞); with
    ``trained="both"`` a is a parameter too (NTK ``relu_ntk(trained="both")`` at κ = 1).

    ``antisymmetric=True`` duplicates each hidden unit with the opposite output weight
    (w_{r+m/2} = w_r, a_{r+m/2} = −a_r), so f₀ ≡ 0 exactly while the NTK at initialisation keeps
    its infinite-width mean (Ji & Zhu's choice; units are then i.i.d. in pairs).

    Args:
      d: input dimension.
      width: number of hidden units m (even when ``antisymmetric``).
      trained: ``"first"`` or ``"both"``.
      init_scale: κ, the standard deviation of the first-layer weights.
      antisymmetric: zero initial function by paired units.
      outputs: number of output columns C; ``forward`` returns ``(n,)`` when C = 1.
      seed: seeds a private generator for the initial weights (``None``: torch's global RNG).
      dtype: parameter dtype (default: torch's default dtype).

    Shapes: ``W`` is ``(m, d)``, ``a`` is ``(m, C)``; ``forward`` maps ``(n, d)`` to ``(n,)`` or
    ``(n, C)``.

    Reference: Du et al., arXiv:1810.02054; Arora et al., arXiv:1901.08584, §3.
    """

    def __init__(
        self,
        d: int,
        width: int,
        *,
        trained: Literal["first", "both"] = "first",
        init_scale: float = 1.0,
        antisymmetric: bool = False,
        outputs: int = 1,
        seed: int | None = None,
        dtype: torch.dtype | None = None,
    ) -> None:
        super().__init__()
        if trained not in ("first", "both"):
            raise ConfigError(f"trained must be 'first' or 'both', got {trained!r}.")
        if d < 1 or width < 1 or outputs < 1:
            raise ConfigError(
                f"d, width and outputs must be positive, got d={d}, width={width}, "
                f"outputs={outputs}."
            )
        if antisymmetric and width % 2:
            raise ConfigError(f"an antisymmetric network needs an even width, got {width}.")
        if not (math.isfinite(init_scale) and init_scale > 0):
            raise ConfigError(f"init_scale must be positive, got {init_scale!r}.")
        self.d, self.width, self.outputs, self.trained = d, width, outputs, trained
        gen = generator(seed)
        dtype = resolve_dtype(dtype)
        units = width // 2 if antisymmetric else width
        w = torch.randn(units, d, generator=gen, dtype=dtype) * init_scale
        a = torch.randint(0, 2, (units, outputs), generator=gen).to(dtype) * 2 - 1
        if antisymmetric:
            w, a = torch.cat([w, w]), torch.cat([a, -a])
        # nn.Linear layers (weights W and aᵀ) let empirical_ntk use its structured strategy.
        self.first = nn.Linear(d, width, bias=False, dtype=dtype)
        self.second = nn.Linear(width, outputs, bias=False, dtype=dtype)
        with torch.no_grad():
            self.first.weight.copy_(w)
            self.second.weight.copy_(a.T)
        self.second.weight.requires_grad_(trained == "both")

    @property
    def W(self) -> torch.Tensor:
        """First-layer weights, shape ``(m, d)``; row r is w_r."""
        return self.first.weight

    @property
    def a(self) -> torch.Tensor:
        """Output weights, shape ``(m, C)`` (fixed unless ``trained="both"``)."""
        return self.second.weight.T

    def hidden(self, x: torch.Tensor) -> torch.Tensor:
        """Hidden activations relu(Wx) of shape ``(n, m)``."""
        return torch.relu(self.first(x))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.second(self.hidden(x)) / math.sqrt(self.width)
        return out.squeeze(-1) if self.outputs == 1 else out

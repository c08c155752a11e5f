"""Seeded construction shared by the model builders."""

from __future__ import annotations

import torch


def generator(seed: int | None) -> torch.Generator | None:
    """A CPU generator seeded with ``seed``, or ``None`` to use torch's global RNG."""
    if seed is None:
        return None
    return torch.Generator().manual_seed(int(seed))


def resolve_dtype(dtype: torch.dtype | None) -> torch.dtype:
    """``dtype`` or torch's default floating dtype."""
    return dtype if dtype is not None else torch.get_default_dtype()

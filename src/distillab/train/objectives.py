"""Objectives for :func:`distillab.train.fit`: KD losses bound to batch keys.

Each factory returns ``objective(model, batch) -> scalar``. Batch keys: ``"x"`` inputs, ``"y"``
labels, ``"teacher_logits"`` (KD), ``"z"`` teacher outputs (privileged information).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from distillab.losses import KDVariant, check_kd_parameters, check_pi_weight, kd_loss, pi_loss
from distillab.train.fit import Batch, Objective

__all__ = ["cross_entropy_objective", "kd_objective", "pi_objective", "squared_objective"]


def kd_objective(
    *, soft_ratio: float, temperature: float, variant: KDVariant = "hinton"
) -> Objective:
    """``kd_loss(model(x), teacher_logits, y; ρ, T, variant)`` (validated on creation)."""
    check_kd_parameters(soft_ratio, temperature, variant)

    def objective(model: torch.nn.Module, batch: Batch) -> torch.Tensor:
        return kd_loss(
            model(batch["x"]),
            batch["teacher_logits"],
            batch["y"],
            soft_ratio=soft_ratio,
            temperature=temperature,
            variant=variant,
        )

    return objective


def pi_objective(*, pi_weight: float) -> Objective:
    """``pi_loss(model(x), y, z; λ)``: mean of ½(u−y)² + (λ/2)(u−z)² (validated on creation)."""
    check_pi_weight(pi_weight)

    def objective(model: torch.nn.Module, batch: Batch) -> torch.Tensor:
        return pi_loss(model(batch["x"]), batch["y"], batch["z"], pi_weight=pi_weight)

    return objective


def squared_objective() -> Objective:
    """Plain least squares, mean of ½‖f(x) − y‖² (``pi_loss`` with λ = 0)."""
    return pi_objective(pi_weight=0.0)


def cross_entropy_objective() -> Objective:
    """Cross-entropy on hard labels: softmax for ``(n, C)`` logits, sigmoid for ``(n,)``."""

    def objective(model: torch.nn.Module, batch: Batch) -> torch.Tensor:
        logits = model(batch["x"])
        if logits.ndim == 1:
            return F.binary_cross_entropy_with_logits(logits, batch["y"].to(logits.dtype))
        return F.cross_entropy(logits, batch["y"].long())

    return objective

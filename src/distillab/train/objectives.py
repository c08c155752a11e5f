"""Objectives for :func:`distillab.train.fit`: KD losses bound to batch keys.

Each factory returns ``objective(model, batch) -> scalar``. Batch keys: ``"x"`` inputs, ``"y"``
labels, ``"teacher_logits"`` (KD), ``"z"`` teacher outputs (privileged information).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
import torch.nn.functional as F

from distillab.errors import ConfigError
from distillab.losses import (
    KDVariant,
    check_kd_parameters,
    check_pi_weight,
    feature_loss,
    kd_loss,
    pi_loss,
)
from distillab.train.fit import Batch, Objective

__all__ = [
    "cross_entropy_objective",
    "feature_objective",
    "kd_objective",
    "pi_objective",
    "ridge_objective",
    "squared_objective",
]


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


def ridge_objective(start: torch.Tensor, ridge: float, samples: int) -> Objective:
    r"""(1/n)[½‖f(x) − y‖² + (λ/2)‖W − W(0)‖²], W the first layer (``model.first.weight``).

    ``start`` is W(0), ``ridge`` is λ ≥ 0 and ``samples`` is n, the full training-set size (so a
    minibatch's value is not rescaled). In the kernel regime GD on it converges to kernel ridge
    regression with the network's NTK.
    """
    if not (math.isfinite(ridge) and ridge >= 0):
        raise ConfigError(f"ridge must be a non-negative finite number, got {ridge!r}.")

    def objective(model: torch.nn.Module, batch: Batch) -> torch.Tensor:
        residual = model(batch["x"]) - batch["y"]
        penalty = ((model.first.weight - start) ** 2).sum()
        return (0.5 * (residual**2).sum() + 0.5 * ridge * penalty) / samples

    return objective


def feature_objective(mse_feature_weight: float, layers: Sequence[int]) -> Objective:
    r"""CE(f(x), y) + λ_mse·``feature_loss``([h_l(x)], [h_T^l]) over the matched hidden ``layers``.

    Feature-based student–teacher learning (Hong et al., arXiv:2103.07600): the model must have
    ``forward_features`` (:class:`distillab.nn.MLP`, :class:`distillab.nn.DeepLinearNet`); the
    batch holds the teacher's features of layer l under the key ``f"h{l}"``. λ_mse =
    ``mse_feature_weight`` ≥ 0 weights the mean squared feature mismatch.
    """
    if not (math.isfinite(mse_feature_weight) and mse_feature_weight >= 0):
        raise ConfigError(
            f"mse_feature_weight must be a non-negative finite number, got {mse_feature_weight!r}."
        )
    layers = list(layers)

    def objective(model: torch.nn.Module, batch: Batch) -> torch.Tensor:
        logits, features = model.forward_features(batch["x"])
        student = [features[layer] for layer in layers]
        targets = [batch[f"h{layer}"] for layer in layers]
        return F.cross_entropy(logits, batch["y"]) + mse_feature_weight * feature_loss(
            student, targets
        )

    return objective

"""Knowledge-distillation losses under one documented convention.

Notation (used in every docstring of distillab): student logits ``s``, teacher logits ``t``,
hard labels ``y``, soft ratio ρ ∈ [0, 1] (``soft_ratio``), temperature T > 0 (``temperature``),
privileged-information weight λ ≥ 0 (``pi_weight``). ``p^T = softmax(·/T)`` for multi-class
logits of shape ``(n, C)`` and ``σ(·/T)`` (a Bernoulli distribution) for binary logits of shape
``(n,)``. Binary labels are 0/1; multi-class labels are integer class indices of shape ``(n,)``.

The convention (DESIGN.md), every loss a mean over samples:

* ``"hinton"``:        L = (1−ρ)·CE(s, y) + ρ·T²·KL(p_t^T ‖ p_s^T)
* ``"mixed-target"``:  L = CE(p_s^T, ρ·p_t^T + (1−ρ)·onehot(y))   (no T² factor; Ji & Zhu's
  verified form, in which the hard term also sees the temperature)
* privileged information (Rahbar et al.):  L = mean_i ½‖u_i−y_i‖² + (λ/2)‖u_i−z_i‖²
* feature matching (Hong et al.):  L = Σ_l MSE(h_S^l, h_T^l)

Identities checked in ``tests/test_losses.py``: the ρ=0 and ρ=1 limits; the gradient of the soft
term with respect to the student logits is T·(p_s^T − p_t^T)/n; adding a constant to all logits of
a sample changes nothing (multi-class); T²·KL → ½·mean_c((s−s̄)−(t−t̄))² as T → ∞.

References: Hinton, Vinyals & Dean, arXiv:1503.02531; Ji & Zhu, NeurIPS 2020 (arXiv:2010.10090);
Rahbar et al., arXiv:2003.13438; Hong et al., CVPR 2021 (arXiv:2103.07600).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

import torch
import torch.nn.functional as F

from distillab.errors import ConfigError

__all__ = [
    "KD_VARIANTS",
    "check_kd_parameters",
    "check_pi_weight",
    "feature_loss",
    "kd_loss",
    "pi_loss",
]

KD_VARIANTS: tuple[str, ...] = ("hinton", "mixed-target")
KDVariant = Literal["hinton", "mixed-target"]


def check_kd_parameters(soft_ratio: float, temperature: float, variant: str = "hinton") -> None:
    """Raise :class:`ConfigError` unless ρ ∈ [0, 1], T > 0 and ``variant`` is known."""
    if not (math.isfinite(soft_ratio) and 0.0 <= soft_ratio <= 1.0):
        raise ConfigError(f"soft_ratio must lie in [0, 1], got {soft_ratio!r}.")
    if not (math.isfinite(temperature) and temperature > 0.0):
        raise ConfigError(f"temperature must be a positive finite number, got {temperature!r}.")
    if variant not in KD_VARIANTS:
        raise ConfigError(f"variant must be one of {KD_VARIANTS}, got {variant!r}.")


def check_pi_weight(pi_weight: float) -> None:
    """Raise :class:`ConfigError` unless λ is a non-negative finite number."""
    if not (math.isfinite(pi_weight) and pi_weight >= 0.0):
        raise ConfigError(f"pi_weight must be a non-negative finite number, got {pi_weight!r}.")


def _check_kd_shapes(s: torch.Tensor, t: torch.Tensor, y: torch.Tensor) -> None:
    if s.shape != t.shape:
        raise ConfigError(
            f"student and teacher logits must have the same shape, got {tuple(s.shape)} "
            f"and {tuple(t.shape)}."
        )
    if s.ndim not in (1, 2):
        raise ConfigError(f"logits must have shape (n,) or (n, C), got {tuple(s.shape)}.")
    if y.shape != s.shape[:1]:
        raise ConfigError(
            f"labels must have shape ({s.shape[0]},) to match the logits, got {tuple(y.shape)}."
        )


def _binary_ce_with_logits(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Per-sample −[p log σ(a) + (1−p) log σ(−a)], stable for any a.

    PyTorch's fused form has the exact gradient σ(a) − p (``F.softplus`` turns linear above 20,
    which would leave an error of e^{-20} in the gradient of large logits).
    """
    return F.binary_cross_entropy_with_logits(logits, target, reduction="none")


def kd_loss(
    student_logits: torch.Tensor,
    teacher_logits: torch.Tensor,
    labels: torch.Tensor,
    *,
    soft_ratio: float,
    temperature: float,
    variant: KDVariant = "hinton",
) -> torch.Tensor:
    r"""Knowledge-distillation loss, mean over samples.

    ``"hinton"``: L = (1−ρ)·CE(s, y) + ρ·T²·KL(p_t^T ‖ p_s^T).
    ``"mixed-target"``: L = CE(p_s^T, ρ·p_t^T + (1−ρ)·onehot(y)).

    Binary logits of shape ``(n,)`` use sigmoids and 0/1 labels; multi-class logits of shape
    ``(n, C)`` use softmaxes and integer labels. The soft term's gradient with respect to the
    student logits is T·(p_s^T − p_t^T)/n (``"hinton"``, ρ = 1).

    Args:
      student_logits: ``(n,)`` or ``(n, C)``; differentiable.
      teacher_logits: same shape; treated as a constant target (no gradient flows into it).
      labels: ``(n,)`` hard labels, 0/1 floats or ints (binary) or class indices (multi-class).
      soft_ratio: ρ ∈ [0, 1], the weight of the teacher's soft labels.
      temperature: T > 0.
      variant: ``"hinton"`` or ``"mixed-target"``.

    Returns:
      A scalar tensor of the student logits' dtype.

    Precision: the loss is computed in float64 whatever the input dtype, and cast back (the
    gradient flows through the cast). The soft term at large T is a difference of O(1) terms
    whose value is O(|s−t|²/T²) before the T² factor; in float32 it rounds to 0 near T = 1e4
    (binary) and loses every digit. In float64 its relative error grows like 1e-16·T²/|s−t|²:
    about 1e-8 at T = 1e4 with logit gaps of order 1, unusable beyond T ≈ 1e7.

    Example:
      >>> s = torch.tensor([0.5, -1.0]); t = torch.tensor([2.0, -2.0]); y = torch.tensor([1, 0])
      >>> float(kd_loss(s, t, y, soft_ratio=0.0, temperature=3.0)) > 0
      True

    References: Hinton et al. (2015), arXiv:1503.02531, eq. (2) and the T² remark;
    Ji & Zhu (2020), arXiv:2010.10090, the mixed-target form.
    """
    check_kd_parameters(soft_ratio, temperature, variant)
    _check_kd_shapes(student_logits, teacher_logits, labels)
    # float64 inside whatever the input dtype: at large T the soft term is a difference of two
    # O(1) cross-entropies whose true value is O(1/T²), which float32 rounds to 0 (T = 1e4).
    s = student_logits.to(torch.float64)
    t = teacher_logits.detach().to(torch.float64)
    return _kd_loss64(s, t, labels, float(soft_ratio), float(temperature), variant).to(
        student_logits.dtype
    )


def _kd_loss64(
    s: torch.Tensor, t: torch.Tensor, labels: torch.Tensor, rho: float, T: float, variant: str
) -> torch.Tensor:
    """:func:`kd_loss` on float64 logits (validated)."""
    if s.ndim == 1:
        y = labels.to(s.dtype)
        p_t = torch.sigmoid(t / T)
        if variant == "mixed-target":
            target = rho * p_t + (1.0 - rho) * y
            return _binary_ce_with_logits(s / T, target).mean()
        hard = _binary_ce_with_logits(s, y)
        # KL(Bern(p_t) ‖ Bern(p_s)) = CE(p_t, p_s) − H(p_t), both in stable logit form.
        kl = _binary_ce_with_logits(s / T, p_t) - _binary_ce_with_logits(t / T, p_t)
        return ((1.0 - rho) * hard + rho * T**2 * kl).mean()

    y_index = labels.long()
    log_p_s = F.log_softmax(s / T, dim=1)
    log_p_t = F.log_softmax(t / T, dim=1)
    if variant == "mixed-target":
        onehot = F.one_hot(y_index, num_classes=s.shape[1]).to(s.dtype)
        target = rho * log_p_t.exp() + (1.0 - rho) * onehot
        return -(target * log_p_s).sum(dim=1).mean()
    hard = F.cross_entropy(s, y_index, reduction="none")
    kl = (log_p_t.exp() * (log_p_t - log_p_s)).sum(dim=1)
    return ((1.0 - rho) * hard + rho * T**2 * kl).mean()


def pi_loss(
    student_out: torch.Tensor,
    labels: torch.Tensor,
    teacher_out: torch.Tensor,
    *,
    pi_weight: float,
) -> torch.Tensor:
    r"""Privileged-information (regression) distillation loss, mean over samples.

    L = (1/n)·Σ_i [½‖u_i − y_i‖² + (λ/2)‖u_i − z_i‖²], with u the student's outputs, y the labels
    and z the teacher's outputs (the privileged information). For multi-output ``(n, C)`` the
    squared norms sum over the C columns. Completing the square, the minimiser is
    u* = (y + λz)/(1+λ).

    Note: Rahbar et al. write the objective as a *sum* over samples; gradient descent on this mean
    with step η equals descent on the sum with step η/n.

    Args:
      student_out: ``(n,)`` or ``(n, C)``.
      labels: same shape as ``student_out``.
      teacher_out: same shape; treated as a constant.
      pi_weight: λ ≥ 0.

    Returns:
      A scalar tensor.

    Reference: Rahbar et al., arXiv:2003.13438 (KT-A objective, model §2.4).
    """
    check_pi_weight(pi_weight)
    lam = float(pi_weight)
    if not (student_out.shape == labels.shape == teacher_out.shape):
        raise ConfigError(
            "student outputs, labels and teacher outputs must share one shape, got "
            f"{tuple(student_out.shape)}, {tuple(labels.shape)} and {tuple(teacher_out.shape)}."
        )
    u = student_out
    sq_y = (u - labels.to(u.dtype)) ** 2
    sq_z = (u - teacher_out.detach().to(u.dtype)) ** 2
    per_sample = 0.5 * sq_y + 0.5 * lam * sq_z
    if per_sample.ndim > 1:
        per_sample = per_sample.flatten(1).sum(dim=1)
    return per_sample.mean()


def feature_loss(
    student_features: Sequence[torch.Tensor] | torch.Tensor,
    teacher_features: Sequence[torch.Tensor] | torch.Tensor,
) -> torch.Tensor:
    r"""Feature-matching loss: L = Σ_l MSE(h_S^l, h_T^l), MSE = mean over all elements.

    Each matched layer contributes the mean of (h_S^l − h_T^l)² over its samples and units
    (FitNets hint loss). A single tensor on each side counts as one matched layer.

    Args:
      student_features: sequence of ``(n, m_l)`` tensors (student hidden features on noisy inputs).
      teacher_features: sequence of the same shapes (teacher features on clean inputs), constant.

    Returns:
      A scalar tensor.

    References: Romero et al., arXiv:1412.6550; Hong et al., arXiv:2103.07600.
    """
    if isinstance(student_features, torch.Tensor):
        student_features = [student_features]
    if isinstance(teacher_features, torch.Tensor):
        teacher_features = [teacher_features]
    if len(student_features) != len(teacher_features):
        raise ConfigError(
            f"got {len(student_features)} student feature layers but "
            f"{len(teacher_features)} teacher feature layers; they must be matched one to one."
        )
    if len(student_features) == 0:
        raise ConfigError("feature_loss needs at least one matched layer.")
    total = None
    for layer, (h_s, h_t) in enumerate(zip(student_features, teacher_features, strict=True)):
        if h_s.shape != h_t.shape:
            raise ConfigError(
                f"matched layer {layer} has student shape {tuple(h_s.shape)} but teacher shape "
                f"{tuple(h_t.shape)}."
            )
        term = F.mse_loss(h_s, h_t.detach().to(h_s.dtype))
        total = term if total is None else total + term
    return total

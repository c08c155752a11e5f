r"""Linearised KD student trained by function-space gradient descent, batched over settings.

The student linearised at its initialisation, f(x; θ) ≈ f₀(x) + ∇_θf₀(x)·(θ − θ₀), trained by
full-batch GD with step η on the mean KD loss L = (1/n)·Σ_i ℓ_i(f(x_i)) moves its logits on any
input x by

    f_{k+1}(x) = f_k(x) − (η/n)·Σ_j Θ(x, x_j)·g_j(f_k(x_j)),

with Θ the (output-trace) NTK and g_j = ∂ℓ_j/∂f the per-sample logit gradient of
:func:`distillab.losses.kd_loss` (``"hinton"``):

    g = (1−ρ)·(softmax(s) − onehot(y)) + ρ·T·(softmax(s/T) − softmax(t/T)).

Only the training logits need the recursion; test logits follow from the accumulated gradients,
f_k(x_test) = f₀(x_test) − (η/n)·Θ(x_test, X)·Σ_{k'<k} g(f_{k'}(X)). Every (teacher, ρ, T) row is
one column block of the same ``(n, n) @ (n, B·C)`` product per step: the whole grid costs one
batched run of ``steps`` matrix products (float32, any torch device).

The per-sample logit Hessian of ℓ is H = (1−ρ)·(diag p − ppᵀ) + ρ·(diag q − qqᵀ), p = softmax(s),
q = softmax(s/T) (the T² of the soft term cancels the two 1/T of its second derivative), so the
sharpness of GD in function space is λ_max((1/n)·Θ·H) and the step is locally stable while
η·λ_max < 2.

Reference: Lee et al., arXiv:1902.06720 (wide networks evolve as their linearisation);
Ji & Zhu, arXiv:2010.10090 (linearised KD student); Cohen et al., arXiv:2103.00065 (sharpness
2/η).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from distillab.errors import ConfigError

__all__ = ["LinearizedRun", "checkpoint_steps", "kd_logit_gradient", "linearized_kd_gd"]


@dataclass(frozen=True)
class LinearizedRun:
    """The linearised student's run for B = len(soft_ratio) rows (teacher, ρ, T).

    Attributes:
      steps: ``(K,)`` checkpoint steps (the last is the budget).
      test_error, train_error: ``(K, B)`` fractions in [0, 1] at the checkpoints.
      train_loss: ``(K, B)`` the KD loss on the training set (NaN once non-finite).
      test_logits: ``(B, m, C)`` at the budget.
      accumulated_gradient: ``(B, n, C)`` Σ_k g(f_k(X)), the function-space path (θ_T − θ₀ =
        −(η/n)·Jᵀ·this).
      sharpness_init, sharpness_final: ``(B,)`` λ_max((1/n)·Θ·H) at f₀ and at the budget.
      path_length: ``(B,)`` ‖θ_T − θ₀‖ of the linearised run, (η/n)·sqrt(Σ_c G_cᵀ Θ G_c) with
        G = Σ_k g(f_k(X)) (exact for the output-trace kernel).
      diverged: ``(B,)`` True where the loss became non-finite or ended above its initial value.
    """

    steps: NDArray[np.int64]
    test_error: NDArray[np.float64]
    train_error: NDArray[np.float64]
    train_loss: NDArray[np.float64]
    test_logits: NDArray[np.float64]
    accumulated_gradient: NDArray[np.float64]
    sharpness_init: NDArray[np.float64]
    sharpness_final: NDArray[np.float64]
    path_length: NDArray[np.float64]
    diverged: NDArray[np.bool_]


def checkpoint_steps(steps: int, count: int = 12) -> NDArray[np.int64]:
    """About ``count`` geometrically spaced steps in [1, steps], always ending at ``steps``.

    >>> checkpoint_steps(100, 4).tolist()
    [1, 5, 22, 100]
    """
    if steps < 1:
        raise ConfigError(f"--steps must be at least 1, got {steps}.")
    points = np.unique(np.round(np.geomspace(1, steps, count)).astype(np.int64))
    return points


def kd_logit_gradient(s: Any, t: Any, onehot: Any, soft_ratio: Any, temperature: Any) -> Any:
    """Per-sample ∂ℓ/∂s of the hinton KD loss, broadcast over a leading row axis.

    Shapes: ``s``, ``t``, ``onehot`` ``(B, n, C)`` (``t``/``onehot`` may broadcast);
    ``soft_ratio``, ``temperature`` ``(B, 1, 1)`` torch tensors.
    """
    import torch

    hard = torch.softmax(s, dim=-1) - onehot
    soft = torch.softmax(s / temperature, dim=-1) - torch.softmax(t / temperature, dim=-1)
    return (1.0 - soft_ratio) * hard + soft_ratio * temperature * soft


def _kd_loss_rows(s: Any, t: Any, y: Any, soft_ratio: Any, temperature: Any) -> Any:
    """Mean hinton KD loss of each row: ``(B,)``."""
    import torch

    log_p = torch.log_softmax(s, dim=-1)
    hard = -log_p.gather(-1, y.expand(s.shape[0], -1).unsqueeze(-1)).squeeze(-1)
    log_q_t = torch.log_softmax(t / temperature, dim=-1)
    log_q_s = torch.log_softmax(s / temperature, dim=-1)
    kl = (log_q_t.exp() * (log_q_t - log_q_s)).sum(-1)
    per_sample = (1.0 - soft_ratio[:, :, 0]) * hard + soft_ratio[:, :, 0] * temperature[
        :, :, 0
    ] ** 2 * kl
    return per_sample.mean(-1)


def _sharpness(
    K: Any, s: Any, t: Any, soft_ratio: Any, temperature: Any, iterations: int, seed: int
) -> Any:
    """λ_max((1/n)·Θ·H(s)) per row by power iteration (ΘH is similar to H^½ΘH^½ ⪰ 0)."""
    import torch

    n = K.shape[0]
    p = torch.softmax(s, dim=-1)
    q = torch.softmax(s / temperature, dim=-1)
    generator = torch.Generator(device="cpu").manual_seed(seed)
    v = torch.randn(s.shape, generator=generator, dtype=s.dtype).to(s.device)

    def hessian(v: Any) -> Any:
        hard = p * v - p * (p * v).sum(-1, keepdim=True)
        soft = q * v - q * (q * v).sum(-1, keepdim=True)
        return (1.0 - soft_ratio) * hard + soft_ratio * soft

    def operator(v: Any) -> Any:
        hv = hessian(v)
        B, _, C = hv.shape
        return (K @ hv.permute(1, 0, 2).reshape(n, B * C)).reshape(n, B, C).permute(1, 0, 2) / n

    value = torch.zeros(s.shape[0], dtype=s.dtype, device=s.device)
    for _ in range(iterations):
        w = operator(v)
        norm = w.flatten(1).norm(dim=1).clamp_min(1e-30)
        value = (w * v).flatten(1).sum(1) / v.flatten(1).pow(2).sum(1).clamp_min(1e-30)
        v = w / norm[:, None, None]
    return value


def linearized_kd_gd(
    K_train: NDArray[np.float64],
    K_test: NDArray[np.float64],
    f0_train: NDArray[np.float64],
    f0_test: NDArray[np.float64],
    teacher_train: NDArray[np.float64],
    teacher_index: Sequence[int],
    labels: NDArray[np.int64],
    test_labels: NDArray[np.int64],
    *,
    soft_ratio: Sequence[float],
    temperature: Sequence[float],
    lr: float,
    steps: int,
    device: str = "cpu",
    power_iterations: int = 30,
    progress: Callable[[int], None] | None = None,
) -> LinearizedRun:
    r"""Run function-space GD of the linearised student for every row (teacher, ρ, T) at once.

    Args:
      K_train: ``(n, n)`` NTK Gram on the training (kernel) points.
      K_test: ``(m, n)`` NTK between test and training points.
      f0_train, f0_test: ``(n, C)`` and ``(m, C)`` the student's logits at initialisation.
      teacher_train: ``(n_teachers, n, C)`` teacher logits on the training points.
      teacher_index: ``(B,)`` which teacher each row uses.
      labels, test_labels: ``(n,)`` and ``(m,)`` integer labels.
      soft_ratio, temperature: ``(B,)`` ρ ∈ [0, 1] and T > 0 of each row.
      lr: η > 0, the step of full-batch GD on the mean loss (as in :func:`distillab.train.fit`).
      steps: the budget of GD steps.
      device: torch device for the products.
      power_iterations: iterations of the sharpness estimate.
      progress: called with the number of steps done since the last call.

    Returns:
      A :class:`LinearizedRun`.

    Example:
      >>> K = np.eye(2); y = np.array([0, 1]); z = np.zeros((2, 2))
      >>> run = linearized_kd_gd(K, K, z, z, z[None], [0], y, y, soft_ratio=[0.0],
      ...                        temperature=[1.0], lr=1.0, steps=10)
      >>> run.test_error[-1].tolist()
      [0.0]
    """
    import torch

    rows = len(soft_ratio)
    if rows == 0 or len(temperature) != rows or len(teacher_index) != rows:
        raise ConfigError("soft_ratio, temperature and teacher_index need one entry per row.")
    if not (math.isfinite(lr) and lr > 0):
        raise ConfigError(f"--lr must be a positive finite number, got {lr!r}.")
    checkpoints = checkpoint_steps(steps)
    dtype = torch.float32
    to = {"dtype": dtype, "device": device}
    K = torch.as_tensor(K_train, **to)
    Kt = torch.as_tensor(K_test, **to)
    n, C = f0_train.shape
    onehot = torch.nn.functional.one_hot(torch.as_tensor(labels), C).to(**to)[None]
    y = torch.as_tensor(labels, device=device)[None]
    y_test = torch.as_tensor(test_labels, device=device)[None]
    t = torch.as_tensor(teacher_train, **to)[torch.as_tensor(list(teacher_index))]
    rho = torch.as_tensor(list(soft_ratio), **to)[:, None, None]
    T = torch.as_tensor(list(temperature), **to)[:, None, None]
    F0 = torch.as_tensor(f0_train, **to)[None].expand(rows, n, C)
    F0_test = torch.as_tensor(f0_test, **to)[None]
    F = F0.clone()
    total = torch.zeros_like(F)
    scale = lr / n

    def apply(kernel: Any, G: Any) -> Any:
        out = kernel @ G.permute(1, 0, 2).reshape(n, rows * C)
        return out.reshape(kernel.shape[0], rows, C).permute(1, 0, 2)

    initial_loss = _kd_loss_rows(F, t, y, rho, T)
    sharp_init = _sharpness(K, F, t, rho, T, power_iterations, 0)
    test_err, train_err, losses = [], [], []
    done = 0
    with torch.no_grad():
        for step in range(1, steps + 1):
            G = kd_logit_gradient(F, t, onehot, rho, T)
            total += G
            F = F - scale * apply(K, G)
            if step in checkpoints:
                test_logits = F0_test - scale * apply(Kt, total)
                test_err.append((test_logits.argmax(-1) != y_test).double().mean(-1))
                train_err.append((F.argmax(-1) != y).double().mean(-1))
                losses.append(_kd_loss_rows(F, t, y, rho, T).double())
                if progress is not None:
                    progress(step - done)
                    done = step
    loss = torch.stack(losses).cpu().numpy()
    finite = np.isfinite(loss).all(axis=0) & torch.isfinite(F).flatten(1).all(1).cpu().numpy()
    diverged = ~finite | (np.nan_to_num(loss[-1], nan=np.inf) > initial_loss.cpu().numpy())
    clean = torch.nan_to_num(F, nan=0.0, posinf=0.0, neginf=0.0)
    sharp_final = _sharpness(K, clean, t, rho, T, power_iterations, 1)
    total_clean = torch.nan_to_num(total, nan=0.0, posinf=0.0, neginf=0.0)
    path = scale * (total_clean * apply(K, total_clean)).flatten(1).sum(1).clamp_min(0).sqrt()
    return LinearizedRun(
        steps=checkpoints,
        test_error=torch.stack(test_err).cpu().numpy(),
        train_error=torch.stack(train_err).cpu().numpy(),
        train_loss=np.where(np.isfinite(loss), loss, np.nan),
        test_logits=test_logits.double().cpu().numpy(),
        accumulated_gradient=total.double().cpu().numpy(),
        sharpness_init=sharp_init.double().cpu().numpy(),
        sharpness_final=sharp_final.double().cpu().numpy(),
        path_length=path.double().cpu().numpy(),
        diverged=diverged,
    )

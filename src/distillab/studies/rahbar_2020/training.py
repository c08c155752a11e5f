r"""Full-batch gradient descent of a wide ``TwoLayerNet`` on the privileged-information objectives.

The student is Arora et al.'s network (``trained="first"``: fixed ±1 output weights a, only W
trained). Objectives are the spec's SUMS (spec §2.4), optionally divided by (1+λ) (mixture form):

  KT-A: Φ_λ = ½‖u − y‖² + (λ/2)‖u − z‖²,  ∇_{w_r}Φ_λ = m^{-1/2} Σ_i Σ_c a_rc ρ_ic 1{w_rᵀx_i > 0} x_i
        with residual ρ = (1+λ)u − y − λz (pure KD, λ = ∞ with the mixture form: ρ = u − z);
  KT-B: Ψ_λ = ½‖u − y‖² + (λ/2)‖W − W_T‖², gradient Jᵀ(u − y) + λ(W − W_T).

The gradient is written in closed form (two matrix products per step, ≈3× faster than autograd at
m = 16384); ``tests/studies/test_rahbar_2020.py`` checks that it reproduces
``fit(net, pi_objective(pi_weight=λ), lr=n·η)`` — GD with step η on the sum is GD with step n·η
on ``pi_loss``, which is a mean.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import torch
from numpy.typing import NDArray

from distillab.errors import ConfigError
from distillab.nn import TwoLayerNet
from distillab.theory.kernel_kd import Normalization, PIObjective

__all__ = ["GDRun", "train_student"]

_BLOWUP = 1e10


@dataclass(frozen=True)
class GDRun:
    """What one gradient-descent run recorded.

    Attributes:
      steps: ``(K,)`` recorded step counts k (state after k updates).
      train: ``(K, n)`` or ``(K, n, C)`` outputs u(k) on the training inputs.
      test: ``(K, n_test[, C])`` outputs on the test inputs (empty if none were given).
      weight_distance: ``(K,)`` ‖W(k) − W(0)‖_F.
      max_unit_movement: ``(K,)`` max_r ‖w_r(k) − w_r(0)‖.
      distance_to_target: ``(k_last + 1,)`` ‖u(k) − target‖ at every step run (empty without a
        target).
      status: ``"ok"``, ``"diverged"`` (objective non-finite or 1e10 × its start) or ``"reached"``
        (stopped once ``distance_to_target ≤ stop_below``).
      last_step: the number of updates made.
    """

    steps: NDArray[np.int64]
    train: NDArray[np.float64]
    test: NDArray[np.float64]
    weight_distance: NDArray[np.float64]
    max_unit_movement: NDArray[np.float64]
    distance_to_target: NDArray[np.float64]
    status: Literal["ok", "diverged", "reached"]
    last_step: int


def train_student(
    net: TwoLayerNet,
    X: NDArray[np.float64],
    y: NDArray[np.float64],
    z: NDArray[np.float64],
    *,
    lr: float,
    steps: int,
    pi_weight: float = 0.0,
    objective: PIObjective = "output",
    normalization: Normalization = "sum",
    teacher_weights: torch.Tensor | None = None,
    record_steps: Iterable[int] | None = None,
    X_test: NDArray[np.float64] | None = None,
    target: NDArray[np.float64] | None = None,
    stop_below: float | None = None,
) -> GDRun:
    r"""Train ``net`` in place by GD with step η = ``lr`` on the sum objective (module docstring).

    Args:
      net: a ``TwoLayerNet`` with ``trained="first"``; its W is updated in place.
      X: ``(n, d)`` inputs; y, z: ``(n,)`` or ``(n, C)`` labels and teacher outputs.
      lr: η > 0 (sum form; the mixture form divides the gradient by 1+λ).
      steps: maximum number of updates.
      pi_weight: λ ≥ 0 (``math.inf``: pure KD, only with ``"output"`` and ``"mixture"``).
      objective: ``"output"`` (KT-A) or ``"rkhs"`` (KT-B, needs ``teacher_weights`` W_T).
      normalization: ``"sum"`` or ``"mixture"``.
      record_steps: steps at which outputs and movement are recorded (default: 0 and ``steps``).
      X_test: ``(n_test, d)`` inputs whose outputs are recorded too.
      target: vector whose distance ‖u(k) − target‖ is tracked at every step (e.g. u*).
      stop_below: stop as soon as that distance is ≤ this value (steps to ε).

    Returns:
      :class:`GDRun`.

    Reference: Rahbar et al. arXiv:2003.13438, spec §2.2–§2.5 ([R]); Arora et al. 2019, §3.
    """
    if net.trained != "first":
        raise ConfigError("the kernel-regime student trains W only: use trained='first'.")
    lam = float(pi_weight)
    if math.isinf(lam) and (objective, normalization) != ("output", "mixture"):
        raise ConfigError("pi_weight = inf (pure KD) needs objective='output', 'mixture'.")
    if objective == "rkhs" and teacher_weights is None:
        raise ConfigError("the KT-B objective needs the teacher's weights W_T.")
    if stop_below is not None and target is None:
        raise ConfigError("stop_below needs a target.")
    scale = 1.0 if normalization == "sum" or math.isinf(lam) else 1.0 / (1.0 + lam)
    dtype = net.W.dtype
    x = torch.tensor(np.asarray(X), dtype=dtype)
    x_test = None if X_test is None else torch.tensor(np.asarray(X_test), dtype=dtype)
    vector = np.ndim(y) == 1
    labels = torch.tensor(np.asarray(y).reshape(len(X), -1), dtype=dtype)
    soft = torch.tensor(np.asarray(z).reshape(len(X), -1), dtype=dtype)
    goal = (
        None
        if target is None
        else torch.tensor(np.asarray(target).reshape(len(X), -1), dtype=dtype)
    )
    a = net.a.detach().to(dtype)
    root_m = math.sqrt(net.width)
    W0 = net.W.detach().clone()
    W = W0.clone()
    W_T = None if teacher_weights is None else teacher_weights.detach().to(dtype)
    wanted = {0, steps} if record_steps is None else {int(k) for k in record_steps}
    records: dict[str, list[NDArray[np.float64]]] = {
        k: [] for k in ("steps", "train", "test", "distance", "max")
    }
    distances: list[float] = []
    status: Literal["ok", "diverged", "reached"] = "ok"
    start_value = None
    step = 0
    with torch.no_grad():
        while True:
            pre = W @ x.T
            u = torch.relu(pre).T @ a / root_m
            if objective == "output":
                if math.isinf(lam):
                    residual = u - soft
                    value = 0.5 * float((residual**2).sum())
                else:
                    residual = (1.0 + lam) * u - labels - lam * soft
                    value = 0.5 * float(((u - labels) ** 2).sum() + lam * ((u - soft) ** 2).sum())
            else:
                residual = u - labels
                value = 0.5 * float((residual**2).sum() + lam * ((W - W_T) ** 2).sum())
            start_value = value if start_value is None else start_value
            if goal is not None:
                distances.append(float(torch.linalg.norm(u - goal)))
            reached = stop_below is not None and distances[-1] <= stop_below
            done = step == steps or reached
            if step in wanted or done:
                moved = torch.linalg.norm(W - W0, dim=1)
                records["steps"].append(step)
                records["train"].append(u.numpy().copy())
                if x_test is not None:
                    records["test"].append((torch.relu(W @ x_test.T).T @ a / root_m).numpy())
                records["distance"].append(float(torch.linalg.norm(moved)))
                records["max"].append(float(moved.max()))
            if not math.isfinite(value) or value > _BLOWUP * max(start_value, 1e-12):
                status = "diverged"
                break
            if done:
                status = "reached" if reached else "ok"
                break
            coefficient = (pre > 0).to(dtype) * (a @ residual.T)
            gradient = coefficient @ x / root_m
            if objective == "rkhs":
                gradient = gradient + lam * (W - W_T)
            W -= lr * scale * gradient
            step += 1
        net.first.weight.copy_(W)
    train = np.stack(records["train"])
    test = np.stack(records["test"]) if records["test"] else np.empty((0,))
    if vector:
        train = train[..., 0]
        test = test[..., 0] if test.ndim == 3 else test
    return GDRun(
        steps=np.asarray(records["steps"], dtype=np.int64),
        train=train,
        test=test,
        weight_distance=np.asarray(records["distance"]),
        max_unit_movement=np.asarray(records["max"]),
        distance_to_target=np.asarray(distances),
        status=status,
        last_step=step,
    )

r"""Wide two-layer networks trained by gradient descent in the kernel (lazy) regime.

One concept, several objectives — every trainer takes arrays and a seed (or a seeded
:class:`~distillab.nn.TwoLayerNet`) and returns what the run recorded:

* :func:`pi_gradient_descent` — Rahbar et al.'s student (``trained="first"``: fixed ±1 output
  weights a, only W trained) on the privileged-information objectives, written as the model's SUMS
  (model §2.4), optionally divided by (1+λ) (mixture form):

    KT-A: Φ_λ = ½‖u − y‖² + (λ/2)‖u − z‖²,
          ∇_{w_r}Φ_λ = m^{-1/2} Σ_i Σ_c a_rc ρ_ic 1{w_rᵀx_i > 0} x_i with residual
          ρ = (1+λ)u − y − λz (pure KD, λ = ∞ with the mixture form: ρ = u − z);
    KT-B: Ψ_λ = ½‖u − y‖² + (λ/2)‖W − W_T‖², gradient Jᵀ(u − y) + λ(W − W_T).

  The gradient is written in closed form (two matrix products per step, ≈3× faster than autograd
  at m = 16384); the tests check that it reproduces ``fit(net, pi_objective(pi_weight=λ),
  lr=n·η)`` — GD with step η on the sum is GD with step n·η on ``pi_loss``, which is a mean.
* :func:`kd_network_gd` — ``TwoLayerNet(trained="both", antisymmetric=True)`` on the mean binary
  KD loss (Ji & Zhu's finite-width student, whose m → ∞ limit is
  :func:`distillab.train.kernel_gd.kernel_gradient_descent`).
* :func:`network_teacher_logits` — the same network trained on hard labels by cross-entropy, used
  as a deliberately imperfect teacher.
* :func:`ridge_network` — an antisymmetric network fitted to targets by GD on the ridge objective
  (1/n)[½‖f_W(X) − target‖² + (λ/2)‖W − W(0)‖²], whose kernel-regime limit is kernel ridge
  regression with the NTK H^∞ (self-distillation rounds).

Example::

    >>> import numpy as np, torch
    >>> from distillab.nn import TwoLayerNet
    >>> from distillab.train.wide_net import pi_gradient_descent
    >>> X = np.eye(3)
    >>> net = TwoLayerNet(3, 512, seed=0, dtype=torch.float64)
    >>> run = pi_gradient_descent(net, X, np.ones(3), np.zeros(3), lr=1.0, steps=200)
    >>> run.status, bool(np.abs(run.train[-1] - 1).max() < 1e-3)
    ('ok', True)

Reference: Rahbar et al. arXiv:2003.13438, model §2.2–§2.5 ([R]); Arora et al. 2019, §3; Ji & Zhu,
arXiv:2010.10090; Lee et al., arXiv:1902.06720; Du et al. 2019 (the lazy regime).
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
from distillab.train.cache import TeacherCache
from distillab.train.fit import fit
from distillab.train.objectives import cross_entropy_objective, kd_objective, ridge_objective

__all__ = [
    "KDNetworkRun",
    "PIRun",
    "kd_network_gd",
    "network_teacher_logits",
    "pi_gradient_descent",
    "ridge_network",
]

_BLOWUP = 1e10


@dataclass(frozen=True)
class PIRun:
    """What one run of :func:`pi_gradient_descent` recorded.

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


def pi_gradient_descent(
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
) -> PIRun:
    r"""Train a wide ``net`` in place by GD with step η = ``lr`` on a privileged-information sum.

    The objectives (KT-A, KT-B), their closed-form gradients and the equivalence with
    :func:`distillab.train.fit` are in the module docstring.

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
      :class:`PIRun`.

    Reference: Rahbar et al. arXiv:2003.13438, model §2.2–§2.5 ([R]); Arora et al. 2019, §3.
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
    return PIRun(
        steps=np.asarray(records["steps"], dtype=np.int64),
        train=train,
        test=test,
        weight_distance=np.asarray(records["distance"]),
        max_unit_movement=np.asarray(records["max"]),
        distance_to_target=np.asarray(distances),
        status=status,
        last_step=step,
    )


@dataclass(frozen=True)
class KDNetworkRun:
    """A finite-width KD student trained by :func:`kd_network_gd`.

    Attributes:
      status: ``"ok"`` or ``"diverged"``.
      train_logits: ``(n,)`` logits on the training inputs after training.
      test_logits: ``(n_test,)`` logits on the test inputs after training.
      relative_weight_change: ‖W − W₀‖_F/‖W₀‖_F of the first layer.
    """

    status: str
    train_logits: NDArray[np.float64]
    test_logits: NDArray[np.float64]
    relative_weight_change: float


def kd_network_gd(
    X: NDArray[np.float64],
    teacher_logits: NDArray[np.float64],
    labels: NDArray[np.float64],
    X_test: NDArray[np.float64],
    *,
    soft_ratio: float,
    temperature: float,
    width: int,
    steps: int,
    lr: float,
    momentum: float,
    seed: int,
    dtype: torch.dtype = torch.float32,
) -> KDNetworkRun:
    r"""Train ``TwoLayerNet(trained="both", antisymmetric=True)`` with ``kd_loss`` (mixed-target).

    Full-batch heavy-ball GD (step η = ``lr``, momentum μ) on the mean loss
    CE(σ(z_s/T), ρσ(z_t/T) + (1−ρ)y) over the ``(n, d)`` inputs ``X`` with ``(n,)`` teacher logits
    z_t and 0/1 labels; logits are recorded on ``X`` and on the ``(n_test, d)`` inputs ``X_test``.
    float32 by default (logits are O(10); float32 keeps them to 1e−6 relative at a third of the
    cost of float64).

    Reference: Ji & Zhu, arXiv:2010.10090 (model E6, finite-width training).
    """
    net = TwoLayerNet(X.shape[1], width, trained="both", antisymmetric=True, seed=seed, dtype=dtype)
    start = net.W.detach().clone()
    train = {
        "x": torch.as_tensor(X, dtype=dtype),
        "y": torch.as_tensor(labels, dtype=dtype),
        "teacher_logits": torch.as_tensor(teacher_logits, dtype=dtype),
    }
    trajectory = fit(
        net,
        kd_objective(soft_ratio=soft_ratio, temperature=temperature, variant="mixed-target"),
        train,
        steps=steps,
        lr=lr,
        momentum=momentum,
        evaluate={"test": torch.as_tensor(X_test, dtype=dtype)},
    )
    change = float(torch.linalg.norm(net.W.detach() - start) / torch.linalg.norm(start))
    return KDNetworkRun(
        trajectory.status,
        trajectory.outputs["train"][-1],
        trajectory.outputs["test"][-1],
        change if math.isfinite(change) else float("nan"),
    )


def network_teacher_logits(
    X_train: NDArray[np.float64],
    labels: NDArray[np.float64],
    X: NDArray[np.float64],
    *,
    width: int,
    steps: int,
    lr: float,
    seed: int,
) -> NDArray[np.float64]:
    r"""Logits on ``X`` of a ``TwoLayerNet(trained="both", antisymmetric=True)`` teacher.

    Trained by full-batch GD (step ``lr``) on the mean binary cross-entropy of 0/1 ``labels``
    over the ``(n, d)`` inputs ``X_train``, float64; its outputs go through the
    :class:`~distillab.train.TeacherCache`.

    Returns:
      ``(len(X),)`` teacher logits z_t.

    Raises:
      ConfigError: if the teacher's training diverged (``lr`` too large).
    """
    net = TwoLayerNet(
        X_train.shape[1],
        width,
        trained="both",
        antisymmetric=True,
        seed=seed,
        dtype=torch.float64,
    )
    train = {"x": torch.as_tensor(X_train), "y": torch.as_tensor(labels)}
    trajectory = fit(net, cross_entropy_objective(), train, steps=steps, lr=lr)
    if trajectory.status != "ok":
        raise ConfigError(f"the teacher's training diverged at step {trajectory.diverged_at}.")
    return TeacherCache().outputs(net, torch.as_tensor(X))["logits"]


def ridge_network(
    X: NDArray[np.float64],
    targets: NDArray[np.float64],
    *,
    width: int,
    ridge: float,
    steps: int,
    lr: float,
    seed: int,
) -> tuple[TwoLayerNet, str]:
    r"""A fresh antisymmetric width-m network trained by full-batch GD on the ridge objective.

    Objective (1/n)[½‖f_W(X) − target‖² + (λ/2)‖W − W(0)‖²] over the ``(n, d)`` inputs ``X`` and
    ``(n,)`` targets, λ = ``ridge``, float64, ``steps`` updates of step ``lr``. In the kernel
    regime the trained network is the kernel ridge fit H^∞(H^∞ + λI)⁻¹·target (its finite-width
    deviation is O(m^{-1/2})).

    Returns:
      The trained network and the run's status (``"ok"`` or ``"diverged"``).
    """
    n, d = X.shape
    net = TwoLayerNet(d, width, antisymmetric=True, seed=seed, dtype=torch.float64)
    start = net.W.detach().clone()
    train = {"x": torch.as_tensor(X), "y": torch.as_tensor(targets)}
    trajectory = fit(net, ridge_objective(start, ridge, n), train, steps=steps, lr=lr)
    return net, trajectory.status

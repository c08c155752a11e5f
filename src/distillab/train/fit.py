"""Gradient-descent training with trajectory recording and a divergence guard."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import torch
from numpy.typing import NDArray

from distillab.errors import ConfigError

__all__ = ["Batch", "Objective", "Trajectory", "fit"]

Batch = Mapping[str, torch.Tensor]
Objective = Callable[[torch.nn.Module, Batch], torch.Tensor]


@dataclass(frozen=True)
class Trajectory:
    """What :func:`fit` saw along the way, at the recorded steps.

    Attributes:
      steps: ``(K,)`` step indices k (the state after k parameter updates; 0 = initialisation).
      loss: ``(K,)`` the objective on the whole training set at those steps.
      outputs: name → ``(K, n, …)`` model outputs: ``"train"`` on the training inputs and one entry
        per ``evaluate`` set.
      metrics: name → ``(K,)`` values returned by the ``record`` callback.
      status: ``"ok"``, or ``"diverged"`` when the loss became non-finite or exceeded
        ``max_loss_ratio`` times its initial value (training stops there).
      diverged_at: the step at which divergence was detected, else ``None``.
    """

    steps: NDArray[np.int64]
    loss: NDArray[np.float64]
    outputs: dict[str, NDArray[np.float64]] = field(default_factory=dict)
    metrics: dict[str, NDArray[np.float64]] = field(default_factory=dict)
    status: Literal["ok", "diverged"] = "ok"
    diverged_at: int | None = None


def _check_train(train: Batch, input_key: str) -> int:
    if input_key not in train:
        raise ConfigError(f"the training data has no {input_key!r} entry (keys: {sorted(train)}).")
    sizes = {key: value.shape[0] for key, value in train.items()}
    if len(set(sizes.values())) != 1:
        raise ConfigError(f"all training tensors must share their first dimension, got {sizes}.")
    return sizes[input_key]


def _full_batch_loss(model: torch.nn.Module, objective: Objective, train: Batch) -> float:
    with torch.no_grad():
        return float(objective(model, train))


def fit(
    model: torch.nn.Module,
    objective: Objective,
    train: Batch,
    *,
    steps: int,
    lr: float,
    batch_size: int | None = None,
    momentum: float = 0.0,
    weight_decay: float = 0.0,
    record_steps: Iterable[int] | None = None,
    evaluate: Mapping[str, torch.Tensor] | None = None,
    record: Callable[[torch.nn.Module], Mapping[str, float]] | None = None,
    input_key: str = "x",
    seed: int = 0,
    max_loss_ratio: float = 1e10,
) -> Trajectory:
    r"""Train ``model`` in place by (stochastic) gradient descent on ``objective``.

    Update: θ_{k+1} = θ_k − η ∇_θ L(θ_k; B_k), with B_k the whole training set (full-batch GD,
    ``batch_size=None``) or the k-th minibatch of a per-epoch random permutation drawn from a
    generator seeded by ``seed`` (SGD). Momentum and weight decay are those of
    ``torch.optim.SGD``. On the CPU, equal seeds and thread counts give bit-identical runs.

    Args:
      model: the network to train.
      objective: ``objective(model, batch) -> scalar``; a batch is ``train`` indexed by samples.
        See :mod:`distillab.train.objectives` for the KD, PI and supervised objectives.
      train: name → tensor, all with the same first dimension n (e.g. ``{"x", "y", "z"}``).
      steps: number of parameter updates.
      lr: step size η > 0.
      batch_size: minibatch size, or ``None`` for full-batch gradient descent.
      momentum, weight_decay: passed to ``torch.optim.SGD``.
      record_steps: steps k ∈ [0, steps] at which to record (default: 0 and ``steps``).
      evaluate: name → ``(n_eval, d)`` inputs whose outputs are recorded too.
      record: ``record(model) -> {name: float}`` for custom metrics at each recorded step.
      input_key: the entry of ``train`` holding the inputs.
      seed: seeds the minibatch order.
      max_loss_ratio: the run counts as diverged once the batch loss exceeds this multiple of the
        initial full-batch loss (or becomes NaN/inf).

    Returns:
      A :class:`Trajectory`.
    """
    if steps < 0:
        raise ConfigError(f"steps must be non-negative, got {steps}.")
    if not (math.isfinite(lr) and lr > 0):
        raise ConfigError(f"lr must be a positive finite number, got {lr!r}.")
    n = _check_train(train, input_key)
    if batch_size is not None and not 1 <= batch_size <= n:
        raise ConfigError(f"batch_size must lie in [1, {n}], got {batch_size}.")
    wanted = sorted({0, steps} if record_steps is None else {int(k) for k in record_steps})
    if wanted and (wanted[0] < 0 or wanted[-1] > steps):
        raise ConfigError(f"record_steps must lie in [0, {steps}], got {wanted[0]}…{wanted[-1]}.")
    evaluate = dict(evaluate or {})

    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.SGD(params, lr=lr, momentum=momentum, weight_decay=weight_decay)
    order_generator = torch.Generator().manual_seed(int(seed))

    recorded_steps: list[int] = []
    losses: list[float] = []
    outputs: dict[str, list[NDArray[np.float64]]] = {"train": [], **{k: [] for k in evaluate}}
    metrics: dict[str, list[float]] = {}

    def snapshot(step: int, loss: float) -> None:
        recorded_steps.append(step)
        losses.append(loss)
        with torch.no_grad():
            outputs["train"].append(model(train[input_key]).double().cpu().numpy())
            for name, inputs in evaluate.items():
                outputs[name].append(model(inputs).double().cpu().numpy())
            for name, value in (record(model) if record else {}).items():
                metrics.setdefault(name, []).append(float(value))

    initial_loss = _full_batch_loss(model, objective, train)
    blowup = max_loss_ratio * max(abs(initial_loss), 1e-12)
    status: Literal["ok", "diverged"] = "ok"
    diverged_at: int | None = None
    wanted_set = set(wanted)
    permutation = torch.arange(n)
    cursor = n
    for step in range(steps + 1):
        if step in wanted_set:
            loss_now = initial_loss if step == 0 else _full_batch_loss(model, objective, train)
            snapshot(step, loss_now)
        if step == steps:
            break
        if batch_size is None:
            batch = train
        else:
            if cursor >= n:
                permutation = torch.randperm(n, generator=order_generator)
                cursor = 0
            index = permutation[cursor : cursor + batch_size]
            cursor += batch_size
            # The last batch of an epoch may be smaller than batch_size.
            batch = {key: value[index] for key, value in train.items()}
        optimizer.zero_grad(set_to_none=True)
        loss = objective(model, batch)
        loss_value = float(loss.detach())
        if not math.isfinite(loss_value) or loss_value > blowup:
            status, diverged_at = "diverged", step
            break
        loss.backward()
        optimizer.step()

    return Trajectory(
        steps=np.asarray(recorded_steps, dtype=np.int64),
        loss=np.asarray(losses, dtype=np.float64),
        outputs={k: np.stack(v) if v else np.empty((0,)) for k, v in outputs.items()},
        metrics={k: np.asarray(v, dtype=np.float64) for k, v in metrics.items()},
        status=status,
        diverged_at=diverged_at,
    )

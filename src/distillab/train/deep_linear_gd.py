r"""Full-batch gradient descent of deep linear networks, B replicates at once (batched numpy).

The simulator of the clean→noisy student–teacher study (Hong, Mao, Lin & Chan, CVPR 2021,
arXiv:2103.07600; ``docs/models/hong-2021.md`` §2): a deep linear network W_L ⋯ W_1 trained on the
base loss L_0 or the student–teacher loss L_λ of :mod:`distillab.theory.deep_linear_kd` (sum
forms, the conventions of that module: sample-major arrays, a leading B axis of independent
replicates). The test risk along the trajectory is the exact R(W) of
:func:`distillab.theory.deep_linear_kd.linear_risk`.

Example::

    >>> import numpy as np
    >>> from distillab.train.deep_linear_gd import deep_linear_gd, small_initialisation
    >>> rng = np.random.default_rng(0)
    >>> x, a = rng.standard_normal((1, 20, 3)), np.eye(3)
    >>> run = deep_linear_gd(
    ...     x, x @ a.T, widths=(3, 4, 3), target_map=a, input_noise=0.0, steps=500, lr=0.1,
    ...     initial_weights=small_initialisation((3, 4, 3), 1, init_scale=0.1, seed=0),
    ... )
    >>> bool(run.final_error[0] < 1e-3 * run.test_error[0, 0])
    True

Reference: Hong et al. model §2 [D]; Saxe et al., arXiv:1312.6120 (deep linear dynamics).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from distillab.errors import ConfigError
from distillab.theory.deep_linear_kd import linear_risk

__all__ = ["DeepLinearRun", "deep_linear_gd", "small_initialisation"]

Array = NDArray[np.float64]

# A rise of the loss is an oscillation, not rounding, if it exceeds this relative amount and
# the loss is above this fraction of its initial value.
_RISE = 1e-10
_LOSS_FLOOR = 1e-25


def _check_widths(widths: Sequence[int]) -> tuple[int, ...]:
    widths = tuple(int(w) for w in widths)
    if len(widths) < 2 or min(widths) < 1:
        raise ConfigError(f"widths needs at least two positive entries, got {widths}.")
    return widths


def small_initialisation(
    widths: Sequence[int], replicates: int, *, init_scale: float, seed: int
) -> list[Array]:
    r"""Small random initialisation W_l ~ N(0, ε²/m_{l−1}), stacked for B replicates.

    The same law as :class:`distillab.nn.DeepLinearNet` (model §2 dynamics: ε ≈ 1e-2 … 1e-3).

    Returns:
      ``[W_1, …, W_L]`` with W_l of shape ``(B, m_l, m_{l−1})``.
    """
    widths = _check_widths(widths)
    if not (math.isfinite(init_scale) and init_scale >= 0):
        raise ConfigError(f"init_scale must be a non-negative number, got {init_scale!r}.")
    if replicates < 1:
        raise ConfigError(f"replicates must be positive, got {replicates}.")
    rng = np.random.default_rng(seed)
    return [
        rng.standard_normal((replicates, fan_out, fan_in)) * (init_scale / math.sqrt(fan_in))
        for fan_in, fan_out in itertools.pairwise(widths)
    ]


@dataclass(frozen=True)
class DeepLinearRun:
    """The result of :func:`deep_linear_gd` for B replicates trained together.

    Attributes:
      steps: ``(K,)`` recorded steps (state after k updates; 0 = initialisation).
      time: ``(B, K)`` gradient-flow time t = Σ_{j<k} η_j at those steps (η_j after halvings).
      test_error: ``(B, K)`` R(W(k)) at the recorded steps.
      train_loss: ``(B, K)`` the training objective (L_0 or L_λ) at the recorded steps.
      best_error: ``(B,)`` min_k R(W(k)) over *every* step (early stopping with an oracle
        validation set, the model's definition).
      best_step: ``(B,)`` the step attaining it.
      best_map: ``(B, d_y, d)`` the end-to-end map at that step.
      final_error: ``(B,)`` R after the last step.
      final_train_loss: ``(B,)`` the objective after the last step.
      initial_weights, final_weights: ``[W_1, …, W_L]``, each ``(B, m_l, m_{l−1})``.
      diverged_at: ``(B,)`` the step at which a replicate's risk became non-finite or exceeded
        ``max_error_ratio`` times its initial value (its later values are NaN), −1 if it did not.
      halvings: ``(B,)`` how many times the step size was halved because the loss rose.
    """

    steps: NDArray[np.int64]
    time: Array
    test_error: Array
    train_loss: Array
    best_error: Array
    best_step: NDArray[np.int64]
    best_map: Array
    final_error: Array
    final_train_loss: Array
    initial_weights: tuple[Array, ...]
    final_weights: tuple[Array, ...]
    diverged_at: NDArray[np.int64]
    halvings: NDArray[np.int64]

    @property
    def final_map(self) -> Array:
        """``(B, d_y, d)`` the end-to-end map W_L ⋯ W_1 after the last step."""
        return _product(self.final_weights)

    @property
    def ok(self) -> bool:
        """True if no replicate diverged."""
        return bool(np.all(self.diverged_at < 0))


def _product(weights: Sequence[Array]) -> Array:
    product = weights[0]
    for weight in weights[1:]:
        product = weight @ product
    return product


def _training_loss(
    prefixes: Sequence[Array],
    noisy_inputs: Array,
    labels: Array,
    targets: Mapping[int, Array],
    weight: Array,
) -> Array:
    n = noisy_inputs.shape[-2]
    residual = noisy_inputs @ np.swapaxes(prefixes[-1], -1, -2) - labels
    loss = np.sum(residual**2, axis=(-2, -1)) / (2 * n)
    for layer, target in targets.items():
        residual = noisy_inputs @ np.swapaxes(prefixes[layer - 1], -1, -2) - target
        loss = loss + weight * np.sum(residual**2, axis=(-2, -1)) / (2 * n)
    return loss


def deep_linear_gd(
    noisy_inputs: ArrayLike,
    labels: ArrayLike,
    *,
    widths: Sequence[int],
    target_map: ArrayLike,
    input_noise: float,
    steps: int,
    lr: float | ArrayLike,
    initial_weights: Sequence[ArrayLike],
    feature_weight: float | ArrayLike = 0.0,
    teacher_features: Mapping[int, ArrayLike] | None = None,
    record_steps: Sequence[int] | None = None,
    halve_on_increase: bool = True,
    max_error_ratio: float = 1e10,
) -> DeepLinearRun:
    r"""Full-batch GD on the base or student–teacher loss of a deep linear net, B runs at once.

    Update W_k ← W_k − η ∂L_λ/∂W_k with L_λ of :mod:`distillab.theory.deep_linear_kd` (λ = 0:
    base loss). With
    Σ̃ = X̃ᵀX̃/N, C = YᵀX̃/N and K_l = H_lᵀX̃/N (H_l the teacher's clean features at layer l), the
    gradient is ∂L/∂W_k = B_k W_{k−1:1}ᵀ with the back-propagated signal
    B_L = W Σ̃ − C, B_k = W_{k+1}ᵀ B_{k+1} + λ 1[k∈S] (W_{k:1} Σ̃ − K_k): the cost per step is
    independent of N. Every update of W_1 lies in the row space of X̃, which is why base and ST
    training end at the same map when N < d (model T1, see the tests).

    The training loss is evaluated at every step in residual form (accurate down to ~1e-30) and
    the test risk R(W(k)) (Σx = I) is evaluated at every step, so ``best_error`` is the exact
    best-on-trajectory (oracle early stopping); the trajectories are stored at ``record_steps``.

    Args:
      noisy_inputs: X̃, shape ``(B, N, d)`` (fixed noise).
      labels: Y, ``(B, N, d_y)``.
      widths: ``(d, m_1, …, m_{L−1}, d_y)``.
      target_map: A, ``(d_y, d)`` or ``(B, d_y, d)``, for the test risk.
      input_noise: σ, for the test risk.
      steps: number of updates.
      lr: step size η > 0 (on the sum-form loss above, already divided by N), a scalar or one
        per replicate ``(B,)`` (the same η for runs compared step by step).
      initial_weights: ``[W_1(0), …, W_L(0)]``, each ``(B, m_l, m_{l−1})`` (see
        :func:`small_initialisation`; pass the same draw to pair base and ST runs).
      feature_weight: λ ≥ 0, a scalar or one per replicate ``(B,)``.
      teacher_features: matched layer l (1 ≤ l < L) → H_l = V_{l:1} x on the student's *clean*
        training inputs, ``(B, N, m_l)``; ``None`` or empty: base training.
      record_steps: steps in [0, steps] to store (default: 0 and ``steps``).
      halve_on_increase: halve a replicate's η whenever its training loss rises (by more than
        a relative 1e-10, while above 1e-25 of its initial value). Near an interpolating
        solution the weights grow and GD with a fixed η can lock into a period-2 oscillation
        at a non-zero loss (edge of stability); halving keeps the iteration a faithful proxy of
        gradient flow, the object of model §2.
      max_error_ratio: divergence threshold on R(W(k))/R(W(0)).

    Returns:
      A :class:`DeepLinearRun`.

    Reference: Hong et al. model §2 (losses, dynamics) [D]; Saxe et al. arXiv:1312.6120.
    """
    widths = _check_widths(widths)
    x_noisy = np.asarray(noisy_inputs, dtype=np.float64)
    y = np.asarray(labels, dtype=np.float64)
    if x_noisy.ndim != 3 or y.ndim != 3 or x_noisy.shape[:2] != y.shape[:2]:
        raise ConfigError(
            f"noisy_inputs (B, N, d) and labels (B, N, d_y) must share B and N, got "
            f"{x_noisy.shape} and {y.shape}."
        )
    replicates, n, d = x_noisy.shape
    if (d, y.shape[-1]) != (widths[0], widths[-1]):
        raise ConfigError(f"widths {widths} do not match d={d} and d_y={y.shape[-1]}.")
    if steps < 0:
        raise ConfigError(f"steps must be non-negative, got {steps}.")
    depth = len(widths) - 1
    weights = [np.array(w, dtype=np.float64) for w in initial_weights]
    expected = [(replicates, o, i) for i, o in itertools.pairwise(widths)]
    if [w.shape for w in weights] != expected:
        raise ConfigError(
            f"initial_weights shapes {[w.shape for w in weights]} differ from {expected}."
        )
    step_sizes = np.broadcast_to(np.asarray(lr, dtype=np.float64), (replicates,)).copy()
    if not np.all(np.isfinite(step_sizes) & (step_sizes > 0)):
        raise ConfigError(f"lr must be positive and finite, got {lr!r}.")
    weight = np.broadcast_to(np.asarray(feature_weight, dtype=np.float64), (replicates,)).copy()
    if not np.all(np.isfinite(weight) & (weight >= 0)):
        raise ConfigError("feature_weight must be non-negative and finite.")
    targets = {int(k): np.asarray(v, dtype=np.float64) for k, v in (teacher_features or {}).items()}
    for layer, target in targets.items():
        if not 1 <= layer < depth or target.shape != (replicates, n, widths[layer]):
            raise ConfigError(
                f"teacher feature for layer {layer} must be a hidden layer in 1…{depth - 1} with "
                f"shape {(replicates, n, widths[layer])}, got {target.shape}."
            )
    wanted = sorted({0, steps} if record_steps is None else {int(k) for k in record_steps})
    if wanted and (wanted[0] < 0 or wanted[-1] > steps):
        raise ConfigError(f"record_steps must lie in [0, {steps}].")
    target_map = np.asarray(target_map, dtype=np.float64)

    x_t = np.swapaxes(x_noisy, -1, -2)
    gram = x_t @ x_noisy / n
    label_cross = np.swapaxes(y, -1, -2) @ x_noisy / n
    feature_cross = {k: np.swapaxes(h, -1, -2) @ x_noisy / n for k, h in targets.items()}
    lam = weight[:, None, None]

    initial = tuple(w.copy() for w in weights)
    alive = np.ones(replicates, dtype=bool)
    diverged_at = np.full(replicates, -1, dtype=np.int64)
    halvings = np.zeros(replicates, dtype=np.int64)
    best_error = np.full(replicates, np.inf)
    best_step = np.zeros(replicates, dtype=np.int64)
    best_map = np.zeros((replicates, widths[-1], d))
    elapsed = np.zeros(replicates)
    recorded: dict[str, list[Array]] = {"error": [], "loss": [], "time": []}
    wanted_set = set(wanted)
    start_error = previous_loss = floor = None
    for step in range(steps + 1):
        prefixes = [weights[0]]
        for w in weights[1:]:
            prefixes.append(w @ prefixes[-1])
        error = linear_risk(prefixes[-1], target_map, input_noise=input_noise)
        loss = _training_loss(prefixes, x_noisy, y, targets, weight)
        if start_error is None:
            start_error = np.maximum(error, 1e-300)
            floor = _LOSS_FLOOR * np.maximum(loss, 1e-300)
        blown = alive & ~(np.isfinite(error) & (error <= max_error_ratio * start_error))
        if blown.any():
            diverged_at[blown] = step
            alive &= ~blown
            for w, w0 in zip(weights, initial, strict=True):
                w[blown] = w0[blown]
        error = np.where(alive, error, np.nan)
        loss = np.where(alive, loss, np.nan)
        if previous_loss is not None and halve_on_increase:
            # GD past the edge of stability oscillates instead of converging: halve η there.
            rose = alive & (loss > previous_loss * (1 + _RISE)) & (previous_loss > floor)
            step_sizes = np.where(rose, step_sizes / 2, step_sizes)
            halvings += rose
        previous_loss = loss
        improved = alive & (error < best_error)
        best_error = np.where(improved, error, best_error)
        best_step = np.where(improved, step, best_step)
        best_map[improved] = prefixes[-1][improved]
        if step in wanted_set:
            recorded["error"].append(error)
            recorded["loss"].append(loss)
            recorded["time"].append(elapsed.copy())
        if step == steps:
            break
        signal = prefixes[-1] @ gram - label_cross
        grads: list[Array] = [signal] * depth
        for k in range(depth, 0, -1):
            if k in feature_cross:
                signal = signal + lam * (prefixes[k - 1] @ gram - feature_cross[k])
            grads[k - 1] = signal @ np.swapaxes(prefixes[k - 2], -1, -2) if k > 1 else signal
            if k > 1:
                signal = np.swapaxes(weights[k - 1], -1, -2) @ signal
        step_size = np.where(alive, step_sizes, 0.0)
        elapsed += step_size
        for w, g in zip(weights, grads, strict=True):
            w -= step_size[:, None, None] * g
    return DeepLinearRun(
        steps=np.asarray(wanted, dtype=np.int64),
        time=np.stack(recorded["time"], axis=1),
        test_error=np.stack(recorded["error"], axis=1),
        train_loss=np.stack(recorded["loss"], axis=1),
        best_error=np.where(alive, best_error, np.nan),
        best_step=best_step,
        best_map=best_map,
        final_error=error,
        final_train_loss=loss,
        initial_weights=initial,
        final_weights=tuple(weights),
        diverged_at=diverged_at,
        halvings=halvings,
    )

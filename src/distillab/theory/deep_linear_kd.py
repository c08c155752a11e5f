r"""Feature-based student–teacher learning from clean to noisy inputs in deep linear networks.

Engine for Hong, Mao, Lin & Chan, "Student-Teacher Learning from Clean Inputs to Noisy Inputs",
CVPR 2021, arXiv:2103.07600, as formalised in the spec ``hong_clean_noisy.md``.

Provenance (the spec's labels). Only the paper's abstract and introduction were available. The
paper **states** [S] that feature-based student–teacher (ST) learning from a clean-input teacher to
a noisy-input student is analysed with deep linear networks, and that three factors decide whether
it helps: training to zero loss (which removes the benefit), the teacher's knowledge, and how the
teacher spreads that knowledge over its hidden features. **Every formula in this module is our
derivation** [D] (spec §2–3), checked numerically by the tests; none is the paper's theorem.

Conventions. Arrays are sample-major: inputs ``(…, n, d)``, labels ``(…, n, d_y)``; a linear map
is ``(d_y, d)`` and predicts ``x @ W.T``; a leading ``B`` axis stacks independent replicates
(seeds, teachers, feature weights) that are trained together by batched matrix products.
Clean x ~ N(0, Σx) (Σx = I unless given), noisy x̃ = x + e, e ~ N(0, σ² I), labels
y = A x + ε, ε ~ N(0, τ² I). The student's losses are the spec's sum forms

  L_0(W) = (1/2N) Σ_i ‖W x̃_i − y_i‖²,
  L_λ(W) = L_0(W) + (λ/2N) Σ_i Σ_{l∈S} ‖W_{l:1} x̃_i − V_{l:1} x_i‖²,

so λ (``feature_weight``) relates to the library's :func:`distillab.losses.feature_loss`
(mean over samples *and* units) by λ_mse = λ·m_l/2 per matched layer of width m_l
(:func:`mse_feature_weight`).

Statements checked by the tests (spec §3, all [D]):

- T1 (N < d): every update of W_1 lies in the row space of X̃, so a run that reaches zero loss
  ends at W(∞) = Y X̃^+ + W_{L:2}(∞) W_1(0)(I − P): base and ST end at the same map up to O(ε)
  (C1 gives its expected risk). Zero ST loss needs teacher features of rank N.
- T2b (N > d): with teacher features of rank d, ST converges to least squares (C2), whatever
  the teacher.
- T2c (N > d): with features of rank r < d that are inconsistent with the labels and hidden
  width m = r, the converged ST map is a compromise, worse than least squares. With spare hidden
  units (m > r) the infimum of L_λ is least squares again, approached only as ‖W_L‖ → ∞ (our
  finding while testing the spec's statement), so GD drifts towards it slowly.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from distillab.errors import ConfigError

__all__ = [
    "DECOMPOSITIONS",
    "Decomposition",
    "DeepLinearRun",
    "deep_linear_gd",
    "hidden_features",
    "interpolation_risk",
    "least_squares_risk",
    "linear_risk",
    "lmmse_map",
    "lmmse_risk",
    "min_norm_map",
    "min_norm_risk",
    "mse_feature_weight",
    "small_initialisation",
    "teacher_layers",
]

Decomposition = Literal["task", "identity", "random", "task-irrelevant"]
DECOMPOSITIONS: tuple[str, ...] = ("task", "identity", "random", "task-irrelevant")

Array = NDArray[np.float64]

# A rise of the loss is an oscillation, not rounding, if it exceeds this relative amount and
# the loss is above this fraction of its initial value.
_RISE = 1e-10
_LOSS_FLOOR = 1e-25


def _check_noise(name: str, value: float) -> None:
    if not (math.isfinite(value) and value >= 0):
        raise ConfigError(f"{name} must be a non-negative number, got {value!r}.")


def _sqrt_psd(matrix: Array) -> Array:
    values, vectors = np.linalg.eigh(matrix)
    return (vectors * np.sqrt(np.clip(values, 0.0, None))) @ vectors.T


def linear_risk(
    maps: ArrayLike,
    target_map: ArrayLike,
    *,
    input_noise: float,
    input_cov: ArrayLike | None = None,
) -> Array:
    r"""Test risk of linear maps under input noise: R(W) = E‖W x̃ − A x‖².

    R(W) = ‖(W − A) Σx^{1/2}‖_F² + σ² ‖W‖_F² (x̃ = x + e independent of x; the target is the clean
    prediction A x, so label noise does not enter).

    Args:
      maps: W, shape ``(…, d_y, d)``.
      target_map: A, shape ``(d_y, d)`` or broadcastable to ``maps``.
      input_noise: σ ≥ 0.
      input_cov: Σx ``(d, d)`` positive semi-definite (default: I).

    Returns:
      float64 array of shape ``maps.shape[:-2]``.

    Reference: Hong et al. spec §2 (test error) [D].
    """
    _check_noise("input_noise", input_noise)
    maps = np.asarray(maps, dtype=np.float64)
    target_map = np.asarray(target_map, dtype=np.float64)
    difference = maps - target_map
    if input_cov is not None:
        difference = difference @ _sqrt_psd(np.asarray(input_cov, dtype=np.float64))
    return np.sum(difference**2, axis=(-2, -1)) + input_noise**2 * np.sum(maps**2, axis=(-2, -1))


def lmmse_map(
    target_map: ArrayLike, *, input_noise: float, input_cov: ArrayLike | None = None
) -> Array:
    r"""The optimal linear predictor of A x from x̃: W* = A Σx (Σx + σ² I)^{-1}.

    At Σx = I this is W* = A/(1+σ²).

    Reference: Hong et al. spec §2 [D] (standard LMMSE estimation).
    """
    _check_noise("input_noise", input_noise)
    target_map = np.asarray(target_map, dtype=np.float64)
    d = target_map.shape[-1]
    cov = np.eye(d) if input_cov is None else np.asarray(input_cov, dtype=np.float64)
    return np.linalg.solve(cov + input_noise**2 * np.eye(d), cov @ target_map.T).T


def lmmse_risk(
    target_map: ArrayLike, *, input_noise: float, input_cov: ArrayLike | None = None
) -> float:
    r"""The linear Bayes floor R* = R(W*) (= ‖A‖_F² σ²/(1+σ²) at Σx = I).

    Reference: Hong et al. spec §2 [D].
    """
    best = lmmse_map(target_map, input_noise=input_noise, input_cov=input_cov)
    return float(linear_risk(best, target_map, input_noise=input_noise, input_cov=input_cov))


def _check_sizes(n: int, d: int, output_dim: int) -> None:
    if n < 1 or d < 1 or output_dim < 1:
        raise ConfigError(f"n, d and d_y must be positive, got n={n}, d={d}, d_y={output_dim}.")


def interpolation_risk(
    n: int,
    d: int,
    *,
    target_norm2: float,
    input_noise: float,
    label_noise: float,
    output_dim: int,
) -> float:
    r"""C1: expected risk of the min-norm interpolant Y X̃^+ when N < d − 1 (Σx = I).

    R_int = ‖A‖²/(1+σ²) · [(1 − N/d) + σ²(d−1)/(d−N−1)] + τ² d_y N/(d−N−1).

    Derivation [D]: x = c x̃ + r with c = 1/(1+σ²) and r ⟂ x̃, Cov r = σ²/(1+σ²) I; the projection
    onto span(X̃) is isotropic (E P = (N/d) I) and E (X̃ᵀX̃)^{-1} = I/((1+σ²)(d−N−1))
    (inverse Wishart). Diverges as N → d (double-descent peak). Needs only ‖A‖_F², not A.

    Args:
      n: N, the number of training samples (1 ≤ N < d − 1).
      d: input dimension.
      target_norm2: ‖A‖_F².
      input_noise: σ.
      label_noise: τ.
      output_dim: d_y.

    Reference: Hong et al. spec §3 C1 [D].
    """
    _check_sizes(n, d, output_dim)
    _check_noise("input_noise", input_noise)
    _check_noise("label_noise", label_noise)
    if not n < d - 1:
        raise ConfigError(f"C1 needs N < d − 1, got N={n}, d={d}.")
    s2, t2 = input_noise**2, label_noise**2
    bracket = (1 - n / d) + s2 * (d - 1) / (d - n - 1)
    return target_norm2 / (1 + s2) * bracket + t2 * output_dim * n / (d - n - 1)


def least_squares_risk(
    n: int,
    d: int,
    *,
    target_norm2: float,
    input_noise: float,
    label_noise: float,
    output_dim: int,
) -> float:
    r"""C2: expected risk of least squares Y X̃^+ when N > d + 1 (Σx = I).

    R_LS = ‖A‖² σ²/(1+σ²) · (N−1)/(N−d−1) + τ² d_y d/(N−d−1)

    (Bayes floor times the variance inflation; E (X̃X̃ᵀ)^{-1} = I/((1+σ²)(N−d−1))). At σ = 0 this is
    the clean error of a least-squares teacher.

    Reference: Hong et al. spec §3 C2 [D].
    """
    _check_sizes(n, d, output_dim)
    _check_noise("input_noise", input_noise)
    _check_noise("label_noise", label_noise)
    if not n > d + 1:
        raise ConfigError(f"C2 needs N > d + 1, got N={n}, d={d}.")
    s2, t2 = input_noise**2, label_noise**2
    return target_norm2 * s2 / (1 + s2) * (n - 1) / (n - d - 1) + t2 * output_dim * d / (n - d - 1)


def min_norm_risk(
    n: int,
    d: int,
    *,
    target_norm2: float,
    input_noise: float,
    label_noise: float,
    output_dim: int,
) -> float:
    r"""Expected risk of the min-norm least-squares map Y X̃^+: C1 below, C2 above the peak.

    Returns ``inf`` for |N − d| ≤ 1, where the expectation does not exist. At σ = 0 it is the clean
    error ‖V − A‖² of a teacher V = Y_T X_T^+ fitted on N clean samples.

    Reference: Hong et al. spec §3 C1/C2 [D].
    """
    arguments = {
        "target_norm2": target_norm2,
        "input_noise": input_noise,
        "label_noise": label_noise,
        "output_dim": output_dim,
    }
    if n < d - 1:
        return interpolation_risk(n, d, **arguments)
    if n > d + 1:
        return least_squares_risk(n, d, **arguments)
    _check_sizes(n, d, output_dim)
    return math.inf


def min_norm_map(inputs: ArrayLike, labels: ArrayLike) -> Array:
    r"""The min-norm least-squares map W = Y X^+ (sample-major: W = (X^+ Y)ᵀ), batched.

    It is the interpolant when N ≤ d (full column rank) and least squares when N ≥ d; it is also
    the gradient-flow limit of a deep linear net from vanishing initialisation (the teacher of
    spec §2) and the common limit of base and ST training when N < d (T1).

    Args:
      inputs: X, shape ``(…, n, d)``.
      labels: Y, shape ``(…, n, d_y)``.

    Returns:
      ``(…, d_y, d)``.

    Reference: Hong et al. spec §2–3 [D].
    """
    inputs = np.asarray(inputs, dtype=np.float64)
    labels = np.asarray(labels, dtype=np.float64)
    return np.swapaxes(np.linalg.pinv(inputs) @ labels, -1, -2)


def mse_feature_weight(feature_weight: float, width: int) -> float:
    r"""Convert the spec's λ (sum form) to the weight of ``feature_loss`` (mean form) for one layer.

    (λ/2N) Σ_i ‖h_S^l(x̃_i) − h_T^l(x_i)‖² = λ_mse · MSE_l with MSE_l the mean over the N·m_l
    entries, hence λ_mse = λ·m_l/2 (and λ = 2 λ_mse/m_l).

    Reference: spec §2 (losses) and :func:`distillab.losses.feature_loss`.
    """
    if not (math.isfinite(feature_weight) and feature_weight >= 0):
        raise ConfigError(f"feature_weight must be a non-negative number, got {feature_weight!r}.")
    if width < 1:
        raise ConfigError(f"width must be positive, got {width}.")
    return feature_weight * width / 2


def _check_widths(widths: Sequence[int]) -> tuple[int, ...]:
    widths = tuple(int(w) for w in widths)
    if len(widths) < 2 or min(widths) < 1:
        raise ConfigError(f"widths needs at least two positive entries, got {widths}.")
    return widths


def teacher_layers(
    teacher_map: ArrayLike,
    widths: Sequence[int],
    decomposition: Decomposition,
    *,
    irrelevant_scale: float = 3.0,
    seed: int = 0,
) -> list[Array]:
    r"""Split an end-to-end teacher map V into layers V_L ⋯ V_1 = V in one of four ways.

    With hidden widths all equal to m and middle layers V_l = I_m (1 < l < L):

    - ``"task"`` (task-aligned): V_1 = [V; 0], V_L = [I_{d_y}, 0] — layer 1 holds the task map
      (needs m ≥ d_y);
    - ``"identity"``: V_1 = [I_d; 0], V_L = [V, 0] — features are the clean input, the knowledge
      sits in the last layer (needs m ≥ d);
    - ``"random"``: V_1 = G with G_ij ~ N(0, 1/d) of full column rank, V_L = V G^+ (needs m ≥ d);
    - ``"task-irrelevant"``: V_1 = [V; s G/√d], G ~ N(0, 1) of shape (m − d_y, d), V_L = [I, 0] —
      task features plus large irrelevant ones (s = ``irrelevant_scale``, needs m > d_y).

    All four have the same end-to-end map V. This is our concrete reading of the paper's factor 3
    (how the teacher decomposes its knowledge across hidden features) [D]; the paper's own
    decomposition example may differ [G].

    Args:
      teacher_map: V, shape ``(d_y, d)`` or batched ``(B, d_y, d)``.
      widths: ``(d, m, …, m, d_y)`` (the student's architecture).
      decomposition: one of :data:`DECOMPOSITIONS`.
      irrelevant_scale: s for ``"task-irrelevant"``.
      seed: seeds G (one G per batch entry).

    Returns:
      ``[V_1, …, V_L]`` with V_l of shape ``(…, m_l, m_{l−1})``.

    Reference: Hong et al. spec §3 T3 [D].
    """
    widths = _check_widths(widths)
    teacher_map = np.asarray(teacher_map, dtype=np.float64)
    lead = teacher_map.shape[:-2]
    d, output_dim = widths[0], widths[-1]
    if teacher_map.shape[-2:] != (output_dim, d):
        raise ConfigError(
            f"teacher_map has shape {teacher_map.shape[-2:]}, expected ({output_dim}, {d})."
        )
    hidden = widths[1:-1]
    if not hidden or len(set(hidden)) != 1:
        raise ConfigError(f"decompositions need equal hidden widths, got {widths}.")
    m = hidden[0]
    needs = {"task": output_dim, "identity": d, "random": d, "task-irrelevant": output_dim + 1}
    if decomposition not in needs:
        raise ConfigError(f"decomposition must be one of {DECOMPOSITIONS}, got {decomposition!r}.")
    if m < needs[decomposition]:
        raise ConfigError(
            f"decomposition {decomposition!r} needs hidden width ≥ {needs[decomposition]}, got {m}."
        )
    _check_noise("irrelevant_scale", irrelevant_scale)
    rng = np.random.default_rng(seed)
    first = np.zeros((*lead, m, d))
    last = np.zeros((*lead, output_dim, m))
    if decomposition in ("task", "task-irrelevant"):
        first[..., :output_dim, :] = teacher_map
        last[..., :, :output_dim] = np.eye(output_dim)
        if decomposition == "task-irrelevant":
            noise = rng.standard_normal((*lead, m - output_dim, d))
            first[..., output_dim:, :] = irrelevant_scale * noise / math.sqrt(d)
    elif decomposition == "identity":
        first[..., :d, :] = np.eye(d)
        last[..., :, :d] = teacher_map
    else:
        first = rng.standard_normal((*lead, m, d)) / math.sqrt(d)
        last = teacher_map @ np.linalg.pinv(first)
    middle = [np.broadcast_to(np.eye(m), (*lead, m, m)).copy() for _ in hidden[1:]]
    return [first, *middle, last]


def hidden_features(layers: Sequence[ArrayLike], inputs: ArrayLike) -> list[Array]:
    r"""Hidden features h^l = W_{l:1} x of a deep linear net at layers l = 1 … L−1.

    Args:
      layers: ``[W_1, …, W_L]`` with W_l of shape ``(…, m_l, m_{l−1})``.
      inputs: ``(…, n, d)``.

    Returns:
      ``[h^1, …, h^{L−1}]`` with h^l of shape ``(…, n, m_l)``.

    Reference: Hong et al. spec §2 (networks) [D].
    """
    h = np.asarray(inputs, dtype=np.float64)
    features = []
    for layer in layers[:-1]:
        h = h @ np.swapaxes(np.asarray(layer, dtype=np.float64), -1, -2)
        features.append(h)
    return features


def small_initialisation(
    widths: Sequence[int], replicates: int, *, init_scale: float, seed: int
) -> list[Array]:
    r"""Small random initialisation W_l ~ N(0, ε²/m_{l−1}), stacked for B replicates.

    The same law as :class:`distillab.nn.DeepLinearNet` (spec §2 dynamics: ε ≈ 1e-2 … 1e-3).

    Returns:
      ``[W_1, …, W_L]`` with W_l of shape ``(B, m_l, m_{l−1})``.
    """
    widths = _check_widths(widths)
    _check_noise("init_scale", init_scale)
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
        validation set, the spec's definition).
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

    Update W_k ← W_k − η ∂L_λ/∂W_k with L_λ of the module docstring (λ = 0: base loss). With
    Σ̃ = X̃ᵀX̃/N, C = YᵀX̃/N and K_l = H_lᵀX̃/N (H_l the teacher's clean features at layer l), the
    gradient is ∂L/∂W_k = B_k W_{k−1:1}ᵀ with the back-propagated signal
    B_L = W Σ̃ − C, B_k = W_{k+1}ᵀ B_{k+1} + λ 1[k∈S] (W_{k:1} Σ̃ − K_k): the cost per step is
    independent of N. Every update of W_1 lies in the row space of X̃, which is why base and ST
    training end at the same map when N < d (spec T1, see the tests).

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
        gradient flow, the object of spec §2.
      max_error_ratio: divergence threshold on R(W(k))/R(W(0)).

    Returns:
      A :class:`DeepLinearRun`.

    Reference: Hong et al. spec §2 (losses, dynamics) [D]; Saxe et al. arXiv:1312.6120.
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

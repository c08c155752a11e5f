r"""Feature-based student–teacher learning from clean to noisy inputs in deep linear networks.

Engine for Hong, Mao, Lin & Chan, "Student-Teacher Learning from Clean Inputs to Noisy Inputs",
CVPR 2021, arXiv:2103.07600, as formalised in the model ``docs/models/hong-2021.md``.

Provenance (the model's labels). Only the paper's abstract and introduction were available. The
paper **states** [S] that feature-based student–teacher (ST) learning from a clean-input teacher to
a noisy-input student is analysed with deep linear networks, and that three factors decide whether
it helps: training to zero loss (which removes the benefit), the teacher's knowledge, and how the
teacher spreads that knowledge over its hidden features. **Every formula in this module is our
derivation** [D] (model §2–3), checked numerically by the tests; none is the paper's theorem.

Conventions. Arrays are sample-major: inputs ``(…, n, d)``, labels ``(…, n, d_y)``; a linear map
is ``(d_y, d)`` and predicts ``x @ W.T``; a leading ``B`` axis stacks independent replicates
(seeds, teachers, feature weights) that are trained together by batched matrix products.
Clean x ~ N(0, Σx) (Σx = I unless given), noisy x̃ = x + e, e ~ N(0, σ² I), labels
y = A x + ε, ε ~ N(0, τ² I). The student's losses are the model's sum forms

  L_0(W) = (1/2N) Σ_i ‖W x̃_i − y_i‖²,
  L_λ(W) = L_0(W) + (λ/2N) Σ_i Σ_{l∈S} ‖W_{l:1} x̃_i − V_{l:1} x_i‖²,

so λ (``feature_weight``) relates to the library's :func:`distillab.losses.feature_loss`
(mean over samples *and* units) by λ_mse = λ·m_l/2 per matched layer of width m_l
(:func:`mse_feature_weight`).

Statements checked by the tests (model §3, all [D]):

- T1 (N < d): every update of W_1 lies in the row space of X̃, so a run that reaches zero loss
  ends at W(∞) = Y X̃^+ + W_{L:2}(∞) W_1(0)(I − P): base and ST end at the same map up to O(ε)
  (C1 gives its expected risk). Zero ST loss needs teacher features of rank N.
- T2b (N > d): with teacher features of rank d, ST converges to least squares (C2), whatever
  the teacher.
- T2c (N > d): with features of rank r < d that are inconsistent with the labels and hidden
  width m = r, the converged ST map is a compromise, worse than least squares. With spare hidden
  units (m > r) the infimum of L_λ is least squares again, approached only as ‖W_L‖ → ∞ (our
  finding while testing the model's statement), so GD drifts towards it slowly.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from distillab.errors import ConfigError

__all__ = [
    "DECOMPOSITIONS",
    "Decomposition",
    "DeepLinearKD",
    "DeepLinearRiskCurve",
    "hidden_features",
    "interpolation_risk",
    "least_squares_risk",
    "linear_risk",
    "lmmse_map",
    "lmmse_risk",
    "min_norm_map",
    "min_norm_risk",
    "mse_feature_weight",
    "teacher_layers",
]

Decomposition = Literal["task", "identity", "random", "task-irrelevant"]
DECOMPOSITIONS: tuple[str, ...] = ("task", "identity", "random", "task-irrelevant")

Array = NDArray[np.float64]


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

    Reference: Hong et al. model §2 (test error) [D].
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

    Reference: Hong et al. model §2 [D] (standard LMMSE estimation).
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

    Reference: Hong et al. model §2 [D].
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

    Reference: Hong et al. model §3 C1 [D].
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

    Reference: Hong et al. model §3 C2 [D].
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

    Reference: Hong et al. model §3 C1/C2 [D].
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
    model §2) and the common limit of base and ST training when N < d (T1).

    Args:
      inputs: X, shape ``(…, n, d)``.
      labels: Y, shape ``(…, n, d_y)``.

    Returns:
      ``(…, d_y, d)``.

    Reference: Hong et al. model §2–3 [D].
    """
    inputs = np.asarray(inputs, dtype=np.float64)
    labels = np.asarray(labels, dtype=np.float64)
    return np.swapaxes(np.linalg.pinv(inputs) @ labels, -1, -2)


def mse_feature_weight(feature_weight: float, width: int) -> float:
    r"""The model's λ (sum form) as the weight of ``feature_loss`` (mean form) for one layer.

    (λ/2N) Σ_i ‖h_S^l(x̃_i) − h_T^l(x_i)‖² = λ_mse · MSE_l with MSE_l the mean over the N·m_l
    entries, hence λ_mse = λ·m_l/2 (and λ = 2 λ_mse/m_l).

    Reference: model §2 (losses) and :func:`distillab.losses.feature_loss`.
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

    Reference: Hong et al. model §3 T3 [D].
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

    Reference: Hong et al. model §2 (networks) [D].
    """
    h = np.asarray(inputs, dtype=np.float64)
    features = []
    for layer in layers[:-1]:
        h = h @ np.swapaxes(np.asarray(layer, dtype=np.float64), -1, -2)
        features.append(h)
    return features


@dataclass(frozen=True)
class DeepLinearRiskCurve:
    """Expected test risks of the min-norm map over training-set sizes N (named arrays).

    Attributes:
      sample_sizes: ``(K,)`` N.
      min_norm_risk: ``(K,)`` E R(Y X̃^+): C1 for N < d − 1, C2 for N > d + 1, ``inf`` between.
      interpolating: ``(K,)`` N < d (the map interpolates: base and ST training coincide, T1).
      excess_risk: ``(K,)`` ``min_norm_risk`` − R*, the gap to the linear Bayes floor.
      lmmse_risk: R*, the floor (a float; the same for every N).
    """

    sample_sizes: NDArray[np.int64]
    min_norm_risk: Array
    interpolating: NDArray[np.bool_]
    excess_risk: Array
    lmmse_risk: float


@dataclass(frozen=True)
class DeepLinearKD:
    r"""The clean → noisy deep-linear student–teacher setting of Hong et al., validated once.

    Clean inputs x ~ N(0, Σx), noisy inputs x̃ = x + e with e ~ N(0, σ²I), labels y = Ax + ε
    with ε ~ N(0, τ²I). The methods wrap the module's closed forms (model §2–3, all [D]):
    :meth:`risk` is R(W) = ‖(W − A)Σx^{1/2}‖_F² + σ²‖W‖_F² (:func:`linear_risk`),
    :meth:`lmmse_map`/:meth:`lmmse_risk` the linear Bayes floor W* = AΣx(Σx + σ²I)⁻¹,
    :meth:`risk_curve` the expected risk of the min-norm map Y X̃^+ over N (C1/C2, Σx = I), which
    is where base and feature-based ST training end when N < d (T1) or when the teacher's
    features have rank d (T2b). Every query is O(d_y·d²) or less; nothing is trained here (the
    gradient-descent simulator lives in :mod:`distillab.train`).

    Args:
      target_map: A, shape ``(d_y, d)``, finite.
      input_noise: σ ∈ [0, ∞), the standard deviation of the input noise.
      label_noise: τ ∈ [0, ∞), the standard deviation of the label noise.
      input_cov: Σx ``(d, d)`` symmetric positive semi-definite (``None``: I; :meth:`risk_curve`
        needs Σx = I).

    Example:
      >>> setting = DeepLinearKD(np.eye(2), input_noise=1.0)
      >>> setting.lmmse_risk()   # ‖A‖²σ²/(1 + σ²) = 2·½
      1.0

    Reference: Hong, Mao, Lin & Chan, arXiv:2103.07600; ``docs/models/hong-2021.md`` §2–3 [D].
    """

    target_map: ArrayLike
    input_noise: float
    label_noise: float = 0.0
    input_cov: ArrayLike | None = None

    def __post_init__(self) -> None:
        target = np.asarray(self.target_map, dtype=np.float64)
        if target.ndim != 2 or target.size == 0 or not np.isfinite(target).all():
            raise ConfigError(
                f"target_map must be a finite (d_y, d) matrix, got shape {target.shape}."
            )
        for name in ("input_noise", "label_noise"):
            value = getattr(self, name)
            if not (isinstance(value, int | float) and math.isfinite(value) and value >= 0):
                raise ConfigError(f"{name} must be in [0, inf), got {value!r}.")
        cov = None
        if self.input_cov is not None:
            cov = np.asarray(self.input_cov, dtype=np.float64)
            d = target.shape[1]
            if cov.shape != (d, d) or not np.isfinite(cov).all() or not np.allclose(cov, cov.T):
                raise ConfigError(f"input_cov must be a finite symmetric ({d}, {d}) matrix.")
            if np.linalg.eigvalsh(cov)[0] < -1e-12 * max(1.0, float(np.abs(cov).max())):
                raise ConfigError("input_cov must be positive semi-definite.")
        object.__setattr__(self, "target_map", target)
        object.__setattr__(self, "input_cov", cov)

    @property
    def input_dim(self) -> int:
        """d, the input dimension."""
        return int(np.shape(self.target_map)[1])

    @property
    def output_dim(self) -> int:
        """d_y, the output dimension."""
        return int(np.shape(self.target_map)[0])

    @property
    def target_norm2(self) -> float:
        """‖A‖_F²."""
        return float(np.sum(np.square(self.target_map)))

    def risk(self, maps: ArrayLike) -> Array:
        """R(W) = E‖W x̃ − A x‖² of ``(…, d_y, d)`` linear maps; shape ``maps.shape[:-2]``."""
        return linear_risk(
            maps, self.target_map, input_noise=self.input_noise, input_cov=self.input_cov
        )

    def lmmse_map(self) -> Array:
        """W* = AΣx(Σx + σ²I)⁻¹, shape ``(d_y, d)`` (A/(1 + σ²) at Σx = I)."""
        return lmmse_map(self.target_map, input_noise=self.input_noise, input_cov=self.input_cov)

    def lmmse_risk(self) -> float:
        """R* = R(W*), the floor no linear student reaches below (‖A‖²σ²/(1+σ²) at Σx = I)."""
        return lmmse_risk(self.target_map, input_noise=self.input_noise, input_cov=self.input_cov)

    def risk_curve(self, sample_sizes: ArrayLike) -> DeepLinearRiskCurve:
        r"""Expected risk of the min-norm map Y X̃^+ at each N (C1 below d − 1, C2 above d + 1).

        R_int = ‖A‖²/(1+σ²)·[(1 − N/d) + σ²(d−1)/(d−N−1)] + τ²d_yN/(d−N−1) for N < d − 1,
        R_LS = ‖A‖²σ²/(1+σ²)·(N−1)/(N−d−1) + τ²d_y d/(N−d−1) for N > d + 1, ``inf`` between
        (:func:`min_norm_risk`); R_LS → R* as N → ∞.

        Args:
          sample_sizes: ``(K,)`` whole numbers N ≥ 1.

        Returns:
          :class:`DeepLinearRiskCurve`.
        """
        if self.input_cov is not None:
            raise ConfigError("risk_curve needs input_cov=None (Σx = I): C1/C2 assume it.")
        sizes = np.atleast_1d(np.asarray(sample_sizes))
        if sizes.ndim != 1 or sizes.size == 0 or not np.all(sizes == np.round(sizes)):
            raise ConfigError(
                f"sample_sizes must be a 1-D sequence of whole numbers ≥ 1, got {sample_sizes!r}."
            )
        sizes = sizes.astype(np.int64)
        if sizes.min() < 1:
            raise ConfigError(f"sample_sizes must be ≥ 1, got {int(sizes.min())}.")
        risks = np.array(
            [
                min_norm_risk(
                    int(n),
                    self.input_dim,
                    target_norm2=self.target_norm2,
                    input_noise=self.input_noise,
                    label_noise=self.label_noise,
                    output_dim=self.output_dim,
                )
                for n in sizes
            ]
        )
        floor = self.lmmse_risk()
        return DeepLinearRiskCurve(sizes, risks, sizes < self.input_dim, risks - floor, floor)

"""Ji & Zhu (2020): knowledge distillation of an infinitely wide student in the NTK regime.

The student is the linearisation f(x; w) = φ(x)ᵀ(w − w₀) of a wide network with f₀ ≡ 0
(antisymmetric initialisation) and kernel Θ(x, x') = φ(x)ᵀφ(x'). Trained by gradient descent on the
KD loss over n points, it converges to the kernel interpolant of the *effective logit* g:

    z_s(x) = Θ(x, X) Θ(X, X)⁻¹ g,   ‖Δw‖² = gᵀ Θ(X, X)⁻¹ g,

where g_i = g_{ρ,T}(z_t,i, y_i) is the per-sample stationary point of the loss (model §2, [R]).
Everything here is pure numpy/scipy in float64 and takes kernel matrices as input, so any kernel
works. In the studies the kernel is ``relu_ntk(X, trained="both")``, the NTK of
``TwoLayerNet(trained="both")``. The model's Θ is twice that: interpolants, angles and risks are
the same, and distillab's ‖Δw‖² = gᵀΘ⁻¹g is twice the model's (every norm here, including the
teacher's ‖w_t‖², uses ``relu_ntk(trained="both")``, so ratios and exponents are unaffected).

Two KD losses (:mod:`distillab.losses`, binary logits, labels 0/1):

* ``"mixed-target"`` (Variant A, the paper's verified form, [V]):
  L = CE(σ(z_s/T), ρσ(z_t/T) + (1−ρ)y), with closed form g = T·logit(ρσ(z_t/T) + (1−ρ)y);
* ``"hinton"`` (Variant B, [R]): L = (1−ρ)CE(σ(z_s), y) + ρ·c_T·KL(σ(z_t/T) ‖ σ(z_s/T)), where g
  is the root of (ρc_T/T)(σ(g/T) − σ(z_t/T)) + (1−ρ)(σ(g) − y) = 0 and c_T is T² (``soft_scale=
  "temperature-squared"``, the ``kd_loss`` convention) or 1 (``soft_scale="one"``).

ρ = 0 (hard labels only) has no finite stationary point: the logits grow like log t towards the
kernel max-margin solution, so every function here raises :class:`ConfigError` for it.

Reference: Ji & Zhu, "Knowledge Distillation in Wide Neural Networks: Risk Bound, Data
Efficiency and Imperfect Teacher", NeurIPS 2020, arXiv:2010.10090. Only the abstract and
introduction were available: the setting and claims are stated by the paper ([V]); the effective
logit, the bound's form and the data-inefficiency definition are reconstructed
(``shared/papers/ji_zhu_wide_kd.md`` §2–3, [R]).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.linalg import cho_factor, cho_solve
from scipy.special import log_expit, log_softmax, logsumexp, softmax

from distillab.errors import ConfigError

__all__ = [
    "SOFT_SCALES",
    "SWEEPABLE",
    "VARIANTS",
    "KDStudent",
    "KDStudentCurve",
    "LinearizedKD",
    "LocalExponent",
    "RiskBound",
    "correction_threshold",
    "data_inefficiency",
    "effective_logit",
    "effective_logit_multiclass",
    "jump_size",
    "risk_curve_exponent",
    "transfer_risk_bound",
    "weight_norm_growth",
]

Variant = Literal["mixed-target", "hinton"]
SoftScale = Literal["temperature-squared", "one"]
VARIANTS: tuple[str, ...] = ("mixed-target", "hinton")
SOFT_SCALES: tuple[str, ...] = ("temperature-squared", "one")
SWEEPABLE: tuple[str, ...] = ("soft_ratio", "temperature")

_BISECTION_STEPS = 200
_BRACKET_DOUBLINGS = 60
_NEWTON_STEPS = 100


def check_loss_parameters(
    soft_ratio: float, temperature: float, variant: str, soft_scale: str = "temperature-squared"
) -> None:
    """Raise ``ConfigError`` unless ρ ∈ [0, 1], T ∈ (0, ∞) and ``variant``/``soft_scale`` are known.

    The loss of this module's student, shared with its finite-step dynamics
    (:func:`distillab.train.kernel_gd.kernel_gradient_descent`, where ρ = 0 is allowed).
    """
    if not (math.isfinite(soft_ratio) and 0.0 <= soft_ratio <= 1.0):
        raise ConfigError(f"soft_ratio must be in [0, 1], got {soft_ratio!r}.")
    if not (math.isfinite(temperature) and temperature > 0.0):
        raise ConfigError(f"temperature must be in (0, inf), got {temperature!r}.")
    if variant not in VARIANTS:
        raise ConfigError(f"variant must be one of {VARIANTS}, got {variant!r}.")
    if soft_scale not in SOFT_SCALES:
        raise ConfigError(f"soft_scale must be one of {SOFT_SCALES}, got {soft_scale!r}.")


def _check_parameters(
    soft_ratio: float, temperature: float, variant: str, soft_scale: str = "temperature-squared"
) -> None:
    check_loss_parameters(soft_ratio, temperature, variant, soft_scale)
    if soft_ratio == 0.0:
        raise ConfigError(
            "soft_ratio = 0 (hard labels only) has no finite effective logit: the training logits "
            "grow like log t towards the kernel max-margin solution; use soft_ratio > 0."
        )


def _soft_weight(soft_ratio: float, temperature: float, soft_scale: str) -> float:
    """ρ·c_T/T, the weight of σ(z/T) − σ(z_t/T) in Variant B's stationarity condition."""
    c_t = temperature**2 if soft_scale == "temperature-squared" else 1.0
    return soft_ratio * c_t / temperature


def _binary_labels(teacher_logit: ArrayLike, hard_label: ArrayLike) -> tuple[NDArray, NDArray]:
    z = np.asarray(teacher_logit, dtype=np.float64)
    y = np.asarray(hard_label, dtype=np.float64)
    try:
        z, y = np.broadcast_arrays(z, y)
    except ValueError:
        raise ConfigError(
            f"teacher logits {z.shape} and hard labels {y.shape} do not broadcast."
        ) from None
    if not np.all(np.isfinite(z)):
        raise ConfigError("teacher logits must be finite.")
    if not np.all((y == 0.0) | (y == 1.0)):
        raise ConfigError("binary hard labels must be 0 or 1 (distillab's label convention).")
    return z, y


def _mixed_target_positive(z_t: NDArray, soft_ratio: float, temperature: float) -> NDArray:
    """g(z_t, y=1) = T·[log(1−ρ+ρσ(u)) − log(ρσ(−u))], u = z_t/T, stable for every u."""
    u = z_t / temperature
    log_hard = math.log1p(-soft_ratio) if soft_ratio < 1.0 else -math.inf
    log_target = np.logaddexp(log_hard, math.log(soft_ratio) + log_expit(u))
    return temperature * (log_target - math.log(soft_ratio) - log_expit(-u))


def _hinton_positive(
    z_t: NDArray, soft_ratio: float, temperature: float, soft_scale: str
) -> NDArray:
    """Root of (ρc_T/T)(σ(g/T) − σ(u)) − (1−ρ)σ(−g) = 0 (label y = 1) by vectorised bisection.

    Elements whose root was not bracketed after ``_BRACKET_DOUBLINGS`` doublings are NaN
    (not converged), never the unbracketed end point.

    At g = z_t the soft term vanishes, so the root lies above z_t. For g > z_t both terms have a
    sign, and the root solves log A(g) = log B(g) with A = (ρc_T/T)·σ(g/T)σ(−u)·(1 − e^{u−g/T})
    (σ(a) − σ(b) = σ(a)σ(−b)(1 − e^{b−a}), exact without cancellation) and B = (1−ρ)σ(−g);
    log A − log B increases from −∞, so bisection on it is robust for any teacher logit.
    """
    if soft_ratio == 1.0:
        return z_t.copy()
    u = z_t / temperature
    log_weight = math.log(_soft_weight(soft_ratio, temperature, soft_scale))
    log_hard = math.log1p(-soft_ratio)

    def excess(g: NDArray) -> NDArray:
        with np.errstate(divide="ignore"):
            log_soft = (
                log_weight
                + log_expit(g / temperature)
                + log_expit(-u)
                + np.log(-np.expm1(u - g / temperature))
            )
        return log_soft - (log_hard + log_expit(-g))

    lo = z_t.copy()
    width = np.ones_like(z_t)
    for _ in range(_BRACKET_DOUBLINGS):
        short = excess(lo + width) <= 0.0
        if not short.any():
            break
        width = np.where(short, 2.0 * width, width)
    # A root is bracketed where the excess is positive at the upper end; 200 halvings of a
    # bracket of width ≤ 2⁶⁰ then reach float resolution. Unbracketed elements are NaN.
    bracketed = excess(lo + width) > 0.0
    hi = lo + width
    for _ in range(_BISECTION_STEPS):
        mid = 0.5 * (lo + hi)
        above = excess(mid) > 0.0
        hi = np.where(above, mid, hi)
        lo = np.where(above, lo, mid)
    return np.where(bracketed, 0.5 * (lo + hi), np.nan)


def effective_logit(
    teacher_logit: ArrayLike,
    hard_label: ArrayLike,
    *,
    soft_ratio: float,
    temperature: float,
    variant: Variant = "mixed-target",
    soft_scale: SoftScale = "temperature-squared",
) -> NDArray[np.float64]:
    r"""The converged training logit g_{ρ,T}(z_t, y) of a kernel-regime student (binary).

    ``"mixed-target"`` (Variant A): g = T·logit(ρσ(z_t/T) + (1−ρ)y), computed in log form so it is
    exact for any |z_t|. ``"hinton"`` (Variant B): the unique root of
    (ρc_T/T)(σ(g/T) − σ(z_t/T)) + (1−ρ)(σ(g) − y) = 0 with c_T = T² (``soft_scale=
    "temperature-squared"``) or 1 (``"one"``), found by bisection (the left side increases in g).
    Both use the symmetry g(z_t, 0) = −g(−z_t, 1).

    Properties (Variant A, model §2 (a)–(d)): ρ = 1 gives g = z_t for every T; with
    y = 1[z_t > 0], |g| ≥ |z_t| with the same sign; g jumps by J = 2T·ln((2−ρ)/ρ) across z_t = 0
    (:func:`jump_size`).

    Args:
      teacher_logit: teacher logits z_t, any shape.
      hard_label: hard labels y ∈ {0, 1}, broadcastable against ``teacher_logit``.
      soft_ratio: ρ ∈ (0, 1]; ρ = 0 raises :class:`ConfigError` (no finite limit).
      temperature: T > 0.
      variant: ``"mixed-target"`` or ``"hinton"`` (the names of :func:`distillab.losses.kd_loss`).
      soft_scale: c_T of Variant B; ignored by Variant A.

    Returns:
      float64 array of the broadcast shape; NaN where the ``"hinton"`` root finder did not
      converge (no root bracketed), so a non-converged element can never be read as a number.

    Example:
      >>> round(float(effective_logit(0.0, 1, soft_ratio=0.5, temperature=1.0)), 9)  # ln 3
      1.098612289

    Reference: Ji & Zhu (2020), arXiv:2010.10090, loss of §1 [V]; stationary point, model §2 [R].
    """
    _check_parameters(soft_ratio, temperature, variant, soft_scale)
    z, y = _binary_labels(teacher_logit, hard_label)
    if soft_ratio == 1.0:
        # Pure soft labels: g = z_t exactly (property (a)); the log form would round σ(z_t/T)
        # to ½ for |z_t| below ~1e-16 and return 0 instead.
        return z.astype(np.float64, copy=True)
    flat_z, positive = z.ravel(), y.ravel() == 1.0
    oriented = np.where(positive, flat_z, -flat_z)
    if variant == "mixed-target":
        g = _mixed_target_positive(oriented, soft_ratio, temperature)
    else:
        g = _hinton_positive(oriented, soft_ratio, temperature, soft_scale)
    return np.where(positive, g, -g).reshape(z.shape)


def effective_logit_multiclass(
    teacher_logits: ArrayLike,
    labels: ArrayLike,
    *,
    soft_ratio: float,
    temperature: float,
    variant: Variant = "mixed-target",
    soft_scale: SoftScale = "temperature-squared",
) -> NDArray[np.float64]:
    r"""Converged training logits of a C-class kernel-regime student, centred over classes.

    ``"mixed-target"``: ȳ = ρ·softmax(z_t/T) + (1−ρ)e_y and g = T·log ȳ − mean_c(T·log ȳ).
    ``"hinton"``: the root of (1−ρ)(softmax(g) − e_y) + (ρc_T/T)(softmax(g/T) − softmax(z_t/T)) = 0,
    found per sample by damped Newton steps on the (strictly convex on centred logits) sample loss.
    The centring is not a convention: with f₀ ≡ 0 and output kernel Θ ⊗ I the class sum of each
    logit stays 0 during gradient flow, because every loss gradient sums to 0 over classes.
    For C = 2, g[:, 1] − g[:, 0] equals the binary :func:`effective_logit` of z_t[:, 1] − z_t[:, 0].

    Args:
      teacher_logits: ``(n, C)`` teacher logits.
      labels: ``(n,)`` class indices in 0…C−1.
      soft_ratio, temperature, variant, soft_scale: as in :func:`effective_logit`.

    Returns:
      ``(n, C)`` float64 logits whose rows sum to 0; rows whose ``"hinton"`` Newton iteration did
      not converge are NaN.

    Reference: model §2 "Multiclass extension" [R]; Ji & Zhu (2020) treat the binary case.
    """
    _check_parameters(soft_ratio, temperature, variant, soft_scale)
    z = np.asarray(teacher_logits, dtype=np.float64)
    y = np.asarray(labels)
    if z.ndim != 2 or z.shape[1] < 2:
        raise ConfigError(f"multi-class teacher logits must have shape (n, C≥2), got {z.shape}.")
    if y.shape != (z.shape[0],) or not np.all(np.isfinite(z)):
        raise ConfigError(f"labels must have shape ({z.shape[0]},) and the logits be finite.")
    if not (np.all(y == np.round(y)) and np.all((y >= 0) & (y < z.shape[1]))):
        raise ConfigError(f"labels must be class indices in 0…{z.shape[1] - 1}.")
    onehot = np.eye(z.shape[1])[y.astype(np.int64)]
    T = temperature
    log_soft = math.log(soft_ratio) + log_softmax(z / T, axis=1)
    log_hard = np.log1p(-soft_ratio) if soft_ratio < 1.0 else -np.inf
    with np.errstate(divide="ignore"):
        log_target = np.logaddexp(log_soft, log_hard + np.log(onehot))
    g = T * (log_target - log_target.mean(axis=1, keepdims=True))
    if variant == "hinton" and soft_ratio < 1.0:
        g = _hinton_multiclass(g, z, onehot, soft_ratio, T, soft_scale)
    return g


def _hinton_multiclass(
    g: NDArray, z_t: NDArray, onehot: NDArray, soft_ratio: float, T: float, soft_scale: str
) -> NDArray:
    """Damped Newton on ℓ(g) = (1−ρ)CE(g, y) + ρc_T·KL(softmax(z_t/T) ‖ softmax(g/T)).

    A sample converges when its gradient is below 1e-14 or its last step moved g by at most
    1e-12 relative; rows that do not converge within ``_NEWTON_STEPS`` steps are NaN.
    """
    weight = _soft_weight(soft_ratio, T, soft_scale)
    q_t = softmax(z_t / T, axis=1)
    C = g.shape[1]

    def loss(logits: NDArray) -> NDArray:
        hard = logsumexp(logits, axis=1) - (onehot * logits).sum(axis=1)
        soft = T * (logsumexp(logits / T, axis=1) - (q_t * logits / T).sum(axis=1))
        return (1.0 - soft_ratio) * hard + weight * soft

    converged = np.zeros(g.shape[0], dtype=bool)
    for _ in range(_NEWTON_STEPS):
        p, q = softmax(g, axis=1), softmax(g / T, axis=1)
        grad = (1.0 - soft_ratio) * (p - onehot) + weight * (q - q_t)
        converged |= np.abs(grad).max(axis=1) < 1e-14
        if converged.all():
            break
        hessian = (1.0 - soft_ratio) * (_softmax_jacobian(p)) + weight / T * _softmax_jacobian(q)
        # The all-ones direction is the loss's flat direction; adding 11ᵀ/C makes the system
        # regular and keeps the step centred (the gradient sums to zero).
        step = -np.linalg.solve(hessian + 1.0 / C, grad[..., None])[..., 0]
        scale = np.ones((g.shape[0], 1))
        current = loss(g)
        for _ in range(60):
            trial = loss(g + scale * step)
            worse = trial > current - 1e-4 * scale[:, 0] * np.abs((grad * step).sum(axis=1))
            if not worse.any():
                break
            scale = np.where(worse[:, None], 0.5 * scale, scale)
        moved = scale * step
        g = g + moved
        # At large c_T/T the gradient's rounding floor exceeds 1e-14: a step that no longer moves
        # g (relative 1e-12) also marks a sample as converged.
        converged |= np.abs(moved).max(axis=1) <= 1e-12 * (1.0 + np.abs(g).max(axis=1))
    # Samples that did not converge in _NEWTON_STEPS steps are NaN, never a half-way iterate.
    g = np.where(converged[:, None], g, np.nan)
    return g - g.mean(axis=1, keepdims=True)


def _softmax_jacobian(p: NDArray) -> NDArray:
    """diag(p) − ppᵀ for each row of ``p`` (shape (n, C, C))."""
    return np.einsum("ni,ij->nij", p, np.eye(p.shape[1])) - p[:, :, None] * p[:, None, :]


def jump_size(
    soft_ratio: float,
    temperature: float,
    *,
    variant: Variant = "mixed-target",
    soft_scale: SoftScale = "temperature-squared",
) -> float:
    r"""The jump J(ρ, T) = g(0⁺) − g(0⁻) of the effective target across the teacher's boundary.

    With y = 1[z_t > 0], J = g(0, 1) − g(0, 0) = 2·g(0, 1). Variant A: J = 2T·ln((2−ρ)/ρ), zero at
    ρ = 1, linear in T and unbounded as ρ → 0. Variant B: 2·(root at z_t = 0), by bisection.

    Reference: model §2 property (c) [R].
    """
    _check_parameters(soft_ratio, temperature, variant, soft_scale)
    if variant == "mixed-target":
        return 2.0 * temperature * math.log((2.0 - soft_ratio) / soft_ratio)
    g = effective_logit(
        0.0,
        1,
        soft_ratio=soft_ratio,
        temperature=temperature,
        variant=variant,
        soft_scale=soft_scale,
    )
    return 2.0 * float(g)


def correction_threshold(
    soft_ratio: float,
    temperature: float,
    *,
    variant: Variant = "mixed-target",
    soft_scale: SoftScale = "temperature-squared",
) -> float:
    r"""Largest |z_t| of a *wrong* teacher that the hard label still overrides (``inf``: any).

    On a training point with y = 1 and z_t < 0, sign g = + iff |z_t| < threshold:
      Variant A:            T·ln(1/(2ρ−1)) for ρ > ½, ``inf`` for ρ ≤ ½;
      Variant B, c_T = 1:   2T·artanh(T(1−ρ)/ρ), ``inf`` once T(1−ρ)/ρ ≥ 1 (ρ ≤ T/(1+T));
      Variant B, c_T = T²:  2T·artanh((1−ρ)/(ρT)), ``inf`` once (1−ρ)/(ρT) ≥ 1.
    At ρ = 1 the threshold is 0: the student copies the teacher's sign everywhere.

    Reference: model §3.4 [R] (from sign g = sign of −(stationarity residual at g = 0)).
    """
    _check_parameters(soft_ratio, temperature, variant, soft_scale)
    T = temperature
    if variant == "mixed-target":
        return math.inf if soft_ratio <= 0.5 else T * math.log(1.0 / (2.0 * soft_ratio - 1.0))
    c_t = T**2 if soft_scale == "temperature-squared" else 1.0
    ratio = T * (1.0 - soft_ratio) / (soft_ratio * c_t)
    return math.inf if ratio >= 1.0 else 2.0 * T * math.atanh(ratio)


def _as_matrix(name: str, value: ArrayLike, shape: tuple[int | None, int | None]) -> NDArray:
    array = np.asarray(value, dtype=np.float64)
    if array.ndim != 2 or any(
        s is not None and s != a for s, a in zip(shape, array.shape, strict=True)
    ):
        raise ConfigError(f"{name} must have shape {shape} (None: any), got {array.shape}.")
    if not np.all(np.isfinite(array)):
        raise ConfigError(f"{name} must be finite.")
    return array


@dataclass(frozen=True)
class KDStudent:
    """The converged wide student for one (ρ, T, variant): returned by :meth:`LinearizedKD.solve`.

    Attributes:
      soft_ratio, temperature, variant, soft_scale: the KD parameters.
      training_logits: ``(n,)`` g, the logits the student interpolates on the training points.
      coefficients: ``(n,)`` α = (Θ(X, X) + εI)⁻¹ g, so Δw = Σ_i α_i φ(x_i).
      test_logits: ``(n_test,)`` z_s(x) = Θ(x, X) α.
      weight_norm_sq: ‖Δw‖² = gᵀ α (the Arora et al. complexity of the target).
      converged: whether the effective-logit root finder converged at every training point
        (when False the logits, coefficients and risks are NaN; put it into a row's values).
    """

    soft_ratio: float
    temperature: float
    variant: str
    soft_scale: str
    training_logits: NDArray[np.float64]
    coefficients: NDArray[np.float64]
    test_logits: NDArray[np.float64]
    weight_norm_sq: float
    converged: bool = True

    def transfer_risk(self, teacher_test_logits: ArrayLike) -> float:
        """R = P_x[sign z_s(x) ≠ sign z_t(x)] on the test points (model §3.1)."""
        z_t = np.asarray(teacher_test_logits, dtype=np.float64)
        if z_t.shape != self.test_logits.shape:
            raise ConfigError(
                f"teacher test logits must have shape {self.test_logits.shape}, got {z_t.shape}."
            )
        return float(np.mean((self.test_logits > 0) != (z_t > 0)))

    def risk(self, test_labels: ArrayLike) -> float:
        """R_g = P_x[1{z_s(x) > 0} ≠ y_g(x)] against 0/1 ground-truth labels (model §3.4)."""
        y = np.asarray(test_labels, dtype=np.float64)
        if y.shape != self.test_logits.shape:
            raise ConfigError(f"test labels must have shape {self.test_logits.shape}.")
        return float(np.mean((self.test_logits > 0) != (y == 1.0)))


@dataclass(frozen=True)
class LinearizedKD:
    r"""The infinitely wide KD student on one training set, factored once for many (ρ, T).

    Build: one Cholesky factorisation of Θ(X, X) + εI (O(n³)); each :meth:`solve` then costs
    O(n² + n_test·n). The student at convergence is the kernel interpolant of the effective logit:
    z_s(x) = Θ(x, X)(Θ(X, X) + εI)⁻¹ g with ε = ``ridge`` (model §2: 1e−9, a numerical guard).

    Attributes:
      ntk_gram: ``(n, n)`` Θ(X, X), symmetric positive definite.
      ntk_cross: ``(n_test, n)`` Θ(X_test, X).
      teacher_logits: ``(n,)`` z_t on the training points.
      labels: ``(n,)`` hard labels y ∈ {0, 1} on the training points.
      ridge: ε ≥ 0.

    Example:
      >>> X = np.eye(3); K = X @ X.T
      >>> student = LinearizedKD(K, K, np.array([1.0, -2.0, 3.0]), np.array([1, 0, 1]))
      >>> bool(np.allclose(student.solve(soft_ratio=1.0, temperature=2.0).test_logits,
      ...                  [1.0, -2.0, 3.0]))
      True

    Reference: Ji & Zhu (2020), arXiv:2010.10090 (linearised student [V]); converged solution,
    model §2 [R]; ‖Δw‖² as complexity: Arora et al., arXiv:1901.08584.
    """

    ntk_gram: NDArray[np.float64]
    ntk_cross: NDArray[np.float64]
    teacher_logits: NDArray[np.float64]
    labels: NDArray[np.float64]
    ridge: float = 1e-9
    _factor: tuple[NDArray[np.float64], bool] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        K = _as_matrix("ntk_gram", self.ntk_gram, (None, None))
        n = K.shape[0]
        if K.shape != (n, n):
            raise ConfigError(f"ntk_gram must be square, got {K.shape}.")
        cross = _as_matrix("ntk_cross", self.ntk_cross, (None, n))
        z_t, y = _binary_labels(self.teacher_logits, self.labels)
        if z_t.shape != (n,):
            raise ConfigError(f"teacher logits and labels must have shape ({n},), got {z_t.shape}.")
        if not (math.isfinite(self.ridge) and self.ridge >= 0.0):
            raise ConfigError(f"ridge must be in [0, inf), got {self.ridge!r}.")
        try:
            factor = cho_factor(0.5 * (K + K.T) + self.ridge * np.eye(n), lower=True)
        except np.linalg.LinAlgError:
            raise ConfigError(
                "ntk_gram + ridge·I is not positive definite; duplicate inputs need ridge > 0."
            ) from None
        for name, value in (
            ("ntk_gram", K),
            ("ntk_cross", cross),
            ("teacher_logits", z_t),
            ("labels", y),
            ("_factor", factor),
        ):
            object.__setattr__(self, name, value)

    @property
    def n(self) -> int:
        """Number of training points."""
        return int(self.ntk_gram.shape[0])

    def coefficients(self, targets: ArrayLike) -> NDArray[np.float64]:
        """(Θ(X, X) + εI)⁻¹ t for targets of shape ``(n,)`` or ``(n, k)``."""
        return cho_solve(self._factor, np.asarray(targets, dtype=np.float64))

    def rkhs_norm_sq(self, targets: ArrayLike) -> float:
        """tᵀ(Θ(X, X) + εI)⁻¹ t, the squared norm of the min-norm weight interpolating t."""
        t = np.asarray(targets, dtype=np.float64)
        return float(t @ self.coefficients(t))

    def explained_fraction(self, test_kernel_diag: ArrayLike) -> NDArray[np.float64]:
        r"""cos²α_n(x) = Θ(x, X)Θ(X, X)⁻¹Θ(X, x)/Θ(x, x), the feature's share in the data span.

        Args:
          test_kernel_diag: ``(n_test,)`` Θ(x, x) at the test points.
        """
        diag = np.asarray(test_kernel_diag, dtype=np.float64)
        if diag.shape != (self.ntk_cross.shape[0],) or np.any(diag <= 0):
            raise ConfigError("test_kernel_diag must hold one positive Θ(x, x) per test point.")
        projected = np.einsum("ij,ji->i", self.ntk_cross, self.coefficients(self.ntk_cross.T))
        return np.clip(projected / diag, 0.0, 1.0)

    def solve(
        self,
        *,
        soft_ratio: float,
        temperature: float,
        variant: Variant = "mixed-target",
        soft_scale: SoftScale = "temperature-squared",
    ) -> KDStudent:
        """The converged student for KD parameters (ρ, T, variant, c_T) (model §2 [R])."""
        g = effective_logit(
            self.teacher_logits,
            self.labels,
            soft_ratio=soft_ratio,
            temperature=temperature,
            variant=variant,
            soft_scale=soft_scale,
        )
        converged = bool(np.isfinite(g).all())
        # A non-converged root leaves NaN logits: NaN coefficients, never a partial solve.
        alpha = self.coefficients(g) if converged else np.full_like(g, np.nan)
        return KDStudent(
            soft_ratio=float(soft_ratio),
            temperature=float(temperature),
            variant=variant,
            soft_scale=soft_scale,
            training_logits=g,
            coefficients=alpha,
            test_logits=self.ntk_cross @ alpha,
            weight_norm_sq=float(g @ alpha),
            converged=converged,
        )

    def curve(
        self,
        over: str,
        values: ArrayLike,
        *,
        soft_ratio: float = 1.0,
        temperature: float = 1.0,
        variant: Variant = "mixed-target",
        soft_scale: SoftScale = "temperature-squared",
    ) -> KDStudentCurve:
        r"""Converged students along one KD parameter, as named arrays (one solve for all K).

        For each value v_k of ``over`` (ρ or T; the other parameters fixed) the student
        interpolates g_k = g_{ρ,T}(z_t, y): z_s,k(x) = Θ(x, X)(Θ(X, X) + εI)⁻¹ g_k. The K
        right-hand sides share the Cholesky factor, so the cost is O(K·n² + K·n_test·n).

        Args:
          over: ``"soft_ratio"`` or ``"temperature"`` (:data:`SWEEPABLE`).
          values: ``(K,)`` the swept values (each validated as in :meth:`solve`).
          soft_ratio: the fixed ρ (ignored when ρ is swept).
          temperature: the fixed T (ignored when T is swept).
          variant: the KD loss, as in :meth:`solve`.
          soft_scale: the soft term's scale, as in :meth:`solve`.

        Returns:
          :class:`KDStudentCurve`.

        Example:
          >>> K = np.eye(3)
          >>> student = LinearizedKD(K, K, np.array([1.0, -2.0, 3.0]), np.array([1, 0, 1]))
          >>> student.curve("temperature", [1.0, 2.0]).test_logits  # ρ = 1 copies z_t
          array([[ 1., -2.,  3.],
                 [ 1., -2.,  3.]])

        Reference: Ji & Zhu (2020), arXiv:2010.10090; converged solution, model §2 [R].
        """
        if over not in SWEEPABLE:
            raise ConfigError(f"over must be one of {SWEEPABLE}, got {over!r}.")
        swept = np.atleast_1d(np.asarray(values, dtype=np.float64))
        if swept.ndim != 1 or swept.size == 0:
            raise ConfigError(f"values must be a non-empty 1-D sequence of {over}, got {values!r}.")
        fixed = {"soft_ratio": soft_ratio, "temperature": temperature}
        logits = []
        for value in swept:
            fixed[over] = float(value)
            logits.append(
                effective_logit(
                    self.teacher_logits,
                    self.labels,
                    variant=variant,
                    soft_scale=soft_scale,
                    **fixed,
                )
            )
        g = np.stack(logits, axis=1)
        converged = np.isfinite(g).all(axis=0)
        alpha = self.coefficients(np.where(converged, g, 0.0))
        alpha[:, ~converged] = np.nan
        return KDStudentCurve(
            over=over,
            values=swept,
            training_logits=g.T,
            test_logits=(self.ntk_cross @ alpha).T,
            weight_norm_sq=np.einsum("ik,ik->k", g, alpha),
            converged=converged,
        )


@dataclass(frozen=True)
class KDStudentCurve:
    """Converged wide students along one swept KD parameter (:meth:`LinearizedKD.curve`).

    Attributes:
      over: the swept parameter, ``"soft_ratio"`` (ρ) or ``"temperature"`` (T).
      values: ``(K,)`` its values.
      training_logits: ``(K, n)`` g on the training points.
      test_logits: ``(K, n_test)`` z_s on the test points.
      weight_norm_sq: ``(K,)`` ‖Δw‖² = gᵀ(Θ + εI)⁻¹g.
      converged: ``(K,)`` whether the effective-logit root finder converged (else NaN rows).
    """

    over: str
    values: NDArray[np.float64]
    training_logits: NDArray[np.float64]
    test_logits: NDArray[np.float64]
    weight_norm_sq: NDArray[np.float64]
    converged: NDArray[np.bool_]


@dataclass(frozen=True)
class RiskBound:
    """The transfer-risk bound of model §3.1 on one training set.

    Attributes:
      bound: P_x[|cos θ(x)| ≤ sin γ_n · sin α_n(x)] (both angles).
      weight_angle_bound: P_x[|cos θ(x)| ≤ sin γ_n] (the weight angle only; ≥ ``bound``).
      sin_gamma: sin γ_n, the angle between the teacher weight and the student weight.
    """

    bound: float
    weight_angle_bound: float
    sin_gamma: float


def transfer_risk_bound(
    student: LinearizedKD,
    teacher_test_logits: ArrayLike,
    test_kernel_diag: ArrayLike,
    teacher_norm_sq: float,
) -> RiskBound:
    r"""Angle bound on the transfer risk of the pure-soft-label student (ρ = 1, perfect teacher).

    With z_t(x) = w_tᵀφ(x) and the student Δw = P_n w_t (projection on the data span),
    z_t − z_s = ((I−P_n)w_t)ᵀ((I−P_n)φ(x)), and a sign error needs |z_t| ≤ |z_t − z_s|, hence

        R_n ≤ P_x[|cos θ(x)| ≤ sin γ_n · sin α_n(x)] ≤ P_x[|cos θ(x)| ≤ sin γ_n],

    cos θ(x) = z_t(x)/(‖w_t‖√Θ(x, x)), sin²α_n(x) = 1 − cos²α_n(x) (:meth:`LinearizedKD.
    explained_fraction`), sin²γ_n = 1 − z_tᵀΘ(X, X)⁻¹z_t/‖w_t‖². P_x is the mean over the test
    points (Monte Carlo error ≈ √(R(1−R)/n_test)).

    Args:
      student: the factored student; its ``teacher_logits`` must be w_tᵀφ on the training points.
      teacher_test_logits: ``(n_test,)`` z_t at the test points.
      test_kernel_diag: ``(n_test,)`` Θ(x, x) at the test points.
      teacher_norm_sq: ‖w_t‖² in the same kernel convention (e.g. aᵀΘ(C, C)a).

    Reference: Ji & Zhu (2020) §3 (a transfer-risk bound exists, tighter than Phuong & Lampert's
    asymptotically and loose at small n: [V] via Review 1); its form here: model §3.1 [R].
    """
    z_t = np.asarray(teacher_test_logits, dtype=np.float64)
    diag = np.asarray(test_kernel_diag, dtype=np.float64)
    if z_t.shape != (student.ntk_cross.shape[0],) or diag.shape != z_t.shape:
        raise ConfigError("teacher test logits and kernel diagonal need one entry per test point.")
    if not (math.isfinite(teacher_norm_sq) and teacher_norm_sq > 0):
        raise ConfigError(f"teacher_norm_sq must be positive, got {teacher_norm_sq!r}.")
    cos_theta = np.abs(z_t) / np.sqrt(teacher_norm_sq * diag)
    sin_alpha = np.sqrt(1.0 - student.explained_fraction(diag))
    captured = student.rkhs_norm_sq(student.teacher_logits) / teacher_norm_sq
    sin_gamma = math.sqrt(min(max(1.0 - captured, 0.0), 1.0))
    return RiskBound(
        bound=float(np.mean(cos_theta <= sin_gamma * sin_alpha)),
        weight_angle_bound=float(np.mean(cos_theta <= sin_gamma)),
        sin_gamma=sin_gamma,
    )


@dataclass(frozen=True)
class LocalExponent:
    """Finite-difference log-log slopes of a curve sampled at n_k.

    Attributes:
      n: ``(K−1,)`` geometric midpoints √(n_k n_{k+1}).
      exponent: ``(K−1,)`` the local slopes.
    """

    n: NDArray[np.float64]
    exponent: NDArray[np.float64]


def _log_slopes(ns: Iterable[float], values: Iterable[float], what: str) -> LocalExponent:
    n = np.asarray(list(ns), dtype=np.float64)
    v = np.asarray(list(values), dtype=np.float64)
    if n.ndim != 1 or n.shape != v.shape or n.size < 2:
        raise ConfigError(f"need at least two sample sizes and one {what} per size.")
    if np.any(n <= 0) or np.any(np.diff(n) <= 0):
        raise ConfigError("sample sizes must be positive and strictly increasing.")
    if np.any(~np.isfinite(v)) or np.any(v <= 0):
        raise ConfigError(f"every {what} must be positive and finite (a log-slope needs logs).")
    log_n = np.log(n)
    return LocalExponent(
        np.exp(0.5 * (log_n[1:] + log_n[:-1])), np.diff(np.log(v)) / np.diff(log_n)
    )


def weight_norm_growth(ns: Iterable[float], norms: Iterable[float]) -> LocalExponent:
    r"""I(n) = d ln E‖Δw_n‖² / d ln n by finite differences (model §3.2, [R]).

    I_k = [ln N(n_{k+1}) − ln N(n_k)] / [ln n_{k+1} − ln n_k], N the seed-averaged ‖Δw‖². I ≈ 0:
    the target lies in the RKHS (data-efficient); I ≳ 1: the complexity grows like n and the
    Arora et al. bound ∝ √(‖Δw‖²/n) stops decreasing.

    Args:
      ns: increasing sample sizes n_k (a doubling grid in the model).
      norms: seed-averaged ‖Δw_{n_k}‖², positive.
    """
    return _log_slopes(ns, norms, "weight norm")


def risk_curve_exponent(ns: Iterable[float], risks: Iterable[float]) -> LocalExponent:
    r"""β(n) = −d ln R / d ln n by finite differences: the learning-curve alternative (model §3.2).

    The paper may define data inefficiency through the risk curve instead (e.g. as 1/β); this is
    that quantity's ingredient. Risks must be positive (a zero Monte Carlo risk has no log).
    """
    slopes = _log_slopes(ns, risks, "risk")
    return LocalExponent(slopes.n, -slopes.exponent)


def data_inefficiency(ns: Iterable[float], weight_norms: Iterable[float]) -> LocalExponent:
    r"""Data inefficiency I(n), by default the weight-norm growth exponent (model §3.2, §6.2).

    Same as :func:`weight_norm_growth`. Why it is the default: it follows Arora et al.'s complexity
    gᵀΘ⁻¹g, which is the model's best reconstruction of the paper's Section 4 metric; it depends
    on the training inputs only (no test sample, so no Monte Carlo error from test points); and it
    stays defined where the risk is 0 or flat. :func:`risk_curve_exponent` is the alternative.
    """
    return weight_norm_growth(ns, weight_norms)

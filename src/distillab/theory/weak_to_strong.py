r"""Weak-to-strong distillation in ridgeless high-dimensional regression (Ildiz et al. 2025).

A target model with p features is fitted by minimum-norm least squares (ridgeless regression) on
n < p samples x ~ N(0, Σ), Σ = diag(λ₁, …, λ_p), whose labels come from a surrogate β_s:
ỹ = xᵀβ_s (+ optional label noise of variance σ²). Its excess risk against the truth β* is

  R(β_s) = E‖β̂ − β*‖²_Σ,   β̂ = X⁺Xβ_s + X⁺ε = Pβ_s + X⁺ε,   P the projector on the row space.

Deterministic equivalents (reconstructed, [R], standard ridgeless-regression theory: Hastie et al.
2022; Bach 2024): the effective regularisation κ > 0 and the degrees-of-freedom ratio γ solve

  n = Σᵢ λᵢ/(λᵢ + κ),     γ = (1/n) Σᵢ λᵢ²/(λᵢ + κ)²  (< 1),

and E[I − P] ≈ κ(Σ + κ)⁻¹, E[(I − P)Σ(I − P)] ≈ κ²(Σ + κ)⁻¹Σ(Σ + κ)⁻¹/(1 − γ),
E tr Σ(XᵀX)⁺ ≈ γ/(1 − γ). With Σ diagonal the risk is a diagonal quadratic in β_s:

  R(β_s) = Σᵢ [cᵢ β_{s,i}² − 2dᵢ β*ᵢ β_{s,i} + λᵢ β*ᵢ²] + σ² γ/(1 − γ),
  cᵢ = λᵢ(λᵢ² + κ²g)/(λᵢ + κ)²,   dᵢ = λᵢ²/(λᵢ + κ),   g = γ/(1 − γ).

Consequences (all [R]): strong labels are β_s = β* (R = κ²/(1−γ)·Σλᵢβ*ᵢ²/(λᵢ+κ)² + σ²g); the optimal
surrogate is β_s = ζ ⊙ β* with the gain ζᵢ = dᵢ/cᵢ = λᵢ(λᵢ + κ)/(λᵢ² + κ²g), > 1 (amplification)
for λᵢ > κg and < 1 (shrinkage) below; the optimal 0-1 mask keeps feature i iff
λᵢ > τ = κ(1/√(1 − γ) − 1), independent of β*.

A surrogate fitted by ridgeless ERM on n_s < p samples of covariance Σ_s = diag(λ_s) (same
eigenbasis) with label noise σ_s² (distribution shift) has, by the same equivalents, independent
coordinates in the mean-square sense: E β_{s,i} = mᵢ = λ_{s,i}β*ᵢ/(λ_{s,i} + κ_s) and
Var β_{s,i} = vᵢ = (κ_s² B_s + σ_s²)·λ_{s,i}/(n_s(1 − γ_s)(λ_{s,i} + κ_s)²), B_s = Σⱼ
λ_{s,j}β*ⱼ²/(λ_{s,j} + κ_s)², so the target's risk averaged over the surrogate's data is
Σᵢ [cᵢ(mᵢ² + vᵢ) − 2dᵢβ*ᵢmᵢ + λᵢβ*ᵢ²] + σ²g.

Cost: κ by a bracketed root search (O(p) per evaluation, ~60 evaluations), done once per
(spectrum, n) when :class:`RidgelessTarget` is built; every risk is then O(p).

Reference: Ildiz, Gozeten, Taga, Mondelli & Oymak, arXiv:2410.18837 (ICLR 2025); model page
``docs/models/weak-to-strong.md`` (§2–§7).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import brentq

from distillab.errors import ConfigError

__all__ = [
    "RidgelessTarget",
    "erm_surrogate_moments",
    "power_law_problem",
]


def _spectrum(eigenvalues: ArrayLike) -> NDArray[np.float64]:
    lam = np.asarray(eigenvalues, dtype=np.float64)
    if lam.ndim != 1 or lam.size < 2:
        raise ConfigError(f"eigenvalues must be a 1-D array of length ≥ 2, got shape {lam.shape}.")
    if not (np.all(np.isfinite(lam)) and np.all(lam > 0)):
        raise ConfigError("eigenvalues must all be in (0, inf).")
    return lam


def _kappa(lam: NDArray[np.float64], n: int) -> tuple[float, float]:
    """(κ, γ) solving n = Σ λ/(λ+κ), γ = Σ λ²/(λ+κ)²/n, for 0 < n < p."""
    if not (isinstance(n, int | np.integer) and 0 < n < lam.size):
        raise ConfigError(
            f"n must be a whole number in [1, {lam.size - 1}] (ridgeless interpolation needs "
            f"n < p = {lam.size}), got {n!r}."
        )

    def excess(log_kappa: float) -> float:
        return float(np.sum(lam / (lam + math.exp(log_kappa)))) - n

    low, high = math.log(lam.min()) - 40.0, math.log(lam.max()) + 40.0
    log_kappa = brentq(excess, low, high, xtol=1e-13, rtol=1e-15, maxiter=500)
    kappa = math.exp(log_kappa)
    gamma = float(np.sum((lam / (lam + kappa)) ** 2)) / n
    return kappa, gamma


@dataclass(frozen=True, eq=False)
class RidgelessTarget:
    r"""The min-norm target model on n < p samples of N(0, diag(λ)): risk for any surrogate.

    Build once per (spectrum, n) — one root search for κ — then evaluate :meth:`risk`,
    :meth:`optimal_surrogate`, :meth:`optimal_mask` at O(p) each.

    Args:
      eigenvalues: ``(p,)`` the covariance spectrum λ (positive).
      n: the target's sample size, 0 < n < p.

    Attributes:
      kappa: κ solving n = Σ λᵢ/(λᵢ + κ) (effective regularisation).
      gamma: γ = Σ λᵢ²/(λᵢ + κ)²/n ∈ (0, 1).
      quadratic: ``(p,)`` cᵢ = λᵢ(λᵢ² + κ²γ/(1−γ))/(λᵢ + κ)².
      linear: ``(p,)`` dᵢ = λᵢ²/(λᵢ + κ).

    Example:
      >>> target = RidgelessTarget(1.0 / np.arange(1, 101) ** 2, n=40)
      >>> beta = np.arange(1, 101) ** -0.25
      >>> bool(target.risk(target.optimal_surrogate(beta), beta) < target.risk(beta, beta))
      True

    Reference: Ildiz et al., arXiv:2410.18837; model page §2–§4 ([R]).
    """

    eigenvalues: ArrayLike
    n: int
    kappa: float = field(init=False)
    gamma: float = field(init=False)
    quadratic: NDArray[np.float64] = field(init=False, repr=False)
    linear: NDArray[np.float64] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        lam = _spectrum(self.eigenvalues)
        kappa, gamma = _kappa(lam, self.n)
        g = gamma / (1.0 - gamma)
        values = {
            "eigenvalues": lam,
            "kappa": kappa,
            "gamma": gamma,
            "quadratic": lam * (lam**2 + kappa**2 * g) / (lam + kappa) ** 2,
            "linear": lam**2 / (lam + kappa),
        }
        for name, value in values.items():
            object.__setattr__(self, name, value)

    @property
    def variance_factor(self) -> float:
        """g = γ/(1 − γ) ≈ E tr Σ(XᵀX)⁺: the risk added per unit of label-noise variance."""
        return self.gamma / (1.0 - self.gamma)

    def _vector(self, values: ArrayLike, name: str) -> NDArray[np.float64]:
        array = np.asarray(values, dtype=np.float64)
        p = self.quadratic.size
        if array.shape != (p,) or not np.all(np.isfinite(array)):
            raise ConfigError(f"{name} must be a finite ({p},) vector, got shape {array.shape}.")
        return array

    def risk(self, surrogate: ArrayLike, truth: ArrayLike, *, noise: float = 0.0) -> float:
        """Excess risk E‖β̂ − β*‖²_Σ of the target trained on labels xᵀβ_s + N(0, σ²).

        Args:
          surrogate: ``(p,)`` β_s (β_s = β* gives strong labels).
          truth: ``(p,)`` β*.
          noise: σ² ≥ 0, the variance of the label noise the target sees.
        """
        beta_s = self._vector(surrogate, "surrogate")
        beta = self._vector(truth, "truth")
        if not (noise >= 0 and math.isfinite(noise)):
            raise ConfigError(f"noise (a variance σ²) must be in [0, inf), got {noise!r}.")
        lam = np.asarray(self.eigenvalues)
        quadratic = self.quadratic * beta_s**2 - 2.0 * self.linear * beta * beta_s
        return float(np.sum(quadratic + lam * beta**2) + noise * self.variance_factor)

    def gain(self) -> NDArray[np.float64]:
        """ζᵢ = λᵢ(λᵢ + κ)/(λᵢ² + κ²γ/(1−γ)): the optimal surrogate is ζ ⊙ β* (shape ``(p,)``)."""
        return self.linear / self.quadratic

    def optimal_surrogate(self, truth: ArrayLike) -> NDArray[np.float64]:
        """argmin over β_s of :meth:`risk`: β_s = ζ ⊙ β* (amplifies λᵢ > κg, shrinks below)."""
        return self.gain() * self._vector(truth, "truth")

    @property
    def mask_threshold(self) -> float:
        """τ = κ(1/√(1−γ) − 1): the optimal 0-1 mask keeps exactly the features with λᵢ > τ."""
        return self.kappa * (1.0 / math.sqrt(1.0 - self.gamma) - 1.0)

    def optimal_mask(self) -> NDArray[np.bool_]:
        """The optimal 0-1 mask M (β_s = M ⊙ β*): keep feature i iff λᵢ > τ, for every β*."""
        return np.asarray(self.eigenvalues) > self.mask_threshold

    def risk_of_erm_surrogate(
        self, mean: ArrayLike, variance: ArrayLike, truth: ArrayLike, *, noise: float = 0.0
    ) -> float:
        """Risk averaged over a random surrogate with coordinate means m and variances v.

        Σᵢ [cᵢ(mᵢ² + vᵢ) − 2dᵢβ*ᵢmᵢ + λᵢβ*ᵢ²] + σ²g; with (m, v) from
        :func:`erm_surrogate_moments` this is the distribution-shift risk ([R]).
        """
        m = self._vector(mean, "mean")
        v = self._vector(variance, "variance")
        if np.any(v < 0):
            raise ConfigError("variance must be ≥ 0.")
        return self.risk(m, truth, noise=noise) + float(np.sum(self.quadratic * v))


def erm_surrogate_moments(
    eigenvalues: ArrayLike, n: int, truth: ArrayLike, *, noise: float = 0.0
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Coordinate means and variances of a min-norm surrogate fitted on n < p samples.

    The surrogate sees x ~ N(0, diag(λ_s)) (its own, possibly shifted, spectrum) with labels
    xᵀβ* + N(0, σ_s²). Deterministic equivalents ([R]): mᵢ = λ_{s,i}β*ᵢ/(λ_{s,i} + κ_s),
    vᵢ = (κ_s²B_s + σ_s²)·λ_{s,i}/(n(1 − γ_s)(λ_{s,i} + κ_s)²), B_s = Σⱼ λ_{s,j}β*ⱼ²/(λ_{s,j}+κ_s)².

    Returns:
      ``(mean, variance)``, each ``(p,)``.
    """
    lam = _spectrum(eigenvalues)
    beta = np.asarray(truth, dtype=np.float64)
    if beta.shape != lam.shape:
        raise ConfigError(f"truth must have shape {lam.shape}, got {beta.shape}.")
    if not (noise >= 0 and math.isfinite(noise)):
        raise ConfigError(f"noise (a variance σ²) must be in [0, inf), got {noise!r}.")
    kappa, gamma = _kappa(lam, n)
    bias = float(np.sum(lam * beta**2 / (lam + kappa) ** 2))
    mean = lam * beta / (lam + kappa)
    variance = (kappa**2 * bias + noise) * lam / (n * (1.0 - gamma) * (lam + kappa) ** 2)
    return mean, variance


def power_law_problem(
    p: int, *, decay: float = 2.0, signal_decay: float = 1.5
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The paper's Figure 1 setting: λᵢ = i^(−decay), λᵢβ*ᵢ² = i^(−signal_decay) (stated).

    Returns ``(eigenvalues, truth)``, each ``(p,)``, with β*ᵢ = i^((decay − signal_decay)/2) > 0.
    """
    if not (isinstance(p, int | np.integer) and p >= 2):
        raise ConfigError(f"p must be a whole number ≥ 2, got {p!r}.")
    i = np.arange(1, p + 1, dtype=np.float64)
    return i**-decay, i ** ((decay - signal_decay) / 2.0)

r"""Repeated self-distillation of ridge regression: kernel (Mobahi, Borup) and linear (Pareek).

**Kernel ridge regression refitted on its own predictions.** With the Gram matrix
K = V diag(d) Vᵀ of the n training inputs and a ridge λ (sum form: minimise
‖u − target‖² + λ‖f‖²_H), one fit maps its targets to training outputs A_λ·target with
A_λ = K(K + λI)⁻¹ = V diag(a) Vᵀ, a_i = d_i/(d_i + λ) ∈ [0, 1). Round t = 1 fits the labels y;
round t ≥ 2 fits the mixed targets α·y + (1 − α)·p_{t−1}, p_{t−1} the previous round's training
outputs (α = 0: pure self-distillation, Mobahi et al.; α ∈ (0, 1]: Borup & Andersen, α weighting
the ground truth). In eigen-coordinates ŷ = Vᵀy (with p₀ := y)

  p̂_{t,i} = a_i·(α ŷ_i + (1 − α) p̂_{t−1,i}) = b_{t,i}·ŷ_i,
  b_{t,i} = a_i·[α·(1 − q_i^{t−1})/(1 − q_i) + q_i^{t−1}],   q_i = (1 − α)·a_i,

so any round is a spectral function of the first fit (α = 0: b_{t,i} = a_i^t, small-eigenvalue
directions die first); as t → ∞, b_{∞,i} = d_i/(d_i + λ/α): the original problem with the ridge
amplified to λ/α. The prediction at test inputs with cross-kernel C = k(X_test, X) is
f_t = C V diag(1/(d + λ)) ·(target of round t)^. The ε-constrained version (Mobahi et al.) picks
each round's λ_t so that the training loss against that round's targets, ‖p_{t} − p_{t−1}‖²/n,
equals ε; once ‖p_{t−1}‖²/n ≤ ε the zero function satisfies the constraint and the fit collapses.

**Linear ridge regression, k steps (Pareek et al.).** With X = U diag(s) Vᵀ (n ≥ d), the ridge
hat matrix has eigenvalues a_j = s_j²/(s_j² + λ). Step 0 is ridge on y; step i fits
ξ_i·(step i−1's predictions) + (1 − ξ_i)·y. The k-step estimator is θ_k = V diag(h) ·(θ*
+ noise/s)-coordinates with h_j = Σ_{i=1}^{k+1} β_i a_j^i and Σβ_i = 1, where
β₁ = 1 − ξ_k, β₂ = ξ_k(1 − ξ_{k−1}), …, β_{k+1} = ξ_k⋯ξ₁. The fixed-design excess risk
E‖θ_k − θ*‖²_Σ̂ (Σ̂ = XᵀX/n) is quadratic in β, so the optimal β (hence ξ) is a linear solve.

Costs: one ``eigh`` (O(n³)) or SVD (O(nd²)) when the engine is built; every round, α, λ or k
after that is O(n) per coordinate vector (O(n_test·n) for test predictions).

References: Mobahi, Farajtabar & Bartlett, arXiv:2002.05715; Borup & Andersen,
arXiv:2102.13088; Pareek, Du & Oh, arXiv:2407.04600. Which formulas are stated by the papers
and which are reconstructed: ``docs/models/self-distillation.md``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import brentq, minimize_scalar

from distillab.errors import ConfigError
from distillab.kernels import GramSpectrum, gram_spectrum

__all__ = [
    "CollapsePath",
    "KernelSelfDistillation",
    "RepeatedRidge",
    "RoundPath",
    "StepsOptimum",
    "collapse_bounds",
    "imitation_from_mixing",
    "mixing_from_imitation",
]


def _ridge(value: float, name: str = "ridge") -> float:
    value = float(value)
    if not (math.isfinite(value) and value > 0):
        raise ConfigError(f"{name} must be in (0, inf), got {value!r}.")
    return value


def _label_weight(value: float) -> float:
    value = float(value)
    if not 0.0 <= value <= 1.0:
        raise ConfigError(f"label_weight must be in [0, 1], got {value!r}.")
    return value


def _rounds(value: int) -> int:
    if int(value) != value or value < 1:
        raise ConfigError(f"rounds must be a whole number ≥ 1, got {value!r}.")
    return int(value)


@dataclass(frozen=True)
class RoundPath:
    """Rounds 1…R of kernel self-distillation at one ridge.

    Attributes:
      label_weights: ``(R,)`` ground-truth weight α_t of each round (round 1 fits y: α₁ = 1).
      train: ``(R, n)`` training outputs p_t.
      test: ``(R, n_test)`` test predictions f_t (empty ``(R, 0)`` without a cross-kernel).
      factors: ``(R, n)`` b_{t,i} = p̂_{t,i}/ŷ_i for a fixed α (``nan`` for a per-round α).
      effective_basis: ``(R,)`` Σ_i b_{t,i} / max_i b_{t,i}, the effective number of basis
        functions (n at λ → 0, 1 when one direction survives); ``nan`` for a per-round α.
    """

    label_weights: NDArray[np.float64]
    train: NDArray[np.float64]
    test: NDArray[np.float64]
    factors: NDArray[np.float64]
    effective_basis: NDArray[np.float64]


@dataclass(frozen=True)
class CollapsePath:
    """The ε-constrained rounds of Mobahi et al. until the fit collapses to zero.

    Attributes:
      ridges: ``(T,)`` λ_t of the non-trivial rounds (training loss = ε exactly).
      norms: ``(T + 1,)`` ‖p_t‖²/n for t = 0 (the labels) … T.
      rounds: T, the number of non-trivial rounds (the next one returns f = 0).
      collapsed: whether the collapse happened within ``max_rounds``.
    """

    ridges: NDArray[np.float64]
    norms: NDArray[np.float64]
    rounds: int
    collapsed: bool


def collapse_bounds(label_norm: float, loss: float) -> tuple[int, int]:
    """Reconstructed bracket on the rounds T before collapse at training loss ε.

    With r = ‖y‖²/(nε): ⌈√r⌉ − 1 ≤ T ≤ max(⌈r⌉ − 1, 0). Each non-trivial round moves the outputs
    by exactly √(nε) (so ‖p_t‖ ≥ ‖y‖ − t√(nε)) and, since every factor a_i ∈ [0, 1), shrinks
    ‖p‖² by at least nε (‖p‖² − ‖Ap‖² ≥ ‖p − Ap‖²); collapse is the first t with ‖p_t‖² ≤ nε.

    Args:
      label_norm: ‖y‖²/n.
      loss: ε > 0.
    """
    ratio = float(label_norm) / _ridge(loss, "loss ε")
    return max(math.ceil(math.sqrt(ratio) - 1e-12) - 1, 0), max(math.ceil(ratio - 1e-12) - 1, 0)


@dataclass(frozen=True, eq=False)
class KernelSelfDistillation:
    r"""Kernel ridge regression refitted on its own predictions (see the module docstring).

    Build once (one eigendecomposition of K), then query :meth:`rounds`, :meth:`closed_form`,
    :meth:`limit`, :meth:`optimal_rounds` and :meth:`collapse` at any ridge, α or ε.

    The ground-truth weight α of the papers is ``label_weight`` here (α ∈ [0, 1]; α = 0: pure
    self-distillation); λ is ``ridge`` (> 0, sum form).

    Args:
      gram: ``(n, n)`` symmetric positive semi-definite Gram matrix K (any kernel).
      labels: ``(n,)`` finite targets y.
      cross: ``(n_test, n)`` kernel between test and training inputs (optional).
      spectrum: a precomputed ``gram_spectrum(gram)`` to reuse.

    Example:
      >>> engine = KernelSelfDistillation(np.diag([2.0, 1.0]), np.array([1.0, 1.0]))
      >>> engine.rounds(ridge=1.0, rounds=2).train[-1]   # a_i² = (2/3)², (1/2)²
      array([0.44444444, 0.25      ])

    Reference: Mobahi et al., arXiv:2002.05715, §3–4; Borup & Andersen, arXiv:2102.13088, §3.
    """

    gram: ArrayLike
    labels: ArrayLike
    cross: ArrayLike | None = None
    spectrum: GramSpectrum | None = None
    _y_hat: NDArray[np.float64] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        gram = np.asarray(self.gram, dtype=np.float64)
        if gram.ndim != 2 or gram.shape[0] != gram.shape[1]:
            raise ConfigError(f"gram must be a square (n, n) matrix, got shape {gram.shape}.")
        if not np.isfinite(gram).all():
            raise ConfigError("gram must be finite.")
        labels = np.asarray(self.labels, dtype=np.float64)
        if labels.shape != (gram.shape[0],) or not np.isfinite(labels).all():
            raise ConfigError(
                f"labels must be a finite ({gram.shape[0]},) vector, got shape {labels.shape}."
            )
        cross = None if self.cross is None else np.asarray(self.cross, dtype=np.float64)
        if cross is not None and (cross.ndim != 2 or cross.shape[1] != gram.shape[0]):
            raise ConfigError(f"cross must be (n_test, {gram.shape[0]}), got {cross.shape}.")
        spectrum = gram_spectrum(gram) if self.spectrum is None else self.spectrum
        for name, value in (("gram", gram), ("labels", labels), ("cross", cross)):
            object.__setattr__(self, name, value)
        object.__setattr__(self, "spectrum", spectrum)
        object.__setattr__(self, "_y_hat", spectrum.project(labels))

    @property
    def n(self) -> int:
        """Number of training points."""
        return int(self._y_hat.size)

    def shrinkage(self, ridge: float) -> NDArray[np.float64]:
        """a_i = d_i/(d_i + λ), the factor one fit applies to eigen-coordinate i."""
        d = self.spectrum.eigenvalues  # type: ignore[union-attr]
        return d / (d + _ridge(ridge))

    def factors(self, ridge: float, rounds: int, label_weight: float = 0.0) -> NDArray[np.float64]:
        """``(R, n)`` b_{t,i} of rounds 1…R in Borup's closed form (a function of the first fit).

        b_{t,i} = a_i·[α(1 − q_i^{t−1})/(1 − q_i) + q_i^{t−1}] with q_i = (1 − α)a_i.
        """
        a, alpha = self.shrinkage(ridge), _label_weight(label_weight)
        t = np.arange(_rounds(rounds))[:, None]
        q = (1.0 - alpha) * a
        power = q[None, :] ** t
        geometric = np.where(q < 1.0, (1.0 - power) / np.where(q < 1.0, 1.0 - q, 1.0), t)
        return a * (alpha * geometric + power)

    def _test(self, ridge: float, targets_hat: NDArray[np.float64]) -> NDArray[np.float64]:
        if self.cross is None:
            return np.empty((targets_hat.shape[0], 0))
        d, vectors = self.spectrum.eigenvalues, self.spectrum.eigenvectors  # type: ignore[union-attr]
        return (targets_hat / (d + ridge)) @ vectors.T @ np.asarray(self.cross).T

    def rounds(self, ridge: float, rounds: int, label_weight: float = 0.0) -> RoundPath:
        """Rounds 1…R at a fixed ridge λ and ground-truth weight α (explicit recursion).

        Args:
          ridge: λ > 0 (sum form).
          rounds: R ≥ 1.
          label_weight: α ∈ [0, 1] (0: Mobahi's pure self-distillation).
        """
        weights = [1.0] + [_label_weight(label_weight)] * (_rounds(rounds) - 1)
        return self._path(ridge, weights, fixed=True)

    def _path(self, ridge: float, alphas: list[float], *, fixed: bool) -> RoundPath:
        a = self.shrinkage(ridge)
        targets, previous = [], self._y_hat
        for alpha in alphas:
            target = alpha * self._y_hat + (1.0 - alpha) * previous
            targets.append(target)
            previous = a * target
        targets_hat = np.asarray(targets)
        train_hat = a * targets_hat
        vectors = self.spectrum.eigenvectors  # type: ignore[union-attr]
        if fixed:
            factors = self.factors(ridge, len(alphas), alphas[-1] if len(alphas) > 1 else 0.0)
            basis = factors.sum(axis=1) / factors.max(axis=1)
        else:
            factors = np.full_like(train_hat, np.nan)
            basis = np.full(len(alphas), np.nan)
        return RoundPath(
            label_weights=np.asarray(alphas),
            train=train_hat @ vectors.T,
            test=self._test(ridge, targets_hat),
            factors=factors,
            effective_basis=basis,
        )

    def closed_form(self, ridge: float, round_: int, label_weight: float) -> NDArray[np.float64]:
        """Training outputs of round t straight from the first fit: V diag(b_t/a) Vᵀ p₁."""
        a = self.shrinkage(ridge)
        first = a * self._y_hat
        b = self.factors(ridge, round_, label_weight)[-1]
        ratio = np.divide(b, a, out=np.zeros_like(b), where=a > 0)
        return self.spectrum.eigenvectors @ (ratio * first)  # type: ignore[union-attr]

    def limit(self, ridge: float, label_weight: float) -> NDArray[np.float64]:
        """Training outputs after infinitely many rounds: plain KRR with ridge λ/α (α > 0)."""
        alpha = _label_weight(label_weight)
        if alpha == 0:
            return np.zeros(self.n)
        d = self.spectrum.eigenvalues  # type: ignore[union-attr]
        return self.spectrum.eigenvectors @ (d / (d + ridge / alpha) * self._y_hat)  # type: ignore[union-attr]

    def optimal_rounds(
        self, ridge: float, rounds: int, reference: ArrayLike, *, on: str = "test"
    ) -> RoundPath:
        """Rounds 1…R with α_t chosen greedily to minimise the error against f* (reconstructed).

        Round t's outputs are affine in α, f_t = α·g + (1 − α)·h, with g the fit of y and h the
        fit of the previous round's training outputs, so the minimiser of ‖f_t − r‖² over the
        evaluation points is α_t = ⟨g − h, r − h⟩/‖g − h‖² (unclipped; α_t = 1 if g = h).

        Args:
          reference: the noiseless values r = f* at the test inputs (``on="test"``, needs
            ``cross``) or at the training inputs (``on="train"``).
          on: where the error is measured.
        """
        if on not in ("train", "test"):
            raise ConfigError(f"on must be 'train' or 'test', got {on!r}.")
        if on == "test" and self.cross is None:
            raise ConfigError("optimal α on test points needs the cross-kernel.")
        r = np.asarray(reference, dtype=np.float64)
        a = self.shrinkage(ridge)
        vectors = self.spectrum.eigenvectors  # type: ignore[union-attr]
        size = self.n if on == "train" else np.asarray(self.cross).shape[0]
        if r.shape != (size,):
            raise ConfigError(f"reference must have shape ({size},), got {r.shape}.")

        def outputs(target_hat: NDArray[np.float64]) -> NDArray[np.float64]:
            if on == "train":
                return vectors @ (a * target_hat)
            return self._test(ridge, target_hat[None, :])[0]

        alphas, previous = [1.0], a * self._y_hat
        g = outputs(self._y_hat)
        for _ in range(_rounds(rounds) - 1):
            h = outputs(previous)
            gap = float(np.sum((g - h) ** 2))
            alpha = 1.0 if gap == 0 else float(np.dot(g - h, r - h) / gap)
            alphas.append(alpha)
            previous = a * (alpha * self._y_hat + (1.0 - alpha) * previous)
        return self._path(ridge, alphas, fixed=False)

    def collapse(self, loss: float, max_rounds: int = 1000) -> CollapsePath:
        """Mobahi's ε-constrained rounds: λ_t solves ‖p_t − p_{t−1}‖²/n = ε, until collapse.

        Args:
          loss: ε > 0, the training mean squared error each round is allowed.
          max_rounds: stop after this many non-trivial rounds (``collapsed=False``).
        """
        loss = _ridge(loss, "loss ε")
        d = self.spectrum.eigenvalues  # type: ignore[union-attr]
        current = self._y_hat.copy()
        norms, ridges = [float(current @ current) / self.n], []
        while norms[-1] > loss and len(ridges) < _rounds(max_rounds):

            def excess(log_ridge: float, current: NDArray[np.float64] = current) -> float:
                c = math.exp(log_ridge)
                return float(np.sum((c / (d + c) * current) ** 2)) / self.n - loss

            low, high = math.log(max(d[0], 1e-300)) - 60.0, math.log(max(d[0], 1e-300)) + 60.0
            if excess(low) > 0:  # a null-space component alone exceeds ε: no ridge fits it.
                break
            ridge = math.exp(brentq(excess, low, high, xtol=1e-13, rtol=1e-13))
            ridges.append(ridge)
            current = d / (d + ridge) * current
            norms.append(float(current @ current) / self.n)
        return CollapsePath(
            ridges=np.asarray(ridges),
            norms=np.asarray(norms),
            rounds=len(ridges),
            collapsed=norms[-1] <= loss,
        )


def mixing_from_imitation(imitation: ArrayLike) -> NDArray[np.float64]:
    """β from the imitation parameters (ξ₁, …, ξ_k): β₁ = 1 − ξ_k, …, β_{k+1} = ξ_k⋯ξ₁."""
    xi = np.asarray(imitation, dtype=np.float64)
    tails = np.concatenate([[1.0], np.cumprod(xi[::-1])])  # T_1 … T_{k+1}
    return tails - np.concatenate([tails[1:], [0.0]])


def imitation_from_mixing(mixing: ArrayLike) -> NDArray[np.float64]:
    """The inverse map: ξ_{k+1−i} = T_{i+1}/T_i with tail sums T_i = Σ_{l ≥ i} β_l (T_1 = 1)."""
    beta = np.asarray(mixing, dtype=np.float64)
    if not math.isclose(float(beta.sum()), 1.0, rel_tol=0, abs_tol=1e-9):
        raise ConfigError(f"the mixing coefficients β must sum to 1, got {beta.sum()!r}.")
    tails = np.cumsum(beta[::-1])[::-1]
    if np.any(tails[:-1] == 0):
        raise ConfigError("a tail sum of β is 0: no imitation parameters give this β.")
    return (tails[1:] / tails[:-1])[::-1]


@dataclass(frozen=True)
class StepsOptimum:
    """The optimal k-step self-distilled ridge estimator at one ridge (or the best ridge).

    Attributes:
      steps: k.
      ridge: λ.
      imitation: ``(k,)`` ξ₁ … ξ_k (ξ_i weights step i−1's predictions in step i's targets).
      mixing: ``(k+1,)`` β.
      risk: the expected fixed-design excess risk E‖θ_k − θ*‖²_Σ̂.
    """

    steps: int
    ridge: float
    imitation: NDArray[np.float64]
    mixing: NDArray[np.float64]
    risk: float


@dataclass(frozen=True, eq=False)
class RepeatedRidge:
    r"""k-step self-distillation of linear ridge regression on a fixed design (Pareek et al.).

    Build once (one SVD of X), then query :meth:`risk`, :meth:`optimum`, :meth:`estimate`.

    Args:
      design: ``(n, d)`` inputs X with n ≥ d and full column rank.

    Example:
      >>> engine = RepeatedRidge(np.diag([2.0, 1.0]))
      >>> bool(engine.optimum([1.0, 0.0], noise=0.1, ridge=1.0, steps=1).risk
      ...      <= engine.risk([1.0, 0.0], noise=0.1, ridge=1.0, imitation=[0.0]))
      True

    Reference: Pareek, Du & Oh, arXiv:2407.04600, §3–4 (ξ convention of their eq. (1)).
    """

    design: ArrayLike
    _u: NDArray[np.float64] = field(init=False, repr=False)
    _s: NDArray[np.float64] = field(init=False, repr=False)
    _vt: NDArray[np.float64] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        X = np.asarray(self.design, dtype=np.float64)
        if X.ndim != 2 or X.shape[0] < X.shape[1]:
            raise ConfigError(f"the design must be (n, d) with n ≥ d, got shape {X.shape}.")
        u, s, vt = np.linalg.svd(X, full_matrices=False)
        if s[-1] <= 1e-12 * s[0]:
            raise ConfigError("the design must have full column rank.")
        object.__setattr__(self, "design", X)
        object.__setattr__(self, "_u", u)
        object.__setattr__(self, "_s", s)
        object.__setattr__(self, "_vt", vt)

    @property
    def singular_values(self) -> NDArray[np.float64]:
        """s₁ ≥ … ≥ s_d."""
        return self._s.copy()

    @property
    def directions(self) -> NDArray[np.float64]:
        """``(d, d)`` right singular vectors v_j as columns."""
        return self._vt.T.copy()

    def _terms(
        self, theta_star: ArrayLike, noise: float, ridge: float, steps: int
    ) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64], float]:
        theta = self._vt @ np.asarray(theta_star, dtype=np.float64)
        n = self.design.shape[0]  # type: ignore[union-attr]
        s2 = self._s**2
        a = s2 / (s2 + _ridge(ridge))
        basis = a[:, None] ** np.arange(1, steps + 2)[None, :]  # Φ_{ji} = a_j^i
        weights = s2 / n
        signal = weights * theta**2
        total = signal + weights * float(noise) ** 2 / s2
        return basis, signal, total, float(signal.sum())

    def risk(
        self, theta_star: ArrayLike, *, noise: float, ridge: float, imitation: ArrayLike
    ) -> float:
        """E‖θ_k − θ*‖²_Σ̂ = Σ_j (s_j²/n)[(h_j − 1)²θ_j² + h_j²σ²/s_j²] for given ξ (k = len ξ)."""
        beta = mixing_from_imitation(imitation)
        basis, signal, total, constant = self._terms(theta_star, noise, ridge, beta.size - 1)
        h = basis @ beta
        return float(total @ h**2 - 2 * signal @ h + constant)

    def optimum(
        self, theta_star: ArrayLike, *, noise: float, ridge: float, steps: int
    ) -> StepsOptimum:
        """The risk-minimising ξ at ridge λ: minimise βᵀQβ − 2bᵀβ subject to Σβ = 1 (KKT)."""
        if int(steps) != steps or steps < 0:
            raise ConfigError(f"steps must be a non-negative integer, got {steps!r}.")
        basis, signal, total, constant = self._terms(theta_star, noise, ridge, int(steps))
        q = basis.T @ (total[:, None] * basis)
        b = basis.T @ signal
        size = q.shape[0]
        kkt = np.block([[2 * q, np.ones((size, 1))], [np.ones((1, size)), np.zeros((1, 1))]])
        rhs = np.concatenate([2 * b, [1.0]])
        beta = np.linalg.lstsq(kkt, rhs, rcond=None)[0][:size]
        h = basis @ beta
        risk = float(total @ h**2 - 2 * signal @ h + constant)
        try:
            xi = imitation_from_mixing(beta)
        except ConfigError:
            xi = np.full(int(steps), np.nan)
        return StepsOptimum(int(steps), float(ridge), xi, beta, risk)

    def best(
        self, theta_star: ArrayLike, *, noise: float, steps: int, ridges: ArrayLike
    ) -> StepsOptimum:
        """The optimum over λ: the best of a log-grid ``ridges``, refined by a bounded search."""
        grid = np.asarray(ridges, dtype=np.float64)
        risks = [self.optimum(theta_star, noise=noise, ridge=r, steps=steps).risk for r in grid]
        i = int(np.argmin(risks))
        low, high = np.log(grid[max(i - 1, 0)]), np.log(grid[min(i + 1, grid.size - 1)])
        found = minimize_scalar(
            lambda x: self.optimum(theta_star, noise=noise, ridge=math.exp(x), steps=steps).risk,
            bounds=(low, high),
            method="bounded",
            options={"xatol": 1e-6},
        )
        ridge = math.exp(found.x) if found.fun < risks[i] else float(grid[i])
        return self.optimum(theta_star, noise=noise, ridge=ridge, steps=steps)

    def estimate(self, targets: ArrayLike, *, ridge: float, imitation: ArrayLike) -> NDArray:
        """θ_k by the explicit recursion (k + 1 ridge solves) for ``(n,)`` or ``(n, B)`` targets."""
        X = self.design
        y = np.asarray(targets, dtype=np.float64)
        gram = X.T @ X + _ridge(ridge) * np.eye(X.shape[1])  # type: ignore[union-attr]
        theta = np.linalg.solve(gram, X.T @ y)  # type: ignore[union-attr]
        for xi in np.asarray(imitation, dtype=np.float64):
            theta = np.linalg.solve(gram, X.T @ (xi * (X @ theta) + (1.0 - xi) * y))  # type: ignore[operator]
        return theta

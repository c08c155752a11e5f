r"""Knowledge transfer with privileged information in the kernel regime (Rahbar et al.).

A student f_W(x) = m^{-1/2} Σ_r a_r relu(w_rᵀx) (only W trained) is trained on n points with
outputs u ∈ ℝⁿ, labels y and teacher outputs z (the privileged information, PI). In the kernel
regime its outputs move linearly with the Gram matrix H = H^∞ = ``relu_ntk(X, trained="first")``.
Two objectives, both written as SUMS over samples as in the model (model §2.4):

  KT-A ``objective="output"`` (reconstructed, [R]): Φ_λ = ½‖u − y‖² + (λ/2)‖u − z‖²
      du/dt = −(1+λ) H (u − u*),            u* = (y + λz)/(1+λ);
  KT-B ``objective="rkhs"`` (guess, [G]):     Ψ_λ = ½‖u − y‖² + (λ/2)‖W − W_T‖²
      du/dt = −(H + λI)(u − u*_B),          u*_B = (H + λI)⁻¹(Hy + λz),

(KT-B assumes a teacher of the same architecture that shares the student's initialisation, so
J(W − W_T) = u − z in the kernel regime). ``normalization="mixture"`` divides either objective by
(1+λ): the soft-ratio form ½[(1−α)‖u−y‖² + α‖u−z‖²] with α = λ/(1+λ), same minimiser, time
slower by (1+λ) (model §2.4, §6.1).

Both dynamics are diagonal in the eigenbasis H = V diag(μ) Vᵀ: mode i relaxes towards the target
at the rate r_i = s·(1+λ)μ_i (KT-A) or r_i = s·(μ_i + λ) (KT-B), s = 1 (sum) or 1/(1+λ) (mixture).
Gradient flow multiplies u(0) − u* by e^{−r_i t}; gradient descent with step η (on the sum) by
(1 − η r_i)ᵏ. One ``eigh`` (O(n³)) is done when the engine is built; every later query costs
O(n²) per time (O(n_test·n²) once per ``predict`` call). Reuse the decomposition across λ with
``dataclasses.replace(engine, pi_weight=λ')``, which passes the stored spectrum on.

Step-size convention: :func:`distillab.losses.pi_loss` is the MEAN over samples; gradient descent
with step η_mean on it equals descent with step η = η_mean/n on the sums used here.

Multi-output targets ``(n, C)`` work column by column with the same H (model §2.2, [R]).

Reference: Rahbar, Panahi, Bhattacharyya, Dubhashi, Haghir Chehreghani, arXiv:2003.13438
(``docs/models/rahbar-2020.md`` §2–§3: T1 limit, T2 test function, T3 trajectory,
T4 iterations, T5 weight movement and complexity, all [R] reconstructions); Arora et al.,
arXiv:1901.08584; Du et al., arXiv:1810.02054.
"""

from __future__ import annotations

import math
from dataclasses import KW_ONLY, dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from distillab.errors import ConfigError
from distillab.kernels import GramSpectrum, gram_spectrum

__all__ = [
    "Complexity",
    "KernelKD",
    "KernelKDTrajectory",
    "Normalization",
    "PIObjective",
    "StepCount",
]

PIObjective = Literal["output", "rkhs"]
Normalization = Literal["sum", "mixture"]
_OBJECTIVES: tuple[str, ...] = ("output", "rkhs")
_NORMALIZATIONS: tuple[str, ...] = ("sum", "mixture")


@dataclass(frozen=True)
class StepCount:
    """Gradient-descent iterations until ‖u(k) − u*‖ ≤ ε (model T4).

    Attributes:
      exact: min{k : Σ_i (1 − η r_i)^{2k} ‖v_iᵀc‖² ≤ ε²}, c = u* − u(0); ``None`` if never
        (unstable); ``math.inf`` if the count exceeds the float range (η r_i below ~1e-300).
      bound: the worst-case count ⌈ln(‖c‖/ε) / (−ln ρ)⌉; ``None`` if unstable, ``math.inf``
        as for ``exact``.
      contraction: ρ = max_i |1 − η r_i|; it equals 1 − η(1+λ)μ_min (KT-A, sum) whenever
        η(1+λ)(μ_max + μ_min) ≤ 2. It rounds to 1.0 when η·min_i r_i < 1e-16; the counts use
        ``log_contraction`` and stay exact.
      stable: 0 < η r_i < 2 for every mode, i.e. ρ < 1 in exact arithmetic (GD diverges along
        the top mode when η·max_i r_i ≥ 2 and never moves along a null mode).
      log_contraction: ln ρ = max_i ln|1 − η r_i|, from log1p(−η r_i) so that it keeps its
        digits for tiny steps (ln ρ ≈ −η·min_i r_i); ``nan`` when unstable.
    """

    exact: int | float | None
    bound: int | float | None
    contraction: float
    stable: bool
    log_contraction: float = math.nan


@dataclass(frozen=True)
class Complexity:
    """The complexity term of the generalisation bound and its convexity bound (model T5, [R]).

    Attributes:
      term: sqrt(2 u*ᵀH⁻¹u*/n) (summed over output columns).
      bound: sqrt(2 Σ_i [w_i ŷ_i² + (1 − w_i) ẑ_i²]/(μ_i n)) ≥ ``term``, with the data weight
        w_i = 1/(1+λ) (KT-A: (1−α)yᵀH⁻¹y + αzᵀH⁻¹z) or μ_i/(μ_i+λ) (KT-B), by convexity per mode.
    """

    term: float
    bound: float


@dataclass(frozen=True)
class KernelKDTrajectory:
    """Named arrays of one :meth:`KernelKD.trajectory` query over T times.

    Attributes:
      times: ``(T,)`` gradient-flow times t (or step counts k for gradient descent).
      train_outputs: ``(T, n)`` or ``(T, n, C)`` u(t) on the training inputs.
      test_outputs: ``(T, n_test)`` or ``(T, n_test, C)`` f_t on the test inputs (``(T, 0)`` or
        ``(T, 0, C)`` when no test kernel was given).
      weight_distance: ``(T,)`` ‖W(t) − W(0)‖_F (``nan`` when H is singular: it needs H⁻¹).
      limit: u(∞) on the training inputs, the shape of ``y``.
    """

    times: NDArray[np.float64]
    train_outputs: NDArray[np.float64]
    test_outputs: NDArray[np.float64]
    weight_distance: NDArray[np.float64]
    limit: NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class KernelKD:
    r"""Kernel-regime dynamics of a student trained with privileged information (model §3).

    Build once (one eigendecomposition), then query :meth:`trajectory` (named arrays over
    times), :meth:`outputs`, :meth:`predict`, :meth:`steps_to`, :meth:`weight_distance` and
    :meth:`complexity` at any times.

    Assumption of the KT-B (``objective="rkhs"``) predictions: the teacher's weight change
    W_T − W(0) lies in the span of the training features, W_T − W(0) = Jᵀβ_T with J the
    (n × p) Jacobian of the training outputs (true for a teacher of the same architecture
    trained by gradient descent on these n points from the student's initialisation). Only
    then is the penalty (λ/2)‖W − W_T‖² a function of the outputs, ½λ(u − z)ᵀH⁻¹(u − z)
    up to a constant, and the dynamics closes on u with the rate H + λI and the limit
    u*_B = (H + λI)⁻¹(Hy + λz). Otherwise the teacher has a component P⊥(W_T − W(0))
    orthogonal to the span: the training outputs do not see it (their predictions, :meth:`outputs`
    and :meth:`steps_to`, still hold), but the weights are pulled along it at rate λ (sum form),
    so W(t) − W(0) gains (1 − e^{−λt})P⊥(W_T − W(0)) and a test output gains
    J(x)·(1 − e^{−λt})P⊥(W_T − W(0)), a term no kernel h(x)ᵀH⁻¹(·) expresses: :meth:`predict`,
    :meth:`weight_coefficients`, :meth:`weight_distance` and :meth:`complexity` then miss it for
    KT-B (KT-A is unaffected: its penalty acts on the outputs only).

    Args:
      ntk_gram: ``(n, n)`` NTK Gram matrix H = H^∞ (symmetric positive semi-definite; the methods
        that need H⁻¹ require it positive definite).
      y: ``(n,)`` or ``(n, C)`` labels.
      z: teacher outputs (the PI), same shape as ``y``.
      u0: initial outputs u(0) on the training points, same shape (default 0: small κ or an
        antisymmetric initialisation; κ = 1 keeps u(0), model §6.4).
      objective: ``"output"`` (KT-A) or ``"rkhs"`` (KT-B).
      pi_weight: λ ∈ [0, ∞); ``math.inf`` (pure KD, α = 1) only with ``"output"`` and ``"mixture"``.
      normalization: ``"sum"`` (model's Φ_λ) or ``"mixture"`` (Φ_λ/(1+λ)).
      spectrum: a precomputed ``gram_spectrum(H)`` to reuse (``None``: computed here).

    Example:
      >>> H = np.array([[1.0, 0.2], [0.2, 1.0]])
      >>> kd = KernelKD(H, np.array([1.0, -1.0]), np.array([0.0, 0.0]), pi_weight=1.0)
      >>> kd.limit()
      array([ 0.5, -0.5])

    Reference: Rahbar et al., arXiv:2003.13438; model §2.4–§3 (T1–T5, [R]; KT-B [G]).
    """

    ntk_gram: ArrayLike
    y: ArrayLike
    z: ArrayLike
    _: KW_ONLY
    u0: ArrayLike | None = None
    objective: PIObjective = "output"
    pi_weight: float = 1.0
    normalization: Normalization = "sum"
    spectrum: GramSpectrum | None = None
    _vector: bool = field(init=False, repr=False)
    _y_hat: NDArray[np.float64] = field(init=False, repr=False)
    _z_hat: NDArray[np.float64] = field(init=False, repr=False)
    _u0_hat: NDArray[np.float64] = field(init=False, repr=False)
    _target_hat: NDArray[np.float64] = field(init=False, repr=False)
    _rates: NDArray[np.float64] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        H = np.asarray(self.ntk_gram, dtype=np.float64)
        if H.ndim != 2 or H.shape[0] != H.shape[1]:
            raise ConfigError(f"ntk_gram must be a square (n, n) matrix, got shape {H.shape}.")
        if not np.isfinite(H).all():
            raise ConfigError("ntk_gram must be finite.")
        n = H.shape[0]
        y, vector = _as_targets(self.y, n, "y")
        z, _ = _as_targets(self.z, n, "z")
        u0 = np.zeros_like(y) if self.u0 is None else _as_targets(self.u0, n, "u0")[0]
        if z.shape != y.shape or u0.shape != y.shape:
            raise ConfigError(
                f"y, z and u0 must share one shape, got {y.shape}, {z.shape} and {u0.shape}."
            )
        if self.objective not in _OBJECTIVES:
            raise ConfigError(f"objective must be one of {_OBJECTIVES}, got {self.objective!r}.")
        if self.normalization not in _NORMALIZATIONS:
            raise ConfigError(
                f"normalization must be one of {_NORMALIZATIONS}, got {self.normalization!r}."
            )
        lam = _check_weight(self.pi_weight, self.objective, self.normalization)
        spectrum = gram_spectrum(H) if self.spectrum is None else self.spectrum
        if spectrum.eigenvalues.shape != (n,):
            raise ConfigError(
                f"spectrum must have {n} eigenvalues (ntk_gram is {n}×{n}), got "
                f"{spectrum.eigenvalues.size}."
            )
        mu = spectrum.eigenvalues
        y_hat, z_hat, u0_hat = (spectrum.project(t) for t in (y, z, u0))
        scale = 1.0 if self.normalization == "sum" else 1.0 / (1.0 + lam)
        if math.isinf(lam):
            rates, target = mu.copy(), z_hat
        elif self.objective == "output":
            rates = scale * (1.0 + lam) * mu
            target = (y_hat + lam * z_hat) / (1.0 + lam)
        else:
            rates = scale * (mu + lam)
            total = mu + lam
            # μ_i + λ = 0 only for a null mode at λ = 0, whose rate is 0: u keeps u(0) there.
            safe = np.where(total > 0, total, 1.0)[:, None]
            target = np.where(total[:, None] > 0, (mu[:, None] * y_hat + lam * z_hat) / safe, y_hat)
        # The fields keep the caller's shapes, so dataclasses.replace round-trips.
        values = {
            "ntk_gram": H,
            "y": y[:, 0] if vector else y,
            "z": z[:, 0] if vector else z,
            "u0": u0[:, 0] if vector else u0,
            "pi_weight": lam,
            "spectrum": spectrum,
            "_vector": vector,
            "_y_hat": y_hat,
            "_z_hat": z_hat,
            "_u0_hat": u0_hat,
            "_target_hat": target,
            "_rates": rates,
        }
        for name, value in values.items():
            object.__setattr__(self, name, value)

    @property
    def rates(self) -> NDArray[np.float64]:
        """``(n,)`` relaxation rates r_i of the eigenmodes (μ_i in decreasing order)."""
        return self._rates

    @property
    def max_stable_lr(self) -> float:
        """Largest stable gradient-descent step: 2/max_i r_i (model §2.5).

        KT-A (sum): 2/((1+λ)μ_max); KT-B (sum): 2/(μ_max + λ); the mixture form allows (1+λ)
        times more. GD with a larger step diverges along the top eigenvector.
        """
        return 2.0 / float(self._rates.max())

    def limit(self) -> NDArray[np.float64]:
        """u(∞): KT-A u* = (y + λz)/(1+λ); KT-B u*_B = (H + λI)⁻¹(Hy + λz) (model T1, [R]).

        Along a null mode of H (rate 0) u keeps its initial value; for positive-definite H the
        limit is exactly u*, whatever u(0). Shape: that of ``y``.
        """
        moving = (self._rates > 0)[:, None]
        return self._to_outputs(np.where(moving, self._target_hat, self._u0_hat))

    def outputs(self, times: ArrayLike, *, lr: float | None = None) -> NDArray[np.float64]:
        r"""Training-set outputs u(t) (model T3, [R]).

        Gradient flow (``lr=None``): u(t) = u* + V e^{−r t} Vᵀ(u(0) − u*), times t ≥ 0 real.
        Gradient descent (``lr=η`` on the objective as normalised):
        u(k) = u* + V (1 − η r)ᵏ Vᵀ(u(0) − u*), times = step counts k (non-negative integers).
        ``math.inf`` gives :meth:`limit`.

        Args:
          times: a scalar or ``(T,)`` array.
          lr: η for gradient descent, or ``None`` for gradient flow.

        Returns:
          shape of ``y`` for a scalar time, else ``(T,) + y.shape``.
        """
        decay, scalar = self._decay(times, lr)
        return self._at(_apply(self.spectrum.eigenvectors, self._u_hat(decay)), scalar)

    def trajectory(
        self,
        times: ArrayLike,
        *,
        ntk_cross: ArrayLike | None = None,
        f0: ArrayLike | None = None,
        lr: float | None = None,
    ) -> KernelKDTrajectory:
        r"""Training outputs, test outputs and weight movement at every time, as named arrays.

        u(t) = u* + V D(t) Vᵀ(u(0) − u*) (:meth:`outputs`), f_t(x) = f_0(x) + h(x)ᵀH⁻¹(u(t) − u(0))
        (:meth:`predict`) and ‖W(t) − W(0)‖_F (:meth:`weight_distance`), D(t) = e^{−rt} (flow)
        or (1 − ηr)ᵏ (gradient descent with ``lr=η``). Cost O(T·n² + n_test·n²).

        Args:
          times: scalar or ``(T,)`` non-negative times (whole step counts with ``lr``).
          ntk_cross: ``(n_test, n)`` test–train NTK h(x)_i = H^∞(x, x_i), optional.
          f0: the initial function on the test inputs (default 0).
          lr: η for gradient descent, ``None`` for gradient flow.

        Example:
          >>> kd = KernelKD(np.eye(2), np.array([1.0, -1.0]), np.zeros(2), pi_weight=1.0)
          >>> kd.trajectory([0.0, np.inf]).train_outputs
          array([[ 0. ,  0. ],
                 [ 0.5, -0.5]])

        Reference: Rahbar et al., arXiv:2003.13438; model T2, T3, T5 ([R]).
        """
        t = np.atleast_1d(np.asarray(times, dtype=np.float64))
        train = self.outputs(t, lr=lr)
        if ntk_cross is None:
            test = np.empty((t.size, 0, *train.shape[2:]))
        else:
            test = self.predict(ntk_cross, t, f0=f0, lr=lr)
        if self.spectrum.eigenvalues[-1] > 0:
            distance = self.weight_distance(t, lr=lr)
        else:
            distance = np.full(t.size, np.nan)
        return KernelKDTrajectory(t, train, test, distance, self.limit())

    def predict(
        self,
        ntk_cross: ArrayLike,
        times: ArrayLike,
        *,
        f0: ArrayLike | None = None,
        lr: float | None = None,
    ) -> NDArray[np.float64]:
        r"""Test outputs f_t(x) = f_0(x) + h(x)ᵀ H⁻¹ (u(t) − u(0)) (model T2, [R]).

        At t = ∞ with f_0 = 0 this is the NTK interpolant h(x)ᵀH⁻¹u* = (1−α)k_y(x) + αk_z(x).

        Args:
          ntk_cross: ``(n_test, n)`` kernel h(x)_i = H^∞(x, x_i) between test and training inputs.
          times: scalar or ``(T,)`` times (flow) or step counts (GD, with ``lr``).
          f0: the initial function on the test inputs, ``(n_test,)`` or ``(n_test, C)``
            (default 0).
          lr: η for gradient descent, ``None`` for gradient flow.

        Returns:
          ``(n_test,)``/``(n_test, C)`` for a scalar time, else with a leading ``(T,)``.
        """
        h = np.asarray(ntk_cross, dtype=np.float64)
        n = self._rates.size
        if h.ndim != 2 or h.shape[1] != n:
            raise ConfigError(f"ntk_cross must have shape (n_test, {n}), got {h.shape}.")
        decay, scalar = self._decay(times, lr)
        beta_hat = self._inverse_mu()[None, :, None] * self._moved(decay)
        out = _apply(h @ self.spectrum.eigenvectors, beta_hat)
        if f0 is not None:
            out = out + _as_targets(f0, h.shape[0], "f0")[0]
        return self._at(out, scalar)

    def initialization_term(self, ntk_cross: ArrayLike, f0: ArrayLike) -> NDArray[np.float64]:
        r"""g(x) = f_0(x) − h(x)ᵀH⁻¹u(0): the part of the initial function training never removes.

        f_∞(x) = h(x)ᵀH⁻¹u* + g(x), so two students trained on the same targets from different
        initialisations differ by g₁ − g₂ on test inputs; the gap is 0 for a shared
        initialisation and scales like κ (model T2/T6, [R]).

        Args:
          ntk_cross: ``(n_test, n)`` test-train kernel.
          f0: ``(n_test,)`` or ``(n_test, C)`` initial function on the test inputs (u(0) is the
            engine's ``u0``).

        Returns:
          the shape of ``f0``.
        """
        h = np.asarray(ntk_cross, dtype=np.float64)
        n = self._rates.size
        if h.ndim != 2 or h.shape[1] != n:
            raise ConfigError(f"ntk_cross must have shape (n_test, {n}), got {h.shape}.")
        f0_2d, _ = _as_targets(f0, h.shape[0], "f0")
        interpolant = (h @ self.spectrum.eigenvectors) @ (
            self._inverse_mu()[:, None] * self._u0_hat
        )
        g = f0_2d - interpolant
        return g[:, 0] if self._vector else g

    def steps_to(self, eps: float, lr: float) -> StepCount:
        r"""Gradient-descent iterations until ‖u(k) − u*‖ ≤ ε, exact and worst case (model T4).

        Exact: k_ε = min{k : Σ_i (1 − η r_i)^{2k} ‖v_iᵀc‖² ≤ ε²}, c = u* − u(0) (norms over the
        output columns); worst case: ⌈ln(‖c‖/ε)/(−ln ρ)⌉ with ρ = max_i |1 − η r_i|. The teacher
        speeds learning by the rate factor (1+λ) (KT-A) and, for a smooth teacher whose z lies on
        the top eigenvectors, by the spectral content of c (model T4 effects 1 and 2).

        Args:
          eps: ε > 0, on the Euclidean (Frobenius) norm of u(k) − u*.
          lr: η > 0 (on the sum, or on the mixture form if so normalised).

        Returns:
          :class:`StepCount`; ``stable=False`` and no counts when η·max_i r_i ≥ 2 or there is a
          null mode: GD then does not converge. A tiny step is stable and gives a huge count
          (about ln(‖c‖/ε)/(η·min_i r_i)), ``math.inf`` past the float range.
        """
        if not (math.isfinite(eps) and eps > 0):
            raise ConfigError(f"eps must be in (0, inf), got {eps!r}.")
        _check_lr(lr)
        steps = lr * self._rates
        q = 1.0 - steps
        rho = float(np.abs(q).max())
        stable = bool(steps.max() < 2.0 and self._rates.min() > 0)
        energy = ((self._target_hat - self._u0_hat) ** 2).sum(axis=1)
        distance = math.sqrt(float(energy.sum()))
        # ln|1 − η r_i| from log1p: 1 − η r_i rounds to 1 for η r_i < 1e-16, which made a tiny
        # step look like a non-contraction ("unstable") instead of a slow one.
        with np.errstate(divide="ignore", invalid="ignore"):
            log_q = np.where(
                steps <= 1.0, np.log1p(-np.minimum(steps, 1.0)), np.log(np.abs(steps - 1.0))
            )
        log_rho = float(log_q.max()) if stable else math.nan
        if distance <= eps:
            return StepCount(0, 0, rho, stable, log_rho)
        if not stable:
            return StepCount(None, None, rho, False)
        with np.errstate(divide="ignore", over="ignore"):
            ratio = float(np.float64(math.log(distance / eps)) / np.float64(-log_rho))
        if not math.isfinite(ratio):
            return StepCount(math.inf, math.inf, rho, True, log_rho)
        bound = math.ceil(ratio)

        def reached(k: int) -> bool:
            return float(np.exp(2.0 * float(k) * log_q) @ energy) <= eps**2

        low, high = 0, bound
        while high - low > 1:
            middle = (low + high) // 2
            low, high = (low, middle) if reached(middle) else (middle, high)
        return StepCount(high, bound, rho, True, log_rho)

    def weight_coefficients(
        self, times: ArrayLike, *, lr: float | None = None
    ) -> NDArray[np.float64]:
        r"""β(t) = H⁻¹(u(t) − u(0)) = V diag((1 − D(t))/μ) Vᵀ c, so W(t) − W(0) ≈ Jᵀβ(t) (T5).

        D(t) = e^{−r t} (flow) or (1 − η r)ᵏ (GD); for KT-A with the sum loss, I − D(k) is
        I − Aᵏ with A = I − η(1+λ)H^∞ (model T5, [R]). Unit r moves by
        Δw_r = m^{-1/2} Σ_c a_rc Σ_i β_ic 1{w_rᵀx_i ≥ 0} x_i.

        Returns:
          the shape of :meth:`outputs` for the same ``times``.
        """
        decay, scalar = self._decay(times, lr)
        beta_hat = self._inverse_mu()[None, :, None] * self._moved(decay)
        return self._at(_apply(self.spectrum.eigenvectors, beta_hat), scalar)

    def weight_distance(self, times: ArrayLike, *, lr: float | None = None) -> NDArray[np.float64]:
        r"""‖W(t) − W(0)‖_F ≈ sqrt(Σ_c cᵀ(I − D)H⁻¹(I − D)c) (model T5, [R]).

        Equal to sqrt((u(t) − u(0))ᵀH⁻¹(u(t) − u(0))); it grows towards sqrt(cᵀH⁻¹c) and holds
        for flow (``lr=None``) and GD (``lr=η``), both objectives and both normalisations
        (output columns are orthogonal in weight space in the wide limit, so they add).

        Returns:
          a float array of shape ``()`` for a scalar time, else ``(T,)``.
        """
        decay, scalar = self._decay(times, lr)
        moved = self._moved(decay)
        squared = (self._inverse_mu()[None, :, None] * moved**2).sum(axis=(1, 2))
        distance = np.sqrt(squared)
        return distance[0] if scalar else distance

    def complexity(self) -> Complexity:
        r"""Complexity term sqrt(2u*ᵀH⁻¹u*/n) of the generalisation bound (model T5, [R]).

        The bound of Arora et al. (Thm 5.1) with y replaced by u*; by convexity
        u*ᵀH⁻¹u* ≤ (1−α)yᵀH⁻¹y + αzᵀH⁻¹z (KT-A), mode by mode for KT-B. Both decrease in λ
        when the teacher has the smaller NTK norm: the teacher "reduces capacity".
        """
        inverse = self._inverse_mu()[:, None]
        n = self._rates.size
        term = float((inverse * self._target_hat**2).sum())
        weight = self._data_weight()[:, None]
        mixed = weight * self._y_hat**2 + (1.0 - weight) * self._z_hat**2
        bound = float((inverse * mixed).sum())
        return Complexity(math.sqrt(2.0 * term / n), math.sqrt(2.0 * bound / n))

    def _data_weight(self) -> NDArray[np.float64]:
        lam, mu = float(self.pi_weight), self.spectrum.eigenvalues
        if math.isinf(lam):
            return np.zeros_like(mu)
        if self.objective == "output":
            return np.full_like(mu, 1.0 / (1.0 + lam))
        total = mu + lam
        return np.where(total > 0, mu / np.where(total > 0, total, 1.0), 1.0)

    def _inverse_mu(self) -> NDArray[np.float64]:
        mu = self.spectrum.eigenvalues
        if mu[-1] <= 0:
            raise ConfigError(
                "ntk_gram must be positive definite for H⁻¹ (its smallest eigenvalue is "
                f"{mu[-1]:.3g}); remove duplicate or parallel inputs."
            )
        return 1.0 / mu

    def _decay(self, times: ArrayLike, lr: float | None) -> tuple[NDArray[np.float64], bool]:
        """``(T, n)`` per-mode factors D(t) and whether ``times`` was a scalar."""
        t = np.asarray(times, dtype=np.float64)
        scalar = t.ndim == 0
        t = np.atleast_1d(t)
        if t.ndim != 1 or np.isnan(t).any() or (t < 0).any():
            raise ConfigError("times must be a scalar or a 1-D array of non-negative numbers.")
        rates = self._rates[None, :]
        if lr is None:
            with np.errstate(invalid="ignore"):
                decay = np.where(rates > 0, np.exp(-rates * t[:, None]), 1.0)
            return decay, scalar
        _check_lr(lr)
        finite = np.isfinite(t)
        if (t[finite] != np.floor(t[finite])).any():
            raise ConfigError("gradient-descent times must be whole step counts.")
        q = 1.0 - lr * self._rates
        if (~finite).any() and (np.abs(q) >= 1.0)[self._rates > 0].any():
            raise ConfigError(
                f"gradient descent with lr={lr!r} does not converge: lr·max rate = "
                f"{lr * float(self._rates.max()):.3g} ≥ 2, so there is no limit at k = ∞."
            )
        with np.errstate(invalid="ignore", over="ignore"):
            decay = np.where(
                np.isfinite(t)[:, None],
                np.power(q[None, :], np.where(finite, t, 0.0)[:, None]),
                0.0,
            )
        return np.where(self._rates[None, :] > 0, decay, 1.0), scalar

    def _u_hat(self, decay: NDArray[np.float64]) -> NDArray[np.float64]:
        """``(T, n, C)`` eigen-coordinates of u at the given decay factors."""
        return self._target_hat + decay[:, :, None] * (self._u0_hat - self._target_hat)

    def _moved(self, decay: NDArray[np.float64]) -> NDArray[np.float64]:
        """``(T, n, C)`` eigen-coordinates of u(t) − u(0) = (1 − D(t))(u* − u(0))."""
        return (1.0 - decay)[:, :, None] * (self._target_hat - self._u0_hat)

    def _to_outputs(self, coords: NDArray[np.float64]) -> NDArray[np.float64]:
        out = self.spectrum.eigenvectors @ coords
        return out[..., 0] if self._vector else out

    def _at(self, values: NDArray[np.float64], scalar: bool) -> NDArray[np.float64]:
        """Drop the time axis of ``(T, ·, C)`` values for a scalar time and C for vector targets."""
        out = values[0] if scalar else values
        return out[..., 0] if self._vector else out


def _apply(matrix: NDArray[np.float64], coords: NDArray[np.float64]) -> NDArray[np.float64]:
    """``matrix @ coords[t]`` for every t of ``(T, n, C)`` coordinates, as one matrix product.

    A broadcast ``matrix @ coords`` would run T matrix-vector products, each re-reading the
    n × n matrix from memory; one (·, n) × (n, T·C) product is several times faster.
    """
    T, n, C = coords.shape
    flat = np.moveaxis(coords, 0, 1).reshape(n, T * C)
    return np.moveaxis((matrix @ flat).reshape(matrix.shape[0], T, C), 1, 0)


def _as_targets(values: ArrayLike, n: int, name: str) -> tuple[NDArray[np.float64], bool]:
    """``(n, C)`` float64 copy of a target and whether it was given as ``(n,)``."""
    array = np.asarray(values, dtype=np.float64)
    if array.ndim not in (1, 2) or array.shape[0] != n:
        raise ConfigError(f"{name} must have shape ({n},) or ({n}, C), got {array.shape}.")
    if not np.isfinite(array).all():
        raise ConfigError(f"{name} must be finite.")
    return (array[:, None] if array.ndim == 1 else array), array.ndim == 1


def _check_weight(pi_weight: float, objective: str, normalization: str) -> float:
    lam = float(pi_weight)
    if math.isnan(lam) or lam < 0:
        raise ConfigError(f"pi_weight must be in [0, inf], got {pi_weight!r}.")
    if math.isinf(lam) and (objective, normalization) != ("output", "mixture"):
        raise ConfigError(
            "pi_weight = inf (pure KD, α = 1) needs objective='output' and normalization='mixture'."
        )
    return lam


def _check_lr(lr: float) -> None:
    if not (math.isfinite(lr) and lr > 0):
        raise ConfigError(f"lr must be in (0, inf), got {lr!r}.")

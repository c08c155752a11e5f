"""The teacher and student losses as scores, their derivatives and their proximal steps.

Everything is written at label y = +1: the balanced mixture without bias is symmetric under
(y, ω) → (−y, −ω), which flips every score (model §3, "Hat equations").

Teacher (score f_T = −∂_h ℓ_T):
  square    ℓ_T = ½(1−h)²          f_T = 1 − h          f_T' = −1
  logistic  ℓ_T = log(1 + e^{−h})  f_T = σ(−h)          f_T' = −σ'(h)

Student (score f_S = −∂_{h_S} ℓ_S, A = ∂f_S/∂h_T, B = ∂f_S/∂h_S), η = ``hard_weight``,
τ = ``temperature``, σ' = σ(1−σ):
  kd_sq  ℓ_S = ½(1−η)(h_S−h_T)² + ½η(h_S−1)²
         f_S = (1−η)(h_T − h_S) + η(1 − h_S),  A = 1−η,  B = −1
  kd_ce  ℓ_S = (1−η)τ²CE(σ(h_T/τ), σ(h_S/τ)) + η log(1+e^{−h_S})
         f_S = (1−η)τ[σ(h_T/τ) − σ(h_S/τ)] + ησ(−h_S),
         A = (1−η)σ'(h_T/τ),  B = −(1−η)σ'(h_S/τ) − ησ'(h_S)
  hard_sq = kd_sq with η = 1 and hard_log = kd_ce with η = 1 (no teacher).

Reference: Saglietti & Zdeborová (arXiv:2012.00194), model §2 "KD losses" and §3 [R].
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.special import expit

from distillab.theory.replica_kd.prox import increasing_root

__all__ = [
    "STUDENT_LOSSES",
    "TEACHER_LOSSES",
    "StudentChannel",
    "TeacherChannel",
]

Array = NDArray[np.float64]

TEACHER_LOSSES: tuple[str, ...] = ("square", "logistic")
STUDENT_LOSSES: tuple[str, ...] = ("kd_sq", "kd_ce", "hard_sq", "hard_log")


def _sigmoid_slope(x: Array) -> Array:
    """σ'(x) = σ(x)σ(−x), accurate in both tails."""
    return expit(x) * expit(-x)


@dataclass(frozen=True)
class TeacherChannel:
    """The teacher's loss at y = +1: score, slope and proximal step.

    Attributes:
      loss: ``"square"`` or ``"logistic"``.
    """

    loss: str

    @property
    def score_at_zero(self) -> float:
        """f_T(+1, 0): 1 (square) or ½ (logistic); enters the training error."""
        return 1.0 if self.loss == "square" else 0.5

    def score(self, h: Array) -> Array:
        """f_T(+1, h)."""
        return 1.0 - h if self.loss == "square" else expit(-h)

    def slope(self, h: Array) -> Array:
        """f_T'(h) = ∂f_T/∂h ≤ 0."""
        if self.loss == "square":
            return np.full_like(h, -1.0)
        return -_sigmoid_slope(h)

    def prox(self, base: Array, scale: float, guess: Array | None = None) -> tuple[Array, bool]:
        """Solve h = base + scale·f_T(h) (the proximal field) elementwise.

        Args:
          base: y·m_T + ω_T, any shape.
          scale: Δ·V_T > 0.
          guess: starting points for Newton (same shape), e.g. last iteration's fields.

        Returns:
          ``(h, converged)``.
        """
        if self.loss == "square":
            return (base + scale) / (1.0 + scale), True

        flat_base = np.ravel(base)

        def residual(h: Array, index: NDArray[np.intp]) -> tuple[Array, Array]:
            return h - flat_base[index] - scale * expit(-h), 1.0 + scale * _sigmoid_slope(h)

        start = base + 0.5 * scale if guess is None else guess
        return increasing_root(residual, base, base + scale, start)

    def score_scalar(self, h: float) -> float:
        """f_T(+1, h) for one float (plain Python, for adaptive quadrature)."""
        if self.loss == "square":
            return 1.0 - h
        return 1.0 / (1.0 + math.exp(h)) if h < 700 else 0.0

    def prox_scalar(
        self, base: float, scale: float, tolerance: float = 1e-13, max_iterations: int = 200
    ) -> float:
        """:meth:`prox` for one float, in plain Python (adaptive quadrature calls it per node).

        Same safeguarded Newton iteration inside [base, base + scale] as :mod:`.prox`, without
        the array overhead that dominates for a single element. Returns NaN when it has not
        converged after ``max_iterations`` steps (the observable then is NaN, and the solver
        reports it), never the last iterate.
        """
        if self.loss == "square":
            return (base + scale) / (1.0 + scale)
        lower, upper = base, base + scale
        h = base + 0.5 * scale
        for _ in range(max_iterations):
            down = self.score_scalar(h)
            step = (h - base - scale * down) / (1.0 + scale * down * (1.0 - down))
            if abs(step) <= tolerance * (1.0 + abs(h)):
                return h - step
            if step > 0:
                upper = h
            else:
                lower = h
            h = h - step if lower < h - step < upper else 0.5 * (lower + upper)
        return math.nan


@dataclass(frozen=True)
class StudentChannel:
    """The student's KD loss at y = +1: score, its two slopes and the proximal step.

    Attributes:
      loss: ``"kd_sq"`` or ``"kd_ce"`` (``hard_sq``/``hard_log`` are built with η = 1).
      hard_weight: η ∈ [0, 1], the weight on hard labels.
      temperature: τ > 0 (``kd_ce`` only).
    """

    loss: str
    hard_weight: float
    temperature: float

    @classmethod
    def of(cls, student_loss: str, hard_weight: float, temperature: float) -> StudentChannel:
        """The channel of a student loss name; ``hard_*`` losses mean η = 1."""
        if student_loss == "hard_sq":
            return cls("kd_sq", 1.0, temperature)
        if student_loss == "hard_log":
            return cls("kd_ce", 1.0, temperature)
        return cls(student_loss, hard_weight, temperature)

    @property
    def uses_teacher(self) -> bool:
        """False when η = 1: the student then never sees the teacher (V_ST = 0)."""
        return self.hard_weight < 1.0

    def score(self, h_teacher: Array, h: Array) -> Array:
        """f_S(+1, h_T, h_S)."""
        return self.terms(h_teacher, h)[0]

    def score_at_boundary(self, h_teacher: float) -> float:
        """f_S(+1, h_T, 0) for one float: the score where the student's field crosses zero.

        ``kd_sq``: (1−η)h_T + η; ``kd_ce``: (1−η)τ(σ(h_T/τ) − ½) + η/2 (plain Python, for the
        adaptive quadrature of the training error).
        """
        eta, tau = self.hard_weight, self.temperature
        if self.loss == "kd_sq":
            return (1.0 - eta) * h_teacher + eta
        z = h_teacher / tau
        soft = 1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0
        return (1.0 - eta) * tau * (soft - 0.5) + 0.5 * eta

    def terms(self, h_teacher: Array, h: Array) -> tuple[Array, Array, Array]:
        """(f_S, A, B) = (score, ∂f_S/∂h_T ≥ 0, ∂f_S/∂h_S ≤ 0), broadcast to a common shape."""
        eta, tau = self.hard_weight, self.temperature
        shape = np.broadcast_shapes(np.shape(h_teacher), np.shape(h))
        if self.loss == "kd_sq":
            score = (1.0 - eta) * (h_teacher - h) + eta * (1.0 - h)
            return score, np.full(shape, 1.0 - eta), np.full(shape, -1.0)
        soft_t = expit(h_teacher / tau)
        teacher_slope = np.broadcast_to((1.0 - eta) * soft_t * (1.0 - soft_t), shape)
        score, student_slope = self._student_side((1.0 - eta) * tau * soft_t, h)
        return score, teacher_slope, student_slope

    def _student_side(self, soft_target: Array, h: Array) -> tuple[Array, Array]:
        """f_S and B of ``kd_ce`` given (1−η)τσ(h_T/τ); two sigmoids when τ = 1, four else."""
        eta, tau = self.hard_weight, self.temperature
        up, down = expit(h / tau), expit(-h / tau)
        if tau == 1.0:
            hard_up, hard_down = up, down
        else:
            hard_up, hard_down = expit(h), expit(-h)
        score = soft_target - (1.0 - eta) * tau * up + eta * hard_down
        slope = -(1.0 - eta) * up * down - eta * hard_up * hard_down
        return score, slope

    def prox(
        self, base: Array, scale: float, h_teacher: Array, guess: Array | None = None
    ) -> tuple[Array, bool]:
        """Solve h = base + scale·f_S(h_T, h) elementwise (the student's proximal field).

        Args:
          base: y·m_S + ω_S + Δ·V_ST·F_T, any shape.
          scale: Δ·V_S > 0.
          h_teacher: the teacher's proximal field h_T, broadcastable to ``base``.
          guess: Newton starting points (same shape as ``base``).

        Returns:
          ``(h, converged)``. The root lies in base + scale·[min f_S, max f_S], with
          f_S ∈ [(1−η)τ(σ(h_T/τ) − 1), (1−η)τσ(h_T/τ) + η] for ``kd_ce``.
        """
        eta, tau = self.hard_weight, self.temperature
        if self.loss == "kd_sq":
            target = (1.0 - eta) * h_teacher + eta
            return (base + scale * target) / (1.0 + scale), True
        soft_target = np.broadcast_to((1.0 - eta) * tau * expit(h_teacher / tau), base.shape)
        flat_base, flat_target = np.ravel(base), np.ravel(soft_target)

        def residual(h: Array, index: NDArray[np.intp]) -> tuple[Array, Array]:
            score, slope = self._student_side(flat_target[index], h)
            return h - flat_base[index] - scale * score, 1.0 - scale * slope

        lower = base + scale * (soft_target - (1.0 - eta) * tau)
        upper = base + scale * (soft_target + eta)
        start = 0.5 * (lower + upper) if guess is None else guess
        return increasing_root(residual, lower, upper, start)

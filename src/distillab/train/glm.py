r"""Generalised linear teachers and students fitted to features: ridge solves and L-BFGS.

The simulator of teacher → student distillation on a Gaussian mixture (Saglietti & Zdeborová,
arXiv:2012.00194, model §5). Features A are ``(n, p)`` (the study uses A = X/√d), labels y = ±1.

- Teacher (:func:`glm_teacher`): argmin_w Σ_μ ℓ_T(y^μ, (Aw)_μ) + (λ_T/2)‖w‖², with ℓ_T the
  square loss (``"square"``: a linear solve, the dual n×n system when n < p, so λ = 0 gives the
  minimum-norm interpolator) or the logistic loss (``"logistic"``: L-BFGS on the explicit
  objective).
- Student (:func:`glm_student`): trained on the teacher's outputs h_T on the same points,
  ``"kd_sq"``/``"hard_sq"`` as ridge on (1−η)h_T + ηy, ``"kd_ce"``/``"hard_log"`` by L-BFGS on

    Σ_μ (1−η)τ²[softplus(h/τ) − σ(h_T/τ)h/τ] + η·softplus(−y h) + (λ_S/2)‖w‖²,

  i.e. τ²·CE(σ(h_T/τ), σ(h/τ)) up to a constant, with hard-label weight η (``hard_weight``; the
  ``hard_`` losses are η = 1) and temperature τ.

Example::

    >>> import numpy as np
    >>> from distillab.train.glm import glm_student, glm_teacher
    >>> rng = np.random.default_rng(0)
    >>> A, y = rng.standard_normal((50, 10)) / np.sqrt(10), rng.choice([-1.0, 1.0], 50)
    >>> teacher, note = glm_teacher(A, y, loss="square", reg=0.1)
    >>> student, _ = glm_student(A, y, A @ teacher, loss="kd_sq", reg=0.1)
    >>> ridge = np.linalg.solve(A.T @ A + 0.1 * np.eye(10), A.T @ (A @ teacher))
    >>> note, bool(np.allclose(student, ridge))
    ('', True)

Reference: Saglietti & Zdeborová, "Solvable Model for Inheriting the Regularization through
Knowledge Distillation", arXiv:2012.00194, model §5 [R].
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import minimize
from scipy.special import expit, log_expit

from distillab.errors import ConfigError

__all__ = ["STUDENT_LOSSES", "TEACHER_LOSSES", "glm_student", "glm_teacher", "ridge_weights"]

Array = NDArray[np.float64]
LossAndScore = Callable[[Array], tuple[Array, Array]]

TEACHER_LOSSES: tuple[str, ...] = ("square", "logistic")
STUDENT_LOSSES: tuple[str, ...] = ("kd_sq", "hard_sq", "kd_ce", "hard_log")

# L-BFGS on the mean loss: gradient tolerance reached in ≤ a few hundred iterations at d = 1000;
# tighter values change the measured overlaps by < 10⁻⁶.
_LBFGS = {"maxiter": 20_000, "gtol": 1e-10, "ftol": 1e-15, "maxcor": 20}


def _check_reg(reg: float) -> None:
    if not (math.isfinite(reg) and reg >= 0):
        raise ConfigError(f"reg must be a non-negative finite number, got {reg!r}.")


def ridge_weights(A: Array, target: Array, reg: float) -> Array:
    r"""argmin_w ½‖target − Aw‖² + (reg/2)‖w‖² for ``(n, p)`` features and ``(n,)`` targets.

    Solves the dual n×n system Aᵀ(AAᵀ + λI)⁻¹·target when n < p, so ``reg = 0`` gives the
    minimum-norm interpolator; else the primal (AᵀA + λI)⁻¹Aᵀ·target. Returns ``(p,)`` weights.
    """
    _check_reg(reg)
    n, p = A.shape
    if n < p:
        return A.T @ np.linalg.solve(A @ A.T + reg * np.eye(n), target)
    return np.linalg.solve(A.T @ A + reg * np.eye(p), A.T @ target)


def _lbfgs(A: Array, reg: float, loss_and_score: LossAndScore) -> tuple[Array, bool, str]:
    """Minimise mean_μ ℓ((Aw)_μ) + (reg/2n)‖w‖² by L-BFGS; ``loss_and_score(h) = (ℓ, ∂ℓ/∂h)``."""
    n, p = A.shape

    def objective(w: Array) -> tuple[float, Array]:
        h = A @ w
        loss, slope = loss_and_score(h)
        value = loss.sum() / n + 0.5 * reg / n * (w @ w)
        return float(value), (A.T @ slope) / n + reg / n * w

    result = minimize(objective, np.zeros(p), jac=True, method="L-BFGS-B", options=_LBFGS)
    return result.x, bool(result.success), str(result.message)


def glm_teacher(A: Array, labels: Array, *, loss: str, reg: float) -> tuple[Array, str]:
    """Teacher weights ``(p,)`` on ``(n, p)`` features and ±1 labels, and a note.

    ``loss`` is ``"square"`` (ridge) or ``"logistic"`` (L-BFGS from w = 0); ``reg`` is λ_T ≥ 0.
    The note is ``""``, or why L-BFGS did not converge (a recorded status, never silent).
    """
    if loss not in TEACHER_LOSSES:
        raise ConfigError(f"teacher loss must be one of {TEACHER_LOSSES}, got {loss!r}.")
    _check_reg(reg)
    y = labels
    if loss == "square":
        return ridge_weights(A, y, reg), ""

    def logistic(h: Array) -> tuple[Array, Array]:
        return -log_expit(y * h), -y * expit(-y * h)

    w, success, message = _lbfgs(A, reg, logistic)
    return w, "" if success else f"teacher L-BFGS: {message}"


def glm_student(
    A: Array,
    labels: Array,
    teacher_field: Array,
    *,
    loss: str,
    reg: float,
    hard_weight: float = 0.0,
    temperature: float = 1.0,
) -> tuple[Array, str]:
    """Student weights ``(p,)`` on ``(n, p)`` features, trained on the teacher's outputs h_T.

    ``loss`` is one of :data:`STUDENT_LOSSES` (module docstring), ``reg`` is λ_S ≥ 0,
    ``hard_weight`` is η ∈ [0, 1] (ignored by the ``hard_`` losses, which are η = 1),
    ``temperature`` is τ > 0 (cross-entropy losses only); ``teacher_field`` is the ``(n,)`` h_T.
    The note is ``""``, or why L-BFGS did not converge.
    """
    if loss not in STUDENT_LOSSES:
        raise ConfigError(f"student loss must be one of {STUDENT_LOSSES}, got {loss!r}.")
    _check_reg(reg)
    if not 0.0 <= hard_weight <= 1.0:
        raise ConfigError(f"hard_weight must lie in [0, 1], got {hard_weight!r}.")
    if not (math.isfinite(temperature) and temperature > 0):
        raise ConfigError(f"temperature must be a positive finite number, got {temperature!r}.")
    y = labels
    eta = 1.0 if loss.startswith("hard_") else hard_weight
    if loss in ("kd_sq", "hard_sq"):
        return ridge_weights(A, (1.0 - eta) * teacher_field + eta * y, reg), ""
    tau = temperature
    soft = expit(teacher_field / tau)

    def kd_ce(h: Array) -> tuple[Array, Array]:
        value = (1.0 - eta) * tau**2 * (-log_expit(-h / tau) - soft * h / tau)
        value = value - eta * log_expit(y * h)
        slope = (1.0 - eta) * tau * (expit(h / tau) - soft) - eta * y * expit(-y * h)
        return value, slope

    w, success, message = _lbfgs(A, reg, kd_ce)
    return w, "" if success else f"student L-BFGS: {message}"

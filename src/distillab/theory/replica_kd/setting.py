"""The validated parameters of one replica-KD problem (one point of a curve).

Model (model §2): balanced Gaussian mixture x = y·v/√d + √Δ·z, n = αd samples. The teacher
minimises Σ_μ ℓ_T(y^μ, h_T^μ) + (λ_T/2)‖w‖² on all d features; the student minimises
Σ_μ ℓ_S(y^μ, h_T^μ, h_S^μ) + (λ_S/2)‖w‖² on the first ρd features, where h_T^μ is the teacher's
output on the same training points and every field is h = w·x/√d.

Reference: Saglietti & Zdeborová (arXiv:2012.00194), model §2 [F/R].
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from distillab.errors import ConfigError
from distillab.theory.replica_kd.channels import STUDENT_LOSSES, TEACHER_LOSSES

__all__ = ["KDSetting"]


def _check_positive(name: str, value: float) -> None:
    if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
        raise ConfigError(f"{name} must be a positive finite number, got {value!r}.")


def _check_non_negative(name: str, value: float) -> None:
    if not (isinstance(value, int | float) and math.isfinite(value) and value >= 0):
        raise ConfigError(f"{name} must be a non-negative finite number, got {value!r}.")


@dataclass(frozen=True)
class KDSetting:
    """One replica-KD problem.

    Attributes:
      sample_ratio: α = n/d > 0.
      noise: Δ > 0, the within-cluster variance.
      teacher_loss: ``"square"`` or ``"logistic"``.
      teacher_reg: λ_T ≥ 0 (0 only where a finite minimiser exists).
      student_loss: ``"kd_sq"``, ``"kd_ce"``, ``"hard_sq"`` or ``"hard_log"``.
      student_reg: λ_S ≥ 0.
      feature_fraction: ρ ∈ (0, 1], the fraction of features the student sees.
      hard_weight: η ∈ [0, 1], weight on hard labels in ``kd_sq``/``kd_ce``; the ``hard_*`` losses
        mean η = 1 and accept only the default 0 or 1 here.
      temperature: τ > 0 of ``kd_ce``.
    """

    sample_ratio: float
    noise: float
    teacher_loss: str
    teacher_reg: float
    student_loss: str
    student_reg: float
    feature_fraction: float
    hard_weight: float = 0.0
    temperature: float = 1.0

    def __post_init__(self) -> None:
        _check_positive("sample_ratio", self.sample_ratio)
        _check_positive("noise", self.noise)
        _check_positive("temperature", self.temperature)
        _check_non_negative("teacher_reg", self.teacher_reg)
        _check_non_negative("student_reg", self.student_reg)
        if self.teacher_loss not in TEACHER_LOSSES:
            raise ConfigError(
                f"teacher_loss must be one of {TEACHER_LOSSES}, got {self.teacher_loss!r}."
            )
        if self.student_loss not in STUDENT_LOSSES:
            raise ConfigError(
                f"student_loss must be one of {STUDENT_LOSSES}, got {self.student_loss!r}."
            )
        rho = self.feature_fraction
        if not (isinstance(rho, int | float) and math.isfinite(rho) and 0 < rho <= 1):
            raise ConfigError(f"feature_fraction must lie in (0, 1], got {rho!r}.")
        eta = self.hard_weight
        if not (isinstance(eta, int | float) and math.isfinite(eta) and 0 <= eta <= 1):
            raise ConfigError(f"hard_weight must lie in [0, 1], got {eta!r}.")
        if self.student_loss.startswith("hard_") and eta not in (0.0, 1.0):
            raise ConfigError(
                f"{self.student_loss} trains on hard labels only (η = 1); hard_weight={eta!r} "
                "applies to kd_sq/kd_ce."
            )

    @property
    def square_case(self) -> bool:
        """True when the square/``kd_sq`` closed form applies (square teacher, square student)."""
        return self.teacher_loss == "square" and self.student_loss in ("kd_sq", "hard_sq")

    def infeasible(self) -> str:
        """Why no finite minimiser exists ('' if one may): ridgeless square losses below a peak.

        A ridgeless square teacher interpolates for α ≤ 1 and a ridgeless square-loss student for
        α ≤ ρ: the minimum-norm limit needs λ → 0⁺ (use a tiny λ, model §3 "Ridgeless limits").
        """
        if self.teacher_loss == "square" and self.teacher_reg == 0 and self.sample_ratio <= 1:
            return "no finite solution: ridgeless square teacher at sample_ratio ≤ 1"
        if (
            self.student_loss in ("kd_sq", "hard_sq")
            and self.student_reg == 0
            and self.sample_ratio <= self.feature_fraction
        ):
            return "no finite solution: ridgeless square-loss student at sample_ratio ≤ ρ"
        return ""

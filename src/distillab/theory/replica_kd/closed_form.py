"""Closed form of the saddle point for a ridge (square-loss) teacher and a ``kd_sq`` student.

Teacher (ridge on ±1 labels, all d features):
  V_T = [−(λ_T+Δ(α−1)) + √((λ_T+Δ(α−1))² + 4λ_TΔ)]/(2λ_TΔ),   m_T = αV_T/(1+ΔV_T+αV_T),
  Q_T = [m_T² + αΔV_T²(1−m_T)²/(1+ΔV_T)²] / [1 − αΔ²V_T²/(1+ΔV_T)²],
  m̂_T = α(1−m_T)/(1+ΔV_T),  Q̂_T = αΔ((1−m_T)²+ΔQ_T)/(1+ΔV_T)²,  V̂_T = αΔ/(1+ΔV_T).
Student (``kd_sq`` with hard weight η, ridge λ_S on ρd features; η = 1 is ``hard_sq``):
  V_S = [−(λ_S+Δ(α−ρ)) + √((λ_S+Δ(α−ρ))² + 4λ_SΔρ)]/(2λ_SΔ)   (→ ρ/(Δ(α−ρ)) as λ_S → 0:
  the student's interpolation peak sits at α = ρ),
  k = αΔV_SV_T/(1+ΔV_S),  V_ST = k(1−η)/(1+ΔV_T−Δk),  B_T = [(1−η)+ΔV_ST]/(1+ΔV_T),
  A_y = 1 − B_T(1−m_T) − m_S  (= r + κ(1−m_T)/(1+ΔV_T) of the model),
  m̂_S = αA_y/(1+ΔV_S),  Q̂_S = αΔ[A_y² + Δ(B_T²Q_T − 2B_TQ_TS + Q_S)]/(1+ΔV_S)²,
  Q̂_TS = αΔ[(1−m_T)A_y − Δ(B_TQ_T − Q_TS)]/((1+ΔV_T)(1+ΔV_S)),
  V̂_S = αΔ/(1+ΔV_S),  V̂_ST = −αΔB_T/(1+ΔV_S).
With these hats the prior equations (``overlaps``) are linear in m_S, then Q_TS, then Q_S; they are
solved exactly here, one after the other (no iteration). Both susceptibility roots use the
cancellation-free form 2ρ/(b + √(b² + 4λΔρ)) when b > 0.

Reference: Saglietti & Zdeborová (arXiv:2012.00194), model §3 "Closed form" [R, validated].
"""

from __future__ import annotations

import math

from distillab.theory.replica_kd.overlaps import (
    StudentHats,
    StudentOverlaps,
    TeacherHats,
    TeacherOverlaps,
)

__all__ = ["ridge_susceptibility", "ridge_teacher", "square_student"]


def ridge_susceptibility(
    sample_ratio: float, noise: float, reg: float, feature_fraction: float = 1.0
) -> float:
    """Positive root V of λΔV² + (λ + Δ(α−ρ))V − ρ = 0 (ridge on ρd of the d features).

    Returns ``inf`` for λ = 0 and α ≤ ρ (no finite minimiser: the interpolation regime).
    """
    b = reg + noise * (sample_ratio - feature_fraction)
    root = math.sqrt(b * b + 4.0 * reg * noise * feature_fraction)
    if b > 0:
        return 2.0 * feature_fraction / (b + root)
    if reg == 0:
        return math.inf
    return (root - b) / (2.0 * reg * noise)


def ridge_teacher(
    sample_ratio: float, noise: float, teacher_reg: float
) -> tuple[TeacherOverlaps, TeacherHats]:
    """Order parameters and conjugates of the ridge teacher (square loss on ±1 labels).

    Args:
      sample_ratio: α > 0.
      noise: Δ > 0.
      teacher_reg: λ_T ≥ 0 (λ_T = 0 needs α > 1).

    Returns:
      ``(TeacherOverlaps(m_T, Q_T, V_T), TeacherHats(m̂_T, Q̂_T, V̂_T))``.
    """
    alpha, delta = sample_ratio, noise
    V = ridge_susceptibility(alpha, delta, teacher_reg)
    m = alpha * V / (1.0 + delta * V + alpha * V)
    # Products of reciprocals instead of ``x ** 2``: a Python float power raises OverflowError
    # past 1e154, where the square of a reciprocal only underflows towards its true limit 0.
    inverse = 1.0 / (1.0 + delta * V)
    shrink = delta * V * inverse
    Q = (m * m + alpha / delta * (shrink * shrink) * ((1.0 - m) * (1.0 - m))) / (
        1.0 - alpha * (shrink * shrink)
    )
    hats = TeacherHats(
        m_hat=alpha * (1.0 - m) * inverse,
        Q_hat=alpha * delta * ((1.0 - m) * (1.0 - m) + delta * Q) * inverse * inverse,
        V_hat=alpha * delta * inverse,
    )
    return TeacherOverlaps(m=m, Q=Q, V=V), hats


def square_student(
    teacher: TeacherOverlaps,
    teacher_hats: TeacherHats,
    *,
    sample_ratio: float,
    noise: float,
    teacher_reg: float,
    student_reg: float,
    feature_fraction: float,
    hard_weight: float,
) -> tuple[StudentOverlaps, StudentHats]:
    """Order parameters of the ``kd_sq`` student of a ridge teacher, in closed form.

    Args:
      teacher, teacher_hats: from :func:`ridge_teacher` at the same α, Δ, λ_T.
      sample_ratio, noise: α, Δ.
      teacher_reg, student_reg: λ_T, λ_S (λ_S = 0 needs α > ρ).
      feature_fraction: ρ ∈ (0, 1].
      hard_weight: η ∈ [0, 1] (η = 1: ridge on hard labels, ``hard_sq``).

    Returns:
      ``(StudentOverlaps, StudentHats)``.
    """
    alpha, delta, rho, eta = sample_ratio, noise, feature_fraction, hard_weight
    m_t, Q_t, V_t = teacher.m, teacher.Q, teacher.V
    V_s = ridge_susceptibility(alpha, delta, student_reg, rho)
    V_hat_s = alpha * delta / (1.0 + delta * V_s)
    a_s = 1.0 / (student_reg + V_hat_s)
    a_t = 1.0 / (teacher_reg + teacher_hats.V_hat)
    k = alpha * delta * V_s * V_t / (1.0 + delta * V_s)
    V_st = k * (1.0 - eta) / (1.0 + delta * V_t - delta * k)
    B_t = ((1.0 - eta) + delta * V_st) / (1.0 + delta * V_t)
    V_hat_st = -alpha * delta * B_t / (1.0 + delta * V_s)
    c = a_t * V_hat_st
    # m̂_S = α(A0 − m_S)/(1+ΔV_S) makes m_S = ρa_S(m̂_S − c m̂_T) linear in m_S.
    # A0 = 1 − B_T(1 − m_T) with 1 − B_T = (η + Δ(V_T − V_ST))/(1+ΔV_T) written out: for a strongly
    # regularised teacher (λ_T ~ 1e8) B_T → 1 and m_T → 0, and the direct form cancels 8 digits.
    A0 = (eta + delta * (V_t - V_st)) / (1.0 + delta * V_t) + B_t * m_t
    g = rho * a_s * alpha / (1.0 + delta * V_s)
    m_s = (g * A0 - rho * a_s * c * teacher_hats.m_hat) / (1.0 + g)
    A_y = A0 - m_s
    m_hat_s = alpha * A_y / (1.0 + delta * V_s)
    M = m_hat_s - c * teacher_hats.m_hat
    # Q̂_TS is affine in Q_TS, and Q̂_S affine in Q_S: solve each linear equation exactly.
    e = alpha * delta / ((1.0 + delta * V_t) * (1.0 + delta * V_s))
    Q_ts_hat_rest = e * ((1.0 - m_t) * A_y - delta * B_t * Q_t)
    scale_ts = rho * a_t * a_s
    Q_ts = scale_ts * (teacher_hats.m_hat * M + Q_ts_hat_rest - c * teacher_hats.Q_hat)
    Q_ts /= 1.0 - scale_ts * e * delta
    Q_ts_hat = Q_ts_hat_rest + e * delta * Q_ts
    inverse_s = 1.0 / (1.0 + delta * V_s)
    f = alpha * delta * inverse_s * inverse_s
    Q_s_hat_rest = f * (A_y * A_y + delta * (B_t * B_t * Q_t - 2.0 * B_t * Q_ts))
    scale_s = rho * a_s * a_s
    Q_s = scale_s * (M * M + Q_s_hat_rest - 2.0 * c * Q_ts_hat + c * c * teacher_hats.Q_hat)
    Q_s /= 1.0 - scale_s * f * delta
    hats = StudentHats(
        m_hat=m_hat_s,
        Q_hat=Q_s_hat_rest + f * delta * Q_s,
        V_hat=V_hat_s,
        Q_TS_hat=Q_ts_hat,
        V_ST_hat=V_hat_st,
    )
    return StudentOverlaps(m=m_s, Q=Q_s, V=V_s, Q_TS=Q_ts, V_ST=V_st), hats

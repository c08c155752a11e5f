"""Errors and agreement from the order parameters (y = +1 by symmetry).

* Test errors: ε_T = H(m_T/√(ΔQ_T)), ε_S = H(m_S/√(ΔQ_S)).
* Test agreement P(sign h_T = sign h_S) on a fresh point: a bivariate-normal orthant probability
  with means (m_T, m_S) and covariance Δ[[Q_T, Q_TS], [Q_TS, Q_S]].
* Teacher training error: H((m_T + ΔV_T f_T(+1, 0))/√(ΔQ_T)) (f_T(+1, 0) = 1 square, ½ logistic):
  the proximal field is increasing in ω_T, so it is negative exactly below one threshold.
* Student training error: E_ξ Φ((ω_S*(ξ) − c_ω ξ)/s_ω) with ω_T = √(ΔQ_T)ξ,
  c_ω = ΔQ_TS/√(ΔQ_T), s_ω² = ΔQ_S − c_ω², ω_S* = −m_S − ΔV_ST F_T(ξ) − ΔV_S f_S(+1, h_T(ξ), 0),
  integrated adaptively (``scipy.integrate.quad``) because Φ(·/s_ω) is step-like when s_ω is small.

Reference: Saglietti & Zdeborová (arXiv:2012.00194), model §3 "Observables" [R, validated].
"""

from __future__ import annotations

import math

from scipy.integrate import quad
from scipy.special import ndtr

from distillab.theory.replica_kd.bayes import gaussian_tail
from distillab.theory.replica_kd.channels import StudentChannel, TeacherChannel
from distillab.theory.replica_kd.overlaps import StudentOverlaps, TeacherOverlaps

__all__ = ["agreement", "generalization_error", "student_train_error", "teacher_train_error"]

_LIMIT = 10.0
_QUAD = {"limit": 400, "epsabs": 1e-12, "epsrel": 1e-10}


def _standard_normal_density(xi: float) -> float:
    return math.exp(-0.5 * xi * xi) / math.sqrt(2.0 * math.pi)


def _conditional(
    teacher: TeacherOverlaps, student: StudentOverlaps, noise: float
) -> tuple[float, float, float]:
    """(√(ΔQ_T), c_ω, s_ω): ω_T = √(ΔQ_T)ξ1 and ω_S = c_ω ξ1 + s_ω ξ2."""
    sd_t = math.sqrt(noise * teacher.Q)
    c = noise * student.Q_TS / sd_t
    s = math.sqrt(max(noise * student.Q - c * c, 0.0))
    return sd_t, c, s


def _normal_cdf(x: float, scale: float) -> float:
    """Φ(x/scale), the step function 1{x > 0} when scale = 0."""
    if scale > 0:
        return float(ndtr(x / scale))
    return float(x > 0)


def generalization_error(m: float, Q: float, noise: float) -> float:
    """Test error ε = H(m/√(ΔQ)) of a linear classifier with overlaps (m, Q)."""
    return float(gaussian_tail(m / math.sqrt(noise * Q)))


def agreement(teacher: TeacherOverlaps, student: StudentOverlaps, noise: float) -> float:
    """P(sign h_T = sign h_S) on a fresh test point (bivariate-normal orthants, by quadrature)."""
    sd_t, c, s = _conditional(teacher, student, noise)
    cut = -teacher.m / sd_t

    def both_positive(xi: float) -> float:
        return _standard_normal_density(xi) * _normal_cdf(student.m + c * xi, s)

    def both_negative(xi: float) -> float:
        return _standard_normal_density(xi) * _normal_cdf(-(student.m + c * xi), s)

    upper = quad(both_positive, max(cut, -_LIMIT), _LIMIT, **_QUAD)[0] if cut < _LIMIT else 0.0
    lower = quad(both_negative, -_LIMIT, min(cut, _LIMIT), **_QUAD)[0] if cut > -_LIMIT else 0.0
    return upper + lower


def teacher_train_error(teacher: TeacherOverlaps, channel: TeacherChannel, noise: float) -> float:
    """Fraction of training points the teacher misclassifies (closed form)."""
    shift = teacher.m + noise * teacher.V * channel.score_at_zero
    return float(gaussian_tail(shift / math.sqrt(noise * teacher.Q)))


def student_train_error(
    teacher: TeacherOverlaps,
    student: StudentOverlaps,
    teacher_channel: TeacherChannel,
    student_channel: StudentChannel,
    noise: float,
) -> float:
    """Fraction of training points the student misclassifies (adaptive 1-D quadrature)."""
    sd_t, c, s = _conditional(teacher, student, noise)

    def integrand(xi: float) -> float:
        h_t = teacher_channel.prox_scalar(teacher.m + sd_t * xi, noise * teacher.V)
        f_t = teacher_channel.score_scalar(h_t)
        f_s = student_channel.score_at_boundary(h_t)
        threshold = -student.m - noise * student.V_ST * f_t - noise * student.V * f_s
        return _standard_normal_density(xi) * _normal_cdf(threshold - c * xi, s)

    return float(quad(integrand, -_LIMIT, _LIMIT, **_QUAD)[0])

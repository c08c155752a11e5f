"""Order parameters, their conjugates, and the ridge-prior half of the saddle-point equations.

Order parameters (all per d): m = v·ŵ/d, Q = ‖ŵ‖²/d and the susceptibility V, for the teacher (T)
and the student (S); the cross overlap Q_TS = ŵ_{T,S}·ŵ_S/d with the teacher's first ρd weights,
and the cross-susceptibility V_ST. The conjugates (hats) come from the channel (the losses); the
prior equations below turn hats into order parameters (s_S = s_H = 1):

  a_T = 1/(λ_T + V̂_T),  V_T = a_T,  m_T = a_T m̂_T,  Q_T = a_T²(m̂_T² + Q̂_T)
  a_S = 1/(λ_S + V̂_S),  c = a_T V̂_ST,  M = m̂_S − c m̂_T
  V_S = ρ a_S,  V_ST = −ρ a_S c,  m_S = ρ a_S M
  Q_S = ρ a_S² (M² + Q̂_S − 2c Q̂_TS + c² Q̂_T),  Q_TS = ρ a_T a_S (m̂_T M + Q̂_TS − c Q̂_T)

Reference: Saglietti & Zdeborová (arXiv:2012.00194), model §3 "Prior (ridge) equations"
[R, validated against finite-d simulations].
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["StudentHats", "StudentOverlaps", "TeacherHats", "TeacherOverlaps"]


@dataclass(frozen=True)
class TeacherHats:
    """Conjugates of the teacher block: m̂_T, Q̂_T, V̂_T."""

    m_hat: float
    Q_hat: float
    V_hat: float

    def prior(self, teacher_reg: float) -> TeacherOverlaps:
        """Teacher order parameters from the ridge prior (s̄ = 1)."""
        a = 1.0 / (teacher_reg + self.V_hat)
        return TeacherOverlaps(
            m=a * self.m_hat, Q=a * a * (self.m_hat * self.m_hat + self.Q_hat), V=a
        )


@dataclass(frozen=True)
class TeacherOverlaps:
    """Teacher order parameters m_T, Q_T, V_T."""

    m: float
    Q: float
    V: float


@dataclass(frozen=True)
class StudentHats:
    """Conjugates of the student block: m̂_S, Q̂_S, V̂_S, Q̂_TS, V̂_ST."""

    m_hat: float
    Q_hat: float
    V_hat: float
    Q_TS_hat: float
    V_ST_hat: float

    def prior(
        self,
        teacher: TeacherHats,
        *,
        teacher_reg: float,
        student_reg: float,
        feature_fraction: float,
    ) -> StudentOverlaps:
        """Student order parameters from the ridge prior, given the teacher's conjugates."""
        rho = feature_fraction
        a_t = 1.0 / (teacher_reg + teacher.V_hat)
        a_s = 1.0 / (student_reg + self.V_hat)
        c = a_t * self.V_ST_hat
        M = self.m_hat - c * teacher.m_hat
        return StudentOverlaps(
            m=rho * a_s * M,
            Q=rho
            * a_s
            * a_s
            * (M * M + self.Q_hat - 2 * c * self.Q_TS_hat + c * c * teacher.Q_hat),
            V=rho * a_s,
            Q_TS=rho * a_t * a_s * (teacher.m_hat * M + self.Q_TS_hat - c * teacher.Q_hat),
            V_ST=-rho * a_s * c,
        )


@dataclass(frozen=True)
class StudentOverlaps:
    """Student order parameters m_S, Q_S, V_S and the cross terms Q_TS, V_ST."""

    m: float
    Q: float
    V: float
    Q_TS: float
    V_ST: float

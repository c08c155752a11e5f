"""Replica theory of knowledge distillation in a solvable model (Saglietti & Zdeborová).

A ridge-regularised GLM teacher sees all d features of a balanced Gaussian mixture; a GLM student
sees the first ρd features and is trained on the teacher's outputs on the same training points.
In the proportional limit n, d → ∞ with α = n/d fixed, the replica-symmetric saddle point closes
on a dozen scalar order parameters; this package solves it (closed form for the square case,
damped fixed point with Gauss–Hermite quadrature otherwise) and gives the Bayes limits:
:func:`solve` at one setting, :func:`curve` vectorised over α (or any one parameter).

The equations are our reconstruction of the paper's model (model tag [R]), checked against
finite-d simulations; the paper's text was not available (model §0, §7).

Reference: L. Saglietti and L. Zdeborová, "Solvable Model for Inheriting the Regularization
through Knowledge Distillation", MSML 2021, PMLR 145:809–846 (arXiv:2012.00194);
``docs/models/saglietti-zdeborova-2022.md``.
"""

from distillab.theory.replica_kd.bayes import (
    bayes_error,
    gaussian_tail,
    oracle_error,
    student_bayes_error,
)
from distillab.theory.replica_kd.channels import STUDENT_LOSSES, TEACHER_LOSSES
from distillab.theory.replica_kd.closed_form import (
    ridge_susceptibility,
    ridge_teacher,
    square_student,
)
from distillab.theory.replica_kd.observables import (
    agreement,
    generalization_error,
    student_train_error,
    teacher_train_error,
)
from distillab.theory.replica_kd.overlaps import (
    StudentHats,
    StudentOverlaps,
    TeacherHats,
    TeacherOverlaps,
)
from distillab.theory.replica_kd.setting import KDSetting
from distillab.theory.replica_kd.solver import (
    METHODS,
    SWEEPABLE,
    ReplicaKDCurve,
    ReplicaKDResult,
    SolverOptions,
    curve,
    setting_of,
    solve,
    solve_curve,
)

__all__ = [
    "METHODS",
    "STUDENT_LOSSES",
    "SWEEPABLE",
    "TEACHER_LOSSES",
    "KDSetting",
    "ReplicaKDCurve",
    "ReplicaKDResult",
    "SolverOptions",
    "StudentHats",
    "StudentOverlaps",
    "TeacherHats",
    "TeacherOverlaps",
    "agreement",
    "bayes_error",
    "curve",
    "gaussian_tail",
    "generalization_error",
    "oracle_error",
    "ridge_susceptibility",
    "ridge_teacher",
    "setting_of",
    "solve",
    "solve_curve",
    "square_student",
    "student_bayes_error",
    "student_train_error",
    "teacher_train_error",
]

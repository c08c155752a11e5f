"""Theory engines, one module per paper: pure numpy/scipy, no torch, nothing trained.

Every engine is built once from a validated, frozen setting (a bad value raises
:class:`~distillab.errors.ConfigError` naming the field and its valid range) and answers
queries with named arrays, in the neural-tangents spirit of functions that return predictors.
Names follow ``docs/glossary.md``.

- :class:`KernelKD`: kernel-regime training with privileged information (Rahbar et al.).
- :class:`LinearizedKD`: the infinitely wide KD student at convergence (Ji & Zhu).
- :class:`DeepLinearKD`: clean → noisy deep-linear student–teacher risks (Hong et al.).
- :mod:`replica_kd`: the replica saddle point, :func:`replica_kd.solve` and the vectorised
  :func:`replica_kd.curve` (Saglietti & Zdeborová).
- :class:`KernelSelfDistillation`, :class:`RepeatedRidge`: repeated self-distillation of ridge
  regression (Mobahi et al.; Borup & Andersen; Pareek et al.).
- :class:`RidgelessTarget`: weak-to-strong distillation in ridgeless regression (Ildiz et al.).

Example:
  >>> import numpy as np
  >>> from distillab.theory import KernelKD
  >>> KernelKD(np.eye(2), [1.0, -1.0], [0.0, 0.0], pi_weight=1.0).limit()
  array([ 0.5, -0.5])
"""

from distillab.theory import replica_kd
from distillab.theory.deep_linear_kd import DeepLinearKD, DeepLinearRiskCurve
from distillab.theory.kernel_kd import Complexity, KernelKD, KernelKDTrajectory, StepCount
from distillab.theory.linearized_kd import KDStudent, KDStudentCurve, LinearizedKD, RiskBound
from distillab.theory.replica_kd import KDSetting, ReplicaKDCurve, ReplicaKDResult, SolverOptions
from distillab.theory.self_distillation import (
    CollapsePath,
    KernelSelfDistillation,
    RepeatedRidge,
    RoundPath,
    StepsOptimum,
)
from distillab.theory.weak_to_strong import RidgelessTarget

__all__ = [
    "CollapsePath",
    "Complexity",
    "DeepLinearKD",
    "DeepLinearRiskCurve",
    "KDSetting",
    "KDStudent",
    "KDStudentCurve",
    "KernelKD",
    "KernelKDTrajectory",
    "KernelSelfDistillation",
    "LinearizedKD",
    "RepeatedRidge",
    "ReplicaKDCurve",
    "ReplicaKDResult",
    "RidgelessTarget",
    "RiskBound",
    "RoundPath",
    "SolverOptions",
    "StepCount",
    "StepsOptimum",
    "replica_kd",
]

"""Every finite-size simulation: given arrays and a seed, train a model and record what it did.

One module per simulator (theory modules train nothing; they predict what these measure):

- :mod:`~distillab.train.fit`: generic (S)GD of a torch module with trajectory recording;
  :mod:`~distillab.train.objectives` binds the KD, PI, ridge and feature losses to batch keys.
- :mod:`~distillab.train.wide_net`: wide two-layer networks in the kernel regime — closed-form GD on
  the privileged-information objectives, KD students, cross-entropy teachers, ridge fits.
- :mod:`~distillab.train.kernel_gd`: GD on the linearised (infinitely wide) KD student.
- :mod:`~distillab.train.deep_linear_gd`: batched GD of deep linear networks, base or
  feature-matching student–teacher loss.
- :mod:`~distillab.train.glm`: ridge and L-BFGS fits of generalised linear teachers and students.
- :mod:`~distillab.train.cache`: the teacher-output cache.
"""

from distillab.train.cache import TeacherCache
from distillab.train.deep_linear_gd import DeepLinearRun, deep_linear_gd, small_initialisation
from distillab.train.fit import Batch, Objective, Trajectory, fit
from distillab.train.glm import glm_student, glm_teacher, ridge_weights
from distillab.train.kernel_gd import KernelTrajectory, kernel_gradient_descent
from distillab.train.objectives import (
    cross_entropy_objective,
    feature_objective,
    kd_objective,
    pi_objective,
    ridge_objective,
    squared_objective,
)
from distillab.train.wide_net import (
    KDNetworkRun,
    PIRun,
    kd_network_gd,
    network_teacher_logits,
    pi_gradient_descent,
    ridge_network,
)

__all__ = [
    "Batch",
    "DeepLinearRun",
    "KDNetworkRun",
    "KernelTrajectory",
    "Objective",
    "PIRun",
    "TeacherCache",
    "Trajectory",
    "cross_entropy_objective",
    "deep_linear_gd",
    "feature_objective",
    "fit",
    "glm_student",
    "glm_teacher",
    "kd_network_gd",
    "kd_objective",
    "kernel_gradient_descent",
    "network_teacher_logits",
    "pi_gradient_descent",
    "pi_objective",
    "ridge_network",
    "ridge_objective",
    "ridge_weights",
    "small_initialisation",
    "squared_objective",
]

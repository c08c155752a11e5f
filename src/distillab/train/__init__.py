"""Training: ``fit`` (GD/SGD with trajectory recording), KD objectives, the teacher-output cache."""

from distillab.train.cache import TeacherCache
from distillab.train.fit import Batch, Objective, Trajectory, fit
from distillab.train.objectives import (
    cross_entropy_objective,
    kd_objective,
    pi_objective,
    squared_objective,
)

__all__ = [
    "Batch",
    "Objective",
    "TeacherCache",
    "Trajectory",
    "cross_entropy_objective",
    "fit",
    "kd_objective",
    "pi_objective",
    "squared_objective",
]

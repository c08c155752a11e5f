"""The KD advisor: the student's empirical NTK + linearised GD → ranked settings and teachers.

``distillab advise`` (see docs/advisor.md): one module per concept — :mod:`.data` (DATA specs),
:mod:`.models` (STUDENT/TEACHER specs), :mod:`.ntk` (kernels), :mod:`.dynamics` (batched
function-space GD on the KD loss), :mod:`.complexity` (supervision complexity), :mod:`.advice`
(ranking, regime, stability, advice.json), :mod:`.verify` (real training through the sweep
executors), :mod:`.page` (figures, HTML, terminal table). Imports are lazy (torch is heavy).
"""

from distillab._lazy import lazy_attributes

__all__ = [
    "AdviseConfig",
    "advise",
    "linearized_kd_gd",
    "load_data",
    "load_teacher",
    "supervision_complexity",
    "write_advice",
]

__getattr__ = lazy_attributes(
    __name__,
    {
        "AdviseConfig": "distillab.advise.advice",
        "advise": "distillab.advise.advice",
        "linearized_kd_gd": "distillab.advise.dynamics",
        "load_data": "distillab.advise.data",
        "load_teacher": "distillab.advise.models",
        "supervision_complexity": "distillab.advise.complexity",
        "write_advice": "distillab.advise.advice",
    },
)

"""Study ``ji-zhu-2020``: knowledge distillation in wide networks (risk bound, data inefficiency,
imperfect teacher).

Ji & Zhu model a very wide student by its NTK linearisation and study vanilla KD for binary
classification with loss ρ·(soft) + (1−ρ)·(hard) [V]. Their full text was not available: the
setting and the four claims (a transfer-risk bound, a data-inefficiency metric, ρ → 1 helps with a
perfect teacher, hard labels correct an imperfect teacher) are the paper's; the effective-logit
mechanism, the bound's angles, the definition of data inefficiency and every number here are our
reconstruction (``shared/papers/ji_zhu_wide_kd.md``, tagged [R]). Theory engine:
:mod:`distillab.theory.linearized_kd`; teachers: :mod:`distillab.data.kernel_teacher` and
:mod:`distillab.studies.ji_zhu_2020.teachers`.
"""

from distillab.studies.ji_zhu_2020 import (
    data_inefficiency,
    effective_target,
    finite_width,
    imperfect_teacher,
    imperfect_teacher_digits,
    perfect_teacher_risk,
    risk_bound,
    temperature,
)
from distillab.studies.spec import Study

STUDY = Study(
    name="ji-zhu-2020",
    title=(
        "Knowledge distillation in wide neural networks: risk bound, data efficiency and "
        "imperfect teacher"
    ),
    reference=(
        "Ji & Zhu, NeurIPS 2020, arXiv:2010.10090 "
        "(https://papers.neurips.cc/paper_files/paper/2020/hash/"
        "ef0d3930a7b6c95bd2b32ed45989c61f-Abstract.html)."
    ),
    status_note=(
        "Reconstruction, not a reproduction of the paper's numbers: only the abstract, the "
        "introduction and reviews were available. Stated by the paper: the linearised wide "
        "student, the mixed soft/hard loss (Variant A), and the qualitative claims. "
        "Reconstructed by us and checked numerically: the effective logit g and its jump, the "
        "angle form of the risk bound, data inefficiency as the growth exponent of ‖Δw‖², the "
        "teachers, and every experimental setting (the paper's datasets and figures are "
        "unknown). Kernel convention: Θ = relu_ntk(trained='both'), half the model's Θ. "
        "Teacher: the grid parameter teacher = 'centred' (default: one teacher with Σ a_j = 0) "
        "or 'per-seed' (the model's uncentred a_j ~ N(0, 1), a fresh teacher per training set); "
        "which one the paper means is unknown, and perfect-teacher-risk shows both."
    ),
    figures=(
        effective_target.FIGURE,
        perfect_teacher_risk.FIGURE,
        data_inefficiency.FIGURE,
        risk_bound.FIGURE,
        imperfect_teacher.FIGURE,
        imperfect_teacher_digits.FIGURE,
        temperature.FIGURE,
        finite_width.FIGURE,
    ),
)

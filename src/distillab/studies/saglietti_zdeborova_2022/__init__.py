"""Study ``saglietti-zdeborova-2022``: replica theory of knowledge distillation in a solvable model.

A ridge-regularised GLM teacher sees all d features of a balanced Gaussian mixture; a GLM student
sees ρd of them and is trained on the teacher's in-sample outputs. Figures: teacher optimality,
inheritance of regularisation (the headline), the teacher limiting the student, hard-label mixing,
double descent and the order parameters, each theory line overlaid with finite-d simulations.
"""

from distillab.studies.saglietti_zdeborova_2022 import (
    double_descent,
    hard_label_mixing,
    inheritance,
    overlaps,
    teacher_limits_student,
    teacher_optimality,
)
from distillab.studies.spec import Study

STUDY = Study(
    name="saglietti-zdeborova-2022",
    title=(
        "Solvable model for inheriting the regularization through knowledge distillation "
        "(replica theory)"
    ),
    reference=(
        "L. Saglietti and L. Zdeborová, MSML 2021, PMLR 145:809–846 (2022), arXiv:2012.00194, "
        "https://arxiv.org/abs/2012.00194."
    ),
    status_note=(
        "The paper's full text was not available. Its three claims (inheritance of "
        "regularisation, the student limited by the teacher's optimality, double descent) are "
        "the paper's [P]. The model (balanced Gaussian mixture, ridge/logistic teacher on all "
        "features, student on a fraction ρ of them trained on the teacher's in-sample outputs), "
        "the saddle-point equations, every curve, parameter and reference number are our "
        "reconstruction [R], validated here against finite-d simulations; whether this is the "
        "paper's exact model is unverified (model §0, §7)."
    ),
    figures=(
        teacher_optimality.FIGURE,
        inheritance.FIGURE,
        teacher_limits_student.FIGURE,
        hard_label_mixing.FIGURE,
        double_descent.FIGURE,
        overlaps.FIGURE,
    ),
)

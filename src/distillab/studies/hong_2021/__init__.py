"""Study ``hong-2021``: feature-based student–teacher learning from clean to noisy inputs.

Hong, Mao, Lin & Chan, CVPR 2021, arXiv:2103.07600. Only the abstract and introduction of the
paper were available. They state [S] that a student on noisy inputs matching the hidden features
of a teacher trained on clean inputs is analysed with deep linear networks and checked with
nonlinear ones, and that three factors decide whether it helps: training to zero loss (which
removes the benefit), the teacher's knowledge, and how the teacher decomposes that knowledge over
its hidden features. Everything computed here — the linear-Gaussian model, the closed forms
C1/C2, the statements T1–T3, the teachers and the configuration — is the spec's formalisation or
ours [D], not the paper's theorems; see ``distillab.theory.deep_linear_kd``.
"""

from distillab.studies.hong_2021 import (
    decomposition,
    digits_noisy,
    double_descent,
    feature_weight,
    teacher_knowledge,
    zero_loss,
)
from distillab.studies.spec import Study

STUDY = Study(
    name="hong-2021",
    title="Student–teacher learning from clean inputs to noisy inputs (deep linear networks)",
    reference=(
        "Hong, Mao, Lin & Chan, 'Student-Teacher Learning from Clean Inputs to Noisy Inputs', "
        "CVPR 2021, pp. 12075–12084, arXiv:2103.07600."
    ),
    status_note=(
        "Stated by the paper [S]: the three factors (zero training loss removes the benefit; "
        "teacher knowledge; decomposition of knowledge over hidden features) and that deep linear "
        "networks are the analysis tool. Ours [D]: the linear-Gaussian model, the closed forms "
        "C1/C2, T1 (base and ST end at Y X̃⁺ when N < d), T2 (N > d), the teachers and every "
        "configuration (the spec's calibrated one was unavailable: we use a rank-8 target, "
        "d = 50, N = 30, σ = 0.3, τ = 1). Measured against the spec's [D] predictions: T1, "
        "C1/C2, T2b/c, the early-stopping gain of a knowledgeable task-aligned teacher (≈0.88 "
        "of base), its growth with teacher knowledge and with λ, and the τ = 0 null hold; "
        "teachers that only copy the labels still give a ≈4% gain and the task+irrelevant teacher "
        "a ≈3% gain (the spec predicts none and a loss): ST changes the implicit regularisation "
        "of early-stopped GD, an effect that depends on the configuration."
    ),
    figures=(
        zero_loss.FIGURE,
        double_descent.FIGURE,
        teacher_knowledge.FIGURE,
        decomposition.FIGURE,
        feature_weight.FIGURE,
        digits_noisy.FIGURE,
    ),
)

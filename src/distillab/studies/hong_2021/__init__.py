"""Study ``hong-2021``: feature-based student–teacher learning from clean to noisy inputs.

Hong, Mao, Lin & Chan, CVPR 2021, arXiv:2103.07600. Only the abstract and introduction of the
paper were available. They state [S] that a student on noisy inputs matching the hidden features
of a teacher trained on clean inputs is analysed with deep linear networks and checked with
nonlinear ones, and that three factors decide whether it helps: training to zero loss (which
removes the benefit), the teacher's knowledge, and how the teacher decomposes that knowledge over
its hidden features. Everything computed here — the linear-Gaussian model, the closed forms
C1/C2, the statements T1–T3, the teachers and the configuration — is the model's formalisation or
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
        "configuration (the model's calibrated one was unavailable: we use d = 50, N = 30, "
        "σ = 0.3, τ = 1, a rank-8 target, rank 50 in zero-loss). Early stopping is oracle "
        "early stopping at the best of every GD step (the model's rule, tested by the agreement "
        "lines) or of a 100-step grid (shown beside it). Measured against the model's [D] "
        "predictions with every-step stopping: T1 (the ST run converges slowly; after 2000 "
        "steps it is still ≈1 % below Y X̃⁺ in double-descent), C1/C2 (across the peak), "
        "T2b/c, the task-aligned teacher's gain equal to the oracle teacher's up to its clean "
        "error (falling as N_T⁻¹), and its growth with λ hold; teachers with no knowledge are "
        "not neutral — a teacher that only copies the labels gives a ≈5 % gain and the "
        "task+irrelevant teacher ≈3 % (the model predicts none and a loss), and at τ = 0 the "
        "task-aligned teacher still gains ≈2 %: ST changes the implicit regularisation (and "
        "speed) of early-stopped GD. On the 100-step grid every ST run with τ = 1 is stopped "
        "at its initialisation, which makes the no-knowledge claims look true for the wrong "
        "reason."
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

"""Study ``custom-study``: distillab's example plug-in, registered by an entry point.

One figure (:mod:`distillab_custom_study.soft_labels`): the risk of a least-squares student that
learns from a mixture of noisy labels and a biased teacher's outputs, an exact finite-n closed
form checked against Monte Carlo. Everything here uses only ``from distillab import ...``.
"""

from distillab import Study
from distillab_custom_study import soft_labels

STUDY = Study(
    name="custom-study",
    title="Example plug-in: soft labels in least squares (teacher bias vs label noise)",
    reference=(
        "distillab's example plug-in (examples/custom-study); the regression form of the KD "
        "loss, L = (1-ρ)·½‖Xw − y‖² + ρ·½‖Xw − Xw_t‖²."
    ),
    status_note=(
        "Not from a paper: the risk formula is derived in the figure module (the mean of an "
        "inverse-Wishart matrix) and is exact at every n > d + 1."
    ),
    figures=(soft_labels.FIGURE,),
)

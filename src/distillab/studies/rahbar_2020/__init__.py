"""Study ``rahbar-2020``: knowledge transfer with privileged information in the kernel regime.

Rahbar, Panahi, Bhattacharyya, Dubhashi, Haghir Chehreghani, "On the Unreasonable Effectiveness of
Knowledge Distillation: Analysis in the Kernel Regime" (v1, 2020) / "Analysis of Knowledge
Transfer in Kernel Regime" (v3, CIKM 2022), arXiv:2003.13438. Only the abstracts and the first
paragraphs were readable: the claims are the paper's ([A]); every formula is our reconstruction
([R]) in the model of Arora et al. 2019 (engine :mod:`distillab.theory.kernel_kd`), the KT-B
objective and the lottery-ticket reading are guesses ([G]). Spec: rahbar_kernel_kd.md.
"""

from distillab.studies.rahbar_2020 import (
    generalization,
    initialization_gap,
    limit_point,
    spectrum,
    speedup,
    trajectory,
)
from distillab.studies.spec import Study

STUDY = Study(
    name="rahbar-2020",
    title="Knowledge transfer with privileged information in the kernel regime",
    reference=(
        "Rahbar, Panahi, Bhattacharyya, Dubhashi, Haghir Chehreghani, arXiv:2003.13438 (v1 2020; "
        "v3 = CIKM 2022, doi:10.1145/3511808.3557237)."
    ),
    status_note=(
        "Only the abstracts and first paragraphs of the paper were read. The claims (student "
        "interpolates between PI and data; the teacher cuts iterations through the kernel's "
        "spectrum; fewer iterations, better generalisation) are the paper's; every formula and "
        "theory line is our reconstruction in Arora et al.'s kernel model (KT-A objective "
        "½‖u−y‖² + λ/2‖u−z‖² as sums), KT-B and the lottery-ticket reading are guesses, and all "
        "data sets, sizes and tolerances are ours (the paper's CIFAR-10 setting is unknown)."
    ),
    figures=(
        limit_point.FIGURE,
        trajectory.FIGURE,
        speedup.FIGURE,
        spectrum.FIGURE,
        generalization.FIGURE,
        initialization_gap.FIGURE,
    ),
)

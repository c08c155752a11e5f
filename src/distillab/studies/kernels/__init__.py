"""Study ``kernels``: the kernel-regime facts every paper study relies on.

Both figures check the library's own foundations, not a paper: the empirical NTK of the
NTK-parameterised two-layer network converges to the analytic arc-cosine NTK at rate m^{-1/2}
(Jacot et al. 2018), and the weights move by O(m^{-1/2}) per unit during training (the lazy regime
of Du et al. 2019 and Arora et al. 2019). Every prediction here is exact mathematics for the model
as implemented; nothing is reconstructed from a paper.
"""

from distillab.studies.kernels import lazy_training, ntk_convergence
from distillab.studies.spec import Study

STUDY = Study(
    name="kernels",
    title="Kernel-regime foundations: NTK convergence and lazy training",
    reference=(
        "Jacot et al., arXiv:1806.07572; Du et al., arXiv:1810.02054; Arora et al., "
        "arXiv:1901.08584."
    ),
    status_note=(
        "Library self-check, not a paper reproduction: all theory lines are exact consequences of "
        "the model as implemented (i.i.d. units, linearised gradient descent)."
    ),
    figures=(ntk_convergence.FIGURE, lazy_training.FIGURE),
)

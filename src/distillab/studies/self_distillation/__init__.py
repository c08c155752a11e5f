"""Study ``self-distillation``: ridge regression refitted on its own predictions, round after round.

Kernel ridge regression in the eigenbasis of the Gram matrix (Mobahi, Farajtabar & Bartlett 2020;
Borup & Andersen 2021), checked against wide two-layer networks distilled into fresh networks in
the kernel regime; k-step self-distillation of linear ridge regression (Pareek, Du & Oh 2024),
checked by Monte Carlo over noise draws and measured on scikit-learn's diabetes data. The model,
with every formula tagged stated / reconstructed / guessed: ``docs/models/self-distillation.md``.
"""

from distillab.studies.self_distillation import collapse, diabetes, rounds, steps
from distillab.studies.spec import Study

STUDY = Study(
    name="self-distillation",
    title="Repeated self-distillation: amplified regularisation, ground-truth mixing, k-step gains",
    reference=(
        "Mobahi, Farajtabar & Bartlett, NeurIPS 2020, arXiv:2002.05715; Borup & Andersen, "
        "NeurIPS 2021, arXiv:2102.13088; Pareek, Du & Oh, NeurIPS 2024, arXiv:2407.04600."
    ),
    status_note=(
        "Stated by the papers: the spectral round map a_i = d_i/(d_i + λ), the closed form of any "
        "round from the first fit, the λ/α limit, the ξ convention. Reconstructed here: the "
        "effective-basis count, the collapse bracket (not the paper's bound), the greedy optimal "
        "α_t and the fixed-design risk's optimal ξ (a KKT solve); see the model."
    ),
    figures=(rounds.FIGURE, collapse.FIGURE, steps.FIGURE, diabetes.FIGURE),
)

"""Study ``weak-to-strong``: knowledge distillation in ridgeless high-dimensional regression.

Ildiz, Gozeten, Taga, Mondelli & Oymak (ICLR 2025): a min-norm target trained on a surrogate's
labels. The setting (p = 500, λᵢ = i⁻², λᵢβ*ᵢ² = i⁻¹·⁵) is stated by the paper; every formula is
a reconstruction from standard ridgeless-regression theory (deterministic equivalents), checked
against Monte Carlo over Gaussian designs (model §2–§6).
"""

from distillab.studies.spec import Study
from distillab.studies.weak_to_strong import (
    finite_size,
    optimal_surrogate,
    risk_vs_n,
    scaling_exponents,
)

STUDY = Study(
    name="weak-to-strong",
    title="High-dimensional analysis of knowledge distillation: weak-to-strong and scaling laws",
    reference=("Ildiz, Gozeten, Taga, Mondelli & Oymak, ICLR 2025, arXiv:2410.18837."),
    status_note=(
        "Setting stated by the paper (Fig. 1: p = 500, n = 200, λᵢ = i⁻², λᵢβ*ᵢ² = i⁻¹·⁵); the "
        "risk formulas, the optimal surrogate's gain, the optimal mask and the scaling exponents "
        "are reconstructed from standard deterministic equivalents (κ solving n = Σλᵢ/(λᵢ+κ)) "
        "and checked against Monte Carlo; surrogate labels are noise-free (guessed)."
    ),
    figures=(
        optimal_surrogate.FIGURE,
        risk_vs_n.FIGURE,
        scaling_exponents.FIGURE,
        finite_size.FIGURE,
    ),
)

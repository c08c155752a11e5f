"""Figure ``custom-study/risk-vs-soft-ratio``: a least-squares student between labels and teacher.

Setting: inputs x ~ N(0, I_d) with d = 4, labels y = xᵀw* + σξ (σ = 1, ξ ~ N(0, 1)) and a
teacher w_t = w* + δ that is off by ε = ‖δ‖ = 0.5. With soft ratio ρ the student minimises the
regression form of the KD loss

    L(w) = (1 − ρ)·½‖Xw − y‖² + ρ·½‖Xw − Xw_t‖²,

which is least squares on the mixed target (1 − ρ)y + ρXw_t, so
ŵ = w* + ρδ + (1 − ρ)σ(XᵀX)⁻¹Xᵀξ. Its excess risk (isotropic inputs) is exact at every n > d + 1:

    R(ρ, n) = E‖ŵ − w*‖² = ρ²ε² + (1 − ρ)²σ²·d/(n − d − 1),

the teacher's bias against the labels' noise, by E tr((XᵀX)⁻¹) = d/(n − d − 1) (the mean of an
inverse-Wishart matrix; the cross term vanishes because E ξ = 0). The best soft ratio
ρ* = σ²k/(ε² + σ²k), k = d/(n − d − 1), falls as n grows: more samples average the noise out and
the teacher's bias is left.

Simulation: for each seed, the mean of ‖ŵ − w*‖² over ``draws`` Gaussian designs, each solved
exactly; the agreement line compares the seed mean with R(ρ, n) at every grid point.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from distillab import (
    Comparison,
    Figure,
    Key,
    Line,
    Panel,
    Plot,
    Point,
    Points,
    Reference,
    Tolerance,
    within,
)

FEATURES = 4  # d
NOISE = 1.0  # σ, the labels' noise level
TEACHER_ERROR = 0.5  # ε = ‖w_t − w*‖

# ρ = 1 (the student copies the teacher, risk ε² in every draw) is the dotted reference line.
_SOFT_RATIOS = {"quick": [0.0, 0.25, 0.5, 0.75, 0.9], "full": [i / 10 for i in range(10)]}
_N = {"quick": [12, 48], "full": [10, 16, 32, 64]}
_DRAWS = {"quick": 1000, "full": 4000}


@dataclass(frozen=True)
class MixPoint(Point):
    """A grid point: soft ratio ρ, sample size n (> d + 1, the risk is finite), draws per seed."""

    soft_ratio: float = within(0, 1)
    n: int = within(FEATURES + 2)
    draws: int = within(1)


def theory(point: MixPoint) -> dict[str, float]:
    """R(ρ, n) = ρ²ε² + (1 − ρ)²σ²·d/(n − d − 1) and the best soft ratio ρ* at this n.

    Example:
      >>> theory(MixPoint(soft_ratio=1.0, n=12, draws=1))["risk"]  # the teacher's own error ε²
      0.25
    """
    variance = NOISE**2 * FEATURES / (point.n - FEATURES - 1)
    rho = point.soft_ratio
    return {
        "risk": rho**2 * TEACHER_ERROR**2 + (1 - rho) ** 2 * variance,
        "best_soft_ratio": variance / (TEACHER_ERROR**2 + variance),
    }


def simulate(point: MixPoint, seed: int) -> dict[str, float]:
    """The mean over ``draws`` Gaussian designs of the student's excess risk ‖ŵ − w*‖²."""
    rng = np.random.default_rng([seed, point.n])  # the same designs for every ρ at this n
    truth = np.eye(FEATURES)[0]
    teacher = truth + TEACHER_ERROR * np.eye(FEATURES)[1]
    inputs = rng.standard_normal((point.draws, point.n, FEATURES))
    labels = inputs @ truth + NOISE * rng.standard_normal((point.draws, point.n))
    target = (1 - point.soft_ratio) * labels + point.soft_ratio * (inputs @ teacher)
    transposed = np.swapaxes(inputs, 1, 2)
    student = np.linalg.solve(transposed @ inputs, transposed @ target[..., None])[..., 0]
    return {"risk": float(np.mean(np.sum((student - truth) ** 2, axis=1)))}


PLOT = Plot(
    Panel(
        "soft_ratio",
        series=(
            Line("risk", label="theory, n = {by}"),
            Points("risk"),
            Key("Monte Carlo (seed mean ± s.e.)", color="k", marker="o", linestyle="none"),
            Reference(TEACHER_ERROR**2, label="teacher's own risk ε²", color="0.4", linestyle=":"),
        ),
        xlabel="soft ratio ρ",
        ylabel="excess risk E‖ŵ − w*‖²",
        title=f"Soft labels, least squares (d = {FEATURES}, σ = {NOISE:g}, ε = {TEACHER_ERROR:g})",
        by="n",
    )
)

RISK_LINE = Comparison(
    "risk",
    "risk",
    Tolerance(
        "seed noise only: the formula is exact at every n > d + 1, so there is no finite-size "
        "allowance; z = 4 because the s.e. comes from as few as 8 seeds (Student's t with 7 "
        "degrees of freedom: P(|t| > 4) ≈ 0.5 % per point); 1e-9·|θ| covers round-off at ρ = 1 "
        "(off the grid, but --set may choose it), where every draw gives exactly θ = ε².",
        z=4.0,
        allowance=1e-9,
    ),
    label="student risk = ρ²ε² + (1 − ρ)²σ²d/(n − d − 1), every ρ and n",
)

FIGURE = Figure(
    name="risk-vs-soft-ratio",
    title="Student risk vs soft ratio: teacher bias against label noise",
    caption=(
        f"A least-squares student with d = {FEATURES} features learns from the mixed target "
        f"(1 − ρ)·y + ρ·(teacher), labels with noise σ = {NOISE:g}, a teacher off by "
        f"ε = {TEACHER_ERROR:g}. Lines: the exact risk ρ²ε² + (1 − ρ)²σ²d/(n − d − 1); points: "
        f"Monte Carlo over Gaussian designs ({_DRAWS['full']} per seed in the full profile, "
        f"{_DRAWS['quick']} in quick), seed mean ± s.e. The best soft ratio falls as n grows."
    ),
    grid={
        profile: [
            {"soft_ratio": rho, "n": n, "draws": _DRAWS[profile]}
            for n in _N[profile]
            for rho in _SOFT_RATIOS[profile]
        ]
        for profile in ("quick", "full")
    },
    theory=theory,
    simulate=simulate,
    plot=PLOT,
    point=MixPoint,
    seeds={"quick": 8, "full": 16},
    compare=(RISK_LINE,),
)

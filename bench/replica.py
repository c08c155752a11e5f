"""Replica theory curves vs finite-d simulations of the same α grid, as ratios.

Grid: 40 sample ratios α log-spaced in [0.2, 5] (ρ = 0.5, Δ = 1), two cases of the study
``saglietti-zdeborova-2022``:

* square: ridge teacher λ_T = 1 → ridgeless ``kd_sq`` student (λ_S = 10⁻⁶);
* logistic/CE: logistic teacher λ_T = 1 → ``kd_ce`` student (τ = 1, λ_S = 10⁻⁴).

Theory: ``solve_curve`` (warm-started continuation along α; closed form for the square case,
damped Anderson-mixed fixed point with 61² Gauss–Hermite nodes for CE), and for comparison the
iterative solver on the square case, 41 nodes, and cold pointwise ``solve`` calls. Simulation: the
study's finite-d recipe (model §5: linear solves, L-BFGS) at d = 1000, one seed per α, measured
once; the study's full profile runs 16 seeds and the issue's acceptance check 4, so the ratios are
also printed per those seed counts (simulation cost is linear in seeds).

All timings use one BLAS thread (the machine is shared; read the ratios and the CPU times).
Run: ``python bench/replica.py`` (≈ 30 s on a quiet machine).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import Timing, measure
from distillab.studies.saglietti_zdeborova_2022.common import KDPoint
from distillab.studies.saglietti_zdeborova_2022.simulation import simulate_point
from distillab.theory.replica_kd import SolverOptions, solve, solve_curve

ALPHAS = np.geomspace(0.2, 5.0, 40)
D = 1000
BASE = {"noise": 1.0, "feature_fraction": 0.5, "hard_weight": 0.0, "temperature": 1.0}
CASES = {
    "square": {
        **BASE,
        "teacher_loss": "square",
        "teacher_reg": 1.0,
        "student_loss": "kd_sq",
        "student_reg": 1e-6,
    },
    "logistic/CE": {
        **BASE,
        "teacher_loss": "logistic",
        "teacher_reg": 1.0,
        "student_loss": "kd_ce",
        "student_reg": 1e-4,
    },
}
SEED_COUNTS = (1, 4, 16)
ITERATIVE = SolverOptions(method="iterative")
COARSE = SolverOptions(nodes=41)


def _curve(case: dict, options: SolverOptions | None = None) -> None:
    results = solve_curve(ALPHAS, **case, options=options)
    assert all(r.converged for r in results), [r.status for r in results if not r.converged]


def _pointwise(case: dict) -> None:
    for alpha in ALPHAS:
        assert solve(sample_ratio=float(alpha), **case).converged


def _simulation(case: dict) -> None:
    for alpha in ALPHAS:
        simulate_point(KDPoint.of({**case, "sample_ratio": float(alpha), "d": D}), seed=0)


def main() -> dict[str, float]:
    """Print and return simulation/curve ratios (per seed, wall and CPU) for both cases."""
    ratios: dict[str, float] = {}
    print(f"{ALPHAS.size} α in [0.2, 5], ρ = 0.5, Δ = 1; simulation d = {D}; 1 thread")
    with threadpool_limits(limits=1):
        for name, case in CASES.items():
            curve = measure(lambda case=case: _curve(case), repeats=5 if name == "square" else 3)
            extras: dict[str, Timing] = {}
            if name == "square":
                extras["iterative solver"] = measure(
                    lambda case=case: _curve(case, ITERATIVE), repeats=3
                )
            else:
                extras["41² nodes"] = measure(lambda case=case: _curve(case, COARSE), repeats=3)
            extras["cold pointwise solve"] = measure(
                lambda case=case: _pointwise(case), repeats=1, warmup=0
            )
            simulation = measure(lambda case=case: _simulation(case), repeats=1, warmup=0)
            ratios[f"{name}_curve_seconds_wall"] = curve.wall
            print(f"\n[{name}]")
            print(f"  theory curve (solve_curve, default):  {curve}")
            for label, timing in extras.items():
                print(f"  theory curve ({label}):{' ' * (22 - len(label))}{timing}")
            print(f"  simulation, 1 seed per α, d = {D}:    {simulation}")
            for seeds in SEED_COUNTS:
                wall = seeds * simulation.wall / curve.wall
                cpu = seeds * simulation.cpu / curve.cpu
                ratios[f"{name}_simulation_{seeds}_seeds_over_curve_cpu"] = cpu
                ratios[f"{name}_simulation_{seeds}_seeds_over_curve_wall"] = wall
                print(
                    f"  ratio simulation ({seeds:2d} seed{'s' if seeds > 1 else ' '}) / curve: "
                    f"{wall:8.1f}× wall, {cpu:8.1f}× CPU"
                )
            print(
                f"  curve time {curve.cpu:.2f} s CPU (goal < 5 s; issue 6: square < 1 s, CE < 60 s)"
            )
    print("\ngoal (issue 7): simulation / curve ≥ 100× at the study's seed counts")
    return ratios


if __name__ == "__main__":
    main()

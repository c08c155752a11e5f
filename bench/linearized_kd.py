"""Kernel-level prediction vs finite-width training (Ji & Zhu study), printed as ratios.

Reference problem of the ji-zhu-2020 study: d = 5, 40-centre RKHS teacher, n = 40 training
points, 2000 test points, ρ = 0.5, T = 1, mixed-target loss. Three ways to get the student's test
predictions:

* the converged kernel student (build both kernels, factor, solve): the study's theory;
* kernel gradient descent at the network's lr/momentum/steps (the exact m → ∞ run);
* training a TwoLayerNet of width 1024 for 10⁴ full-batch steps (the finite-width check).

Also: solving nine soft ratios on one factored n = 800 student vs rebuilding it per ratio (the
"build once, evaluate many" shape of :class:`LinearizedKD`).

Run: ``python bench/linearized_kd.py`` (≈ 1 minute on one core).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import Timing, measure
from distillab.kernels import relu_ntk
from distillab.studies.ji_zhu_2020.common import (
    NETWORK_LR,
    NETWORK_MOMENTUM,
    REFERENCE,
    ProblemPoint,
    kernel_problem,
    perfect_teacher,
    test_inputs,
    train_network,
)
from distillab.theory.linearized_kd import LinearizedKD
from distillab.train.kernel_gd import kernel_gradient_descent

KD = {"soft_ratio": 0.5, "temperature": 1.0}
RATIOS = (0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9, 1.0)
STEPS, WIDTH = 10_000, 1024


def main() -> dict[str, float]:
    """Print and return the time ratios (and the agreement they buy)."""
    params = ProblemPoint(**REFERENCE, n=40, test_size=2000)
    teacher = perfect_teacher(5, 40, 3.0, 0)
    problem = kernel_problem(params, 0, teacher)
    student = problem.student

    def kernel_student() -> np.ndarray:
        fresh = kernel_problem(params, 0, teacher)
        return fresh.student.solve(**KD).test_logits

    def kernel_descent() -> np.ndarray:
        return kernel_gradient_descent(
            student.ntk_gram,
            student.ntk_cross,
            student.teacher_logits,
            student.labels,
            **KD,
            lr=NETWORK_LR,
            momentum=NETWORK_MOMENTUM,
            steps=STEPS,
        ).test_logits[-1]

    def network() -> np.ndarray:
        return train_network(problem, **KD, width=WIDTH, steps=STEPS, seed=0).test_logits

    timings: dict[str, Timing] = {
        "converged kernel student": measure(kernel_student, repeats=5),
        f"kernel GD, {STEPS} steps": measure(kernel_descent, repeats=3),
        f"TwoLayerNet m={WIDTH}, {STEPS} steps": measure(network, repeats=3, warmup=0),
    }
    predicted, trained = kernel_student(), network()
    agreement = float(np.mean((predicted > 0) == (trained > 0)))

    large = ProblemPoint(**REFERENCE, n=800, test_size=2000)
    X = kernel_problem(large, 1, teacher).X
    K, K_cross = relu_ntk(X, trained="both"), relu_ntk(test_inputs(5, 2000, 0), X, trained="both")
    z_t, y = teacher.logits(X), teacher.labels(X)
    once = LinearizedKD(K, K_cross, z_t, y)
    reuse = measure(lambda: [once.solve(soft_ratio=r, temperature=1.0) for r in RATIOS])
    rebuild = measure(
        lambda: [
            LinearizedKD(K, K_cross, z_t, y).solve(soft_ratio=r, temperature=1.0) for r in RATIOS
        ]
    )

    network_time = timings[f"TwoLayerNet m={WIDTH}, {STEPS} steps"]
    kernel_time = timings["converged kernel student"]
    descent_time = timings[f"kernel GD, {STEPS} steps"]
    ratios = {
        "network_over_kernel_student": network_time.wall / kernel_time.wall,
        "network_over_kernel_gd": network_time.wall / descent_time.wall,
        "rebuild_over_reuse": rebuild.wall / reuse.wall,
        "sign_agreement": agreement,
    }
    print(f"n = 40, 2000 test points, ρ = 0.5, T = 1; torch threads {torch.get_num_threads()}")
    for name, timing in timings.items():
        print(f"  {name:<34} {timing}")
    print(
        f"  network / kernel student   ×{ratios['network_over_kernel_student']:.0f} wall, "
        f"×{network_time.cpu / kernel_time.cpu:.0f} CPU; sign agreement {agreement:.4f}"
    )
    print(
        f"  network / kernel GD        ×{ratios['network_over_kernel_gd']:.0f} wall, "
        f"×{network_time.cpu / descent_time.cpu:.0f} CPU"
    )
    print("nine soft ratios on one n = 800 student (2000 test points):")
    print(f"  one factorisation          {reuse}")
    print(f"  rebuilt for each ratio     {rebuild}   ×{ratios['rebuild_over_reuse']:.2f}")
    return ratios


if __name__ == "__main__":
    main()

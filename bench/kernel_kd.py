"""Closed-form kernel-regime trajectories (KernelKD) vs training the wide network, as ratios.

Problem: n = 1000 points of S^19 with ±1 labels, a smooth teacher z, KT-A sum objective, GD at
η = 0.3/μ_max, 100 recording times k ∈ [0, 1000], five PI weights λ ∈ {0, 0.5, 1, 2, 4}.

* closed form: relu_ntk(X) → one ``eigh`` (KernelKD) → for each λ, ``replace(engine, pi_weight=λ)``
  and ``outputs(times, lr=η)`` (100 × n outputs);
* network: the study's float64 full-batch GD loop on a width-8192 ``TwoLayerNet`` for the same
  5 × 1000 steps. Training all of them takes minutes, so the per-step time is measured on short
  runs (median of repeats) and multiplied by 5000 steps — the cost per full-batch step is
  constant, which the printed per-step spread lets one check;
* one ``np.linalg.eigh`` of the 1000 × 1000 Gram matrix, the floor of any closed form.

All timings use one BLAS/torch thread (the machine is shared; the ratios are what to read).
Run: ``python bench/kernel_kd.py`` (≈ 1 minute).
"""

from __future__ import annotations

import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import Timing, measure
from distillab.data import unit_sphere
from distillab.kernels import relu_ntk
from distillab.nn import TwoLayerNet
from distillab.theory.kernel_kd import KernelKD
from distillab.train.wide_net import pi_gradient_descent

N, D, WIDTH, STEPS = 1000, 20, 8192, 1000
PI_WEIGHTS = (0.0, 0.5, 1.0, 2.0, 4.0)
TIMES = np.unique(np.linspace(0, STEPS, 100).round())
PROBE_STEPS, PROBE_REPEATS = 10, 3


def _problem() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    X = unit_sphere(N, D, seed=0)
    y = np.where(X[:, 0] >= 0, 1.0, -1.0)
    z = np.tanh(2.0 * X[:, 0])
    return X, y, z


def _closed_form(X: np.ndarray, y: np.ndarray, z: np.ndarray) -> list[np.ndarray]:
    engine = KernelKD(relu_ntk(X), y, z, pi_weight=0.0)
    lr = 0.3 / engine.spectrum.mu_max
    return [replace(engine, pi_weight=lam).outputs(TIMES, lr=lr) for lam in PI_WEIGHTS]


def _network_step(X: np.ndarray, y: np.ndarray, z: np.ndarray, lr: float) -> Timing:
    """Median wall/CPU seconds per full-batch step of the width-8192 student."""
    walls, cpus = [], []
    for repeat in range(PROBE_REPEATS + 1):
        net = TwoLayerNet(D, WIDTH, seed=repeat, dtype=torch.float64)
        wall, cpu = time.perf_counter(), time.process_time()
        pi_gradient_descent(net, X, y, z, lr=lr, steps=PROBE_STEPS, pi_weight=1.0)
        if repeat:  # the first run warms up the allocator
            walls.append((time.perf_counter() - wall) / PROBE_STEPS)
            cpus.append((time.process_time() - cpu) / PROBE_STEPS)
    return Timing(statistics.median(walls), statistics.median(cpus))


def main() -> dict[str, float]:
    """Print and return the two ratios (network/closed form, closed form/eigh)."""
    X, y, z = _problem()
    with threadpool_limits(limits=1):
        torch.set_num_threads(1)
        H = relu_ntk(X)
        lr = 0.3 / np.linalg.eigvalsh(H)[-1]
        closed = measure(lambda: _closed_form(X, y, z), repeats=5)
        eigh = measure(lambda: np.linalg.eigh(H), repeats=5)
        step = _network_step(X, y, z, lr)
    total_steps = STEPS * len(PI_WEIGHTS)
    network = Timing(step.wall * total_steps, step.cpu * total_steps)
    ratios = {
        "network_over_closed_form_wall": network.wall / closed.wall,
        "network_over_closed_form_cpu": network.cpu / closed.cpu,
        "closed_form_over_eigh_wall": closed.wall / eigh.wall,
        "closed_form_over_eigh_cpu": closed.cpu / eigh.cpu,
    }
    print(f"n = {N}, d = {D}, {TIMES.size} times up to k = {STEPS}, λ ∈ {PI_WEIGHTS}; 1 thread")
    print(f"closed form (relu_ntk + eigh + 5 λ × outputs): {closed}")
    print(f"one eigh of the {N}×{N} Gram matrix:           {eigh}")
    print(f"network step, m = {WIDTH} (median of {PROBE_REPEATS}×{PROBE_STEPS}):    {step}")
    print(f"network, {total_steps} steps (per-step × steps):  {network}")
    print(
        f"ratio network / closed form: {ratios['network_over_closed_form_wall']:.0f}× wall, "
        f"{ratios['network_over_closed_form_cpu']:.0f}× CPU   (goal ≥ 1000×)"
    )
    print(
        f"ratio closed form / eigh:    {ratios['closed_form_over_eigh_wall']:.2f}× wall, "
        f"{ratios['closed_form_over_eigh_cpu']:.2f}× CPU   (goal ≤ 1.5×)"
    )
    return ratios


if __name__ == "__main__":
    main()

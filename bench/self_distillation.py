"""Closed-form kernel self-distillation vs the wide-network rounds it replaces, as ratios.

Problem: the ``self-distillation/rounds`` figure's data (n = 64 points of S^7, NTK H^∞, λ = 1,
400 test points), 8 rounds for each of α = 0, α = 0.5 and the greedy optimal α_t.

* closed form: relu_ntk → one ``eigh`` (KernelSelfDistillation) → ``rounds`` / ``optimal_rounds``
  for the three schedules (test predictions of every round);
* network: the figure's simulation, 8 rounds of a fresh width-4096 TwoLayerNet trained by GD on
  the ridge objective, for the same three schedules (one seed), timed in full.

All timings use one BLAS/torch thread. Run: ``python bench/self_distillation.py`` (≈ 10 s).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import torch
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import Timing, measure
from distillab.kernels import relu_ntk
from distillab.studies.self_distillation import problem, rounds
from distillab.theory.self_distillation import KernelSelfDistillation

WIDTH, HORIZON = 4096, 8
SCHEDULES = (0.0, 0.5, rounds.OPTIMAL)


def _point(alpha: float | str) -> rounds.RoundPoint:
    """The figure's point of schedule α at its last round (the network runs cover all rounds)."""
    params = {**rounds._BASE, "alpha": alpha, "horizon": HORIZON, "width": WIDTH}
    return rounds.RoundPoint.of({**params, "round": HORIZON})


def _closed_form(prob: problem.Problem) -> None:
    engine = KernelSelfDistillation(relu_ntk(prob.X), prob.y, relu_ntk(prob.X_test, prob.X))
    ridge = rounds._BASE["ridge"]
    engine.rounds(ridge, HORIZON, 0.0)
    engine.rounds(ridge, HORIZON, 0.5)
    engine.optimal_rounds(ridge, HORIZON, prob.clean_test)


def _networks() -> Timing:
    wall, cpu = time.perf_counter(), time.process_time()
    for alpha in SCHEDULES:
        rounds.network_rounds.__wrapped__(_point(alpha), 0)
    return Timing(time.perf_counter() - wall, time.process_time() - cpu)


def main() -> dict[str, float]:
    """Print and return the ratio network / closed form (wall and CPU)."""
    prob = problem.problem_of(_point(0.0))
    with threadpool_limits(limits=1):
        torch.set_num_threads(1)
        closed = measure(lambda: _closed_form(prob), repeats=5)
        network = _networks()
    ratios = {
        "network_over_closed_form_wall": network.wall / closed.wall,
        "network_over_closed_form_cpu": network.cpu / closed.cpu,
    }
    print(f"n = {prob.X.shape[0]}, {HORIZON} rounds × {len(SCHEDULES)} schedules; 1 thread")
    print(f"closed form (kernels + eigh + 3 schedules): {closed}")
    print(f"networks, m = {WIDTH}, one seed:            {network}")
    print(
        f"ratio network / closed form: {ratios['network_over_closed_form_wall']:.0f}× wall, "
        f"{ratios['network_over_closed_form_cpu']:.0f}× CPU"
    )
    return ratios


if __name__ == "__main__":
    main()

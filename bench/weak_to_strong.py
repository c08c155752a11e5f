"""Deterministic-equivalent risk curves (RidgelessTarget) vs the Monte Carlo they replace.

Problem: the paper's Figure 1b setting, p = 500, λᵢ = i⁻², λᵢβ*ᵢ² = i⁻¹·⁵, the risk-vs-n curve at
the full profile's n ∈ {25, …, 450} for three label sources (strong labels, optimal surrogate,
optimal mask).

* closed form: for each n, build ``RidgelessTarget`` (one root search for κ) and evaluate the three
  risks (O(p) each);
* Monte Carlo: the study's simulation at the full profile's 8 seeds × 400 designs per n. The cost
  per design is constant for a given n, so it is measured on ``PROBE_DRAWS`` designs per n (median
  of repeats) and multiplied by 3200.

All timings use one BLAS thread (the machine is shared; the ratio is what to read).
Run: ``python bench/weak_to_strong.py`` (≈ 10 s).
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import Timing, measure
from distillab.studies.weak_to_strong.monte_carlo import target_risks
from distillab.theory.weak_to_strong import RidgelessTarget, power_law_problem

P = 500
NS = (25, 50, 100, 150, 200, 300, 400, 450)
SEEDS, DRAWS = 8, 400
PROBE_DRAWS, PROBE_REPEATS = 10, 3


def _closed_form(eigenvalues: np.ndarray, truth: np.ndarray) -> list[tuple[float, ...]]:
    curves = []
    for n in NS:
        target = RidgelessTarget(eigenvalues, n)
        curves.append(
            (
                target.risk(truth, truth),
                target.risk(target.optimal_surrogate(truth), truth),
                target.risk(target.optimal_mask() * truth, truth),
            )
        )
    return curves


def _monte_carlo_per_draw(eigenvalues: np.ndarray, truth: np.ndarray, n: int) -> Timing:
    """Median wall/CPU seconds per design at sample size n (three sources, shared draws)."""
    target = RidgelessTarget(eigenvalues, n)
    surrogates = {
        "strong": truth,
        "surrogate": target.optimal_surrogate(truth),
        "mask": target.optimal_mask() * truth,
    }
    walls, cpus = [], []
    for repeat in range(PROBE_REPEATS + 1):
        rng = np.random.default_rng(repeat)
        wall, cpu = time.perf_counter(), time.process_time()
        target_risks(eigenvalues, truth, surrogates, n, PROBE_DRAWS, rng)
        if repeat:  # the first run warms up
            walls.append((time.perf_counter() - wall) / PROBE_DRAWS)
            cpus.append((time.process_time() - cpu) / PROBE_DRAWS)
    return Timing(statistics.median(walls), statistics.median(cpus))


def main() -> dict[str, float]:
    """Print and return the ratio Monte Carlo / deterministic equivalent (wall and CPU)."""
    eigenvalues, truth = power_law_problem(P)
    with threadpool_limits(limits=1):
        closed = measure(lambda: _closed_form(eigenvalues, truth), repeats=5)
        per_draw = [_monte_carlo_per_draw(eigenvalues, truth, n) for n in NS]
    draws = SEEDS * DRAWS
    monte_carlo = Timing(
        sum(t.wall for t in per_draw) * draws, sum(t.cpu for t in per_draw) * draws
    )
    ratios = {
        "monte_carlo_over_closed_form_wall": monte_carlo.wall / closed.wall,
        "monte_carlo_over_closed_form_cpu": monte_carlo.cpu / closed.cpu,
    }
    print(f"p = {P}, n ∈ {NS}, 3 label sources; 1 thread")
    print(f"deterministic equivalents (8 κ root searches + 24 risks): {closed}")
    for n, timing in zip(NS, per_draw, strict=True):
        print(f"  Monte Carlo per design at n = {n:3d}: {timing}")
    print(f"Monte Carlo, {SEEDS} seeds × {DRAWS} designs per n (per-design × draws): {monte_carlo}")
    print(
        f"ratio Monte Carlo / deterministic equivalent: "
        f"{ratios['monte_carlo_over_closed_form_wall']:.0f}× wall, "
        f"{ratios['monte_carlo_over_closed_form_cpu']:.0f}× CPU"
    )
    return ratios


if __name__ == "__main__":
    main()

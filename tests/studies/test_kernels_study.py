"""The kernels study: its theory and simulation agree where the figures claim they do."""

from __future__ import annotations

import numpy as np

from distillab.studies.kernels import lazy_training, ntk_convergence


def test_lazy_training_theory_matches_trained_network_at_large_width() -> None:
    params = {"n": 40, "d": 10, "data_seed": 0, "steps": 200, "lr_scale": 0.5, "width": 4096}
    theory = lazy_training.theory(params)
    runs = [lazy_training.simulate(params, seed) for seed in range(2)]
    for key, tolerance in (("rms_movement", 0.05), ("max_movement", 0.10)):
        simulated = np.mean([run[key] for run in runs])
        assert abs(simulated / theory[key] - 1) < tolerance, key
    # Doubling m four times halves the movement twice (slope −1/2).
    wide = lazy_training.theory({**params, "width": 4 * 4096})
    assert wide["rms_movement"] == theory["rms_movement"] / 2


def test_lazy_training_theory_is_deterministic_and_decreasing_in_width() -> None:
    base = {"n": 20, "d": 6, "data_seed": 1, "steps": 50, "lr_scale": 0.5}
    values = [lazy_training.theory({**base, "width": m})["max_movement"] for m in (64, 256, 1024)]
    assert values == [
        lazy_training.theory({**base, "width": m})["max_movement"] for m in (64, 256, 1024)
    ]
    assert values[0] > values[1] > values[2]


def test_ntk_convergence_simulation_scatters_around_the_exact_prediction() -> None:
    params = {"n": 12, "d": 5, "data_seed": 0, "trained": "both", "width": 512}
    predicted = ntk_convergence.theory(params)["relative_error"]
    errors = [ntk_convergence.simulate(params, seed)["relative_error"] for seed in range(32)]
    # Per-network coefficient of variation ≈ 0.2: the 32-seed mean lies within 10%.
    assert abs(np.mean(errors) / predicted - 1) < 0.10

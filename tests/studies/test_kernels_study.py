"""The kernels study: its theory and simulation agree where the figures claim they do."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pytest

from distillab.errors import ConfigError
from distillab.studies.kernels import lazy_training, ntk_convergence
from distillab.studies.kernels.lazy_training import LazyPoint
from distillab.studies.kernels.ntk_convergence import KernelPoint
from distillab.studies.point import Point


def test_lazy_training_theory_matches_trained_network_at_large_width() -> None:
    point = LazyPoint(n=40, d=10, data_seed=0, steps=200, lr_scale=0.5, width=4096)
    theory = lazy_training.theory(point)
    runs = [lazy_training.simulate(point, seed) for seed in range(2)]
    for key, tolerance in (("rms_movement", 0.05), ("max_movement", 0.10)):
        simulated = np.mean([run[key] for run in runs])
        assert abs(simulated / theory[key] - 1) < tolerance, key
    # Doubling m four times halves the movement twice (slope −1/2).
    wide = lazy_training.theory(replace(point, width=4 * 4096))
    assert wide["rms_movement"] == theory["rms_movement"] / 2


def test_lazy_training_theory_is_deterministic_and_decreasing_in_width() -> None:
    points = [
        LazyPoint(n=20, d=6, data_seed=1, steps=50, lr_scale=0.5, width=m) for m in (64, 256, 1024)
    ]
    values = [lazy_training.theory(point)["max_movement"] for point in points]
    assert values == [lazy_training.theory(point)["max_movement"] for point in points]
    assert values[0] > values[1] > values[2]


def test_ntk_convergence_simulation_scatters_around_the_exact_prediction() -> None:
    point = KernelPoint(trained="both", width=512, networks=1, n=12, d=5, data_seed=0)
    predicted = ntk_convergence.theory(point)["squared_error"]
    errors = [ntk_convergence.simulate(point, seed)["squared_error"] for seed in range(32)]
    # E‖Θ_m − Θ‖²/‖Θ‖² is exact at every width: the 32-network mean lies within 3 s.e.
    sem = np.std(errors, ddof=1) / np.sqrt(len(errors))
    assert abs(np.mean(errors) - predicted) <= 3 * sem
    # A theory 25 % off would be caught by this test.
    assert abs(np.mean(errors) - 1.25 * predicted) > 3 * sem


def test_a_seed_averages_its_own_networks() -> None:
    point = KernelPoint(trained="first", width=64, networks=3, n=8, d=4, data_seed=0)
    pooled = ntk_convergence.simulate(point, 1)["squared_error"]
    single = [
        ntk_convergence.simulate(replace(point, networks=1), seed)["squared_error"]
        for seed in (3, 4, 5)
    ]
    assert np.isclose(pooled, np.mean(single))


@pytest.mark.parametrize(
    ("point_type", "params", "field"),
    [
        (LazyPoint, {"lr_scale": 2.5}, "lr_scale"),
        (LazyPoint, {"width": 1}, "width"),
        (KernelPoint, {"trained": "second"}, "trained"),
        (KernelPoint, {"networks": 0}, "networks"),
    ],
)
def test_points_reject_values_outside_the_model(
    point_type: type[Point], params: dict[str, Any], field: str
) -> None:
    figure = lazy_training.FIGURE if point_type is LazyPoint else ntk_convergence.FIGURE
    valid = figure.grid["quick"][0]
    with pytest.raises(ConfigError, match=f"{point_type.__name__}.{field}"):
        point_type.of({**valid, **params})

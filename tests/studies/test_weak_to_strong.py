"""The weak-to-strong study: its figures make the paper's claims as predictions that could fail."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pytest

from distillab.studies import Figure, registry
from distillab.studies.weak_to_strong import (
    finite_size,
    optimal_surrogate,
    risk_vs_n,
    scaling_exponents,
)
from distillab.studies.weak_to_strong.common import (
    N_PANEL_A,
    P_FEATURES,
    SizePoint,
    finite_size_rate,
)


def test_study_is_registered_with_four_figures() -> None:
    study = registry()["weak-to-strong"]
    assert [f.name for f in study.figures] == [
        "optimal-surrogate",
        "risk-vs-n",
        "scaling-exponents",
        "finite-size",
    ]


@pytest.mark.parametrize("profile", ["quick", "full"])
def test_the_surrogate_beats_strong_labels_at_every_n(profile: str) -> None:
    for params in risk_vs_n.FIGURE.grid[profile]:
        values = risk_vs_n.theory(risk_vs_n.FIGURE.point_of(params))
        assert values["w2s_gain"] > 0.1 * values["risk_strong"]
        # Near n = p the optimal mask keeps every feature (τ < λ_p) and equals strong labels.
        assert values["risk_surrogate"] < values["risk_mask"] <= values["risk_strong"]


def test_optimal_surrogate_amplifies_the_head_and_shrinks_the_tail() -> None:
    point = optimal_surrogate.FeaturePoint(P_FEATURES, N_PANEL_A, 1, feature=1)
    head = optimal_surrogate.theory(point)
    tail = optimal_surrogate.theory(replace(point, feature=P_FEATURES))
    assert head["gain"] > 1 and head["mask"] == 1.0
    assert tail["gain"] < 0.2 and tail["mask"] == 0.0


def test_exponents_of_the_three_sources_agree_in_theory() -> None:
    for params in scaling_exponents.FIGURE.grid["quick"]:
        values = scaling_exponents.theory(scaling_exponents.FIGURE.point_of(params))
        assert abs(values["exponent_gap"]) < 0.05
        assert values["exponent"] < values["asymptotic_exponent"] < 0


@pytest.mark.parametrize(
    ("figure", "params"),
    [
        (optimal_surrogate.FIGURE, {"p": 40, "n": 16, "draws": 5, "feature": 3}),
        (risk_vs_n.FIGURE, {"p": 40, "n": 16, "draws": 5}),
        (finite_size.FIGURE, {"p": 20, "n": 8, "draws": 5}),
        (scaling_exponents.FIGURE, {"p": 400, "draws": 2, "source": "mask"}),
    ],
    ids=lambda x: getattr(x, "name", ""),
)
def test_every_compared_key_exists_in_theory_and_simulation(
    figure: Figure, params: dict[str, Any]
) -> None:
    point = figure.point_of(params)
    theory = figure.theory(point)
    simulation = figure.simulate(point, 0)
    assert simulation == figure.simulate(point, 0), "same seed, same numbers"
    for claim in figure.compare:
        assert np.isfinite(simulation[claim.simulation])
        assert np.isfinite(theory[claim.theory])


def test_small_monte_carlo_agrees_with_the_risk_curves() -> None:
    point = SizePoint(p=60, n=24, draws=400)
    theory = risk_vs_n.theory(point)
    runs = [risk_vs_n.simulate(point, seed) for seed in range(4)]
    for key in ("risk_strong", "risk_surrogate", "risk_mask", "w2s_gain"):
        assert np.mean([r[key] for r in runs]) == pytest.approx(theory[key], rel=0.08), key


def test_captions_take_their_numbers_from_the_configuration() -> None:
    assert f"p = {P_FEATURES}" in optimal_surrogate.FIGURE.caption
    assert f"n = {N_PANEL_A}" in optimal_surrogate.FIGURE.caption
    assert str(scaling_exponents.LADDER) in scaling_exponents.FIGURE.caption


def test_finite_size_rate_is_set_by_the_nearer_of_n_and_p_minus_n() -> None:
    assert finite_size_rate(SizePoint(p=500, n=100, draws=1)) == 1 / 100
    assert finite_size_rate(SizePoint(p=500, n=450, draws=1)) == 1 / 50

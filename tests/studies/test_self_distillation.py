"""The self-distillation study: the papers' qualitative claims in the chosen settings, and the
networks/Monte Carlo agreeing with the closed forms where the figures claim they do."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from distillab.errors import ConfigError
from distillab.studies.self_distillation import collapse, diabetes, problem, rounds, steps

_ROUNDS = {**rounds._BASE, "horizon": 8, "width": 4096}


def _round(**params: Any) -> rounds.RoundPoint:
    return rounds.RoundPoint.of({**_ROUNDS, **params})


def _step(**params: Any) -> steps.StepsPoint:
    return steps.StepsPoint.of({**steps._grid("quick")[0], **params})


def _kernel_errors(alpha: float | str) -> np.ndarray:
    return np.array(
        [rounds.theory(_round(alpha=alpha, round=t))["test_error"] for t in range(1, 9)]
    )


def test_round_one_is_kernel_ridge_regression_on_the_labels() -> None:
    prob = problem.problem_of(_round(alpha=0.0, round=1))
    K, C = np.asarray(prob.engine.gram), np.asarray(prob.engine.cross)
    fit = C @ np.linalg.solve(K + _ROUNDS["ridge"] * np.eye(len(prob.y)), prob.y)
    expected = np.mean((fit - prob.clean_test) ** 2)
    assert np.isclose(rounds.theory(_round(alpha=0.0, round=1))["test_error"], expected)


def test_few_rounds_help_many_hurt_and_labels_dampen_the_collapse() -> None:
    pure, mixed, optimal = _kernel_errors(0.0), _kernel_errors(0.5), _kernel_errors("optimal")
    best = int(np.argmin(pure))
    assert 0 < best < 7  # Mobahi et al.: an interior best round …
    assert pure[-1] > pure[best] * 1.05  # … after which more rounds hurt
    assert mixed[-1] < pure[-1]  # Borup & Andersen: the labels keep the fit from collapsing
    assert np.all(optimal <= np.minimum(pure, mixed) + 1e-12)


def test_effective_basis_shrinks_every_pure_round() -> None:
    basis = [rounds.theory(_round(alpha=0.0, round=t))["effective_basis"] for t in range(1, 6)]
    assert np.all(np.diff(basis) < 0)


def test_wide_networks_track_the_closed_form_over_rounds() -> None:
    for t in (1, 3):
        point = _round(alpha=0.0, horizon=3, width=4096, round=t)
        predicted = rounds.theory(point)
        measured = rounds.simulate(point, seed=7)
        # Pilot constant c = 1 at m = 4096: within c/√m ≈ 1.6 %, allow 3 %.
        for key in ("test_error", "train_norm"):
            assert abs(measured[key] / predicted[key] - 1) < 0.03, (t, key)


def test_collapse_rounds_lie_in_the_bracket_and_fall_with_epsilon() -> None:
    values = [collapse.theory(collapse.FIGURE.point_of(p)) for p in collapse.FIGURE.grid["quick"]]
    for v in values:
        assert v["collapsed"] == 1.0
        assert v["lower_bound"] <= v["rounds"] <= v["upper_bound"]
    assert np.all(np.diff([v["rounds"] for v in values]) <= 0)


def test_k_step_gain_is_near_d_when_aligned_and_one_when_spread() -> None:
    d = steps._BASE["d"]
    aligned = steps.theory(_step(steps=d - 1, alignment="aligned"))
    spread = steps.theory(_step(steps=d - 1, alignment="misaligned"))
    assert aligned["gain_over_ridge"] > 0.9 * d
    assert abs(spread["gain_over_ridge"] - 1) < 1e-3


def test_monte_carlo_excess_risk_scatters_around_the_closed_form() -> None:
    point = _step(alignment="aligned", steps=2, draws=20000)
    predicted = steps.theory(point)["excess_risk"]
    measured = [steps.simulate(point, seed)["excess_risk"] for seed in range(3)]
    # Per-draw coefficient of variation ≈ 2.5: the 60000-draw mean lies within 3 %.
    assert abs(np.mean(measured) / predicted - 1) < 0.03


def test_validated_k_step_never_does_worse_on_validation_than_ridge() -> None:
    X, y = diabetes._data()
    order = np.random.default_rng(0).permutation(len(y))
    train, validation, test = np.split(order, [260, 350])
    parts = {
        name: (X[idx] - X[train].mean(0), y[idx] - y[train].mean())
        for name, idx in (("train", train), ("validation", validation), ("test", test))
    }
    ridge_validation, _ = diabetes._validated(parts, 0)
    for k in (1, 2, 3):
        # The k-step family contains ridge (β = e₁), so its validated error cannot be larger.
        assert diabetes._validated(parts, k)[0] <= ridge_validation + 1e-9
    values = diabetes.simulate(diabetes.DiabetesPoint(steps=2), seed=0)
    assert np.isfinite(values["relative_test_mse"]) and values["test_mse"] > 0


def test_points_reject_values_outside_the_model() -> None:
    with pytest.raises(ConfigError, match="alpha"):
        _round(alpha=1.5, round=1)
    with pytest.raises(ConfigError, match="alignment"):
        _step(alignment="sideways")
    assert rounds.RoundPoint.parse("alpha", "optimal") == rounds.OPTIMAL
    assert rounds.RoundPoint.parse("alpha", "0.25") == 0.25

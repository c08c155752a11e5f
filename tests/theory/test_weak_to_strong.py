"""The weak-to-strong engine: hand-computed limits, optimality, and agreement with Monte Carlo."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from distillab.errors import ConfigError
from distillab.studies.weak_to_strong.monte_carlo import (
    draw_design,
    projection_statistics,
    target_risks,
)
from distillab.theory.weak_to_strong import (
    RidgelessTarget,
    erm_surrogate_moments,
    power_law_problem,
)


def test_kappa_solves_the_sample_size_equation() -> None:
    lam, _ = power_law_problem(300)
    target = RidgelessTarget(lam, n=120)
    assert np.sum(lam / (lam + target.kappa)) == pytest.approx(120, rel=1e-12)
    assert target.gamma == pytest.approx(np.sum((lam / (lam + target.kappa)) ** 2) / 120)
    assert 0 < target.gamma < 1


def test_isotropic_covariance_gives_the_known_closed_forms() -> None:
    # Σ = I: κ = p/n − 1, γ = n/p, strong-label risk (1 − n/p)‖β‖², and no surrogate helps.
    p, n = 100, 40
    target = RidgelessTarget(np.ones(p), n=n)
    beta = np.random.default_rng(0).standard_normal(p)
    assert target.kappa == pytest.approx(p / n - 1, rel=1e-12)
    assert target.gamma == pytest.approx(n / p, rel=1e-12)
    assert target.risk(beta, beta) == pytest.approx((1 - n / p) * beta @ beta, rel=1e-12)
    assert target.risk(beta, beta, noise=0.3) - target.risk(beta, beta) == pytest.approx(
        0.3 * n / (p - n), rel=1e-12
    )
    np.testing.assert_allclose(target.gain(), 1.0, rtol=1e-12)
    assert target.optimal_mask().all()


def test_strong_labels_are_the_surrogate_equal_to_the_truth() -> None:
    # β_s = β* reproduces the standard ridgeless bias κ²/(1−γ)·Σλβ²/(λ+κ)² plus σ²γ/(1−γ).
    lam, beta = power_law_problem(400)
    target = RidgelessTarget(lam, n=150)
    kappa, gamma = target.kappa, target.gamma
    bias = kappa**2 / (1 - gamma) * np.sum(lam * beta**2 / (lam + kappa) ** 2)
    assert target.risk(beta, beta) == pytest.approx(bias, rel=1e-12)
    assert target.risk(beta, beta, noise=0.5) == pytest.approx(
        bias + 0.5 * gamma / (1 - gamma), rel=1e-12
    )


def test_zero_surrogate_gives_the_null_risk_and_large_n_shrinks_the_risk() -> None:
    lam, beta = power_law_problem(2000)
    null = float(lam @ beta**2)
    risks = [RidgelessTarget(lam, n=n).risk(beta, beta) for n in (10, 100, 1000, 1999)]
    assert RidgelessTarget(lam, n=10).risk(np.zeros_like(beta), beta) == pytest.approx(null)
    assert all(a > b for a, b in itertools.pairwise(risks))
    assert risks[-1] < 0.01 * null


def test_the_optimal_surrogate_beats_strong_labels_and_is_a_minimum() -> None:
    lam, beta = power_law_problem(500)
    target = RidgelessTarget(lam, n=200)
    best = target.optimal_surrogate(beta)
    optimum = target.risk(best, beta)
    assert optimum < 0.8 * target.risk(beta, beta)
    rng = np.random.default_rng(1)
    for _ in range(20):
        assert target.risk(best + 1e-3 * rng.standard_normal(500) * beta, beta) > optimum


def test_the_gain_amplifies_principal_and_shrinks_tail_features() -> None:
    lam, _ = power_law_problem(500)
    target = RidgelessTarget(lam, n=200)
    gain = target.gain()
    g = target.gamma / (1 - target.gamma)
    assert np.all(gain[lam > target.kappa * g] > 1) and np.all(gain[lam < target.kappa * g] < 1)
    assert gain[0] == pytest.approx(1 + target.kappa / lam[0], rel=1e-3)
    # Tail (λ ≪ κ): ζ ≈ λ/(κg) → 0, the tail is shrunk towards zero.
    assert gain[-1] == pytest.approx(lam[-1] / (target.kappa * g), rel=0.2)
    assert gain[-1] < 0.1


def test_the_optimal_mask_is_the_best_of_all_masks() -> None:
    lam, beta = power_law_problem(10)
    target = RidgelessTarget(lam, n=4)
    risks = {
        bits: target.risk(np.asarray(bits, dtype=float) * beta, beta)
        for bits in itertools.product((0, 1), repeat=10)
    }
    best = min(risks, key=risks.__getitem__)
    assert np.array_equal(np.asarray(best, dtype=bool), target.optimal_mask())
    assert target.risk(target.optimal_surrogate(beta), beta) <= risks[best]


def test_asymptotic_exponent_is_unchanged_by_the_optimal_surrogate() -> None:
    # p → ∞ (p ≫ n): strong-label risk ∝ n^-(1.5-1) and the surrogate's ratio to it is constant.
    lam, beta = power_law_problem(400_000)
    ratios, strong = [], []
    for n in (200, 800):
        target = RidgelessTarget(lam, n=n)
        strong.append(target.risk(beta, beta))
        ratios.append(target.risk(target.optimal_surrogate(beta), beta) / strong[-1])
    assert np.log(strong[1] / strong[0]) / np.log(4) == pytest.approx(-0.5, abs=0.05)
    assert ratios[1] / ratios[0] == pytest.approx(1, abs=0.01)
    assert ratios[0] < 0.7


def _relative_check(measured: np.ndarray, predicted: float, n: int) -> None:
    sem = measured.std(ddof=1) / np.sqrt(measured.size)
    assert abs(measured.mean() - predicted) <= 4 * sem + 1.0 / n * abs(predicted)


def test_model_shift_risks_match_monte_carlo() -> None:
    p, n = 60, 24
    lam, beta = power_law_problem(p)
    target = RidgelessTarget(lam, n=n)
    surrogates = {"strong": beta, "optimal": target.optimal_surrogate(beta)}
    risks = target_risks(lam, beta, surrogates, n, 3000, np.random.default_rng(2), noise=0.01)
    for name, surrogate in surrogates.items():
        _relative_check(risks[name], target.risk(surrogate, beta, noise=0.01), n)


def test_distribution_shift_risk_matches_monte_carlo() -> None:
    # Surrogate: min-norm fit on n_s samples of a flatter spectrum with noisy labels.
    p, n, n_s, noise = 60, 24, 30, 0.02
    lam, beta = power_law_problem(p)
    lam_s = np.arange(1, p + 1) ** -1.5
    rng = np.random.default_rng(3)
    risks = []
    for _ in range(3000):
        Xs = draw_design(lam_s, n_s, rng)
        ys = Xs @ beta + np.sqrt(noise) * rng.standard_normal(n_s)
        surrogate = Xs.T @ np.linalg.solve(Xs @ Xs.T, ys)
        X = draw_design(lam, n, rng)
        error = X.T @ np.linalg.solve(X @ X.T, X @ surrogate) - beta
        risks.append(error @ (lam * error))
    mean, variance = erm_surrogate_moments(lam_s, n_s, beta, noise=noise)
    predicted = RidgelessTarget(lam, n=n).risk_of_erm_surrogate(mean, variance, beta)
    _relative_check(np.asarray(risks), predicted, min(n, n_s))


def test_exact_finite_n_optimal_gain_matches_the_deterministic_equivalent() -> None:
    p, n = 80, 32
    lam, _ = power_law_problem(p)
    diag_p, diag_psp = projection_statistics(lam, n, 1500, np.random.default_rng(4))
    measured = lam * diag_p / diag_psp
    np.testing.assert_allclose(measured[:20], RidgelessTarget(lam, n=n).gain()[:20], rtol=0.05)


@pytest.mark.parametrize(
    ("eigenvalues", "n"),
    [(np.ones(10), 10), (np.ones(10), 0), (np.ones(10), 2.5), (-np.ones(10), 3), (np.ones(1), 0)],
)
def test_bad_settings_raise_config_errors(eigenvalues: np.ndarray, n: float) -> None:
    with pytest.raises(ConfigError):
        RidgelessTarget(eigenvalues, n=n)  # type: ignore[arg-type]


def test_bad_vectors_and_noise_raise_config_errors() -> None:
    target = RidgelessTarget(np.ones(5), n=2)
    with pytest.raises(ConfigError):
        target.risk(np.ones(4), np.ones(5))
    with pytest.raises(ConfigError):
        target.risk(np.ones(5), np.ones(5), noise=-1.0)
    with pytest.raises(ConfigError):
        target.risk_of_erm_surrogate(np.ones(5), -np.ones(5), np.ones(5))
    with pytest.raises(ConfigError):
        power_law_problem(1)


def test_engine_is_deterministic() -> None:
    lam, beta = power_law_problem(50)
    a, b = RidgelessTarget(lam, n=20), RidgelessTarget(lam, n=20)
    assert a.kappa == b.kappa and a.risk(beta, beta) == b.risk(beta, beta)


def test_near_the_threshold_the_equivalent_errs_by_one_over_p_minus_n() -> None:
    # Σ = I: exact E tr (XXᵀ)⁻¹ = n/(p − n − 1) (inverse Wishart); the equivalent gives n/(p − n).
    # This 1/(p − n − 1) relative error is why the study's finite-size rate is 1/min(n, p − n).
    p, n = 30, 20
    rng = np.random.default_rng(5)
    traces = [np.trace(np.linalg.inv(X @ X.T)) for X in rng.standard_normal((4000, n, p))]
    assert np.mean(traces) == pytest.approx(n / (p - n - 1), rel=0.02)
    assert RidgelessTarget(np.ones(p), n=n).variance_factor == pytest.approx(n / (p - n))

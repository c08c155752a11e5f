"""The deep-linear clean→noisy engine: risks, closed forms C1/C2 and teachers (GD: tests/train).

Spec: hong_clean_noisy.md §2–3 and §5 P1–P4 (all [D], our derivations).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from distillab.data.clean_noisy import add_input_noise, gaussian_linear_task, low_rank_target_map
from distillab.errors import ConfigError
from distillab.losses import feature_loss
from distillab.theory.deep_linear_kd import (
    DECOMPOSITIONS,
    DeepLinearKD,
    hidden_features,
    interpolation_risk,
    least_squares_risk,
    linear_risk,
    lmmse_map,
    lmmse_risk,
    min_norm_map,
    min_norm_risk,
    mse_feature_weight,
    teacher_layers,
)

# --- data -----------------------------------------------------------------------------------


def test_low_rank_target_map_has_the_stated_rank_and_norm() -> None:
    target = low_rank_target_map(6, 9, 3, seed=4)
    singular = np.linalg.svd(target, compute_uv=False)
    assert np.allclose(singular[:3], math.sqrt(6 / 3)) and np.allclose(singular[3:], 0, atol=1e-12)
    assert np.sum(target**2) == pytest.approx(6.0)


def test_gaussian_task_and_noise_are_seeded_and_have_the_stated_moments() -> None:
    target = low_rank_target_map(2, 3, 2, seed=0)
    x, y = gaussian_linear_task(40_000, target, label_noise=0.5, seed=3)
    again = gaussian_linear_task(40_000, target, label_noise=0.5, seed=3)
    assert np.array_equal(x, again[0]) and np.array_equal(y, again[1])
    residual = y - x @ target.T
    # 40 000 samples: standard errors ≈ 0.5%, so 3% is a 6-s.e. band.
    assert np.allclose(np.cov(x.T), np.eye(3), atol=0.03)
    assert np.allclose(residual.std(axis=0), 0.5, rtol=0.03)
    noisy = add_input_noise(x, 0.7, seed=5)
    assert np.allclose((noisy - x).std(axis=0), 0.7, rtol=0.03)
    batched = gaussian_linear_task(5, target, label_noise=0.0, seed=1, replicates=3)
    assert batched[0].shape == (3, 5, 3) and np.allclose(batched[1], batched[0] @ target.T)


# --- risks and closed forms -----------------------------------------------------------------


def test_linear_risk_equals_a_monte_carlo_estimate_with_correlated_inputs() -> None:
    rng = np.random.default_rng(0)
    root = rng.standard_normal((4, 4)) / 2
    cov = root @ root.T + 0.5 * np.eye(4)
    target, w = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    x = rng.multivariate_normal(np.zeros(4), cov, size=400_000)
    noisy = x + 0.8 * rng.standard_normal(x.shape)
    empirical = np.mean(np.sum((noisy @ w.T - x @ target.T) ** 2, axis=1))
    exact = linear_risk(w, target, input_noise=0.8, input_cov=cov)
    # 4e5 samples of a χ²-like variable: relative standard error < 0.3%.
    assert empirical == pytest.approx(float(exact), rel=0.01)


def test_lmmse_map_is_the_minimiser_and_has_the_closed_form_floor() -> None:
    rng = np.random.default_rng(1)
    target = rng.standard_normal((3, 5))
    best = lmmse_map(target, input_noise=0.6)
    assert np.allclose(best, target / (1 + 0.36))
    assert lmmse_risk(target, input_noise=0.6) == pytest.approx(np.sum(target**2) * 0.36 / 1.36)
    root = rng.standard_normal((5, 5))
    cov = root @ root.T + np.eye(5)
    best = lmmse_map(target, input_noise=0.6, input_cov=cov)
    floor = lmmse_risk(target, input_noise=0.6, input_cov=cov)
    for _ in range(5):
        step = 1e-3 * rng.standard_normal(best.shape)
        assert linear_risk(best + step, target, input_noise=0.6, input_cov=cov) > floor
    assert lmmse_risk(target, input_noise=0.0) == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("n", [5, 10, 30, 60])
def test_c1_c2_match_monte_carlo_over_500_training_sets(n: int) -> None:
    """P2 at d = 20: mean of R(Y X̃^+) over 500 draws within 3% of C1 (N < d) / C2 (N > d).

    |N − d| ≥ 10 here: within |N − d| ≤ 3 the risk has infinite variance and 500 draws scatter
    by up to 15% (measured), so P2's "N < d − 2" is not testable at this size.
    """
    d, dy, sigma, tau = 20, 3, 0.5, 0.5
    target = low_rank_target_map(dy, d, dy, seed=0)
    clean, labels = gaussian_linear_task(n, target, label_noise=tau, seed=7, replicates=500)
    noisy = add_input_noise(clean, sigma, seed=8)
    risks = linear_risk(min_norm_map(noisy, labels), target, input_noise=sigma)
    predicted = min_norm_risk(
        n,
        d,
        target_norm2=float(np.sum(target**2)),
        input_noise=sigma,
        label_noise=tau,
        output_dim=dy,
    )
    assert risks.mean() == pytest.approx(predicted, rel=0.03)


def test_closed_forms_have_the_right_limits() -> None:
    args = {"target_norm2": 7.0, "output_dim": 3}
    # No noise at all: the interpolant recovers the projection of A onto N of d directions.
    assert interpolation_risk(10, 40, input_noise=0.0, label_noise=0.0, **args) == pytest.approx(
        7.0 * (1 - 10 / 40)
    )
    # Many samples: least squares reaches the LMMSE floor ‖A‖²σ²/(1+σ²).
    assert least_squares_risk(10**9, 40, input_noise=0.5, label_noise=1.0, **args) == (
        pytest.approx(7.0 * 0.25 / 1.25, rel=1e-6)
    )
    # Without label noise and input noise, least squares is exact.
    assert least_squares_risk(50, 40, input_noise=0.0, label_noise=0.0, **args) == 0.0
    # Double descent: both sides blow up towards N = d.
    below = [min_norm_risk(n, 40, input_noise=0.3, label_noise=0.5, **args) for n in (30, 36, 38)]
    above = [min_norm_risk(n, 40, input_noise=0.3, label_noise=0.5, **args) for n in (50, 44, 42)]
    assert below == sorted(below) and above == sorted(above)
    assert math.isinf(min_norm_risk(40, 40, input_noise=0.3, label_noise=0.5, **args))
    with pytest.raises(ConfigError):
        interpolation_risk(39, 40, input_noise=0.3, label_noise=0.5, **args)
    with pytest.raises(ConfigError):
        least_squares_risk(41, 40, input_noise=0.3, label_noise=0.5, **args)


def test_min_norm_map_interpolates_below_and_solves_the_normal_equations_above() -> None:
    rng = np.random.default_rng(2)
    x, y = rng.standard_normal((2, 6, 9)), rng.standard_normal((2, 6, 3))
    w = min_norm_map(x, y)
    assert np.allclose(x @ np.swapaxes(w, -1, -2), y)
    x, y = rng.standard_normal((20, 5)), rng.standard_normal((20, 3))
    w = min_norm_map(x, y)
    assert np.allclose(x.T @ (x @ w.T - y), 0, atol=1e-10)


def test_mse_feature_weight_maps_the_sum_form_onto_feature_loss() -> None:
    rng = np.random.default_rng(3)
    h_s, h_t = rng.standard_normal((2, 12, 7))
    weight = 0.8
    sum_form = weight / (2 * 12) * np.sum((h_s - h_t) ** 2)
    library = mse_feature_weight(weight, 7) * feature_loss(torch.tensor(h_s), torch.tensor(h_t))
    assert float(library) == pytest.approx(sum_form)
    with pytest.raises(ConfigError):
        mse_feature_weight(-1.0, 7)


# --- teachers -------------------------------------------------------------------------------


@pytest.mark.parametrize("decomposition", DECOMPOSITIONS)
def test_every_decomposition_has_the_teacher_map_as_product(decomposition: str) -> None:
    rng = np.random.default_rng(4)
    teacher = rng.standard_normal((2, 3, 5))
    for widths in ((5, 6, 3), (5, 6, 6, 3)):
        layers = teacher_layers(teacher, widths, decomposition, seed=1)
        product = layers[0]
        for layer in layers[1:]:
            product = layer @ product
        assert np.allclose(product, teacher)
        assert [w.shape[-2:] for w in layers] == [(6, 5)] + [(6, 6)] * (len(widths) - 3) + [(3, 6)]


def test_task_features_are_the_teacher_predictions_padded_with_zeros() -> None:
    rng = np.random.default_rng(5)
    teacher, x = rng.standard_normal((3, 5)), rng.standard_normal((8, 5))
    (feature,) = hidden_features(teacher_layers(teacher, (5, 6, 3), "task"), x)
    assert np.allclose(feature[:, :3], x @ teacher.T) and np.allclose(feature[:, 3:], 0)
    (feature,) = hidden_features(teacher_layers(teacher, (5, 6, 3), "identity"), x)
    assert np.allclose(feature[:, :5], x)
    with pytest.raises(ConfigError):
        teacher_layers(teacher, (5, 4, 3), "identity")
    with pytest.raises(ConfigError):
        teacher_layers(teacher, (5, 3, 3), "task-irrelevant")
    with pytest.raises(ConfigError):
        teacher_layers(teacher, (5, 6, 3), "diagonal")


# --- bad inputs ------------------------------------------------------------------------------


@settings(max_examples=25, deadline=None)
@given(noise=st.floats(max_value=-1e-6, allow_nan=False, allow_infinity=False))
def test_bad_inputs_raise_config_errors(noise: float) -> None:
    target = np.ones((2, 3))
    with pytest.raises(ConfigError):
        linear_risk(target, target, input_noise=noise)
    with pytest.raises(ConfigError):
        interpolation_risk(
            2, 10, target_norm2=1.0, input_noise=0.1, label_noise=noise, output_dim=2
        )


def test_deep_linear_kd_delegates_to_the_module_closed_forms() -> None:
    rng = np.random.default_rng(1)
    A = rng.standard_normal((3, 8))
    cov = np.diag(np.linspace(0.5, 2.0, 8))
    setting = DeepLinearKD(A, input_noise=0.4, label_noise=0.2, input_cov=cov)
    maps = rng.standard_normal((5, 3, 8))
    np.testing.assert_allclose(
        setting.risk(maps), linear_risk(maps, A, input_noise=0.4, input_cov=cov)
    )
    np.testing.assert_allclose(setting.lmmse_map(), lmmse_map(A, input_noise=0.4, input_cov=cov))
    assert setting.lmmse_risk() == lmmse_risk(A, input_noise=0.4, input_cov=cov)
    assert (setting.input_dim, setting.output_dim) == (8, 3)
    with pytest.raises(ConfigError, match="input_cov=None"):
        setting.risk_curve([3])


def test_deep_linear_kd_risk_curve_is_min_norm_risk_per_sample_size() -> None:
    A = np.arange(12.0).reshape(2, 6) / 10
    setting = DeepLinearKD(A, input_noise=0.5, label_noise=0.3)
    sizes = [1, 4, 5, 6, 7, 8, 50]
    curve = setting.risk_curve(sizes)
    expected = [
        min_norm_risk(
            n, 6, target_norm2=float(np.sum(A**2)), input_noise=0.5, label_noise=0.3, output_dim=2
        )
        for n in sizes
    ]
    np.testing.assert_array_equal(curve.min_norm_risk, expected)
    np.testing.assert_array_equal(curve.interpolating, np.array(sizes) < 6)
    assert (
        np.isinf(curve.min_norm_risk[2:5]).all()
        and np.isfinite(curve.min_norm_risk[[0, 1, 5, 6]]).all()
    )
    assert curve.lmmse_risk == pytest.approx(setting.lmmse_risk())

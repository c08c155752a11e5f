"""Self-distillation engines: round identities, limits, closed forms, optimal ξ, factor-d gain."""

from __future__ import annotations

import math

import numpy as np
import pytest

from distillab.data import unit_sphere
from distillab.errors import ConfigError
from distillab.kernels import relu_ntk
from distillab.theory.self_distillation import (
    KernelSelfDistillation,
    RepeatedRidge,
    collapse_bounds,
    imitation_from_mixing,
    mixing_from_imitation,
)


def _kernel_problem(n: int = 24, d: int = 5, seed: int = 0):
    X = unit_sphere(n, d, seed=seed)
    X_test = unit_sphere(40, d, seed=seed + 1)
    rng = np.random.default_rng(seed + 2)
    clean_test = X_test[:, 0] * X_test[:, 1] * d
    y = X[:, 0] * X[:, 1] * d + rng.standard_normal(n)
    K, C = relu_ntk(X), relu_ntk(X_test, X)
    return K, C, y, clean_test, KernelSelfDistillation(K, y, C)


def _explicit(K, C, y, ridge, rounds, alphas):
    """Rounds by plain linear solves, no eigendecomposition."""
    solve = np.linalg.inv(K + ridge * np.eye(len(y)))
    train, test, previous = [], [], y
    for t in range(rounds):
        alpha = 1.0 if t == 0 else alphas[t]
        target = alpha * y + (1 - alpha) * previous
        coefficients = solve @ target
        previous = K @ coefficients
        train.append(previous)
        test.append(C @ coefficients)
    return np.asarray(train), np.asarray(test)


def test_round_one_is_kernel_ridge_regression() -> None:
    K, C, y, _, engine = _kernel_problem()
    path = engine.rounds(ridge=0.3, rounds=1)
    coefficients = np.linalg.solve(K + 0.3 * np.eye(len(y)), y)
    np.testing.assert_allclose(path.train[0], K @ coefficients, atol=1e-10)
    np.testing.assert_allclose(path.test[0], C @ coefficients, atol=1e-10)


@pytest.mark.parametrize("alpha", [0.0, 0.3, 1.0])
def test_closed_form_and_spectral_rounds_equal_the_explicit_recursion(alpha: float) -> None:
    K, C, y, _, engine = _kernel_problem()
    train, test = _explicit(K, C, y, 0.2, 6, [alpha] * 6)
    path = engine.rounds(ridge=0.2, rounds=6, label_weight=alpha)
    np.testing.assert_allclose(path.train, train, atol=1e-9)
    np.testing.assert_allclose(path.test, test, atol=1e-9)
    for t in range(1, 7):  # Borup & Andersen: any round from the first fit alone.
        np.testing.assert_allclose(engine.closed_form(0.2, t, alpha), train[t - 1], atol=1e-9)


def test_pure_self_distillation_multiplies_coordinates_by_a_power() -> None:
    _, _, _, _, engine = _kernel_problem()
    a = engine.shrinkage(0.5)
    factors = engine.factors(0.5, 5, label_weight=0.0)
    np.testing.assert_allclose(factors, a[None, :] ** np.arange(1, 6)[:, None], rtol=1e-12)
    basis = engine.rounds(0.5, 8).effective_basis
    assert np.all(np.diff(basis) < 0)  # sparsification: fewer directions survive each round
    assert basis[0] < engine.n


def test_ridge_limits() -> None:
    _, _, y, _, engine = _kernel_problem()
    np.testing.assert_allclose(engine.rounds(1e-10, 3).train[-1], y, atol=1e-5)
    assert np.abs(engine.rounds(1e10, 3).train[-1]).max() < 1e-8
    # λ → ∞: λ·p₁ → K y.
    np.testing.assert_allclose(
        1e8 * engine.rounds(1e8, 1).train[0], np.asarray(engine.gram) @ y, rtol=1e-6
    )


def test_infinitely_many_rounds_amplify_the_ridge_to_lambda_over_alpha() -> None:
    K, _, y, _, engine = _kernel_problem()
    limit = engine.limit(0.2, 0.25)
    np.testing.assert_allclose(limit, K @ np.linalg.solve(K + 0.8 * np.eye(len(y)), y), atol=1e-9)
    np.testing.assert_allclose(engine.rounds(0.2, 3000, 0.25).train[-1], limit, atol=1e-7)
    np.testing.assert_allclose(engine.limit(0.2, 0.0), 0.0)


def test_optimal_alpha_beats_every_alpha_on_a_grid() -> None:
    K, C, y, clean_test, engine = _kernel_problem()
    path = engine.optimal_rounds(0.2, 3, clean_test)
    best = np.mean((path.test[-1] - clean_test) ** 2)
    # Round 3 with the optimal α₂ fixed, α₃ varied on a grid: none beats the greedy α₃.
    for alpha in np.linspace(-1, 2, 61):
        _, test = _explicit(K, C, y, 0.2, 3, [1.0, path.label_weights[1], alpha])
        assert best <= np.mean((test[-1] - clean_test) ** 2) + 1e-12
    train_path = engine.optimal_rounds(0.2, 3, engine.rounds(0.2, 1).train[0], on="train")
    assert train_path.label_weights.shape == (3,)


def test_collapse_keeps_the_loss_at_epsilon_and_stays_in_the_bracket() -> None:
    K, _, y, _, engine = _kernel_problem()
    label_norm = float(y @ y) / len(y)
    for fraction in (0.02, 0.1, 0.4):
        loss = fraction * label_norm
        path = engine.collapse(loss)
        previous = y
        for ridge in path.ridges:
            current = K @ np.linalg.solve(K + ridge * np.eye(len(y)), previous)
            assert math.isclose(np.mean((current - previous) ** 2), loss, rel_tol=1e-8)
            previous = current
        assert path.collapsed and path.norms[-1] <= loss < path.norms[-2]
        assert np.all(np.diff(path.ridges) > 0)  # the ridge must grow every round
        lower, upper = collapse_bounds(label_norm, loss)
        assert lower <= path.rounds <= upper


def test_kernel_engine_rejects_bad_input() -> None:
    K, _, y, _, engine = _kernel_problem()
    with pytest.raises(ConfigError):
        KernelSelfDistillation(K[:, :-1], y)
    with pytest.raises(ConfigError):
        KernelSelfDistillation(K, y[:-1])
    for bad in (0.0, -1.0, math.inf):
        with pytest.raises(ConfigError):
            engine.rounds(bad, 2)
    with pytest.raises(ConfigError):
        engine.rounds(0.1, 2, label_weight=1.5)
    with pytest.raises(ConfigError):
        engine.rounds(0.1, 0)
    with pytest.raises(ConfigError):
        KernelSelfDistillation(K, y).optimal_rounds(0.1, 2, y)


def _linear(d: int = 5, n: int = 50, seed: int = 0) -> RepeatedRidge:
    rng = np.random.default_rng(seed)
    return RepeatedRidge(rng.standard_normal((n, d)) * np.sqrt(np.linspace(1, 2, d)))


def test_mixing_and_imitation_are_inverse_and_sum_to_one() -> None:
    xi = np.array([0.3, -2.0, 1.7])
    beta = mixing_from_imitation(xi)
    assert math.isclose(beta.sum(), 1.0)
    np.testing.assert_allclose(
        beta, [1 - 1.7, 1.7 * (1 + 2.0), 1.7 * -2.0 * (1 - 0.3), 1.7 * -2.0 * 0.3]
    )
    np.testing.assert_allclose(imitation_from_mixing(beta), xi)
    with pytest.raises(ConfigError):
        imitation_from_mixing([0.5, 0.6])


def test_explicit_recursion_is_the_spectral_estimator_and_the_risk_is_its_expectation() -> None:
    engine = _linear()
    theta = engine.directions @ np.array([1.0, -0.5, 0.2, 0.0, 0.3])
    xi = [0.4, 1.3]
    X = engine.design
    rng = np.random.default_rng(1)
    targets = (X @ theta)[:, None] + 0.7 * rng.standard_normal((X.shape[0], 40000))
    estimates = engine.estimate(targets, ridge=2.0, imitation=xi)
    measured = np.mean(np.sum((X @ (estimates - theta[:, None])) ** 2, axis=0)) / X.shape[0]
    predicted = engine.risk(theta, noise=0.7, ridge=2.0, imitation=xi)
    assert abs(measured / predicted - 1) < 0.02
    # k = 0 is ridge regression.
    ridge = np.linalg.solve(X.T @ X + 2.0 * np.eye(5), X.T @ (X @ theta))
    np.testing.assert_allclose(engine.estimate(X @ theta, ridge=2.0, imitation=[]), ridge)


@pytest.mark.parametrize("steps", [1, 2])
def test_optimal_imitation_beats_a_grid(steps: int) -> None:
    engine = _linear()
    theta = engine.directions @ np.array([1.0, 0.0, 0.5, 0.0, 0.0])
    best = engine.optimum(theta, noise=0.5, ridge=3.0, steps=steps)
    assert math.isclose(
        best.risk, engine.risk(theta, noise=0.5, ridge=3.0, imitation=best.imitation), rel_tol=1e-9
    )
    axis = np.linspace(-5, 5, 41)
    grid = np.stack(np.meshgrid(*[axis] * steps), axis=-1).reshape(-1, steps)
    risks = [engine.risk(theta, noise=0.5, ridge=3.0, imitation=xi) for xi in grid]
    assert best.risk <= min(risks) + 1e-12


def test_k_step_gain_reaches_d_for_an_aligned_target_and_one_for_an_isotropic_one() -> None:
    d = 5
    engine = _linear(d=d, n=80)
    scale = float(np.mean(engine.singular_values**2))
    ridges = scale * np.logspace(-5, 2, 57)  # reaches the isotropic optimum λ = dσ²
    aligned = engine.directions[:, 0]
    ridge_risk = engine.best(aligned, noise=0.1, steps=0, ridges=ridges).risk
    k_risk = engine.best(aligned, noise=0.1, steps=d - 1, ridges=ridges).risk
    assert ridge_risk / k_risk > 0.9 * d  # Pareek et al.: a gain of order d
    # θ* with θ_j² s_j²-independent weight: ridge with λ = dσ² already shrinks optimally.
    isotropic = engine.directions.sum(axis=1) / math.sqrt(d)
    plain = engine.best(isotropic, noise=0.1, steps=0, ridges=ridges).risk
    assert math.isclose(
        engine.best(isotropic, noise=0.1, steps=3, ridges=ridges).risk, plain, rel_tol=1e-6
    )


def test_linear_engine_rejects_bad_input() -> None:
    with pytest.raises(ConfigError):
        RepeatedRidge(np.ones((3, 5)))
    with pytest.raises(ConfigError):
        RepeatedRidge(np.ones((6, 2)))
    with pytest.raises(ConfigError):
        _linear().optimum(np.ones(5), noise=0.1, ridge=1.0, steps=-1)

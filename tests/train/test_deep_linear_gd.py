"""Batched deep-linear GD: autograd agreement, the row-space mechanism, T1/T2b/T2c, divergence.

Spec: hong_clean_noisy.md §2–3 and §5 P1–P4 (all [D], our derivations).
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from distillab.data.clean_noisy import gaussian_linear_task, low_rank_target_map
from distillab.errors import ConfigError
from distillab.losses import feature_loss
from distillab.nn import DeepLinearNet
from distillab.theory.deep_linear_kd import (
    hidden_features,
    linear_risk,
    min_norm_map,
    mse_feature_weight,
    teacher_layers,
)
from distillab.train import fit
from distillab.train.deep_linear_gd import deep_linear_gd, small_initialisation
from tests.fixtures.clean_noisy_task import clean_noisy_problem


def _gram_top(noisy: np.ndarray) -> float:
    n = noisy.shape[-2]
    return float(np.linalg.eigvalsh(np.swapaxes(noisy, -1, -2) @ noisy / n)[..., -1].max())


def _run_cases(noisy, labels, target, widths, sigma, weights, features, initial, steps, **options):
    """The cases λ = ``weights`` (layer-1 ``features`` stacked per case) in one batched run on
    the same data and initialisation, each at η = 0.5/λ_max(X̃ᵀX̃/N)/(1 + λ)."""
    k = len(weights)
    return deep_linear_gd(
        np.repeat(noisy, k, 0),
        np.repeat(labels, k, 0),
        widths=widths,
        target_map=target,
        input_noise=sigma,
        steps=steps,
        lr=0.5 / _gram_top(noisy) / (1 + weights),
        initial_weights=[np.repeat(w, k, 0) for w in initial],
        feature_weight=weights,
        teacher_features={1: features},
        **options,
    )


def test_one_gd_step_equals_torch_autograd_on_the_library_losses() -> None:
    """The engine's closed-form gradient = autograd of ½‖Wx̃−y‖² + Σ_l λ_mse·feature_loss."""
    target, clean, noisy, labels = clean_noisy_problem(6, 3, 9, sigma=0.5, tau=0.3, rank=3)
    widths, weight = (6, 7, 7, 3), 0.7
    teacher = np.random.default_rng(6).standard_normal((3, 6))
    features = hidden_features(teacher_layers(teacher[None], widths, "random", seed=2), clean)
    net = DeepLinearNet(widths, init_scale=0.5, seed=3, dtype=torch.float64)
    initial = [w.detach().numpy()[None].copy() for w in net.weights]
    lr = 0.05

    def objective(model: torch.nn.Module, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        out, hidden = model.forward_features(batch["x"])
        loss = 0.5 * ((out - batch["y"]) ** 2).sum(dim=1).mean()
        for h, m, name in zip(hidden, widths[1:-1], ("h1", "h2"), strict=True):
            loss = loss + mse_feature_weight(weight, m) * feature_loss(h, batch[name])
        return loss

    train = {
        "x": torch.tensor(noisy[0]),
        "y": torch.tensor(labels[0]),
        "h1": torch.tensor(features[0][0]),
        "h2": torch.tensor(features[1][0]),
    }
    fit(net, objective, train, steps=1, lr=lr)
    run = deep_linear_gd(
        noisy,
        labels,
        widths=widths,
        target_map=target,
        input_noise=0.5,
        steps=1,
        lr=lr,
        initial_weights=initial,
        feature_weight=weight,
        teacher_features={1: features[0], 2: features[1]},
    )
    for engine, torch_weight in zip(run.final_weights, net.weights, strict=True):
        assert np.allclose(engine[0], torch_weight.detach().numpy(), atol=1e-12)
    with torch.no_grad():
        start = objective(_initial(widths, initial), train).item()
    assert run.train_loss[0, 0] == pytest.approx(start)


def _initial(widths: tuple[int, ...], weights: list[np.ndarray]) -> DeepLinearNet:
    net = DeepLinearNet(widths, dtype=torch.float64)
    with torch.no_grad():
        for parameter, value in zip(net.weights, weights, strict=True):
            parameter.copy_(torch.tensor(value[0]))
    return net


def test_zero_feature_weight_is_the_base_run_and_risk_at_step_zero_is_the_initial_risk() -> None:
    target, clean, noisy, labels = clean_noisy_problem(8, 4, 6, sigma=0.4, tau=0.5, rank=4)
    widths = (8, 8, 4)
    features = hidden_features(teacher_layers(target[None], widths, "task"), clean)
    initial = small_initialisation(widths, 1, init_scale=1e-2, seed=0)
    common = {"widths": widths, "target_map": target, "input_noise": 0.4, "steps": 50, "lr": 0.05}
    base = deep_linear_gd(noisy, labels, initial_weights=initial, **common)
    zero = deep_linear_gd(
        noisy,
        labels,
        initial_weights=initial,
        feature_weight=0.0,
        teacher_features={1: features[0]},
        **common,
    )
    assert np.array_equal(base.final_map, zero.final_map)
    start = initial[1] @ initial[0]
    assert base.test_error[0, 0] == pytest.approx(linear_risk(start, target, input_noise=0.4)[0])
    assert base.best_error[0] <= base.test_error[0].min() + 1e-12


def test_first_layer_moves_only_within_the_row_space_of_the_noisy_inputs() -> None:
    """The mechanism of T1: W_1(t)(I − P) = W_1(0)(I − P) for every t, base or ST."""
    target, clean, noisy, labels = clean_noisy_problem(12, 4, 5, sigma=0.5, tau=0.5, rank=4)
    widths = (12, 14, 4)
    features = hidden_features(teacher_layers(target[None], widths, "random", seed=1), clean)
    initial = small_initialisation(widths, 1, init_scale=0.1, seed=2)
    run = deep_linear_gd(
        noisy,
        labels,
        widths=widths,
        target_map=target,
        input_noise=0.5,
        steps=300,
        lr=0.05,
        initial_weights=initial,
        feature_weight=2.0,
        teacher_features={1: features[0]},
    )
    complement = np.eye(12) - np.linalg.pinv(noisy[0]) @ noisy[0]
    moved = run.final_weights[0][0] - initial[0][0]
    assert np.abs(moved).max() > 0.1
    assert np.allclose(moved @ complement, 0, atol=1e-12)


def test_t1_base_and_student_teacher_converge_to_the_same_interpolant() -> None:
    """P1: N < d, ε = 1e-3, loss < 1e-20: ST = base = Y X̃^+ within 2e-2, any λ, any teacher."""
    d, dy, m, n, sigma = 20, 10, 40, 4, 0.5
    target, clean, noisy, labels = clean_noisy_problem(d, dy, n, sigma=sigma, tau=0.5, rank=10)
    widths = (d, m, dy)
    wrong = np.random.default_rng(3).standard_normal((1, dy, d))
    cases = [(None, "task", 0.0)] + [(wrong, "random", lam) for lam in (0.1, 1.0, 10.0)]
    cases += [(target[None], "task", lam) for lam in (1.0, 10.0)]
    features = [
        np.zeros((1, n, m))
        if teacher is None
        else hidden_features(teacher_layers(teacher, widths, decomposition, seed=5), clean)[0]
        for teacher, decomposition, _ in cases
    ]
    weights = np.array([lam for *_, lam in cases])
    initial = small_initialisation(widths, 1, init_scale=1e-3, seed=4)
    run = _run_cases(
        noisy, labels, target, widths, sigma, weights, np.concatenate(features), initial, 40_000
    )
    assert run.ok and np.all(run.final_train_loss < 1e-20)
    final = run.final_map
    interpolant = min_norm_map(noisy, labels)[0]
    relative = np.linalg.norm(final - final[0], axis=(1, 2)) / np.linalg.norm(final[0])
    assert relative.max() < 2e-2
    assert np.all(
        np.linalg.norm(final - interpolant, axis=(1, 2)) / np.linalg.norm(interpolant) < 2e-2
    )
    # The exact form of the limit: Y X̃^+ + W_{L:2}(∞) W_1(0) (I − P).
    complement = np.eye(d) - np.linalg.pinv(noisy[0]) @ noisy[0]
    predicted = interpolant + run.final_weights[1] @ run.initial_weights[0] @ complement
    assert np.allclose(final, predicted, rtol=0, atol=1e-9 * np.abs(interpolant).max())


def test_t2b_full_rank_features_converge_to_least_squares_whatever_the_teacher() -> None:
    """P3: N > d, features of rank d: ST at convergence = LS within 1e-3, also for a random
    inaccurate teacher (a well-conditioned one; an ill-conditioned one converges too slowly)."""
    d, dy, m, n, sigma = 8, 8, 10, 40, 0.5
    target, clean, noisy, labels = clean_noisy_problem(d, dy, n, sigma=sigma, tau=0.5, rank=8)
    widths = (d, m, dy)
    wrong = low_rank_target_map(dy, d, dy, seed=7)[None]
    fitted = min_norm_map(*gaussian_linear_task(200, target, label_noise=0.5, seed=9))[None]
    cases = [
        (fitted, "task", 1.0),
        (wrong, "task", 1.0),
        (wrong, "task", 10.0),
        (wrong, "random", 1.0),
    ]
    features = np.concatenate(
        [hidden_features(teacher_layers(v, widths, dec, seed=4), clean)[0] for v, dec, _ in cases]
    )
    weights = np.array([lam for *_, lam in cases])
    initial = small_initialisation(widths, 1, init_scale=1e-3, seed=5)
    run = _run_cases(noisy, labels, target, widths, sigma, weights, features, initial, 30_000)
    least_squares = min_norm_map(noisy, labels)
    relative = np.linalg.norm(run.final_map - least_squares, axis=(1, 2)) / np.linalg.norm(
        least_squares
    )
    assert run.ok and relative.max() < 1e-3


def test_t2c_low_rank_inconsistent_features_end_worse_than_least_squares() -> None:
    """P4: N > d, features of rank d_y < d from a wrong teacher, hidden width m = d_y.

    With m = d_y the minimiser is a genuine compromise: converged risk 1.7× (λ = 1) and 2.3×
    (λ = 10) that of least squares (checked against L-BFGS on the same loss). With spare hidden
    units (m > rank) the infimum is least squares again, reached only as ‖W_2‖ → ∞.
    """
    d, dy, n, sigma = 8, 4, 40, 0.5
    target, clean, noisy, labels = clean_noisy_problem(d, dy, n, sigma=sigma, tau=0.5, rank=4)
    widths = (d, dy, dy)
    wrong = low_rank_target_map(dy, d, dy, seed=7)[None]
    (features,) = hidden_features(teacher_layers(wrong, widths, "task"), clean)
    weights = np.array([1.0, 10.0])
    initial = small_initialisation(widths, 1, init_scale=1e-3, seed=5)
    run = _run_cases(
        noisy,
        labels,
        target,
        widths,
        sigma,
        weights,
        np.repeat(features, 2, 0),
        initial,
        20_000,
        record_steps=[19_000, 20_000],
    )
    ls_risk = float(linear_risk(min_norm_map(noisy, labels)[0], target, input_noise=sigma))
    assert run.ok and np.allclose(run.train_loss[:, 0], run.train_loss[:, 1], rtol=1e-9)
    assert run.final_error / ls_risk == pytest.approx([1.69, 2.29], abs=0.02)


def test_divergence_is_reported_and_halving_tames_an_oscillating_step() -> None:
    target, _, noisy, labels = clean_noisy_problem(6, 3, 10, sigma=0.3, tau=0.3, rank=3)
    widths = (6, 6, 3)
    initial = small_initialisation(widths, 1, init_scale=0.1, seed=0)
    common = {
        "widths": widths,
        "target_map": target,
        "input_noise": 0.3,
        "initial_weights": initial,
        "steps": 3000,
        "lr": 3.0 / _gram_top(noisy),
    }
    blown = deep_linear_gd(noisy, labels, halve_on_increase=False, **common)
    assert not blown.ok and blown.diverged_at[0] > 0 and np.isnan(blown.best_error[0])
    tamed = deep_linear_gd(noisy, labels, **common)
    least_squares = min_norm_map(noisy, labels)
    floor = np.sum((noisy @ np.swapaxes(least_squares, -1, -2) - labels) ** 2) / (2 * 10)
    assert tamed.ok and tamed.halvings[0] > 0
    assert tamed.final_train_loss[0] == pytest.approx(floor, rel=1e-9)


@settings(max_examples=25, deadline=None)
@given(
    noise=st.floats(max_value=-1e-6, allow_nan=False, allow_infinity=False),
    lr=st.floats(max_value=0.0, allow_nan=False),
)
def test_bad_inputs_raise_config_errors(noise: float, lr: float) -> None:
    target = np.ones((2, 3))
    x, y = np.zeros((1, 4, 3)), np.zeros((1, 4, 2))
    initial = small_initialisation((3, 3, 2), 1, init_scale=0.1, seed=0)
    common = {"widths": (3, 3, 2), "target_map": target, "input_noise": 0.1, "steps": 1}
    with pytest.raises(ConfigError):
        deep_linear_gd(x, y, lr=lr, initial_weights=initial, **common)
    with pytest.raises(ConfigError):
        deep_linear_gd(x, y, lr=0.1, initial_weights=initial, feature_weight=noise, **common)
    with pytest.raises(ConfigError, match="init_scale"):
        small_initialisation((3, 3, 2), 1, init_scale=noise, seed=0)


def test_shape_errors_name_the_problem() -> None:
    target = np.ones((2, 3))
    x, y = np.zeros((1, 4, 3)), np.zeros((1, 4, 2))
    initial = small_initialisation((3, 3, 2), 1, init_scale=0.1, seed=0)
    common = {"target_map": target, "input_noise": 0.1, "steps": 1, "lr": 0.1}
    with pytest.raises(ConfigError, match="widths"):
        deep_linear_gd(x, y, widths=(4, 3, 2), initial_weights=initial, **common)
    with pytest.raises(ConfigError, match="layer 1"):
        deep_linear_gd(
            x,
            y,
            widths=(3, 3, 2),
            initial_weights=initial,
            teacher_features={1: np.zeros((1, 4, 5))},
            **common,
        )
    with pytest.raises(ConfigError, match="layer 2"):
        deep_linear_gd(
            x,
            y,
            widths=(3, 3, 2),
            initial_weights=initial,
            teacher_features={2: np.zeros((1, 4, 2))},
            **common,
        )
    with pytest.raises(ConfigError):
        low_rank_target_map(3, 4, 5, seed=0)

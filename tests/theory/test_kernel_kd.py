"""KernelKD: closed forms, limits, identities and input validation (Rahbar et al. model §3, §5)."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
import scipy.linalg
from hypothesis import given, settings
from hypothesis import strategies as st

from distillab.data import unit_sphere
from distillab.errors import ConfigError
from distillab.kernels import relu_ntk
from distillab.theory.kernel_kd import KernelKD, KernelKDTrajectory

OBJECTIVES = ("output", "rkhs")
NORMALIZATIONS = ("sum", "mixture")


def _problem(n: int = 30, d: int = 6, seed: int = 0, outputs: int | None = None):
    X = unit_sphere(n, d, seed=seed)
    rng = np.random.default_rng(seed + 1)
    shape = (n,) if outputs is None else (n, outputs)
    y = rng.choice([-1.0, 1.0], size=shape)
    z = np.tanh(y + 0.8 * rng.standard_normal(shape))
    u0 = 0.3 * rng.standard_normal(shape)
    return X, relu_ntk(X), y, z, u0


def _recursion(H, y, z, u0, lam, lr, steps, objective, normalization):
    """Iterate the kernel-regime GD map explicitly (model §2.5)."""
    scale = 1.0 if normalization == "sum" else 1.0 / (1.0 + lam)
    u, out = u0.copy(), [u0.copy()]
    for _ in range(steps):
        if objective == "output":
            u = u - lr * scale * H @ ((1.0 + lam) * u - y - lam * z)
        else:
            u = u - lr * scale * (H @ (u - y) + lam * (u - z))
        out.append(u.copy())
    return np.stack(out)


@pytest.mark.parametrize("lam", [0.0, 0.25, 1.0, 7.0])
def test_kt_a_limit_and_residual_identities(lam: float) -> None:
    _, H, y, z, u0 = _problem()
    kd = KernelKD(H, y, z, u0=u0, pi_weight=lam)
    u_inf = kd.limit()
    # Spec T1 / §5 items 1–2: exact linear algebra, tolerance 1e-8.
    np.testing.assert_allclose(u_inf, (y + lam * z) / (1 + lam), atol=1e-10)
    ratio = np.linalg.norm(y - u_inf) / np.linalg.norm(y - z)
    assert abs(ratio - lam / (1 + lam)) < 1e-8
    np.testing.assert_allclose(kd.outputs(math.inf), u_inf, atol=1e-12)
    np.testing.assert_allclose(kd.outputs(1e6), u_inf, atol=1e-8)


@pytest.mark.parametrize("lam", [0.1, 1.0, 10.0])
def test_kt_b_limit_and_residual_identities(lam: float) -> None:
    _, H, y, z, u0 = _problem()
    kd = KernelKD(H, y, z, u0=u0, objective="rkhs", pi_weight=lam)
    eye = np.eye(len(y))
    np.testing.assert_allclose(
        kd.limit(), np.linalg.solve(H + lam * eye, H @ y + lam * z), atol=1e-9
    )
    np.testing.assert_allclose(
        y - kd.limit(), lam * np.linalg.solve(H + lam * eye, y - z), atol=1e-9
    )


@pytest.mark.parametrize("objective", OBJECTIVES)
@pytest.mark.parametrize("normalization", NORMALIZATIONS)
def test_gradient_descent_matches_the_explicit_recursion(objective: str, normalization: str):
    _, H, y, z, u0 = _problem()
    lam = 1.5
    kd = KernelKD(H, y, z, u0=u0, objective=objective, pi_weight=lam, normalization=normalization)
    lr = 0.7 * kd.max_stable_lr
    explicit = _recursion(H, y, z, u0, lam, lr, 40, objective, normalization)
    np.testing.assert_allclose(kd.outputs(np.arange(41), lr=lr), explicit, atol=1e-10)
    np.testing.assert_allclose(kd.outputs(0, lr=lr), u0, atol=1e-12)


@pytest.mark.parametrize("objective", OBJECTIVES)
def test_gradient_flow_is_the_matrix_exponential(objective: str) -> None:
    _, H, y, z, u0 = _problem(n=12)
    lam = 0.5
    kd = KernelKD(H, y, z, u0=u0, objective=objective, pi_weight=lam)
    generator = (1 + lam) * H if objective == "output" else H + lam * np.eye(12)
    star = kd.limit()
    for t in (0.0, 0.3, 2.0):
        expected = star + scipy.linalg.expm(-t * generator) @ (u0 - star)
        np.testing.assert_allclose(kd.outputs(t), expected, atol=1e-10)
    # Gradient descent with small steps approaches the flow: error O(lr).
    assert np.abs(kd.outputs(4000, lr=2.0 / 4000) - kd.outputs(2.0)).max() < 1e-3


def test_mixture_form_runs_time_slower_by_one_plus_lambda() -> None:
    _, H, y, z, u0 = _problem()
    lam = 3.0
    summed = KernelKD(H, y, z, u0=u0, pi_weight=lam)
    mixed = replace(summed, normalization="mixture")
    times = np.array([0.0, 0.5, 4.0])
    np.testing.assert_allclose(mixed.outputs(times * (1 + lam)), summed.outputs(times), atol=1e-12)
    np.testing.assert_allclose(mixed.limit(), summed.limit(), atol=1e-12)


def test_replace_reuses_the_eigendecomposition() -> None:
    _, H, y, z, u0 = _problem()
    kd = KernelKD(H, y, z, u0=u0, pi_weight=1.0)
    other = replace(kd, pi_weight=4.0)
    assert other.spectrum is kd.spectrum
    fresh = KernelKD(H, y, z, u0=u0, pi_weight=4.0)
    np.testing.assert_allclose(other.outputs([1.0, 3.0]), fresh.outputs([1.0, 3.0]), atol=1e-12)


def test_lambda_zero_is_plain_training_and_pure_kd_is_the_large_lambda_limit() -> None:
    _, H, y, z, u0 = _problem()
    lr = 0.2
    plain = KernelKD(H, y, z, u0=u0, pi_weight=0.0).outputs(np.arange(20), lr=lr)
    np.testing.assert_allclose(plain, _recursion(H, y, y, u0, 0.0, lr, 19, "output", "sum"))
    # Spec §5 item 13: λ → ∞ with η(1+λ) fixed reproduces pure KD on z.
    pure = KernelKD(H, z, z, u0=u0, pi_weight=0.0).outputs(np.arange(20), lr=lr)
    lam = 1e8
    limit = KernelKD(H, y, z, u0=u0, pi_weight=lam).outputs(np.arange(20), lr=lr / (1 + lam))
    np.testing.assert_allclose(limit, pure, atol=1e-6)
    mixture = KernelKD(H, y, z, u0=u0, pi_weight=math.inf, normalization="mixture")
    np.testing.assert_allclose(mixture.outputs(np.arange(20), lr=lr), pure, atol=1e-12)


def test_linear_model_reproduces_both_objectives_and_the_weight_distance() -> None:
    """An explicit linearised network u = u0 + J(θ − θ0), H = JJᵀ, trained by GD on the sums."""
    rng = np.random.default_rng(3)
    n, p, lam, steps = 15, 60, 0.8, 30
    J = rng.standard_normal((n, p)) / np.sqrt(p)
    H = J @ J.T
    y = rng.choice([-1.0, 1.0], size=n)
    u0 = 0.2 * rng.standard_normal(n)
    # A teacher sharing θ0 (KT-B's assumption): θ_T − θ0 in the row space of J.
    shift = J.T @ rng.standard_normal(n)
    z = u0 + J @ shift
    for objective in OBJECTIVES:
        kd = KernelKD(H, y, z, u0=u0, objective=objective, pi_weight=lam)
        lr = 0.5 * kd.max_stable_lr
        theta = np.zeros(p)
        for _ in range(steps):
            u = u0 + J @ theta
            if objective == "output":
                gradient = J.T @ ((1 + lam) * u - y - lam * z)
            else:
                gradient = J.T @ (u - y) + lam * (theta - shift)
            theta = theta - lr * gradient
        np.testing.assert_allclose(kd.outputs(steps, lr=lr), u0 + J @ theta, atol=1e-10)
        assert abs(kd.weight_distance(steps, lr=lr) - np.linalg.norm(theta)) < 1e-9
        beta = kd.weight_coefficients(steps, lr=lr)
        np.testing.assert_allclose(J.T @ beta, theta, atol=1e-9)


def test_weight_distance_formula_and_limits() -> None:
    _, H, y, z, u0 = _problem()
    kd = KernelKD(H, y, z, u0=u0, pi_weight=2.0)
    lr = 0.5 * kd.max_stable_lr
    c = kd.limit() - u0
    assert kd.weight_distance(0, lr=lr) == 0.0
    total = np.sqrt(c @ np.linalg.solve(H, c))
    assert abs(kd.weight_distance(math.inf) / total - 1) < 1e-8
    # Spec T5: cᵀ(I − Aᵏ)H⁻¹(I − Aᵏ)c with A = I − η(1+λ)H.
    k = 25
    Ak = np.linalg.matrix_power(np.eye(len(y)) - lr * 3.0 * H, k)
    moved = (np.eye(len(y)) - Ak) @ c
    assert abs(kd.weight_distance(k, lr=lr) ** 2 - moved @ np.linalg.solve(H, moved)) < 1e-8
    flow = kd.weight_distance(np.linspace(0, 50, 30))
    assert np.all(np.diff(flow) >= -1e-12)


def test_steps_to_is_the_exact_spectral_count_and_below_the_bound() -> None:
    _, H, y, z, u0 = _problem()
    kd = KernelKD(H, y, z, u0=u0, pi_weight=1.0)
    lr = 0.5 * kd.max_stable_lr
    eps = 0.05 * np.linalg.norm(kd.limit() - u0)
    count = kd.steps_to(eps, lr)
    distances = np.linalg.norm(kd.outputs(np.arange(count.bound + 1), lr=lr) - kd.limit(), axis=1)
    assert count.stable and count.exact == int(np.argmax(distances <= eps))
    assert count.exact <= count.bound
    mu = kd.spectrum.eigenvalues
    assert count.contraction == pytest.approx(1 - lr * 2.0 * mu[-1], rel=1e-12)
    assert kd.steps_to(10 * np.linalg.norm(kd.limit() - u0), lr).exact == 0


@pytest.mark.parametrize("objective", OBJECTIVES)
def test_gradient_descent_diverges_beyond_the_stable_step_and_the_engine_says_so(objective: str):
    _, H, y, z, u0 = _problem()
    lam = 2.0
    kd = KernelKD(H, y, z, u0=u0, objective=objective, pi_weight=lam)
    mu_max = kd.spectrum.mu_max
    expected = 2 / ((1 + lam) * mu_max) if objective == "output" else 2 / (mu_max + lam)
    assert kd.max_stable_lr == pytest.approx(expected, rel=1e-12)
    unstable = 1.05 * kd.max_stable_lr
    assert not kd.steps_to(1e-3, unstable).stable
    assert kd.steps_to(1e-3, 0.95 * kd.max_stable_lr).stable
    growth = np.linalg.norm(kd.outputs([100, 200], lr=unstable) - kd.limit(), axis=1)
    assert growth[1] > 10 * growth[0]
    with pytest.raises(ConfigError, match="does not converge"):
        kd.outputs(math.inf, lr=unstable)


def test_speedup_with_a_perfect_teacher_follows_the_one_plus_lambda_rule() -> None:
    _, H, y, _, _ = _problem(n=60, d=8)
    kd = KernelKD(H, y, y, pi_weight=0.0)
    lr = 0.1 / kd.spectrum.mu_max
    eps = 0.05 * np.linalg.norm(y)
    plain = kd.steps_to(eps, lr).exact
    for lam in (1.0, 4.0):
        # Spec §5 item 3: k_ε(λ)/k_ε(0) = 1/(1+λ) within ±10% (exact up to ceiling and small ημ).
        ratio = replace(kd, pi_weight=lam).steps_to(eps, lr).exact / plain
        assert abs(ratio * (1 + lam) - 1) < 0.10


def test_a_smooth_teacher_beats_the_rule_in_the_spec_calibration() -> None:
    """Spec §5 item 7: n = 400 on S^9, 20% label noise, teacher = kernel GD stopped early."""
    X = unit_sphere(400, 10, seed=0)
    labels = np.where(X @ np.random.default_rng(7).standard_normal(10) >= 0, 1.0, -1.0)
    y = labels.copy()
    y[np.random.default_rng(1).permutation(400)[:80]] *= -1
    H = relu_ntk(X)
    plain = KernelKD(H, y, y, pi_weight=0.0)
    mu_max = plain.spectrum.mu_max
    z = plain.outputs(10, lr=1.0 / mu_max)
    energy = plain.spectrum.project(z) ** 2
    y_energy = plain.spectrum.project(y) ** 2
    # Our reconstruction gives 96% (teacher) and 32% (labels); the model reports 95% and 32%.
    assert energy[:40].sum() / energy.sum() > 0.9
    assert 0.25 < y_energy[:40].sum() / y_energy.sum() < 0.4
    lr, eps = 0.3 / mu_max, 0.1 * np.sqrt(400)
    k0 = plain.steps_to(eps, lr).exact
    for lam in (1.0, 4.0):
        smooth = KernelKD(H, y, z, pi_weight=lam, spectrum=plain.spectrum).steps_to(eps, lr)
        assert smooth.exact < 0.8 * k0 / (1 + lam)


def test_complexity_term_bound_and_monotonicity() -> None:
    _, H, y, _, _ = _problem()
    n = len(y)
    smooth = KernelKD(H, y, y, pi_weight=0.0).outputs(5, lr=0.5 / np.linalg.eigvalsh(H)[-1])
    Hinv = np.linalg.inv(H)
    assert smooth @ Hinv @ smooth < y @ Hinv @ y
    terms = []
    for lam in (0.0, 0.3, 1.0, 3.0, 10.0):
        alpha = lam / (1 + lam)
        star = (1 - alpha) * y + alpha * smooth
        result = KernelKD(H, y, smooth, pi_weight=lam).complexity()
        assert abs(result.term - np.sqrt(2 * star @ Hinv @ star / n)) < 1e-8
        bound = np.sqrt(2 * ((1 - alpha) * y @ Hinv @ y + alpha * smooth @ Hinv @ smooth) / n)
        assert abs(result.bound - bound) < 1e-8 and result.term <= result.bound + 1e-12
        rkhs = KernelKD(H, y, smooth, objective="rkhs", pi_weight=lam).complexity()
        assert rkhs.term <= rkhs.bound + 1e-12
        terms.append(result.term)
    # Spec §5 item 8: decreasing in λ when the teacher has the smaller NTK norm.
    assert np.all(np.diff(terms) < 0)


def test_predict_is_the_kernel_interpolant_plus_the_initial_function() -> None:
    X, H, y, z, u0 = _problem()
    X_test = unit_sphere(7, X.shape[1], seed=9)
    h = relu_ntk(X_test, X)
    f0 = 0.1 * np.arange(7.0)
    lam = 1.0
    kd = KernelKD(H, y, z, u0=u0, pi_weight=lam)
    k_y, k_z = h @ np.linalg.solve(H, y), h @ np.linalg.solve(H, z)
    np.testing.assert_allclose(
        KernelKD(H, y, z, pi_weight=lam).predict(h, math.inf), 0.5 * k_y + 0.5 * k_z, atol=1e-9
    )
    np.testing.assert_allclose(kd.predict(h, 0.0, f0=f0), f0, atol=1e-12)
    # On the training inputs the prediction is the training output itself.
    np.testing.assert_allclose(kd.predict(H, [0.5, 2.0], f0=u0), kd.outputs([0.5, 2.0]), atol=1e-9)
    # f_∞ = h H⁻¹u* + g with g = f0 − h H⁻¹u(0) (model T2).
    g = kd.initialization_term(h, f0)
    np.testing.assert_allclose(g, f0 - h @ np.linalg.solve(H, u0), atol=1e-9)
    np.testing.assert_allclose(
        kd.predict(h, math.inf, f0=f0), h @ np.linalg.solve(H, kd.limit()) + g, atol=1e-9
    )


def test_multi_output_targets_work_column_by_column() -> None:
    X, H, y, z, u0 = _problem(outputs=3)
    h = relu_ntk(unit_sphere(5, X.shape[1], seed=4), X)
    kd = KernelKD(H, y, z, u0=u0, pi_weight=2.0, objective="rkhs")
    lr, times = 0.5 * kd.max_stable_lr, np.array([0, 3, 17])
    assert kd.outputs(times, lr=lr).shape == (3, 30, 3)
    squares = 0.0
    for c in range(3):
        column = replace(kd, y=y[:, c], z=z[:, c], u0=u0[:, c])
        np.testing.assert_allclose(kd.outputs(times, lr=lr)[..., c], column.outputs(times, lr=lr))
        np.testing.assert_allclose(kd.predict(h, 5.0)[:, c], column.predict(h, 5.0), atol=1e-12)
        squares = squares + column.weight_distance(times, lr=lr) ** 2
    np.testing.assert_allclose(kd.weight_distance(times, lr=lr), np.sqrt(squares), atol=1e-12)


def test_singular_gram_matrix_is_refused_where_an_inverse_is_needed() -> None:
    X = unit_sphere(5, 3, seed=0)
    X = np.vstack([X, X[:1]])
    H = relu_ntk(X)
    kd = KernelKD(H, np.ones(6), np.zeros(6), pi_weight=1.0)
    assert np.isfinite(kd.outputs(3.0)).all()
    with pytest.raises(ConfigError, match="positive definite"):
        kd.complexity()


_H = relu_ntk(unit_sphere(6, 3, seed=0))
_Y = np.ones(6)


@settings(max_examples=40, deadline=None)
@given(lam=st.one_of(st.floats(max_value=-1e-9), st.just(float("nan"))))
def test_negative_or_nan_pi_weight_is_a_config_error(lam: float) -> None:
    with pytest.raises(ConfigError):
        KernelKD(_H, _Y, _Y, pi_weight=lam)


@settings(max_examples=20, deadline=None)
@given(objective=st.sampled_from(OBJECTIVES), normalization=st.sampled_from(NORMALIZATIONS))
def test_infinite_pi_weight_only_for_output_mixture(objective: str, normalization: str) -> None:
    if (objective, normalization) == ("output", "mixture"):
        assert KernelKD(
            _H, _Y, _Y, objective=objective, pi_weight=math.inf, normalization=normalization
        )
        return
    with pytest.raises(ConfigError):
        KernelKD(_H, _Y, _Y, objective=objective, pi_weight=math.inf, normalization=normalization)


@settings(max_examples=40, deadline=None)
@given(size=st.integers(1, 9).filter(lambda s: s != 6))
def test_mismatched_shapes_are_config_errors(size: int) -> None:
    with pytest.raises(ConfigError):
        KernelKD(_H, np.ones(size), _Y)
    with pytest.raises(ConfigError):
        KernelKD(_H, _Y, _Y, u0=np.ones((6, size)) if size > 1 else np.ones(size + 6))
    with pytest.raises(ConfigError):
        KernelKD(_H, _Y, _Y).predict(np.ones((2, size)), 1.0)


@settings(max_examples=40, deadline=None)
@given(
    lr=st.one_of(st.floats(max_value=0.0), st.just(float("nan")), st.just(float("inf"))),
    eps=st.one_of(st.floats(max_value=0.0), st.just(float("nan"))),
    time=st.floats(max_value=-1e-9),
)
def test_bad_step_tolerance_or_time_is_a_config_error(lr: float, eps: float, time: float) -> None:
    kd = KernelKD(_H, _Y, 0.5 * _Y, pi_weight=1.0)
    with pytest.raises(ConfigError):
        kd.outputs(3, lr=lr)
    with pytest.raises(ConfigError):
        kd.steps_to(eps, 0.1)
    with pytest.raises(ConfigError):
        kd.steps_to(0.1, lr)
    with pytest.raises(ConfigError):
        kd.outputs(time)
    with pytest.raises(ConfigError):
        kd.outputs(2.5, lr=0.1)


@pytest.mark.parametrize(
    "kwargs",
    [{"objective": "weights"}, {"normalization": "mean"}, {"ntk_gram": np.ones((6, 5))}],
)
def test_unknown_switches_and_non_square_gram_are_config_errors(kwargs: dict) -> None:
    arguments = {"ntk_gram": _H, **kwargs}
    with pytest.raises(ConfigError):
        KernelKD(arguments.pop("ntk_gram"), _Y, _Y, **arguments)


def _small_engine() -> KernelKD:
    rng = np.random.default_rng(5)
    A = rng.normal(size=(6, 6))
    H = A @ A.T / 6 + 0.1 * np.eye(6)
    return KernelKD(H, rng.normal(size=6), rng.normal(size=6), pi_weight=1.0)


@pytest.mark.parametrize("lr", [1e-8, 1e-12, 1e-18, 1e-30])
def test_tiny_learning_rate_is_stable_with_a_count_growing_like_one_over_lr(lr: float) -> None:
    kd, eps = _small_engine(), 1e-3
    reference = kd.steps_to(eps, 1e-6)
    count = kd.steps_to(eps, lr)
    assert count.stable and isinstance(count.exact, int) and count.exact <= count.bound
    # (1 − ηr)^k = exp(k·log1p(−ηr)) → exp(−kηr) as η → 0: the count scales exactly like 1/η.
    assert count.exact * lr == pytest.approx(reference.exact * 1e-6, rel=1e-5)
    assert count.log_contraction == pytest.approx(-lr * kd.rates.min(), rel=1e-6)


def test_tiny_learning_rate_matches_the_direct_power_where_it_is_exact() -> None:
    kd, eps, lr = _small_engine(), 1e-3, 0.05
    count = kd.steps_to(eps, lr)
    distances = np.linalg.norm(kd.outputs(np.arange(count.exact + 2), lr=lr) - kd.limit(), axis=1)
    assert count.exact == int(np.argmax(distances <= eps))
    assert count.log_contraction == pytest.approx(math.log(count.contraction), rel=1e-12)


def test_step_below_the_float_range_gives_infinite_counts_not_unstable() -> None:
    count = _small_engine().steps_to(1e-3, 5e-324)
    assert count.stable and count.exact == math.inf and count.bound == math.inf


def test_too_large_step_and_null_mode_are_unstable() -> None:
    kd = _small_engine()
    assert not kd.steps_to(1e-3, 2.01 / kd.rates.max()).stable
    singular = KernelKD(np.diag([1.0, 0.0]), [1.0, 1.0], [0.0, 0.0], pi_weight=1.0)
    count = singular.steps_to(1e-3, 0.1)
    assert not count.stable and count.exact is None and math.isnan(count.log_contraction)


@pytest.mark.parametrize("lr", [None, 0.05])
def test_trajectory_names_the_arrays_of_outputs_predict_and_weight_distance(lr) -> None:
    X, H, y, z, u0 = _problem(n=12, seed=4)
    h = relu_ntk(unit_sphere(5, 6, seed=9), X)
    kd = KernelKD(H, y, z, u0=u0, pi_weight=0.7)
    times = np.array([0.0, 2.0, 7.0])
    path = kd.trajectory(times, ntk_cross=h, lr=lr)
    assert isinstance(path, KernelKDTrajectory)
    np.testing.assert_array_equal(path.times, times)
    np.testing.assert_allclose(path.train_outputs, kd.outputs(times, lr=lr))
    np.testing.assert_allclose(path.test_outputs, kd.predict(h, times, lr=lr))
    np.testing.assert_allclose(path.weight_distance, kd.weight_distance(times, lr=lr))
    np.testing.assert_allclose(path.limit, kd.limit())
    assert kd.trajectory(times).test_outputs.shape == (3, 0)


def test_trajectory_of_a_singular_gram_has_nan_weight_distance() -> None:
    kd = KernelKD(np.diag([1.0, 0.0]), [1.0, 1.0], [0.0, 0.0], pi_weight=1.0)
    path = kd.trajectory([0.0, 1.0])
    assert np.isnan(path.weight_distance).all()
    np.testing.assert_allclose(path.train_outputs[1], [0.5 * (1 - math.exp(-2.0)), 0.0])

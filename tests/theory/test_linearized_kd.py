"""The linearised-KD engine (Ji & Zhu 2020): closed forms, limits, identities, clear errors.

Spec: shared/papers/ji_zhu_wide_kd.md. P-numbers refer to its §5 table.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import expit

from distillab.data import kernel_teacher, unit_sphere
from distillab.errors import ConfigError
from distillab.kernels import relu_ntk
from distillab.losses import KD_VARIANTS, kd_loss
from distillab.theory.linearized_kd import (
    SOFT_SCALES,
    VARIANTS,
    LinearizedKD,
    check_loss_parameters,
    correction_threshold,
    data_inefficiency,
    effective_logit,
    effective_logit_multiclass,
    jump_size,
    risk_curve_exponent,
    transfer_risk_bound,
    weight_norm_growth,
)

RATIOS = (0.05, 0.1, 0.3, 0.5, 0.7, 0.9, 1.0)
TEMPERATURES = (0.5, 1.0, 2.0, 4.0, 10.0)
ratios = st.floats(0.01, 1.0)
temperatures = st.floats(0.2, 20.0)
logits = st.floats(-30.0, 30.0)


def _teacher_sample(n: int = 40, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    z = np.random.default_rng(seed).normal(0.0, 4.0, n)
    return z, (z > 0).astype(float)


def _kd_gradient(g: np.ndarray, z_t: np.ndarray, y: np.ndarray, **kd: object) -> np.ndarray:
    """Autograd gradient of distillab's kd_loss (summed over samples) at student logits g."""
    s = torch.tensor(g, requires_grad=True)
    loss = len(g) * kd_loss(s, torch.tensor(z_t), torch.tensor(y), **kd)
    loss.backward()
    return s.grad.numpy()


def test_variant_names_are_those_of_kd_loss() -> None:
    assert set(VARIANTS) == set(KD_VARIANTS)


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("temperature", TEMPERATURES)
@pytest.mark.parametrize("soft_ratio", RATIOS)
def test_effective_logit_is_the_stationary_point_of_kd_loss(
    variant: str, temperature: float, soft_ratio: float
) -> None:
    """P1 (exact part): g zeroes the gradient of the library's own loss, for any label."""
    z_t = np.linspace(-12.0, 12.0, 25)
    for y in (np.zeros(25), np.ones(25), (z_t > 0).astype(float)):
        kd = {"soft_ratio": soft_ratio, "temperature": temperature, "variant": variant}
        g = effective_logit(z_t, y, **kd)
        # torch's softplus is linear beyond 20, so kd_loss's own gradient is off by up to
        # e^{-20}/T ≈ 4e-9 where |g|/T > 20; elsewhere the residual is at round-off (1e-16).
        assert np.abs(_kd_gradient(g, z_t, y, **kd)).max() < 1e-8


@pytest.mark.parametrize("temperature", TEMPERATURES)
@pytest.mark.parametrize("soft_ratio", RATIOS)
def test_hinton_without_t_squared_solves_its_own_condition(
    soft_ratio: float, temperature: float
) -> None:
    """Variant B with c_T = 1: (ρ/T)(σ(g/T) − σ(z_t/T)) + (1−ρ)(σ(g) − y) = 0."""
    z_t, y = _teacher_sample()
    g = effective_logit(
        z_t,
        y,
        soft_ratio=soft_ratio,
        temperature=temperature,
        variant="hinton",
        soft_scale="one",
    )
    T = temperature
    residual = soft_ratio / T * (expit(g / T) - expit(z_t / T)) + (1 - soft_ratio) * (expit(g) - y)
    assert np.abs(residual).max() < 1e-14


def test_variant_a_closed_form_in_plain_arithmetic() -> None:
    z_t, y = _teacher_sample()
    rho, T = 0.3, 2.5
    target = rho * expit(z_t / T) + (1 - rho) * y
    expected = T * np.log(target / (1 - target))
    np.testing.assert_allclose(
        effective_logit(z_t, y, soft_ratio=rho, temperature=T), expected, rtol=1e-12, atol=1e-12
    )


@settings(max_examples=200, deadline=None)
@given(z=st.floats(-700.0, 700.0), rho=ratios, T=temperatures, y=st.sampled_from([0.0, 1.0]))
def test_effective_logit_is_finite_for_extreme_teacher_logits(
    z: float, rho: float, T: float, y: float
) -> None:
    for variant in VARIANTS:
        for scale in SOFT_SCALES:
            g = effective_logit(
                z, y, soft_ratio=rho, temperature=T, variant=variant, soft_scale=scale
            )
            assert np.isfinite(g)


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("soft_scale", SOFT_SCALES)
def test_pure_soft_labels_copy_the_teacher_at_every_temperature(
    variant: str, soft_scale: str
) -> None:
    """Spec §2 (a) / P2: ρ = 1 gives g = z_t whatever T (and whatever the label)."""
    z_t = np.linspace(-40.0, 40.0, 81)
    for T in TEMPERATURES:
        for y in (np.zeros(81), np.ones(81)):
            g = effective_logit(
                z_t, y, soft_ratio=1.0, temperature=T, variant=variant, soft_scale=soft_scale
            )
            np.testing.assert_allclose(g, z_t, rtol=1e-12, atol=1e-12)


@settings(max_examples=300, deadline=None)
@given(z=logits, rho=ratios, T=temperatures, variant=st.sampled_from(VARIANTS))
def test_hard_labels_amplify_a_correct_margin(z: float, rho: float, T: float, variant: str) -> None:
    """Spec §2 (b) / P3: with y = 1[z_t > 0], |g| ≥ |z_t| and sign g = sign z_t (exact)."""
    g = float(effective_logit(z, float(z > 0), soft_ratio=rho, temperature=T, variant=variant))
    if z > 0:
        assert g >= z - 1e-12 * abs(z)
    else:
        assert g <= z + 1e-12 * abs(z)


@pytest.mark.parametrize("temperature", TEMPERATURES)
@pytest.mark.parametrize("soft_ratio", RATIOS)
def test_jump_at_the_teacher_boundary(soft_ratio: float, temperature: float) -> None:
    """Spec §2 (c) / P4: g(0±) = ±T·ln((2−ρ)/ρ) to 1e−9; J = 2T ln((2−ρ)/ρ)."""
    half = temperature * math.log((2 - soft_ratio) / soft_ratio)
    up = float(effective_logit(0.0, 1, soft_ratio=soft_ratio, temperature=temperature))
    down = float(effective_logit(0.0, 0, soft_ratio=soft_ratio, temperature=temperature))
    assert abs(up - half) < 1e-9 and abs(down + half) < 1e-9
    assert jump_size(soft_ratio, temperature) == pytest.approx(2 * half, abs=1e-12)
    # Variant B's jump comes from its own root; at T = 1 both variants are one loss.
    jump_b = jump_size(soft_ratio, 1.0, variant="hinton")
    assert jump_b == pytest.approx(jump_size(soft_ratio, 1.0), rel=1e-10, abs=1e-12)


def test_jump_limits() -> None:
    assert jump_size(1.0, 3.0) == 0.0
    assert jump_size(1e-8, 1.0) > 2 * math.log(1e8)
    assert jump_size(0.4, 6.0) == pytest.approx(3 * jump_size(0.4, 2.0), rel=1e-14)


@pytest.mark.parametrize("soft_ratio", (0.1, 0.5, 0.9))
def test_slope_of_g_at_the_boundary(soft_ratio: float) -> None:
    """Spec §2 (d): dg/dz_t at 0± equals 1/(2−ρ) (central differences of the two branches)."""
    h = 1e-5
    up = effective_logit(np.array([h, 2 * h]), 1, soft_ratio=soft_ratio, temperature=1.7)
    down = effective_logit(np.array([-2 * h, -h]), 0, soft_ratio=soft_ratio, temperature=1.7)
    for branch in (up, down):
        assert (branch[1] - branch[0]) / h == pytest.approx(1 / (2 - soft_ratio), rel=1e-5)


@pytest.mark.parametrize("temperature", (0.5, 1.0, 4.0))
@pytest.mark.parametrize("soft_ratio", (0.55, 0.7, 0.9, 0.99))
def test_correction_threshold_variant_a(soft_ratio: float, temperature: float) -> None:
    """P5: a wrong teacher (z_t < 0, y = 1) is overruled iff |z_t| < T·ln(1/(2ρ−1))."""
    threshold = correction_threshold(soft_ratio, temperature)
    assert threshold == pytest.approx(temperature * math.log(1 / (2 * soft_ratio - 1)))
    kd = {"soft_ratio": soft_ratio, "temperature": temperature}
    assert abs(float(effective_logit(-threshold, 1, **kd))) < 1e-12 * max(1.0, threshold)
    assert effective_logit(-threshold * (1 - 1e-6), 1, **kd) > 0
    assert effective_logit(-threshold * (1 + 1e-6), 1, **kd) < 0


@settings(max_examples=200, deadline=None)
@given(rho=st.floats(0.01, 0.5), T=temperatures, z=st.floats(0.0, 60.0))
def test_hard_labels_always_win_below_one_half(rho: float, T: float, z: float) -> None:
    """P5: for ρ ≤ ½ every wrong teacher sign is corrected on the training points."""
    assert correction_threshold(rho, T) == math.inf
    assert effective_logit(-z, 1, soft_ratio=rho, temperature=T) > 0
    assert effective_logit(z, 0, soft_ratio=rho, temperature=T) < 0


@pytest.mark.parametrize("soft_scale", SOFT_SCALES)
@pytest.mark.parametrize("temperature", (0.5, 1.0, 2.0, 4.0))
@pytest.mark.parametrize("soft_ratio", (0.3, 0.6, 0.85, 0.95))
def test_correction_threshold_variant_b(
    soft_ratio: float, temperature: float, soft_scale: str
) -> None:
    """Spec §3.4, Variant B: tanh(|z_t|/(2T)) < T(1−ρ)/(ρc_T) ⟺ the hard label wins."""
    kd = {
        "soft_ratio": soft_ratio,
        "temperature": temperature,
        "variant": "hinton",
        "soft_scale": soft_scale,
    }
    threshold = correction_threshold(**kd)
    c_t = temperature**2 if soft_scale == "temperature-squared" else 1.0
    always = temperature * (1 - soft_ratio) / (soft_ratio * c_t) >= 1
    assert (threshold == math.inf) == always
    if always:
        assert effective_logit(-200.0, 1, **kd) > 0
    else:
        assert effective_logit(-threshold * (1 - 1e-6), 1, **kd) > 0
        assert effective_logit(-threshold * (1 + 1e-6), 1, **kd) < 0


@pytest.mark.parametrize(
    "bad",
    [
        {"soft_ratio": 0.0},
        {"soft_ratio": -0.1},
        {"soft_ratio": 1.5},
        {"soft_ratio": float("nan")},
        {"temperature": 0.0},
        {"temperature": -1.0},
        {"temperature": float("inf")},
        {"variant": "softmax"},
        {"soft_scale": "half"},
    ],
)
def test_bad_parameters_raise_config_error(bad: dict[str, object]) -> None:
    kd = {"soft_ratio": 0.5, "temperature": 1.0, **bad}
    with pytest.raises(ConfigError):
        effective_logit(1.0, 1, **kd)  # type: ignore[arg-type]
    with pytest.raises(ConfigError):
        jump_size(**kd)  # type: ignore[arg-type]


def test_loss_parameter_check_allows_pure_hard_labels_and_names_the_bad_field() -> None:
    check_loss_parameters(0.0, 1.0, "hinton", "one")
    for bad, field in (
        ((1.5, 1.0, "hinton"), "soft_ratio"),
        ((0.5, 0.0, "hinton"), "temperature"),
        ((0.5, 1.0, "softmax"), "variant"),
        ((0.5, 1.0, "hinton", "half"), "soft_scale"),
    ):
        with pytest.raises(ConfigError, match=field):
            check_loss_parameters(*bad)


def test_pure_hard_labels_have_no_finite_effective_logit() -> None:
    with pytest.raises(ConfigError, match="no finite effective logit"):
        effective_logit(1.0, 1, soft_ratio=0.0, temperature=1.0)
    X = unit_sphere(5, 3, seed=0)
    K = relu_ntk(X, trained="both")
    with pytest.raises(ConfigError, match="no finite effective logit"):
        LinearizedKD(K, K, np.ones(5), np.ones(5)).solve(soft_ratio=0.0, temperature=1.0)


@settings(max_examples=50, deadline=None)
@given(labels=st.lists(st.floats(-3, 3).filter(lambda v: v not in (0.0, 1.0)), min_size=1))
def test_labels_must_be_zero_or_one(labels: list[float]) -> None:
    with pytest.raises(ConfigError):
        effective_logit(np.zeros(len(labels)), labels, soft_ratio=0.5, temperature=1.0)


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("soft_ratio", (0.2, 0.7, 1.0))
def test_multiclass_matches_binary_for_two_classes(variant: str, soft_ratio: float) -> None:
    z_t, y = _teacher_sample(12)
    pairs = np.stack([np.zeros_like(z_t), z_t], axis=1)
    kd = {"soft_ratio": soft_ratio, "temperature": 2.0, "variant": variant}
    g = effective_logit_multiclass(pairs, y.astype(int), **kd)
    np.testing.assert_allclose(g.sum(axis=1), 0.0, atol=1e-12)
    np.testing.assert_allclose(g[:, 1] - g[:, 0], effective_logit(z_t, y, **kd), atol=1e-9)


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("soft_ratio", (0.1, 0.5, 0.9, 1.0))
def test_multiclass_is_the_stationary_point_of_kd_loss(variant: str, soft_ratio: float) -> None:
    rng = np.random.default_rng(3)
    z_t = rng.normal(0.0, 3.0, (10, 5))
    y = rng.integers(0, 5, 10)
    kd = {"soft_ratio": soft_ratio, "temperature": 3.0, "variant": variant}
    g = effective_logit_multiclass(z_t, y, **kd)
    s = torch.tensor(g, requires_grad=True)
    (10 * kd_loss(s, torch.tensor(z_t), torch.tensor(y), **kd)).backward()
    assert s.grad.abs().max() < 1e-10
    np.testing.assert_allclose(g.sum(axis=1), 0.0, atol=1e-10)


def test_multiclass_rejects_bad_labels() -> None:
    with pytest.raises(ConfigError):
        effective_logit_multiclass(np.zeros((3, 4)), [0, 4, 1], soft_ratio=0.5, temperature=1.0)
    with pytest.raises(ConfigError):
        effective_logit_multiclass(np.zeros(3), [0, 1, 1], soft_ratio=0.5, temperature=1.0)


def _student(n: int, seed: int = 0, d: int = 4) -> tuple[LinearizedKD, np.ndarray]:
    teacher = kernel_teacher(d, seed=seed, centres=10)
    X = unit_sphere(n, d, seed=seed + 100)
    X_test = unit_sphere(500, d, seed=seed + 200)
    engine = LinearizedKD(
        relu_ntk(X, trained="both"),
        relu_ntk(X_test, X, trained="both"),
        teacher.logits(X),
        teacher.labels(X),
    )
    return engine, teacher.logits(X_test)


def test_student_interpolates_the_effective_logit() -> None:
    X = unit_sphere(30, 4, seed=1)
    K = relu_ntk(X, trained="both")
    z_t, y = _teacher_sample(30)
    student = LinearizedKD(K, K, z_t, y).solve(soft_ratio=0.4, temperature=2.0)
    g = effective_logit(z_t, y, soft_ratio=0.4, temperature=2.0)
    # Evaluated at the training inputs the interpolant returns g (ridge 1e-9: error ≈ 1e-9‖α‖).
    np.testing.assert_allclose(student.test_logits, g, atol=1e-5 * np.abs(g).max())
    assert student.weight_norm_sq == pytest.approx(g @ np.linalg.solve(K, g), rel=1e-6)


def test_student_is_temperature_free_at_pure_soft_labels() -> None:
    """P2: predictions for T = 1 and T = 4 agree to 1e−6 at ρ = 1."""
    engine, _ = _student(60)
    one = engine.solve(soft_ratio=1.0, temperature=1.0)
    four = engine.solve(soft_ratio=1.0, temperature=4.0)
    np.testing.assert_allclose(four.test_logits, one.test_logits, rtol=1e-6, atol=1e-9)
    assert four.weight_norm_sq == pytest.approx(one.weight_norm_sq, rel=1e-6)


def test_teacher_norm_is_never_exceeded_on_nested_sets() -> None:
    """P6: ρ = 1 ⇒ ‖Δw_n‖² = ‖P_n w_t‖² is non-decreasing on nested sets and ≤ ‖w_t‖²."""
    teacher = kernel_teacher(5, seed=2)
    pool = unit_sphere(400, 5, seed=7)
    norms = []
    for n in (10, 20, 40, 80, 160, 400):
        X = pool[:n]
        engine = LinearizedKD(
            relu_ntk(X, trained="both"), np.zeros((1, n)), teacher.logits(X), teacher.labels(X)
        )
        norms.append(engine.solve(soft_ratio=1.0, temperature=1.0).weight_norm_sq)
    assert all(b >= a * (1 - 1e-6) for a, b in itertools.pairwise(norms))
    assert norms[-1] <= teacher.norm_sq * (1 + 1e-6)


def test_teacher_norm_is_reached_when_the_centres_are_in_the_data() -> None:
    """w_t ∈ span{φ(x_i)} ⇒ ‖Δw‖² = ‖w_t‖², sin γ = 0, and bound = risk = 0."""
    teacher = kernel_teacher(4, seed=5, centres=12)
    X = np.vstack([teacher.centres, unit_sphere(20, 4, seed=9)])
    X_test = unit_sphere(800, 4, seed=10)
    engine = LinearizedKD(
        relu_ntk(X, trained="both"),
        relu_ntk(X_test, X, trained="both"),
        teacher.logits(X),
        teacher.labels(X),
    )
    student = engine.solve(soft_ratio=1.0, temperature=1.0)
    assert student.weight_norm_sq == pytest.approx(teacher.norm_sq, rel=1e-6)
    z_test = teacher.logits(X_test)
    assert student.transfer_risk(z_test) == 0.0
    bound = transfer_risk_bound(engine, z_test, np.ones(800), teacher.norm_sq)
    assert bound.sin_gamma < 1e-3 and bound.bound == 0.0


@pytest.mark.parametrize("seed", range(4))
def test_risk_bound_holds_and_orders(seed: int) -> None:
    """P9 (per training set): risk ≤ two-angle bound ≤ weight-angle bound."""
    teacher = kernel_teacher(5, seed=seed)
    pool = unit_sphere(200, 5, seed=seed + 50)
    X_test = unit_sphere(2000, 5, seed=seed + 60)
    z_test = teacher.logits(X_test)
    gammas = []
    for n in (25, 50, 100, 200):
        X = pool[:n]
        engine = LinearizedKD(
            relu_ntk(X, trained="both"),
            relu_ntk(X_test, X, trained="both"),
            teacher.logits(X),
            teacher.labels(X),
        )
        risk = engine.solve(soft_ratio=1.0, temperature=1.0).transfer_risk(z_test)
        bound = transfer_risk_bound(engine, z_test, np.ones(2000), teacher.norm_sq)
        assert risk <= bound.bound <= bound.weight_angle_bound
        gammas.append(bound.sin_gamma)
    # Nested spans: sin γ_n is non-increasing (exact up to the 1e-9 ridge).
    assert all(b <= a + 1e-6 for a, b in itertools.pairwise(gammas))


def test_explained_fraction_is_one_on_the_training_points() -> None:
    X = unit_sphere(25, 4, seed=0)
    K = relu_ntk(X, trained="both")
    engine = LinearizedKD(K, K, np.ones(25), np.ones(25))
    np.testing.assert_allclose(engine.explained_fraction(np.diag(K)), 1.0, atol=1e-6)


def test_risks_count_sign_disagreements() -> None:
    X = np.eye(3)
    engine = LinearizedKD(X, X, np.array([1.0, -2.0, 3.0]), np.array([1.0, 0.0, 1.0]))
    student = engine.solve(soft_ratio=1.0, temperature=1.0)
    assert student.transfer_risk([1.0, 2.0, 3.0]) == pytest.approx(1 / 3)
    assert student.risk([1.0, 0.0, 0.0]) == pytest.approx(1 / 3)
    with pytest.raises(ConfigError):
        student.risk([1.0, 0.0])


def test_engine_rejects_bad_shapes() -> None:
    K = relu_ntk(unit_sphere(4, 3, seed=0), trained="both")
    with pytest.raises(ConfigError):
        LinearizedKD(K[:3], K, np.ones(4), np.ones(4))
    with pytest.raises(ConfigError):
        LinearizedKD(K, K[:, :3], np.ones(4), np.ones(4))
    with pytest.raises(ConfigError):
        LinearizedKD(K, K, np.ones(3), np.ones(3))
    with pytest.raises(ConfigError):
        LinearizedKD(K, K, np.ones(4), np.ones(4), ridge=-1.0)
    with pytest.raises(ConfigError):
        LinearizedKD(np.ones((4, 4)), K, np.ones(4), np.ones(4), ridge=0.0)


@settings(max_examples=50, deadline=None)
@given(
    exponent=st.floats(-3.0, 3.0),
    scale=st.floats(1e-3, 1e3),
    sizes=st.lists(st.integers(1, 10_000), min_size=2, max_size=8, unique=True),
)
def test_log_slopes_recover_a_power_law(exponent: float, scale: float, sizes: list[int]) -> None:
    ns = np.sort(np.asarray(sizes, dtype=float))
    growth = weight_norm_growth(ns, scale * ns**exponent)
    np.testing.assert_allclose(growth.exponent, exponent, atol=1e-9)
    np.testing.assert_allclose(growth.n, np.sqrt(ns[1:] * ns[:-1]))
    np.testing.assert_allclose(
        risk_curve_exponent(ns, scale * ns**-exponent).exponent, exponent, atol=1e-9
    )
    np.testing.assert_array_equal(
        data_inefficiency(ns, scale * ns**exponent).exponent, growth.exponent
    )


@pytest.mark.parametrize(
    ("ns", "values"),
    [
        ([10], [1.0]),
        ([10, 5], [1.0, 2.0]),
        ([10, 20], [1.0, 0.0]),
        ([10, 20], [1.0]),
        ([0, 20], [1.0, 2.0]),
    ],
)
def test_log_slopes_reject_bad_input(ns: list[int], values: list[float]) -> None:
    with pytest.raises(ConfigError):
        risk_curve_exponent(ns, values)


def test_unbracketed_hinton_root_is_nan_and_the_student_not_converged(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from distillab.theory import linearized_kd

    z_t, y = np.array([-2.0, 0.5, 3.0]), np.array([0, 1, 1])
    params = {"soft_ratio": 0.1, "temperature": 4.0, "variant": "hinton"}
    assert np.isfinite(effective_logit(z_t, y, **params)).all()
    K = np.eye(3) + 0.1
    assert LinearizedKD(K, K, z_t, y).solve(**params).converged
    monkeypatch.setattr(linearized_kd, "_BRACKET_DOUBLINGS", 0)
    assert np.isnan(effective_logit(z_t, y, **params)).any()
    assert not LinearizedKD(K, K, z_t, y).solve(**params).converged


def test_newton_stopped_after_one_step_gives_nan_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    from distillab.theory import linearized_kd

    rng = np.random.default_rng(0)
    z_t, y = 3.0 * rng.normal(size=(5, 3)), rng.integers(0, 3, size=5)
    params = {"soft_ratio": 0.4, "temperature": 3.0, "variant": "hinton"}
    assert np.isfinite(effective_logit_multiclass(z_t, y, **params)).all()
    monkeypatch.setattr(linearized_kd, "_NEWTON_STEPS", 1)
    assert np.isnan(effective_logit_multiclass(z_t, y, **params)).all(axis=1).any()


@pytest.mark.parametrize(
    ("over", "values", "fixed"),
    [
        ("soft_ratio", [0.1, 0.5, 1.0], {"temperature": 3.0}),
        ("temperature", [0.5, 2.0], {"soft_ratio": 0.4}),
    ],
)
@pytest.mark.parametrize("variant", ["mixed-target", "hinton"])
def test_curve_equals_one_solve_per_value(over, values, fixed, variant) -> None:
    X = unit_sphere(15, 4, seed=2)
    X_test = unit_sphere(6, 4, seed=3)
    rng = np.random.default_rng(0)
    z_t = 2.0 * rng.standard_normal(15)
    y = (rng.random(15) < 0.5).astype(np.float64)
    engine = LinearizedKD(relu_ntk(X, trained="both"), relu_ntk(X_test, X, trained="both"), z_t, y)
    curve = engine.curve(over, values, variant=variant, **fixed)
    parameters = {"soft_ratio": 0.4, "temperature": 1.0, **fixed}
    for k, value in enumerate(values):
        student = engine.solve(variant=variant, **{**parameters, over: value})
        np.testing.assert_allclose(curve.training_logits[k], student.training_logits)
        np.testing.assert_allclose(curve.test_logits[k], student.test_logits, rtol=1e-9)
        assert curve.weight_norm_sq[k] == pytest.approx(student.weight_norm_sq, rel=1e-9)
    assert curve.converged.all() and curve.over == over


def test_curve_rejects_an_unknown_parameter_and_empty_values() -> None:
    K = np.eye(3)
    engine = LinearizedKD(K, K, np.ones(3), np.ones(3))
    with pytest.raises(ConfigError, match="over must be one of"):
        engine.curve("ridge", [1.0])
    with pytest.raises(ConfigError, match="values"):
        engine.curve("temperature", [])

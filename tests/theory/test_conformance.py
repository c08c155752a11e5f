"""Engine conformance: one suite every theory engine must pass (sklearn's check_estimator idea).

Each engine enters through a :class:`Case` of the registry below: how to build it on a small
problem (optionally with the training examples permuted) and query it into named arrays, which
arrays follow the training examples, and which bad settings must raise :class:`ConfigError`
naming the field. The parametrised checks then cover shapes and float64 dtype, determinism,
invariance to permuting the training examples and the bad-setting errors; the documented limits
(t = 0, t → ∞, λ → 0/∞, ρ ∈ {0, 1}, T = 1, where an engine has them) and hypothesis properties
over random settings follow, one engine per check.
"""

from __future__ import annotations

import math
import subprocess
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import distillab.theory as theory
from distillab.errors import ConfigError
from distillab.theory import (
    DeepLinearKD,
    KDSetting,
    KernelKD,
    KernelSelfDistillation,
    LinearizedKD,
    RepeatedRidge,
    RidgelessTarget,
    replica_kd,
)
from distillab.theory.deep_linear_kd import min_norm_map

Outputs = dict[str, np.ndarray]

# One small problem shared by the kernel engines: n = 7 training and 4 test points in d = 3.
_N, _N_TEST, _D = 7, 4, 3
_rng = np.random.default_rng(0)
_X = _rng.standard_normal((_N + _N_TEST, _D))
_X /= np.linalg.norm(_X, axis=1, keepdims=True)
_FEATURES = np.hstack([_X, _X**2, np.ones((_N + _N_TEST, 1))])  # 7 features: Gram has full rank
_K_ALL = _FEATURES @ _FEATURES.T + 0.1 * (_X @ _X.T) ** 2
_GRAM, _CROSS = _K_ALL[:_N, :_N], _K_ALL[_N:, :_N]
_Y = np.array([1.0, -1.0, 1.0, 1.0, -1.0, -1.0, 1.0])
_Z = np.tanh(_Y + 0.7 * _rng.standard_normal(_N))
_U0 = 0.2 * _rng.standard_normal(_N)
_LABELS01 = (_Y > 0).astype(np.float64)
_TIMES = np.array([0.0, 0.5, 3.0, np.inf])
_SQUARE_REPLICA = {
    "noise": 0.5,
    "teacher_loss": "square",
    "teacher_reg": 0.5,
    "student_loss": "kd_sq",
    "student_reg": 0.1,
    "feature_fraction": 0.6,
    "hard_weight": 0.3,
}
_ALPHAS = np.array([0.5, 1.5, 3.0])
_EIGENVALUES = 1.0 / np.arange(1, 31) ** 1.5
_TRUTH = np.arange(1, 31) ** -0.5
_DESIGN = _rng.standard_normal((12, 4)) * np.sqrt(np.linspace(1.0, 2.0, 4))
_THETA = np.array([1.0, -0.5, 0.25, 0.0])
_TARGET_MAP = _rng.standard_normal((2, 5))
_NOISY_INPUTS = _rng.standard_normal((9, 5))
_NOISY_LABELS = _rng.standard_normal((9, 2))


def _take(perm: np.ndarray | None, size: int) -> np.ndarray:
    return np.arange(size) if perm is None else perm


@dataclass(frozen=True)
class Case:
    """One engine as the suite sees it.

    Attributes:
      name: the engine's public name.
      run: perm → named float64 outputs; ``perm`` (or ``None``) reorders the training examples.
      size: the number of training examples ``perm`` permutes.
      shapes: the expected shape of each output.
      follows: output name → the axis that follows the training examples (absent: invariant).
      bad: (field, callable) pairs; each callable must raise ConfigError naming the field.
    """

    name: str
    run: Callable[[np.ndarray | None], Outputs]
    size: int
    shapes: Mapping[str, tuple[int, ...]]
    follows: Mapping[str, int] = field(default_factory=dict)
    bad: tuple[tuple[str, Callable[[], object]], ...] = ()


def _kernel_kd(perm: np.ndarray | None) -> Outputs:
    p = _take(perm, _N)
    engine = KernelKD(_GRAM[np.ix_(p, p)], _Y[p], _Z[p], u0=_U0[p], pi_weight=1.5)
    path = engine.trajectory(_TIMES, ntk_cross=_CROSS[:, p])
    return {
        "train_outputs": path.train_outputs,
        "test_outputs": path.test_outputs,
        "weight_distance": path.weight_distance,
        "limit": path.limit,
    }


def _linearized_kd(perm: np.ndarray | None) -> Outputs:
    p = _take(perm, _N)
    engine = LinearizedKD(_GRAM[np.ix_(p, p)], _CROSS[:, p], 2.0 * _Z[p], _LABELS01[p])
    curve = engine.curve("soft_ratio", [0.2, 0.6, 1.0], temperature=2.0)
    return {
        "training_logits": curve.training_logits,
        "test_logits": curve.test_logits,
        "weight_norm_sq": curve.weight_norm_sq,
    }


def _deep_linear_kd(perm: np.ndarray | None) -> Outputs:
    p = _take(perm, _NOISY_INPUTS.shape[0])
    setting = DeepLinearKD(_TARGET_MAP, input_noise=0.5, label_noise=0.2)
    fitted = min_norm_map(_NOISY_INPUTS[p], _NOISY_LABELS[p])
    return {
        "fitted_risk": np.asarray(setting.risk(fitted)),
        "lmmse_map": setting.lmmse_map(),
        "min_norm_risk": setting.risk_curve([2, 3, 9, 40]).min_norm_risk,
    }


def _replica(perm: np.ndarray | None) -> Outputs:
    # The proportional limit has no finite training set; what may be permuted is the order in
    # which a curve visits its values (the continuation must not change the saddle point).
    p = _take(perm, _ALPHAS.size)
    curve = replica_kd.curve(_SQUARE_REPLICA, "sample_ratio", _ALPHAS[p])
    return {name: getattr(curve, name) for name in ("student_test_error", "agreement", "Q_TS")}


def _self_distillation(perm: np.ndarray | None) -> Outputs:
    p = _take(perm, _N)
    engine = KernelSelfDistillation(_GRAM[np.ix_(p, p)], _Y[p], _CROSS[:, p])
    path = engine.rounds(ridge=0.3, rounds=4, label_weight=0.2)
    return {"train": path.train, "test": path.test, "effective_basis": path.effective_basis}


def _repeated_ridge(perm: np.ndarray | None) -> Outputs:
    p = _take(perm, _DESIGN.shape[0])
    engine = RepeatedRidge(_DESIGN[p])
    optimum = engine.optimum(_THETA, noise=0.3, ridge=0.5, steps=2)
    targets = _DESIGN @ _THETA + np.linspace(-0.2, 0.2, _DESIGN.shape[0])
    estimate = engine.estimate(targets[p], ridge=0.5, imitation=[0.4, 0.7])
    return {"mixing": optimum.mixing, "risk": np.asarray(optimum.risk), "estimate": estimate}


def _ridgeless(perm: np.ndarray | None) -> Outputs:
    # Its "examples" are the p features (eigen-directions): relabelling them must not matter.
    p = _take(perm, _EIGENVALUES.size)
    target = RidgelessTarget(_EIGENVALUES[p], n=12)
    truth = _TRUTH[p]
    return {
        "gain": target.gain(),
        "risk": np.asarray(target.risk(target.optimal_surrogate(truth), truth, noise=0.1)),
        "kappa": np.asarray(target.kappa),
    }


def _replica_point(**override: object) -> object:
    return replica_kd.solve({**_SQUARE_REPLICA, "sample_ratio": 2.0}, **override)


CASES: tuple[Case, ...] = (
    Case(
        "KernelKD",
        _kernel_kd,
        _N,
        {
            "train_outputs": (_TIMES.size, _N),
            "test_outputs": (_TIMES.size, _N_TEST),
            "weight_distance": (_TIMES.size,),
            "limit": (_N,),
        },
        {"train_outputs": 1, "limit": 0},
        (
            ("pi_weight", lambda: KernelKD(_GRAM, _Y, _Z, pi_weight=-1.0)),
            ("objective", lambda: KernelKD(_GRAM, _Y, _Z, objective="weights")),
            ("normalization", lambda: KernelKD(_GRAM, _Y, _Z, normalization="mean")),
            ("ntk_gram", lambda: KernelKD(_GRAM[:, :-1], _Y, _Z)),
            ("times", lambda: KernelKD(_GRAM, _Y, _Z).outputs(-1.0)),
            ("lr", lambda: KernelKD(_GRAM, _Y, _Z).outputs(3, lr=0.0)),
        ),
    ),
    Case(
        "LinearizedKD",
        _linearized_kd,
        _N,
        {"training_logits": (3, _N), "test_logits": (3, _N_TEST), "weight_norm_sq": (3,)},
        {"training_logits": 1},
        (
            (
                "soft_ratio",
                lambda: LinearizedKD(_GRAM, _CROSS, _Z, _LABELS01).solve(
                    soft_ratio=1.5, temperature=1.0
                ),
            ),
            (
                "temperature",
                lambda: LinearizedKD(_GRAM, _CROSS, _Z, _LABELS01).solve(
                    soft_ratio=0.5, temperature=0.0
                ),
            ),
            (
                "variant",
                lambda: LinearizedKD(_GRAM, _CROSS, _Z, _LABELS01).solve(
                    soft_ratio=0.5,
                    temperature=1.0,
                    variant="soft",  # type: ignore[arg-type]
                ),
            ),
            ("over", lambda: LinearizedKD(_GRAM, _CROSS, _Z, _LABELS01).curve("ridge", [1.0])),
            ("ridge", lambda: LinearizedKD(_GRAM, _CROSS, _Z, _LABELS01, ridge=-1.0)),
            ("ntk_cross", lambda: LinearizedKD(_GRAM, _CROSS[:, :-1], _Z, _LABELS01)),
        ),
    ),
    Case(
        "DeepLinearKD",
        _deep_linear_kd,
        _NOISY_INPUTS.shape[0],
        {"fitted_risk": (), "lmmse_map": (2, 5), "min_norm_risk": (4,)},
        {},
        (
            ("input_noise", lambda: DeepLinearKD(_TARGET_MAP, input_noise=-0.1)),
            ("label_noise", lambda: DeepLinearKD(_TARGET_MAP, 0.1, label_noise=math.nan)),
            ("target_map", lambda: DeepLinearKD(np.ones(3), input_noise=0.1)),
            ("input_cov", lambda: DeepLinearKD(_TARGET_MAP, 0.1, input_cov=-np.eye(5))),
            ("sample_sizes", lambda: DeepLinearKD(_TARGET_MAP, 0.1).risk_curve([0, 3])),
        ),
    ),
    Case(
        "replica_kd",
        _replica,
        _ALPHAS.size,
        {"student_test_error": (3,), "agreement": (3,), "Q_TS": (3,)},
        {"student_test_error": 0, "agreement": 0, "Q_TS": 0},
        (
            ("sample_ratio", lambda: _replica_point(sample_ratio=-1.0)),
            ("feature_fraction", lambda: _replica_point(feature_fraction=1.5)),
            ("hard_weight", lambda: _replica_point(hard_weight=2.0)),
            ("temperature", lambda: _replica_point(temperature=0.0)),
            ("student_loss", lambda: _replica_point(student_loss="mse")),
            ("ridge", lambda: _replica_point(ridge=1.0)),
            ("over", lambda: replica_kd.curve(_SQUARE_REPLICA, "student_loss", [1.0])),
        ),
    ),
    Case(
        "KernelSelfDistillation",
        _self_distillation,
        _N,
        {"train": (4, _N), "test": (4, _N_TEST), "effective_basis": (4,)},
        {"train": 1},
        (
            ("ridge", lambda: KernelSelfDistillation(_GRAM, _Y).rounds(0.0, 2)),
            ("label_weight", lambda: KernelSelfDistillation(_GRAM, _Y).rounds(0.1, 2, 1.5)),
            ("rounds", lambda: KernelSelfDistillation(_GRAM, _Y).rounds(0.1, 0)),
            ("gram", lambda: KernelSelfDistillation(_GRAM[:, :-1], _Y)),
            ("labels", lambda: KernelSelfDistillation(_GRAM, _Y[:-1])),
        ),
    ),
    Case(
        "RepeatedRidge",
        _repeated_ridge,
        _DESIGN.shape[0],
        {"mixing": (3,), "risk": (), "estimate": (4,)},
        {},
        (
            ("design", lambda: RepeatedRidge(np.ones((3, 5)))),
            (
                "ridge",
                lambda: RepeatedRidge(_DESIGN).risk(_THETA, noise=0.1, ridge=0.0, imitation=[]),
            ),
            (
                "steps",
                lambda: RepeatedRidge(_DESIGN).optimum(_THETA, noise=0.1, ridge=1.0, steps=-1),
            ),
        ),
    ),
    Case(
        "RidgelessTarget",
        _ridgeless,
        _EIGENVALUES.size,
        {"gain": (_EIGENVALUES.size,), "risk": (), "kappa": ()},
        {"gain": 0},
        (
            ("n", lambda: RidgelessTarget(_EIGENVALUES, n=_EIGENVALUES.size)),
            ("eigenvalues", lambda: RidgelessTarget(-_EIGENVALUES, n=3)),
            ("noise", lambda: RidgelessTarget(_EIGENVALUES, n=3).risk(_TRUTH, _TRUTH, noise=-1.0)),
        ),
    ),
)
_IDS = [case.name for case in CASES]


def test_every_public_engine_has_a_case() -> None:
    engines = {"KernelKD", "LinearizedKD", "DeepLinearKD", "replica_kd", "RidgelessTarget"}
    engines |= {"KernelSelfDistillation", "RepeatedRidge"}
    assert engines <= set(theory.__all__)
    assert {case.name for case in CASES} == engines


@pytest.mark.parametrize("case", CASES, ids=_IDS)
def test_outputs_have_the_documented_shapes_and_are_float64(case: Case) -> None:
    outputs = case.run(None)
    assert set(outputs) == set(case.shapes)
    for name, value in outputs.items():
        assert value.shape == case.shapes[name], name
        assert value.dtype == np.float64, name


@pytest.mark.parametrize("case", CASES, ids=_IDS)
def test_the_same_setting_gives_the_same_numbers(case: Case) -> None:
    first, second = case.run(None), case.run(None)
    for name in first:
        np.testing.assert_array_equal(first[name], second[name], err_msg=name)


@pytest.mark.parametrize("case", CASES, ids=_IDS)
def test_permuting_the_training_examples_permutes_only_what_follows_them(case: Case) -> None:
    perm = np.random.default_rng(3).permutation(case.size)
    assert not np.array_equal(perm, np.arange(case.size))
    plain, permuted = case.run(None), case.run(perm)
    for name, value in plain.items():
        expected = np.take(value, perm, axis=case.follows[name]) if name in case.follows else value
        np.testing.assert_allclose(permuted[name], expected, rtol=1e-7, atol=1e-10, err_msg=name)


@pytest.mark.parametrize(
    ("case", "field_name", "build"),
    [(case, name, build) for case in CASES for name, build in case.bad],
    ids=[f"{case.name}-{name}" for case in CASES for name, _ in case.bad],
)
def test_a_bad_setting_is_a_config_error_naming_the_field(
    case: Case, field_name: str, build: Callable[[], object]
) -> None:
    with pytest.raises(ConfigError, match=field_name) as error:
        build()
    message = str(error.value)
    assert message.endswith(".") and "\n" not in message, message


# Documented limits, engine by engine.


def test_kernel_kd_time_limits() -> None:
    f0 = np.linspace(-0.3, 0.3, _N_TEST)
    path = KernelKD(_GRAM, _Y, _Z, u0=_U0, pi_weight=1.5).trajectory(
        [0.0, 1e6, np.inf], ntk_cross=_CROSS, f0=f0
    )
    np.testing.assert_allclose(path.train_outputs[0], _U0, atol=1e-12)  # t = 0: u(0)
    np.testing.assert_allclose(path.test_outputs[0], f0, atol=1e-12)  # and f_0
    assert path.weight_distance[0] == 0.0
    np.testing.assert_allclose(path.train_outputs[-1], (_Y + 1.5 * _Z) / 2.5, atol=1e-12)
    np.testing.assert_allclose(path.train_outputs[1], path.train_outputs[-1], atol=1e-9)


@pytest.mark.parametrize("objective", ["output", "rkhs"])
def test_kernel_kd_pi_weight_limits(objective: str) -> None:
    # λ → 0: plain training on the labels; λ → ∞: the student copies the teacher.
    plain = KernelKD(_GRAM, _Y, _Z, objective=objective, pi_weight=0.0).limit()
    np.testing.assert_allclose(plain, _Y, atol=1e-10)
    large = KernelKD(_GRAM, _Y, _Z, objective=objective, pi_weight=1e9).limit()
    np.testing.assert_allclose(large, _Z, atol=1e-7)
    pure = KernelKD(_GRAM, _Y, _Z, pi_weight=math.inf, normalization="mixture").limit()
    np.testing.assert_allclose(pure, _Z, atol=1e-12)


def test_linearized_kd_soft_ratio_one_copies_the_teacher_at_any_temperature() -> None:
    engine = LinearizedKD(_GRAM, _CROSS, 2.0 * _Z, _LABELS01)
    for variant in ("mixed-target", "hinton"):
        curve = engine.curve("temperature", [0.5, 1.0, 4.0], soft_ratio=1.0, variant=variant)
        np.testing.assert_allclose(curve.training_logits, np.tile(2.0 * _Z, (3, 1)), atol=1e-12)


def test_linearized_kd_soft_ratio_zero_is_the_documented_config_error() -> None:
    with pytest.raises(ConfigError, match="soft_ratio = 0"):
        LinearizedKD(_GRAM, _CROSS, _Z, _LABELS01).solve(soft_ratio=0.0, temperature=1.0)


def test_linearized_kd_temperature_one_makes_the_soft_scale_irrelevant() -> None:
    # c_T = T² and c_T = 1 coincide at T = 1.
    engine = LinearizedKD(_GRAM, _CROSS, 2.0 * _Z, _LABELS01)
    scaled, plain = (
        engine.solve(soft_ratio=0.4, temperature=1.0, variant="hinton", soft_scale=scale)
        for scale in ("temperature-squared", "one")
    )
    np.testing.assert_allclose(scaled.test_logits, plain.test_logits, rtol=1e-12)


def test_deep_linear_kd_noise_and_sample_size_limits() -> None:
    clean = DeepLinearKD(_TARGET_MAP, input_noise=0.0)
    np.testing.assert_allclose(clean.lmmse_map(), _TARGET_MAP, atol=1e-12)
    assert clean.lmmse_risk() == pytest.approx(0.0, abs=1e-12)
    noisy = DeepLinearKD(_TARGET_MAP, input_noise=0.7, label_noise=0.3)
    curve = noisy.risk_curve([10, 100, 10**4, 10**7])
    assert np.all(np.diff(curve.excess_risk) < 0)
    assert curve.excess_risk[-1] == pytest.approx(0.0, abs=1e-5)


def test_replica_kd_full_features_and_no_ridge_reproduce_the_teacher() -> None:
    # ρ = 1 (all features), λ_S = 0, soft labels only: the student is the teacher.
    point = {**_SQUARE_REPLICA, "feature_fraction": 1.0, "student_reg": 0.0, "hard_weight": 0.0}
    curve = replica_kd.curve(point, "sample_ratio", [1.5, 3.0])
    np.testing.assert_allclose(curve.student_test_error, curve.teacher_test_error, rtol=1e-10)
    np.testing.assert_allclose(curve.agreement, 1.0, atol=1e-12)


def test_replica_kd_hard_weight_one_is_the_hard_label_student() -> None:
    # η = 1 (soft ratio 0): kd_sq trains on the labels alone, i.e. hard_sq.
    soft = _replica_point(hard_weight=1.0)
    hard = _replica_point(hard_weight=1.0, student_loss="hard_sq")
    assert soft.student_test_error == pytest.approx(hard.student_test_error, rel=1e-12)


def test_self_distillation_round_and_ridge_limits() -> None:
    engine = KernelSelfDistillation(_GRAM, _Y, _CROSS)
    # Many rounds at α > 0 reach the ridge-λ/α fit; α = 1 repeats the first fit every round.
    far = engine.rounds(0.3, 400, label_weight=0.25).train[-1]
    np.testing.assert_allclose(far, engine.limit(0.3, 0.25), atol=1e-10)
    repeat = engine.rounds(0.3, 3, label_weight=1.0).train
    np.testing.assert_allclose(repeat, np.tile(repeat[0], (3, 1)), atol=1e-12)
    # λ → 0 interpolates the labels; λ → ∞ gives the zero function.
    np.testing.assert_allclose(engine.rounds(1e-10, 1).train[0], _Y, atol=1e-6)
    np.testing.assert_allclose(engine.rounds(1e12, 2).train, 0.0, atol=1e-9)


def test_repeated_ridge_ridge_limits() -> None:
    engine = RepeatedRidge(_DESIGN)
    n, d = _DESIGN.shape
    # λ → 0: least squares, whose fixed-design risk is dσ²/n; λ → ∞: θ = 0, risk θ*ᵀΣ̂θ*.
    ols = engine.risk(_THETA, noise=0.3, ridge=1e-10, imitation=[])
    assert ols == pytest.approx(d * 0.09 / n, rel=1e-6)
    null = engine.risk(_THETA, noise=0.3, ridge=1e12, imitation=[])
    assert null == pytest.approx(_THETA @ (_DESIGN.T @ _DESIGN / n) @ _THETA, rel=1e-6)


def test_ridgeless_target_null_surrogate_and_noise() -> None:
    target = RidgelessTarget(_EIGENVALUES, n=12)
    null = target.risk(np.zeros_like(_TRUTH), _TRUTH)
    assert null == pytest.approx(float(_EIGENVALUES @ _TRUTH**2), rel=1e-12)
    noisy = target.risk(_TRUTH, _TRUTH, noise=0.5) - target.risk(_TRUTH, _TRUTH)
    assert noisy == pytest.approx(0.5 * target.variance_factor, rel=1e-12)


# Properties over random settings.


@settings(max_examples=15, deadline=None)
@given(
    lam=st.floats(0.0, 50.0),
    times=st.lists(st.floats(0.0, 20.0), min_size=2, max_size=5).map(sorted),
    objective=st.sampled_from(["output", "rkhs"]),
)
def test_kernel_kd_flow_approaches_its_limit_monotonically(
    lam: float, times: list[float], objective: str
) -> None:
    engine = KernelKD(_GRAM, _Y, _Z, u0=_U0, objective=objective, pi_weight=lam)
    gap = np.linalg.norm(engine.outputs(times) - engine.limit(), axis=1)
    assert np.all(np.diff(gap) <= 1e-12 * (1.0 + gap[:-1]))


@settings(max_examples=15, deadline=None)
@given(soft_ratio=st.floats(0.01, 1.0), temperature=st.floats(0.1, 10.0))
def test_linearized_kd_student_keeps_the_sign_of_a_teacher_that_agrees_with_the_label(
    soft_ratio: float, temperature: float
) -> None:
    agree = np.sign(_Z) == _Y
    engine = LinearizedKD(_GRAM, _CROSS, _Z, _LABELS01)
    g = engine.solve(soft_ratio=soft_ratio, temperature=temperature).training_logits
    assert np.all(np.sign(g[agree]) == _Y[agree])
    assert np.all(np.abs(g[agree]) >= np.abs(_Z[agree]) - 1e-9)


@settings(max_examples=15, deadline=None)
@given(sample_ratio=st.floats(0.3, 8.0), hard_weight=st.floats(0.0, 1.0))
def test_replica_kd_errors_never_beat_the_bayes_limits(
    sample_ratio: float, hard_weight: float
) -> None:
    result = _replica_point(sample_ratio=sample_ratio, hard_weight=hard_weight)
    assert result.converged
    assert result.teacher_test_error >= result.bayes_error - 1e-12
    assert result.student_test_error >= result.student_bayes_error - 1e-12


@settings(max_examples=15, deadline=None)
@given(ridge=st.floats(1e-3, 1e2), label_weight=st.floats(0.0, 1.0), rounds=st.integers(1, 6))
def test_self_distillation_closed_form_equals_the_recursion(
    ridge: float, label_weight: float, rounds: int
) -> None:
    engine = KernelSelfDistillation(_GRAM, _Y)
    recursion = engine.rounds(ridge, rounds, label_weight).train[-1]
    np.testing.assert_allclose(
        engine.closed_form(ridge, rounds, label_weight), recursion, rtol=1e-9, atol=1e-12
    )


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**16), scale=st.floats(0.01, 3.0))
def test_optimal_maps_and_surrogates_beat_random_ones(seed: int, scale: float) -> None:
    rng = np.random.default_rng(seed)
    setting = DeepLinearKD(_TARGET_MAP, input_noise=0.6)
    other = setting.lmmse_map() + scale * rng.standard_normal(_TARGET_MAP.shape)
    assert setting.lmmse_risk() <= float(setting.risk(other))
    target = RidgelessTarget(_EIGENVALUES, n=12)
    surrogate = _TRUTH * (1.0 + scale * rng.standard_normal(_TRUTH.size))
    best = target.risk(target.optimal_surrogate(_TRUTH), _TRUTH)
    assert best <= target.risk(surrogate, _TRUTH) + 1e-12


@settings(max_examples=25, deadline=None)
@given(
    name=st.sampled_from(["sample_ratio", "noise", "feature_fraction", "hard_weight"]),
    value=st.one_of(st.floats(max_value=0.0), st.floats(min_value=1.0 + 1e-9), st.just(math.nan)),
)
def test_replica_setting_out_of_range_names_its_field(name: str, value: float) -> None:
    valid = {"feature_fraction": 0.0 < value <= 1.0, "hard_weight": 0.0 <= value <= 1.0}
    if valid.get(name, value > 0.0 and math.isfinite(value)):
        return
    fields = {**_SQUARE_REPLICA, "sample_ratio": 2.0, name: value}
    with pytest.raises(ConfigError, match=name):
        KDSetting(**fields)


def test_importing_the_theory_package_loads_no_torch() -> None:
    code = "import sys, distillab.theory; print(sorted(m for m in sys.modules if 'torch' in m))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]", done.stdout

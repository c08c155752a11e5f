"""The replica-KD engine: closed form = iterative solver, the identities of model §3, Bayes limits.

Tolerances: 1e-6 for every identity and for closed form vs iterative solver (model §6 items 2–3);
the solver stops at a relative change of 1e-9 and the square-loss quadrature is exact.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import brentq
from scipy.stats import multivariate_normal, norm

from distillab.errors import ConfigError
from distillab.theory.replica_kd import (
    KDSetting,
    ReplicaKDCurve,
    SolverOptions,
    StudentOverlaps,
    TeacherOverlaps,
    agreement,
    bayes_error,
    curve,
    gaussian_tail,
    generalization_error,
    ridge_susceptibility,
    setting_of,
    solve,
    solve_curve,
    student_bayes_error,
)
from distillab.theory.replica_kd.channels import StudentChannel, TeacherChannel
from distillab.theory.replica_kd.quadrature import gaussian_nodes, gaussian_tensor_nodes

ORDER_PARAMETERS = ("m_T", "Q_T", "V_T", "m_S", "Q_S", "V_S", "Q_TS", "V_ST")
ERRORS = (
    "teacher_test_error",
    "student_test_error",
    "teacher_train_error",
    "student_train_error",
    "agreement",
)
ITERATIVE = SolverOptions(method="iterative")


def _base(**overrides: float | str) -> dict:
    params = {
        "sample_ratio": 2.0,
        "noise": 1.0,
        "teacher_loss": "square",
        "teacher_reg": 1.0,
        "student_loss": "kd_sq",
        "student_reg": 0.0,
        "feature_fraction": 0.5,
    }
    params.update(overrides)
    return params


def _close(a: object, b: object, keys: tuple[str, ...], tolerance: float = 1e-6) -> None:
    for key in keys:
        x, y = getattr(a, key), getattr(b, key)
        assert abs(x - y) <= tolerance * max(1.0, abs(y)), (key, x, y)


# --- building blocks --------------------------------------------------------------------------


def test_gauss_hermite_moments_are_exact() -> None:
    xi, w = gaussian_nodes(21)
    assert w.sum() == pytest.approx(1.0, abs=1e-14)
    for power, moment in ((2, 1.0), (4, 3.0), (6, 15.0), (3, 0.0)):
        assert w @ xi**power == pytest.approx(moment, abs=1e-11)
    xi1, xi2, weights = gaussian_tensor_nodes(9)
    assert np.sum(weights * xi1**2 * xi2**2) == pytest.approx(1.0, abs=1e-12)
    assert np.sum(weights * xi1 * xi2) == pytest.approx(0.0, abs=1e-14)


@pytest.mark.parametrize("scale", [1e-2, 1.0, 1e3, 1e5])
@pytest.mark.parametrize("temperature", [0.5, 1.0, 4.0])
def test_student_prox_solves_its_equation_even_at_huge_susceptibility(
    scale: float, temperature: float
) -> None:
    # Plain Newton diverges at V_S ~ 1e3 (model §3); the bisection safeguard keeps every root.
    channel = StudentChannel("kd_ce", 0.3, temperature)
    rng = np.random.default_rng(0)
    base = 5.0 * rng.standard_normal(50)
    h_teacher = 3.0 * rng.standard_normal(50)
    h, converged = channel.prox(base, scale, h_teacher)
    assert converged
    for b, ht, root in zip(base, h_teacher, h, strict=True):

        def g(x: float, b: float = b, ht: float = ht) -> float:
            return x - b - scale * channel.score(np.array(ht), np.array(x))

        reference = brentq(g, b - scale * 10, b + scale * 10, xtol=1e-14, rtol=1e-14)
        assert root == pytest.approx(reference, rel=1e-9, abs=1e-9)


def test_teacher_prox_of_logistic_loss_matches_scalar_root() -> None:
    channel = TeacherChannel("logistic")
    base = np.linspace(-8, 8, 17)
    h, converged = channel.prox(base, 50.0)
    assert converged
    assert np.allclose(h - base - 50.0 * channel.score(h), 0.0, atol=1e-9)


def test_gaussian_tail_and_bayes_errors_have_their_closed_forms() -> None:
    assert gaussian_tail(0.0) == 0.5
    assert gaussian_tail(1.3) == pytest.approx(norm.sf(1.3), rel=1e-14)
    assert bayes_error(1.0, 1.0) == pytest.approx(norm.sf(math.sqrt(0.5)), rel=1e-14)
    # The Hebbian estimator (m = α, Q = α² + αΔ) attains ε_BO.
    for alpha, delta in ((0.3, 1.0), (2.0, 0.5), (7.0, 2.0)):
        hebbian = generalization_error(alpha, alpha**2 + alpha * delta, delta)
        assert hebbian == pytest.approx(bayes_error(alpha, delta), rel=1e-12)
        # The student's limit is the full problem at α/ρ, Δ/ρ.
        rho = 0.4
        assert student_bayes_error(alpha, delta, rho) == pytest.approx(
            bayes_error(alpha / rho, delta / rho), rel=1e-12
        )


def test_agreement_is_the_bivariate_normal_orthant_probability() -> None:
    teacher = TeacherOverlaps(0.4, 0.3, math.nan)
    student = StudentOverlaps(0.25, 0.35, math.nan, 0.2, math.nan)
    delta = 1.3
    cov = delta * np.array([[teacher.Q, student.Q_TS], [student.Q_TS, student.Q]])
    mean = np.array([teacher.m, student.m])
    both_negative = multivariate_normal(mean, cov).cdf([0.0, 0.0])
    both_positive = multivariate_normal(-mean, cov).cdf([0.0, 0.0])
    assert agreement(teacher, student, delta) == pytest.approx(
        both_negative + both_positive, abs=1e-6
    )


def test_ridge_susceptibility_limits() -> None:
    # λ → 0: ρ/(Δ(α−ρ)) above the peak, ∞ below it (no finite minimiser).
    assert ridge_susceptibility(2.0, 1.5, 0.0, 0.5) == pytest.approx(0.5 / (1.5 * 1.5))
    assert ridge_susceptibility(0.3, 1.0, 0.0, 0.5) == math.inf
    # λ → ∞: V → ρ/λ.
    assert ridge_susceptibility(2.0, 1.0, 1e9, 0.5) == pytest.approx(0.5e-9, rel=1e-6)


# --- closed form vs iterative solver (model §6 item 2) -----------------------------------------


@pytest.mark.parametrize(
    "overrides",
    [
        {},
        {"sample_ratio": 0.3, "student_reg": 1e-3},
        {"sample_ratio": 0.9, "teacher_reg": 0.05, "student_reg": 0.2, "hard_weight": 0.4},
        {"sample_ratio": 5.0, "teacher_reg": 10.0, "feature_fraction": 0.8, "noise": 0.5},
        {"sample_ratio": 1.2, "student_loss": "hard_sq", "student_reg": 0.1},
        {"sample_ratio": 3.0, "feature_fraction": 1.0, "noise": 2.0, "hard_weight": 0.7},
    ],
)
def test_closed_form_and_iterative_solver_agree(overrides: dict) -> None:
    closed = solve(**_base(**overrides), options=SolverOptions(method="closed_form"))
    iterative = solve(**_base(**overrides), options=ITERATIVE)
    assert closed.status == iterative.status == "converged"
    assert closed.method == "closed_form" and iterative.method == "iterative"
    _close(iterative, closed, ORDER_PARAMETERS + ERRORS)


def test_plain_damped_iteration_reaches_the_same_saddle_point() -> None:
    params = _base(teacher_loss="logistic", student_loss="kd_ce", student_reg=1e-4, temperature=2)
    plain = solve(**params, options=SolverOptions(acceleration=0, damping=0.5))
    accelerated = solve(**params)
    assert plain.converged and accelerated.converged
    assert accelerated.iterations < plain.iterations
    _close(plain, accelerated, ORDER_PARAMETERS + ERRORS)


def test_solve_curve_equals_pointwise_solves_with_fewer_iterations() -> None:
    params = _base(teacher_loss="logistic", student_loss="kd_ce", student_reg=1e-4)
    del params["sample_ratio"]
    alphas = [0.6, 0.8, 1.0, 1.3, 1.6]
    curve = solve_curve(alphas, **params)
    points = [solve(sample_ratio=a, **params) for a in alphas]
    for c, p in zip(curve, points, strict=True):
        assert c.converged and p.converged
        _close(c, p, ORDER_PARAMETERS + ERRORS)
    assert sum(c.iterations for c in curve) < sum(p.iterations for p in points)


# --- identities of model §3 (model §6 item 3) ----------------------------------------------------


@pytest.mark.parametrize(
    ("teacher_loss", "student_loss"), [("square", "kd_sq"), ("logistic", "kd_ce")]
)
@pytest.mark.parametrize("method", ["auto", "iterative"])
def test_identity_1_self_distillation_returns_the_teacher(
    teacher_loss: str, student_loss: str, method: str
) -> None:
    # ρ = 1, η = 0, λ_S = 0 above the peak (α > ρ): the student equals the teacher.
    params = _base(teacher_loss=teacher_loss, student_loss=student_loss, feature_fraction=1.0)
    r = solve(**params, options=SolverOptions(method=method))
    assert r.converged
    for key in ("m_S", "Q_S", "Q_TS", "V_ST"):
        partner = {"m_S": r.m_T, "V_ST": r.V_T}.get(key, r.Q_T)
        assert getattr(r, key) == pytest.approx(partner, abs=1e-6), key
    assert r.student_test_error == pytest.approx(r.teacher_test_error, abs=1e-6)
    assert r.student_train_error == pytest.approx(r.teacher_train_error, abs=1e-6)
    assert r.agreement == pytest.approx(1.0, abs=1e-6)


@pytest.mark.parametrize(
    ("teacher_loss", "student_loss"), [("square", "kd_sq"), ("logistic", "kd_ce")]
)
def test_identity_1_below_the_peak_with_vanishing_student_ridge(
    teacher_loss: str, student_loss: str
) -> None:
    # α < ρ = 1 needs λ_S → 0⁺ (1e-9): the minimum-norm interpolant of h_T is the teacher itself.
    # V_ST = V_T holds only for α > ρ: below, the student only sees the teacher's row space and
    # V_ST = V_T − (1 − α)/λ_T (the null-space part of V_T = tr(AᵀA + λ_T)⁻¹/d for ridge).
    teacher_reg = 0.5
    params = _base(
        sample_ratio=0.5,
        teacher_loss=teacher_loss,
        teacher_reg=teacher_reg,
        student_loss=student_loss,
        student_reg=1e-9,
        feature_fraction=1.0,
    )
    r = solve(**params)
    assert r.converged
    assert abs(r.m_S - r.m_T) <= 1e-6
    assert abs(r.Q_S - r.Q_T) <= 1e-6
    assert abs(r.Q_TS - r.Q_T) <= 1e-6
    if teacher_loss == "square":
        assert abs(r.V_ST - (r.V_T - 0.5 / teacher_reg)) <= 1e-6


@pytest.mark.parametrize("sample_ratio", [0.4, 2.0])
def test_identity_2_hard_labels_only_decouple_the_student(sample_ratio: float) -> None:
    # η = 1: V_ST = V̂_ST = 0, and the student is plain ridge/logistic on the hard labels.
    for teacher_loss, student_loss, hard_loss in (
        ("square", "kd_sq", "hard_sq"),
        ("logistic", "kd_ce", "hard_log"),
    ):
        params = _base(
            sample_ratio=sample_ratio,
            teacher_loss=teacher_loss,
            student_loss=student_loss,
            student_reg=0.3,
            hard_weight=1.0,
        )
        kd = solve(**params, options=ITERATIVE)
        assert kd.converged
        assert kd.V_ST == 0.0 and kd.conjugates["V_hat_ST"] == 0.0
        hard = solve(**{**params, "student_loss": hard_loss, "hard_weight": 0.0})
        _close(kd, hard, ORDER_PARAMETERS + ERRORS)
    # With all features a ridge student on hard labels is a second copy of the ridge teacher.
    same = solve(
        **_base(
            sample_ratio=sample_ratio, student_loss="hard_sq", student_reg=1.0, feature_fraction=1.0
        )
    )
    for key in ("m", "Q", "V"):
        assert getattr(same, f"{key}_S") == pytest.approx(getattr(same, f"{key}_T"), abs=1e-12)


@pytest.mark.parametrize("sample_ratio", [0.3, 0.7, 1.5, 3.0])
def test_identity_3_ridgeless_teacher_distils_the_hard_label_student(sample_ratio: float) -> None:
    # λ_T → 0 and λ_S → 0 (1e-10): KD student = least squares on the hard labels, any α.
    params = _base(sample_ratio=sample_ratio, teacher_reg=1e-10, student_reg=1e-10)
    kd = solve(**params)
    hard = solve(**{**params, "student_loss": "hard_sq"})
    _close(kd, hard, ("m_S", "Q_S", "student_test_error", "student_train_error"))
    _close(solve(**params, options=ITERATIVE), hard, ("m_S", "Q_S", "student_test_error"))


@pytest.mark.parametrize("teacher_loss", ["square", "logistic"])
def test_identity_4_infinitely_regularised_teacher_is_bayes_optimal(teacher_loss: str) -> None:
    errors = [
        solve(
            **_base(sample_ratio=1.5, teacher_loss=teacher_loss, teacher_reg=reg)
        ).teacher_test_error
        for reg in (0.1, 1.0, 10.0, 1e7)
    ]
    assert errors == sorted(errors, reverse=True)
    assert errors[-1] == pytest.approx(bayes_error(1.5, 1.0), abs=1e-6)


# --- Bayes bound (model §6 item 4) ---------------------------------------------------------------

STUDENTS = [
    {"teacher_loss": "square", "student_loss": "kd_sq", "student_reg": 1e-6},
    {"teacher_loss": "square", "student_loss": "kd_sq", "student_reg": 1.0, "hard_weight": 0.5},
    {"teacher_loss": "square", "student_loss": "hard_sq", "student_reg": 0.1},
    {"teacher_loss": "square", "student_loss": "kd_ce", "student_reg": 1e-4, "temperature": 3.0},
    {"teacher_loss": "logistic", "student_loss": "kd_ce", "student_reg": 1e-4},
    {"teacher_loss": "logistic", "student_loss": "kd_sq", "student_reg": 0.01},
    {"teacher_loss": "logistic", "student_loss": "hard_log", "student_reg": 0.01},
]


@pytest.mark.parametrize(
    "student", STUDENTS, ids=lambda s: f"{s['teacher_loss']}-{s['student_loss']}"
)
def test_no_student_beats_its_bayes_limit(student: dict) -> None:
    for sample_ratio in (0.2, 0.5, 1.0, 3.0):
        for teacher_reg in (0.01, 1.0, 100.0):
            r = solve(**_base(sample_ratio=sample_ratio, teacher_reg=teacher_reg, **student))
            assert r.converged, r.status
            assert r.student_test_error >= r.student_bayes_error - 1e-12
            assert r.teacher_test_error >= r.bayes_error - 1e-12


def test_hebbian_hard_label_student_attains_the_student_bayes_limit() -> None:
    for sample_ratio in (0.3, 2.0):
        r = solve(**_base(sample_ratio=sample_ratio, student_loss="hard_sq", student_reg=1e8))
        assert r.student_test_error == pytest.approx(r.student_bayes_error, abs=1e-6)


# --- predictions of model §6 (items 5–7) --------------------------------------------------------


def test_inheritance_gaps_reproduce_the_spec_reference_values() -> None:
    # Spec §6.5: square teacher λ_T = 1, ρ = 0.5, Δ = 1; KD student λ_S = 0 vs ridgeless hard.
    for alpha, gap in ((1.0, 0.0169), (2.0, 0.0089), (3.0, 0.0054)):
        kd = solve(**_base(sample_ratio=alpha))
        hard = solve(**_base(sample_ratio=alpha, student_loss="hard_sq"))
        # 1.5e-4: the model quotes 4 decimals; we get 0.00533 at α = 3.
        assert hard.student_test_error - kd.student_test_error == pytest.approx(gap, abs=1.5e-4)
    # Logistic teacher λ_T = 1, kd_ce (τ = 1, λ_S = 1e-4) vs hard_log with λ_S = 0.01.
    logistic = {"teacher_loss": "logistic", "student_loss": "kd_ce", "student_reg": 1e-4}
    for alpha, gap in ((1.0, 0.0043), (2.0, 0.0124), (4.0, 0.0069), (0.3, -0.0161)):
        kd = solve(**_base(sample_ratio=alpha, **logistic))
        hard = solve(
            **_base(
                sample_ratio=alpha, **{**logistic, "student_loss": "hard_log", "student_reg": 0.01}
            )
        )
        assert hard.student_test_error - kd.student_test_error == pytest.approx(gap, abs=1e-4)
    # α ≤ ρ: the ordering flips (KD .3989 > hard .3828 at α = 0.3).
    assert kd.student_test_error == pytest.approx(0.3989, abs=1e-4)
    assert hard.student_test_error == pytest.approx(0.3828, abs=1e-4)


def test_inheritance_beats_ridgeless_hard_labels_above_the_peak() -> None:
    for alpha in (0.8, 1.0, 2.0, 3.0, 5.0):
        hard = [
            solve(**_base(sample_ratio=alpha, student_loss="hard_sq", student_reg=reg))
            for reg in (0.0, 0.01)
        ]
        for teacher_reg in (1.0, 3.0, 10.0):
            kd = solve(**_base(sample_ratio=alpha, teacher_reg=teacher_reg))
            assert kd.student_test_error < min(h.student_test_error for h in hard)
            assert kd.student_test_error > kd.student_bayes_error


def test_teacher_limits_the_student() -> None:
    # Spec §6.6: ε_S(KD) non-increasing in λ_T up to λ_T ≈ 3, then flat within 2e-3, never below
    # ε_BO,S; the teacher alone keeps improving towards ε_BO.
    regs = np.logspace(-2, 3, 41)
    for alpha in (1.0, 2.0):
        results = [solve(**_base(sample_ratio=alpha, teacher_reg=reg)) for reg in regs]
        student = np.array([r.student_test_error for r in results])
        teacher = np.array([r.teacher_test_error for r in results])
        rising = regs <= 3.0
        assert np.all(np.diff(student[rising]) <= 1e-12)
        assert np.ptp(student[regs >= 3.0]) <= 2e-3
        assert np.all(student > results[0].student_bayes_error)
        assert np.all(np.diff(teacher) <= 1e-12)


def test_double_descent_peaks_sit_at_rho_and_at_one() -> None:
    # Spec §6.7: ridgeless (λ = 1e-6) student curves peak at α = ρ ± 0.02, the teacher at α = 1.
    rho = 0.5
    alphas = np.linspace(0.2, 2.0, 361)
    for student_loss, teacher_reg in (("hard_sq", 1.0), ("kd_sq", 1.0), ("kd_sq", 0.1)):
        curve = solve_curve(
            alphas,
            **{
                k: v
                for k, v in _base(
                    teacher_reg=teacher_reg, student_loss=student_loss, student_reg=1e-6
                ).items()
                if k != "sample_ratio"
            },
        )
        errors = [r.student_test_error for r in curve]
        assert abs(alphas[int(np.argmax(errors))] - rho) <= 0.02
    teacher = solve_curve(
        alphas,
        **{
            k: v
            for k, v in _base(teacher_reg=1e-6, student_reg=1e-6).items()
            if k != "sample_ratio"
        },
    )
    peak = alphas[int(np.argmax([r.teacher_test_error for r in teacher]))]
    assert abs(peak - 1.0) <= 0.02


# --- statuses and input validation --------------------------------------------------------------


def test_non_convergence_is_a_status_and_hides_the_errors() -> None:
    # Ridgeless CE student below the peak: no finite minimiser, the iteration cannot settle.
    r = solve(
        **_base(sample_ratio=0.3, teacher_loss="logistic", student_loss="kd_ce"),
        options=SolverOptions(max_iterations=50),
    )
    assert not r.converged and "not converged" in r.status
    assert all(math.isnan(getattr(r, key)) for key in ERRORS)
    infeasible = solve(**_base(sample_ratio=0.4, student_reg=0.0))
    assert infeasible.status.startswith("no finite solution")
    assert math.isnan(infeasible.student_test_error)


def test_as_dict_is_flat_and_json_ready() -> None:
    values = solve(**_base()).as_dict()
    assert values["status"] == "converged"
    assert all(isinstance(v, int | float | str) for v in values.values())
    assert values["student_bayes_error"] < values["student_test_error"]


@settings(max_examples=40, deadline=None)
@given(
    key=st.sampled_from(
        [
            "sample_ratio",
            "noise",
            "teacher_reg",
            "student_reg",
            "feature_fraction",
            "hard_weight",
            "temperature",
            "teacher_loss",
            "student_loss",
        ]
    ),
    value=st.one_of(
        st.floats(max_value=-1e-9),
        st.just(math.nan),
        st.just(math.inf),
        st.just(1.5),
        st.just("hinge"),
    ),
)
def test_invalid_inputs_raise_config_error(key: str, value: object) -> None:
    params = _base()
    params[key] = value
    if (
        key in ("teacher_reg", "student_reg", "sample_ratio", "noise", "temperature")
        and value == 1.5
    ):
        return  # a valid value for these
    with pytest.raises(ConfigError):
        solve(**params)


def test_invalid_options_and_combinations_raise_config_error() -> None:
    with pytest.raises(ConfigError):
        solve(**_base(teacher_loss="logistic"), options=SolverOptions(method="closed_form"))
    with pytest.raises(ConfigError):
        solve(**_base(student_loss="hard_sq", hard_weight=0.5))
    for bad in ({"method": "newton"}, {"damping": 1.0}, {"nodes": 1}, {"acceleration": -1}):
        with pytest.raises(ConfigError):
            SolverOptions(**bad)


# --- numerical edges: extreme ridge λ and forced non-convergence ---------------------------------

_LAMBDAS = np.logspace(-8, 8, 65)


def _closed_form(lt: object, ls: object, a: object, rho: object, eta: object) -> list:
    from distillab.theory.replica_kd import closed_form

    teacher, teacher_hats = closed_form.ridge_teacher(a, 1.0, lt)
    student, _ = closed_form.square_student(
        teacher,
        teacher_hats,
        sample_ratio=a,
        noise=1.0,
        teacher_reg=lt,
        student_reg=ls,
        feature_fraction=rho,
        hard_weight=eta,
    )
    return [
        teacher.m,
        teacher.Q,
        teacher.V,
        student.m,
        student.Q,
        student.V,
        student.Q_TS,
        student.V_ST,
        teacher_hats.m_hat,
        teacher_hats.Q_hat,
    ]


@pytest.mark.parametrize(
    ("sample_ratio", "rho", "eta"), [(0.3, 0.5, 0.0), (2.0, 0.5, 0.4), (5.0, 1.0, 1.0)]
)
def test_closed_form_keeps_its_digits_for_ridge_in_1e_minus8_to_1e8(
    monkeypatch: pytest.MonkeyPatch, sample_ratio: float, rho: float, eta: float
) -> None:
    """Float64 closed form vs the same formulas in 50-digit arithmetic, λ_T and λ_S ∈ [1e-8, 1e8].

    The old form 1 − B_T(1 − m_T) lost 8 digits of m_S, Q_TS, Q_S at λ_T = 1e8; it now agrees
    to 1e-10 everywhere (the ill-conditioning left is ~1e-12 at the interpolation peak).
    """
    import types

    import mpmath

    from distillab.theory.replica_kd import closed_form

    mpmath.mp.dps = 50
    high = types.SimpleNamespace(sqrt=mpmath.sqrt, inf=mpmath.inf)
    for lam in _LAMBDAS[::4]:
        for lt, ls in ((lam, 1.0), (1.0, lam), (lam, lam)):
            values = _closed_form(lt, ls, sample_ratio, rho, eta)
            with monkeypatch.context() as patch:
                patch.setattr(closed_form, "math", high)
                exact = _closed_form(
                    *(mpmath.mpf(float(v)) for v in (lt, ls, sample_ratio, rho, eta))
                )
            for value, reference in zip(values, exact, strict=True):
                assert math.isfinite(value)
                assert value == pytest.approx(float(reference), rel=1e-10, abs=1e-300)


@pytest.mark.parametrize("which", ["teacher_reg", "student_reg"])
def test_closed_form_is_continuous_in_the_ridge(which: str) -> None:
    rows = []
    for lam in _LAMBDAS:
        r = solve(**_base(**{which: float(lam), "hard_weight": 0.3}))
        assert r.status == "converged"
        rows.append([r.Q_T, r.V_T, r.Q_S, r.V_S, r.student_test_error])
    logs = np.log(np.array(rows))
    # Neighbours differ by a factor 10^0.25 in λ; a quantity that scales like λ^±2 moves by
    # |Δ log| ≤ 1.15, so any jump larger than that would be a discontinuity.
    assert np.isfinite(logs).all() and np.abs(np.diff(logs, axis=0)).max() <= 1.2


def test_closed_form_limits_of_a_vanishing_and_an_infinite_ridge() -> None:
    alpha, delta = 2.0, 1.0
    big = 1e8
    teacher = solve(**_base(teacher_reg=big))
    # λ_T → ∞: a ≈ 1/λ_T, m̂_T → α, Q̂_T → αΔ, so λm_T → α, λV_T → 1, λ²Q_T → α² + αΔ.
    assert big * teacher.m_T == pytest.approx(alpha, rel=1e-6)
    assert big * teacher.V_T == pytest.approx(1.0, rel=1e-6)
    assert big**2 * teacher.Q_T == pytest.approx(alpha**2 + alpha * delta, rel=1e-6)
    # λ → 0⁺ at α > 1 (teacher) and α > ρ (student): the ridgeless closed form, to O(λ).
    tiny = solve(**_base(teacher_reg=1e-8, student_reg=1e-8, hard_weight=0.3))
    ridgeless = solve(**_base(teacher_reg=0.0, student_reg=0.0, hard_weight=0.3))
    for name in ORDER_PARAMETERS:
        assert getattr(tiny, name) == pytest.approx(getattr(ridgeless, name), rel=1e-6, abs=1e-12)


@pytest.mark.parametrize("reg", [1e-300, 1e-100, 1e100, 1e300])
def test_absurd_ridge_or_noise_is_a_status_never_a_raw_error(reg: float) -> None:
    for noise in (1e-300, 1.0, 1e30, 1e300):
        for sample_ratio in (0.5, 1.0, 2.0):
            r = solve(
                **_base(teacher_reg=reg, student_reg=reg, noise=noise, sample_ratio=sample_ratio)
            )
            if r.converged:
                assert all(math.isfinite(getattr(r, name)) for name in ORDER_PARAMETERS)
            else:
                assert math.isnan(r.student_test_error)


def test_one_iteration_is_reported_as_not_converged() -> None:
    options = SolverOptions(max_iterations=1)
    r = solve(
        **_base(teacher_loss="logistic", student_loss="kd_ce", student_reg=1e-2), options=options
    )
    assert not r.converged and r.status.startswith("teacher not converged")
    assert r.iterations == 1 and math.isnan(r.student_test_error)


def test_prox_root_finders_report_non_convergence() -> None:
    from distillab.theory.replica_kd.prox import increasing_root

    base = np.linspace(-3.0, 3.0, 7)

    def residual(h: np.ndarray, index: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return h + np.tanh(h) - base[index], 1.0 + 1.0 / np.cosh(h) ** 2

    root, converged = increasing_root(residual, base - 1.0, base + 1.0, np.zeros(7))
    assert converged and np.allclose(root + np.tanh(root), base, atol=1e-12)
    _, converged = increasing_root(residual, base - 1.0, base + 1.0, np.zeros(7), max_iterations=1)
    assert not converged
    channel = TeacherChannel("logistic")
    assert math.isfinite(channel.prox_scalar(0.3, 2.0))
    assert math.isnan(channel.prox_scalar(0.3, 2.0, max_iterations=1))


_CURVE_POINT = {
    "noise": 0.5,
    "teacher_loss": "logistic",
    "teacher_reg": 0.1,
    "student_loss": "kd_ce",
    "student_reg": 0.01,
    "feature_fraction": 0.7,
    "hard_weight": 0.2,
}


@pytest.mark.parametrize(
    ("over", "values", "fixed"),
    [
        ("sample_ratio", [1.0, 1.5, 2.0], {}),
        ("temperature", [0.5, 1.0, 3.0], {"sample_ratio": 2.0}),
    ],
)
def test_curve_matches_pointwise_solves_with_named_arrays(over, values, fixed) -> None:
    setting = {**_CURVE_POINT, **fixed}
    result = curve(setting, over, values)
    assert isinstance(result, ReplicaKDCurve) and result.over == over
    np.testing.assert_array_equal(result.values, values)
    assert result.converged.all() and result.status == ("converged",) * 3
    for k, value in enumerate(values):
        point = solve(setting, **{over: value})
        assert result.student_test_error[k] == pytest.approx(point.student_test_error, abs=1e-7)
        assert result.Q_TS[k] == pytest.approx(point.Q_TS, rel=1e-6)
        assert result.bayes_error[k] == point.bayes_error
    assert result.iterations.dtype == np.int64


def test_curve_accepts_a_setting_and_solve_curve_is_its_alpha_tuple() -> None:
    setting = KDSetting(sample_ratio=1.0, **_CURVE_POINT)
    from_setting = curve(setting, "sample_ratio", [1.0, 2.0])
    from_mapping = curve(_CURVE_POINT, "sample_ratio", [1.0, 2.0])
    np.testing.assert_array_equal(from_setting.Q_S, from_mapping.Q_S)
    assert solve_curve([1.0, 2.0], **_CURVE_POINT) == from_mapping.results
    assert solve(setting) == solve(**{**_CURVE_POINT, "sample_ratio": 1.0})


def test_curve_and_solve_name_a_bad_field() -> None:
    with pytest.raises(ConfigError, match="over must be one of"):
        curve(_CURVE_POINT, "student_loss", [1.0])
    with pytest.raises(ConfigError, match="values"):
        curve(_CURVE_POINT, "sample_ratio", [])
    with pytest.raises(ConfigError, match="unknown setting field"):
        solve(_CURVE_POINT, sample_ratio=1.0, lam=2.0)
    with pytest.raises(ConfigError, match="needs the field"):
        solve(_CURVE_POINT)
    with pytest.raises(ConfigError, match="feature_fraction"):
        curve({**_CURVE_POINT, "sample_ratio": 2.0}, "feature_fraction", [0.5, 1.5])
    assert setting_of(_CURVE_POINT, sample_ratio=3.0).sample_ratio == 3.0

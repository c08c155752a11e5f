"""Study rahbar-2020: trained wide networks against the KernelKD engine (model §5 items 1–14).

Tolerances are the model's where its calibration size is used (marked slow) and our measured ones
at the reduced sizes of the default suite (stated beside each assertion).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from distillab.errors import ConfigError
from distillab.nn import TwoLayerNet
from distillab.studies import Scaling
from distillab.studies.rahbar_2020 import (
    generalization,
    initialization_gap,
    limit_point,
    spectrum,
    speedup,
    trajectory,
)
from distillab.studies.rahbar_2020.limit_point import LimitPoint
from distillab.studies.rahbar_2020.problem import ProblemPoint, load_problem
from distillab.studies.rahbar_2020.teachers import StudentPoint, TeacherPoint, build_teacher
from distillab.theory.kernel_kd import KernelKD
from distillab.train.wide_net import pi_gradient_descent

SPHERE = {"dataset": "sphere", "n": 30, "d": 10, "n_test": 100, "data_seed": 0}


def _problem(**changes):
    return load_problem(ProblemPoint.of({**SPHERE, **changes}))


def _teacher_point(**changes) -> TeacherPoint:
    return TeacherPoint.of({**SPHERE, "width": 512, "teacher_steps": 10, **changes})


def _net(d: int, width: int, seed: int = 0, outputs: int = 1) -> TwoLayerNet:
    return TwoLayerNet(d, width, outputs=outputs, seed=seed, dtype=torch.float64)


def _trajectory_point(n: int, width: int, lam: float, steps: int) -> StudentPoint:
    return StudentPoint.of(
        {
            "dataset": "sphere",
            "n": n,
            "d": 20,
            "n_test": 1,
            "data_seed": 0,
            "label_noise": 0.0,
            "teacher": "smooth",
            "teacher_steps": 10,
            "init_scale": 1.0,
            "lr_scale": 0.3,
            "steps": steps,
            "pi_weight": lam,
            "width": width,
        }
    )


def test_trajectory_follows_the_spectrum_at_reduced_width() -> None:
    values = trajectory.simulate(_trajectory_point(50, 4096, 1.0, 150), seed=0)
    # Spec §5 item 4 at reduced size: max_k ‖u_net − u_theory‖/‖u(0) − u*‖ measured 0.84–1.08%
    # over seeds 0–3 at n = 50, m = 4096 (≈ m^{-1/2}); tolerance 1.5%.
    assert values["deviation"] < 0.015
    # Spec §5 item 6 for finite k: ‖W(K) − W(0)‖_F within 2% (measured 0.2–0.8%).
    assert abs(values["weight_distance"] / values["weight_distance_theory"] - 1) < 0.02
    assert values["distance"][-1] < 0.01 * values["distance"][0]
    # The relaxation line's allowance rests on |mean_k a_k − mean_k b_k| ≤ max_k |a_k − b_k|
    # (triangle inequality) with a_k, b_k the net's and the theory's ‖u(k) − u*‖/‖u(0) − u*‖.
    gap = abs(values["relaxation"] - values["relaxation_theory"])
    assert 0 < gap <= values["deviation"]
    assert 0 < values["relaxation_theory"] < 1


@pytest.mark.slow
@pytest.mark.parametrize("lam", [0.0, 1.0, 4.0])
def test_trajectory_within_one_percent_at_width_16384(lam: float) -> None:
    values = trajectory.simulate(_trajectory_point(100, 16384, lam, 300), seed=0)
    # Spec §5 item 4: ≤ 1% at n = 100 (measured 0.43–0.55%).
    assert values["deviation"] < 0.01


def _limit_point(objective: str, lam: float, width: int) -> LimitPoint:
    return LimitPoint.of(
        {**limit_point._BASE, "objective": objective, "pi_weight": lam, "width": width}
    )


@pytest.mark.parametrize("lam", [0.3, 3.0])
def test_kt_a_limit_and_residual_hold_for_a_trained_network(lam: float) -> None:
    values = limit_point.simulate(_limit_point("output", lam, 1000), seed=0)
    # Spec §5 items 1–2: any over-parameterised student reaching the minimum; tolerance 1e-6
    # (measured ≈ 1e-13).
    assert values["limit_error"] < 1e-6
    assert abs(values["residual_ratio"] / (lam / (1 + lam)) - 1) < 1e-6
    assert values["residual_ratio_theory"] == pytest.approx(lam / (1 + lam), rel=1e-10)
    # u(∞) lies on the segment from y to z: the two ratios add up to one.
    assert values["teacher_ratio_theory"] == pytest.approx(1 / (1 + lam), rel=1e-10)
    assert abs(values["teacher_ratio"] * (1 + lam) - 1) < 1e-6


def test_kt_b_limit_within_one_percent_at_width_5000() -> None:
    values = limit_point.simulate(_limit_point("rkhs", 0.3, 5000), seed=0)
    # Spec §5 item 9: (H + λI)⁻¹(Hy + λz) within 1% at m = 5000 (measured 0.14%).
    assert values["limit_error"] < 0.01


@pytest.mark.parametrize("objective", ["output", "rkhs"])
def test_gradient_descent_diverges_beyond_the_step_the_engine_calls_unstable(objective: str):
    problem = _problem()
    # A network teacher of the student's initialisation (seed 0), as KT-B assumes.
    teacher = build_teacher(problem, _teacher_point(teacher="network", teacher_steps=5), seed=0)
    engine = KernelKD(
        problem.H, problem.y, teacher.z, u0=teacher.u0, objective=objective, pi_weight=2.0
    )
    runs = {}
    for factor in (0.9, 1.1, 2.0):
        lr = factor * engine.max_stable_lr
        assert engine.steps_to(0.1, lr).stable is (factor < 1)
        runs[factor] = pi_gradient_descent(
            _net(10, 512),
            problem.X,
            problem.y,
            teacher.z,
            lr=lr,
            steps=400,
            pi_weight=2.0,
            objective=objective,
            teacher_weights=teacher.weights,
            target=engine.limit(),
            record_steps=range(401),
        )
    stable = runs[0.9].distance_to_target
    # (KT-B's finite-width limit differs from the kernel one by ≈ 0.2% at m = 512.)
    assert runs[0.9].status == "ok" and stable[-1] < 0.01 * stable[0]
    # Spec §5 item 12: beyond η·max rate = 2 the kernel-regime map diverges along the top
    # eigenvector v₁ of H^∞ (factor |1 − 2.2| = 1.2 per step at 1.1×); the network's v₁
    # amplitude grows at first too (measured 1.13× in step 1; it shrinks at 0.9×) ...
    top = engine.spectrum.eigenvectors[:, 0]
    for factor, grows in ((0.9, False), (1.1, True)):
        amplitude = np.abs((runs[factor].train[:2] - engine.limit()) @ top)
        assert bool(amplitude[1] > 1.05 * amplitude[0]) is grows
    # ... but a finite ReLU net can "catapult" back (its kernel shrinks) for η·max rate up to
    # ≈ 3 (measured: 1.3× still converges, 1.6× diverges); at 2× it diverges.
    assert runs[2.0].status == "diverged"


def _converged_network(width: int, seed: int = 0):
    problem = _problem(n=40)
    net = _net(10, width, seed=seed)
    lr = problem.lr(1.0)
    run = pi_gradient_descent(
        net, problem.X, problem.y, problem.y, lr=lr, steps=600, X_test=problem.X_test
    )
    engine = KernelKD(problem.H, problem.y, problem.y, u0=run.train[0], pi_weight=0.0)
    predicted = engine.predict(problem.h_test, 600, f0=run.test[0], lr=lr)
    error = np.linalg.norm(run.test[-1] - predicted) / np.linalg.norm(run.test[-1])
    c = problem.y - run.train[0]
    distance = np.sqrt(c @ np.linalg.solve(problem.H, c))
    return error, run.weight_distance[-1] / distance - 1


def test_test_predictions_and_weight_distance_at_reduced_width() -> None:
    error, distance_error = _converged_network(4096)
    # Spec §5 item 5 (3% at m ≥ 10⁴): measured 3.3% at m = 4096, κ = 1; tolerance 5%.
    assert error < 0.05
    # Spec §5 item 6: ‖W(∞) − W(0)‖_F vs sqrt(cᵀH⁻¹c) within 2%.
    assert abs(distance_error) < 0.02


@pytest.mark.slow
def test_test_predictions_within_three_percent_at_width_16384() -> None:
    error, distance_error = _converged_network(16384)
    assert error < 0.03 and abs(distance_error) < 0.02


def test_lazy_regime_unit_movement_halves_per_fourfold_width_and_does_not_grow_with_lambda():
    problem = _problem(label_noise=0.2)
    teacher = build_teacher(problem, _teacher_point(label_noise=0.2, teacher="smooth"), seed=0)
    lr = problem.lr(0.2)
    movement = {}
    for width in (1024, 4096, 16384):
        for lam in (0.0, 4.0):
            run = pi_gradient_descent(
                _net(10, width), problem.X, problem.y, teacher.z, lr=lr, steps=300, pi_weight=lam
            )
            movement[width, lam] = run.max_unit_movement[-1]
    for lam in (0.0, 4.0):
        # Spec §5 item 11: max_r ‖w_r(k) − w_r(0)‖ halves per 4× width. Measured ratios
        # 2.19/1.79 (λ = 0) and 2.26/1.84 (λ = 4) for 1024→4096→16384 (the maximum of m units
        # and the finite-width excess both bend the m^{-1/2} law a little); we allow [1.5, 2.6].
        for small, large in ((1024, 4096), (4096, 16384)):
            assert 1.5 < movement[small, lam] / movement[large, lam] < 2.6
    for width in (1024, 4096, 16384):
        assert movement[width, 4.0] <= movement[width, 0.0]


def _multi_output_deviation(width: int) -> float:
    problem = _problem(n=40)
    rng = np.random.default_rng(2)
    y = np.where(rng.standard_normal((40, 3)) > 0, 1.0, -1.0)
    z = 0.6 * y + 0.3 * rng.standard_normal((40, 3))
    lr = problem.lr(0.3)
    run = pi_gradient_descent(
        _net(10, width, outputs=3),
        problem.X,
        y,
        z,
        lr=lr,
        steps=200,
        pi_weight=1.0,
        record_steps=range(0, 201, 10),
    )
    engine = KernelKD(problem.H, y, z, u0=run.train[0], pi_weight=1.0)
    deviation = np.linalg.norm(run.train - engine.outputs(run.steps, lr=lr), axis=(1, 2)).max()
    return deviation / np.linalg.norm(run.train[0] - engine.limit())


def test_multi_output_network_follows_the_engine_column_by_column() -> None:
    # Spec §5 item 14 (item 4's tolerance, 1% at m ≈ 2·10⁴): the C columns' cross-kernels add
    # O(m^{-1/2}) noise; measured 1.7–2.1% at m = 4096 (seeds 0–1). Tolerance 3%.
    assert _multi_output_deviation(4096) < 0.03


@pytest.mark.slow
def test_multi_output_network_within_item_4_tolerance_at_width_16384() -> None:
    # Measured 0.86–1.1% (seeds 0–1); tolerance 1.5%.
    assert _multi_output_deviation(16384) < 0.015


def _gap_point(init: str, kappa: float) -> initialization_gap.GapPoint:
    return initialization_gap.GapPoint.of(
        {**initialization_gap._BASE, "student_init": init, "init_scale": kappa}
    )


def test_initialization_gap_zero_when_shared_linear_in_kappa_when_fresh() -> None:
    shared = initialization_gap.simulate(_gap_point("shared", 1.0), seed=0)
    fresh = initialization_gap.simulate(_gap_point("fresh", 1.0), seed=0)
    half = initialization_gap.simulate(_gap_point("fresh", 0.5), seed=0)
    # Spec §5 item 10: shared gap at numerical precision (measured 1e-10 of the teacher's RMS),
    # the teacher's fit remainder z − y propagated by the kernel, as predicted per seed.
    assert shared["gap_relative"] < 1e-6
    assert shared["gap_relative_theory"] < 1e-6
    assert fresh["gap_relative"] > 1e3 * shared["gap_relative"]
    # Fresh: correlation ≥ 0.95 with g_S − g_T (measured 0.996), RMS within 5% (measured 2%).
    assert fresh["correlation"] > 0.95
    # The component along the prediction is the prediction's size (≤ the measured RMS).
    assert abs(fresh["gap_along"] / fresh["gap_rms_theory"] - 1) < 0.05
    assert fresh["gap_along"] <= fresh["gap_rms"] + 1e-15
    assert abs(fresh["gap_rms"] / fresh["gap_rms_theory"] - 1) < 0.05
    # Linear in κ: f₀ ∝ κ exactly (ReLU is homogeneous), the measured gap within 10%.
    assert half["gap_rms_theory"] == pytest.approx(fresh["gap_rms_theory"] / 2, rel=1e-3)
    assert half["gap_rms"] == pytest.approx(fresh["gap_rms"] / 2, rel=0.10)


def test_speedup_theory_smooth_teacher_beats_the_rule_and_nets_follow_it() -> None:
    point = next(
        speedup.FIGURE.point_of(p)
        for p in speedup.FIGURE.grid["quick"]
        if p["dataset"] == "digits" and p["teacher"] == "smooth" and p["pi_weight"] == 4.0
    )
    theory = speedup.theory(point)
    assert theory == speedup.theory(point)
    # Spec §5 item 7 / T4 effect 2: exact count below the (1+λ) rule.
    assert theory["steps_exact"] < 0.5 * theory["steps_rule"] <= theory["steps_bound"]
    values = speedup.simulate(point, seed=0)
    # Measured 0–6% above the exact count for the smooth teacher at λ > 0; tolerance 10%.
    assert abs(values["steps"] / theory["steps_exact"] - 1) < 0.10
    assert values["speedup"] > 1 + point.pi_weight


def test_network_teacher_has_the_kernel_teachers_spectrum() -> None:
    grid = spectrum.FIGURE.grid["quick"]
    point = next(spectrum.FIGURE.point_of(p) for p in grid if p["width"] == spectrum.WIDTH)
    theory, values = spectrum.theory(point), spectrum.simulate(point, seed=0)
    assert theory["top_decile_z"] > 2 * theory["top_decile_y"]
    # Measured within 1%: a 10-step wide-network teacher is the 10-step kernel teacher.
    assert values["top_decile_z"] == pytest.approx(theory["top_decile_z"], rel=0.02)
    assert np.abs(np.subtract(values["cumulative_z"], theory["cumulative_z"])).max() < 0.02


def test_generalization_complexity_falls_with_lambda_and_nets_match_the_test_error() -> None:
    figure = generalization.FIGURE
    points = [figure.point_of(p) for p in figure.grid["quick"] if p["width"] == 2048]
    theories = [generalization.theory(p) for p in points]
    terms = [t["complexity"] for t in theories]
    assert np.all(np.diff(terms) < 0)
    assert all(t["complexity"] <= t["complexity_bound"] + 1e-12 for t in theories)
    assert theories[-1]["test_error_limit"] < theories[0]["test_error_limit"]
    values = generalization.simulate(points[2], seed=0)
    # Measured within 0.016 of the NTK prediction's test error; tolerance 0.03.
    assert abs(values["test_error"] - theories[2]["test_error"]) < 0.03
    assert values["weight_term"] == pytest.approx(theories[2]["weight_term"], rel=0.05)


def test_problems_split_digits_and_flip_the_stated_fraction_of_labels() -> None:
    digits = _problem(dataset="digits", n=100, d=64, n_test=50, data_seed=3)
    assert digits.X.shape == (100, 64) and digits.X_test.shape == (50, 64)
    np.testing.assert_allclose(np.linalg.norm(digits.X, axis=1), 1.0)
    assert digits.spectrum.mu_min > 0
    noisy = _problem(n=50, label_noise=0.2)
    assert np.sum(noisy.y != noisy.y_clean) == 10
    point = _teacher_point(n=50, label_noise=0.2, teacher="noisy-labels", teacher_noise=0.1)
    teacher = build_teacher(noisy, point, seed=0)
    assert np.sum(teacher.z != noisy.y) == 5
    with pytest.raises(ConfigError):
        _problem(dataset="digits", n=300, n_test=100)
    with pytest.raises(ConfigError):
        _teacher_point(teacher="oracle")


def test_problem_kernel_kd_is_the_engine_on_its_gram_labels_and_spectrum() -> None:
    problem = _problem(n=20)
    z = np.tanh(problem.X[:, 0])
    options = {"pi_weight": 2.0, "objective": "rkhs", "u0": 0.1 * problem.y}
    engine = problem.kernel_kd(z, **options)
    explicit = KernelKD(problem.H, problem.y, z, **options)
    assert engine.spectrum is problem.spectrum and engine.normalization == "sum"
    np.testing.assert_allclose(
        engine.outputs(np.array([0.0, 5.0, np.inf]), lr=problem.lr(0.5)),
        explicit.outputs(np.array([0.0, 5.0, np.inf]), lr=problem.lr(0.5)),
    )


@settings(max_examples=30, deadline=None)
@given(
    noise=st.one_of(st.floats(max_value=-1e-6), st.floats(min_value=0.5, max_value=1e6)),
    dataset=st.text(min_size=1, max_size=8).filter(lambda s: s not in ("sphere", "digits")),
)
def test_bad_problem_parameters_are_config_errors(noise: float, dataset: str) -> None:
    with pytest.raises(ConfigError):
        _problem(label_noise=noise)
    with pytest.raises(ConfigError):
        _problem(dataset=dataset)


FIGURES = (limit_point, trajectory, speedup, spectrum, generalization, initialization_gap)


@pytest.mark.parametrize("module", FIGURES, ids=lambda m: m.FIGURE.name)
def test_every_line_is_a_reviewed_rule_on_real_keys(module) -> None:
    figure = module.FIGURE
    for claim in figure.compare:
        assert "unreviewed" not in getattr(claim, "tolerance", claim).reason
        assert "unreviewed" not in claim.scope_reason
        # No comparison against a hard-coded constant, and none of a key with itself from the
        # seed's own data.
        assert claim.theory not in ("zero", "one")
        assert claim.theory_from == "theory" or claim.theory != claim.simulation
    profiles = {profile: figure.grid[profile] for profile in ("quick", "full")}
    for scaling in (c for c in figure.compare if isinstance(c, Scaling)):
        for points in profiles.values():
            sizes = {p[scaling.size] for p in points if scaling.in_scope(figure.point_of(p))}
            assert len(sizes) >= 3, (scaling.label, sizes)
    assert figure.seeds["full"] >= 4


def test_speedup_checks_z_ne_y_and_not_the_step_size_identity() -> None:
    grid = [speedup.FIGURE.point_of(p) for p in speedup.FIGURE.grid["quick"]]
    checked = [p for p in grid if speedup.SPEEDUP.in_scope(p)]
    assert checked and all(p.teacher != "labels" and p.pi_weight > 0 for p in checked)
    # With z = y the objective is (1+λ)·½‖u − y‖²: the exact speed-up is 1+λ up to ceilings,
    # which is why that line is not checked.
    point = next(p for p in grid if p.teacher == "labels" and p.pi_weight == 4.0)
    theory = speedup.theory(point)
    assert theory["speedup_exact"] == pytest.approx(5.0, rel=0.05)
    smooth = speedup.theory(replace(point, teacher="smooth"))
    assert smooth["speedup_exact"] > 1.5 * theory["speedup_exact"]


def test_agreement_line_fails_on_a_wrong_shared_gap_and_passes_on_the_right_one() -> None:
    from distillab.report.agreement import agreement
    from distillab.sweep.store import Row

    claim = next(c for c in initialization_gap.FIGURE.compare if "shared" in c.label)
    params = {**initialization_gap._BASE, "student_init": "shared", "init_scale": 1.0}

    def rows(theory: list[float]) -> list[Row]:
        return [
            Row(
                study="rahbar-2020",
                figure="initialization-gap",
                params=params,
                seed=seed,
                kind="simulation",
                status="ok",
                values={"gap_relative": 2e-8 + 1e-10 * seed, "gap_relative_theory": value},
            )
            for seed, value in enumerate(theory)
        ]

    figure = initialization_gap.FIGURE
    figure = type(figure)(**{**figure.__dict__, "compare": (claim,)})
    assert agreement(figure, rows([2e-8, 2e-8 + 1e-10]))[0].passed
    assert not agreement(figure, rows([1e-6, 1e-6]))[0].passed


@pytest.mark.parametrize(
    "changes",
    [{"width": 0}, {"label_noise": 0.5}, {"teacher": "oracle"}, {"teacher_noise": 1.5}, {"m": 4}],
)
def test_points_reject_values_outside_the_model(changes: dict) -> None:
    with pytest.raises(ConfigError):
        _teacher_point(**{"teacher": "smooth", **changes})


@pytest.mark.parametrize("module", FIGURES, ids=lambda m: m.FIGURE.name)
def test_every_figure_draws_with_no_rows(module) -> None:
    drawing = module.FIGURE.draw([])
    assert len([ax for ax in drawing.axes if ax.get_visible()]) >= 2


def test_speedup_draws_each_data_set_at_its_own_largest_width() -> None:
    from distillab.sweep.store import Row

    rows = [
        Row(
            study="rahbar-2020",
            figure="speedup",
            params={**p, "width": width},
            seed=seed,
            kind="simulation",
            status="ok",
            values={"steps": 10 + seed, "steps_plain": 20, "speedup": 2.0},
        )
        for p in speedup.FIGURE.grid["quick"]
        if p["teacher"] == "smooth" and p["pi_weight"] > 0 and p["width"] == 4096
        for width in ((1024, 65536) if p["dataset"] == "sphere" else (16384,))
        for seed in (0, 1)
    ]
    axes = speedup.FIGURE.draw(rows).axes
    # Row 1: S^9 at m = 65536; row 2: the digits at their only width, 16384 (not S^9's 65536).
    assert "m = 65536" in axes[1].get_title() and "m = 16384" in axes[4].get_title()
    for ax in (axes[1], axes[4]):
        assert ax.containers, ax.get_title()

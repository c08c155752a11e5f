"""Study ji-zhu-2020: the model's predictions at reduced size, fixed seeds, stated tolerances.

P-numbers refer to shared/papers/ji_zhu_wide_kd.md §5. The statistical checks use the figures' own
simulate functions on the reference problem (d = 5, 40-centre RKHS teacher, std z_t = 3).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pytest

from distillab.data.kernel_teacher import ImperfectTeacher, imperfect_teacher, kernel_teacher
from distillab.data.synthetic import unit_sphere
from distillab.errors import ConfigError
from distillab.kernels import relu_ntk
from distillab.studies import registry
from distillab.studies.ji_zhu_2020 import (
    data_inefficiency,
    effective_target,
    finite_width,
    imperfect_teacher_digits,
    perfect_teacher_risk,
    risk_bound,
    temperature,
)
from distillab.studies.ji_zhu_2020 import imperfect_teacher as imperfect_figure
from distillab.studies.ji_zhu_2020.common import (
    REFERENCE,
    TEACHERS,
    TeacherPoint,
    reference_teacher,
)
from distillab.sweep.store import Row
from distillab.theory.linearized_kd import LinearizedKD, effective_logit, weight_norm_growth

SEEDS = range(3)
#: The reference problem with the default teacher of every figure.
BASE = {**REFERENCE, "teacher": "centred"}


def _run(module: Any, kind: str, params: Mapping[str, Any], *seed: int) -> dict[str, Any]:
    """``module``'s theory or simulate (``kind``) at the typed point of ``params``."""
    return dict(getattr(module, kind)(module.FIGURE.point_of(params), *seed))


def _seed_means(module: Any, points: list[dict[str, Any]], seeds: range) -> list[dict[str, float]]:
    """Seed means of every value ``module.simulate`` returns, one dict per point."""
    means = []
    for point in points:
        runs = [_run(module, "simulate", point, seed) for seed in seeds]
        means.append({k: float(np.mean([r[k] for r in runs])) for k in runs[0]})
    return means


def test_study_is_registered_with_every_figure() -> None:
    study = registry()["ji-zhu-2020"]
    names = [f.name for f in study.figures]
    assert names == [
        "effective-target",
        "perfect-teacher-risk",
        "data-inefficiency",
        "risk-bound",
        "imperfect-teacher",
        "imperfect-teacher-digits",
        "temperature",
        "finite-width",
    ]


# --- teachers -----------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(4))
def test_kernel_teacher_is_scaled_centred_and_its_norm_is_exact(seed: int) -> None:
    teacher = kernel_teacher(5, seed=seed, logit_std=3.0)
    z = teacher.logits(unit_sphere(20_000, 5, seed=seed + 10))
    # std fixed on a 4000-point reference sample: a fresh sample agrees to ≈ 2%.
    assert z.std() == pytest.approx(3.0, rel=0.04)
    # Σ a_j = 0 ⇒ E z_t = 0 exactly; the sample mean has s.e. 3/√20000 ≈ 0.02.
    assert abs(z.mean()) < 0.1
    # ‖w_t‖² = aᵀΘ(C, C)a equals the min-norm interpolation of z_t on the centres.
    C = teacher.centres
    engine = LinearizedKD(
        relu_ntk(C, trained="both"),
        np.zeros((1, len(C))),
        teacher.logits(C),
        teacher.labels(C),
        ridge=0.0,
    )
    assert engine.rkhs_norm_sq(teacher.logits(C)) == pytest.approx(teacher.norm_sq, rel=1e-8)


@pytest.mark.parametrize("error", [0.05, 0.1, 0.2])
def test_imperfect_teacher_has_the_requested_error(error: float) -> None:
    teacher = imperfect_teacher(5, teacher_error=error, seed=1)
    # Calibrated on 20000 points; an independent 20000-point sample has s.e. ≤ 0.003.
    assert teacher.teacher_error(unit_sphere(20_000, 5, seed=77)) == pytest.approx(error, abs=0.01)
    X = unit_sphere(100, 5, seed=3)
    perfect = ImperfectTeacher(teacher.teacher, teacher.perturbation_function, 0.0)
    np.testing.assert_array_equal(perfect.labels(X), teacher.teacher.labels(X))


# --- figure 1: effective target -----------------------------------------------------------------


@pytest.mark.parametrize("variant", ["mixed-target", "hinton"])
@pytest.mark.parametrize(("soft_ratio", "temp"), [(0.1, 1.0), (0.5, 4.0), (1.0, 4.0)])
def test_minimiser_of_kd_loss_is_the_effective_logit(
    variant: str, soft_ratio: float, temp: float
) -> None:
    """P1/P4 on free logits: L-BFGS on kd_loss finds g and the jump J to < 1e−5."""
    params = {"variant": variant, "soft_ratio": soft_ratio, "temperature": temp}
    found = _run(effective_target, "simulate", params, 0)
    assert found["max_error"] < 1e-5
    assert found["jump"] == pytest.approx(
        _run(effective_target, "theory", params)["jump"], abs=1e-5
    )


# --- perfect teacher: P7, P8 --------------------------------------------------------------------

_NS = [50, 100, 200, 400, 800]
_RATIOS = [0.1, 0.5, 0.7, 1.0]


@pytest.fixture(scope="module")
def perfect() -> dict[float, dict[str, np.ndarray]]:
    """Seed-mean curves over _NS per soft ratio: {ρ: {"risk": …, "weight_norm_sq": …}}."""
    base = {**BASE, "temperature": 1.0, "test_size": 4000}
    curves = {}
    for rho in _RATIOS:
        means = _seed_means(
            data_inefficiency, [{"n": n, "soft_ratio": rho, **base} for n in _NS], SEEDS
        )
        curves[rho] = {k: np.array([m[k] for m in means]) for k in means[0]}
    return curves


def test_data_inefficiency_orders_the_soft_ratios(perfect: dict[float, Any]) -> None:
    """P7 (3 seeds, reference setting): I < 0.1 for ρ = 1 at n ≥ 200; I > 0.5 for ρ ≤ 0.7 at
    n ≥ 400; ‖Δw‖² decreasing in ρ at every n."""
    growth = {rho: weight_norm_growth(_NS, perfect[rho]["weight_norm_sq"]) for rho in _RATIOS}
    assert np.all(growth[1.0].exponent[growth[1.0].n >= 200] < 0.1)
    for rho in (0.1, 0.5, 0.7):
        assert np.all(growth[rho].exponent[growth[rho].n >= 400] > 0.5)
    norms = np.array([perfect[rho]["weight_norm_sq"] for rho in _RATIOS])
    assert np.all(np.diff(norms, axis=0) < 0)


def test_perfect_teacher_prefers_pure_soft_labels(perfect: dict[float, Any]) -> None:
    """P8 (3 seeds): R(1) < R(ρ < 1) for n ≥ 50; slope of R(1) ≤ −0.8 on [100, 400] (the model's
    [100, 1600] at reduced size: R(1) at n = 800 is ≈ 2e−4, often 0 on 4000 test points);
    slope > −0.5 for ρ ≤ 0.7 on [100, 800]."""
    risks = {rho: perfect[rho]["risk"] for rho in _RATIOS}
    for rho in (0.1, 0.5, 0.7):
        assert np.all(risks[1.0] < risks[rho])
        slope = np.polyfit(np.log(_NS[1:]), np.log(risks[rho][1:]), 1)[0]
        assert slope > -0.5
    assert np.polyfit(np.log(_NS[1:4]), np.log(risks[1.0][1:4]), 1)[0] <= -0.8


def test_network_overlay_follows_the_kernel_student() -> None:
    """The perfect-teacher figure's trained network at n = 25 (ρ = 1): risk within 0.02."""
    params = {
        **BASE,
        "temperature": 1.0,
        "test_size": 4000,
        "n": 25,
        "soft_ratio": 1.0,
        "network_max_n": 25,
        "network_width": 1024,
        "network_steps": 6000,
    }
    values = _run(perfect_teacher_risk, "simulate", params, 0)
    assert abs(values["network_risk"] - values["risk"]) < 0.02
    assert values["network_agreement"] > 0.97


# --- P9: risk bound -----------------------------------------------------------------------------


def test_risk_bound_is_valid_and_decreasing() -> None:
    """P9 (3 seeds): every sign error lies in the bound's region (so risk ≤ bound), on every set;
    seed-mean bound decreasing."""
    base = {**BASE, "test_size": 2000}
    bounds = []
    for n in (25, 100, 400):
        runs = [_run(risk_bound, "simulate", {"n": n, **base}, seed) for seed in SEEDS]
        for run in runs:
            assert run["risk"] == run["risk_inside_bound"]
            assert run["risk"] <= run["bound"] <= run["weight_angle_bound"]
        bounds.append([np.mean([r[k] for r in runs]) for k in ("bound", "weight_angle_bound")])
    assert np.all(np.diff(np.array(bounds), axis=0) < 0)


# --- P10: imperfect teacher ---------------------------------------------------------------------

_IMPERFECT_RATIOS = [0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 1.0]


@pytest.fixture(scope="module")
def imperfect() -> dict[tuple[float, int], np.ndarray]:
    """Seed-mean R_g over _IMPERFECT_RATIOS per (teacher error, n), 4 seeds."""
    base = {**REFERENCE, "temperature": 1.0, "test_size": 2000}
    curves = {}
    for error, n in itertools.product((0.08, 0.17), (25, 50, 200)):
        points = [
            {"teacher_error": error, "n": n, "soft_ratio": r, **base} for r in _IMPERFECT_RATIOS
        ]
        means = _seed_means(imperfect_figure, points, range(4))
        curves[(error, n)] = np.array([m["risk"] for m in means])
    return curves


def test_hard_labels_correct_an_imperfect_teacher(imperfect: dict[tuple[float, int], Any]) -> None:
    """P10 (4 seeds) on the model's n grid (n ≥ 50): R_g(1) within 0.01 of the teacher error and
    R_g(0.5) < R_g(1). At n = 25 with the 8% teacher the two are level (0.106 vs 0.102): there
    the kernel student's own transfer error (≈ 0.05) outweighs the corrections."""
    base = {**REFERENCE, "temperature": 1.0, "test_size": 2000}
    for (error, n), risk in imperfect.items():
        if n < 50:
            continue
        point = {"teacher_error": error, "n": n, "soft_ratio": 1.0, **base}
        teacher = _run(imperfect_figure, "theory", point)["teacher_error"]
        assert abs(risk[-1] - teacher) < 0.01
        assert risk[_IMPERFECT_RATIOS.index(0.5)] < risk[-1]


def test_optimal_soft_ratio_is_interior_at_small_n(imperfect: dict[tuple[float, int], Any]) -> None:
    """P10's U-shape (4 seeds): ρ* ∈ [0.05, 0.5] at n = 25 (17% teacher error) and at n = 50
    (8%). Deviation: the model puts it at n = 50 for λ = 0.6; with our teacher the n = 50, 17%
    curve is flat within noise between ρ = 0.02 and 0.2, so the test uses the clearer cases."""
    for key in ((0.17, 25), (0.08, 50)):
        best = _IMPERFECT_RATIOS[int(np.argmin(imperfect[key]))]
        assert 0.05 <= best <= 0.5
    # And at n = 200 (17%) hard labels win outright: the optimum is the smallest ρ tried.
    assert int(np.argmin(imperfect[(0.17, 200)])) <= 1


def test_digits_teacher_is_weak_and_hard_labels_help() -> None:
    """Real data: the 10-example teacher errs on 3–20% of the digits; at n = 50 (12 splits,
    T = 1) mostly-hard labels beat pure soft labels; ρ = 1 stays within 0.03 of the teacher."""
    base = {
        "positive": 3,
        "negative": 8,
        "teacher_size": 10,
        "teacher_width": 1024,
        "teacher_steps": 200,
        "teacher_seed": 0,
        "temperature": 1.0,
        "n": 50,
    }
    teacher_error = _run(imperfect_teacher_digits, "theory", {**base, "soft_ratio": 1.0})[
        "teacher_error"
    ]
    assert 0.03 < teacher_error < 0.2
    risks = {}
    for rho in (0.05, 1.0):
        point = {**base, "soft_ratio": rho}
        risks[rho] = np.mean(
            [_run(imperfect_teacher_digits, "simulate", point, s)["risk"] for s in range(12)]
        )
    assert risks[0.05] < risks[1.0]
    assert abs(risks[1.0] - teacher_error) < 0.03


# --- P2, P12: temperature -----------------------------------------------------------------------


def test_temperature_hurts_mixed_labels_and_leaves_pure_soft_labels_alone() -> None:
    """P12 (3 seeds, n = 200): for ρ < 1, J, ‖Δw‖² and risk increase with T (T ≤ 8); P2: ρ = 1
    is T-independent to 1e−6 (the large-T law is then exact)."""
    base = {**BASE, "n": 200, "test_size": 2000}
    temps = [1.0, 2.0, 4.0, 8.0]
    for rho in (0.5, 0.9):
        points = [{"soft_ratio": rho, "temperature": t, **base} for t in temps]
        means = _seed_means(temperature, points, SEEDS)
        for key in ("weight_norm_sq", "risk"):
            assert np.all(np.diff([m[key] for m in means]) > 0)
        assert np.all(np.diff([_run(temperature, "theory", p)["jump"] for p in points]) > 0)
    unit = _run(temperature, "simulate", {"soft_ratio": 1.0, "temperature": 1.0, **base}, 0)
    for t in temps:
        run = _run(temperature, "simulate", {"soft_ratio": 1.0, "temperature": t, **base}, 0)
        assert run["weight_norm_sq"] == pytest.approx(unit["weight_norm_sq"], rel=1e-6)
        assert run["weight_norm_sq_large_temperature"] == pytest.approx(
            run["weight_norm_sq"], rel=1e-9
        )


@pytest.mark.parametrize("soft_ratio", [0.5, 0.9])
def test_weight_norm_follows_the_large_temperature_law(soft_ratio: float) -> None:
    """‖Δw‖² = ‖sTL + z_t/(2−ρ)‖²_Θ(1 + O(T⁻²)): the relative error times T² stays below the
    figure's c = 3 and the error falls by ≈ 4 per doubling of T at large T."""
    base = {**BASE, "n": 100, "test_size": 500, "soft_ratio": soft_ratio}
    errors = []
    for t in (16.0, 32.0, 64.0):
        run = _run(temperature, "simulate", {**base, "temperature": t}, 0)
        error = abs(run["weight_norm_sq"] / run["weight_norm_sq_large_temperature"] - 1.0)
        assert error * t**2 < temperature.GROWTH_ALLOWANCE
        errors.append(error)
    assert 3.0 < errors[0] / errors[1] < 5.0
    assert 3.0 < errors[1] / errors[2] < 5.0


def test_large_temperature_law_expands_the_effective_logit() -> None:
    """g_{ρ,T} − (s·T·L + z_t/(2−ρ)) = O(1/T): T times the gap stays bounded as T doubles."""
    z = np.linspace(-6.0, 6.0, 25)
    y = (z > 0).astype(float)
    gaps = []
    for t in (16.0, 32.0, 64.0):
        g = effective_logit(z, y, soft_ratio=0.5, temperature=t, variant="mixed-target")
        gaps.append(np.max(np.abs(g - temperature.large_temperature_logit(z, y, 0.5, t))))
    assert gaps[0] / gaps[1] == pytest.approx(2.0, rel=0.1)
    assert gaps[1] / gaps[2] == pytest.approx(2.0, rel=0.1)


# --- the teacher choice and the agreement rules ---------------------------------------------------


def test_centred_teacher_is_shared_and_per_seed_teachers_are_fresh_and_uncentred() -> None:
    problem = {**REFERENCE, "n": 10, "test_size": 10}
    centred = TeacherPoint.of({**problem, "teacher": "centred"})
    teachers = [reference_teacher(centred, seed) for seed in range(2)]
    assert teachers[0] is teachers[1]
    assert abs(teachers[0].coefficients.sum()) < 1e-9
    per_seed = TeacherPoint.of({**problem, "teacher": "per-seed"})
    fresh = [reference_teacher(per_seed, seed) for seed in range(2)]
    assert not np.array_equal(fresh[0].coefficients, fresh[1].coefficients)
    assert all(abs(t.coefficients.sum()) > 1e-6 for t in fresh)
    assert set(TEACHERS) == {"centred", "per-seed"}
    with pytest.raises(ConfigError, match="teacher must be one of"):
        TeacherPoint.of({**problem, "teacher": "uncentred"})


def test_perfect_teacher_figure_shows_both_teachers_with_the_network_on_the_default() -> None:
    grid = perfect_teacher_risk.FIGURE.grid["quick"]
    assert {p["teacher"] for p in grid} == set(TEACHERS)
    figure = perfect_teacher_risk.FIGURE
    in_scope = [p for p in grid if figure.compare[0].in_scope(figure.point_of(p))]
    assert in_scope and all(p["teacher"] == "centred" for p in in_scope)


def test_every_line_is_pre_registered() -> None:
    """No legacy marker is left, and every line's rule and scope have a reason."""
    for figure in registry()["ji-zhu-2020"].figures:
        assert figure.compare, figure.name
        for claim in figure.compare:
            reason = getattr(claim, "tolerance", claim).reason
            assert "legacy" not in reason and "legacy" not in claim.scope_reason, claim.label


# --- P1, P11: finite width ----------------------------------------------------------------------


def _finite_width_check(
    width: int, n: int, steps: int, temp: float, movement: tuple[float, float]
) -> None:
    params = {
        **BASE,
        "soft_ratio": 0.5,
        "temperature": temp,
        "width": width,
        "n": n,
        "steps": steps,
        "data_seed": 0,
        "test_size": 2000,
    }
    limit = _run(finite_width, "theory", params)
    run = _run(finite_width, "simulate", params, 0)
    # P11: sign agreement with the kernel student ≥ 97% at m ≥ 1024 (measured: 0.993 at
    # m = 1024, n = 40; 0.991 (T = 1) and 0.974 (T = 4) at m = 4096, n = 60).
    assert run["sign_agreement"] >= 0.97
    assert run["logit_correlation"] > 0.99
    # P1 at finite width: training logits within 10% of the logit scale of g (measured ≤ 3%).
    assert run["train_deviation"] <= 0.10
    # Lazy regime: first-layer movement over its m → ∞ prediction lies in ``movement``.
    ratio = run["relative_weight_change"] / limit["relative_weight_change"]
    assert movement[0] < ratio < movement[1]


def test_finite_width_network_agrees_with_the_kernel_student() -> None:
    """P11 and P1 at the CI size of model E6: m = 1024, n = 40, 10⁴ steps (≈ 4 CPU-s).

    The network moves 1.29× the lazy prediction here (1.12× at m = 4096: the excess ∝ m^{-1/2}).
    """
    _finite_width_check(width=1024, n=40, steps=10_000, temp=1.0, movement=(1.0, 1.35))


@pytest.mark.slow
@pytest.mark.parametrize(("temp", "movement"), [(1.0, (1.0, 1.15)), (4.0, (0.85, 1.0))])
def test_finite_width_at_the_spec_size(temp: float, movement: tuple[float, float]) -> None:
    """Spec E6 at m = 4096, n = 60, 2·10⁴ steps (≈ 30 CPU-s each). At T = 4, ρ = 0.5 the target
    is large (J = 8.8) and the first layer moves 39%: beyond the lazy regime the network moves
    *less* than the linearisation predicts (0.90×) and agrees on 97.4% of signs."""
    _finite_width_check(width=4096, n=60, steps=20_000, temp=temp, movement=movement)


# --- drawings -----------------------------------------------------------------------------------

Values = Callable[[Mapping[str, Any], int], dict[str, float]]


def _simulated_rows(module: Any, values: Values, seeds: range = range(3)) -> list[Row]:
    """Rows of every quick grid point: ``values(params, seed)`` as simulation rows (made up,
    cheap; the drawing reads only their numbers)."""
    name = module.FIGURE.name
    return [
        Row("ji-zhu-2020", name, p, seed, "simulation", "ok", values(p, seed))
        for p in module.FIGURE.grid["quick"]
        for seed in seeds
    ]


def _markers(ax: Any, marker: str) -> list[tuple[float, float, str]]:
    """(x, y, colour) of the single-point lines drawn with ``marker``."""
    return [
        (float(line.get_xdata()[0]), float(line.get_ydata()[0]), str(line.get_color()))
        for line in ax.get_lines()
        if line.get_marker() == marker and len(line.get_xdata()) == 1
    ]


def test_imperfect_teacher_stars_the_best_measured_ratio_and_fades_unclaimed_points() -> None:
    # Risk U-shaped in ρ with its minimum at ρ = 0.3 for every n and teacher error.
    rows = _simulated_rows(
        imperfect_figure,
        lambda p, seed: {"risk": 0.1 + (p["soft_ratio"] - 0.3) ** 2 + 1e-3 * seed / p["n"]},
    )
    drawing = imperfect_figure.FIGURE.draw(rows)
    for ax in drawing.axes:
        stars = _markers(ax, "*")
        ns = imperfect_figure._NS["quick"]
        assert sorted(color for _, _, color in stars) == [f"C{i}" for i in range(len(ns))]
        assert all(x == 0.3 for x, _, _ in stars)
        # Only ρ = 1 is claimed (the comparison's scope): the other points are hollow and faded.
        faded = [c for c in ax.containers if c.lines[0].get_markerfacecolor() == "none"]
        assert len(faded) == len(ns)


def test_data_inefficiency_draws_local_exponents_and_the_teacher_norm_once() -> None:
    def values(p: Mapping[str, Any], seed: int) -> dict[str, float]:
        growth = p["n"] ** (1.0 - p["soft_ratio"])  # I(n) = 1 − ρ exactly
        return {"weight_norm_sq": growth, "risk": p["n"] ** -0.5, "teacher_norm_sq": 2.0}

    drawing = data_inefficiency.FIGURE.draw(_simulated_rows(data_inefficiency, values))
    norm, inefficiency, exponent = drawing.axes[:3]
    dashed = [line for line in norm.get_lines() if line.get_linestyle() == "--"]
    assert len(dashed) == 1 and set(dashed[0].get_ydata()) == {2.0}
    ratios = sorted({p["soft_ratio"] for p in data_inefficiency.FIGURE.grid["quick"]})
    for ax, expected in ((inefficiency, lambda rho: 1.0 - rho), (exponent, lambda rho: 0.5)):
        points = [line for line in ax.get_lines() if line.get_marker() == "o"]
        assert [line.get_label() for line in points] == [f"ρ = {rho:g}" for rho in ratios]
        for line, rho in zip(points, ratios, strict=True):
            assert np.allclose(line.get_ydata(), expected(rho))
    labels = [label.get_text() for label in norm.get_xticklabels()]
    assert labels == [
        str(n) for n in sorted({p["n"] for p in data_inefficiency.FIGURE.grid["quick"]})
    ]


def test_finite_width_guide_runs_through_the_widest_network() -> None:
    rows = _simulated_rows(
        finite_width, lambda p, seed: {"test_logit_difference": 4.0 / p["width"] ** 0.5}
    )
    distance = finite_width.FIGURE.draw(rows).axes[1]
    (guide,) = [line for line in distance.get_lines() if line.get_linestyle() == ":"]
    assert np.allclose(guide.get_ydata(), 4.0 / np.asarray(guide.get_xdata()) ** 0.5)
    assert guide.get_label() == r"$\propto m^{-1/2}$ (guide)"

"""The hong-2021 study: model §5 predictions P5–P10 at reduced size (full size: ``-m slow``).

Every number asserted here was measured on this implementation with the seeds used; the model's
calibrated configuration (§4.3) was not available, so the configuration is ours (see
``common.LINEAR_DEFAULTS``). Predictions that fail in our configuration are recorded as
strict xfails with the measured values, so that they are visible and fail loudly if they change.
"""

from __future__ import annotations

import hashlib
import itertools
import subprocess
import sys
import typing
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import torch
from matplotlib.figure import Figure as MplFigure

from distillab.data import mnist_family, write_idx
from distillab.errors import ConfigError
from distillab.report.agreement import agreement
from distillab.studies import registry
from distillab.studies.hong_2021 import (
    decomposition,
    digits_noisy,
    double_descent,
    feature_weight,
    teacher_knowledge,
    zero_loss,
)
from distillab.studies.hong_2021.common import (
    DECOMPOSITIONS,
    LINEAR_DEFAULTS,
    EarlyStoppingPoint,
    LinearPoint,
)
from distillab.studies.hong_2021.digits_noisy import DigitsPoint
from distillab.studies.hong_2021.linear_setup import (
    Student,
    best_error,
    stopping_record_steps,
    train_students,
)
from distillab.sweep.store import Row
from distillab.theory import deep_linear_kd

FIGURES = (zero_loss, double_descent, teacher_knowledge, decomposition, feature_weight)


def _best_ratios(
    students: list[Student],
    *,
    seeds: int,
    replicates: int,
    steps: int = 800,
    rule: str = "every",
    stopping_step: int = 100,
    **changes: float,
) -> dict[str, float]:
    """Seed-pooled mean best risk of each student over the base student's, under ``rule``."""
    params = LinearPoint.of({**LINEAR_DEFAULTS, **changes})
    best: dict[str, list[float]] = {}
    for seed in range(seeds):
        _, results = train_students(
            params,
            seed,
            [Student("base"), *students],
            replicates=replicates,
            steps=steps,
            record_steps=stopping_record_steps(steps, stopping_step),
        )
        for name, result in results.items():
            assert not result.diverged
            assert np.all(result.best_step < steps), "the best step must lie inside the run"
            best.setdefault(name, []).extend(best_error(result, rule, stopping_step).tolist())
    base = np.mean(best["base"])
    return {name: float(np.mean(values) / base) for name, values in best.items()}


def _fitted(name: str, decomposition: str = "task", weight: float = 1.0, samples: int = 2000):
    return Student(name, "fitted", decomposition, weight, samples)


def test_study_is_registered_with_six_figures() -> None:
    study = registry()["hong-2021"]
    assert [f.name for f in study.figures] == [
        "zero-loss",
        "double-descent",
        "teacher-knowledge",
        "decomposition",
        "lambda",
        "digits-noisy",
    ]


def test_p5_a_knowledgeable_task_aligned_teacher_gives_an_early_stopping_gain() -> None:
    """P5: ST best ≤ 0.90 × base best (measured 0.88, 2 seeds × 8 sets) and within 5% of the
    oracle teacher's ST best (measured 0.3%)."""
    ratios = _best_ratios(
        [_fitted("fitted"), Student("oracle", "oracle", "task", 1.0)], seeds=2, replicates=8
    )
    assert ratios["fitted"] <= 0.90
    assert ratios["fitted"] / ratios["oracle"] - 1 < 0.05


def test_p6_the_gain_grows_with_the_teachers_knowledge() -> None:
    """P6: over non-interpolating teachers (N + N_T > d) the ST best falls as the teacher's clean
    error falls, up to ±3% (measured 0.93, 0.91, 0.88 for N_T = 60, 120, 2000)."""
    names = {60: "nt60", 120: "nt120", 2000: "nt2000"}
    ratios = _best_ratios(
        [_fitted(name, samples=n) for n, name in names.items()], seeds=2, replicates=4
    )
    ordered = [ratios[names[n]] for n in sorted(names)]
    assert all(later <= earlier * 1.03 for earlier, later in itertools.pairwise(ordered))
    assert ordered[-1] < ordered[0]


def test_p6_corollary_interpolating_teachers_pass_on_exactly_the_labels() -> None:
    """N + N_T ≤ d: the teacher interpolates the student's samples, so its task features are
    exactly the labels; students of N_T = 0 and of the peak N_T = 20 (clean error ~10⁴) agree."""
    params = LinearPoint.of(LINEAR_DEFAULTS)
    _, results = train_students(
        params,
        0,
        [_fitted("own", samples=0), _fitted("peak", samples=20)],
        replicates=2,
        steps=300,
    )
    assert np.all(results["peak"].teacher_error > 20 * results["own"].teacher_error)
    assert np.allclose(results["own"].test_error, results["peak"].test_error, rtol=1e-6)


def test_p6_own_sample_teacher_speeds_up_early_stopping_instead_of_giving_no_gain() -> None:
    """What the no-knowledge teacher (N_T = 0) does, under both stopping rules (measured with 2
    seeds × 4 sets: 0.955 every step; 1.10 on the 100-step grid). Every step: a ≈5 % gain, its
    best step (≈15) far earlier than base's (≈70). Grid: the ST run is stopped at its
    initialisation (its best step lies before the first grid point), a ≈10 % loss."""
    every = _best_ratios([_fitted("own", samples=0)], seeds=2, replicates=4)
    grid = _best_ratios([_fitted("own", samples=0)], seeds=2, replicates=4, rule="grid")
    assert 0.93 < every["own"] < 0.97
    assert 1.05 < grid["own"] < 1.15


@pytest.mark.xfail(
    strict=True,
    raises=AssertionError,
    reason="model P6 (no gain, |ST/base − 1| < 2 %) fails under both stopping rules: measured "
    "0.955 every step, 1.10 on the 100-step grid",
)
@pytest.mark.parametrize("rule", ["every", "grid"])
def test_p6_a_teacher_fitted_on_the_students_own_samples_gives_no_gain(rule: str) -> None:
    ratios = _best_ratios([_fitted("own", samples=0)], seeds=2, replicates=4, rule=rule)
    assert abs(ratios["own"] - 1) < 0.02


def test_p7_identity_and_random_decompositions_give_no_gain() -> None:
    """P7: |ST best / base best − 1| < 3% (measured 0.995 and 1.016, 2 seeds × 4 sets)."""
    ratios = _best_ratios(
        [_fitted("identity", "identity"), _fitted("random", "random")], seeds=2, replicates=4
    )
    assert abs(ratios["identity"] - 1) < 0.03 and abs(ratios["random"] - 1) < 0.03


@pytest.mark.xfail(
    strict=True,
    raises=AssertionError,
    reason="measured ST/base = 0.97 with every-step stopping for V_1 = [V; 3G/√d] with 10 "
    "irrelevant features (model P7 expects worse than base)",
)
def test_p7_task_plus_irrelevant_features_are_worse_than_base() -> None:
    ratios = _best_ratios([_fitted("mixed", "task-irrelevant")], seeds=2, replicates=4)
    assert ratios["mixed"] > 1


def test_p7_on_the_coarse_grid_every_uninformed_teacher_stops_at_initialisation() -> None:
    """On the 100-step grid the own-sample, identity, random and task+irrelevant teachers give
    the same ratio (≈1.10, their runs stopped at step 0 where every student has R = ‖A‖²/…), so
    "P7 holds on the grid" is an artefact; the oracle teacher still gains (≈0.93)."""
    students = [
        _fitted("own", samples=0),
        _fitted("identity", "identity"),
        _fitted("mixed", "task-irrelevant"),
        Student("oracle", "oracle", "task", 1.0),
    ]
    grid = _best_ratios(students, seeds=2, replicates=4, rule="grid")
    uninformed = [grid[name] for name in ("own", "identity", "mixed")]
    assert max(uninformed) - min(uninformed) < 1e-12
    assert uninformed[0] > 1.05 and grid["oracle"] < 0.97


def test_p8_without_label_noise_no_teacher_helps() -> None:
    """P8 (null): τ = 0, |ST best / base best − 1| < 3% for the task-aligned teacher
    (measured 0.98) and the oracle (0.98)."""
    ratios = _best_ratios(
        [_fitted("fitted"), Student("oracle", "oracle", "task", 1.0)],
        seeds=2,
        replicates=4,
        steps=3000,
        label_noise=0.0,
    )
    assert abs(ratios["fitted"] - 1) < 0.03 and abs(ratios["oracle"] - 1) < 0.03


def test_p9_the_best_risk_does_not_increase_with_the_feature_weight() -> None:
    """P9: task-aligned ST best non-increasing over λ ∈ {0.1, 0.3, 1, 3} up to 2% (measured
    0.944, 0.918, 0.882, 0.852 of base)."""
    weights = (0.1, 0.3, 1.0, 3.0)
    ratios = _best_ratios([_fitted(f"w{w}", weight=w) for w in weights], seeds=2, replicates=4)
    ordered = [ratios[f"w{w}"] for w in weights]
    assert all(later <= earlier * 1.02 for earlier, later in itertools.pairwise(ordered))


def test_p10_digits_poor_teacher_hurts_and_nothing_helps_at_the_end() -> None:
    """P10 at reduced size (σ = 0.3, 2 seeds instead of 5).

    Robust part: the poor teacher's final accuracy ≤ base final − 0.03 (measured −0.04 on
    every seed). The good teacher's final and best accuracies scatter by ±0.02 per seed around
    the base's (5 seeds: +0.008 final, +0.007 best), so with 2 seeds we assert them within
    0.03 (≈2 s.e.); the model's one-sided bounds are checked with 5 seeds (slow test).
    """
    torch.set_num_threads(1)
    params = {**digits_noisy.FIGURE.grid["quick"][0]}
    assert params["input_noise"] == 0.3
    runs = [digits_noisy.simulate(DigitsPoint.of(params), seed) for seed in range(2)]
    mean = {k: np.mean([run[k] for run in runs]) for k in runs[0] if k.endswith("accuracy")}
    assert mean["poor_final_accuracy"] <= mean["base_final_accuracy"] - 0.03
    assert abs(mean["good_final_accuracy"] - mean["base_final_accuracy"]) <= 0.03
    assert mean["good_best_accuracy"] >= mean["base_best_accuracy"] - 0.03
    assert mean["good_teacher_clean_accuracy"] > 0.9 > 0.2 > mean["poor_teacher_clean_accuracy"]
    rows = [
        Row("hong-2021", "digits-noisy", params, seed, "simulation", "ok", run)
        for seed, run in enumerate(runs)
    ]
    assert isinstance(digits_noisy.FIGURE.draw(rows), MplFigure)


@pytest.mark.slow
def test_p10_at_full_size() -> None:
    """P10: σ = 0.3, 5 seeds, 1500 steps, as the model states it."""
    torch.set_num_threads(1)
    params = {**digits_noisy.FIGURE.grid["full"][0]}
    assert params["input_noise"] == 0.3 and params["matched_layers"] == "last"
    runs = [digits_noisy.simulate(DigitsPoint.of(params), seed) for seed in range(5)]
    mean = {key: np.mean([run[key] for run in runs]) for key in runs[0] if key.endswith("accuracy")}
    assert mean["good_final_accuracy"] <= mean["base_final_accuracy"] + 0.01
    assert mean["poor_final_accuracy"] <= mean["base_final_accuracy"] - 0.03
    assert mean["good_best_accuracy"] >= mean["base_best_accuracy"]


@pytest.mark.slow
def test_p5_p9_at_full_size() -> None:
    """P5, P7, P9 with 5 seeds × 8 training sets (the full profile's size)."""
    students = [
        _fitted("task"),
        Student("oracle", "oracle", "task", 1.0),
        _fitted("identity", "identity"),
        _fitted("random", "random"),
        _fitted("w0.1", weight=0.1),
        _fitted("w3", weight=3.0),
    ]
    ratios = _best_ratios(students, seeds=5, replicates=8)
    assert ratios["task"] <= 0.90 and ratios["task"] / ratios["oracle"] - 1 < 0.05
    assert abs(ratios["identity"] - 1) < 0.03 and abs(ratios["random"] - 1) < 0.03
    assert ratios["w0.1"] >= ratios["task"] >= ratios["w3"]


def _rows(figure_module, params: dict, seeds: int) -> list[Row]:
    figure = figure_module.FIGURE
    point = figure.point_of(params)
    rows = []
    if figure.theory is not None:
        values = figure.theory(point)
        rows.append(Row("hong-2021", figure.name, params, None, "theory", "ok", values))
    for seed in range(seeds):
        values = figure.simulate(point, seed)
        rows.append(Row("hong-2021", figure.name, params, seed, "simulation", "ok", values))
    return rows


@pytest.mark.parametrize("module", FIGURES, ids=lambda m: m.FIGURE.name)
def test_each_linear_figure_simulates_compares_and_plots_at_tiny_size(module) -> None:
    """Every figure runs end to end at a tiny size and its agreement lines find their keys."""
    params = {**module.FIGURE.grid["quick"][0], "replicates": 1, "steps": 60}
    if "draws" in params:
        params["draws"] = 20
    rows = _rows(module, params, seeds=2)
    drawing = module.FIGURE.draw(rows)
    assert isinstance(drawing, MplFigure) and drawing.axes
    wanted = {c.simulation for c in module.FIGURE.compare}
    wanted |= {c.theory for c in module.FIGURE.compare if c.theory_from == "seed"}
    assert wanted <= set(rows[-1].values)
    for line in agreement(module.FIGURE, rows):
        if line.points_in_scope:
            assert np.isfinite(line.max_error)
        else:
            assert not line.passed  # a line with no point in scope fails, it does not vanish


def test_no_hong_comparison_reads_a_hard_coded_constant_or_a_legacy_rule() -> None:
    for module in FIGURES:
        for claim in module.FIGURE.compare:
            assert "legacy" not in getattr(claim, "tolerance", claim).reason
            assert "legacy" not in claim.scope_reason
            assert claim.theory not in {"no_gain_ratio", "zero", "one"}
            assert claim.theory != claim.simulation or claim.theory_from == "theory"


def test_stopping_rules_read_the_same_run() -> None:
    """Every-step stopping is never worse than the grid; the grid is the minimum over multiples
    of ``stopping_step``; unknown rules and steps are refused."""
    steps, every = 200, 50
    _, results = train_students(
        LinearPoint.of(LINEAR_DEFAULTS),
        0,
        [Student("base")],
        replicates=2,
        steps=steps,
        record_steps=stopping_record_steps(steps, every),
    )
    result = results["base"]
    assert list(result.steps) == [0, 50, 100, 150, 200]
    grid = best_error(result, "grid", every)
    assert np.all(best_error(result, "every", every) <= grid)
    assert np.allclose(grid, result.test_error.min(axis=1))
    with pytest.raises(ConfigError):
        best_error(result, "validation", every)
    with pytest.raises(ConfigError):
        stopping_record_steps(steps, 0)


def test_double_descent_compares_the_peak_and_its_scopes_are_derived() -> None:
    figure = double_descent.FIGURE
    monte_carlo, base, _ = figure.compare
    quick = [figure.point_of(p) for p in figure.grid["quick"]]
    near = [p for p in quick if abs(p.samples - p.input_dim) <= 4]
    assert near and any(monte_carlo.in_scope(p) for p in near)
    # Marchenko–Pastur: the edge ratio vanishes at N = d and grows away from it, both sides.
    d = LINEAR_DEFAULTS["input_dim"]
    ratios = [double_descent.marchenko_pastur_condition(n, d) for n in (10, 30, 50, 80, 200)]
    assert ratios[2] == 0.0 and ratios[1] < ratios[0] and ratios[3] < ratios[4]
    assert double_descent.marchenko_pastur_condition(25, d) == (
        pytest.approx(double_descent.marchenko_pastur_condition(100, d))
    )
    # GD is claimed only where its budget covers RELAXATION_TIMES relaxation times.
    for p in quick:
        assert base.in_scope(p) == (
            double_descent.relaxation_times(p) >= double_descent.RELAXATION_TIMES
        )


def test_captions_take_their_numbers_from_the_config() -> None:
    point = zero_loss.FIGURE.grid["quick"][0]
    assert f"rank-{point['target_rank']} target" in zero_loss.FIGURE.caption
    assert "rank-8" not in zero_loss.FIGURE.caption or point["target_rank"] == 8
    assert f"{point['steps']:,} steps" in zero_loss.FIGURE.caption
    for module in (teacher_knowledge, decomposition):
        step = module.FIGURE.grid["quick"][0]["stopping_step"]
        assert f"{step}-step grid" in module.FIGURE.caption


def test_teacher_gap_allowance_is_the_teachers_relative_error() -> None:
    """The gap rule's rate is C1/C2 at σ = 0 over ‖A‖²: ∝ 1/(N + N_T − d − 1) above the peak."""
    params = {**teacher_knowledge.FIGURE.grid["quick"][-1]}
    rate = teacher_knowledge.teacher_relative_error(EarlyStoppingPoint.of(params))
    n, d = params["samples"] + params["teacher_samples"], params["input_dim"]
    expected = params["label_noise"] ** 2 * params["output_dim"] * d / (n - d - 1)
    assert rate * params["output_dim"] == pytest.approx(expected)  # ‖A‖_F² = d_y


def test_zero_loss_theory_is_c1_and_the_theories_are_deterministic() -> None:
    point = zero_loss.FIGURE.point_of(zero_loss.FIGURE.grid["quick"][0])
    assert zero_loss.theory(point) == zero_loss.theory(point)
    expected = 50 / 1.09 * ((1 - 30 / 50) + 0.09 * 49 / 19) + 50 * 30 / 19
    assert zero_loss.theory(point)["c1"] == pytest.approx(expected)
    peak = teacher_knowledge.FIGURE.point_of(teacher_knowledge.FIGURE.grid["quick"][1])
    assert peak.samples + peak.teacher_samples == peak.input_dim
    assert teacher_knowledge.theory(peak)["teacher_error"] == np.inf


def test_nonlinear_set_up_rejects_unknown_choices_and_plots_both_matching_rows() -> None:
    from distillab.errors import ConfigError
    from distillab.studies.hong_2021.mlp_setup import load_dataset, matched_layers

    with pytest.raises(ConfigError):
        load_dataset("cifar10")
    with pytest.raises(ConfigError):
        matched_layers("middle", 2)
    assert matched_layers("all", 3) == [0, 1, 2] and matched_layers("last", 3) == [2]
    rows = []
    for params in digits_noisy.FIGURE.grid["full"]:
        for seed in range(2):
            values = {"steps": [0, 50, 100]}
            for name in digits_noisy.STUDENTS:
                values[f"{name}_curve"] = [0.1, 0.7 + 0.01 * seed, 0.75]
                values[f"{name}_best_accuracy"] = 0.75
                values[f"{name}_final_accuracy"] = 0.74
            rows.append(Row("hong-2021", "digits-noisy", params, seed, "simulation", "ok", values))
    drawing = digits_noisy.FIGURE.draw(rows)
    # One row of panels per (dataset, matched layers): MNIST joins when its files are present.
    runs = {(p["dataset"], p["matched_layers"]) for p in digits_noisy.FIGURE.grid["full"]}
    assert len(drawing.axes) == len(runs) * (len(digits_noisy.INPUT_NOISES) + 1)
    assert all(ax.get_xlabel() and ax.get_ylabel() for ax in drawing.axes)


def test_digits_noisy_runs_on_local_mnist_files_through_the_teacher_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Tiny stand-in IDX files (60 images of 6×6) in a data directory, with their checksums.
    rng = np.random.default_rng(0)
    folder = tmp_path / "data" / "mnist"
    folder.mkdir(parents=True)
    labels = rng.integers(0, 10, 60)
    images = (rng.random((60, 6, 6)) * 80 + 25 * labels[:, None, None]).astype(np.uint8)
    for prefix, count in (("train", 60), ("t10k", 10)):
        write_idx(folder / f"{prefix}-images-idx3-ubyte", images[:count])
        write_idx(folder / f"{prefix}-labels-idx1-ubyte", labels[:count].astype(np.uint8))
    for path in folder.iterdir():
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        monkeypatch.setitem(mnist_family.CHECKSUMS, f"mnist/{path.name}", digest)
    monkeypatch.setenv("DISTILLAB_DATA", str(tmp_path / "data"))
    monkeypatch.setenv("DISTILLAB_CACHE_DIR", str(tmp_path / "cache"))
    assert mnist_family.available("mnist")
    params = {
        **digits_noisy._MNIST_POINTS[0],
        "student_samples": 20,
        "test_samples": 10,
        "width": 8,
        "steps": 20,
        "record_every": 10,
        "teacher_steps": 12,
        "teacher_batch_size": 8,
    }
    point = DigitsPoint.of(params)
    assert point.teacher_batch_size == 8
    values = digits_noisy.simulate(point, 0)
    assert all(0.0 <= values[f"{n}_final_accuracy"] <= 1.0 for n in digits_noisy.STUDENTS)
    # The good and the poor teacher's features were computed once each and stored.
    assert len(list((tmp_path / "cache").glob("*.npz"))) == 2
    assert digits_noisy.simulate(point, 0) == values  # bit-reproducible, served from the cache


def test_points_validate_the_grids_and_refuse_bad_values() -> None:
    """The study's decompositions are the engine's; a point out of its model's range is refused."""
    assert DECOMPOSITIONS == deep_linear_kd.DECOMPOSITIONS
    assert typing.get_args(deep_linear_kd.Decomposition) == DECOMPOSITIONS
    base = LinearPoint.of(LINEAR_DEFAULTS)
    for bad in ({"depth": 1}, {"input_noise": -0.1}, {"samples": 0}):
        with pytest.raises(ConfigError):
            LinearPoint.of({**LINEAR_DEFAULTS, **bad})
    unknown = {**decomposition.FIGURE.grid["quick"][0], "decomposition": "pca"}
    with pytest.raises(ConfigError):
        decomposition.FIGURE.point_of(unknown)
    with pytest.raises(ConfigError):
        DigitsPoint.of({**digits_noisy.FIGURE.grid["quick"][0], "dataset": "cifar10"})
    assert DigitsPoint.of(digits_noisy.FIGURE.grid["quick"][0]).teacher_batch_size == "full"
    assert replace(base, samples=40).samples == 40 and base.samples == LINEAR_DEFAULTS["samples"]


def test_double_descent_theory_curve_breaks_at_the_peak_and_meets_the_grid_values() -> None:
    figure = double_descent.FIGURE
    d = LINEAR_DEFAULTS["input_dim"]
    for params in (figure.grid["quick"][0], figure.grid["quick"][-1]):
        values = double_descent.theory(figure.point_of(params))
        curve = dict(zip(values["curve_samples"], values["curve_min_norm_risk"], strict=True))
        assert curve[params["samples"]] == values["min_norm_risk"]
        assert all(np.isnan(curve[n]) for n in (d - 1, d, d + 1))
        assert np.isfinite(curve[d - 2]) and np.isfinite(curve[d + 2])


def test_importing_the_study_loads_no_torch_scipy_or_matplotlib() -> None:
    """The figure modules import their engines and training code inside the functions that need
    them, so ``distillab list`` stays fast."""
    heavy = ("torch", "scipy", "matplotlib", "sklearn")
    code = (
        "import sys, distillab.studies.hong_2021; "
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({heavy!r})))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"

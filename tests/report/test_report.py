"""Agreement tables and the HTML report."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from distillab.errors import ConfigError
from distillab.report import agreement, write_report
from distillab.report.agreement import describe_resolution, mutated_rows
from distillab.studies import (
    Claim,
    Comparison,
    Figure,
    Scaling,
    Study,
    Tolerance,
    resolve_targets,
)
from distillab.sweep import ResultStore, Row, run_sweep
from tests.conftest import TOY_FIGURE


def _row(kind: str, x: float, y: float, seed: int | None = None) -> Row:
    return Row("toy", "line", {"x": x}, seed, kind, "ok", {"y": y})  # type: ignore[arg-type]


def _figure(*claims: Claim) -> Figure:
    return replace(TOY_FIGURE, compare=claims)


EXACT = Tolerance("test: seed noise only")


def test_agreement_compares_seed_means_with_theory_under_the_rule() -> None:
    rows = [
        _row("theory", 1, 2.0),
        _row("simulation", 1, 2.1, 0),
        _row("simulation", 1, 2.3, 1),
        _row("theory", 2, 4.0),
        _row("simulation", 2, 4.0, 0),
        _row("simulation", 2, 4.0, 1),
    ]
    (line,) = agreement(_figure(Comparison("y", "y", EXACT, label="y")), rows)
    assert (line.points_in_scope, line.points_total) == (2, 2)
    assert line.max_error == pytest.approx(0.1)  # |2.2 − 2| / 2
    assert line.median_error == pytest.approx(0.05)
    assert line.max_z == pytest.approx(0.2 / 0.1)  # s.e. of (2.1, 2.3) is 0.1
    assert line.worst == {"x": 1}
    # |Δ| = 0.2 ≤ 3·0.1 at x = 1; x = 2 has s.e. 0 and Δ = 0: the line holds.
    assert line.passed and not line.failed
    # Point x = 2 has zero spread, so any mutation fails it: the resolution is tiny.
    assert line.resolution < 1e-6
    (loose,) = agreement(_figure(Comparison("y", "y", replace(EXACT, z=1.0), label="y")), rows)
    assert not loose.passed and "|Δ| = 0.2" in loose.failed[0].reason


def test_resolution_is_the_smallest_theory_error_that_fails_the_line() -> None:
    # One point, θ = 10, s̄ = 10.5 with s.e. 0.5: passes while |10.5 − 10(1 + ε)| ≤ 1.5 + 0.1·θ'.
    rows = [
        _row("theory", 1, 10.0),
        _row("simulation", 1, 10.0, 0),
        _row("simulation", 1, 11.0, 1),
    ]
    rule = Tolerance("test", z=3.0, allowance=0.1)
    (line,) = agreement(_figure(Comparison("y", "y", rule, label="y")), rows)
    # ε > 0: 10ε − 0.5 = 1.5 + 1 + ε → ε = 3/9; ε < 0: 0.5 + 10ε = 2.5 − ε → ε = 2/11.
    assert line.passed
    assert line.resolution == pytest.approx(3 / 9, rel=1e-6)
    for eps in (1.01 * 3 / 9, -1.01 * 2 / 11):
        (mutated,) = agreement(
            _figure(line.claim),
            mutated_rows(line.claim, rows, eps),  # type: ignore[arg-type]
        )
        assert not mutated.passed
    (held,) = agreement(_figure(line.claim), mutated_rows(line.claim, rows, 0.99 * 2 / 11))
    assert held.passed
    assert describe_resolution(line) == "detects ≥ 33.3 % theory error"


def test_scope_counts_points_and_an_empty_scope_fails() -> None:
    rows = [
        _row("theory", 1, 2.0),
        _row("simulation", 1, 9.0, 0),
        _row("theory", 2, 4.0),
        _row("simulation", 2, 4.2, 0),
    ]
    rule = Tolerance("test", z=0.0, allowance=0.25, relative=False)
    scoped = Comparison("y", "y", rule, "y", scope=lambda p: p["x"] > 1, scope_reason="x > 1")
    (line,) = agreement(_figure(scoped), rows)
    assert (line.points_in_scope, line.points_total) == (1, 2)
    assert line.max_error == pytest.approx(0.2) and line.passed
    nowhere = replace(scoped, scope=lambda p: p["x"] > 5)
    (empty,) = agreement(_figure(nowhere), rows)
    assert empty.points_in_scope == 0 and not empty.passed


def test_missing_failed_or_non_finite_points_fail_the_line_and_are_listed() -> None:
    good = [_row("theory", 1, 2.0), _row("simulation", 1, 2.0, 0)]
    claim = Comparison("y", "y", EXACT, label="y")
    cases = {
        "no rows": [_row("simulation", 2, 4.0, 0)],  # theory row missing
        "error": [
            _row("theory", 2, 4.0),
            Row("toy", "line", {"x": 2}, 0, "simulation", "error", {}, "boom"),
        ],
        "not finite": [_row("theory", 2, float("nan")), _row("simulation", 2, 4.0, 0)],
        "missing": [
            _row("theory", 2, 4.0),
            Row("toy", "line", {"x": 2}, 0, "simulation", "ok", {}),
        ],
    }
    for reason, extra in cases.items():
        (line,) = agreement(_figure(claim), good + extra)
        assert not line.passed, reason
        assert [p.params for p in line.failed] == [{"x": 2}], reason
        assert reason in line.failed[0].reason


def test_seed_theory_is_paired_and_never_read_from_the_simulation_key() -> None:
    rows = [
        Row("toy", "line", {"x": 1}, s, "simulation", "ok", {"y": 1.0 + s, "y_theory": 1.5 + s})
        for s in range(4)
    ]
    paired = Comparison("y", "y_theory", EXACT, label="paired", theory_from="seed")
    (line,) = agreement(_figure(paired), rows)
    # The per-seed differences are all −0.5 (s.e. 0), so the offset fails; unpaired it would not.
    assert line.max_z == math.inf and not line.passed
    with pytest.raises(ConfigError, match="own key"):
        Comparison("y", "y", EXACT, label="same", theory_from="seed")
    with pytest.raises(ConfigError, match="no theory function"):
        replace(TOY_FIGURE, theory=None, compare=(Comparison("y", "y", EXACT, label="y"),))


def test_claims_need_their_reasons() -> None:
    with pytest.raises(ConfigError, match="reason"):
        Tolerance(" ")
    with pytest.raises(ConfigError, match="scope needs its reason"):
        Comparison("y", "y", EXACT, label="y", scope=lambda p: True)
    with pytest.raises(ConfigError, match="scale needs its reason"):
        Comparison("y", "y", EXACT, label="y", scale=1.0)
    # A scaling line shares the comparison's checks.
    for bad, message in (
        ({"scope": lambda p: True}, "scope needs its reason"),
        ({"scale": 1.0}, "scale needs its reason"),
        ({"theory_from": "seed"}, "own key"),
        ({"theory_from": "data"}, "theory_from must be"),
    ):
        with pytest.raises(ConfigError, match=message):
            Scaling("y", "y", "d", -0.5, "rate r", label="y", **bad)
    assert Tolerance("r", allowance=0.8, rate=lambda p: 1.0, rate_label="m^-1/2").describe() == (
        "|Δ| ≤ 3·s.e. + 0.8·m^-1/2·|θ|"
    )


def test_additive_scale_measures_resolution_at_a_zero_reference() -> None:
    rows = [_row("theory", 1, 0.0), _row("simulation", 1, 0.01, 0)]
    rule = Tolerance("test", z=0.0, allowance=0.05, relative=False)
    claim = Comparison("y", "y", rule, label="zero", scale=0.1, scale_reason="natural scale 0.1")
    (line,) = agreement(_figure(claim), rows)
    # Fails when |0.01 − 0.1ε| > 0.05: ε > 0.6 or ε < −0.4, so both signs are caught at 0.6.
    assert line.passed and line.resolution == pytest.approx(0.6, rel=1e-6)


def test_scaling_line_fits_the_error_slope() -> None:
    rows = []
    for m in (64, 256, 1024, 4096):
        rows.append(Row("toy", "line", {"x": m}, None, "theory", "ok", {"y": 1.0}))
        rows.append(Row("toy", "line", {"x": m}, 0, "simulation", "ok", {"y": 1 + 2 / m**0.5}))
    claim = Scaling("y", "y", size="x", slope=-0.5, reason="test rate", label="scaling")
    (line,) = agreement(_figure(claim), rows)
    assert line.passed and line.slope == pytest.approx(-0.5) and len(line.sizes) == 4
    (wrong,) = agreement(_figure(replace(claim, slope=-1.0)), rows)
    assert not wrong.passed
    # A theory off by ε leaves an error that stops falling once 2/√m < ε: with sizes up to
    # m = 4096 (true error 3 %) the line resolves errors of the order of 10 %, not 1 %.
    assert 0.03 < line.resolution < 0.3
    for eps in (1.1 * line.resolution, -1.1 * line.resolution):
        (mutated,) = agreement(_figure(claim), mutated_rows(claim, rows, eps))
        assert not mutated.passed


def test_report_embeds_figures_tables_failures_and_provenance(
    toy_registry: Study, tmp_path: Path
) -> None:
    store = ResultStore(tmp_path / "results.sqlite")
    run_sweep(
        resolve_targets(["toy"]),
        store,
        profile="quick",
        show_progress=False,
        command="distillab reproduce toy",
    )
    path = write_report(store, tmp_path, studies={"toy": toy_registry})
    index = path.read_text()
    assert "0 of 1 claims hold" in index and "report/toy.html#line" in index
    assert "distillab reproduce toy" in index and "torch" in index and "numpy" in index
    assert "[R]" in index and "name='viewport'" in index and "base64" not in index
    page = (tmp_path / "report" / "toy.html").read_text()
    assert "boom at x=3" in page and "diverged" in page
    assert "max |Δ|/s.e." in page and "resolution" in page and "seeds scatter" in page
    assert "../figures/toy/line.svg" in page and "../figures/toy/line.csv" in page
    assert (tmp_path / "figures" / "toy" / "line.svg").read_bytes().startswith(b"<?xml")
    data = (tmp_path / "figures" / "toy" / "line.csv").read_text().splitlines()
    assert data[0] == "panel,title,xlabel,ylabel,series,kind,x,y,y_error"
    assert any(",theory,line,1.0,2.0," in line for line in data)
    assert any(",simulation,points ± s.e.,1.0," in line for line in data)
    assert not list(tmp_path.rglob("*.tmp"))


def test_report_without_results_is_a_config_error(toy_registry: Study, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="reproduce"):
        write_report(
            ResultStore(tmp_path / "results.sqlite"), tmp_path, studies={"toy": toy_registry}
        )


def test_value_and_list_statistics_are_seed_means_with_standard_errors() -> None:
    from distillab.report.plotting import list_statistics, value_statistics

    rows = [
        Row("toy", "line", {"x": 1}, 0, "simulation", "ok", {"y": 1.0, "c": [0.0, 2.0]}),
        Row("toy", "line", {"x": 1}, 1, "simulation", "ok", {"y": 3.0, "c": [2.0, 4.0]}),
        Row("toy", "line", {"x": 1}, 2, "simulation", "diverged", {"y": 99.0, "c": [9.0, 9.0]}),
        Row("toy", "line", {"x": 2}, 0, "simulation", "ok", {"y": 5.0, "c": [1.0]}),
    ]
    assert value_statistics(rows, "y", where={"x": 1}) == (2.0, 1.0, 2)
    mean, sem = list_statistics(rows, "c", where={"x": 1})
    np.testing.assert_allclose(mean, [1.0, 3.0])
    np.testing.assert_allclose(sem, [1.0, 1.0])
    mean, sem = list_statistics(rows, "c")  # the shorter list of x = 2 is skipped
    np.testing.assert_allclose(mean, [1.0, 3.0])
    assert value_statistics(rows, "missing")[2] == 0


def test_seed_dependent_theory_is_drawn_from_simulation_rows() -> None:
    from distillab.report.plotting import new_figure, plot_list, plot_theory

    rows = [
        Row("toy", "line", {"x": x}, s, "simulation", "ok", {"t": x + s, "k": [0, 1], "u": [x, s]})
        for x in (1, 2)
        for s in (0, 2)
    ]
    _, axes = new_figure()
    plot_theory(axes[0, 0], rows, "x", "t", kind="simulation")
    (line,) = axes[0, 0].get_lines()
    np.testing.assert_allclose(line.get_ydata(), [2.0, 3.0])
    plot_list(axes[0, 0], rows, "k", "u", points=False)
    np.testing.assert_allclose(axes[0, 0].get_lines()[-1].get_ydata(), [1.5, 1.0])

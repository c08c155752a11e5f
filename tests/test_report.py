"""Agreement tables and the HTML report."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from distillab.errors import ConfigError
from distillab.report import agreement, write_report
from distillab.studies import Comparison, Study, resolve_targets
from distillab.sweep import ResultStore, Row, run_sweep
from tests.conftest import TOY_FIGURE


def _row(kind: str, x: float, y: float, seed: int | None = None) -> Row:
    return Row("toy", "line", {"x": x}, seed, kind, "ok", {"y": y})  # type: ignore[arg-type]


def test_agreement_compares_seed_means_with_theory() -> None:
    rows = [
        _row("theory", 1, 2.0),
        _row("simulation", 1, 2.1, 0),
        _row("simulation", 1, 2.3, 1),
        _row("theory", 2, 4.0),
        _row("simulation", 2, 4.0, 0),
        _row("simulation", 2, 4.0, 1),
    ]
    (line,) = agreement(TOY_FIGURE, rows)
    assert line.points == 2
    assert line.max_error == pytest.approx(0.1)  # |2.2 − 2| / 2
    assert line.median_error == pytest.approx(0.05)
    assert line.max_z == pytest.approx(0.2 / 0.1)  # s.e. of (2.1, 2.3) is 0.1
    assert not line.passed and '"x":1' in line.worst


def test_agreement_respects_scope_and_absolute_errors() -> None:
    figure = TOY_FIGURE.__class__(
        **{
            **TOY_FIGURE.__dict__,
            "compare": (
                Comparison("y", "y", tolerance=0.25, relative=False, when=lambda p: p["x"] > 1),
            ),
        }
    )
    rows = [
        _row("theory", 1, 2.0),
        _row("simulation", 1, 9.0, 0),
        _row("theory", 2, 4.0),
        _row("simulation", 2, 4.2, 0),
    ]
    (line,) = agreement(figure, rows)
    assert line.points == 1 and line.max_error == pytest.approx(0.2) and line.passed


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
    html = path.read_text()
    assert html.count("data:image/png;base64,") == 1
    assert "boom at x=3" in html and "diverged" in html
    assert "max |Δ|/s.e." in html and "distillab reproduce toy" in html
    assert "torch" in html and "numpy" in html
    assert (tmp_path / "figures" / "toy" / "line.png").stat().st_size > 1000
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

"""Custom grids (--set, overrides), the CSV export and distillab.run."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

import distillab
from distillab.cli import main
from distillab.errors import ConfigError
from distillab.studies import Study
from distillab.sweep.grid import override_grid, parse_overrides

GRID = [{"width": 32, "trained": "first", "lr": 0.5, "fast": True}]


def test_parse_overrides_types_values_like_the_grid() -> None:
    assert parse_overrides(["width=64, 128", "lr=1e-2", "fast=false"], GRID) == {
        "width": [64, 128],
        "lr": [0.01],
        "fast": [False],
    }
    assert parse_overrides(["trained=both,both"], GRID) == {"trained": ["both"]}


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("widht=3", "valid: fast, lr, trained, width"),
        ("width=1.5", "not an integer"),
        ("lr=nan", "not finite"),
        ("lr=x", "not a number"),
        ("fast=maybe", "not true or false"),
        ("width", "NAME=V1,V2"),
        ("trained=", "empty value"),
    ],
)
def test_bad_overrides_name_the_problem(setting: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_overrides([setting], GRID)


def test_override_grid_replaces_axes_and_keeps_the_rest() -> None:
    grid = [{"m": m, "t": t} for t in ("a", "b") for m in (1, 2)]
    assert override_grid(grid, {"m": [8, 9]}) == [
        {"m": 8, "t": "a"},
        {"m": 9, "t": "a"},
        {"m": 8, "t": "b"},
        {"m": 9, "t": "b"},
    ]
    assert override_grid(grid, {}) == grid


def test_cli_set_runs_the_custom_grid_and_exports_it(
    toy_registry: Study, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as bad:
        main(["reproduce", "toy", "--set", "y=1", "--out", str(tmp_path / "bad")])
    assert bad.value.code == 2 and "valid: x" in capsys.readouterr().err
    assert not (tmp_path / "bad").exists()
    with pytest.raises(SystemExit) as done:
        main(["reproduce", "toy", "--set", "x=1,4", "--jobs", "1", "--out", str(tmp_path)])
    assert done.value.code in (None, 0)  # x = 3 (which raises) is no longer in the grid
    with pytest.raises(SystemExit) as exported:
        main(["export", "--out", str(tmp_path), "--format", "csv"])
    assert exported.value.code in (None, 0)
    with (tmp_path / "results.csv").open() as stream:
        records = list(csv.DictReader(stream))
    assert sorted({r["param.x"] for r in records}) == ["1", "4"]
    assert {r["kind"] for r in records} == {"theory", "simulation"} and len(records) == 6
    assert all(r["value.y"] for r in records)
    # The report expects the custom grid, so no standard point is reported missing.
    page = (tmp_path / "report" / "toy.html").read_text()
    assert "2 of 2" in page


def test_export_without_a_store_is_exit_2(tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as error:
        main(["export", "--out", str(tmp_path)])
    assert error.value.code == 2 and not list(tmp_path.iterdir())


def test_run_returns_rows_and_agreement(toy_registry: Study, tmp_path: Path) -> None:
    result = distillab.run(["toy"], out=tmp_path, overrides={"x": [1, 2]}, report=False)
    assert {r.params["x"] for r in result.rows} == {1, 2}
    (line,) = result.agreement["toy/line"]
    assert line.points_in_scope == 2 and not line.passed  # x = 2 has a diverged seed
    assert result.report is None and result.summary is not None
    with pytest.raises(ConfigError, match="valid: x"):
        distillab.run(["toy"], out=tmp_path, overrides={"z": [1]})

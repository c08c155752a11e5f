"""Typed grid points: validation at construction, --set parsing, stored form."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pytest

from distillab.errors import ConfigError
from distillab.report.panels import Line, Panel, Plot
from distillab.studies import Figure
from distillab.studies.point import Point, within


@dataclass(frozen=True)
class _Point(Point):
    soft_ratio: float = within(0, 1)
    width: int = within(1)
    alpha: float | Literal["optimal"] = within(0, 1)
    widths: tuple[int, ...] = within(1)
    trained: str = "first"
    flag: bool = False


def _params(**changes: object) -> dict[str, object]:
    return {"soft_ratio": 0.5, "width": 8, "alpha": "optimal", "widths": [2, 4], **changes}


def test_a_valid_point_keeps_its_values_and_stores_lists() -> None:
    point = _Point.of(_params(soft_ratio=1))
    assert point.soft_ratio == 1 and isinstance(point.soft_ratio, int)  # stored keys unchanged
    assert point.widths == (2, 4)
    assert point.params() == {**_params(soft_ratio=1), "trained": "first", "flag": False}
    assert hash(point) == hash(_Point.of(_params(soft_ratio=1)))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"soft_ratio": 1.5}, r"_Point.soft_ratio must be in \[0, 1\], got 1.5"),
        ({"width": 0}, r"_Point.width must be in \[1, ∞\], got 0"),
        ({"width": 2.5}, r"_Point.width must be an integer, got 2.5"),
        ({"width": True}, r"_Point.width must be an integer"),
        ({"alpha": "best"}, r"_Point.alpha must be a number or one of 'optimal'"),
        ({"widths": [2, 0]}, r"_Point.widths must be in \[1, ∞\], got 0"),
        ({"soft_ratio": float("nan")}, r"_Point.soft_ratio must not be NaN"),
        ({"typo": 1}, r"_Point has no field\(s\) typo"),
    ],
)
def test_a_bad_point_names_the_field_and_the_range(changes: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        _Point.of(_params(**changes))


def test_a_missing_field_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="missing"):
        _Point.of({"soft_ratio": 0.5})


def test_parse_types_and_checks_each_value() -> None:
    assert _Point.parse("soft_ratio", "0.25") == 0.25
    assert _Point.parse("width", "16") == 16
    assert _Point.parse("alpha", "optimal") == "optimal"
    assert _Point.parse("alpha", "0.5") == 0.5
    assert _Point.parse("flag", "TRUE") is True
    with pytest.raises(ConfigError, match="is not an integer"):
        _Point.parse("width", "1.5")
    with pytest.raises(ConfigError, match=r"must be in \[0, 1\]"):
        _Point.parse("soft_ratio", "2")
    with pytest.raises(ConfigError, match="valid: soft_ratio, width, alpha, widths"):
        _Point.parse("temperature", "2")


def _figure(grid: list[dict]) -> Figure:
    return Figure(
        name="f",
        title="t",
        caption="c",
        grid={"quick": grid, "full": grid},
        theory=lambda point: {"y": point.soft_ratio},
        plot=Plot(Panel("soft_ratio", series=(Line("y"),), xlabel="ρ", ylabel="y")),
        point=_Point,
    )


def test_a_figure_validates_its_grid_when_declared() -> None:
    figure = _figure([_params()])
    assert figure.point_of(_params()) == _Point.of(_params())
    with pytest.raises(ConfigError, match=r"figure 'f' \(quick grid\): _Point.width"):
        _figure([_params(width=-1)])

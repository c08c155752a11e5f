"""Declarative panels: what render draws from rows, checked on the matplotlib objects."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace

import numpy as np
import pytest
from matplotlib.colors import to_rgb
from matplotlib.container import BarContainer, ErrorbarContainer

from distillab.errors import ConfigError
from distillab.report.panels import (
    Bars,
    Key,
    Line,
    Panel,
    Plot,
    Points,
    Reference,
    Trace,
    render,
)
from distillab.studies import Comparison, Figure, Tolerance
from distillab.sweep.store import Row


def _row(kind: str, params: dict, values: dict, seed: int | None = None) -> Row:
    return Row("s", "f", params, seed, kind, "ok", values)  # type: ignore[arg-type]


def _rows() -> list[Row]:
    rows = []
    for rho in (0.0, 0.5):
        for t in (1.0, 2.0, 4.0):
            params = {"soft_ratio": rho, "temperature": t}
            rows.append(_row("theory", params, {"risk": rho + t, "curve": [1.0, 2.0]}))
            for seed, noise in ((0, -0.1), (1, 0.1)):
                values = {"risk": rho + t + noise, "steps": [0.0, 1.0], "loss": [t, t + seed]}
                rows.append(_row("simulation", params, values, seed))
    return rows


def _errorbars(ax) -> list[ErrorbarContainer]:
    return [c for c in ax.containers if isinstance(c, ErrorbarContainer)]


def test_by_repeats_series_per_value_with_colours_and_labels() -> None:
    plot = Plot(
        Panel(
            "temperature",
            series=(Line("risk", label="theory {by}"), Points("risk", label="sim {by}")),
            xlabel="T",
            ylabel="risk",
            xscale="log2",
            by="soft_ratio",
            by_label=lambda rho: f"ρ = {rho:g}",
        )
    )
    (ax,) = render(plot, _rows()).axes
    lines = [line for line in ax.get_lines() if line.get_label().startswith("theory")]
    assert [line.get_label() for line in lines] == ["theory ρ = 0", "theory ρ = 0.5"]
    np.testing.assert_allclose(lines[1].get_ydata(), [1.5, 2.5, 4.5])
    bars = _errorbars(ax)
    assert [b.get_label() for b in bars] == ["sim ρ = 0", "sim ρ = 0.5"]
    means = bars[0].lines[0].get_ydata()
    np.testing.assert_allclose(means, [1.0, 2.0, 4.0])  # seed mean of ±0.1
    assert lines[0].get_color() == bars[0].lines[0].get_color() == "C0"
    assert ax.get_xscale() == "log" and ax.get_xlabel() == "T"


def test_points_outside_the_claims_scope_are_hollow_and_faded() -> None:
    rule = Tolerance("seed noise", z=3)
    claim = Comparison(
        "risk",
        "risk",
        rule,
        label="risk",
        scope=lambda point: point["temperature"] < 4,
        scope_reason="the theory holds below T = 4",
    )
    figure = Figure(
        name="f",
        title="t",
        caption="c",
        grid={"quick": [], "full": []},
        theory=lambda p: {},
        plot=Plot(Panel("temperature", series=(Points("risk"),), xlabel="T", ylabel="r")),
        compare=(claim,),
    )
    rows = [r for r in _rows() if r.params["soft_ratio"] == 0.0]
    (ax,) = figure.draw(rows).axes
    inside, outside = _errorbars(ax)
    np.testing.assert_allclose(inside.lines[0].get_xdata(), [1.0, 2.0])
    np.testing.assert_allclose(outside.lines[0].get_xdata(), [4.0])
    marker = outside.lines[0]
    assert marker.get_markerfacecolor() == "none" and marker.get_alpha() < 1
    # A second claim on the same key that covers T = 4 claims it: nothing is faded then.
    wide = replace(claim, scope=lambda point: point["temperature"] >= 4, label="high T")
    (ax,) = replace(figure, compare=(claim, wide)).draw(rows).axes
    assert len(_errorbars(ax)) == 1
    # An unscoped claim on the key claims every point.
    (ax,) = (
        replace(figure, compare=(claim, Comparison("risk", "risk", rule, "all"))).draw(rows).axes
    )
    assert len(_errorbars(ax)) == 1


def test_where_functions_resolve_within_the_fixed_filters_and_symlog_takes_linthresh() -> None:
    rows = [
        r for r in _rows() if not (r.params["soft_ratio"] == 0.5 and r.params["temperature"] == 4)
    ]
    plot = Plot(
        Panel(
            "temperature",
            series=(Line("risk", where={"soft_ratio": 0.5, "temperature": max}),),
            xlabel="T",
            ylabel="r",
            yscale="symlog",
            linthresh=0.25,
        )
    )
    (ax,) = render(plot, rows).axes
    (line,) = ax.get_lines()
    np.testing.assert_allclose(line.get_xdata(), [2.0])  # the largest T run at ρ = 0.5
    assert ax.get_yscale() == "symlog" and ax.yaxis.get_transform().linthresh == 0.25


def test_where_functions_trace_reference_key_and_categories() -> None:
    plot = Plot(
        Panel(
            "temperature",
            series=(
                Trace("steps", "loss", where={"soft_ratio": max, "temperature": min}, label="tr"),
                Reference(2.0, label="ref"),
                Key("marker", marker="_"),
            ),
            xlabel="step",
            ylabel="loss",
        ),
        Panel(
            "soft_ratio",
            series=(Line("risk", where={"temperature": 1.0}, marker="o"),),
            xlabel="ρ",
            ylabel="risk",
            categories=(0.5, 0.0),
            category_label=lambda rho: f"ρ={rho}",
        ),
        ncols=1,
    )
    first, second = render(plot, _rows()).axes
    (trace,) = _errorbars(first)
    np.testing.assert_allclose(trace.lines[0].get_ydata(), [1.0, 1.5])  # T = 1, mean of 1, 2
    labels = [line.get_label() for line in first.get_lines()]
    assert "ref" in labels and "marker" in labels
    (line,) = second.get_lines()
    np.testing.assert_allclose(line.get_xdata(), [0.0, 1.0])
    np.testing.assert_allclose(line.get_ydata(), [1.5, 1.0])  # ρ = 0.5 first
    assert [t.get_text() for t in second.get_xticklabels()] == ["ρ=0.5", "ρ=0.0"]


def test_trace_band_shades_mean_plus_minus_sem_against_shifted_x() -> None:
    where = {"soft_ratio": 0.5, "temperature": 4.0}
    trace = Trace("steps", "loss", where=where, points=False, band=True, shift=1, color="C3")
    (ax,) = render(
        Plot(Panel("steps", series=(trace,), xlabel="k + 1", ylabel="loss")), _rows()
    ).axes
    (line,) = ax.get_lines()
    np.testing.assert_allclose(line.get_xdata(), [1.0, 2.0])  # steps 0, 1 shifted by 1
    np.testing.assert_allclose(line.get_ydata(), [4.0, 4.5])  # seeds [4, 4] and [4, 5]
    (band,) = ax.collections
    vertices = band.get_paths()[0].vertices
    # s.e. 0 at step 0, 0.5 at step 1: the band spans 4 … 5 at x = 2.
    np.testing.assert_allclose(vertices[:, 1].min(), 4.0)
    np.testing.assert_allclose(vertices[:, 1].max(), 5.0)
    assert line.get_color() == "C3"
    assert tuple(band.get_facecolor()[0][:3]) == pytest.approx(to_rgb("C3"))


def test_bars_group_over_categories_with_offsets_hatches_and_ylim() -> None:
    bars = tuple(
        Bars("risk", where={"temperature": t}, offset=o, width=0.4, hatch=h, label=f"T={t:g}")
        for t, o, h in ((1.0, -0.5, None), (2.0, 0.5, "//"))
    )
    panel = Panel(
        "soft_ratio",
        series=bars,
        xlabel="ρ",
        ylabel="risk",
        categories=(0.5, 0.0),
        ylim=(0.5, 3.0),
    )
    (ax,) = render(Plot(panel), _rows()).axes
    left, right = [c for c in ax.containers if isinstance(c, BarContainer)]
    assert [p.get_x() + p.get_width() / 2 for p in left] == pytest.approx([-0.2, 0.8])
    assert [p.get_height() for p in left] == pytest.approx([1.5, 1.0])  # ρ = 0.5 first
    assert [p.get_height() for p in right] == pytest.approx([2.5, 2.0])
    assert [p.get_x() for p in right] == pytest.approx([0.0, 1.0])
    assert right.patches[0].get_hatch() == "//" and left.patches[0].get_hatch() is None
    assert left.get_label() == "T=1" and ax.get_ylim() == (0.5, 3.0)


def test_options_are_checked_and_a_plot_needs_panels() -> None:
    with pytest.raises(TypeError):
        Line("risk", colour="C0")  # type: ignore[call-arg]
    with pytest.raises(ConfigError, match="at least one Panel"):
        Plot()


def test_declaring_panels_imports_no_matplotlib() -> None:
    code = "import sys, distillab.report.panels; print('matplotlib' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "False", result.stderr

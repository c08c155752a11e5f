"""Declarative figures: a figure's plot is a :class:`Plot` of panels, drawn by :func:`render`.

A panel names its x parameter and its series: theory values as lines (:class:`Line`), simulation
seed means with standard-error bars (:class:`Points`), list-valued trajectories (:class:`Trace`),
reference lines (:class:`Reference`) and legend-only keys (:class:`Key`). ``by="soft_ratio"``
repeats every series once per value of that parameter, in colours C0, C1, … with ``{by}`` in a
label replaced by ``by_label(value)`` (a label may also be a function of the rows, e.g. to name
the largest width run). A ``where`` value may be a function of the sorted distinct
values present in the rows (e.g. ``max``: the largest width run). Simulation points outside the
scope of the figure's comparisons on the same key are drawn hollow and faded, so nothing the
agreement leaves out disappears from the picture.

This module declares data only and imports no matplotlib until :func:`render` runs, so a figure
module that declares its plot stays cheap to import (``distillab list`` loads every figure).

Example:
  >>> plot = Plot(
  ...     Panel(
  ...         x="temperature",
  ...         series=(Line("risk", label="theory"), Points("risk", label="simulation")),
  ...         xlabel="temperature T",
  ...         ylabel="transfer risk",
  ...         xscale="log2",
  ...     )
  ... )
  >>> len(plot.panels)
  1
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import KW_ONLY, dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from distillab.errors import ConfigError

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure as MplFigure

    from distillab.studies.spec import Figure
    from distillab.sweep.store import Row

__all__ = ["Bars", "Key", "Line", "Panel", "Plot", "Points", "Reference", "Trace", "render"]

Where = Mapping[str, Any]
"""Parameter name → required value, or a function of the sorted distinct values in the rows."""

Scale = Literal["linear", "log", "log2", "symlog"]


@dataclass(frozen=True)
class _Style:
    _: KW_ONLY
    label: str | Callable[[Sequence[Row]], str] = ""
    where: Where = field(default_factory=dict)
    color: str | None = None
    linestyle: str | None = None
    marker: str | None = None
    style: Mapping[str, Any] = field(default_factory=dict)

    def kwargs(self) -> dict[str, Any]:
        named = {"color": self.color, "linestyle": self.linestyle, "marker": self.marker}
        return {**{k: v for k, v in named.items() if v is not None}, **self.style}


@dataclass(frozen=True)
class Line(_Style):
    """The theory values ``y`` against the panel's x, as a line.

    ``source="seed"``: the seed mean of a theory value that ``simulate`` returned (a prediction
    computed from each seed's own data or network).
    """

    y: str
    _: KW_ONLY
    source: Literal["theory", "seed"] = "theory"


@dataclass(frozen=True)
class Points(_Style):
    """Simulation seed means of ``y`` ± s.e. (hollow and faded outside the claims' scope)."""

    y: str


@dataclass(frozen=True)
class Trace(_Style):
    """A list-valued ``y`` against a list-valued ``x`` (a trajectory), mean over the rows.

    ``points=True`` draws every ``every``-th element as mean ± s.e.; ``False`` a line;
    ``band=True`` (with ``points=False``) a line with a shaded ± s.e. band. ``shift`` is added
    to every x (e.g. ``1`` for step + 1 on a log axis). ``kind`` chooses theory or simulation
    rows.
    """

    x: str
    y: str
    _: KW_ONLY
    kind: Literal["theory", "simulation"] = "simulation"
    points: bool = True
    every: int = 1
    band: bool = False
    shift: float = 0.0


@dataclass(frozen=True)
class Bars(_Style):
    """Simulation seed means of ``y`` ± s.e. as bars over a categorical panel.

    Several ``Bars`` side by side form a group per category: each is ``width`` wide (in units
    of the category spacing) and sits ``offset`` bar widths from the category's position.
    ``hatch`` fills the bar with a pattern (e.g. ``"//"``).
    """

    y: str
    _: KW_ONLY
    offset: float = 0.0
    width: float = 0.2
    hatch: str | None = None


@dataclass(frozen=True)
class Reference(_Style):
    """A horizontal (``axis="y"``) or vertical (``axis="x"``) line at ``value``.

    ``value`` may be a function of the rows returning the positions (e.g. where a theory curve
    crosses zero); one line is drawn at each.
    """

    value: float | Callable[[Sequence[Row]], Sequence[float]]
    _: KW_ONLY
    axis: Literal["x", "y"] = "y"


@dataclass(frozen=True)
class Key(_Style):
    """A legend entry with no data (e.g. the marker of a series drawn without a label)."""

    name: str | Callable[[Sequence[Row]], str]

    def __post_init__(self) -> None:
        object.__setattr__(self, "label", self.name)


Series = Line | Points | Trace | Bars | Reference | Key


@dataclass(frozen=True)
class Panel:
    """One axes: an x parameter, its series, labels and scales.

    Attributes:
      x: the parameter on the horizontal axis (ignored by :class:`Trace`, which has its own).
      series: what to draw, in order.
      xlabel, ylabel: axis labels (with units or symbols).
      title: a string, or a function of the rows (for titles that report what was run).
      xscale, yscale: ``"linear"``, ``"log"``, ``"log2"`` or ``"symlog"``.
      by: repeat every series once per distinct value of this parameter (colours C0, C1, …).
      by_label: ``value -> str`` for ``{by}`` in labels.
      where: filters applied to every series (a series' own ``where`` adds to it).
      categories: for a categorical x (strings): its values in axis order, drawn at 0, 1, …
        and labelled by ``category_label``.
      linthresh: the linear range (−linthresh, linthresh) of a ``"symlog"`` axis.
      xticks: major x ticks labelled plainly (``f"{value:g}"``, no minor labels): ``"grid"``
        for the values of ``x`` in the rows, or the values themselves.
      ylim: the y range ``(low, high)`` (e.g. bars of a ratio around 1); data limits if unset.
    """

    x: str
    series: Sequence[Series]
    xlabel: str
    ylabel: str
    title: str | Callable[[Sequence[Row]], str] = ""
    xscale: Scale = "linear"
    yscale: Scale = "linear"
    by: str | None = None
    by_label: Callable[[Any], str] = str
    where: Where = field(default_factory=dict)
    categories: tuple[Any, ...] = ()
    category_label: Callable[[Any], str] = str
    linthresh: float | None = None
    xticks: Literal["grid"] | tuple[float, ...] = ()
    ylim: tuple[float, float] | None = None

    def position(self, value: Any) -> float:
        """Where a value of the x parameter lies on the axis."""
        return float(self.categories.index(value)) if self.categories else float(value)


@dataclass(frozen=True)
class Plot:
    """A figure's drawing: its panels in one row (or ``ncols`` per row), sized per panel.

    ``prepare(rows) -> rows`` runs before drawing, for rows that carry more than one point each
    (e.g. a theory row that stores the dense curve segment leading to its grid point).
    """

    panels: tuple[Panel, ...]
    ncols: int | None = None
    width: float = 4.8
    height: float = 3.6
    prepare: Callable[[Sequence[Row]], Sequence[Row]] | None = None

    def __init__(
        self,
        *panels: Panel,
        ncols: int | None = None,
        width: float = 4.8,
        height: float = 3.6,
        prepare: Callable[[Sequence[Row]], Sequence[Row]] | None = None,
    ) -> None:
        if not panels:
            raise ConfigError("a Plot needs at least one Panel.")
        for name, value in (
            ("panels", tuple(panels)),
            ("ncols", ncols),
            ("width", width),
            ("height", height),
            ("prepare", prepare),
        ):
            object.__setattr__(self, name, value)


def _resolve(where: Where, rows: Sequence[Row]) -> dict[str, Any]:
    """``where`` with every function value applied to the sorted distinct values of its key in
    the rows that match the constant entries (e.g. the largest width run *for this data set*)."""
    from distillab.report.plotting import matches

    fixed = {k: v for k, v in where.items() if not callable(v)}
    chosen = [r for r in rows if matches(r, fixed)]
    resolved = dict(fixed)
    for key, value in where.items():
        if callable(value):
            present = sorted({r.params[key] for r in chosen if key in r.params}, key=_order)
            if present:
                resolved[key] = value(present)
    return resolved


def _order(value: Any) -> tuple[bool, float, str]:
    """Sort key for parameter values: numbers in order, then strings (e.g. 0, 0.5, "optimal")."""
    number = isinstance(value, int | float) and not isinstance(value, bool)
    return (not number, float(value) if number else 0.0, str(value))


def _by_values(panel: Panel, rows: Sequence[Row]) -> list[Any]:
    if panel.by is None:
        return [None]
    return sorted({r.params[panel.by] for r in rows if panel.by in r.params}, key=_order)


def _scope(figure: Figure | None, key: str) -> Callable[[Mapping[str, Any]], bool] | None:
    """Whether a point is claimed by at least one of the figure's comparisons on ``key``.

    ``None`` (nothing faded) when no comparison is on ``key`` or one of them claims every point.
    """
    if figure is None:
        return None
    claims = [claim for claim in figure.compare if claim.simulation == key]
    if not claims or any(claim.scope is None for claim in claims):
        return None
    return lambda params: any(claim.in_scope(figure.point_of(params)) for claim in claims)


def _repeated(panel: Panel, series: Series) -> bool:
    """Whether ``series`` is drawn once per ``by`` value (not a key, a reference, or a series
    that fixes the ``by`` parameter itself)."""
    if panel.by is None:
        return True
    return not isinstance(series, Key | Reference) and panel.by not in series.where


def _draw(
    ax: Axes,
    series: Series,
    panel: Panel,
    rows: Sequence[Row],
    by: dict[str, Any],
    by_label: str | None,
    colour: dict[str, Any],
    figure: Figure | None,
) -> None:
    from distillab.report.plotting import (
        plot_list,
        plot_simulation,
        plot_theory,
        seed_statistics,
    )

    where = _resolve({**panel.where, **series.where, **by}, rows)
    text = series.label(rows) if callable(series.label) else series.label
    label = text.format(by=by_label) if text else None
    style = {**colour, **series.kwargs()}
    place = {"position": panel.position}
    if isinstance(series, Line):
        kind = "theory" if series.source == "theory" else "simulation"
        plot_theory(
            ax, rows, panel.x, series.y, where=where, label=label, kind=kind, **place, **style
        )
    elif isinstance(series, Points):
        scope = _scope(figure, series.y)
        plot_simulation(
            ax, rows, panel.x, series.y, where=where, label=label, scope=scope, **place, **style
        )
    elif isinstance(series, Trace):
        plot_list(
            ax,
            rows,
            series.x,
            series.y,
            where=where,
            kind=series.kind,
            points=series.points,
            every=series.every,
            band=series.band,
            shift=series.shift,
            label=label,
            **style,
        )
    elif isinstance(series, Bars):
        xs, mean, sem, _ = seed_statistics(rows, panel.x, series.y, where=where, **place)
        bars = {"capsize": 3, "edgecolor": "k", "linewidth": 0.4, "hatch": series.hatch}
        ax.bar(
            xs + series.offset * series.width,
            mean,
            series.width,
            yerr=sem,
            label=label,
            **{**bars, **style},
        )
    elif isinstance(series, Reference):
        line = ax.axhline if series.axis == "y" else ax.axvline
        positions = series.value(rows) if callable(series.value) else [series.value]
        for number, position in enumerate(positions):
            text = label if number == 0 else None
            line(position, label=text, **{"color": "0.5", "linewidth": 1.0, **style})
    else:
        ax.plot([], [], label=label, **{"color": "k", **style})


def _plain_ticks(ax: Axes, panel: Panel, rows: Sequence[Row]) -> None:
    """Major x ticks at ``panel.xticks`` labelled ``:g``; minor labels off (a log axis over a
    decade or so otherwise prints its minor labels on top of each other)."""
    from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator

    ticks = panel.xticks
    if ticks == "grid":
        ticks = tuple(sorted({float(r.params[panel.x]) for r in rows if panel.x in r.params}))
    ax.xaxis.set_major_locator(FixedLocator(list(ticks)))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    ax.xaxis.set_minor_locator(NullLocator())


def render(plot: Plot, rows: Sequence[Row], figure: Figure | None = None) -> MplFigure:
    """Draw ``plot`` from result ``rows`` (``figure``: for its comparisons' scopes).

    Returns a ``matplotlib.figure.Figure`` (no pyplot state).
    """
    from distillab.report.plotting import finish_axes, new_figure

    ncols = plot.ncols or len(plot.panels)
    nrows = -(-len(plot.panels) // ncols)
    drawing, axes = new_figure(ncols=ncols, nrows=nrows, width=plot.width, height=plot.height)
    rows = plot.prepare(rows) if plot.prepare is not None else rows
    for index, panel in enumerate(plot.panels):
        ax = axes.flat[index]
        values = _by_values(panel, rows)
        repeated = [s for s in panel.series if _repeated(panel, s)]
        for position, value in enumerate(values if repeated else []):
            colour = {} if panel.by is None else {"color": f"C{position % 10}"}
            for series in repeated:
                by = {} if panel.by is None else {panel.by: value}
                _draw(ax, series, panel, rows, by, panel.by_label(value), colour, figure)
        for series in panel.series:
            if not _repeated(panel, series):
                own = series.where.get(panel.by) if panel.by is not None else None
                colour = {"color": f"C{values.index(own) % 10}"} if own in values else {}
                _draw(ax, series, panel, rows, {}, None, colour, figure)
        title = panel.title(rows) if callable(panel.title) else panel.title
        finish_axes(
            ax,
            xlabel=panel.xlabel,
            ylabel=panel.ylabel,
            title=title,
            xscale=panel.xscale,
            yscale=panel.yscale,
        )
        for scale, set_scale in ((panel.xscale, ax.set_xscale), (panel.yscale, ax.set_yscale)):
            if scale == "symlog" and panel.linthresh is not None:
                set_scale("symlog", linthresh=panel.linthresh)
        if panel.xticks:
            _plain_ticks(ax, panel, rows)
        if panel.categories:
            ticks = range(len(panel.categories))
            ax.set_xticks(ticks, [panel.category_label(c) for c in panel.categories])
        if panel.ylim is not None:
            ax.set_ylim(*panel.ylim)
    for ax in list(axes.flat)[len(plot.panels) :]:
        ax.set_visible(False)
    return drawing

"""What a study is: figures, each a grid of points with a theory and a simulation.

A :class:`Figure` reads like the caption of a paper figure: its grid (per profile), its
``theory(params)``, its ``simulate(params, seed)`` and its ``plot(rows)``. Both functions return a
mapping of JSON-able values (floats, lists, strings). A simulation that diverged returns
``{"status": "diverged", "message": ..., **values}``; the sweep records that status on the row
instead of a silent number. An exception is recorded as status ``"error"`` with its message.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from distillab.errors import ConfigError

if TYPE_CHECKING:
    from matplotlib.figure import Figure as MplFigure

    from distillab.sweep.store import Row

__all__ = ["PROFILES", "Comparison", "Figure", "Profile", "Study"]

Profile = Literal["quick", "full"]
PROFILES: tuple[str, ...] = ("quick", "full")
Values = Mapping[str, Any]


@dataclass(frozen=True)
class Comparison:
    """One line of a figure's theory-vs-simulation agreement table.

    At every grid point the seed mean of the simulation value ``simulation`` is compared with the
    theory value ``theory`` (read from the point's theory row; if the figure has no theory row, the
    seed mean of that key in the simulation rows, for theories that depend on the seed's data).

    Attributes:
      simulation: key in the simulation values.
      theory: key in the theory values.
      tolerance: the stated tolerance on |sim − theory| (relative to |theory| when ``relative``).
      relative: relative or absolute error.
      label: what the line compares, for the report (say the scope if ``when`` is set).
      when: ``when(params) -> bool`` restricts the comparison to the points where the theory
        claims agreement (e.g. large widths for an asymptotic prediction); ``None``: all points.
    """

    simulation: str
    theory: str
    tolerance: float
    relative: bool = True
    label: str = ""
    when: Callable[[Mapping[str, Any]], bool] | None = None


@dataclass(frozen=True)
class Figure:
    """A figure of a study: grid per profile, theory, simulation, plot.

    Attributes:
      name: short kebab-case name (``study/name`` is its CLI target).
      title: one line for listings and the report.
      caption: what the figure shows and what the theory predicts (stated vs reconstructed).
      grid: profile (``"quick"``/``"full"``) → list of parameter points.
      plot: ``plot(rows) -> matplotlib.figure.Figure`` from this figure's result rows.
      theory: ``theory(params) -> values``, pure and fast; ``None`` if the theory needs the seed's
        data (then ``simulate`` returns the theory values alongside).
      simulate: ``simulate(params, seed) -> values``; ``None`` for theory-only figures.
      seeds: profile → default number of simulation seeds.
      compare: the agreement table's lines.
    """

    name: str
    title: str
    caption: str
    grid: Mapping[str, Sequence[Mapping[str, Any]]]
    plot: Callable[[Sequence[Row]], MplFigure]
    theory: Callable[[Mapping[str, Any]], Values] | None = None
    simulate: Callable[[Mapping[str, Any], int], Values] | None = None
    seeds: Mapping[str, int] = field(default_factory=lambda: {"quick": 2, "full": 5})
    compare: Sequence[Comparison] = ()

    def __post_init__(self) -> None:
        missing = [p for p in PROFILES if p not in self.grid]
        if missing:
            raise ConfigError(f"figure {self.name!r} has no grid for profile(s) {missing}.")
        if self.theory is None and self.simulate is None:
            raise ConfigError(f"figure {self.name!r} needs a theory or a simulation.")


@dataclass(frozen=True)
class Study:
    """A paper (or the library's own check) as an ordered set of figures.

    Attributes:
      name: the CLI name, e.g. ``"rahbar-2020"``.
      title: the paper's title or the study's subject.
      reference: citation and link.
      status_note: what in this study is stated by the paper and what is reconstructed.
      figures: the figures in display order.
    """

    name: str
    title: str
    reference: str
    status_note: str
    figures: tuple[Figure, ...]

    def figure(self, name: str) -> Figure:
        """The figure called ``name`` (raises :class:`ConfigError` if there is none)."""
        for figure in self.figures:
            if figure.name == name:
                return figure
        known = ", ".join(f.name for f in self.figures)
        raise ConfigError(f"study {self.name!r} has no figure {name!r} (it has: {known}).")

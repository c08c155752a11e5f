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

    from distillab.report.panels import Plot
    from distillab.studies.point import Point
    from distillab.sweep.store import Row

__all__ = [
    "ALL_POINTS",
    "PROFILES",
    "Claim",
    "Comparison",
    "Figure",
    "Profile",
    "Scaling",
    "Study",
    "Tolerance",
]

Profile = Literal["quick", "full"]
PROFILES: tuple[str, ...] = ("quick", "full")
Values = Mapping[str, Any]


Scope = Callable[[Any], bool]
Rate = Callable[[Any], float]

ALL_POINTS = "the theory claims every point of this grid"


@dataclass(frozen=True)
class Tolerance:
    """The pre-registered tolerance rule of a comparison, declared before any data is seen.

    At a grid point with simulation seed mean s̄, theory value θ and standard error s.e. (of the
    simulation seeds, or of the per-seed differences sim − θ when the theory is computed from each
    seed's own data), the point agrees when

        |s̄ − θ| ≤ z·s.e. + c·r(point)·(|θ| if relative else 1),

    the statistical part plus a finite-size allowance c·r with the rate r that the theory gives
    (e.g. r = d^(-1/2) or 1/m) and a constant c whose origin ``reason`` states. An exact
    prediction (closed form vs the same data) has s.e. = 0 and a round-off allowance.

    Attributes:
      reason: in words, why this rule: the source of the statistical part, the rate and c.
      z: multiple of the standard error (3 by default: a 0.3 % two-sided false alarm per point).
      allowance: the constant c of the finite-size allowance (0: none).
      rate: ``rate(point) -> r``; ``None`` means r = 1 (a fixed allowance, e.g. round-off).
      rate_label: the rate as a formula for the report, e.g. ``"m^-1/2"``.
      relative: the allowance is relative to |θ| (True) or absolute in the quantity's units.
    """

    reason: str
    z: float = 3.0
    allowance: float = 0.0
    rate: Rate | None = None
    rate_label: str = ""
    relative: bool = True

    def __post_init__(self) -> None:
        if not self.reason.strip():
            raise ConfigError("a tolerance rule needs a reason in words.")
        if not (self.z >= 0 and self.allowance >= 0):
            raise ConfigError(f"z and allowance must be >= 0, got {self.z}, {self.allowance}.")

    def describe(self) -> str:
        """The rule as one formula, e.g. ``|Δ| ≤ 3·s.e. + 0.8·m^-1/2·|θ|``."""
        parts = [f"{self.z:g}·s.e."] if self.z > 0 else []
        if self.allowance > 0:
            rate = f"·{self.rate_label}" if self.rate_label else ""
            scale = "·|θ|" if self.relative else ""
            parts.append(f"{self.allowance:g}{rate}{scale}")
        return "|Δ| ≤ " + (" + ".join(parts) if parts else "0")


@dataclass(frozen=True)
class Comparison:
    """One line of a figure's agreement table: a prediction that could be false.

    At every grid point in ``scope`` the seed mean of ``simulation`` is compared with the theory
    value ``theory`` under the rule ``tolerance``. Where the theory comes from is declared, never
    guessed: ``theory_from="theory"`` reads the point's theory row; ``"seed"`` reads each
    simulation row's own theory value (a prediction computed from that seed's data or network,
    stored under its own key), and the statistics are then those of the paired differences.

    A point in scope whose theory or simulation is missing, failed or non-finite fails the line.
    Out-of-scope points are counted and drawn greyed, never silently dropped.

    Attributes:
      simulation: key in the simulation values.
      theory: key in the theory values (or in the simulation rows' values for ``"seed"``).
      tolerance: the rule, with its reason.
      label: what the line claims, for the report.
      scope: ``scope(point) -> bool``, the theory's stated domain of validity; ``None``: all.
      scope_reason: why the theory claims exactly this scope (its stated domain, never "where
        it happened to agree").
      theory_from: ``"theory"`` or ``"seed"``, see above.
      scale: for the resolution: ``None`` mutates the theory relatively (θ → θ(1 ± ε)); a number
        or ``scale(point) -> float`` mutates it additively (θ → θ ± ε·scale), for references that
        are zero or cross zero; ``scale_reason`` says why that is the quantity's natural scale.
    """

    simulation: str
    theory: str
    tolerance: Tolerance
    label: str
    scope: Scope | None = None
    scope_reason: str = ALL_POINTS
    theory_from: Literal["theory", "seed"] = "theory"
    scale: float | Rate | None = None
    scale_reason: str = ""

    def __post_init__(self) -> None:
        _check_claim(self, "comparison")

    def in_scope(self, point: Mapping[str, Any]) -> bool:
        """Whether the theory claims agreement at ``point``."""
        return self.scope is None or bool(self.scope(point))


@dataclass(frozen=True)
class Scaling:
    """A finite-size-scaling line: the theory error shrinks at the rate the theory predicts.

    For an asymptotic theory (d, m or n → ∞) the error e(size) = mean over the in-scope points of
    that size of |s̄ − θ| (relative to |θ| when ``relative``) is measured at every value of the
    parameter ``size``; the line holds when there are ≥ 3 sizes and the least-squares slope of
    log e against log size is within ``slack`` of ``slope``. It replaces hand-picked cut-offs
    such as "m ≥ 4096".

    Attributes:
      simulation, theory, label, scope, scope_reason, theory_from, scale, scale_reason: as in
        :class:`Comparison`.
      size: the parameter that grows (e.g. ``"width"``).
      slope: the predicted log-log slope (e.g. −0.5 for m^(-1/2)).
      reason: where the predicted rate comes from.
      slack: allowed |fitted − predicted| (0.25 by default).
      relative: relative (default) or absolute errors.
    """

    simulation: str
    theory: str
    size: str
    slope: float
    reason: str
    label: str
    slack: float = 0.25
    relative: bool = True
    scope: Scope | None = None
    scope_reason: str = ALL_POINTS
    theory_from: Literal["theory", "seed"] = "theory"
    scale: float | Rate | None = None
    scale_reason: str = ""

    def __post_init__(self) -> None:
        if not self.reason.strip():
            raise ConfigError(f"scaling line {self.label!r} needs the reason for its rate.")
        _check_claim(self, "scaling line")

    def in_scope(self, point: Mapping[str, Any]) -> bool:
        """Whether the theory claims this point (and its size) for the scaling fit."""
        return self.scope is None or bool(self.scope(point))


Claim = Comparison | Scaling


def _check_claim(claim: Claim, kind: str) -> None:
    """The checks every agreement line shares: where its theory comes from, and the reasons."""
    if claim.theory_from not in ("theory", "seed"):
        raise ConfigError(f"theory_from must be 'theory' or 'seed', got {claim.theory_from!r}.")
    if claim.theory_from == "seed" and claim.theory == claim.simulation:
        raise ConfigError(
            f"{kind} {claim.label!r}: a theory computed from the seed's data needs its own key, "
            f"not the simulation's {claim.simulation!r}."
        )
    if claim.scope is not None and claim.scope_reason == ALL_POINTS:
        raise ConfigError(f"{kind} {claim.label!r}: a scope needs its reason.")
    if claim.scale is not None and not claim.scale_reason.strip():
        raise ConfigError(f"{kind} {claim.label!r}: an additive scale needs its reason.")


@dataclass(frozen=True)
class Figure:
    """A figure of a study: grid per profile, theory, simulation, plot.

    Attributes:
      name: short kebab-case name (``study/name`` is its CLI target).
      title: one line for listings and the report.
      caption: what the figure shows and what the theory predicts (stated vs reconstructed).
      grid: profile (``"quick"``/``"full"``) → list of parameter points.
      plot: a declarative :class:`~distillab.report.panels.Plot`, or for a drawing panels cannot
        express, ``plot(rows) -> matplotlib.figure.Figure``.
      theory: ``theory(point) -> values``, pure and fast; ``None`` if the theory needs the seed's
        data (then ``simulate`` returns the theory values alongside).
      simulate: ``simulate(point, seed) -> values``; ``None`` for theory-only figures.
      point: the figure's typed point (a :class:`~distillab.studies.point.Point` subclass): every
        grid point is validated when the figure is declared, and ``theory``, ``simulate`` and the
        comparisons' scopes receive point objects; ``None``: they receive the parameter mapping.
      seeds: profile → default number of simulation seeds.
      compare: the agreement table's lines (:class:`Comparison` and :class:`Scaling`).
    """

    name: str
    title: str
    caption: str
    grid: Mapping[str, Sequence[Mapping[str, Any]]]
    plot: Plot | Callable[[Sequence[Row]], MplFigure]
    theory: Callable[[Any], Values] | None = None
    simulate: Callable[[Any, int], Values] | None = None
    seeds: Mapping[str, int] = field(default_factory=lambda: {"quick": 2, "full": 5})
    compare: Sequence[Claim] = ()
    point: type[Point] | None = None

    def __post_init__(self) -> None:
        missing = [p for p in PROFILES if p not in self.grid]
        if missing:
            raise ConfigError(f"figure {self.name!r} has no grid for profile(s) {missing}.")
        if self.theory is None and self.simulate is None:
            raise ConfigError(f"figure {self.name!r} needs a theory or a simulation.")
        for claim in self.compare:
            if claim.theory_from == "theory" and self.theory is None:
                raise ConfigError(
                    f"figure {self.name!r}: comparison {claim.label!r} reads a theory row, but the "
                    "figure has no theory function (use theory_from='seed')."
                )
        if self.point is not None:
            for profile in PROFILES:
                for params in self.grid[profile]:
                    try:
                        self.point.of(params)
                    except ConfigError as error:
                        where = f"figure {self.name!r} ({profile} grid)"
                        raise ConfigError(f"{where}: {error}") from None

    def point_of(self, params: Mapping[str, Any]) -> Any:
        """The typed point of ``params`` (or the mapping itself when the figure has no type)."""
        return dict(params) if self.point is None else self.point.of(params)

    def draw(self, rows: Sequence[Row]) -> MplFigure:
        """The figure drawn from its result rows."""
        if callable(self.plot):
            return self.plot(list(rows))
        from distillab.report.panels import render

        return render(self.plot, rows, self)

    @property
    def module(self) -> str:
        """The module that defines the figure's computation (its code version's root)."""
        function = self.simulate if self.simulate is not None else self.theory
        return str(function.__module__) if function is not None else ""


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

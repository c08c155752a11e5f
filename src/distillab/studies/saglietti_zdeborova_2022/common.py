"""What every figure of the study shares: the base setting, the grid point, the theory of a point
and of the line segment that leads to it, the pre-registered agreement rules and the drawing.

A grid point (:class:`LinePoint`) holds the engine's parameters (sample_ratio, noise,
teacher_loss, teacher_reg, student_loss, student_reg, feature_fraction, hard_weight, temperature),
the simulation size ``d`` and ``segment_from``. Its theory row is
:func:`distillab.theory.replica_kd.solve` at those parameters; a saddle point that does not
converge becomes the row status ``"not-converged"`` with the solver's reason (and
``converged: False``), a failed point for every agreement line. Theory is milliseconds to a second
per point and a simulation seconds per seed, so lines are drawn more densely than they are
simulated: the theory row of a point also holds the line's values on the segment from the
previous simulated point (``segment_from``, exclusive) to this one, as lists under
``segment_<key>`` (:func:`with_segment`), which a plot draws with ``prepare=segment_rows``.

Base setting (model §4, "suggested"): Δ = 1, ρ = 0.5; λ → 0⁺ proxies 10⁻⁶ (square) and 10⁻⁴ (CE).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from distillab.report.panels import Line, Points, Reference
from distillab.studies.point import Point, within
from distillab.studies.spec import Comparison, Scaling, Tolerance

if TYPE_CHECKING:
    from distillab.sweep.store import Row

__all__ = [
    "ALPHA_LABEL",
    "BASE",
    "CE_RIDGELESS",
    "ENGINE_KEYS",
    "FINITE_SIZE",
    "SCALING_SIZES",
    "SEEDS",
    "SIZES",
    "SQUARE_RIDGELESS",
    "KDPoint",
    "LinePoint",
    "agreement_line",
    "along",
    "engine_params",
    "line_and_points",
    "line_points",
    "log_grid",
    "peaks",
    "scaling_line",
    "segment_rows",
    "simulate_pair",
    "theory_point",
    "with_segment",
]

ENGINE_KEYS: tuple[str, ...] = (
    "sample_ratio",
    "noise",
    "teacher_loss",
    "teacher_reg",
    "student_loss",
    "student_reg",
    "feature_fraction",
    "hard_weight",
    "temperature",
)
BASE: dict[str, Any] = {
    "noise": 1.0,
    "feature_fraction": 0.5,
    "hard_weight": 0.0,
    "temperature": 1.0,
}
# λ → 0⁺ proxies of model §3 "Ridgeless limits": finite minimisers at α ≤ ρ.
SQUARE_RIDGELESS = 1e-6
CE_RIDGELESS = 1e-4
# Simulation size and seeds per profile. ``overlaps`` also runs the finite-size-scaling sizes
# (:data:`SCALING_SIZES`).
SIZES = {"quick": 500, "full": 1000}
SEEDS = {"quick": 8, "full": 16}
SCALING_SIZES = {"quick": (250, 500, 1000), "full": (500, 1000, 2000)}
ALPHA_LABEL = "sample ratio $\\alpha = n/d$"

# The replica theory is exact as d → ∞ at fixed α, λ, ρ: the overlaps self-average with O(d^-1/2)
# fluctuations, so a finite-d seed mean deviates by the seed noise (the z = 3 statistical part)
# plus at most an O(d^-1/2) systematic part. Its constant c per quantity (relative to |θ| or in
# the quantity's units) is the largest excess of |s̄ − θ| over 3 s.e., times √d (and / |θ| when
# relative), measured by a pilot at d = 250 with seeds 100–107 (not the seeds of any profile) on
# every quick grid plus α = ρ and α = 1, rounded up (``FINITE_SIZE_PILOT``); c = 0 where no
# pilot point exceeded 3 s.e. The pilot's excesses sit at α ≤ 0.35 (test errors) and at the
# smallest α, where a training error is a few misclassified points (1/n granularity).
FINITE_SIZE_PILOT = "a pilot at d = 250, seeds 100–107, on the quick grids plus α = ρ and α = 1"
FINITE_SIZE: dict[str, tuple[float, bool]] = {
    "teacher_test_error": (0.069, True),
    "student_test_error": (0.11, True),
    "hard_student_test_error": (0.0, True),
    "gain": (0.0, False),
    "m_S": (0.0, True),
    "Q_S": (0.0, True),
    "Q_TS": (0.0, True),
    "student_train_error": (0.021, False),
    "teacher_train_error": (0.023, False),
    "agreement": (0.0, True),
}


@dataclass(frozen=True)
class KDPoint(Point):
    """One replica-KD setting (model §2) simulated at dimension d.

    Attributes:
      sample_ratio: α = n/d.
      noise: Δ, the within-cluster variance.
      teacher_loss, teacher_reg: ℓ_T and its ridge λ_T.
      student_loss, student_reg: ℓ_S and its ridge λ_S.
      feature_fraction: ρ, the fraction of the d features the student sees.
      hard_weight: η, the weight of the hard labels in the student's loss.
      temperature: τ of ``kd_ce``.
      d: the simulation's dimension.
    """

    sample_ratio: float = within(0)
    noise: float = within(0)
    teacher_loss: Literal["square", "logistic"]
    teacher_reg: float = within(0)
    student_loss: Literal["kd_sq", "kd_ce", "hard_sq", "hard_log"]
    student_reg: float = within(0)
    feature_fraction: float = within(0, 1)
    hard_weight: float = within(0, 1)
    temperature: float = within(0)
    d: int = within(1)


@dataclass(frozen=True)
class LinePoint(KDPoint):
    """A line's grid point; its segment starts at ``segment_from`` (:func:`with_segment`)."""

    segment_from: float = within(0)


def _inverse_sqrt_d(point: KDPoint) -> float:
    return float(point.d) ** -0.5


def agreement_line(key: str, what: str) -> Comparison:
    """The pre-registered theory-vs-simulation line for ``key`` at every grid point.

    Rule: |s̄ − θ| ≤ 3·s.e. + c·d^-1/2 (·|θ| for relative quantities), with c from
    :data:`FINITE_SIZE`. The scope is the whole grid: the theory claims every α, λ, η, ρ as
    d → ∞, interpolation peaks included.
    """
    c, relative = FINITE_SIZE[key]
    units = "relative to |θ|" if relative else "in the quantity's units"
    return Comparison(
        key,
        key,
        Tolerance(
            f"seed noise (z = 3) plus the O(d^-1/2) finite-size deviation of the replica limit "
            f"(self-averaging overlaps); c = {c:g} ({units}) is the largest excess of |Δ| over "
            f"3 s.e., times √d, in {FINITE_SIZE_PILOT}."
            if c > 0
            else "seed noise only (z = 3): no point of "
            f"{FINITE_SIZE_PILOT} exceeded 3 s.e., so the O(d^-1/2) allowance has c = 0.",
            allowance=c,
            rate=_inverse_sqrt_d,
            rate_label="d^-1/2",
            relative=relative,
        ),
        label=f"{what}, every point (d → ∞ replica limit)",
    )


def scaling_line(key: str, what: str) -> Scaling:
    """The finite-size-scaling line for ``key``: its mean error falls as d^-1/2 (≥ 3 sizes)."""
    return Scaling(
        key,
        key,
        size="d",
        slope=-0.5,
        reason=(
            "the overlaps self-average with O(d^-1/2) fluctuations, which dominate the error of a "
            "seed mean at these sizes (the systematic O(1/d) part would give −1)"
        ),
        label=f"{what}: theory error falls as d^-1/2",
        relative=FINITE_SIZE[key][1],
    )


def engine_params(point: KDPoint) -> dict[str, Any]:
    """The setting of :func:`~distillab.theory.replica_kd.solve` at a grid point."""
    return {key: getattr(point, key) for key in ENGINE_KEYS}


def theory_point(point: KDPoint) -> dict[str, Any]:
    """Order parameters, errors and Bayes limits of a grid point (status if not converged)."""
    from distillab.theory.replica_kd import solve

    result = solve(engine_params(point))
    values = result.as_dict()
    del values["status"]
    values["converged"] = bool(result.converged)
    if not result.converged:
        return {"status": "not-converged", "message": result.status, **values}
    return values


def with_segment(
    theory: Callable[[LinePoint], dict[str, Any]],
    x: str,
    count: int,
    *,
    log: bool = True,
    include: Sequence[float] = (),
) -> Callable[[LinePoint], dict[str, Any]]:
    """``theory`` at a grid point plus its line segment from ``point.segment_from``.

    The segment holds ``count`` points strictly after ``segment_from`` and strictly before the
    point (log- or linearly spaced in ``x``) and any of ``include`` that fall inside it (e.g. an
    interpolation peak). Every numeric value of those points is stored as a list
    ``segment_<key>``; a point that does not converge is left out of the segment.
    """

    def point_and_segment(point: LinePoint) -> dict[str, Any]:
        values = theory(point)
        start, stop = point.segment_from, getattr(point, x)
        if start == stop or values.get("status", "ok") != "ok":
            return values
        space = np.geomspace if log else np.linspace
        inner = [float(v) for v in space(start, stop, count + 2)[1:-1]]
        inner += [v for v in include if min(start, stop) < v < max(start, stop)]
        segment: dict[str, list[Any]] = {}
        for value in sorted(inner):
            at = theory(dataclasses.replace(point, **{x: value}))
            if at.get("status", "ok") != "ok":
                continue
            for key, item in at.items():
                if isinstance(item, float) and math.isfinite(item):
                    segment.setdefault(f"segment_{key}", []).append(item)
            segment.setdefault(f"segment_{x}", []).append(value)
        return {**values, **segment}

    return point_and_segment


def simulate_pair(point: KDPoint, seed: int) -> dict[str, Any]:
    """Teacher and student trained on one sample, measured (:func:`.simulation.simulate_point`)."""
    from distillab.studies.saglietti_zdeborova_2022.simulation import simulate_point

    return simulate_point(point, seed)


def line_points(values: Sequence[float]) -> list[tuple[float, float]]:
    """(value, segment_from) pairs along a line: each segment starts at the previous value."""
    ordered = sorted(values)
    return list(zip(ordered, [ordered[0], *ordered[:-1]], strict=True))


def along(x: str, values: Sequence[float], **fixed: Any) -> list[dict[str, Any]]:
    """The grid points of one line over ``x``: :data:`BASE`, ``fixed`` and each segment's start."""
    return [
        {**BASE, **fixed, x: value, "segment_from": start} for value, start in line_points(values)
    ]


def log_grid(low: float, high: float, count: int, extra: Sequence[float] = ()) -> list[float]:
    """``count`` log-spaced values in [low, high] and ``extra``, to 4 significant digits."""
    values = np.concatenate([np.geomspace(low, high, count), np.asarray(extra, dtype=float)])
    return sorted({float(f"{v:.4g}") for v in values})


def line_and_points(
    y: str,
    *,
    color: str | None,
    label: str,
    where: dict[str, Any] | None = None,
    fmt: str = "o",
    **line_style: Any,
) -> tuple[Line, Points]:
    """A theory line (drawn with ``line_style``) and its simulation points in one colour: seed
    mean ± s.e. with marker ``fmt``, unlabelled (the line carries ``label``); ``color=None``: the
    panel's colour per ``by`` value."""
    where = where or {}
    return (
        Line(y, color=color, label=label, where=where, style=line_style),
        Points(y, color=color, where=where, style={"fmt": fmt}),
    )


def peaks(*, teacher: bool = False) -> tuple[Reference, ...]:
    """Dotted vertical lines at α = ρ (student peak) and, with ``teacher``, at α = 1."""
    dotted = {"linestyle": ":", "style": {"linewidth": 1}, "axis": "x"}
    rho = Reference(BASE["feature_fraction"], color="0.6", **dotted)
    return (rho, Reference(1.0, color="0.8", **dotted)) if teacher else (rho,)


def segment_rows(rows: Sequence[Row]) -> list[Row]:
    """``rows`` and, for every ok theory row, one theory row per point of its stored segment.

    A segment point's row has the segment's ``x`` in its parameters and, as values, every key
    whose ``segment_<key>`` list is as long as ``segment_<x>``.
    """
    expanded = list(rows)
    for row in rows:
        if row.kind != "theory" or not row.ok:
            continue
        for x in (name for name in row.params if f"segment_{name}" in row.values):
            xs = row.values[f"segment_{x}"]
            lists = {
                key.removeprefix("segment_"): items
                for key, items in row.values.items()
                if key.startswith("segment_") and len(items) == len(xs)
            }
            expanded += [
                dataclasses.replace(
                    row,
                    params={**row.params, x: value},
                    values={key: items[index] for key, items in lists.items()},
                )
                for index, value in enumerate(xs)
            ]
    return expanded

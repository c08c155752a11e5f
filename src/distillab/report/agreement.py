"""Theory-vs-simulation agreement: each figure's pre-registered claims checked on its rows.

Every :class:`~distillab.studies.Comparison` and :class:`~distillab.studies.Scaling` of a figure
becomes one :class:`AgreementLine`. Nothing vanishes: a point in scope whose theory or simulation
is missing, failed or non-finite fails the line and is listed; out-of-scope points are counted; a
line with no point in scope fails.

The **resolution** of a line is the smallest theory error it detects on this data: the theory
values are mutated, θ → θ(1 ± ε) (or θ ± ε·scale for a declared additive scale), and ε is the
smallest value at which the line fails, for both signs (the larger of the two is reported). A
line whose resolution is 5 % would have caught a theory 5 % off.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from distillab.studies import Claim, Comparison, Figure, Scaling
from distillab.sweep.grid import canonical_params
from distillab.sweep.store import Row

__all__ = [
    "AgreementLine",
    "FailedPoint",
    "agreement",
    "describe_resolution",
    "mutated_rows",
]

_EPS_START = 1e-7
_EPS_STOP = 1e7
_BISECTIONS = 40


@dataclass(frozen=True)
class FailedPoint:
    """An in-scope point that could not be compared, or that disagreed.

    Attributes:
      params: the grid point.
      reason: what is missing, failed or non-finite, or by how much it disagreed.
    """

    params: Mapping[str, Any]
    reason: str


@dataclass(frozen=True)
class AgreementLine:
    """One claim checked over a figure's grid points.

    Attributes:
      claim: the comparison or scaling line.
      points_total: grid points of the figure seen in the store.
      points_in_scope: of those, the points the claim's scope covers.
      failed: in-scope points that are missing/failed/non-finite or disagree (listed).
      median_error, max_error: |s̄ − θ| over compared points, relative to |θ| when the rule is
        relative, else in the quantity's units.
      max_z: the largest |s̄ − θ| / s.e. over points with ≥ 2 seeds (``nan`` if none).
      worst: the parameters of the point with the largest error (empty if none).
      passed: every in-scope point compared and within the rule (scaling: slope within slack).
      resolution: the smallest theory error ε the line detects (both signs); ``inf`` if no
        mutation makes it fail, 0 if it fails unmutated.
      slope: fitted log-log slope of the error (scaling lines), else ``nan``.
      sizes: the sizes used by a scaling fit, with their mean errors.
    """

    claim: Claim
    points_total: int
    points_in_scope: int
    failed: tuple[FailedPoint, ...]
    median_error: float
    max_error: float
    max_z: float
    worst: Mapping[str, Any]
    passed: bool
    resolution: float
    slope: float = math.nan
    sizes: tuple[tuple[float, float], ...] = ()


@dataclass(frozen=True)
class _Point:
    params: Mapping[str, Any]
    typed: Any
    sims: NDArray[np.float64]
    thetas: NDArray[np.float64]
    scale: float
    problem: str


def _values(rows: Sequence[Row], key: str) -> tuple[NDArray[np.float64], str]:
    """Values of ``key`` over rows, or a reason why they cannot be used."""
    bad = [r for r in rows if not r.ok]
    if bad:
        statuses = ", ".join(sorted({r.status for r in bad}))
        message = next((r.message for r in bad if r.message), "")
        return np.empty(0), f"{len(bad)} of {len(rows)} rows {statuses}" + (
            f" ({message[:120]})" if message else ""
        )
    if not rows:
        return np.empty(0), "no rows"
    missing = [r for r in rows if key not in r.values]
    if missing:
        return np.empty(0), f"{key!r} missing in {len(missing)} of {len(rows)} rows"
    try:
        values = np.asarray([float(r.values[key]) for r in rows], dtype=np.float64)
    except (TypeError, ValueError):
        return np.empty(0), f"{key!r} is not a number"
    if not np.all(np.isfinite(values)):
        return values, f"{key!r} is not finite"
    return values, ""


def _points(
    claim: Claim,
    rows: Sequence[Row],
    expected: Sequence[Mapping[str, Any]],
    point_of: Callable[[Mapping[str, Any]], Any],
) -> tuple[list[_Point], int]:
    """The in-scope points of ``claim`` with their data, and the number of points in total.

    ``point_of`` turns stored parameters into what the claim's scope, rate and scale take (the
    figure's typed point).
    """
    theory: dict[str, list[Row]] = defaultdict(list)
    simulation: dict[str, list[Row]] = defaultdict(list)
    params: dict[str, Mapping[str, Any]] = {canonical_params(p): p for p in expected}
    for row in rows:
        key = canonical_params(row.params)
        params.setdefault(key, row.params)
        (theory if row.kind == "theory" else simulation)[key].append(row)
    points = []
    for key, point in params.items():
        typed = point_of(point)
        if not claim.in_scope(typed):
            continue
        sims, problem = _values(simulation[key], claim.simulation)
        problem = f"simulation: {problem}" if problem else ""
        if claim.theory_from == "seed":
            thetas, theory_problem = _values(simulation[key], claim.theory)
        else:
            thetas, theory_problem = _values(theory[key], claim.theory)
            if not theory_problem and len(thetas) > 1:
                thetas = thetas[-1:]
        if theory_problem:
            problem = "; ".join(p for p in (problem, f"theory: {theory_problem}") if p)
        scale = math.nan
        if claim.scale is not None:
            scale = float(claim.scale(typed) if callable(claim.scale) else claim.scale)
        points.append(_Point(point, typed, sims, thetas, scale, problem))
    return points, len(params)


def _mutate(point: _Point, eps: float) -> NDArray[np.float64]:
    if math.isnan(point.scale):
        return point.thetas * (1.0 + eps)
    return point.thetas + eps * point.scale


@dataclass(frozen=True)
class _Checked:
    passed: bool
    errors: list[float]
    zs: list[float]
    failed: list[FailedPoint]
    slope: float = math.nan
    sizes: tuple[tuple[float, float], ...] = ()


def _difference(claim: Claim, point: _Point, eps: float) -> tuple[float, float, float]:
    """(Δ = s̄ − θ, its standard error, θ̄) at the theory mutation ``eps``."""
    thetas = _mutate(point, eps)
    diffs = point.sims - (thetas if claim.theory_from == "seed" else thetas[0])
    k = len(diffs)
    sem = float(np.std(diffs, ddof=1) / math.sqrt(k)) if k > 1 else 0.0
    return float(np.mean(diffs)), sem, float(np.mean(thetas))


def _error(claim: Claim, delta: float, theta: float) -> float:
    relative = claim.relative if isinstance(claim, Scaling) else claim.tolerance.relative
    if not relative:
        return abs(delta)
    return abs(delta) / abs(theta) if theta != 0 else (0.0 if delta == 0 else math.inf)


def _check(claim: Claim, points: Sequence[_Point], eps: float) -> _Checked:
    failed = [FailedPoint(p.params, p.problem) for p in points if p.problem]
    usable = [p for p in points if not p.problem]
    errors, zs = [], []
    by_size: dict[float, list[float]] = defaultdict(list)
    for point in usable:
        delta, sem, theta = _difference(claim, point, eps)
        error = _error(claim, delta, theta)
        errors.append(error)
        if len(point.sims) > 1:
            zs.append(abs(delta) / sem if sem > 0 else (0.0 if delta == 0 else math.inf))
        if isinstance(claim, Comparison):
            rule = claim.tolerance
            rate = 1.0 if rule.rate is None else float(rule.rate(point.typed))
            bound = rule.z * sem + rule.allowance * rate * (abs(theta) if rule.relative else 1.0)
            if not abs(delta) <= bound:
                failed.append(FailedPoint(point.params, f"|Δ| = {abs(delta):.4g} > {bound:.4g}"))
        else:
            by_size[float(point.params[claim.size])].append(error)
    if isinstance(claim, Scaling):
        sizes = tuple(sorted((s, float(np.mean(e))) for s, e in by_size.items()))
        slope = math.nan
        if len(sizes) >= 3 and all(e > 0 and math.isfinite(e) for _, e in sizes):
            x = np.log([s for s, _ in sizes])
            y = np.log([e for _, e in sizes])
            slope = float(np.polyfit(x, y, 1)[0])
        ok = math.isfinite(slope) and abs(slope - claim.slope) <= claim.slack
        passed = ok and not failed and bool(usable)
        return _Checked(passed, errors, zs, failed, slope, sizes)
    return _Checked(not failed and bool(usable), errors, zs, failed)


def _first_failure(claim: Claim, points: Sequence[_Point], sign: float) -> float:
    """The smallest ε ≥ 0 from which on every mutation sign·ε makes the line fail (inf if none).

    A comparison passes on an interval of ε around 0 (each point's pass region is an interval),
    so the first failure found by doubling and bisection is the threshold. A scaling line is
    not monotone: a mutation can cancel the finite-size error at the largest sizes and pass
    again further out, so its ε axis is scanned (factor 1.1) for the last passing value first.
    """
    if not _check(claim, points, 0.0).passed:
        return 0.0
    low, eps = 0.0, _EPS_START
    factor = 1.1 if isinstance(claim, Scaling) else 2.0
    high = math.inf
    while eps <= _EPS_STOP:
        if _check(claim, points, sign * eps).passed:
            low, high = eps, math.inf
        elif math.isinf(high):
            high = eps
            if factor == 2.0:
                break
        eps *= factor
    if math.isinf(high):
        return math.inf
    for _ in range(_BISECTIONS):
        middle = 0.5 * (low + high)
        if _check(claim, points, sign * middle).passed:
            low = middle
        else:
            high = middle
    return high


def _line(
    claim: Claim,
    rows: Sequence[Row],
    expected: Sequence[Mapping[str, Any]],
    point_of: Callable[[Mapping[str, Any]], Any],
) -> AgreementLine:
    points, total = _points(claim, rows, expected, point_of)
    checked = _check(claim, points, 0.0)
    usable = [p for p in points if not p.problem]
    worst: Mapping[str, Any] = {}
    if checked.errors:
        worst = usable[int(np.argmax(checked.errors))].params
    resolution = max(_first_failure(claim, points, +1.0), _first_failure(claim, points, -1.0))
    return AgreementLine(
        claim=claim,
        points_total=total,
        points_in_scope=len(points),
        failed=tuple(checked.failed),
        median_error=float(np.median(checked.errors)) if checked.errors else math.nan,
        max_error=float(max(checked.errors)) if checked.errors else math.nan,
        max_z=float(max(checked.zs)) if checked.zs else math.nan,
        worst=worst,
        passed=checked.passed,
        resolution=resolution,
        slope=checked.slope,
        sizes=checked.sizes,
    )


def agreement(
    figure: Figure, rows: Sequence[Row], expected: Sequence[Mapping[str, Any]] = ()
) -> list[AgreementLine]:
    """One :class:`AgreementLine` per claim of ``figure``, from its rows (any status).

    ``expected``: grid points that should have rows (e.g. the grid of the profile that was run);
    one with no rows at all is a missing point, not a vanished one.
    """
    return [_line(claim, rows, expected, figure.point_of) for claim in figure.compare]


def mutated_rows(
    claim: Claim,
    rows: Sequence[Row],
    eps: float,
    point_of: Callable[[Mapping[str, Any]], Any] = dict,
) -> list[Row]:
    """``rows`` with the theory values of ``claim`` mutated by ``eps`` (signed).

    ``point_of``: the figure's :meth:`~distillab.studies.Figure.point_of`, for an additive scale
    that reads the point.

    θ → θ(1 + eps), or θ + eps·scale when the claim declares an additive scale. Theory rows are
    changed for ``theory_from="theory"``, the simulation rows' theory key for ``"seed"``. Used to
    prove that a line can fail (``tests/report/test_agreement_mutation.py``).
    """
    kind = "theory" if claim.theory_from == "theory" else "simulation"
    out = []
    for row in rows:
        value = row.values.get(claim.theory)
        if row.kind != kind or not isinstance(value, int | float) or isinstance(value, bool):
            out.append(row)
            continue
        if claim.scale is None:
            new = float(value) * (1.0 + eps)
        else:
            scale = claim.scale(point_of(row.params)) if callable(claim.scale) else claim.scale
            new = float(value) + eps * float(scale)
        out.append(replace(row, values={**row.values, claim.theory: new}))
    return out


def describe_resolution(line: AgreementLine) -> str:
    """The resolution in words, e.g. ``"detects ≥ 3.1 % theory error"``."""
    if line.resolution == 0:
        return "fails as measured"
    if not math.isfinite(line.resolution):
        return "detects no theory error (cannot fail)"
    if line.claim.scale is None:
        return f"detects ≥ {100 * line.resolution:.3g} % theory error"
    return f"detects ≥ {line.resolution:.3g} × scale ({line.claim.scale_reason})"

"""Theory-vs-simulation agreement per figure, from its :class:`Comparison` lines."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from distillab.studies import Comparison, Figure
from distillab.sweep.grid import canonical_params
from distillab.sweep.store import Row

__all__ = ["AgreementLine", "agreement"]


@dataclass(frozen=True)
class AgreementLine:
    """Summary of one comparison over a figure's grid points.

    Attributes:
      comparison: what was compared.
      points: grid points with both a theory value and at least one simulation seed.
      median_error, max_error: |sim mean − theory| (relative to |theory| if the comparison is).
      max_z: the largest |sim mean − theory| / standard error over points with ≥ 2 seeds.
      worst: the parameters of the point with the largest error.
      passed: every point within the comparison's tolerance.
    """

    comparison: Comparison
    points: int
    median_error: float
    max_error: float
    max_z: float
    worst: str
    passed: bool


def agreement(figure: Figure, rows: Sequence[Row]) -> list[AgreementLine]:
    """Compute the agreement table of ``figure`` from its rows (status ``"ok"`` only)."""
    theory: dict[str, Row] = {}
    simulation: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        if not row.ok:
            continue
        key = canonical_params(row.params)
        if row.kind == "theory":
            theory[key] = row
        else:
            simulation[key].append(row)
    lines = []
    for comparison in figure.compare:
        errors, zs, keys = [], [], []
        for key, sims in simulation.items():
            if comparison.when is not None and not comparison.when(sims[0].params):
                continue
            sim_values = [
                float(r.values[comparison.simulation])
                for r in sims
                if comparison.simulation in r.values
            ]
            if key in theory and comparison.theory in theory[key].values:
                reference = float(theory[key].values[comparison.theory])
            else:
                own = [
                    float(r.values[comparison.theory])
                    for r in sims
                    if comparison.theory in r.values
                ]
                reference = float(np.mean(own)) if own else float("nan")
            if not sim_values or not np.isfinite(reference):
                continue
            mean = float(np.mean(sim_values))
            difference = abs(mean - reference)
            scale = abs(reference) if comparison.relative else 1.0
            errors.append(difference / scale if scale > 0 else float("inf"))
            if len(sim_values) > 1:
                sem = float(np.std(sim_values, ddof=1) / np.sqrt(len(sim_values)))
                zs.append(difference / sem if sem > 0 else (0.0 if difference == 0 else math.inf))
            keys.append(key)
        if not errors:
            continue
        worst = int(np.argmax(errors))
        lines.append(
            AgreementLine(
                comparison=comparison,
                points=len(errors),
                median_error=float(np.median(errors)),
                max_error=float(errors[worst]),
                max_z=float(max(zs)) if zs else float("nan"),
                worst=keys[worst],
                passed=bool(max(errors) <= comparison.tolerance),
            )
        )
    return lines

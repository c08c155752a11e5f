"""Timing helpers shared by the benchmarks: medians of repeats, wall and CPU time together."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Timing:
    """Median wall and CPU seconds over repeats."""

    wall: float
    cpu: float

    def __str__(self) -> str:
        return f"{self.wall * 1e3:9.2f} ms wall, {self.cpu * 1e3:9.2f} ms CPU"


def measure(function: Callable[[], object], *, repeats: int = 5, warmup: int = 1) -> Timing:
    """Median wall-clock and process CPU time of ``function()`` over ``repeats`` runs."""
    for _ in range(warmup):
        function()
    walls, cpus = [], []
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        function()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return Timing(statistics.median(walls), statistics.median(cpus))

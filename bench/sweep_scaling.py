"""Sweep throughput with 2 local worker processes vs 1 (each worker single-threaded).

The tasks are the simulation tasks of ``kernels/lazy-training`` at the full profile up to width
8192, two seeds (16 tasks of 0.05–1 s: training a wide network each). "1 worker" runs them in
this process limited to one BLAS/torch thread, so the comparison isolates the executor's
parallelism. Goal: ≥ 1.8× on 2 cores.

Run: ``python bench/sweep_scaling.py``.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from distillab.studies import resolve_targets
from distillab.sweep import expand_tasks, local_executor
from distillab.sweep.executor import single_thread


def main() -> dict[str, float]:
    """Print and return tasks per second with one and two workers, and their ratio."""
    figures = resolve_targets(["kernels/lazy-training"])
    tasks = [
        t
        for t in expand_tasks(figures, profile="full", seeds=2)
        if t.kind == "simulation" and t.params["width"] <= 8192
    ]
    list(local_executor(2)(tasks[:4]))  # start the worker pool once
    start = time.perf_counter()
    two = list(local_executor(2)(tasks))
    two_time = time.perf_counter() - start
    single_thread()
    start = time.perf_counter()
    one = list(local_executor(1)(tasks))
    one_time = time.perf_counter() - start
    assert len(one) == len(two) == len(tasks)
    print(f"{len(tasks)} simulation tasks of kernels/lazy-training (full grid, m ≤ 8192)")
    print(f"  1 worker : {one_time:6.2f} s  ({len(tasks) / one_time:5.2f} tasks/s)")
    print(f"  2 workers: {two_time:6.2f} s  ({len(tasks) / two_time:5.2f} tasks/s)")
    print(f"  speed-up : ×{one_time / two_time:.2f}")
    return {"one_worker_s": one_time, "two_workers_s": two_time, "speedup": one_time / two_time}


if __name__ == "__main__":
    main()

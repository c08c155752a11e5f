"""Run every benchmark, each in its own process, and print the goals table.

Each ``bench/<name>.py`` exposes ``main() -> dict[str, float]``; running them in separate processes
keeps one benchmark's thread limits and caches from touching the next. Ratios are measured within
one run of each benchmark, never compared across machines.

Run: ``python bench/run_all.py`` (add benchmark names to run a subset).
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ORDER = (
    "kernel_kd",
    "replica",
    "linearized_kd",
    "deep_linear_kd",
    "teacher_cache",
    "sweep_scaling",
    "self_distillation",
    "weak_to_strong",
    "fast_start",
)
MARK = "BENCH-RESULT "

# (benchmark, result key, label, goal as (comparison, value) or None to report only)
GOALS = (
    ("fast_start", "list_seconds", "fast start: `distillab list` (s)", ("<=", 0.5)),
    ("fast_start", "bad_input_seconds", "fast start: a bad-input error (s)", ("<=", 0.5)),
    ("fast_start", "list_over_import_torch", "fast start: `distillab list` / `import torch`", None),
    (
        "self_distillation",
        "network_over_closed_form_wall",
        "self-distillation: repeated network distillation / closed form",
        None,
    ),
    (
        "weak_to_strong",
        "monte_carlo_over_closed_form_wall",
        "weak-to-strong: Monte Carlo risk curves / deterministic equivalent",
        None,
    ),
    (
        "kernel_kd",
        "network_over_closed_form_wall",
        "kernel KD: wide-net training / closed form",
        (">=", 1000.0),
    ),
    ("kernel_kd", "closed_form_over_eigh_wall", "kernel KD: closed form / one eigh", ("<=", 1.5)),
    ("replica", "square_curve_seconds_wall", "replica: 40-point square curve (s)", ("<=", 1.0)),
    (
        "replica",
        "logistic/CE_curve_seconds_wall",
        "replica: 40-point logistic/kd_ce curve (s)",
        ("<=", 5.0),
    ),
    (
        "replica",
        "square_simulation_16_seeds_over_curve_wall",
        "replica: finite-d simulation (16 seeds) / curve, square",
        (">=", 100.0),
    ),
    (
        "replica",
        "logistic/CE_simulation_16_seeds_over_curve_wall",
        "replica: finite-d simulation (16 seeds) / curve, kd_ce",
        (">=", 100.0),
    ),
    (
        "replica",
        "logistic/CE_simulation_1_seeds_over_curve_wall",
        "replica: finite-d simulation (1 seed) / curve, kd_ce",
        None,
    ),
    (
        "teacher_cache",
        "cached_over_student",
        "KD epoch, cached teacher / student-only epoch",
        ("<=", 1.1),
    ),
    (
        "teacher_cache",
        "uncached_over_student",
        "KD epoch, teacher every batch / student-only",
        None,
    ),
    ("sweep_scaling", "speedup", "sweep: 2 local workers / 1 worker", (">=", 1.8)),
)


def _run(name: str) -> tuple[dict[str, float], str, float]:
    code = (
        f"import json, sys; sys.path.insert(0, {str(BENCH)!r}); import {name}; "
        f"print({MARK!r} + json.dumps({name}.main()))"
    )
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=BENCH.parent, timeout=1800
    )
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        return {}, done.stdout + done.stderr, elapsed
    lines = done.stdout.splitlines()
    results = json.loads(next(line for line in lines if line.startswith(MARK))[len(MARK) :])
    return results, "\n".join(line for line in lines if not line.startswith(MARK)), elapsed


def main(names: list[str]) -> int:
    """Run the named benchmarks (default: all), print their output and the goals table."""
    chosen = names or [n for n in ORDER if (BENCH / f"{n}.py").exists()]
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, {platform.platform()}"
    )
    results: dict[str, dict[str, float]] = {}
    failed = False
    for name in chosen:
        print(f"\n=== {name} ===")
        values, output, elapsed = _run(name)
        print(output.rstrip())
        print(f"({elapsed:.1f} s)")
        results[name] = values
        failed |= not values
    print("\n| benchmark | measured | goal | met |\n|---|---|---|---|")
    for bench, key, label, goal in GOALS:
        if bench not in results or key not in results[bench]:
            continue
        value = results[bench][key]
        if goal is None:
            print(f"| {label} | {value:.3g} | (reported) | |")
            continue
        comparison, target = goal
        met = value >= target if comparison == ">=" else value <= target
        print(f"| {label} | {value:.3g} | {comparison} {target:g} | {'yes' if met else 'NO'} |")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

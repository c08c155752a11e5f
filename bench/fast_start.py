"""Start-up cost of the CLI paths a user waits on, against importing torch (what they used to load).

Each command runs as a fresh process (the way a user runs it), best of ``REPEATS`` wall times:
``distillab --help``, ``distillab list`` (every study registered), a bad-input error, and
``python -c "import torch"`` as the reference. The ratios read: listing the studies costs this
fraction of importing torch alone. Bytecode caching is left as the environment has it (a fresh
clone under ``PYTHONDONTWRITEBYTECODE=1`` recompiles every module on each start).

Run: ``python bench/fast_start.py`` (≈ 15 s).
"""

from __future__ import annotations

import subprocess
import sys
import time

REPEATS = 7
COMMANDS = {
    "help": [sys.executable, "-m", "distillab.cli", "--help"],
    "list": [sys.executable, "-m", "distillab.cli", "list"],
    "bad_input": [sys.executable, "-m", "distillab.cli", "reproduce", "no-such-study"],
    "import_torch": [sys.executable, "-c", "import torch"],
}


def best_wall(command: list[str]) -> float:
    """The fastest of ``REPEATS`` runs of ``command`` as a new process (one warm-up first)."""
    times = []
    for _ in range(REPEATS + 1):
        start = time.perf_counter()
        subprocess.run(command, capture_output=True, check=False)
        times.append(time.perf_counter() - start)
    return min(times[1:])


def main() -> dict[str, float]:
    seconds = {name: best_wall(command) for name, command in COMMANDS.items()}
    for name, value in seconds.items():
        print(f"{name:>13}: {value:6.3f} s (best of {REPEATS})")
    results = {f"{name}_seconds": value for name, value in seconds.items()}
    for name in ("list", "bad_input"):
        results[f"{name}_over_import_torch"] = seconds[name] / seconds["import_torch"]
        print(f"{name} / import torch: {results[f'{name}_over_import_torch']:.2f}")
    return results


if __name__ == "__main__":
    main()

"""Run the points of chosen figures into the store: expand, skip what is done, execute, record."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from distillab.errors import ConfigError
from distillab.provenance import code_version, figure_version, provenance
from distillab.studies import Figure, Profile, Study
from distillab.sweep.executor import Executor, Task, local_executor
from distillab.sweep.grid import canonical_params, override_grid
from distillab.sweep.interrupt import deferred_interrupt
from distillab.sweep.store import THEORY_SEED, ResultStore, Row

__all__ = ["SweepSummary", "expand_tasks", "run_sweep"]


@dataclass(frozen=True)
class SweepSummary:
    """Counts and timing of one sweep.

    Attributes:
      total: tasks in the chosen grids.
      skipped: tasks already final in the store (resumed).
      computed: tasks run now.
      statuses: status → count among the computed tasks.
      wall_time: seconds for the whole sweep.
      run_id: the store's id of this sweep.
    """

    total: int
    skipped: int
    computed: int
    statuses: Mapping[str, int]
    wall_time: float
    run_id: int

    @property
    def points_per_second(self) -> float:
        """Computed tasks per wall-clock second."""
        return self.computed / self.wall_time if self.wall_time > 0 else 0.0


def expand_tasks(
    figures: Sequence[tuple[Study, Figure]],
    *,
    profile: Profile,
    seeds: int | None = None,
    overrides: Mapping[str, list[Any]] | None = None,
) -> list[Task]:
    """All tasks of the chosen figures: theory first, then simulations seed by seed.

    ``seeds`` overrides each figure's default number of seeds for the profile; ``overrides``
    replaces axes of every figure's grid (:func:`~distillab.sweep.grid.override_grid`).
    """
    if seeds is not None and seeds < 1:
        raise ConfigError(f"seeds must be at least 1, got {seeds}.")
    theory: list[Task] = []
    simulation: list[Task] = []
    for study, figure in figures:
        n_seeds = seeds if seeds is not None else figure.seeds.get(profile, 1)
        for params in override_grid(list(figure.grid[profile]), overrides or {}):
            if figure.theory is not None:
                theory.append(Task(study.name, figure.name, "theory", dict(params), None))
            if figure.simulate is not None:
                simulation.extend(
                    Task(study.name, figure.name, "simulation", dict(params), seed)
                    for seed in range(n_seeds)
                )
    return theory + simulation


def _pending(
    tasks: Sequence[Task], store: ResultStore, versions: Mapping[tuple[str, str], str]
) -> list[Task]:
    done: dict[tuple[str, str], set[tuple[str, int, str]]] = {}
    pending = []
    for task in tasks:
        key = (task.study, task.figure)
        if key not in done:
            done[key] = store.final_keys(task.study, task.figure, versions[key])
        seed = THEORY_SEED if task.seed is None else task.seed
        if (canonical_params(task.params), seed, task.kind) not in done[key]:
            pending.append(task)
    return pending


def _checked_version(row: Row, version: str) -> Row:
    """Refuse a row computed by other code (a remote worker with another installation)."""
    if row.code_version in ("", version):
        return row
    return replace(
        row,
        status="error",
        values={},
        message=f"computed by code version {row.code_version}, but this sweep runs {version}; "
        "install the same distillab on every worker.",
    )


def run_sweep(
    figures: Sequence[tuple[Study, Figure]],
    store: ResultStore,
    *,
    profile: Profile = "quick",
    seeds: int | None = None,
    jobs: int = 1,
    executor: Executor | None = None,
    command: str = "",
    show_progress: bool = True,
    overrides: Mapping[str, list[Any]] | None = None,
) -> SweepSummary:
    """Compute every missing row of ``figures`` and write each to ``store`` as it finishes.

    Interrupting (Ctrl-C, a killed process) loses at most the tasks in flight: finished rows are
    committed one by one (a Ctrl-C during a commit waits for it), the ``KeyboardInterrupt``
    propagates to the caller, and the next run skips the finished rows. The progress bar, if
    shown, goes to stderr.
    """
    version = code_version()
    versions = {(s.name, f.name): figure_version(f) for s, f in figures}
    tasks = expand_tasks(figures, profile=profile, seeds=seeds, overrides=overrides)
    pending = _pending(tasks, store, versions)
    executor = executor or local_executor(jobs)
    seed_note = {f"{s.name}/{f.name}": seeds or f.seeds.get(profile, 1) for s, f in figures}
    run_id = store.start_run(
        command=command,
        profile=profile,
        seeds=seed_note,
        jobs=jobs,
        code_version=version,
        provenance={
            **provenance(),
            "figure_versions": {f"{s}/{f}": v for (s, f), v in versions.items()},
            "overrides": dict(overrides or {}),
        },
    )
    statuses: Counter[str] = Counter()
    start = time.perf_counter()
    progress = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),  # stdout carries the summary, stderr the progress
        disable=not show_progress,
        transient=False,
    )
    try:
        with progress:
            bar = progress.add_task(
                f"{len(tasks) - len(pending)} resumed, computing",
                total=len(tasks),
                completed=len(tasks) - len(pending),
            )
            for computed in executor(pending):
                own = versions[(computed.study, computed.figure)]
                row = _checked_version(computed, own)
                with deferred_interrupt():  # the summary counts exactly the committed rows
                    store.put(replace(row, code_version=own, run_id=run_id))
                    statuses[row.status] += 1
                progress.advance(bar)
    finally:
        summary = SweepSummary(
            total=len(tasks),
            skipped=len(tasks) - len(pending),
            computed=sum(statuses.values()),
            statuses=dict(statuses),
            wall_time=time.perf_counter() - start,
            run_id=run_id,
        )
        store.finish_run(
            run_id,
            {
                "total": summary.total,
                "skipped": summary.skipped,
                "computed": summary.computed,
                "statuses": summary.statuses,
                "wall_time": summary.wall_time,
                "points_per_second": summary.points_per_second,
            },
        )
    return summary

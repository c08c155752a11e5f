"""Executors: run sweep tasks and yield their rows as they finish.

A task is a picklable :class:`Task` naming its figure; workers look the figure up in the registry
(so no function is pickled) and run it with one BLAS/torch thread each, because oversubscribed
BLAS threads on a small machine are many times slower than one thread per worker.
"""

from __future__ import annotations

import os
import time
import traceback
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from distillab.errors import ConfigError
from distillab.sweep.store import Kind, Row

__all__ = ["Executor", "Task", "local_executor", "run_task"]


@dataclass(frozen=True)
class Task:
    """One unit of work: the theory of a point, or one seed of its simulation."""

    study: str
    figure: str
    kind: Kind
    params: Mapping[str, Any]
    seed: int | None


Executor = Callable[[Sequence[Task]], Iterator[Row]]


def single_thread() -> None:
    """Limit this process to one BLAS and one torch thread (call in parallel workers)."""
    import torch
    from threadpoolctl import threadpool_limits

    for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[variable] = "1"
    threadpool_limits(1)
    torch.set_num_threads(1)


def run_task(task: Task, *, limit_threads: bool = False) -> Row:
    """Compute one task; a raised exception becomes a row with status ``"error"``.

    A returned ``"status"`` entry other than ``"ok"`` (e.g. ``"diverged"``) becomes the row's
    status, with the ``"message"`` entry as its message.
    """
    from distillab.studies import get_figure

    if limit_threads:
        single_thread()
    start_wall, start_cpu = time.perf_counter(), time.process_time()
    try:
        figure = get_figure(task.study, task.figure)
        function = figure.theory if task.kind == "theory" else figure.simulate
        if function is None:
            raise ConfigError(f"figure {task.figure!r} has no {task.kind} function.")
        arguments = (
            (dict(task.params),) if task.kind == "theory" else (dict(task.params), task.seed)
        )
        values = dict(function(*arguments))
        status = str(values.pop("status", "ok"))
        message = str(values.pop("message", ""))
    except Exception as error:  # a failing point must not stop the sweep
        values = {}
        status = "error"
        last = traceback.extract_tb(error.__traceback__)[-1]
        where = f"{os.path.basename(last.filename)}:{last.lineno}"
        message = f"{type(error).__name__}: {error} (at {where})"
    return Row(
        study=task.study,
        figure=task.figure,
        params=dict(task.params),
        seed=task.seed,
        kind=task.kind,
        status=status,
        values=values,
        message=message,
        wall_time=time.perf_counter() - start_wall,
        cpu_time=time.process_time() - start_cpu,
    )


def local_executor(jobs: int) -> Executor:
    """Run tasks in this process (``jobs == 1``) or in ``jobs`` joblib/loky worker processes.

    With one job the process keeps all its cores for BLAS; with several, each worker gets one
    thread. Rows are yielded in completion order.
    """
    if jobs < 1:
        raise ConfigError(f"jobs must be at least 1, got {jobs}.")

    def execute(tasks: Sequence[Task]) -> Iterator[Row]:
        if jobs == 1 or len(tasks) <= 1:
            for task in tasks:
                yield run_task(task)
            return
        from joblib import Parallel, delayed

        parallel = Parallel(n_jobs=jobs, backend="loky", return_as="generator_unordered")
        yield from parallel(delayed(run_task)(task, limit_threads=True) for task in tasks)

    return execute

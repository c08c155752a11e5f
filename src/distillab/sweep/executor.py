"""Executors: run sweep tasks and yield their rows as they finish.

A task is a picklable :class:`Task` naming its figure; workers look the figure up in the registry
(so no function is pickled) and run it with one BLAS/torch thread each, because oversubscribed
BLAS threads on a small machine are many times slower than one thread per worker.
"""

from __future__ import annotations

import importlib
import logging
import os
import socket
import time
import traceback
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from distillab.errors import ConfigError
from distillab.sweep.store import Kind, Row

__all__ = ["Executor", "Task", "dask_executor", "local_executor", "run_task"]


@dataclass(frozen=True)
class Task:
    """One unit of work: the theory of a point, or one seed of its simulation.

    ``function`` (``"module:name"``) runs work outside the figure registry: the named function is
    imported in the worker and called as ``function(params, seed)`` (``study``/``figure`` then
    only label the row; its code version is that module's). Only the name is pickled.
    """

    study: str
    figure: str
    kind: Kind
    params: Mapping[str, Any]
    seed: int | None
    function: str | None = None


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
    status, with the ``"message"`` entry as its message. A ``"converged": False`` entry makes an
    ``"ok"`` row ``"not-converged"``: a failed point, whose values are kept for diagnosis only.
    """
    from distillab.provenance import figure_version, module_version
    from distillab.studies import get_figure

    if limit_threads:
        single_thread()
    start_wall, start_cpu = time.perf_counter(), time.process_time()
    version = ""
    try:
        if task.function is not None:
            module_name, _, name = task.function.partition(":")
            version = module_version(module_name)
            task_function = getattr(importlib.import_module(module_name), name)
            values = dict(task_function(dict(task.params), task.seed))
        else:
            figure = get_figure(task.study, task.figure)
            version = figure_version(figure)
            function = figure.theory if task.kind == "theory" else figure.simulate
            if function is None:
                raise ConfigError(f"figure {task.figure!r} has no {task.kind} function.")
            point = figure.point_of(task.params)
            arguments = (point,) if task.kind == "theory" else (point, task.seed)
            values = dict(function(*arguments))
        status = str(values.pop("status", "ok"))
        message = str(values.pop("message", ""))
        if status == "ok" and _not_converged(values.get("converged")):
            status = "not-converged"
            message = message or "the solver reported converged = False; the values are not used."
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
        code_version=version,
    )


def _not_converged(flag: Any) -> bool:
    """True for a ``converged`` flag that is False, or a list/array of flags with one False."""
    if flag is None or isinstance(flag, str):
        return False
    flags = np.ravel(np.asarray(flag, dtype=object))
    return flags.size > 0 and not all(bool(f) for f in flags)


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


def _check_reachable(address: str) -> None:
    """Raise ConfigError unless a TCP connection to ``tcp://HOST:PORT`` opens within 5 s."""
    location = address.removeprefix("tcp://")
    host, _, port = location.rpartition(":")
    if not host or not port.isascii() or not port.isdigit() or not 0 < int(port) < 65536:
        raise ConfigError(
            f"a dask scheduler address looks like tcp://HOST:PORT with a port in 1..65535, "
            f"got {address!r}."
        )
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=5).close()
    except (OSError, ValueError) as error:  # ValueError: a host name that cannot be encoded
        raise ConfigError(f"cannot reach the dask scheduler at {address}: {error}.") from None


def dask_executor(scheduler: str | None = None, *, workers: int = 2) -> Executor:
    """Run tasks on a ``dask.distributed`` cluster, yielding rows as they complete.

    With ``scheduler=None`` a ``LocalCluster`` of ``workers`` single-threaded worker processes is
    started on loopback (no dashboard) and closed afterwards; otherwise the executor connects to
    the scheduler at ``scheduler`` (e.g. ``"tcp://10.0.0.5:8786"``), whose workers must run the
    same distillab code (rows from other code versions are refused by the sweep). Results are
    written by the calling process only, so each lands in the store exactly once.
    """
    if workers < 1:
        raise ConfigError(f"workers must be at least 1, got {workers}.")
    try:
        import distributed  # noqa: F401
    except ImportError:
        raise ConfigError(
            "the dask backend needs the optional extra: pip install 'distillab[dask]'."
        ) from None

    if scheduler is not None:
        _check_reachable(scheduler)

    def execute(tasks: Sequence[Task]) -> Iterator[Row]:
        if not tasks:
            return
        from distributed import Client, LocalCluster, as_completed

        cluster = None
        if scheduler is None:
            cluster = LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address=None,
                silence_logs=logging.ERROR,
            )
            client = Client(cluster)
        else:
            try:
                client = Client(scheduler, timeout=30)
            except (OSError, TimeoutError) as error:
                raise ConfigError(
                    f"cannot reach the dask scheduler at {scheduler}: {error}."
                ) from None
        try:
            futures = client.map(run_task, list(tasks), limit_threads=True, pure=False)
            for future in as_completed(futures):
                yield future.result()
        finally:
            client.close()
            if cluster is not None:
                cluster.close()

    return execute

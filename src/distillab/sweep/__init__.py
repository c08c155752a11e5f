"""Sweeps: grid expansion, executors, the SQLite results store, resume."""

from distillab.sweep.executor import Executor, Task, dask_executor, local_executor, run_task
from distillab.sweep.grid import Params, canonical_params, product_grid
from distillab.sweep.interrupt import deferred_interrupt
from distillab.sweep.run import SweepSummary, expand_tasks, run_sweep
from distillab.sweep.store import APPLICATION_ID, SCHEMA_VERSION, ResultStore, Row, RunRecord

__all__ = [
    "APPLICATION_ID",
    "SCHEMA_VERSION",
    "Executor",
    "Params",
    "ResultStore",
    "Row",
    "RunRecord",
    "SweepSummary",
    "Task",
    "canonical_params",
    "dask_executor",
    "deferred_interrupt",
    "expand_tasks",
    "local_executor",
    "product_grid",
    "run_sweep",
    "run_task",
]

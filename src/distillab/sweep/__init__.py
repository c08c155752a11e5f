"""Sweeps: grid expansion, executors, the SQLite results store, resume.

The names below load their modules on first use (the executors import torch and joblib), so a
figure module that only needs ``product_grid`` stays cheap to import.
"""

from distillab._lazy import lazy_attributes

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

__getattr__ = lazy_attributes(
    __name__,
    {
        "APPLICATION_ID": "distillab.sweep.store",
        "Executor": "distillab.sweep.executor",
        "Params": "distillab.sweep.grid",
        "ResultStore": "distillab.sweep.store",
        "Row": "distillab.sweep.store",
        "RunRecord": "distillab.sweep.store",
        "SCHEMA_VERSION": "distillab.sweep.store",
        "SweepSummary": "distillab.sweep.run",
        "Task": "distillab.sweep.executor",
        "canonical_params": "distillab.sweep.grid",
        "dask_executor": "distillab.sweep.executor",
        "deferred_interrupt": "distillab.sweep.interrupt",
        "expand_tasks": "distillab.sweep.run",
        "local_executor": "distillab.sweep.executor",
        "product_grid": "distillab.sweep.grid",
        "run_sweep": "distillab.sweep.run",
        "run_task": "distillab.sweep.executor",
    },
)

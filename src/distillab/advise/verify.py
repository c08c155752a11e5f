"""Verification: train the real student at chosen settings through the sweep executors.

Each (teacher, ρ, T, seed) is one :class:`distillab.sweep.Task` naming
:func:`train_student_task` (no registry figure), so ``local`` (joblib) and ``dask`` executors run
it unchanged and every measurement lands as a row of the results store in ``--out``
(study ``"advise"``, figure ``"verify"``). The student is trained exactly as the advisor
assumed: full-batch GD with step η for the budget of steps on
:func:`distillab.losses.kd_loss`, from the same seeded initialisation as the kernel.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.stats import spearmanr

__all__ = [
    "FIGURE",
    "STUDY",
    "choose_settings",
    "rank_agreement",
    "run_verification",
    "train_student_task",
]

STUDY, FIGURE = "advise", "verify"
_TASK_FUNCTION = "distillab.advise.verify:train_student_task"


@functools.lru_cache(maxsize=4)
def _task_data(spec: str, n_train: int | None, n_test: int | None, seed: int) -> Any:
    from distillab.advise.data import load_data

    return load_data(spec, n_train=n_train, n_test=n_test, seed=seed)


@functools.lru_cache(maxsize=16)
def _task_teacher(spec: str, data_key: tuple[Any, ...], seed: int, cache_dir: str | None) -> Any:
    from pathlib import Path

    from distillab.advise.models import load_teacher

    data = _task_data(*data_key)
    return load_teacher(spec, data, seed=seed, cache_dir=Path(cache_dir) if cache_dir else None)


def train_student_task(params: Mapping[str, Any], seed: int | None) -> dict[str, Any]:
    """Train the student at one setting and seed; return its test and train error.

    ``params``: ``data``, ``n_train``, ``n_test``, ``data_seed``, ``student``, ``teacher``
    (a spec, or ``""`` for the no-teacher run at ρ = 0), ``teacher_seed``, ``cache_dir``,
    ``soft_ratio``, ``temperature``, ``lr``, ``steps``. ``seed`` initialises the student.
    A run whose loss became non-finite or exploded returns status ``"diverged"``.
    """
    import torch

    from distillab.advise.models import build_student
    from distillab.train import fit, kd_objective

    data_key = (params["data"], params["n_train"], params["n_test"], params["data_seed"])
    data = _task_data(*data_key)
    student_seed = int(params["data_seed"] if seed is None else seed)
    model = build_student(params["student"], data.X_train.shape[1], data.n_classes, student_seed)
    if params["teacher"]:
        teacher = _task_teacher(
            params["teacher"], data_key, params["teacher_seed"], params["cache_dir"]
        )
        teacher_logits = teacher.train_logits
    else:
        teacher_logits = np.zeros((len(data.y_train), data.n_classes))
    train = {
        "x": torch.as_tensor(data.X_train),
        "y": torch.as_tensor(data.y_train),
        "teacher_logits": torch.as_tensor(teacher_logits, dtype=torch.float32),
    }
    objective = kd_objective(
        soft_ratio=float(params["soft_ratio"]), temperature=float(params["temperature"])
    )
    run = fit(
        model,
        objective,
        train,
        steps=int(params["steps"]),
        lr=float(params["lr"]),
        evaluate={"test": torch.as_tensor(data.X_test)},
        max_loss_ratio=1e3,
    )
    if run.status == "diverged":
        return {
            "status": "diverged",
            "message": f"loss blew up at step {run.diverged_at}",
            "test_error": 1.0 - 1.0 / data.n_classes,
        }
    test_error = float(np.mean(run.outputs["test"][-1].argmax(1) != data.y_test))
    train_error = float(np.mean(run.outputs["train"][-1].argmax(1) != data.y_train))
    return {"test_error": test_error, "train_error": train_error, "final_loss": float(run.loss[-1])}


def choose_settings(predicted: NDArray[np.float64], k: int | None) -> list[int]:
    """Indices of the settings to verify: all (``k=None``) or ``k`` spread over the ranking.

    The predicted best is always included; the others are evenly spaced through the predicted
    order so that the measured ranking can be compared with the predicted one.

    >>> choose_settings(np.array([0.3, 0.1, 0.2, 0.4]), 2)
    [1, 3]
    """
    order = np.argsort(predicted, kind="stable")
    if k is None or k >= len(order):
        return sorted(order.tolist())
    positions = np.unique(np.round(np.linspace(0, len(order) - 1, k)).astype(int))
    return sorted(order[positions].tolist())


def rank_agreement(
    predicted: NDArray[np.float64], measured: NDArray[np.float64]
) -> dict[str, float | bool]:
    """Spearman ρ_s, whether the predicted best is in the measured top 2, and the regret.

    regret = measured error of the predicted best − the best measured error (fractions).

    >>> rank_agreement(np.array([0.1, 0.2, 0.3]), np.array([0.12, 0.15, 0.3]))["top2"]
    True
    """
    best = int(np.argmin(predicted))
    top2 = set(np.argsort(measured, kind="stable")[:2].tolist())
    rho = spearmanr(predicted, measured).statistic if len(predicted) > 2 else float("nan")
    return {
        "spearman": float(rho),
        "top2": bool(best in top2),
        "regret": float(measured[best] - measured.min()),
    }


def spearman_text(value: float | None) -> str:
    """The Spearman correlation for people: two decimals, or "n/a" where it is undefined
    (fewer than 3 settings verified, or constant errors).

    >>> spearman_text(0.834), spearman_text(float("nan")), spearman_text(None)
    ('0.83', 'n/a', 'n/a')
    """
    if value is None or value != value:
        return "n/a"
    return f"{value:.2f}"


def run_verification(
    settings: Sequence[Mapping[str, Any]],
    base: Mapping[str, Any],
    seeds: Sequence[int],
    store: Any,
    executor: Callable[[Sequence[Any]], Any],
    progress: Callable[[int], None] | None = None,
) -> list[dict[str, Any]]:
    """Train every setting × seed through ``executor``; store each row; return the rows' values.

    ``settings``: dicts with ``teacher``, ``soft_ratio``, ``temperature``; ``base``: the shared
    task parameters (see :func:`train_student_task`). Rows already in the store for this code
    version are reused (resume).
    """
    from distillab.provenance import module_version
    from distillab.sweep import Task
    from distillab.sweep.grid import canonical_params

    version = module_version("distillab.advise.verify")
    done = {
        (canonical_params(row.params), row.seed): row
        for row in store.rows(STUDY, FIGURE, code_version=version)
        if row.status != "error"
    }
    tasks, results = [], []
    for setting in settings:
        params = {**base, **setting}
        for seed in seeds:
            row = done.get((canonical_params(params), seed))
            if row is None:
                tasks.append(Task(STUDY, FIGURE, "simulation", params, seed, _TASK_FUNCTION))
            else:
                results.append(row)
                if progress is not None:
                    progress(1)
    for row in executor(tasks):
        store.put(row)
        results.append(row)
        if progress is not None:
            progress(1)
    return [
        {
            **row.params,
            "seed": row.seed,
            "status": row.status,
            "message": row.message,
            "wall_time": row.wall_time,
            "cpu_time": row.cpu_time,
            **row.values,
        }
        for row in results
    ]

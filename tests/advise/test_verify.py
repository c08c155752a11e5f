"""Verification helpers and running non-registry work through the sweep executors."""

from __future__ import annotations

import numpy as np

from distillab.advise.verify import choose_settings, rank_agreement
from distillab.sweep import Task, local_executor


def test_choose_settings_keeps_the_predicted_best() -> None:
    predicted = np.array([0.5, 0.1, 0.3, 0.2, 0.4])
    assert 1 in choose_settings(predicted, 3)
    assert choose_settings(predicted, None) == [0, 1, 2, 3, 4]
    assert len(choose_settings(predicted, 3)) == 3


def test_rank_agreement() -> None:
    result = rank_agreement(np.array([0.1, 0.2, 0.3, 0.4]), np.array([0.25, 0.2, 0.3, 0.4]))
    assert result["top2"] is True
    np.testing.assert_allclose(result["regret"], 0.05)
    np.testing.assert_allclose(result["spearman"], 0.8)


def test_function_tasks_run_through_the_executor() -> None:
    task = Task("advise", "verify", "simulation", {"x": 2}, 3, "math:ldexp")
    (row,) = list(local_executor(1)([task]))
    assert row.status == "error"  # math.ldexp(dict, int) raises: recorded, never raised
    task = Task(
        "advise", "verify", "simulation", {"x": 2}, 3, "tests.advise.test_verify:double_task"
    )
    (row,) = list(local_executor(1)([task]))
    assert row.ok and row.values == {"y": 4, "seed": 3} and row.code_version
    rows = list(local_executor(2)([task, Task(**{**task.__dict__, "seed": 4})]))
    assert sorted(r.values["seed"] for r in rows) == [3, 4]


def double_task(params: dict[str, int], seed: int) -> dict[str, int]:
    """A picklable task function for the executor test."""
    return {"y": 2 * params["x"], "seed": seed}

"""Grid, store and sweep: canonical keys, resume, failure statuses, concurrent writers."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from distillab.errors import ConfigError
from distillab.provenance import code_version
from distillab.studies import Study, resolve_targets
from distillab.sweep import (
    ResultStore,
    Row,
    canonical_params,
    expand_tasks,
    local_executor,
    product_grid,
    run_sweep,
)


def test_product_grid_is_the_cartesian_product_last_axis_fastest() -> None:
    grid = product_grid(a=[1, 2], b=["x", "y"])
    assert grid == [{"a": 1, "b": "x"}, {"a": 1, "b": "y"}, {"a": 2, "b": "x"}, {"a": 2, "b": "y"}]


@given(
    st.dictionaries(
        st.text(min_size=1, max_size=5),
        st.one_of(
            st.integers(),
            st.floats(allow_nan=False, allow_infinity=False),
            st.text(max_size=5),
            st.booleans(),
        ),
        max_size=5,
    )
)
def test_canonical_params_ignore_key_order_and_round_trip(params: dict) -> None:
    reordered = dict(reversed(list(params.items())))
    assert canonical_params(params) == canonical_params(reordered)


def test_canonical_params_normalise_numpy_and_reject_bad_values() -> None:
    assert canonical_params({"a": np.float64(0.1), "b": np.int64(3)}) == '{"a":0.1,"b":3}'
    with pytest.raises(ConfigError, match="finite"):
        canonical_params({"a": float("nan")})
    with pytest.raises(ConfigError, match="JSON"):
        canonical_params({"a": object()})


def test_store_keeps_final_rows_and_replaces_errors(tmp_path: Path) -> None:
    store = ResultStore(tmp_path / "r.sqlite")
    base = dict(study="s", figure="f", params={"a": 1}, seed=0, kind="simulation", code_version="v")
    assert store.put(Row(status="error", message="first try", **base))
    assert store.put(Row(status="ok", values={"y": 1.0}, **base))  # error rows are retried
    assert not store.put(Row(status="ok", values={"y": 2.0}, **base))  # final rows stay
    (row,) = store.rows("s", "f")
    assert row.values == {"y": 1.0} and row.status == "ok"
    assert store.final_keys("s", "f", "v") == {('{"a":1}', 0, "simulation")}
    assert store.final_keys("s", "f", "other") == set()


def _write_many(path: str, offset: int) -> None:
    store = ResultStore(path)
    for i in range(150):
        store.put(
            Row(
                "s",
                "f",
                {"i": offset + i},
                0,
                "simulation",
                "ok",
                {"y": float(i)},
                code_version="v",
            )
        )
    store.close()


def test_two_processes_writing_one_store_lose_nothing(tmp_path: Path) -> None:
    path = str(tmp_path / "r.sqlite")
    ResultStore(path).close()
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_write_many, args=(path, k * 1000)) for k in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    assert ResultStore(path).count() == 300


def test_expand_tasks_orders_theory_first_and_counts_seeds(toy_registry: Study) -> None:
    figures = resolve_targets(["toy"])
    tasks = expand_tasks(figures, profile="quick")
    assert [t.kind for t in tasks] == ["theory"] * 3 + ["simulation"] * 6
    assert len(expand_tasks(figures, profile="full", seeds=4)) == 5 + 20
    with pytest.raises(ConfigError, match="seeds"):
        expand_tasks(figures, profile="quick", seeds=0)


def test_sweep_records_statuses_continues_past_failures_and_resumes(
    toy_registry: Study, tmp_path: Path
) -> None:
    store = ResultStore(tmp_path / "r.sqlite")
    figures = resolve_targets(["toy/line"])
    first = run_sweep(figures, store, profile="quick", show_progress=False)
    assert first.computed == 9 and first.skipped == 0
    assert first.statuses == {"ok": 6, "diverged": 1, "error": 2}
    rows = store.rows("toy", "line")
    errors = [r for r in rows if r.status == "error"]
    assert all("boom at x=3" in r.message for r in errors)
    diverged = [r for r in rows if r.status == "diverged"]
    assert diverged[0].message == "blew up" and diverged[0].params == {"x": 2}
    assert all(r.code_version == code_version() for r in rows)
    # Resume: final rows are skipped, only the two error rows are tried again.
    second = run_sweep(figures, store, profile="quick", show_progress=False)
    assert second.skipped == 7 and second.computed == 2
    assert len(store.rows("toy", "line")) == 9
    runs = store.runs()
    assert len(runs) == 2 and runs[0].summary["computed"] == 9


def test_parallel_executor_gives_the_same_rows_as_serial() -> None:
    figures = resolve_targets(["kernels/ntk-convergence"])
    tasks = [t for t in expand_tasks(figures, profile="quick", seeds=1) if t.params["width"] <= 256]

    def values(rows: list[Row]) -> dict[tuple[str, int | None, str], dict]:
        return {(canonical_params(r.params), r.seed, r.kind): r.values for r in rows}

    serial = values(list(local_executor(1)(tasks)))
    parallel = values(list(local_executor(2)(tasks)))
    assert serial == parallel and len(serial) == len(tasks)

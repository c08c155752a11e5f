"""Grid, store and sweep: canonical keys, resume, failure statuses, concurrent writers,
Ctrl-C during a commit, and the store's refusal of files that are not distillab stores."""

from __future__ import annotations

import multiprocessing
import os
import signal
import sqlite3
import threading
from collections.abc import Callable, Mapping
from contextlib import closing
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import distillab.studies as studies_module
from distillab.errors import ConfigError
from distillab.provenance import figure_version
from distillab.studies import Figure, Study, resolve_targets
from distillab.sweep import (
    APPLICATION_ID,
    SCHEMA_VERSION,
    ResultStore,
    Row,
    canonical_params,
    deferred_interrupt,
    expand_tasks,
    local_executor,
    product_grid,
    run_sweep,
)
from distillab.sweep.store import _SCHEMA


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
    assert all(r.code_version == figure_version(figures[0][1]) for r in rows)
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


def _unsure(params: Mapping[str, Any], seed: int | None = None) -> dict[str, Any]:
    """A solver that converges only for x = 1 (the flag as Python, numpy and list values)."""
    flags = {1: True, 2: False, 3: np.bool_(False)}
    converged = flags[params["x"]] if seed in (None, 0) else [True, params["x"] == 1]
    return {"y": 1.0, "converged": converged}


def _plot_nothing(rows: list[Any]) -> Any:
    raise NotImplementedError


UNSURE = Study(
    "unsure",
    "Unsure",
    "nobody",
    "made up for tests",
    (
        Figure(
            name="solver",
            title="a solver that may not converge",
            caption="converges at x = 1 only",
            grid={"quick": [{"x": 1}, {"x": 2}, {"x": 3}], "full": [{"x": 1}]},
            theory=_unsure,
            simulate=_unsure,
            plot=_plot_nothing,
            seeds={"quick": 2, "full": 2},
        ),
    ),
)


def test_a_point_that_did_not_converge_is_a_failed_point_not_a_number(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(studies_module, "registry", lambda: {"unsure": UNSURE})
    store = ResultStore(tmp_path / "r.sqlite")
    figures = resolve_targets(["unsure"])
    summary = run_sweep(figures, store, profile="quick", show_progress=False)
    # Only x = 1 converges: its theory and both seeds; 3 rows each of x = 2 and x = 3 fail.
    assert summary.statuses == {"ok": 3, "not-converged": 6}
    for row in store.rows("unsure", "solver"):
        if row.status == "not-converged":
            assert "converged = False" in row.message and not row.ok
        else:
            assert row.params == {"x": 1}
    # A failed point is final for its code version: the next run does not retry it.
    assert run_sweep(figures, store, profile="quick", show_progress=False).computed == 0


def _interrupt_at_commit(store: ResultStore, nth: int) -> list[int]:
    """Send this process SIGINT inside the nth commit of a results row; returns a counter."""
    seen = [0]
    last = [""]

    def trace(statement: str) -> None:
        if statement == "COMMIT" and last[0].lstrip().startswith("INSERT INTO results"):
            seen[0] += 1
            if seen[0] == nth:
                os.kill(os.getpid(), signal.SIGINT)
        last[0] = statement

    store._connection.set_trace_callback(trace)
    return seen


def test_ctrl_c_during_a_commit_waits_for_the_commit_then_interrupts(tmp_path: Path) -> None:
    store = ResultStore(tmp_path / "r.sqlite")
    _interrupt_at_commit(store, 1)
    row = Row("s", "f", {"a": 1}, 0, "simulation", "ok", {"y": 1.0}, code_version="v")
    with pytest.raises(KeyboardInterrupt):
        store.put(row)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    store.close()
    with ResultStore(tmp_path / "r.sqlite") as reopened:
        assert [r.values for r in reopened.rows()] == [{"y": 1.0}]  # committed, not lost


def test_ctrl_c_during_a_sweep_commit_keeps_every_finished_row(
    toy_registry: Study, tmp_path: Path
) -> None:
    store = ResultStore(tmp_path / "r.sqlite")
    _interrupt_at_commit(store, 3)
    with pytest.raises(KeyboardInterrupt):
        run_sweep(resolve_targets(["toy/line"]), store, profile="quick", show_progress=False)
    store._connection.set_trace_callback(None)
    assert store.count() == 3
    (run,) = store.runs()
    assert run.finished is not None and run.summary["computed"] == 3


def test_deferred_interrupt_outside_the_main_thread_changes_nothing() -> None:
    seen: list[bool] = []

    def worker() -> None:
        with deferred_interrupt():
            seen.append(signal.getsignal(signal.SIGINT) is signal.default_int_handler)

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join(10)
    assert seen == [True]


def _old_store(path: Path) -> None:
    """A store as the first version wrote it: this schema, no application_id."""
    with closing(sqlite3.connect(path)) as db:
        db.executescript(_SCHEMA)
        db.execute(
            "INSERT INTO results VALUES ('s', 'f', '{}', -1, 'theory', 'v', 'ok', '', "
            "'{\"y\": 1.0}', 0, 0, NULL, 0)"
        )
        db.commit()


def _foreign_empty(path: Path) -> None:
    with closing(sqlite3.connect(path)) as db:
        db.execute("PRAGMA user_version = 7")


def _foreign_results(path: Path) -> None:
    with closing(sqlite3.connect(path)) as db:
        db.execute("CREATE TABLE results (name TEXT, score REAL)")
        db.execute("INSERT INTO results VALUES ('alice', 1.5)")
        db.commit()


def _other_application(path: Path) -> None:
    _old_store(path)
    with closing(sqlite3.connect(path)) as db:
        db.execute("PRAGMA application_id = 1234")


def _newer_schema(path: Path) -> None:
    ResultStore(path).close()
    with closing(sqlite3.connect(path)) as db:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")


def _corrupt(path: Path) -> None:
    path.write_bytes(b"not a database, just bytes " * 400)


def _truncated_header(path: Path) -> None:
    ResultStore(path).close()
    data = path.read_bytes()
    path.write_bytes(b"SQLite format 3\x00" + bytes(84) + data[100:])


@pytest.mark.parametrize(
    "make, fragment",
    [
        (_foreign_empty, "foreign SQLite file: tables no tables"),
        (_foreign_results, "foreign SQLite file: tables results"),
        (_other_application, "another application, id 0x4d2"),
        (_newer_schema, "newer distillab"),
        (_corrupt, "corrupt or not an SQLite file"),
        (_truncated_header, "corrupt or not an SQLite file"),
    ],
)
def test_a_file_that_is_not_a_distillab_store_is_refused_and_left_untouched(
    make: Callable[[Path], None], fragment: str, tmp_path: Path
) -> None:
    path = tmp_path / "results.sqlite"
    make(path)
    before = sorted(p.name for p in tmp_path.iterdir()), path.read_bytes()
    with pytest.raises(ConfigError, match=fragment):
        ResultStore(path)
    assert (sorted(p.name for p in tmp_path.iterdir()), path.read_bytes()) == before


def test_a_directory_is_not_a_store(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not a regular file"):
        ResultStore(tmp_path)


def test_a_new_store_is_marked_and_a_first_version_store_is_adopted(tmp_path: Path) -> None:
    def marks(path: Path) -> tuple[int, int, str]:
        with closing(sqlite3.connect(path)) as db:
            return (
                db.execute("PRAGMA application_id").fetchone()[0],
                db.execute("PRAGMA user_version").fetchone()[0],
                db.execute("PRAGMA journal_mode").fetchone()[0],
            )

    ResultStore(tmp_path / "new.sqlite").close()
    assert marks(tmp_path / "new.sqlite") == (APPLICATION_ID, SCHEMA_VERSION, "wal")
    (tmp_path / "empty.sqlite").touch()  # e.g. an interrupted first open: nothing to lose
    ResultStore(tmp_path / "empty.sqlite").close()
    assert marks(tmp_path / "empty.sqlite")[0] == APPLICATION_ID
    _old_store(tmp_path / "old.sqlite")
    with ResultStore(tmp_path / "old.sqlite") as store:
        assert [r.values for r in store.rows()] == [{"y": 1.0}]
    assert marks(tmp_path / "old.sqlite") == (APPLICATION_ID, SCHEMA_VERSION, "wal")

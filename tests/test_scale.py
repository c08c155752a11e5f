"""Sweeps under stress: SIGKILL and Ctrl-C part-way, concurrent writers, a dask cluster."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from distillab.studies import resolve_targets
from distillab.sweep import ResultStore, canonical_params, dask_executor, run_sweep
from tests.fixtures.slow_study import POINTS

ROOT = Path(__file__).resolve().parents[1]
TOTAL = 2 * POINTS  # one theory and one simulation row per point


def _environment() -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
        "DISTILLAB_STUDY_MODULES": "tests.fixtures.slow_study",
    }


def _command(out: Path, jobs: int = 2) -> list[str]:
    return [
        sys.executable,
        "-m",
        "distillab.cli",
        "reproduce",
        "slow-toy",
        "--quick",
        "--jobs",
        str(jobs),
        "--out",
        str(out),
    ]


def _start(out: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        _command(out),
        env=_environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def _row_count(out: Path) -> int:
    path = out / "results.sqlite"
    if not path.exists():
        return 0
    try:
        with sqlite3.connect(path, timeout=10) as db:
            return int(db.execute("SELECT COUNT(*) FROM results").fetchone()[0])
    except sqlite3.OperationalError:
        return 0


def _wait_for_rows(out: Path, minimum: int, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 120
    while _row_count(out) < minimum:
        assert process.poll() is None, "the sweep ended before it could be interrupted"
        assert time.monotonic() < deadline, "the sweep made no progress"
        time.sleep(0.05)


def _assert_complete_and_sound(out: Path) -> None:
    with sqlite3.connect(out / "results.sqlite") as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rows = db.execute("SELECT params, seed, kind, status, value_json FROM results").fetchall()
    keys = [(p, s, k) for p, s, k, _, _ in rows]
    assert len(rows) == TOTAL and len(set(keys)) == TOTAL  # every point exactly once
    for params, _, _, status, values in rows:
        assert status == "ok"
        assert json.loads(values)["y"] == pytest.approx(json.loads(params)["i"], abs=1e-2)


def test_sigkill_part_way_then_rerun_completes_every_point_once(tmp_path: Path) -> None:
    process = _start(tmp_path)
    _wait_for_rows(tmp_path, POINTS + 4, process)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(30)
    interrupted = _row_count(tmp_path)
    assert POINTS + 4 <= interrupted < TOTAL
    rerun = subprocess.run(
        _command(tmp_path), env=_environment(), capture_output=True, text=True, timeout=300
    )
    assert rerun.returncode == 0, rerun.stderr
    assert f"{interrupted} resumed" in rerun.stdout
    _assert_complete_and_sound(tmp_path)


def test_ctrl_c_stops_cleanly_and_keeps_what_finished(tmp_path: Path) -> None:
    process = _start(tmp_path)
    _wait_for_rows(tmp_path, POINTS + 4, process)
    os.killpg(process.pid, signal.SIGINT)  # what a terminal's Ctrl-C sends
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130
    assert "interrupted" in stderr and "Traceback" not in stderr
    kept = _row_count(tmp_path)
    assert POINTS + 4 <= kept < TOTAL
    rerun = subprocess.run(
        _command(tmp_path), env=_environment(), capture_output=True, text=True, timeout=300
    )
    assert rerun.returncode == 0 and f"{kept} resumed" in rerun.stdout
    _assert_complete_and_sound(tmp_path)


def test_two_sweeps_on_one_store_at_once_lose_nothing(tmp_path: Path) -> None:
    runs = [
        subprocess.Popen(
            _command(tmp_path, jobs=1),
            env=_environment(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    for run in runs:
        _, stderr = run.communicate(timeout=300)
        assert run.returncode == 0, stderr
    _assert_complete_and_sound(tmp_path)


def test_dask_local_cluster_gives_the_rows_of_a_local_run(tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    figures = resolve_targets(["kernels/lazy-training"])

    def rows(executor_name: str) -> dict[tuple[str, int | None, str], dict]:
        store = ResultStore(tmp_path / f"{executor_name}.sqlite")
        executor = dask_executor(workers=2) if executor_name == "dask" else None
        summary = run_sweep(
            figures, store, profile="quick", seeds=1, jobs=2, executor=executor, show_progress=False
        )
        assert summary.statuses == {"ok": summary.total}
        return {(canonical_params(r.params), r.seed, r.kind): r.values for r in store.rows()}

    local, dask = rows("local"), rows("dask")
    assert local.keys() == dask.keys() and len(local) == 8
    for key, values in local.items():
        for name, value in values.items():
            np.testing.assert_allclose(dask[key][name], value, rtol=1e-10)

"""Sweeps under stress: SIGKILL and Ctrl-C part-way, concurrent writers, a dask cluster.

The interrupts are placed by events, not by timing: the fixture study blocks a chosen
computation until the test releases it (see ``tests/fixtures/slow_study.py``), and the test
waits, with a bounded poll, for the file that says the child has reached that point.
"""

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
from tests.fixtures.slow_study import BLOCK_ENV, GATE_ENV, POINTS

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "tests" / "fixtures" / "site"
TOTAL = 2 * POINTS  # one theory and one simulation row per point
BLOCK_AT = 12  # simulations of points i >= BLOCK_AT wait at the gate
INTERRUPTED = "distillab: interrupted; finished results are saved in"


def _environment(gate: Path | None = None, block: str = "") -> dict[str, str]:
    environment = {
        **os.environ,
        # SITE holds the fake installed package that registers slow-toy as a plug-in study.
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(SITE), os.environ.get("PYTHONPATH", "")]),
    }
    environment.pop(GATE_ENV, None)
    environment.pop(BLOCK_ENV, None)
    if gate is not None:
        environment.update({GATE_ENV: str(gate), BLOCK_ENV: block})
    return environment


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


def _start_blocked(out: Path, gate: Path, block: str, jobs: int) -> subprocess.Popen[str]:
    gate.mkdir()
    return subprocess.Popen(
        _command(out, jobs),
        env=_environment(gate, block),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as a terminal's foreground job
    )


def _wait_until_blocked(gate: Path, process: subprocess.Popen[str]) -> None:
    """Bounded poll for the child's 'ready' file: it is then waiting at the gate."""
    deadline = time.monotonic() + 120
    while not any(gate.glob("ready-*")):
        if process.poll() is not None:
            _, stderr = process.communicate()
            pytest.fail(f"the sweep ended (code {process.returncode}) before the gate: {stderr}")
        assert time.monotonic() < deadline, "the sweep never reached the gate"
        time.sleep(0.01)


def _row_count(out: Path) -> int:
    path = out / "results.sqlite"
    if not path.exists():
        return 0
    with sqlite3.connect(path, timeout=10) as db:
        return int(db.execute("SELECT COUNT(*) FROM results").fetchone()[0])


def _rerun(out: Path) -> subprocess.CompletedProcess[str]:
    # One job: the rerun is small, and one process has one code version even while the tree
    # is being edited (a worker started later would hash other files and be refused).
    return subprocess.run(
        _command(out, jobs=1), env=_environment(), capture_output=True, text=True, timeout=300
    )


def _assert_sound(out: Path, total: int) -> None:
    with sqlite3.connect(out / "results.sqlite") as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rows = db.execute("SELECT params, seed, kind, status, value_json FROM results").fetchall()
    keys = [(p, s, k) for p, s, k, _, _ in rows]
    assert len(rows) == total and len(set(keys)) == total  # every point at most once
    for params, _, kind, status, values in rows:
        assert status == "ok"
        assert json.loads(values)["y"] == pytest.approx(json.loads(params)["i"], abs=1e-2)
        if kind == "simulation":  # nothing past the gate was stored before the interrupt
            assert total == TOTAL or json.loads(params)["i"] < BLOCK_AT


def _assert_interrupted(process: subprocess.Popen[str], signal_number: int) -> str:
    os.killpg(process.pid, signal_number)
    _, stderr = process.communicate(timeout=120)
    if signal_number == signal.SIGINT:
        assert process.returncode == 130, stderr
        assert "Traceback" not in stderr
        # stderr holds the progress bar, then the one-line message
        messages = [line for line in stderr.splitlines() if line.startswith("distillab:")]
        assert len(messages) == 1 and messages[0].startswith(INTERRUPTED), stderr
        assert stderr.rstrip().endswith("rerun the same command to resume."), stderr
    return stderr


def _assert_resumes(out: Path, kept: int) -> None:
    rerun = _rerun(out)
    assert rerun.returncode == 0, rerun.stderr
    assert f"{TOTAL} tasks ({kept} resumed" in rerun.stdout
    _assert_sound(out, TOTAL)
    assert (out / "report.html").is_file()


def test_sigkill_part_way_then_rerun_completes_every_point_once(tmp_path: Path) -> None:
    out, gate = tmp_path / "out", tmp_path / "gate"
    process = _start_blocked(out, gate, f"simulation:{BLOCK_AT}", jobs=2)
    _wait_until_blocked(gate, process)
    _assert_interrupted(process, signal.SIGKILL)
    kept = _row_count(out)
    assert kept < TOTAL
    _assert_sound(out, kept)
    _assert_resumes(out, kept)


@pytest.mark.parametrize("jobs", [1, 2])
def test_ctrl_c_during_the_sweep_exits_130_and_keeps_what_finished(
    tmp_path: Path, jobs: int
) -> None:
    out, gate = tmp_path / "out", tmp_path / "gate"
    process = _start_blocked(out, gate, f"simulation:{BLOCK_AT}", jobs=jobs)
    _wait_until_blocked(gate, process)
    _assert_interrupted(process, signal.SIGINT)
    kept = _row_count(out)
    if jobs == 1:  # in order: every theory row, then the simulations before the gate
        assert kept == POINTS + BLOCK_AT
    assert kept < TOTAL
    _assert_sound(out, kept)
    _assert_resumes(out, kept)


def test_ctrl_c_while_the_report_is_written_exits_130_and_keeps_every_row(
    tmp_path: Path,
) -> None:
    out, gate = tmp_path / "out", tmp_path / "gate"
    process = _start_blocked(out, gate, "plot", jobs=1)
    _wait_until_blocked(gate, process)
    _assert_interrupted(process, signal.SIGINT)
    assert _row_count(out) == TOTAL  # the sweep had finished: every row is kept
    assert not (out / "report.html").exists()
    _assert_sound(out, TOTAL)
    _assert_resumes(out, TOTAL)


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
    _assert_sound(tmp_path, TOTAL)


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

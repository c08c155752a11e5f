"""The command line: listing, errors (one line, exit 2, nothing written), reproduce and resume,
the progress bar on stderr, Ctrl-C during a commit, and stores that are not distillab's."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import distillab.studies as studies_module
from distillab.cli import JOBS_PER_CPU, MAX_SEEDS, main
from distillab.sweep import APPLICATION_ID, ResultStore
from tests.fixtures.slow_study import TINY_STUDY


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    captured = capsys.readouterr()
    return int(exit_info.value.code or 0), captured.out, captured.err


def test_list_shows_studies_and_figures(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(["list"], capsys)
    assert code == 0
    assert "kernels/ntk-convergence" in out and "kernels/lazy-training" in out


@pytest.mark.parametrize(
    "argv, fragment",
    [
        (["reproduce", "no-such-study"], "unknown target"),
        (["reproduce", "kernels/no-such-figure"], "no figure"),
        (["reproduce", "--seeds", "0"], "--seeds"),
        (["reproduce", "--seeds", "many"], "--seeds"),
        (["reproduce", "--jobs", "0"], "--jobs"),
        (["reproduce", "kernels", "--jobs", "10000"], f"({JOBS_PER_CPU} × "),
        (["reproduce", "kernels", "--seeds", str(MAX_SEEDS + 1)], f"between 1 and {MAX_SEEDS}"),
        (["reproduce", "kernels", "--quick", "--full"], "--quick and --full exclude each other"),
        (["reproduce", "kernels", "--full", "--quick"], "--quick and --full exclude each other"),
        (["reproduce", "kernels/", "--backend", "dask", "--scheduler", "tcp://h:99999"], "port"),
        (["reproduce", "/"], "unknown target"),
        (["reproduce", "--bogus"], "--bogus"),
        (["report"], "no results store"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_writes_nothing(
    argv: list[str],
    fragment: str,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    out_dir = tmp_path / "out"
    code, _, err = _run([*argv, "--out", str(out_dir)] if "--bogus" not in argv else argv, capsys)
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and fragment in err
    assert err.startswith("distillab: error:")
    assert not out_dir.exists()


def test_unwritable_out_dir_is_refused(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    code, _, err = _run(["reproduce", "kernels", "--out", str(blocker / "sub")], capsys)
    assert code == 2 and "not a directory" in err and len(err.strip().splitlines()) == 1


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux's /proc")
def test_out_where_no_file_can_be_made_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(["reproduce", "kernels", "--out", "/proc/x"], capsys)
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "cannot create --out /proc/x: /proc does not accept new files" in err


@pytest.mark.parametrize("bad", ["a\x00b", "x" * 5000, "\udc80\ud800"])
def test_out_that_is_no_path_is_one_line(bad: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(["reproduce", "kernels", "--out", bad], capsys)
    assert code == 2 and len(err.strip().splitlines()) == 1 and "--out" in err


def test_data_alone_lists_its_commands(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(["data"], capsys)
    assert code == 0 and "fetch" in out and "Commands" in out


def test_help_documents_the_trailing_slash_and_the_jobs_rule(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = _run(["reproduce", "--help"], capsys)
    flat = " ".join(out.split())
    assert code == 0 and "'study/', the same" in flat and f"{JOBS_PER_CPU} × the number" in flat


@pytest.fixture
def tiny_registry(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Only the one-point fixture study (in-process runs with --jobs 1)."""
    monkeypatch.setattr(studies_module, "registry", lambda: {"tiny-toy": TINY_STUDY})
    yield


def test_trailing_slash_means_the_study_and_progress_goes_to_stderr(
    tiny_registry: None, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, err = _run(["reproduce", "tiny-toy/", "--jobs", "1", "--out", str(tmp_path)], capsys)
    assert code == 0, err
    assert out.startswith("1 tasks (0 resumed; computed: 1 ok)") and "━" not in out
    assert "━" in err  # the progress bar
    with ResultStore(tmp_path / "results.sqlite") as store:
        assert [(r.figure, r.values) for r in store.rows()] == [("line", {"y": 2.0})]


def _foreign(path: Path) -> None:
    with closing(sqlite3.connect(path)) as db:
        db.execute("CREATE TABLE results (name TEXT)")
        db.commit()


@pytest.mark.parametrize("command", ["reproduce", "report"])
@pytest.mark.parametrize("content", ["foreign", "corrupt"])
def test_a_store_that_is_not_distillab_s_is_refused_and_untouched(
    command: str,
    content: str,
    tiny_registry: None,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    store = tmp_path / "results.sqlite"
    if content == "foreign":
        _foreign(store)
    else:
        store.write_bytes(b"\x00garbage" * 500)
    before = store.read_bytes()
    argv = [command, "--out", str(tmp_path)]
    code, _, err = _run(
        [*argv, "tiny-toy", "--jobs", "1"] if command == "reproduce" else argv, capsys
    )
    assert code == 2 and len(err.strip().splitlines()) == 1, err
    assert "left untouched" in err and str(store) in err
    assert store.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == [
        "results.sqlite"
    ]


def test_ctrl_c_during_a_commit_exits_130_and_keeps_the_row(
    tiny_registry: None,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    opened = ResultStore.__init__

    def open_and_trace(store: ResultStore, *args: object, **kwargs: object) -> None:
        opened(store, *args, **kwargs)
        last = [""]

        def trace(statement: str) -> None:  # SIGINT inside the commit of the results row
            if statement == "COMMIT" and last[0].lstrip().startswith("INSERT INTO results"):
                os.kill(os.getpid(), signal.SIGINT)
            last[0] = statement

        store._connection.set_trace_callback(trace)

    monkeypatch.setattr(ResultStore, "__init__", open_and_trace)
    code, out, err = _run(["reproduce", "tiny-toy", "--jobs", "1", "--out", str(tmp_path)], capsys)
    assert code == 130 and out == ""
    assert err.strip().splitlines()[-1].startswith("distillab: interrupted; finished results")
    monkeypatch.undo()
    with ResultStore(tmp_path / "results.sqlite") as store:
        assert store.count() == 1
        assert store._connection.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID


@settings(max_examples=15, deadline=None)
@given(seeds=st.integers(max_value=0))
def test_any_non_positive_seed_count_is_refused(seeds: int) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["reproduce", "kernels", "--seeds", str(seeds), "--out", os.devnull + "/x"])
    assert exit_info.value.code == 2


def test_reproduce_writes_report_and_resumes(tmp_path: Path) -> None:
    command = [
        sys.executable,
        "-m",
        "distillab.cli",
        "reproduce",
        "kernels/lazy-training",
        "--quick",
        "--seeds",
        "1",
        "--jobs",
        "2",
        "--out",
        str(tmp_path),
    ]
    first = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stderr
    assert "0 resumed" in first.stdout
    assert "━" not in first.stdout  # the progress bar went to stderr
    assert "kernels" in (tmp_path / "report.html").read_text()
    second = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert second.returncode == 0 and "8 tasks (8 resumed" in second.stdout

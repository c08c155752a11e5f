"""The command line: listing, errors (one line, exit 2, nothing written), reproduce and resume."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from distillab.cli import main


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
    report = (tmp_path / "report.html").read_text()
    assert "kernels/lazy-training" in report and "data:image/png;base64," in report
    second = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert second.returncode == 0 and "8 tasks (8 resumed" in second.stdout

"""Fuzz the command line with careless input: every run ends with exit code 0, 1 or 2 and no
traceback, and leaves its --out directory untouched or holding a valid distillab store.

Arguments are drawn by hypothesis (derandomized, a fixed number of examples): unknown and odd
targets, numbers of every sign and type, paths of every odd kind, conflicting flags. Runs are
in-process; the registry holds only the one-point fixture study ``tiny-toy``, so a run that
passes validation computes one theory row (serially) and writes a small report.
"""

from __future__ import annotations

import contextlib
import io
import os
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import distillab.studies as studies_module
from distillab.cli import DEFAULT_OUT, STORE_NAME, main
from distillab.sweep import APPLICATION_ID, ResultStore
from tests.fixtures.slow_study import TINY_STUDY

NUMBERS = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.integers(min_value=-3, max_value=12).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["", " 2", "2 ", "+3", "-0", "0x10", "1e3", "1_000", "٣", "nan", "two"]),
)
PATHS = st.sampled_from(
    [
        "out",
        "out/deeper/still",
        ".",
        "",
        "existing",
        "valid",
        "foreign",
        "corrupt",
        "a-file",
        "a-file/below",
        "loop",
        "loop/below",
        "dir with spaces/ü",
        "x" * 300,
        "a\x00b",
        "\udc80",
        "/proc/x",
        "/dev/null",
        "/dev/null/x",
    ]
)
TARGETS = st.sampled_from(
    [
        *("tiny-toy", "tiny-toy/", "tiny-toy//", "tiny-toy/line", "tiny-toy/nope", "no-such"),
        *("/", "", "..", "tiny-toy/line/extra", "kernels", "-", "--", "tiny-toy\x00"),
    ]
)


@st.composite
def reproduce_arguments(draw: st.DrawFn) -> list[str]:
    argv = ["reproduce", *draw(st.lists(TARGETS, max_size=2))]
    options = st.sampled_from(
        ["--jobs", "--seeds", "--quick", "--full", "--out", "--backend", "--bogus", "=", "-j"]
    )
    for option in draw(st.lists(options, max_size=5)):
        if option in ("--jobs", "--seeds"):
            argv += [option, draw(NUMBERS)]
        elif option == "--out":
            argv += [option, draw(PATHS)]
        elif option == "--backend":
            backend = draw(st.sampled_from(["local", "dask", "threads", ""]))
            argv += [option, backend]
            if backend == "dask":  # always with a scheduler that fails fast: no real cluster
                argv += ["--scheduler", draw(st.sampled_from(["tcp://127.0.0.1:1", "nonsense"]))]
        else:
            argv.append(option)
    if draw(st.booleans()):  # most runs: at most one CPU's worth of jobs, so nothing forks
        argv += ["--jobs", "1"]
    return argv


ARGUMENTS = st.one_of(
    reproduce_arguments(),
    st.tuples(st.just("report"), st.sampled_from(["--out", "--bogus"]), PATHS).map(list),
    st.lists(st.sampled_from(["list", "data", "fetch", "mnist-ish", "--data-dir", "--help"])).map(
        lambda tail: ["data", *tail] if "--data-dir" not in tail else ["data", "fetch", "-"]
    ),
    st.lists(st.text(max_size=6), max_size=3),
)


def _sandbox(root: Path) -> None:
    """Odd things for the paths to meet: a file, a symlink loop, stores of every kind."""
    (root / "existing").mkdir()
    (root / "a-file").write_text("not a directory")
    (root / "loop").symlink_to(root / "loop")
    (root / "valid").mkdir()
    ResultStore(root / "valid" / STORE_NAME).close()
    (root / "foreign").mkdir()
    with contextlib.closing(sqlite3.connect(root / "foreign" / STORE_NAME)) as db:
        db.execute("CREATE TABLE results (name TEXT)")
        db.commit()
    (root / "corrupt").mkdir()
    (root / "corrupt" / STORE_NAME).write_bytes(b"\x00not sqlite" * 100)


def _snapshot(root: Path) -> dict[str, bytes | str]:
    state: dict[str, bytes | str] = {}
    for directory, names, files in os.walk(root):
        for name in names + files:
            path = Path(directory) / name
            key = str(path.relative_to(root))
            if path.is_symlink():
                state[key] = f"-> {os.readlink(path)}"
            elif path.is_file():
                state[key] = path.read_bytes()
            else:
                state[key] = "dir"
    return state


def _out_of(argv: list[str]) -> str:
    out = str(DEFAULT_OUT)
    for position, argument in enumerate(argv[:-1]):
        if argument == "--out":
            out = argv[position + 1]
    return out


def _assert_valid_store(directory: Path) -> None:
    path = directory / STORE_NAME
    with contextlib.closing(sqlite3.connect(path)) as db:
        assert db.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    with ResultStore(path) as store:
        assert all(r.study == "tiny-toy" and r.status == "ok" for r in store.rows())


@pytest.fixture(scope="module", autouse=True)
def tiny_registry() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(studies_module, "registry", lambda: {"tiny-toy": TINY_STUDY})
        yield


@settings(
    max_examples=100,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(argv=ARGUMENTS)
def test_any_arguments_exit_0_1_or_2_without_traceback_and_leave_out_sound(
    argv: list[str],
) -> None:
    with tempfile.TemporaryDirectory(prefix="sweep-fuzz-") as name:
        root = Path(name)
        _sandbox(root)
        before = _snapshot(root)
        stdout, stderr = io.StringIO(), io.StringIO()
        with (
            contextlib.chdir(root),
            contextlib.redirect_stdout(stdout),
            contextlib.redirect_stderr(stderr),
            pytest.raises(SystemExit) as exit_info,
        ):
            main(argv)
        code = exit_info.value.code
        event(f"exit {code}")
        assert code in (0, 1, 2), (argv, code, stderr.getvalue())
        assert "Traceback" not in stderr.getvalue(), (argv, stderr.getvalue())
        after = _snapshot(root)
        if after == before:
            return
        event("wrote a store")
        assert code in (0, 1), (argv, code, "exit 2 but something was written")
        out = root / _out_of(argv)
        changed = {key for key in before.keys() | after.keys() if before.get(key) != after.get(key)}
        inside = str(out.resolve().relative_to(root.resolve()))
        assert all(
            key == inside or key.startswith(f"{inside}/") or inside == "." for key in changed
        )
        _assert_valid_store(out)

"""Open studies: a study of another package, registered by the ``distillab.studies`` entry point.

The example package ``examples/custom-study`` is built and installed into a temporary target
directory (never into the test environment) and used through the command line in subprocesses
with that directory on ``PYTHONPATH``. Broken plug-ins are fake installed packages (a
``dist-info`` with an ``entry_points.txt``) on ``sys.path``.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from distillab.errors import DistillabWarning
from distillab.studies import ENTRY_POINT_GROUP, Study, registry
from tests.fixtures.slow_study import TINY_STUDY

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "custom-study"

# A plug-in whose study name is taken by a built-in study (tests name it by this module).
CLASH = Study(
    name="kernels",
    title="a plug-in that claims a built-in study's name",
    reference="none",
    status_note="test fixture",
    figures=TINY_STUDY.figures,
)


def fake_package(site: Path, name: str, entry_points: dict[str, str]) -> None:
    """An installed package ``name`` in ``site`` whose only content is its study entry points."""
    info = site / f"{name}-0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 0\n")
    lines = "".join(f"{key} = {value}\n" for key, value in entry_points.items())
    (info / "entry_points.txt").write_text(f"[{ENTRY_POINT_GROUP}]\n{lines}")


@pytest.fixture
def fresh_registry() -> Iterator[None]:
    """The registry rebuilt for this test and again afterwards (it is cached per process)."""
    registry.cache_clear()
    yield
    registry.cache_clear()


def test_plugins_on_the_path_are_registered_and_broken_ones_skipped_with_one_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_registry: None
) -> None:
    fake_package(
        tmp_path,
        "mixed_plugins",
        {
            "slow-toy": "tests.fixtures.slow_study:STUDY",
            "missing": "distillab_no_such_module:STUDY",
            "not-a-study": "tests.fixtures.slow_study:POINTS",
            "clash": "tests.test_plugins:CLASH",
        },
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.warns(DistillabWarning) as caught:
        studies = registry()
    messages = sorted(str(w.message) for w in caught)
    assert len(messages) == 3 and all("\n" not in m for m in messages)
    clash, missing, not_a_study = messages
    assert clash.startswith("skipped study plug-in 'clash' (tests.test_plugins:CLASH)")
    assert "of package 'mixed_plugins'" in clash and "'kernels' is already registered" in clash
    assert "'missing'" in missing and "ModuleNotFoundError" in missing
    assert "distillab_no_such_module" in missing
    assert "'not-a-study'" in not_a_study and "is a int, not a distillab Study" in not_a_study
    assert studies["slow-toy"].title.startswith("A slow toy study")
    assert studies["kernels"] is not CLASH  # the built-in study wins
    assert list(studies) == sorted(studies)


def _distillab(arguments: list[str], site: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    environment = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")]),
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
    }
    return subprocess.run(
        [sys.executable, "-m", "distillab.cli", *arguments],
        env=environment,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_a_broken_plugin_gives_one_warning_line_and_list_still_works(tmp_path: Path) -> None:
    site = tmp_path / "site"
    fake_package(site, "broken_plugin", {"broken": "distillab_broken_plugin_module:STUDY"})
    listed = _distillab(["list"], site, tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert listed.stderr.splitlines() == [
        "distillab: warning: skipped study plug-in 'broken' (distillab_broken_plugin_module:STUDY) "
        "of package 'broken_plugin': ModuleNotFoundError: No module named "
        "'distillab_broken_plugin_module'"
    ]
    assert "kernels/ntk-convergence" in listed.stdout


def _rows(out: Path) -> list[tuple[str, str, str]]:
    with sqlite3.connect(out / "results.sqlite") as db:
        return db.execute("SELECT study, kind, status FROM results").fetchall()


def test_the_example_package_installs_lists_reproduces_and_resumes(tmp_path: Path) -> None:
    # Built from a copy: setuptools writes build/ and *.egg-info beside the sources.
    source, site, out = tmp_path / "source", tmp_path / "site", tmp_path / "out"
    shutil.copytree(EXAMPLE, source, ignore=shutil.ignore_patterns("build", "*.egg-info"))
    install = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-index",
            "--no-build-isolation",
            "--target",
            str(site),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert install.returncode == 0, install.stdout + install.stderr

    listed = _distillab(["list"], site, tmp_path)
    assert listed.returncode == 0 and not listed.stderr, listed.stderr
    assert "custom-study/risk-vs-soft-ratio" in listed.stdout

    command = ["reproduce", "custom-study", "--quick", "--out", str(out), "--jobs", "1"]
    first = _distillab(command, site, tmp_path)
    assert first.returncode == 0, first.stderr
    rows = _rows(out)
    assert len(rows) == 10 + 10 * 8  # 10 grid points: a theory row and 8 seeds each
    assert all(study == "custom-study" and status == "ok" for study, _, status in rows)
    assert "90 tasks (0 resumed; computed: 90 ok)" in first.stdout
    page = (out / "report" / "custom-study.html").read_text()
    assert "student risk = ρ²ε² + (1 − ρ)²σ²d/(n − d − 1), every ρ and n" in page
    assert (out / "figures" / "custom-study" / "risk-vs-soft-ratio.svg").is_file()

    again = _distillab(command, site, tmp_path)
    assert again.returncode == 0, again.stderr
    assert "90 tasks (90 resumed; computed: nothing new)" in again.stdout
    assert len(_rows(out)) == len(rows)

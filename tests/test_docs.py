"""The documentation builds with ``mkdocs build --strict``, and its Python examples run.

Every ```` ```python ```` block of ``docs/*.md`` (the guides; not ``docs/models/*.md``, whose
formulas are not code) runs in a fresh namespace per file, in order, so a page's later blocks
use what its earlier ones defined. A failing block fails the test naming the file and line.
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
import traceback
import types
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
PAGES = sorted(DOCS.glob("*.md"))
BLOCK = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)


def python_blocks(page: Path) -> list[tuple[int, str]]:
    """(line of the block's first code line, code) for each ```python block of ``page``."""
    text = page.read_text()
    return [(text.count("\n", 0, m.start(1)) + 1, m.group(1)) for m in BLOCK.finditer(text)]


def test_the_guides_have_python_examples() -> None:
    assert {"index.md", "extending.md"} <= {p.name for p in PAGES}
    assert python_blocks(DOCS / "extending.md")


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_every_python_block_of_a_page_runs_in_order(
    page: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A real module (dataclasses look their class's module up in sys.modules), fresh per page.
    module = types.ModuleType(f"docs_{page.stem.replace('-', '_')}")
    monkeypatch.setitem(sys.modules, module.__name__, module)
    for line, code in python_blocks(page):
        # Blank lines in front make tracebacks point at the Markdown file's own line numbers.
        compiled = compile("\n" * (line - 1) + code, str(page), "exec")
        try:
            exec(compiled, module.__dict__)
        except Exception as error:
            frames = traceback.extract_tb(error.__traceback__)
            where = next((f.lineno for f in reversed(frames) if f.filename == str(page)), line)
            pytest.fail(f"{page.relative_to(ROOT)}:{where} (block at line {line}): {error!r}")


def test_the_documentation_builds_strictly(tmp_path: Path) -> None:
    if not all(importlib.util.find_spec(name) for name in ("mkdocs", "mkdocstrings")):
        pytest.skip("mkdocs and mkdocstrings are not installed (pip install -e '.[docs]')")
    build = subprocess.run(
        [
            sys.executable,
            "-m",
            "mkdocs",
            "build",
            "--strict",
            "--quiet",
            "--config-file",
            str(ROOT / "mkdocs.yml"),
            "--site-dir",
            str(tmp_path / "site"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert build.returncode == 0, build.stdout + build.stderr
    assert (tmp_path / "site" / "api" / "studies" / "index.html").is_file()

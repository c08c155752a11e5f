"""Fast start: the CLI's cheap paths and ``import distillab.theory`` load no heavy library.

``distillab --help``, ``distillab list`` (the registry with every study loaded) and every bad-input
error must answer in ≤ 0.5 s, so none of them may import torch, matplotlib or scipy: a study or
figure module imports those inside its theory/simulate/plot functions. Each path runs in a fresh
interpreter under ``-X importtime``; on failure the message names, for each heavy library, the
chain of modules that imported it (innermost last), so the distillab module at fault is visible.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

HEAVY = ("torch", "matplotlib", "scipy")

_REPORT = "FAST-START-MODULES "

# Each case: the code a command runs, and the libraries it must not load.
CASES: dict[str, tuple[str, tuple[str, ...]]] = {
    "distillab --help": ("main(['--help'])", HEAVY),
    "distillab list": ("main(['list'])", HEAVY),
    "distillab reproduce --seeds 0": ("main(['reproduce', '--seeds', '0'])", HEAVY),
    "distillab reproduce --quick --full": ("main(['reproduce', '--quick', '--full'])", HEAVY),
    "distillab reproduce --jobs 0": ("main(['reproduce', '--jobs', '0'])", HEAVY),
    "distillab reproduce --backend x": ("main(['reproduce', '--backend', 'x'])", HEAVY),
    "distillab reproduce no-such-study": ("main(['reproduce', 'no-such-study'])", HEAVY),
    "distillab export --format xml": ("main(['export', '--format', 'xml'])", HEAVY),
    "distillab report --out missing": ("main(['report', '--out', '/nonexistent/x'])", HEAVY),
    "distillab data fetch nope": ("main(['data', 'fetch', 'nope'])", HEAVY),
    "import distillab.theory": ("import distillab.theory", ("torch", "matplotlib")),
}


def _script(code: str) -> str:
    """Run ``code`` as the CLI would (exit codes swallowed), then print the loaded modules."""
    return (
        "import json, sys\n"
        "from distillab.cli import main\n"
        "try:\n"
        f"    {code}\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print({_REPORT!r} + json.dumps(sorted(sys.modules)), file=sys.stderr)\n"
    )


def import_chain(importtime: str, module: str) -> list[str]:
    """The modules whose import loaded ``module`` first, outermost first, from ``-X importtime``.

    ``-X importtime`` writes one line per module after its imports finish (children before
    their parent), indented by two spaces per nesting level; the parent of a line is the next
    line with a smaller indent.
    """
    entries = []
    for line in importtime.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        name_part = line.rsplit("|", 1)[1]
        stripped = name_part.lstrip(" ")
        if stripped.startswith("imported package"):
            continue
        entries.append((len(name_part) - len(stripped), stripped.strip()))
    start = next((i for i, (_, name) in enumerate(entries) if name == module), None)
    if start is None:
        return []
    chain, depth = [module], entries[start][0]
    for indent, name in entries[start + 1 :]:
        if indent < depth:
            chain.append(name)
            depth = indent
    return chain[::-1]


@pytest.mark.parametrize("case", list(CASES))
def test_cheap_paths_import_no_heavy_library(case: str) -> None:
    code, forbidden = CASES[case]
    environment = {**os.environ, "DISTILLAB_DATA": "/nonexistent"}
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", _script(code)],
        capture_output=True,
        text=True,
        env=environment,
        timeout=300,
        check=False,
    )
    reports = [line for line in result.stderr.splitlines() if line.startswith(_REPORT)]
    assert reports, f"{case} crashed:\n{result.stderr[-3000:]}"
    loaded = set(json.loads(reports[-1][len(_REPORT) :]))
    offenders = [name for name in forbidden if name in loaded]
    chains = "\n".join(
        f"  {name}: {' → '.join(import_chain(result.stderr, name))}" for name in offenders
    )
    assert not offenders, f"{case} imported {', '.join(offenders)}; imported by:\n{chains}"


def test_import_chain_reads_nested_importtime_output() -> None:
    text = "\n".join(
        [
            "import time: self [us] | cumulative | imported package",
            "import time:         5 |          5 |       torch._C",
            "import time:        10 |         15 |     torch",
            "import time:         3 |         18 |   distillab.train.fit",
            "import time:         1 |          1 |   distillab.errors",
            "import time:         2 |         21 | distillab.studies.x",
        ]
    )
    assert import_chain(text, "torch") == ["distillab.studies.x", "distillab.train.fit", "torch"]
    assert import_chain(text, "scipy") == []

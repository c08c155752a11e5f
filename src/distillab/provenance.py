"""Provenance: the code version that keys stored results, and what ran where."""

from __future__ import annotations

import hashlib
import os
import platform
import subprocess
import sys
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

__all__ = ["code_version", "git_commit", "provenance"]

_PACKAGE_ROOT = Path(__file__).resolve().parent
_DEPENDENCIES = ("numpy", "scipy", "torch", "matplotlib", "scikit-learn", "joblib", "typer")


@cache
def code_version() -> str:
    """``<package version>+<12 hex digits>``: a SHA-256 of every ``.py`` file of the package.

    Any change to the code that computes results changes this version, so stale rows are never
    mixed with new ones; an unchanged tree keeps its rows across runs (resume).
    """
    digest = hashlib.sha256()
    for path in sorted(_PACKAGE_ROOT.rglob("*.py")):
        digest.update(path.relative_to(_PACKAGE_ROOT).as_posix().encode())
        digest.update(path.read_bytes())
    return f"{_package_version()}+{digest.hexdigest()[:12]}"


def _package_version() -> str:
    try:
        return metadata.version("distillab")
    except metadata.PackageNotFoundError:
        return "0+unknown"


def git_commit() -> str | None:
    """The git commit of the source checkout (with ``-dirty`` if modified), if there is one."""
    try:
        commit = subprocess.run(
            ["git", "-C", str(_PACKAGE_ROOT), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(_PACKAGE_ROOT), "status", "--porcelain", "--", "."],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return f"{commit}-dirty" if dirty else commit


def provenance() -> dict[str, Any]:
    """Versions, platform and commit, recorded with every sweep."""
    versions = {"python": platform.python_version(), "distillab": _package_version()}
    for name in _DEPENDENCIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return {
        "versions": versions,
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
        "git_commit": git_commit(),
        "code_version": code_version(),
        "argv": sys.argv,
    }

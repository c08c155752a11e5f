"""Provenance: the code version that keys stored results, and what ran where."""

from __future__ import annotations

import ast
import hashlib
import importlib.util
import os
import platform
import subprocess
import sys
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

__all__ = [
    "code_version",
    "figure_version",
    "git_commit",
    "module_closure",
    "module_version",
    "provenance",
]

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


def _module_file(name: str) -> Path | None:
    """The source file of the distillab module ``name`` (package → its ``__init__.py``)."""
    parts = name.split(".")
    if parts[0] != "distillab":
        return None
    base = _PACKAGE_ROOT.joinpath(*parts[1:])
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path
    return None


def _imports(name: str, path: Path) -> set[str]:
    """The distillab modules that the source of module ``name`` imports (statically)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_bytes())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join(anchor + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    modules = set()
    for module in found:
        parts = module.split(".")
        # Importing a.b.c runs a/__init__ and a/b/__init__ too.
        modules.update(".".join(parts[:i]) for i in range(1, len(parts) + 1))
    return {m for m in modules if _module_file(m) is not None}


_NOT_COMPUTING = (
    "distillab.cli",
    "distillab.provenance",
    "distillab.report",
    "distillab.runner",
    "distillab.studies.point",
    "distillab.studies.spec",
    "distillab.sweep",
)
"""Modules that draw, store, schedule or declare results but compute no value: left out of the
figure version (with everything below them), so editing the report or the sweep machinery keeps
stored rows valid."""

_NOT_COMPUTING_INITS = ("distillab", "distillab.studies")
"""Package ``__init__`` modules that only re-export or register: left out themselves, but the
modules below them are followed as usual. Each study package's ``__init__``
(``distillab.studies.<study>``) is one too: it only lists the study's figures, and following it
would tie every figure's version to all of its study's figures."""


def _computes(module: str) -> bool:
    parts = module.split(".")
    if module in _NOT_COMPUTING_INITS or (
        len(parts) == 3 and parts[:2] == ["distillab", "studies"]
    ):
        return False
    return not any(module == skip or module.startswith(skip + ".") for skip in _NOT_COMPUTING)


def module_closure(name: str) -> list[str]:
    """``name`` and every distillab module it imports, transitively, sorted.

    Static: read from the ``import`` statements of each source file (imports inside functions
    count too), so it costs no import. ``name`` must be a distillab module. Modules that compute
    no value (see ``_NOT_COMPUTING``) are left out and not followed.
    """
    seen: set[str] = set()
    todo = [name]
    while todo:
        module = todo.pop()
        path = _module_file(module)
        if module in seen or path is None or (module != name and not _computes(module)):
            continue
        seen.add(module)
        todo.extend(_imports(module, path) - seen)
    return sorted(seen)


@cache
def module_version(name: str) -> str:
    """``<package version>+<12 hex digits>``: a SHA-256 of ``name``'s import closure.

    The code version of a figure: the hash of its own module and of every distillab module it
    imports, transitively. Editing one study's figure leaves the other studies' stored rows valid;
    editing an engine invalidates exactly the figures that import it. A module outside the
    package (a plug-in study) is hashed together with the distillab modules it imports.
    """
    digest = hashlib.sha256()
    modules = module_closure(name) if name.startswith("distillab.") else [name]
    for module in modules:
        path = _module_file(module) or _external_file(module)
        digest.update(module.encode())
        if path is not None:
            digest.update(path.read_bytes())
            if not module.startswith("distillab"):
                for inner in sorted(_imports(module, path)):
                    for dependency in module_closure(inner):
                        dependency_path = _module_file(dependency)
                        digest.update(dependency.encode())
                        if dependency_path is not None:
                            digest.update(dependency_path.read_bytes())
    return f"{_package_version()}+{digest.hexdigest()[:12]}"


def figure_version(figure: Any) -> str:
    """The code version of a :class:`~distillab.studies.Figure`: ``module_version`` of its module.

    Rows are keyed by it, so editing one study recomputes that study's figures only.
    """
    return module_version(figure.module) if figure.module else code_version()


def _external_file(name: str) -> Path | None:
    """The source file of an importable non-distillab module, if it has one."""
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.origin or not spec.origin.endswith(".py"):
        return None
    return Path(spec.origin)


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

"""The studies registry: every subpackage of ``distillab.studies`` that defines ``STUDY``.

A study subpackage registers itself by defining a module-level ``STUDY`` (:class:`Study`); the
registry discovers them, so adding a study touches no shared file. Studies outside the package
(a researcher's own) are added by naming their importable modules, comma-separated, in the
environment variable ``DISTILLAB_STUDY_MODULES``; worker processes inherit it.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
from collections.abc import Sequence
from functools import cache

from distillab.errors import ConfigError
from distillab.studies.spec import (
    PROFILES,
    Claim,
    Comparison,
    Figure,
    Profile,
    Scaling,
    Study,
    Tolerance,
)

STUDY_MODULES_ENV = "DISTILLAB_STUDY_MODULES"

__all__ = [
    "PROFILES",
    "STUDY_MODULES_ENV",
    "Claim",
    "Comparison",
    "Figure",
    "Profile",
    "Scaling",
    "Study",
    "Tolerance",
    "get_figure",
    "registry",
    "resolve_targets",
]


@cache
def registry() -> dict[str, Study]:
    """All registered studies by name, in alphabetical order."""
    modules = [
        f"{__name__}.{m.name}"
        for m in pkgutil.iter_modules(__path__)
        if m.ispkg and not m.name.startswith("_")
    ]
    extra = [name.strip() for name in os.environ.get(STUDY_MODULES_ENV, "").split(",")]
    found: dict[str, Study] = {}
    for module_name in modules + [name for name in extra if name]:
        try:
            module = importlib.import_module(module_name)
        except ImportError as error:
            if module_name in modules:
                raise
            raise ConfigError(
                f"cannot import study module {module_name!r} named in {STUDY_MODULES_ENV}: {error}."
            ) from None
        study = getattr(module, "STUDY", None)
        if isinstance(study, Study):
            found[study.name] = study
    return dict(sorted(found.items()))


def get_figure(study: str, figure: str) -> Figure:
    """Look a figure up by its study and figure names."""
    studies = registry()
    if study not in studies:
        raise ConfigError(f"unknown study {study!r} (known: {', '.join(studies)}).")
    return studies[study].figure(figure)


def resolve_targets(targets: Sequence[str]) -> list[tuple[Study, Figure]]:
    """Expand CLI targets (``study`` or ``study/figure``; none = everything) to figures.

    Raises :class:`ConfigError` naming the first unknown target. Duplicates are dropped while the
    order is kept.
    """
    studies = registry()
    if not targets:
        return [(s, f) for s in studies.values() for f in s.figures]
    chosen: list[tuple[Study, Figure]] = []
    for target in targets:
        name, _, figure_name = target.partition("/")
        if name not in studies:
            raise ConfigError(
                f"unknown target {target!r}: no study {name!r} (known: {', '.join(studies)})."
            )
        study = studies[name]
        figures = [study.figure(figure_name)] if figure_name else list(study.figures)
        chosen.extend((study, f) for f in figures if (study, f) not in chosen)
    return chosen

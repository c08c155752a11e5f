"""The studies registry: the built-in studies and those that installed packages register.

A built-in study is a subpackage of ``distillab.studies`` that defines a module-level ``STUDY``
(:class:`Study`); the registry discovers them, so adding a study touches no shared file.

A study of your own lives in its own installable package and registers through the entry-point
group ``distillab.studies`` (:data:`ENTRY_POINT_GROUP`), whose value names a :class:`Study`, in
that package's ``pyproject.toml``::

    [project.entry-points."distillab.studies"]
    my-study = "my_package:STUDY"

Once the package is installed, the study is listed, reproduced, resumed and reported like a
built-in one, also by worker processes (they see the same installed packages). A plug-in that
cannot be loaded, whose value is not a :class:`Study`, or whose study name is already taken
gives one :class:`~distillab.errors.DistillabWarning` naming the entry point and is skipped; the
other studies still load. See ``docs/extending.md`` and ``examples/custom-study/``.
"""

from __future__ import annotations

import importlib
import pkgutil
import warnings
from collections.abc import Sequence
from functools import cache
from importlib.metadata import EntryPoint, entry_points

from distillab.errors import ConfigError, DistillabWarning
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

ENTRY_POINT_GROUP = "distillab.studies"

__all__ = [
    "ENTRY_POINT_GROUP",
    "PROFILES",
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


def _built_in() -> dict[str, Study]:
    """The studies of the subpackages of ``distillab.studies`` (an import error propagates)."""
    found: dict[str, Study] = {}
    for info in pkgutil.iter_modules(__path__):
        if info.ispkg and not info.name.startswith("_"):
            study = getattr(importlib.import_module(f"{__name__}.{info.name}"), "STUDY", None)
            if isinstance(study, Study):
                found[study.name] = study
    return found


def _skip(entry_point: EntryPoint, reason: str) -> None:
    """Warn, in one line naming the entry point and its package, that a plug-in is skipped."""
    package = f" of package {entry_point.dist.name!r}" if entry_point.dist is not None else ""
    warnings.warn(
        f"skipped study plug-in {entry_point.name!r} ({entry_point.value}){package}: "
        f"{' '.join(reason.split())}",
        DistillabWarning,
        stacklevel=2,
    )


def _plugin(entry_point: EntryPoint) -> Study | None:
    """The study an entry point names, or None (with a warning) when it cannot be used."""
    try:
        study = entry_point.load()
    except Exception as error:  # a broken third-party package must not break the registry
        _skip(entry_point, f"{type(error).__name__}: {error}")
        return None
    if not isinstance(study, Study):
        _skip(entry_point, f"its value is a {type(study).__name__}, not a distillab Study")
        return None
    return study


@cache
def registry() -> dict[str, Study]:
    """All registered studies by name, in alphabetical order: built-in ones, then plug-ins.

    Plug-ins are the entry points of group :data:`ENTRY_POINT_GROUP`. One that cannot be used,
    or whose study name is taken (a built-in wins), is skipped with a DistillabWarning.
    """
    found = _built_in()
    for entry_point in entry_points(group=ENTRY_POINT_GROUP):
        study = _plugin(entry_point)
        if study is not None and study.name in found:
            _skip(entry_point, f"a study named {study.name!r} is already registered")
        elif study is not None:
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

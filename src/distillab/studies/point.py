"""A figure's grid point: a typed, frozen dataclass validated when the figure is declared.

A figure declares ``point=SomePoint`` (a subclass of :class:`Point`); every point of its grids is
built as ``SomePoint.of(params)`` when the figure is constructed, so a typo or a value out of range
is a :class:`~distillab.errors.ConfigError` at import time, never a ``KeyError`` deep in a worker.
``theory(point)`` and ``simulate(point, seed)`` then read ``point.soft_ratio`` instead of
``params["soft_ratio"]``, and ``--set`` parses its values by the field's type.

Field types: ``int``, ``float`` (an ``int`` value is accepted unchanged, so stored keys stay the
same), ``bool``, ``str``, ``Literal[...]`` (one of the choices) and ``tuple[X, ...]`` (a list is
accepted and kept as a tuple). Ranges come from :func:`within`.

Example:
  >>> from dataclasses import dataclass
  >>> @dataclass(frozen=True)
  ... class RatioPoint(Point):
  ...     soft_ratio: float = within(0, 1)
  ...     n: int = within(1)
  >>> RatioPoint.of({"soft_ratio": 0.5, "n": 10})
  RatioPoint(soft_ratio=0.5, n=10)
  >>> RatioPoint.of({"soft_ratio": 1.5, "n": 10})
  Traceback (most recent call last):
  ...
  distillab.errors.ConfigError: RatioPoint.soft_ratio must be in [0, 1], got 1.5.
"""

from __future__ import annotations

import dataclasses
import math
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal, Self

from distillab.errors import ConfigError

__all__ = ["Point", "within"]


def within(low: float | None = None, high: float | None = None, **kwargs: Any) -> Any:
    """A dataclass field whose value must lie in the closed range [low, high] (None: unbounded).

    Other keyword arguments (``default=…``) go to :func:`dataclasses.field`.
    """
    return dataclasses.field(metadata={"range": (low, high)}, **kwargs)


def _union(annotation: Any) -> bool:
    return typing.get_origin(annotation) in (typing.Union, types.UnionType)


def _describe(annotation: Any) -> str:
    if _union(annotation):
        return " or ".join(_describe(a) for a in typing.get_args(annotation))
    if typing.get_origin(annotation) is Literal:
        return "one of " + ", ".join(repr(c) for c in typing.get_args(annotation))
    if typing.get_origin(annotation) is tuple:
        return f"a list of {_describe(typing.get_args(annotation)[0])}"
    return {int: "an integer", float: "a number", bool: "true or false", str: "a string"}.get(
        annotation, str(annotation)
    )


@cache
def _accepts(annotation: Any) -> Callable[[Any], bool]:
    """The type test of a field annotation, built once per annotation."""
    if _union(annotation):
        parts = [_accepts(a) for a in typing.get_args(annotation)]
        return lambda value: any(part(value) for part in parts)
    if typing.get_origin(annotation) is Literal:
        choices = typing.get_args(annotation)
        return lambda value: not isinstance(value, bool) and value in choices
    if typing.get_origin(annotation) is tuple:
        item = _accepts(typing.get_args(annotation)[0])
        return lambda value: isinstance(value, list | tuple) and all(item(v) for v in value)
    tests: dict[Any, Callable[[Any], bool]] = {
        bool: lambda value: isinstance(value, bool),
        int: lambda value: isinstance(value, int) and not isinstance(value, bool),
        float: lambda value: isinstance(value, int | float) and not isinstance(value, bool),
        str: lambda value: isinstance(value, str),
    }
    if annotation not in tests:
        raise TypeError(f"unsupported point field type {annotation!r}")
    return tests[annotation]


@dataclass(frozen=True)
class _Check:
    """One field's test: its qualified name, annotation, type test and range."""

    name: str
    field: str
    annotation: Any
    accepts: Callable[[Any], bool]
    low: float | None
    high: float | None
    sequence: bool

    def __call__(self, value: Any) -> Any:
        if not self.accepts(value):
            raise ConfigError(f"{self.name} must be {_describe(self.annotation)}, got {value!r}.")
        items = tuple(value) if self.sequence else (value,)
        for v in items:
            if not isinstance(v, int | float) or isinstance(v, bool):
                continue
            if v != v:  # NaN
                raise ConfigError(f"{self.name} must not be NaN.")
            if (self.low is not None and v < self.low) or (self.high is not None and v > self.high):
                lower = "-∞" if self.low is None else f"{self.low:g}"
                upper = "∞" if self.high is None else f"{self.high:g}"
                raise ConfigError(f"{self.name} must be in [{lower}, {upper}], got {v!r}.")
        return items if self.sequence else value


@cache
def _checks(cls: type) -> tuple[_Check, ...]:
    """The field tests of a point class, built once per class."""
    hints = typing.get_type_hints(cls)
    return tuple(
        _Check(
            f"{cls.__name__}.{f.name}",
            f.name,
            hints[f.name],
            _accepts(hints[f.name]),
            *f.metadata.get("range", (None, None)),
            typing.get_origin(hints[f.name]) is tuple,
        )
        for f in dataclasses.fields(cls)
    )


@dataclass(frozen=True)
class Point:
    """Base class of a figure's typed grid point (subclass it as a frozen dataclass).

    Every field is checked against its annotation and :func:`within` range at construction.
    """

    def __post_init__(self) -> None:
        for check in _checks(type(self)):
            object.__setattr__(self, check.field, check(getattr(self, check.field)))

    @classmethod
    def of(cls, params: Mapping[str, Any]) -> Self:
        """The point with these parameters; unknown or missing names raise ConfigError."""
        names = [f.name for f in dataclasses.fields(cls)]
        unknown = sorted(set(params) - set(names))
        if unknown:
            raise ConfigError(
                f"{cls.__name__} has no field(s) {', '.join(unknown)} (fields: {', '.join(names)})."
            )
        try:
            return cls(**params)
        except TypeError as error:
            raise ConfigError(f"{cls.__name__}: {error}.") from None

    @classmethod
    def field_names(cls) -> list[str]:
        """The names of the point's fields, in declaration order."""
        return [f.name for f in dataclasses.fields(cls)]

    @classmethod
    def parse(cls, name: str, text: str) -> Any:
        """``text`` (one ``--set`` value) as field ``name``'s type, range-checked.

        Raises ConfigError naming the valid fields for an unknown ``name``.
        """
        checks = {check.field: check for check in _checks(cls)}
        if name not in checks:
            raise ConfigError(
                f"--set {name}: not a parameter of this figure (valid: {', '.join(checks)})."
            )
        check = checks[name]
        text = text.strip()
        value = _from_text(check.annotation, text)
        if value is None:
            raise ConfigError(f"--set {name}: {text!r} is not {_describe(check.annotation)}.")
        check(value)
        return value

    def params(self) -> dict[str, Any]:
        """The point as stored: field name → value (tuples as lists)."""
        return {
            f.name: list(v) if isinstance(v := getattr(self, f.name), tuple) else v
            for f in dataclasses.fields(self)
        }


def _from_text(annotation: Any, text: str) -> Any:
    """A value of ``annotation`` parsed from text, or None when it does not parse."""
    if _union(annotation):
        parsed = (_from_text(a, text) for a in typing.get_args(annotation))
        return next((v for v in parsed if v is not None), None)
    if typing.get_origin(annotation) is Literal:
        choices = {str(c): c for c in typing.get_args(annotation)}
        return choices.get(text)
    if annotation is bool:
        return {"true": True, "false": False}.get(text.lower())
    if annotation in (int, float):
        try:
            number = int(text) if annotation is int else float(text)
        except ValueError:
            return None
        return number if math.isfinite(number) else None
    if annotation is str:
        return text or None
    return None

"""Grid expansion and the canonical form of a point's parameters."""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from distillab.errors import ConfigError

__all__ = [
    "Params",
    "canonical_params",
    "grid_fields",
    "jsonable",
    "override_grid",
    "parse_overrides",
    "product_grid",
]

Params = dict[str, Any]


def jsonable(value: Any) -> Any:
    """Convert numpy scalars/arrays and tuples to plain JSON types (recursively)."""
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return jsonable(value.tolist())
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    raise ConfigError(f"value {value!r} of type {type(value).__name__} cannot be stored as JSON.")


def canonical_params(params: Mapping[str, Any]) -> str:
    """One string per parameter point: sorted-key compact JSON (the store's key).

    Floats are written with ``repr`` (shortest round-trip form), so 0.1 and 1e-3 are stable.
    """
    value = jsonable(params)
    for key, item in value.items():
        if isinstance(item, float) and not math.isfinite(item):
            raise ConfigError(f"parameter {key!r} must be finite, got {item!r}.")
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def product_grid(**axes: Iterable[Any]) -> list[Params]:
    """Cartesian product of named axes, the last axis varying fastest.

    Example:
      >>> product_grid(width=[1, 2], trained=["first"])
      [{'width': 1, 'trained': 'first'}, {'width': 2, 'trained': 'first'}]
    """
    names = list(axes)
    values = [list(v) for v in axes.values()]
    return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*values)]


def _parse_value(name: str, text: str, examples: list[Any]) -> Any:
    """``text`` as the type of the axis' existing values (bool, int, float or str)."""
    kinds = {type(v) for v in examples}
    text = text.strip()
    if kinds == {bool}:
        if text.lower() in ("true", "false"):
            return text.lower() == "true"
        raise ConfigError(f"--set {name}: {text!r} is not true or false.")
    if kinds <= {int, float} and kinds:
        try:
            number = int(text) if kinds == {int} else float(text)
        except ValueError:
            kind = "an integer" if kinds == {int} else "a number"
            raise ConfigError(f"--set {name}: {text!r} is not {kind}.") from None
        if isinstance(number, float) and not math.isfinite(number):
            raise ConfigError(f"--set {name}: {text!r} is not finite.")
        return number
    if kinds == {str}:
        if not text:
            raise ConfigError(f"--set {name}: empty value.")
        return text
    raise ConfigError(
        f"--set {name}: this axis holds {sorted(k.__name__ for k in kinds)}; "
        "only bool, int, float and str axes can be set."
    )


def grid_fields(points: list[Params]) -> list[str]:
    """The parameter names every point of the grid has, sorted (the axes ``--set`` may name)."""
    return sorted(set.intersection(*(set(p) for p in points))) if points else []


def parse_overrides(
    settings: Iterable[str], points: list[Params], point: Any = None
) -> dict[str, list[Any]]:
    """``["NAME=V1,V2", …]`` → ``{NAME: [v1, v2]}``, typed like the grid's values of NAME.

    ``point``: the figure's typed point class (:class:`~distillab.studies.point.Point`); when
    given, its fields are the valid names and ``point.parse`` types and range-checks each value.
    Raises :class:`ConfigError` naming the valid fields when NAME is not a parameter of every
    point, or when a value does not parse as that field's type.

    Example:
      >>> parse_overrides(["width=64,128"], [{"width": 32, "trained": "first"}])
      {'width': [64, 128]}
    """
    fields = point.field_names() if point is not None else grid_fields(points)
    overrides: dict[str, list[Any]] = {}
    for setting in settings:
        name, equals, values = setting.partition("=")
        name = name.strip()
        if not equals or not name:
            raise ConfigError(f"--set takes NAME=V1,V2,…, got {setting!r}.")
        if name not in fields:
            raise ConfigError(
                f"--set {name}: not a parameter of this figure (valid: {', '.join(fields)})."
            )
        if point is not None:
            parsed = [point.parse(name, v) for v in values.split(",")]
        else:
            examples = [p[name] for p in points]
            parsed = [_parse_value(name, v, examples) for v in values.split(",")]
        overrides[name] = list(dict.fromkeys(parsed))
    return overrides


def override_grid(points: list[Params], overrides: Mapping[str, list[Any]]) -> list[Params]:
    """The grid with the named axes replaced by the given values.

    Every distinct point of the other parameters is combined with every combination of the new
    values, in the grid's order.

    Example:
      >>> override_grid([{"m": 1, "t": "a"}, {"m": 2, "t": "a"}], {"m": [8]})
      [{'m': 8, 't': 'a'}]
    """
    if not overrides:
        return [dict(p) for p in points]
    rest: dict[str, Params] = {}
    for point in points:
        others = {k: v for k, v in point.items() if k not in overrides}
        rest.setdefault(canonical_params(others), point)
    grid = []
    for point in rest.values():
        for combo in itertools.product(*overrides.values()):
            grid.append({**point, **dict(zip(overrides, combo, strict=True))})
    return grid

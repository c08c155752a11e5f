"""Grid expansion and the canonical form of a point's parameters."""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from distillab.errors import ConfigError

__all__ = ["Params", "canonical_params", "jsonable", "product_grid"]

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

"""Stored results as a table: one CSV row per stored result, parameters flattened to columns."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path
from typing import Any

from distillab.sweep.store import ResultStore, Row

__all__ = ["result_table", "write_csv"]

_FIXED = ("study", "figure", "kind", "seed", "status", "code_version", "wall_time", "message")


def _cell(value: Any) -> Any:
    """Numbers and strings as they are; lists, dicts and booleans as JSON."""
    if isinstance(value, bool | list | dict):
        return json.dumps(value, separators=(",", ":"))
    return "" if value is None else value


def result_table(rows: list[Row]) -> tuple[list[str], list[dict[str, Any]]]:
    """Column names and one record per row: the fixed columns, ``param.<name>``, ``value.<name>``.

    Example:
      >>> columns, records = result_table(
      ...     [Row("s", "f", {"m": 2}, 0, "simulation", "ok", {"y": 1.5, "c": [1, 2]})]
      ... )
      >>> columns[-3:], records[0]["param.m"], records[0]["value.c"]
      (['param.m', 'value.c', 'value.y'], 2, '[1,2]')
    """
    params = sorted({k for r in rows for k in r.params})
    values = sorted({k for r in rows for k in r.values})
    columns = [*_FIXED, *(f"param.{k}" for k in params), *(f"value.{k}" for k in values)]
    records = []
    for row in rows:
        record = {name: _cell(getattr(row, name)) for name in _FIXED}
        record.update({f"param.{k}": _cell(row.params.get(k)) for k in params})
        record.update({f"value.{k}": _cell(row.values.get(k)) for k in values})
        records.append(record)
    return columns, records


def write_csv(store: ResultStore, path: str | Path) -> tuple[Path, int]:
    """Write every stored result of ``store`` to ``path`` as CSV (atomically, with the umask).

    Returns:
      The path and the number of rows written.
    """
    path = Path(path)
    columns, records = result_table(store.rows())
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with temporary.open("w", newline="", encoding="utf-8") as stream:
            writer = csv.DictWriter(stream, fieldnames=columns)
            writer.writeheader()
            writer.writerows(records)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return path, len(records)

"""The results store: one SQLite file (WAL journal), one row per computed result.

A row's key is (study, figure, canonical params, seed, kind, code version); theory rows use seed
−1. Rows are written one transaction each as results arrive, so an interrupted sweep keeps every
finished point and a rerun skips them (resume); a Ctrl-C during a commit is held until the commit
ends (:func:`~distillab.sweep.interrupt.deferred_interrupt`). Rows with status ``"error"`` are
retried by the next run and replaced; every other status (``"ok"``, ``"diverged"``,
``"not-converged"``) is final for its code version. Several processes may write one store at once
(WAL plus a generous busy timeout).

The file is marked as a distillab store: SQLite's ``application_id`` is :data:`APPLICATION_ID`
and ``user_version`` the schema version :data:`SCHEMA_VERSION`. Before anything is written the
file is checked; a foreign SQLite file (another application's id, no tables, or tables that are
not this schema), a corrupt file or a store of a newer schema is refused with a
:class:`~distillab.errors.ConfigError` and left byte-identical. A store of the first version
(no ``application_id`` yet, but exactly this schema) is adopted: it is marked on first open.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator, Mapping
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from distillab.errors import ConfigError
from distillab.sweep.grid import canonical_params, jsonable
from distillab.sweep.interrupt import deferred_interrupt

__all__ = ["APPLICATION_ID", "SCHEMA_VERSION", "THEORY_SEED", "ResultStore", "Row", "RunRecord"]

THEORY_SEED = -1
Kind = Literal["theory", "simulation"]

APPLICATION_ID = 0x444C4142  # "DLAB": marks a SQLite file as a distillab results store
SCHEMA_VERSION = 1

_COLUMNS = {
    "results": {
        "study", "figure", "params", "seed", "kind", "code_version", "status", "message",
        "value_json", "wall_time", "cpu_time", "run_id", "created",
    },
    "runs": {
        "run_id", "started", "finished", "command", "profile", "seeds", "jobs", "code_version",
        "provenance_json", "summary_json",
    },
}  # fmt: skip

_SCHEMA = """
CREATE TABLE IF NOT EXISTS results (
    study TEXT NOT NULL,
    figure TEXT NOT NULL,
    params TEXT NOT NULL,
    seed INTEGER NOT NULL,
    kind TEXT NOT NULL,
    code_version TEXT NOT NULL,
    status TEXT NOT NULL,
    message TEXT NOT NULL DEFAULT '',
    value_json TEXT NOT NULL,
    wall_time REAL NOT NULL,
    cpu_time REAL NOT NULL,
    run_id INTEGER,
    created REAL NOT NULL,
    PRIMARY KEY (study, figure, params, seed, kind, code_version)
);
CREATE TABLE IF NOT EXISTS runs (
    run_id INTEGER PRIMARY KEY AUTOINCREMENT,
    started REAL NOT NULL,
    finished REAL,
    command TEXT NOT NULL,
    profile TEXT NOT NULL,
    seeds TEXT NOT NULL,
    jobs INTEGER NOT NULL,
    code_version TEXT NOT NULL,
    provenance_json TEXT NOT NULL,
    summary_json TEXT
);
"""


@dataclass(frozen=True)
class Row:
    """One stored result.

    Attributes:
      study, figure: where it belongs.
      params: the grid point.
      seed: simulation seed, or ``None`` for a theory row.
      kind: ``"theory"`` or ``"simulation"``.
      status: ``"ok"``; ``"diverged"``, ``"not-converged"`` (the values said
        ``"converged": False``) or another numerical failure reported by the figure; or
        ``"error"`` (the computation raised).
      values: what ``theory``/``simulate`` returned.
      message: why, when the status is not ``"ok"``.
      wall_time, cpu_time: seconds spent computing it.
      code_version: the code that computed it.
    """

    study: str
    figure: str
    params: dict[str, Any]
    seed: int | None
    kind: Kind
    status: str
    values: dict[str, Any] = field(default_factory=dict)
    message: str = ""
    wall_time: float = 0.0
    cpu_time: float = 0.0
    code_version: str = ""
    run_id: int | None = None

    @property
    def ok(self) -> bool:
        """True for a usable result (status ``"ok"``)."""
        return self.status == "ok"


@dataclass(frozen=True)
class RunRecord:
    """One invocation of a sweep, for the report's provenance section."""

    run_id: int
    started: float
    finished: float | None
    command: str
    profile: str
    seeds: dict[str, Any]
    jobs: int
    code_version: str
    provenance: dict[str, Any]
    summary: dict[str, Any] | None


class ResultStore:
    """Results on disk at ``path`` (created with its tables on first use).

    Example:
      >>> import tempfile, os
      >>> store = ResultStore(os.path.join(tempfile.mkdtemp(), "r.sqlite"))
      >>> store.put(Row("s", "f", {"a": 1}, None, "theory", "ok", {"y": 2.0}, code_version="v"))
      True
      >>> [r.values for r in store.rows("s", "f", code_version="v")]
      [{'y': 2.0}]
    """

    def __init__(self, path: str | Path, *, timeout: float = 120.0) -> None:
        self.path = Path(path)
        fresh = _check_store_file(self.path, timeout)
        try:
            self._connection = sqlite3.connect(self.path, timeout=timeout, isolation_level=None)
        except sqlite3.Error as error:
            raise ConfigError(f"cannot open the results store {self.path}: {error}.") from None
        try:
            self._connection.execute(f"PRAGMA busy_timeout={int(timeout * 1000)}")
            with deferred_interrupt():
                if fresh:
                    # Marked and given its tables before WAL, so the main file alone says what
                    # it is; IF NOT EXISTS because another process may create it at the same time.
                    self._connection.executescript(
                        f"BEGIN IMMEDIATE; {_SCHEMA}"
                        f"PRAGMA application_id={APPLICATION_ID};"
                        f"PRAGMA user_version={SCHEMA_VERSION}; COMMIT;"
                    )
                elif self._connection.execute("PRAGMA application_id").fetchone()[0] == 0:
                    self._connection.executescript(  # adopt a store of the first version
                        f"PRAGMA application_id={APPLICATION_ID};"
                        f"PRAGMA user_version={SCHEMA_VERSION};"
                    )
                self._connection.execute("PRAGMA journal_mode=WAL")
            self._connection.execute("PRAGMA synchronous=NORMAL")
        except BaseException:
            self._connection.close()
            raise

    def close(self) -> None:
        """Close the connection (the file stays consistent at any point)."""
        self._connection.close()

    def __enter__(self) -> ResultStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with deferred_interrupt():
            self._connection.execute("BEGIN IMMEDIATE")
            try:
                yield self._connection
            except BaseException:
                self._connection.execute("ROLLBACK")
                raise
            self._connection.execute("COMMIT")

    def put(self, row: Row) -> bool:
        """Store ``row`` unless a final (non-error) row with its key exists; True if written."""
        seed = THEORY_SEED if row.seed is None else int(row.seed)
        record = (
            row.study,
            row.figure,
            canonical_params(row.params),
            seed,
            row.kind,
            row.code_version,
            row.status,
            row.message,
            json.dumps(jsonable(dict(row.values)), allow_nan=True),
            float(row.wall_time),
            float(row.cpu_time),
            row.run_id,
            time.time(),
        )
        with self._transaction() as db:
            cursor = db.execute(
                """INSERT INTO results (study, figure, params, seed, kind, code_version, status,
                       message, value_json, wall_time, cpu_time, run_id, created)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT (study, figure, params, seed, kind, code_version) DO UPDATE SET
                       status = excluded.status, message = excluded.message,
                       value_json = excluded.value_json, wall_time = excluded.wall_time,
                       cpu_time = excluded.cpu_time, run_id = excluded.run_id,
                       created = excluded.created
                   WHERE results.status = 'error'""",
                record,
            )
            return cursor.rowcount > 0

    def final_keys(self, study: str, figure: str, code_version: str) -> set[tuple[str, int, str]]:
        """Keys (canonical params, seed, kind) already final (not ``"error"``) for this code."""
        cursor = self._connection.execute(
            """SELECT params, seed, kind FROM results
               WHERE study = ? AND figure = ? AND code_version = ? AND status != 'error'""",
            (study, figure, code_version),
        )
        return {(p, s, k) for p, s, k in cursor}

    def rows(
        self,
        study: str | None = None,
        figure: str | None = None,
        *,
        code_version: str | None = None,
    ) -> list[Row]:
        """Stored rows, optionally filtered, in insertion order."""
        clauses, args = [], []
        for column, value in (("study", study), ("figure", figure), ("code_version", code_version)):
            if value is not None:
                clauses.append(f"{column} = ?")
                args.append(value)
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        cursor = self._connection.execute(
            f"""SELECT study, figure, params, seed, kind, status, value_json, message, wall_time,
                       cpu_time, code_version, run_id
                FROM results {where} ORDER BY rowid""",
            args,
        )
        return [
            Row(
                study=st,
                figure=fi,
                params=json.loads(pa),
                seed=None if se == THEORY_SEED else se,
                kind=ki,
                status=status,
                values=json.loads(va),
                message=me,
                wall_time=wt,
                cpu_time=ct,
                code_version=cv,
                run_id=ri,
            )
            for st, fi, pa, se, ki, status, va, me, wt, ct, cv, ri in cursor
        ]

    def count(self) -> int:
        """Number of stored rows."""
        return int(self._connection.execute("SELECT COUNT(*) FROM results").fetchone()[0])

    def start_run(
        self,
        *,
        command: str,
        profile: str,
        seeds: Mapping[str, Any],
        jobs: int,
        code_version: str,
        provenance: Mapping[str, Any],
    ) -> int:
        """Record the start of a sweep; returns its run id."""
        with self._transaction() as db:
            cursor = db.execute(
                """INSERT INTO runs (started, command, profile, seeds, jobs, code_version,
                       provenance_json) VALUES (?, ?, ?, ?, ?, ?, ?)""",
                (
                    time.time(),
                    command,
                    profile,
                    json.dumps(jsonable(dict(seeds))),
                    jobs,
                    code_version,
                    json.dumps(jsonable(dict(provenance))),
                ),
            )
            return int(cursor.lastrowid)

    def finish_run(self, run_id: int, summary: Mapping[str, Any]) -> None:
        """Record the end of a sweep and its summary counts."""
        with self._transaction() as db:
            db.execute(
                "UPDATE runs SET finished = ?, summary_json = ? WHERE run_id = ?",
                (time.time(), json.dumps(jsonable(dict(summary))), run_id),
            )

    def runs(self) -> list[RunRecord]:
        """All recorded sweeps, oldest first."""
        cursor = self._connection.execute(
            """SELECT run_id, started, finished, command, profile, seeds, jobs, code_version,
                      provenance_json, summary_json FROM runs ORDER BY run_id"""
        )
        return [
            RunRecord(
                ri,
                st,
                fi,
                co,
                pr,
                json.loads(se),
                jo,
                cv,
                json.loads(pj),
                json.loads(sj) if sj else None,
            )
            for ri, st, fi, co, pr, se, jo, cv, pj, sj in cursor
        ]


def _refuse(path: Path, why: str) -> ConfigError:
    return ConfigError(
        f"{path} is not a distillab results store ({why}); it was left untouched: "
        "choose another --out."
    )


def _check_store_file(path: Path, timeout: float) -> bool:
    """Check ``path`` before anything is written to it; True if a new store is to be made there.

    A missing or empty file is a new store. Otherwise the SQLite header (its first 100 bytes) is
    read as plain bytes, and the tables through a read-only connection — ``immutable`` unless
    the header carries distillab's id, so that no lock, journal or ``-wal``/``-shm`` file
    touches a file that may be someone else's.
    """
    try:
        if not path.exists() or (path.is_file() and path.stat().st_size == 0):
            return True
        if not path.is_file():
            raise _refuse(path, "it is not a regular file")
        with path.open("rb") as stream:
            header = stream.read(100)
        uri = path.absolute().as_uri()
    except ConfigError:
        raise
    except (OSError, ValueError) as error:
        raise ConfigError(f"cannot use {path!s} as the results store: {error}.") from None
    if len(header) < 100 or not header.startswith(b"SQLite format 3\x00"):
        raise _corrupt(path, "no SQLite header")
    version = int.from_bytes(header[60:64], "big")
    application_id = int.from_bytes(header[68:72], "big")
    if application_id not in (0, APPLICATION_ID):
        raise _refuse(path, f"an SQLite file of another application, id {application_id:#x}")
    if application_id == APPLICATION_ID and version > SCHEMA_VERSION:
        raise ConfigError(
            f"{path} is a results store of schema {version}, made by a newer distillab than "
            f"this one (schema {SCHEMA_VERSION}); upgrade distillab to use it."
        )
    mode = "ro" if application_id == APPLICATION_ID else "ro&immutable=1"
    try:
        with closing(sqlite3.connect(f"{uri}?mode={mode}", uri=True, timeout=timeout)) as db:
            tables = {
                name: {column[1] for column in db.execute(f"PRAGMA table_info('{name}')")}
                for (name,) in db.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' "
                    "AND name NOT LIKE 'sqlite_%'"
                )
            }
    except sqlite3.DatabaseError as error:
        raise _corrupt(path, str(error)) from None
    if tables != _COLUMNS:
        found = ", ".join(sorted(tables)) or "no tables"
        owner = "a damaged distillab store" if application_id else "a foreign SQLite file"
        raise _refuse(path, f"{owner}: tables {found}, expected results and runs")
    return False


def _corrupt(path: Path, why: str) -> ConfigError:
    return ConfigError(
        f"{path} cannot be read as a distillab results store ({why}); it is corrupt or not an "
        "SQLite file, and was left untouched: choose another --out."
    )

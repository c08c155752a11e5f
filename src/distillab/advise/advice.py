"""The advice: rank (teacher, ρ, T) by the linearised student's predicted test error.

:func:`advise` runs the whole method (docs/advisor.md): the student's empirical NTK, batched
function-space GD of the linearised student on the real KD loss at the user's η and budget,
supervision complexity per teacher, the regime and stability diagnostics, the recommendation;
optionally the verification grid. :func:`write_advice` writes ``advice.json``.
"""

from __future__ import annotations

import itertools
import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from distillab.errors import ConfigError

__all__ = [
    "LAZY_KERNEL_CHANGE",
    "AdviseConfig",
    "advise",
    "kernel_movement",
    "parse_grid",
    "write_advice",
]

LAZY_KERNEL_CHANGE = 0.1  # relative NTK change along the predicted path above which we warn
_KERNEL_CHECK_POINTS = 128  # training points on which the kernel movement is measured


@dataclass(frozen=True)
class AdviseConfig:
    """Everything ``distillab advise`` was asked (validated by :func:`advise`)."""

    data: str
    student: str
    teachers: tuple[str, ...]
    soft_ratios: tuple[float, ...] = (0.0, 0.25, 0.5, 0.75, 1.0)
    temperatures: tuple[float, ...] = (1.0, 2.0, 4.0, 8.0)
    steps: int = 300
    lr: float = 0.1
    n_train: int | None = None
    n_test: int | None = None
    n_kernel: int = 2000
    seed: int = 0
    device: str = "cpu"
    verify: int | None = 0  # 0: no verification; None: all settings; k: k settings
    verify_seeds: int = 1
    cache_dir: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def parse_grid(
    text: str, name: str, low: float, high: float, *, closed_low: bool
) -> tuple[float, ...]:
    """Parse a comma-separated list of numbers in [low, high] (or (low, high] when not closed).

    >>> parse_grid("0,0.5,1", "--soft-ratio", 0, 1, closed_low=True)
    (0.0, 0.5, 1.0)
    """
    try:
        values = tuple(float(part) for part in text.split(","))
    except ValueError:
        values = ()
    bracket = "[" if closed_low else "("
    if not values or not all(
        math.isfinite(v) and (v >= low if closed_low else v > low) and v <= high for v in values
    ):
        raise ConfigError(
            f"{name} must be a comma-separated list of numbers in {bracket}{low:g}, {high:g}], "
            f"got {text!r}."
        )
    return tuple(sorted(set(values)))


def _resolve_device(device: str) -> str:
    import torch

    if device not in ("auto", "cpu", "cuda"):
        raise ConfigError(f"--device must be 'auto', 'cpu' or 'cuda', got {device!r}.")
    if device == "cuda" and not torch.cuda.is_available():
        raise ConfigError("--device cuda was asked but CUDA is not available on this machine.")
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    return device


def kernel_movement(
    model: Any,
    X_kernel: NDArray[np.float32],
    accumulated_gradients: NDArray[np.float64],
    lr: float,
    check_points: NDArray[np.int64],
) -> list[dict[str, float]]:
    r"""How far each predicted path leaves the lazy regime: NTK change and weight change.

    For each row r the linearised end point is θ_T = θ₀ − (η/n)·J(X)ᵀ·Σ_k g_k (one
    vector–Jacobian product); the empirical NTK is recomputed there on ``check_points`` and
    compared with the kernel at θ₀: ``kernel_change`` = ‖Θ(θ_T) − Θ(θ₀)‖_F/‖Θ(θ₀)‖_F,
    ``weight_change`` = ‖θ_T − θ₀‖/‖θ₀‖. Large values mean the real network's kernel moves during
    training (feature learning), where the linear prediction is least reliable.

    Args:
      model: the student at θ₀ (not modified).
      X_kernel: ``(n, d)`` the kernel's training points.
      accumulated_gradients: ``(R, n, C)`` Σ_k g_k of each row (non-finite entries count as 0).
      lr: η.
      check_points: indices into ``X_kernel`` where the kernels are compared.
    """
    import copy

    import torch

    from distillab.kernels.empirical import empirical_ntk

    reference = next(p for p in model.parameters() if p.requires_grad)
    X = torch.as_tensor(X_kernel, dtype=reference.dtype, device=reference.device)
    Xc = X[torch.as_tensor(check_points, device=X.device)]
    start = empirical_ntk(model, Xc)
    start_norm = float(np.linalg.norm(start))
    n = X.shape[0]
    results = []
    for gradient in np.nan_to_num(accumulated_gradients, nan=0.0, posinf=0.0, neginf=0.0):
        moved = copy.deepcopy(model)
        params = [p for p in moved.parameters() if p.requires_grad]
        direction = torch.as_tensor(gradient, dtype=reference.dtype, device=X.device)
        grads = torch.autograd.grad(moved(X), params, grad_outputs=direction)
        with torch.no_grad():
            before = math.sqrt(sum(float(p.pow(2).sum()) for p in params))
            step = math.sqrt(sum(float(g.pow(2).sum()) for g in grads)) * lr / n
            for p, g in zip(params, grads, strict=True):
                p -= lr / n * g
        end = empirical_ntk(moved, Xc)
        results.append(
            {
                "kernel_change": float(np.linalg.norm(end - start) / start_norm),
                "weight_change": step / max(before, 1e-30),
            }
        )
    return results


def _fmt(value: float) -> float | None:
    return None if not math.isfinite(value) else float(value)


def advise(
    config: AdviseConfig,
    *,
    executor: Any = None,
    open_store: Callable[[], Any] | None = None,
    progress: Callable[[str, int], Callable[[int], None]] | None = None,
) -> dict[str, Any]:
    """Run the advisor; return the ``advice.json`` document (see docs/advisor.md).

    Args:
      config: the request.
      executor: the sweep executor for ``--verify`` (needed when ``config.verify != 0``).
      open_store: returns the results store (a context manager), called only once the advice
        is computed, so bad input never leaves a store behind.
      progress: ``progress(label, total)`` returns an ``advance(k)`` callback (rich bars in the
        CLI); ``None`` shows nothing.
    """
    import torch

    from distillab.advise.complexity import centred_targets, supervision_complexity
    from distillab.advise.data import load_data
    from distillab.advise.dynamics import linearized_kd_gd
    from distillab.advise.models import build_student, load_teacher, parse_mlp
    from distillab.advise.ntk import (
        analytic_mlp_ntk,
        relative_difference,
        select_kernel_points,
        student_kernels,
    )

    def bar(label: str, total: int) -> Callable[[int], None]:
        return progress(label, total) if progress is not None else (lambda k: None)

    device = _resolve_device(config.device)
    if config.steps < 1:
        raise ConfigError(f"--steps must be at least 1, got {config.steps}.")
    if not (math.isfinite(config.lr) and config.lr > 0):
        raise ConfigError(f"--lr must be a positive finite number, got {config.lr!r}.")
    if not config.teachers:
        raise ConfigError("give at least one --teacher.")
    teacher_start = time.perf_counter()
    data = load_data(config.data, n_train=config.n_train, n_test=config.n_test, seed=config.seed)
    cache_dir = Path(config.cache_dir) if config.cache_dir else None
    student = build_student(config.student, data.X_train.shape[1], data.n_classes, config.seed)
    teachers = [
        load_teacher(spec, data, seed=config.seed, cache_dir=cache_dir) for spec in config.teachers
    ]
    if len({t.name for t in teachers}) != len(teachers):
        raise ConfigError("each --teacher must be given once.")
    # The advice's cost starts here: loading or training the teachers is shared with the grid.
    start, cpu_start = time.perf_counter(), time.process_time()
    teacher_seconds = start - teacher_start
    n_train = len(data.y_train)
    kernel_index = select_kernel_points(n_train, config.n_kernel, config.seed)
    X_kernel = data.X_train[kernel_index]
    student = student.to(device)
    kernel_start = time.perf_counter()
    gram, cross = student_kernels(student, X_kernel, data.X_test, progress=bar("kernel", 2))
    kernel_seconds = time.perf_counter() - kernel_start
    parameter = next(student.parameters())
    with torch.no_grad():
        f0_train = student(torch.as_tensor(X_kernel, device=parameter.device)).double().cpu()
        f0_test = student(torch.as_tensor(data.X_test, device=parameter.device)).double().cpu()
    grid = list(itertools.product(config.soft_ratios, config.temperatures))
    settings_rows = [(ti, rho, T) for ti in range(len(teachers)) for rho, T in grid]
    # At ρ = 0 the loss ignores the teacher and T: one row serves every such setting and is the
    # student without a teacher (the predicted gain's reference).
    rows = [r for r in settings_rows if r[1] > 0] + [(0, 0.0, 1.0)]
    row_of = [rows.index(r) if r[1] > 0 else len(rows) - 1 for r in settings_rows]
    teacher_train = np.stack([t.train_logits[kernel_index] for t in teachers])
    dynamics_start = time.perf_counter()
    run = linearized_kd_gd(
        gram,
        cross,
        f0_train.numpy(),
        f0_test.numpy(),
        teacher_train,
        [r[0] for r in rows],
        data.y_train[kernel_index],
        data.y_test,
        soft_ratio=[r[1] for r in rows],
        temperature=[r[2] for r in rows],
        lr=config.lr,
        steps=config.steps,
        device=device,
        progress=bar("linearised GD", config.steps),
    )
    dynamics_seconds = time.perf_counter() - dynamics_start
    m = len(data.y_test)
    predicted = run.test_error[-1]
    baseline = float(predicted[-1])
    settings = []
    with torch.no_grad():
        theta_norm = math.sqrt(
            sum(float(p.pow(2).sum()) for p in student.parameters() if p.requires_grad)
        )
    for index, (ti, rho, T) in zip(row_of, settings_rows, strict=True):
        error = float(predicted[index])
        settings.append(
            {
                "teacher": teachers[ti].name,
                "soft_ratio": rho,
                "temperature": T,
                "predicted_error": error,
                "predicted_error_se": math.sqrt(max(error * (1 - error), 1.0 / m) / m),
                "predicted_train_error": float(run.train_error[-1, index]),
                "predicted_error_by_step": [float(e) for e in run.test_error[:, index]],
                "predicted_diverges": bool(run.diverged[index]),
                "sharpness_ratio_init": float(config.lr * run.sharpness_init[index] / 2.0),
                "sharpness_ratio_final": _fmt(float(config.lr * run.sharpness_final[index] / 2.0)),
                "max_stable_lr": float(2.0 / run.sharpness_init[index]),
                "weight_change": float(run.path_length[index] / theta_norm),
            }
        )
    stable = [i for i, s in enumerate(settings) if not s["predicted_diverges"]]
    candidates = stable or list(range(len(settings)))
    best = min(candidates, key=lambda i: (settings[i]["predicted_error"], i))
    best_row = settings[best]
    by_step = np.asarray(best_row["predicted_error_by_step"])
    best_steps = int(run.steps[int(np.argmin(by_step))])
    teacher_docs = []
    for ti, teacher in enumerate(teachers):
        # The teacher's score leaves out ρ = 0, where the student ignores the teacher.
        own = [s for s in settings if s["teacher"] == teacher.name and s["soft_ratio"] > 0] or [
            s for s in settings if s["teacher"] == teacher.name
        ]
        own_stable = [s for s in own if not s["predicted_diverges"]] or own
        teacher_docs.append(
            {
                "name": teacher.name,
                "test_error": teacher.test_error(data.y_test),
                "supervision_complexity": supervision_complexity(
                    gram, centred_targets(teacher_train[ti])
                ),
                "predicted_best_error": min(s["predicted_error"] for s in own_stable),
            }
        )
    label_complexity = supervision_complexity(
        gram, np.eye(data.n_classes)[data.y_train[kernel_index]] - 1.0 / data.n_classes
    )
    check = select_kernel_points(len(kernel_index), _KERNEL_CHECK_POINTS, config.seed + 1)
    movements = kernel_movement(student, X_kernel, run.accumulated_gradient, config.lr, check)
    for index, setting in zip(row_of, settings, strict=True):
        setting["kernel_change"] = movements[index]["kernel_change"]
        setting["lazy"] = setting["kernel_change"] <= LAZY_KERNEL_CHANGE
    movement = movements[row_of[best]]
    mlp = parse_mlp(config.student)
    kernel_doc: dict[str, Any] = {
        "kind": "empirical NTK at initialisation (output trace)",
        "n_kernel": len(kernel_index),
        "n_train": n_train,
        "subsampled": len(kernel_index) < n_train,
        "seconds": kernel_seconds,
    }
    if mlp is not None and mlp.depth == 1:
        analytic = analytic_mlp_ntk(X_kernel[check], width=mlp.width)
        kernel_doc["analytic_relative_difference"] = relative_difference(
            gram[np.ix_(check, check)], analytic
        )
    lazy = movement["kernel_change"] <= LAZY_KERNEL_CHANGE
    warnings = []
    if not lazy:
        warnings.append(
            f"the student's NTK moves by {movement['kernel_change']:.0%} along the predicted path "
            f"(> {LAZY_KERNEL_CHANGE:.0%}): it is likely to leave the lazy regime, where the "
            "prediction is least reliable."
        )
    moving = [x for x in settings if not x["lazy"] and not x["predicted_diverges"]]
    if moving and lazy:
        alternative = min(moving, key=lambda x: x["predicted_error"])
        warnings.append(
            f"{len(moving)} of {len(settings)} settings leave the lazy regime (NTK change > "
            f"{LAZY_KERNEL_CHANGE:.0%}); their predicted errors are least reliable and the real "
            "best may lie among them: verify e.g. "
            f"{alternative['teacher']} at ρ = {alternative['soft_ratio']:g}, "
            f"T = {alternative['temperature']:g}."
        )
    if kernel_doc["subsampled"]:
        warnings.append(
            f"the kernel uses {len(kernel_index)} of the {n_train} training points: the "
            "prediction is for a student trained on that subsample."
        )
    diverging = [s for s in settings if s["predicted_diverges"]]
    if diverging:
        warnings.append(
            f"{len(diverging)} of {len(settings)} settings are predicted to diverge at lr "
            f"{config.lr:g} (largest stable lr at the worst: "
            f"{min(s['max_stable_lr'] for s in diverging):.3g})."
        )
    advice_seconds = time.perf_counter() - start
    advice_cpu_seconds = time.process_time() - cpu_start
    document: dict[str, Any] = {
        "data": {
            "spec": config.data,
            "n_train": n_train,
            "n_test": m,
            "n_classes": data.n_classes,
            "d": int(data.X_train.shape[1]),
        },
        "student": config.student,
        "budget": {"lr": config.lr, "steps": config.steps, "optimizer": "full-batch GD"},
        "method": "linearised GD (function-space GD on the KD loss at the budget)",
        "device": device,
        "recommended": {
            "teacher": best_row["teacher"],
            "soft_ratio": best_row["soft_ratio"],
            "temperature": best_row["temperature"],
            "steps": config.steps,
            "best_steps": best_steps,
            "predicted_error": best_row["predicted_error"],
            "predicted_gain": baseline - best_row["predicted_error"],
        },
        "no_teacher": {"predicted_error": baseline, "supervision_complexity": label_complexity},
        "settings": settings,
        "teachers": sorted(teacher_docs, key=lambda t: t["predicted_best_error"]),
        "regime": {
            "predicted_train_error": best_row["predicted_train_error"],
            "steps_to_fit": _steps_to_fit(run.steps, run.train_error[:, row_of[best]]),
            "kernel_change": movement["kernel_change"],
            "weight_change": movement["weight_change"],
            "lazy": lazy,
            "sharpness_ratio_init": best_row["sharpness_ratio_init"],
        },
        "kernel": kernel_doc,
        "checkpoints": [int(s) for s in run.steps],
        "warnings": warnings,
        "timing": {
            "advice_seconds": advice_seconds,
            "advice_cpu_seconds": advice_cpu_seconds,
            "kernel_seconds": kernel_seconds,
            "dynamics_seconds": dynamics_seconds,
            "teacher_seconds": teacher_seconds,
        },
    }
    if config.verify != 0:
        with open_store() as store:  # type: ignore[misc]
            document["verification"] = _verify(config, document, executor, store, bar, cache_dir)
    return document


def _steps_to_fit(steps: NDArray[np.int64], train_error: NDArray[np.float64]) -> int | None:
    """The first checkpoint at which the predicted training error is ≤ 1 %, else ``None``."""
    fitted = np.flatnonzero(train_error <= 0.01)
    return int(steps[fitted[0]]) if fitted.size else None


def _verify(
    config: AdviseConfig,
    document: dict[str, Any],
    executor: Any,
    store: Any,
    bar: Callable[[str, int], Callable[[int], None]],
    cache_dir: Path | None,
) -> dict[str, Any]:
    from distillab.advise.verify import choose_settings, rank_agreement, run_verification

    settings = document["settings"]
    predicted = np.array([s["predicted_error"] for s in settings])
    chosen = choose_settings(predicted, config.verify)
    base = {
        "data": config.data,
        "n_train": config.n_train,
        "n_test": config.n_test,
        "data_seed": config.seed,
        "student": config.student,
        "teacher_seed": config.seed,
        "cache_dir": str(cache_dir) if cache_dir else None,
        "lr": config.lr,
        "steps": config.steps,
    }
    seeds = [config.seed + k for k in range(config.verify_seeds)]
    wanted = [
        {
            "teacher": settings[i]["teacher"],
            "soft_ratio": settings[i]["soft_ratio"],
            "temperature": settings[i]["temperature"],
        }
        for i in chosen
    ]
    start = time.perf_counter()
    rows = run_verification(
        wanted, base, seeds, store, executor, bar("verification runs", len(wanted) * len(seeds))
    )
    grid_seconds_measured = time.perf_counter() - start
    per_run = float(np.median([r["wall_time"] for r in rows])) if rows else float("nan")
    per_run_cpu = float(np.median([r["cpu_time"] for r in rows])) if rows else float("nan")
    measured = []
    for i in chosen:
        s = settings[i]
        values = [
            r["test_error"]
            for r in rows
            if r["teacher"] == s["teacher"]
            and r["soft_ratio"] == s["soft_ratio"]
            and r["temperature"] == s["temperature"]
        ]
        s["measured_error"] = float(np.mean(values))
        s["measured_error_se"] = (
            float(np.std(values, ddof=1) / math.sqrt(len(values))) if len(values) > 1 else None
        )
        s["measured_diverged"] = any(
            r["status"] == "diverged"
            for r in rows
            if r["teacher"] == s["teacher"]
            and r["soft_ratio"] == s["soft_ratio"]
            and r["temperature"] == s["temperature"]
        )
        measured.append(s["measured_error"])
    agreement = rank_agreement(predicted[chosen], np.array(measured))
    diverged = [settings[i] for i in chosen if settings[i]["measured_diverged"]]
    return {
        **agreement,
        "settings_verified": len(chosen),
        "seeds": len(seeds),
        "advice_seconds": document["timing"]["advice_seconds"],
        # The grid it replaces: every setting × one seed, at the median run time measured here.
        "grid_seconds": per_run * len(settings),
        "advice_cpu_seconds": document["timing"]["advice_cpu_seconds"],
        "grid_cpu_seconds": per_run_cpu * len(settings),
        "verification_seconds": grid_seconds_measured,
        "diverged_settings": len(diverged),
        "divergence_caught": sum(s["predicted_diverges"] for s in diverged),
    }


def write_advice(document: dict[str, Any], out: Path) -> Path:
    """Write ``advice.json`` (NaN/inf as null) under ``out`` and return its path."""
    path = out / "advice.json"

    def clean(value: Any) -> Any:
        if isinstance(value, float) and not math.isfinite(value):
            return None
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [clean(v) for v in value]
        if isinstance(value, np.generic):
            return clean(value.item())
        return value

    path.write_text(json.dumps(clean(document), indent=2, allow_nan=False) + "\n")
    return path

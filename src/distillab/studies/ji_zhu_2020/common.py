"""Shared set-up of the ji-zhu-2020 figures: the reference problem, the kernel student, the network.

Reference problem (spec §4, our scale-down): inputs uniform on S^{d−1} with d = 5; a kernel
teacher with M = 40 centres and std(z_t) = 3 (:mod:`distillab.data.kernel_teacher`), chosen by
the grid parameter ``teacher`` (:data:`TEACHERS`; default ``"centred"``, see
:func:`reference_teacher`); the kernel
Θ = ``relu_ntk(·, trained="both")``, the NTK of ``TwoLayerNet(trained="both")`` (the spec's Θ is
twice it; interpolants and risks are the same, ‖Δw‖² is doubled); ridge 1e−9; a fixed test sample
per teacher. The training set of simulation seed s is ``unit_sphere(n, d, seed=s)``, whose first k
rows are ``unit_sphere(k, d, seed=s)``: sets are nested in n, as spec P6 needs.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.ticker import FixedLocator, FuncFormatter, NullFormatter
from numpy.typing import NDArray

from distillab.data import (
    ImperfectTeacher,
    KernelTeacher,
    imperfect_teacher,
    kernel_teacher,
    unit_sphere,
)
from distillab.errors import ConfigError
from distillab.kernels import relu_ntk
from distillab.nn import TwoLayerNet
from distillab.report.plotting import plot_simulation, plot_theory, seed_statistics
from distillab.sweep.store import Row
from distillab.theory.linearized_kd import LinearizedKD
from distillab.train import fit, kd_objective

__all__ = [
    "REFERENCE",
    "TEACHERS",
    "KernelProblem",
    "NetworkRun",
    "kernel_problem",
    "kernel_student",
    "label_ticks",
    "perfect_teacher",
    "plot_risk_vs_ratio",
    "ratio_label",
    "reference_teacher",
    "teacher_with_error",
    "test_inputs",
    "train_network",
]

#: The reference setting shared by the synthetic figures (spec §4).
REFERENCE: dict[str, Any] = {"d": 5, "centres": 40, "logit_std": 3.0, "teacher_seed": 0}

#: The two perfect teachers of the grid parameter ``teacher`` (see :func:`reference_teacher`).
#: The spec does not say which one the paper means; ``"centred"`` is every figure's default.
TEACHERS = ("centred", "per-seed")

#: Finite-width training (spec E6): full-batch heavy-ball GD on the mean mixed-target loss. The
#: momentum keeps every update in the span of the training features, so the linearised limit is
#: unchanged, and makes 10⁴ steps reach what plain GD at lr 2 needs ≈ 5·10⁵ steps for.
NETWORK_LR = 10.0
NETWORK_MOMENTUM = 0.9


@lru_cache(maxsize=8)
def perfect_teacher(
    d: int, centres: int, logit_std: float, teacher_seed: int, centred: bool = True
) -> KernelTeacher:
    """A kernel teacher of the reference problem (cached per process)."""
    return kernel_teacher(
        d, seed=teacher_seed, centres=centres, logit_std=logit_std, centred=centred
    )


def reference_teacher(params: Mapping[str, Any], seed: int) -> KernelTeacher:
    """The perfect teacher of simulation seed ``seed`` for the grid parameter ``teacher``.

    ``"centred"`` (the default of every figure): one teacher for all seeds, seeded by
    ``teacher_seed``, its coefficients projected onto Σ_j a_j = 0 so that E_x z_t = 0 and the
    classes are balanced (our choice). ``"per-seed"``: the spec's draw a_j ~ N(0, 1), not
    centred, a fresh teacher for every training set (seeded ``1000·(teacher_seed + 1) + seed``);
    the NTK's constant component then gives each teacher a random offset, so its classes are
    unbalanced and its transfer risk is lower. Which one the paper means is unknown.
    """
    kind = params["teacher"]
    if kind not in TEACHERS:
        raise ConfigError(f"teacher must be one of {TEACHERS}, got {kind!r}.")
    shape = (params["d"], params["centres"], params["logit_std"])
    if kind == "centred":
        return perfect_teacher(*shape, params["teacher_seed"])
    return perfect_teacher(*shape, 1000 * (params["teacher_seed"] + 1) + seed, centred=False)


@lru_cache(maxsize=8)
def teacher_with_error(
    d: int, centres: int, logit_std: float, teacher_seed: int, teacher_error: float
) -> ImperfectTeacher:
    """The imperfect kernel teacher with the given error rate (cached per process)."""
    return imperfect_teacher(
        d, teacher_error=teacher_error, seed=teacher_seed, centres=centres, logit_std=logit_std
    )


@lru_cache(maxsize=8)
def test_inputs(d: int, size: int, teacher_seed: int) -> NDArray[np.float64]:
    """The fixed test sample of a teacher: ``size`` uniform points of S^{d−1}."""
    g = np.random.default_rng([teacher_seed, 3]).standard_normal((size, d))
    return g / np.linalg.norm(g, axis=1, keepdims=True)


@dataclass(frozen=True)
class KernelProblem:
    """One training set of the reference problem with its factored kernel student.

    Attributes:
      X: ``(n, d)`` training inputs.
      X_test: ``(n_test, d)`` test inputs.
      student: the :class:`LinearizedKD` built on them.
      teacher_test_logits: ``(n_test,)`` z_t on the test inputs.
      test_labels: ``(n_test,)`` ground-truth 0/1 labels on the test inputs.
    """

    X: NDArray[np.float64]
    X_test: NDArray[np.float64]
    student: LinearizedKD
    teacher_test_logits: NDArray[np.float64]
    test_labels: NDArray[np.float64]


def kernel_problem(
    params: Mapping[str, Any], seed: int, teacher: KernelTeacher | ImperfectTeacher
) -> KernelProblem:
    """Training set ``unit_sphere(n, d, seed)``, the teacher's logits and labels, the student."""
    d = params["d"]
    X = unit_sphere(params["n"], d, seed=seed)
    X_test = test_inputs(d, params["test_size"], params["teacher_seed"])
    student = kernel_student(X, X_test, teacher.logits(X), teacher.labels(X))
    return KernelProblem(X, X_test, student, teacher.logits(X_test), teacher.labels(X_test))


def kernel_student(
    X: NDArray[np.float64],
    X_test: NDArray[np.float64],
    teacher_logits: NDArray[np.float64],
    labels: NDArray[np.float64],
) -> LinearizedKD:
    """The converged wide student on ``(n, d)`` inputs ``X``: Θ = ``relu_ntk(·, trained="both")``.

    ``teacher_logits`` and ``labels`` are the ``(n,)`` z_t and 0/1 labels of ``X``; predictions
    are made on the ``(n_test, d)`` inputs ``X_test``.
    """
    return LinearizedKD(
        relu_ntk(X, trained="both"),
        relu_ntk(X_test, X, trained="both"),
        teacher_logits,
        labels,
    )


@dataclass(frozen=True)
class NetworkRun:
    """A trained finite-width student.

    Attributes:
      status: ``"ok"`` or ``"diverged"``.
      train_logits: ``(n,)`` logits on the training inputs after training.
      test_logits: ``(n_test,)`` logits on the test inputs after training.
      relative_weight_change: ‖W − W₀‖_F/‖W₀‖_F of the first layer.
    """

    status: str
    train_logits: NDArray[np.float64]
    test_logits: NDArray[np.float64]
    relative_weight_change: float


def train_network(
    X: NDArray[np.float64],
    teacher_logits: NDArray[np.float64],
    labels: NDArray[np.float64],
    X_test: NDArray[np.float64],
    *,
    soft_ratio: float,
    temperature: float,
    width: int,
    steps: int,
    seed: int,
) -> NetworkRun:
    r"""Train ``TwoLayerNet(trained="both", antisymmetric=True)`` with ``kd_loss`` (mixed-target).

    Full-batch heavy-ball GD (η = ``NETWORK_LR``, μ = ``NETWORK_MOMENTUM``) on the mean loss, in
    float32 (logits are O(10); float32 keeps them to 1e−6 relative at a third of the cost).
    """
    dtype = torch.float32
    net = TwoLayerNet(X.shape[1], width, trained="both", antisymmetric=True, seed=seed, dtype=dtype)
    start = net.W.detach().clone()
    train = {
        "x": torch.as_tensor(X, dtype=dtype),
        "y": torch.as_tensor(labels, dtype=dtype),
        "teacher_logits": torch.as_tensor(teacher_logits, dtype=dtype),
    }
    trajectory = fit(
        net,
        kd_objective(soft_ratio=soft_ratio, temperature=temperature, variant="mixed-target"),
        train,
        steps=steps,
        lr=NETWORK_LR,
        momentum=NETWORK_MOMENTUM,
        evaluate={"test": torch.as_tensor(X_test, dtype=dtype)},
    )
    change = float(torch.linalg.norm(net.W.detach() - start) / torch.linalg.norm(start))
    return NetworkRun(
        trajectory.status,
        trajectory.outputs["train"][-1],
        trajectory.outputs["test"][-1],
        change if math.isfinite(change) else float("nan"),
    )


def ratio_label(soft_ratio: float) -> str:
    """Legend text for a soft ratio."""
    return f"ρ = {soft_ratio:g}"


def label_ticks(ax: Axes, values: list[float]) -> None:
    """Major x ticks at the grid ``values`` with plain labels (log axes crowd minor labels)."""
    if not values:
        return
    ax.xaxis.set_major_locator(FixedLocator(values))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    ax.xaxis.set_minor_formatter(NullFormatter())


def plot_risk_vs_ratio(
    ax: Axes, rows: Sequence[Row], where: Mapping[str, Any], *, theory_label: str
) -> None:
    """One imperfect-teacher panel: risk vs ρ per n (best ρ starred), the teacher's error dashed.

    Every training set size n of ``rows`` gets the seed means ± s.e. of ``risk`` against
    ``soft_ratio`` (restricted to ``where``) in its own colour, with a star at its smallest seed
    mean; the theory ``teacher_error`` (read at the smallest n) is drawn as a dashed black line
    labelled ``theory_label``.
    """
    ns = sorted({r.params["n"] for r in rows})
    for colour, n in enumerate(ns):
        selected = {**where, "n": n}
        plot_simulation(
            ax,
            rows,
            "soft_ratio",
            "risk",
            where=selected,
            color=f"C{colour}",
            label=f"n = {n}",
        )
        ratios, mean, _, _ = seed_statistics(rows, "soft_ratio", "risk", where=selected)
        if mean.size:
            best = int(np.argmin(mean))
            ax.plot(ratios[best], mean[best], "*", color=f"C{colour}", markersize=13)
    if ns:
        plot_theory(
            ax,
            rows,
            "soft_ratio",
            "teacher_error",
            where={**where, "n": ns[0]},
            color="k",
            linestyle="--",
            label=theory_label,
        )
    ax.plot([], [], "k*", markersize=10, label="best ρ (seed mean)")

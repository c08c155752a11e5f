"""STUDENT and TEACHER specs: built-in MLPs, ``module:function`` imports, ``.npz`` logits.

STUDENT: ``mlp:WIDTH`` (one hidden layer) or ``mlp:WIDTHxDEPTH`` builds
:class:`distillab.nn.MLP` (He initialisation, standard parameterisation: what people train);
``module:function`` is called with the keywords it accepts among ``d_in``, ``n_classes`` and
``seed`` and must return a ``torch.nn.Module`` mapping ``(n, d_in)`` to ``(n, n_classes)``.

TEACHER: an ``.npz`` with ``train`` and ``test`` logits of shape ``(n, C)`` (for the kept samples
or for the whole split); ``module:function`` returning a trained module (called like a student,
without ``seed``); or ``train:mlp:WIDTHxDEPTH[:epochs]``, an MLP trained here by minibatch SGD
on cross-entropy, whose logits are cached under the teacher cache directory keyed by the data,
the spec and the seed.
"""

from __future__ import annotations

import hashlib
import importlib
import inspect
import os
import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from distillab.advise.data import AdviseData
from distillab.errors import ConfigError

__all__ = [
    "TEACHER_EPOCHS",
    "MLPSpec",
    "Teacher",
    "build_student",
    "load_teacher",
    "parse_mlp",
]

TEACHER_EPOCHS = 30  # default epochs of a train: teacher; enough for MLPs on MNIST-sized data
_MLP = re.compile(r"^mlp:(\d+)(?:x(\d+))?$")
_TRAIN = re.compile(r"^train:mlp:(\d+)(?:x(\d+))?(?::(\d+))?$")
_MAX_WIDTH = 1 << 16


@dataclass(frozen=True)
class MLPSpec:
    """A built-in MLP: ``depth`` hidden layers of ``width`` units."""

    width: int
    depth: int


@dataclass(frozen=True)
class Teacher:
    """A teacher as its logits on the task.

    Attributes:
      name: the TEACHER spec.
      train_logits, test_logits: ``(n, C)`` and ``(m, C)`` float64 logits.
    """

    name: str
    train_logits: NDArray[np.float64]
    test_logits: NDArray[np.float64]

    def test_error(self, y_test: NDArray[np.int64]) -> float:
        """The teacher's own test error, a fraction in [0, 1]."""
        return float(np.mean(self.test_logits.argmax(axis=1) != y_test))


def _check_mlp(width: int, depth: int, spec: str) -> MLPSpec:
    if not (1 <= width <= _MAX_WIDTH and 1 <= depth <= 16):
        raise ConfigError(
            f"{spec!r}: the width must lie in [1, {_MAX_WIDTH}] and the depth in [1, 16]."
        )
    return MLPSpec(width, depth)


def parse_mlp(spec: str) -> MLPSpec | None:
    """Parse ``mlp:WIDTH`` or ``mlp:WIDTHxDEPTH``; ``None`` if ``spec`` is not of that form.

    >>> parse_mlp("mlp:512x2")
    MLPSpec(width=512, depth=2)
    """
    match = _MLP.match(spec)
    if match is None:
        return None
    return _check_mlp(int(match[1]), int(match[2] or 1), spec)


def _import_function(spec: str, option: str) -> Any:
    module_name, _, function_name = spec.partition(":")
    if not module_name or not function_name:
        raise ConfigError(f"{option} {spec!r}: expected 'module:function'.")
    try:
        module = importlib.import_module(module_name)
    except Exception as error:  # any import failure of user code is bad input
        raise ConfigError(f"{option} {spec!r}: cannot import {module_name} ({error}).") from None
    function = getattr(module, function_name, None)
    if not callable(function):
        raise ConfigError(f"{option} {spec!r}: {module_name} has no function {function_name}.")
    return function


def _call_module_function(spec: str, option: str, **offered: int) -> Any:
    import torch

    function = _import_function(spec, option)
    try:
        accepted = inspect.signature(function).parameters
        takes_all = any(p.kind is p.VAR_KEYWORD for p in accepted.values())
        kwargs = {k: v for k, v in offered.items() if takes_all or k in accepted}
        module = function(**kwargs)
    except Exception as error:
        raise ConfigError(f"{option} {spec!r}: calling it failed ({error}).") from None
    if not isinstance(module, torch.nn.Module):
        raise ConfigError(
            f"{option} {spec!r}: returned {type(module).__name__}, not a torch.nn.Module."
        )
    return module


def build_student(spec: str, d_in: int, n_classes: int, seed: int) -> Any:
    """Build the seeded student of a STUDENT spec (float32, CPU).

    Raises :class:`ConfigError` for a malformed spec, an import failure, a return value that is
    not a module, or a module whose outputs on one input do not have shape ``(1, n_classes)``.

    >>> build_student("mlp:8", 4, 3, seed=0)(__import__("torch").zeros(2, 4)).shape
    torch.Size([2, 3])
    """
    import torch

    from distillab.nn import MLP

    mlp = parse_mlp(spec)
    if mlp is not None:
        return MLP(d_in, [mlp.width] * mlp.depth, n_classes, seed=seed, dtype=torch.float32)
    if spec.startswith("mlp:") or ":" not in spec:
        raise ConfigError(
            f"--student must be 'mlp:WIDTH', 'mlp:WIDTHxDEPTH' or 'module:function', got {spec!r}."
        )
    torch.manual_seed(seed)
    model = _call_module_function(spec, "--student", d_in=d_in, n_classes=n_classes, seed=seed)
    model = model.to(torch.float32)
    _check_output_shape(model, d_in, n_classes, f"--student {spec!r}")
    return model


def _check_output_shape(model: Any, d_in: int, n_classes: int, where: str) -> None:
    import torch

    try:
        with torch.no_grad():
            shape = tuple(model(torch.zeros(1, d_in, dtype=torch.float32)).shape)
    except Exception as error:
        raise ConfigError(f"{where}: the module fails on a (1, {d_in}) input ({error}).") from None
    if shape != (1, n_classes):
        raise ConfigError(f"{where}: maps (1, {d_in}) to {shape}, expected (1, {n_classes}).")


def _checked_logits(
    logits: NDArray[Any], n_kept: int, n_full: int, index: NDArray[np.int64], C: int, where: str
) -> NDArray[np.float64]:
    logits = np.asarray(logits, dtype=np.float64)
    if logits.ndim != 2 or logits.shape[1] != C or logits.shape[0] not in (n_kept, n_full):
        raise ConfigError(
            f"{where}: logits must have shape ({n_kept}, {C}) (or ({n_full}, {C}) for the whole "
            f"split), got {logits.shape}."
        )
    if not np.all(np.isfinite(logits)):
        raise ConfigError(f"{where}: the logits contain NaN or inf.")
    return logits if logits.shape[0] == n_kept else logits[index]


def _npz_teacher(spec: str, data: AdviseData) -> Teacher:
    try:
        with np.load(spec, allow_pickle=False) as archive:
            if not {"train", "test"} <= set(archive.files):
                raise ConfigError(f"--teacher {spec}: the .npz needs 'train' and 'test' logits.")
            train, test = np.asarray(archive["train"]), np.asarray(archive["test"])
    except (OSError, ValueError) as error:
        raise ConfigError(f"--teacher {spec}: cannot read the .npz ({error}).") from None
    n_full, m_full = data.full_sizes
    C = data.n_classes
    return Teacher(
        spec,
        _checked_logits(train, len(data.y_train), n_full, data.train_index, C, f"--teacher {spec}"),
        _checked_logits(test, len(data.y_test), m_full, data.test_index, C, f"--teacher {spec}"),
    )


def _module_logits(model: Any, data: AdviseData) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    import torch

    model.eval()
    parameter = next(iter(model.parameters()), None)
    dtype = parameter.dtype if parameter is not None else torch.float32
    with torch.no_grad():
        train = model(torch.as_tensor(data.X_train, dtype=dtype)).double().numpy()
        test = model(torch.as_tensor(data.X_test, dtype=dtype)).double().numpy()
    return train, test


def _train_teacher(
    mlp: MLPSpec, epochs: int, data: AdviseData, seed: int
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Minibatch SGD (batch 128, lr 0.05, momentum 0.9) on cross-entropy for ``epochs`` epochs."""
    import torch

    from distillab.nn import MLP
    from distillab.train import cross_entropy_objective, fit

    d = data.X_train.shape[1]
    model = MLP(d, [mlp.width] * mlp.depth, data.n_classes, seed=seed, dtype=torch.float32)
    n = len(data.y_train)
    batch = min(128, n)
    steps = epochs * -(-n // batch)
    train = {"x": torch.as_tensor(data.X_train), "y": torch.as_tensor(data.y_train)}
    fit(
        model,
        cross_entropy_objective(),
        train,
        steps=steps,
        lr=0.05,
        batch_size=batch,
        momentum=0.9,
        seed=seed,
    )
    return _module_logits(model, data)


def _cache_key(data: AdviseData, spec: str, seed: int) -> str:
    from distillab.train.cache import array_digest

    parts = [
        array_digest(data.X_train),
        array_digest(data.y_train),
        array_digest(data.X_test),
        spec,
        str(seed),
    ]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]


def _cached_training(
    spec: str, mlp: MLPSpec, epochs: int, data: AdviseData, seed: int, cache_dir: Path | None
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    from distillab.train.cache import TeacherCache

    directory = TeacherCache(cache_dir).directory
    path = directory / f"advise-teacher-{_cache_key(data, spec, seed)}.npz"
    try:
        with np.load(path, allow_pickle=False) as archive:
            return np.asarray(archive["train"]), np.asarray(archive["test"])
    except (OSError, ValueError, KeyError):
        pass  # absent or unreadable: train and (re)write it
    train, test = _train_teacher(mlp, epochs, data, seed)
    directory.mkdir(parents=True, exist_ok=True)
    # Written under a unique name and renamed, so a concurrent reader never sees half a file.
    scratch = directory / f".{path.stem}.{uuid.uuid4().hex}.npz"
    np.savez(scratch, train=train, test=test)
    os.replace(scratch, path)
    return train, test


def load_teacher(
    spec: str, data: AdviseData, *, seed: int = 0, cache_dir: Path | None = None
) -> Teacher:
    """Resolve a TEACHER spec to its logits on ``data`` (validated: shapes, finiteness).

    Args:
      spec: ``path.npz``, ``module:function`` or ``train:mlp:WIDTHxDEPTH[:epochs]``.
      data: the task.
      seed: seeds a teacher trained here.
      cache_dir: where trained teachers' logits are cached (default: the teacher cache).
    """
    d, C = data.X_train.shape[1], data.n_classes
    if spec.endswith(".npz"):
        if not Path(spec).is_file():
            raise ConfigError(f"--teacher {spec}: no such file.")
        return _npz_teacher(spec, data)
    if spec.startswith("train:"):
        match = _TRAIN.match(spec)
        if match is None:
            raise ConfigError(f"--teacher {spec!r}: expected 'train:mlp:WIDTH[xDEPTH][:epochs]'.")
        mlp = _check_mlp(int(match[1]), int(match[2] or 1), spec)
        epochs = int(match[3] or TEACHER_EPOCHS)
        if not 1 <= epochs <= 10_000:
            raise ConfigError(f"--teacher {spec!r}: epochs must lie in [1, 10000], got {epochs}.")
        train, test = _cached_training(spec, mlp, epochs, data, seed, cache_dir)
        return Teacher(spec, train, test)
    if ":" not in spec:
        raise ConfigError(
            f"--teacher must be an .npz of logits, 'module:function' or "
            f"'train:mlp:WIDTHxDEPTH[:epochs]', got {spec!r}."
        )
    model = _call_module_function(spec, "--teacher", d_in=d, n_classes=C)
    _check_output_shape(model, d, C, f"--teacher {spec!r}")
    train, test = _module_logits(model, data)
    where = f"--teacher {spec}"
    index_train = np.arange(len(train))
    index_test = np.arange(len(test))
    return Teacher(
        spec,
        _checked_logits(train, len(train), len(train), index_train, C, where),
        _checked_logits(test, len(test), len(test), index_test, C, where),
    )

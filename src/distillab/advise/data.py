"""The advisor's data: a DATA spec (built-in name with class subset, or an ``.npz``) as arrays.

Built-in names: ``digits`` (scikit-learn, shipped), ``mnist`` and ``fashion-mnist`` (local IDX
files, ``distillab data fetch NAME``). ``NAME:4,9`` keeps those classes, relabelled 0, 1, … in
the order given. An ``.npz`` holds ``X_train, y_train, X_test, y_test`` with integer labels in
[0, C). ``n_train``/``n_test`` keep a seeded random subset of each split; the kept indices into
the full split are recorded (teacher logits given for the full split are indexed with them).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from distillab.errors import ConfigError

__all__ = ["BUILTIN_DATA", "AdviseData", "load_data"]

BUILTIN_DATA: tuple[str, ...] = ("digits", "mnist", "fashion-mnist")
_DIGITS_TEST = 597  # scikit-learn's 1797 digits: 1200 train / 597 test after a seeded shuffle


@dataclass(frozen=True)
class AdviseData:
    """A classification task as arrays.

    Attributes:
      name: the DATA spec it came from.
      X_train, X_test: ``(n, d)`` and ``(m, d)`` float32 inputs.
      y_train, y_test: ``(n,)`` and ``(m,)`` int64 labels in [0, C).
      n_classes: C.
      train_index, test_index: positions of the kept samples in the full splits.
      full_sizes: sizes of the full train and test splits before subsetting.
    """

    name: str
    X_train: NDArray[np.float32]
    y_train: NDArray[np.int64]
    X_test: NDArray[np.float32]
    y_test: NDArray[np.int64]
    n_classes: int
    train_index: NDArray[np.int64]
    test_index: NDArray[np.int64]
    full_sizes: tuple[int, int]


def _parse_classes(text: str, spec: str) -> list[int]:
    try:
        classes = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise ConfigError(
            f"--data {spec!r}: a class subset is a comma-separated list of integers, e.g. ':4,9'."
        ) from None
    if len(classes) < 2 or len(set(classes)) != len(classes):
        raise ConfigError(f"--data {spec!r}: a class subset needs at least two distinct classes.")
    return classes


def _builtin_splits(
    name: str,
) -> tuple[NDArray[np.float32], NDArray[np.int64], NDArray[np.float32], NDArray[np.int64]]:
    if name == "digits":
        from distillab.data import digits

        X, y = digits(normalize="unit-interval")
        order = np.random.default_rng(0).permutation(len(y))
        test, train = order[:_DIGITS_TEST], order[_DIGITS_TEST:]
        return X[train].astype(np.float32), y[train], X[test].astype(np.float32), y[test]
    from distillab.data import fashion_mnist, mnist
    from distillab.data.mnist_family import available

    if not available(name):
        raise ConfigError(
            f"--data {name}: the IDX files are not in the data directory; run "
            f"'distillab data fetch {name}' first."
        )
    loader = mnist if name == "mnist" else fashion_mnist
    X_train, y_train = loader("train")
    X_test, y_test = loader("test")
    return X_train, y_train, X_test, y_test


def _npz_splits(
    path: Path,
) -> tuple[NDArray[np.float32], NDArray[np.int64], NDArray[np.float32], NDArray[np.int64]]:
    try:
        with np.load(path, allow_pickle=False) as archive:
            missing = {"X_train", "y_train", "X_test", "y_test"} - set(archive.files)
            if missing:
                raise ConfigError(f"--data {path}: the .npz lacks {', '.join(sorted(missing))}.")
            arrays = {
                key: np.asarray(archive[key]) for key in ("X_train", "y_train", "X_test", "y_test")
            }
    except (OSError, ValueError) as error:
        raise ConfigError(f"--data {path}: cannot read the .npz ({error}).") from None
    for key in ("y_train", "y_test"):
        labels = arrays[key]
        if labels.ndim != 1 or not (
            np.issubdtype(labels.dtype, np.integer)
            or (np.issubdtype(labels.dtype, np.floating) and np.all(np.mod(labels, 1) == 0))
        ):
            raise ConfigError(f"--data {path}: {key} must be a 1-D array of integer labels.")
    for key in ("X_train", "X_test"):
        if arrays[key].ndim < 2 or arrays[key].size == 0:
            raise ConfigError(f"--data {path}: {key} must be a non-empty (n, d) array.")
    X_train = arrays["X_train"].reshape(len(arrays["X_train"]), -1).astype(np.float32)
    X_test = arrays["X_test"].reshape(len(arrays["X_test"]), -1).astype(np.float32)
    return X_train, arrays["y_train"].astype(np.int64), X_test, arrays["y_test"].astype(np.int64)


def _subset(n_full: int, n: int | None, seed: int, split: str) -> NDArray[np.int64]:
    if n is None:
        return np.arange(n_full, dtype=np.int64)
    if not 1 <= n <= n_full:
        raise ConfigError(f"--n-{split} must lie in [1, {n_full}] for this data, got {n}.")
    rng = np.random.default_rng([seed, 0 if split == "train" else 1])
    return np.sort(rng.permutation(n_full)[:n]).astype(np.int64)


def load_data(
    spec: str, *, n_train: int | None = None, n_test: int | None = None, seed: int = 0
) -> AdviseData:
    """Load a DATA spec as :class:`AdviseData`, validated.

    Args:
      spec: ``digits``, ``mnist``, ``fashion-mnist`` (each optionally ``:c1,c2,…``) or a path
        to an ``.npz`` with ``X_train, y_train, X_test, y_test``.
      n_train, n_test: keep a seeded random subset of this many samples (``None``: all).
      seed: seeds the subsets.

    Example:
      >>> data = load_data("digits:3,8", n_train=100, n_test=50)
      >>> data.X_train.shape, data.n_classes
      ((100, 64), 2)
    """
    name, _, classes_text = spec.partition(":")
    path = Path(spec)
    if name in BUILTIN_DATA:
        X_train, y_train, X_test, y_test = _builtin_splits(name)
    elif spec.endswith(".npz"):
        if not path.is_file():
            raise ConfigError(f"--data {spec}: no such file.")
        classes_text = ""
        X_train, y_train, X_test, y_test = _npz_splits(path)
    else:
        raise ConfigError(
            f"--data must be one of {', '.join(BUILTIN_DATA)} (optionally ':4,9') or an .npz "
            f"file, got {spec!r}."
        )
    if len(y_train) == 0 or len(y_test) == 0:
        raise ConfigError(f"--data {spec}: the training and test sets must not be empty.")
    if len(X_train) != len(y_train) or len(X_test) != len(y_test):
        raise ConfigError(f"--data {spec}: inputs and labels differ in length.")
    if X_train.shape[1] != X_test.shape[1]:
        raise ConfigError(f"--data {spec}: train and test inputs differ in dimension.")
    if not (np.all(np.isfinite(X_train)) and np.all(np.isfinite(X_test))):
        raise ConfigError(f"--data {spec}: the inputs contain NaN or inf.")
    if min(y_train.min(), y_test.min()) < 0:
        raise ConfigError(f"--data {spec}: labels must lie in [0, C), found a negative label.")
    if classes_text:
        classes = _parse_classes(classes_text, spec)
        present = set(np.unique(y_train).tolist())
        if not set(classes) <= present:
            raise ConfigError(
                f"--data {spec}: classes must be among {sorted(present)}, got {classes}."
            )
        relabel = np.full(max(max(classes), int(y_train.max()), int(y_test.max())) + 1, -1)
        relabel[classes] = np.arange(len(classes))
        keep_train, keep_test = relabel[y_train] >= 0, relabel[y_test] >= 0
        X_train, y_train = X_train[keep_train], relabel[y_train[keep_train]]
        X_test, y_test = X_test[keep_test], relabel[y_test[keep_test]]
    n_classes = int(max(y_train.max(), y_test.max())) + 1
    if n_classes < 2:
        raise ConfigError(f"--data {spec}: need at least two classes, found {n_classes}.")
    train_index = _subset(len(y_train), n_train, seed, "train")
    test_index = _subset(len(y_test), n_test, seed, "test")
    return AdviseData(
        name=spec,
        X_train=np.ascontiguousarray(X_train[train_index], dtype=np.float32),
        y_train=y_train[train_index].astype(np.int64),
        X_test=np.ascontiguousarray(X_test[test_index], dtype=np.float32),
        y_test=y_test[test_index].astype(np.int64),
        n_classes=n_classes,
        train_index=train_index,
        test_index=test_index,
        full_sizes=(len(y_train), len(y_test)),
    )

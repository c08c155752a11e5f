"""scikit-learn's handwritten digits (8×8 images, shipped with the package: no download)."""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import NDArray

from distillab.errors import ConfigError

__all__ = ["digits", "digits_binary", "normalize_inputs"]

Normalize = Literal["sphere", "standard", "unit-interval"]


def normalize_inputs(X: NDArray[np.float64], how: Normalize) -> NDArray[np.float64]:
    """Normalise raw inputs.

    ``"sphere"``: centre by the mean image, then scale each row to unit norm (the kernel-regime
    setting of Arora et al.); ``"standard"``: z-score each pixel (constant pixels stay 0);
    ``"unit-interval"``: divide by the maximum value.
    """
    X = np.asarray(X, dtype=np.float64)
    if how == "sphere":
        centred = X - X.mean(axis=0, keepdims=True)
        return centred / np.linalg.norm(centred, axis=1, keepdims=True)
    if how == "standard":
        std = X.std(axis=0, keepdims=True)
        return (X - X.mean(axis=0, keepdims=True)) / np.where(std > 0, std, 1.0)
    if how == "unit-interval":
        return X / X.max()
    raise ConfigError(f"normalize must be 'sphere', 'standard' or 'unit-interval', got {how!r}.")


def digits(
    *, normalize: Normalize = "unit-interval"
) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """All 1797 digits: inputs ``(1797, 64)`` and labels ``(1797,)`` in 0…9."""
    from sklearn.datasets import load_digits

    bunch = load_digits()
    return normalize_inputs(bunch.data, normalize), bunch.target.astype(np.int64)


def digits_binary(
    positive: int = 3, negative: int = 8, *, normalize: Normalize = "sphere"
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """A two-class digits task with ±1 labels (+1 for ``positive``).

    Returns:
      inputs ``(n, 64)`` normalised after selecting the two classes, labels ``(n,)`` in {−1, +1}.
    """
    if positive == negative or not {positive, negative} <= set(range(10)):
        raise ConfigError(f"need two different digit classes in 0…9, got {positive}, {negative}.")
    X, y = digits(normalize="unit-interval")
    keep = (y == positive) | (y == negative)
    labels = np.where(y[keep] == positive, 1.0, -1.0)
    return normalize_inputs(X[keep], normalize), labels

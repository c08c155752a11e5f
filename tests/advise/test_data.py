"""DATA specs: built-in digits with class subsets, .npz files, and every bad input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from distillab.advise.data import load_data
from distillab.errors import ConfigError


def _npz(path: Path, **overrides: np.ndarray) -> str:
    rng = np.random.default_rng(0)
    arrays = {
        "X_train": rng.random((20, 5)),
        "y_train": np.arange(20) % 3,
        "X_test": rng.random((10, 5)),
        "y_test": np.arange(10) % 3,
    }
    arrays.update(overrides)
    np.savez(path, **arrays)
    return str(path)


def test_digits_subset_is_seeded_and_relabelled() -> None:
    data = load_data("digits:9,4", n_train=100, n_test=40, seed=1)
    again = load_data("digits:9,4", n_train=100, n_test=40, seed=1)
    assert data.X_train.shape == (100, 64) and data.n_classes == 2
    assert set(data.y_train.tolist()) == {0, 1}
    np.testing.assert_array_equal(data.X_train, again.X_train)
    assert data.full_sizes[0] > 100


def test_npz_data(tmp_path: Path) -> None:
    data = load_data(_npz(tmp_path / "d.npz"))
    assert data.n_classes == 3 and data.X_test.shape == (10, 5)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"y_train": np.arange(20) - 1}, "negative"),
        ({"X_train": np.full((20, 5), np.nan)}, "NaN"),
        ({"X_test": np.zeros((0, 5)), "y_test": np.zeros(0, dtype=int)}, "non-empty"),
        ({"X_test": np.zeros((10, 4))}, "dimension"),
        ({"y_train": np.arange(20) + 0.5}, "integer"),
        ({"y_test": np.arange(9)}, "length"),
    ],
)
def test_bad_npz(tmp_path: Path, overrides: dict[str, np.ndarray], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_data(_npz(tmp_path / "d.npz", **overrides))


@pytest.mark.parametrize(
    ("spec", "kwargs", "message"),
    [
        ("cifar", {}, "must be one of"),
        ("digits:4", {}, "two distinct"),
        ("digits:4,x", {}, "comma-separated"),
        ("digits:4,11", {}, "among"),
        ("digits", {"n_train": 10**6}, "n-train"),
        ("missing.npz", {}, "no such file"),
    ],
)
def test_bad_specs(spec: str, kwargs: dict[str, int], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_data(spec, **kwargs)

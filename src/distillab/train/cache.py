"""Teacher-output cache: a frozen teacher's logits (and hidden features) computed once.

In distillation the teacher is fixed, so its outputs on the training inputs are the same in every
epoch, for every student, soft ratio and temperature. The cache key is

    sha256(teacher weights) · sha256(input data) · transform name and seed · with/without features,

so changing any of them recomputes, and anything else reuses the ``.npz`` file written under the
cache directory (``$DISTILLAB_CACHE_DIR``, which ``distillab reproduce`` points at
``<out>/teacher-cache``, or ``~/.cache/distillab/teacher-outputs``). Files are written atomically;
an unreadable file is recomputed. They get the mode ``open()`` would give (0666 less the umask),
not ``mkstemp``'s 0600, so a cache shared by a group or served with a report stays readable.
"""

from __future__ import annotations

import hashlib
import os
import uuid
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch
from numpy.typing import NDArray

from distillab.errors import ConfigError

__all__ = ["CACHE_ENV", "TeacherCache", "array_digest", "module_digest"]

CACHE_ENV = "DISTILLAB_CACHE_DIR"
Transform = Callable[[torch.Tensor, torch.Generator], torch.Tensor]


def module_digest(module: torch.nn.Module) -> str:
    """SHA-256 of a module's state (parameter and buffer names, dtypes, shapes and bytes)."""
    digest = hashlib.sha256()
    for name, tensor in sorted(module.state_dict().items()):
        data = tensor.detach().cpu().contiguous()
        digest.update(f"{name}|{data.dtype}|{tuple(data.shape)}".encode())
        digest.update(data.reshape(-1).view(torch.uint8).numpy().tobytes())
    return digest.hexdigest()


def array_digest(array: torch.Tensor | NDArray[np.generic]) -> str:
    """SHA-256 of an array's dtype, shape and bytes."""
    data = (
        array.detach().cpu().contiguous().numpy()
        if isinstance(array, torch.Tensor)
        else (np.ascontiguousarray(array))
    )
    digest = hashlib.sha256(f"{data.dtype}|{data.shape}".encode())
    digest.update(data.tobytes())
    return digest.hexdigest()


def _default_directory() -> Path:
    configured = os.environ.get(CACHE_ENV)
    if configured:
        return Path(configured)
    return Path.home() / ".cache" / "distillab" / "teacher-outputs"


class TeacherCache:
    """Compute a teacher's outputs once per (weights, inputs, transform seed) and reuse them.

    Example:
      >>> import tempfile
      >>> from distillab.nn import MLP
      >>> cache = TeacherCache(tempfile.mkdtemp())
      >>> teacher, x = MLP(4, [8], 3, seed=0), torch.randn(5, 4)
      >>> first = cache.outputs(teacher, x)["logits"]
      >>> second = cache.outputs(teacher, x)["logits"]
      >>> (cache.misses, cache.hits, bool((first == second).all()))
      (1, 1, True)

    Attributes:
      directory: where the ``.npz`` files live.
      hits, misses: counts since construction.
    """

    def __init__(self, directory: str | Path | None = None) -> None:
        self.directory = Path(directory) if directory is not None else _default_directory()
        self.hits = 0
        self.misses = 0

    def key(
        self,
        teacher: torch.nn.Module,
        inputs: torch.Tensor,
        *,
        transform: Transform | None = None,
        transform_seed: int | None = None,
        features: bool = False,
    ) -> str:
        """The cache key of this request (hex digest)."""
        if transform is not None and transform_seed is None:
            raise ConfigError("a transform needs a transform_seed so its output is reproducible.")
        name = "none" if transform is None else f"{transform.__module__}.{transform.__qualname__}"
        parts = [
            module_digest(teacher),
            array_digest(inputs),
            name,
            str(transform_seed),
            str(features),
        ]
        return hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]

    def outputs(
        self,
        teacher: torch.nn.Module,
        inputs: torch.Tensor,
        *,
        transform: Transform | None = None,
        transform_seed: int | None = None,
        features: bool = False,
    ) -> dict[str, NDArray[np.float64]]:
        """The teacher's outputs on ``transform(inputs)``, from disk when already computed.

        Args:
          teacher: the frozen teacher (evaluated under ``torch.no_grad`` in eval mode).
          inputs: ``(n, …)`` inputs, e.g. the clean training set.
          transform: ``transform(inputs, generator) -> inputs`` applied before the teacher, e.g.
            additive noise; keyed by its qualified name and ``transform_seed``.
          transform_seed: seeds the transform's ``torch.Generator``.
          features: also return hidden features ``"feature_0"``, ``"feature_1"``, … from
            ``teacher.forward_features``.

        Returns:
          ``{"logits": (n, …), "feature_l": (n, m_l), …}`` as numpy arrays in the teacher's dtype.
        """
        key = self.key(
            teacher, inputs, transform=transform, transform_seed=transform_seed, features=features
        )
        path = self.directory / f"{key}.npz"
        cached = self._read(path)
        if cached is not None:
            self.hits += 1
            return cached
        self.misses += 1
        result = self._compute(teacher, inputs, transform, transform_seed, features)
        self._write(path, result)
        return result

    @staticmethod
    def _compute(
        teacher: torch.nn.Module,
        inputs: torch.Tensor,
        transform: Transform | None,
        transform_seed: int | None,
        features: bool,
    ) -> dict[str, NDArray[np.float64]]:
        was_training = teacher.training
        teacher.eval()
        try:
            with torch.no_grad():
                if transform is not None:
                    generator = torch.Generator().manual_seed(int(transform_seed or 0))
                    inputs = transform(inputs, generator)
                if features:
                    logits, hidden = teacher.forward_features(inputs)  # type: ignore[operator]
                else:
                    logits, hidden = teacher(inputs), []
        finally:
            teacher.train(was_training)
        result = {"logits": logits.cpu().numpy()}
        result.update({f"feature_{i}": h.cpu().numpy() for i, h in enumerate(hidden)})
        return result

    @staticmethod
    def _read(path: Path) -> dict[str, NDArray[np.float64]] | None:
        if not path.is_file():
            return None
        try:
            with np.load(path) as stored:
                return {name: stored[name] for name in stored.files}
        except (OSError, ValueError, zipfile.BadZipFile, EOFError):
            return None

    def _write(self, path: Path, arrays: dict[str, NDArray[np.float64]]) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        # Not mkstemp (always 0600): created 0666 with O_EXCL, the kernel applies the umask.
        temporary = self.directory / f".{path.stem}.{uuid.uuid4().hex}.npz.tmp"
        handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        try:
            with os.fdopen(handle, "wb") as stream:
                np.savez(stream, **arrays)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

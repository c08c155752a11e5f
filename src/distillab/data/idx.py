"""The IDX file format of MNIST-style datasets (LeCun et al.), plain or gzip-compressed.

Layout: two zero bytes, a type code (0x08 = unsigned byte), the number of dimensions k, then k
big-endian uint32 sizes, then the data in C order.
"""

from __future__ import annotations

import gzip
import struct
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from distillab.errors import ConfigError

__all__ = ["read_idx", "write_idx"]

_UBYTE = 0x08


def _open(path: Path) -> bytes:
    if path.suffix == ".gz":
        with gzip.open(path, "rb") as stream:
            return stream.read()
    return path.read_bytes()


def read_idx(path: str | Path) -> NDArray[np.uint8]:
    """Read an unsigned-byte IDX file (``.gz`` allowed) into an array of its stated shape."""
    path = Path(path)
    data = _open(path)
    if len(data) < 4 or data[:2] != b"\x00\x00" or data[2] != _UBYTE:
        raise ConfigError(f"{path} is not an unsigned-byte IDX file.")
    rank = data[3]
    header = 4 + 4 * rank
    shape = struct.unpack(f">{rank}I", data[4:header])
    expected = int(np.prod(shape))
    if len(data) - header != expected:
        raise ConfigError(
            f"{path} holds {len(data) - header} bytes of data but its header says {expected}."
        )
    return np.frombuffer(data, dtype=np.uint8, offset=header).reshape(shape)


def write_idx(path: str | Path, array: NDArray[np.uint8]) -> None:
    """Write an unsigned-byte array as an (uncompressed) IDX file."""
    array = np.ascontiguousarray(array, dtype=np.uint8)
    header = bytes([0, 0, _UBYTE, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    Path(path).write_bytes(header + array.tobytes())

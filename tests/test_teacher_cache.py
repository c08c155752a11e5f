"""TeacherCache: computed once per key, and each key part invalidates."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import torch

from distillab.errors import ConfigError
from distillab.nn import MLP
from distillab.train import TeacherCache
from distillab.train.cache import CACHE_ENV


class CountingTeacher(MLP):
    """An MLP that counts its forward passes."""

    calls = 0

    def forward_features(self, x: torch.Tensor) -> tuple[torch.Tensor, list[torch.Tensor]]:
        CountingTeacher.calls += 1
        return super().forward_features(x)


def add_noise(x: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    return x + 0.3 * torch.randn(x.shape, generator=generator)


def other_noise(x: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    return x - 0.3 * torch.randn(x.shape, generator=generator)


@pytest.fixture
def setup(tmp_path: Path) -> tuple[TeacherCache, CountingTeacher, torch.Tensor]:
    CountingTeacher.calls = 0
    inputs = torch.randn(20, 6, generator=torch.Generator().manual_seed(0))
    return TeacherCache(tmp_path), CountingTeacher(6, [8], 3, seed=0), inputs


def test_second_request_is_served_from_disk(setup: tuple) -> None:
    cache, teacher, inputs = setup
    first = cache.outputs(teacher, inputs, features=True)
    second = TeacherCache(cache.directory).outputs(teacher, inputs, features=True)
    assert CountingTeacher.calls == 1
    assert sorted(first) == ["feature_0", "logits"]
    for name in first:
        np.testing.assert_array_equal(first[name], second[name])
    with torch.no_grad():
        np.testing.assert_array_equal(first["logits"], teacher(inputs).numpy())


def test_each_key_part_invalidates(setup: tuple) -> None:
    cache, teacher, inputs = setup
    cache.outputs(teacher, inputs, transform=add_noise, transform_seed=1)
    assert (cache.misses, cache.hits) == (1, 0)
    cache.outputs(teacher, inputs, transform=add_noise, transform_seed=1)
    assert (cache.misses, cache.hits) == (1, 1)
    changed_inputs = inputs.clone()
    changed_inputs[3, 2] += 1e-6
    cache.outputs(teacher, changed_inputs, transform=add_noise, transform_seed=1)
    cache.outputs(teacher, inputs, transform=add_noise, transform_seed=2)
    cache.outputs(teacher, inputs, transform=other_noise, transform_seed=1)
    cache.outputs(teacher, inputs, transform=add_noise, transform_seed=1, features=True)
    with torch.no_grad():
        teacher.layers[0].weight[0, 0] += 1e-6
    cache.outputs(teacher, inputs, transform=add_noise, transform_seed=1)
    assert (cache.misses, cache.hits) == (6, 1)
    assert len(list(cache.directory.glob("*.npz"))) == 6
    assert not list(cache.directory.glob("*.tmp"))


def test_noisy_teacher_inputs_are_reproducible(setup: tuple) -> None:
    cache, teacher, inputs = setup
    cached = cache.outputs(teacher, inputs, transform=add_noise, transform_seed=5)["logits"]
    with torch.no_grad():
        expected = teacher(add_noise(inputs, torch.Generator().manual_seed(5))).numpy()
    np.testing.assert_array_equal(cached, expected)
    with pytest.raises(ConfigError, match="transform_seed"):
        cache.outputs(teacher, inputs, transform=add_noise)


def test_unreadable_file_is_recomputed(setup: tuple) -> None:
    cache, teacher, inputs = setup
    cache.outputs(teacher, inputs)
    (path,) = cache.directory.glob("*.npz")
    path.write_bytes(b"not a zip file")
    again = cache.outputs(teacher, inputs)
    assert cache.misses == 2 and again["logits"].shape == (20, 3)


def test_default_directory_follows_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "here"))
    assert TeacherCache().directory == tmp_path / "here"


@pytest.fixture(params=[(0o022, 0o644), (0o077, 0o600)], ids=["umask022", "umask077"])
def umask(request: pytest.FixtureRequest) -> Iterator[int]:
    """Run under a umask; yield the mode a file written with it must get."""
    mask, expected = request.param
    previous = os.umask(mask)
    try:
        yield expected
    finally:
        os.umask(previous)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_cache_files_follow_the_umask(setup: tuple, umask: int) -> None:
    cache, teacher, inputs = setup
    cache.outputs(teacher, inputs)
    (path,) = cache.directory.glob("*.npz")
    assert _mode(path) == umask
    assert [p.name for p in cache.directory.iterdir()] == [path.name]  # no temporary left


def test_report_files_follow_the_umask(tmp_path: Path, umask: int) -> None:
    """``report.html`` and ``figures/*.png`` are shared: not mkstemp's 0600 (issue 13)."""
    from distillab.report.html import _atomic_write

    path = tmp_path / "figures" / "a.png"
    _atomic_write(path, b"first")
    _atomic_write(path, b"second")  # replacing keeps the mode too
    assert path.read_bytes() == b"second" and _mode(path) == umask
    assert [p.name for p in path.parent.iterdir()] == ["a.png"]

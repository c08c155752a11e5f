"""STUDENT and TEACHER specs: built-ins, module:function, .npz logits, trained teachers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from distillab.advise.data import load_data
from distillab.advise.models import MLPSpec, build_student, load_teacher, parse_mlp
from distillab.errors import ConfigError

DATA = load_data("digits", n_train=60, n_test=30)


def test_parse_mlp() -> None:
    assert parse_mlp("mlp:128") == MLPSpec(128, 1)
    assert parse_mlp("mlp:64x3") == MLPSpec(64, 3)
    assert parse_mlp("pkg:fn") is None
    with pytest.raises(ConfigError, match="width"):
        parse_mlp("mlp:0")


def test_students_are_seeded() -> None:
    a, b = (build_student("mlp:32x2", 64, 10, seed=3) for _ in range(2))
    x = torch.as_tensor(DATA.X_train)
    torch.testing.assert_close(a(x), b(x))
    net = build_student("tests.advise.toy_models:tiny_net", 64, 10, seed=0)
    assert net(x).shape == (60, 10)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("mlp:abc", "must be"),
        ("nosuchmodule_xyz:fn", "cannot import"),
        ("tests.advise.toy_models:missing", "no function"),
        ("tests.advise.toy_models:not_a_module", "not a torch.nn.Module"),
        ("tests.advise.toy_models:wrong_outputs", "expected"),
    ],
)
def test_bad_students(spec: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        build_student(spec, 64, 10, seed=0)


def test_npz_teacher_full_split_is_indexed(tmp_path: Path) -> None:
    n_full, m_full = DATA.full_sizes
    train = np.arange(n_full * 10, dtype=float).reshape(n_full, 10)
    test = np.zeros((m_full, 10))
    np.savez(tmp_path / "t.npz", train=train, test=test)
    teacher = load_teacher(str(tmp_path / "t.npz"), DATA)
    np.testing.assert_array_equal(teacher.train_logits, train[DATA.train_index])


@pytest.mark.parametrize(
    ("train", "message"),
    [
        (np.zeros((7, 10)), "shape"),
        (np.full((60, 10), np.nan), "NaN"),
        (np.zeros((60, 3)), "shape"),
    ],
)
def test_bad_npz_teacher(tmp_path: Path, train: np.ndarray, message: str) -> None:
    np.savez(tmp_path / "t.npz", train=train, test=np.zeros((30, 10)))
    with pytest.raises(ConfigError, match=message):
        load_teacher(str(tmp_path / "t.npz"), DATA)


def test_trained_teacher_is_cached(tmp_path: Path) -> None:
    first = load_teacher("train:mlp:32:2", DATA, cache_dir=tmp_path)
    assert len(list(tmp_path.glob("advise-teacher-*.npz"))) == 1
    second = load_teacher("train:mlp:32:2", DATA, cache_dir=tmp_path)
    np.testing.assert_array_equal(first.train_logits, second.train_logits)
    assert 0.0 <= first.test_error(DATA.y_test) < 0.9


@pytest.mark.parametrize("spec", ["train:cnn:3", "train:mlp:8:0", "teacher", "nosuchmod_q:f"])
def test_bad_teacher_specs(spec: str) -> None:
    with pytest.raises(ConfigError):
        load_teacher(spec, DATA)

"""``distillab advise`` end to end on digits (the CI test) and every bad input."""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import pytest
import torch

from distillab.cli import main
from distillab.sweep import ResultStore

SMALL = [
    "--data",
    "digits",
    "--student",
    "mlp:256",
    "--n-train",
    "300",
    "--n-test",
    "200",
    "--steps",
    "60",
    "--lr",
    "0.05",
    "--soft-ratio",
    "0,0.5,1",
    "--temperature",
    "1,4",
]


def _run(argv: list[str]) -> int:
    with pytest.raises(SystemExit) as stop:
        main(argv)
    return int(stop.value.code or 0)


def test_digits_with_verify_3(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "advice"
    start = time.perf_counter()
    code = _run(
        [
            "advise",
            *SMALL,
            "--teacher",
            "train:mlp:128:10",
            "--teacher",
            "train:mlp:32:1",
            "--verify",
            "3",
            "--out",
            str(out),
        ]
    )
    assert code == 0, capsys.readouterr().err
    assert time.perf_counter() - start < 60
    advice = json.loads((out / "advice.json").read_text())
    assert set(advice["recommended"]) >= {"teacher", "soft_ratio", "temperature", "steps"}
    assert len(advice["settings"]) == 2 * 3 * 2
    assert all(0 <= s["predicted_error"] <= 1 for s in advice["settings"])
    assert all(s["kernel_change"] >= 0 and isinstance(s["lazy"], bool) for s in advice["settings"])
    assert (
        advice["regime"]["kernel_change"] >= 0
        and "analytic_relative_difference" in advice["kernel"]
    )
    measured = [s for s in advice["settings"] if "measured_error" in s]
    assert len(measured) == 3 and all(0 <= s["measured_error"] <= 1 for s in measured)
    verification = advice["verification"]
    assert {"spearman", "top2", "regret", "advice_seconds", "grid_seconds"} <= set(verification)
    assert 0 <= verification["regret"] <= 1
    assert {t["name"] for t in advice["teachers"]} == {"train:mlp:128:10", "train:mlp:32:1"}
    assert all(t["supervision_complexity"] > 0 for t in advice["teachers"])
    assert (out / "advice.html").is_file() and (out / "teachers.png").is_file()
    assert len(list(out.glob("heatmap-*.png"))) == 2
    with ResultStore(out / "results.sqlite") as store:
        assert len(store.rows("advise", "verify")) == 3
    assert "Distil from" in capsys.readouterr().out


def _logits(path: Path, train: np.ndarray, test: np.ndarray) -> str:
    np.savez(path, train=train, test=test)
    return str(path)


@pytest.mark.parametrize(
    "case",
    ["shape", "nan", "labels", "empty", "import", "not-module", "cuda", "grid", "verify"],
)
def test_bad_input_exits_2_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str
) -> None:
    if case == "cuda" and torch.cuda.is_available():
        pytest.skip("CUDA is available here")
    out = tmp_path / "out"
    args = [*SMALL]
    teacher = "train:mlp:16:1"
    student = "mlp:256"
    if case == "shape":
        teacher = _logits(tmp_path / "t.npz", np.zeros((5, 10)), np.zeros((200, 10)))
    elif case == "nan":
        teacher = _logits(tmp_path / "t.npz", np.full((300, 10), np.nan), np.zeros((200, 10)))
    elif case in ("labels", "empty"):
        rng = np.random.default_rng(0)
        y_test = np.zeros(0, int) if case == "empty" else np.array([0, 1, -1])
        X_test = np.zeros((len(y_test), 4))
        np.savez(
            tmp_path / "d.npz",
            X_train=rng.random((6, 4)),
            y_train=np.arange(6) % 2,
            X_test=X_test,
            y_test=y_test,
        )
        args[1] = str(tmp_path / "d.npz")
    elif case == "import":
        student = "no_such_module_abc:net"
    elif case == "not-module":
        student = "tests.advise.toy_models:not_a_module"
    elif case == "cuda":
        args += ["--device", "cuda"]
    elif case == "grid":
        args += ["--soft-ratio", "0,2"]
    elif case == "verify":
        args += ["--verify", "0"]
    args[3] = student
    code = _run(["advise", *args, "--teacher", teacher, "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("distillab: error:") and err.count("\n") == 1
    assert not out.exists()

"""Shared set-up of the nonlinear figure: data split, teachers and students as ReLU MLPs.

The paper checks its linear analysis with nonlinear networks on noisy images [S]; which networks,
data, noise levels and λ it used is unknown (model §4.1). Our stand-in [G/D]: scikit-learn's
digits (8×8, pixels scaled to [0, 1]) with additive Gaussian input noise of standard deviation σ,
a ReLU MLP for teacher and student, the teacher trained on clean images, the student on fixed
noisy versions with cross-entropy plus ``mse_feature_weight``·Σ_l MSE(h_S^l(x̃), h_T^l(x)) over
all hidden layers (:func:`distillab.losses.feature_loss`; in the model's sum form this is
λ = 2·mse_feature_weight/m per layer of width m).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import torch
from numpy.typing import NDArray

from distillab.data.clean_noisy import add_input_noise
from distillab.data.digits import digits
from distillab.data.mnist_family import mnist
from distillab.errors import ConfigError
from distillab.nn import MLP
from distillab.train.cache import TeacherCache
from distillab.train.fit import Trajectory, fit
from distillab.train.objectives import cross_entropy_objective, feature_objective

if TYPE_CHECKING:
    from distillab.studies.hong_2021.digits_noisy import DigitsPoint

__all__ = [
    "NoisySplit",
    "load_dataset",
    "matched_layers",
    "noisy_split",
    "train_student",
    "train_teacher",
]


def load_dataset(name: str) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Inputs ``(n, p)`` in [0, 1] and integer labels of a dataset available offline.

    ``"digits"`` ships with scikit-learn; ``"mnist"`` is MNIST's 60 000 training images read from
    the local data directory (``distillab data fetch mnist``), split like digits.
    """
    if name == "digits":
        return digits(normalize="unit-interval")
    if name == "mnist":
        return mnist("train")
    raise ConfigError(f"dataset must be 'digits' or 'mnist', got {name!r}.")


@dataclass(frozen=True)
class NoisySplit:
    """One seed's split: clean teacher data, clean/noisy student data and a noisy test set.

    Attributes:
      teacher_inputs, teacher_labels: every clean non-test sample (the student's included).
      clean_inputs, noisy_inputs, labels: the student's N samples (noise drawn once).
      test_inputs, test_labels: noisy test inputs (noise drawn once) and their labels.
      clean_test_inputs: the same test images without noise.
    """

    teacher_inputs: torch.Tensor
    teacher_labels: torch.Tensor
    clean_inputs: torch.Tensor
    noisy_inputs: torch.Tensor
    labels: torch.Tensor
    test_inputs: torch.Tensor
    test_labels: torch.Tensor
    clean_test_inputs: torch.Tensor


def noisy_split(point: DigitsPoint, seed: int) -> NoisySplit:
    """Split the dataset for ``seed`` and corrupt the student's and the test inputs."""
    inputs, labels = load_dataset(point.dataset)
    order = np.random.default_rng(seed).permutation(len(labels))
    test, rest = order[: point.test_samples], order[point.test_samples :]
    student = rest[: point.student_samples]
    sigma = point.input_noise
    as_tensor = torch.as_tensor

    def floats(x: NDArray[np.float64]) -> torch.Tensor:
        return as_tensor(x, dtype=torch.float32)

    return NoisySplit(
        teacher_inputs=floats(inputs[rest]),
        teacher_labels=as_tensor(labels[rest]),
        clean_inputs=floats(inputs[student]),
        noisy_inputs=floats(add_input_noise(inputs[student], sigma, seed=seed + 1)),
        labels=as_tensor(labels[student]),
        test_inputs=floats(add_input_noise(inputs[test], sigma, seed=seed + 2)),
        test_labels=as_tensor(labels[test]),
        clean_test_inputs=floats(inputs[test]),
    )


def _network(point: DigitsPoint, inputs: int, classes: int, seed: int) -> MLP:
    return MLP(inputs, (point.width,) * point.hidden_layers, classes, seed=seed)


def _accuracy(model: torch.nn.Module, inputs: torch.Tensor, labels: torch.Tensor) -> float:
    with torch.no_grad():
        return float((model(inputs).argmax(dim=1) == labels).float().mean())


def train_teacher(
    point: DigitsPoint, split: NoisySplit, samples: int, seed: int
) -> tuple[MLP, dict[str, float]]:
    """A teacher trained on the first ``samples`` clean non-test images (0: left untrained).

    Returns the teacher and its clean and noisy test accuracies.
    """
    classes = int(split.teacher_labels.max()) + 1
    teacher = _network(point, split.teacher_inputs.shape[1], classes, seed)
    if samples > 0:
        data = {"x": split.teacher_inputs[:samples], "y": split.teacher_labels[:samples]}
        fit(
            teacher,
            cross_entropy_objective(),
            data,
            steps=point.teacher_steps,
            lr=point.lr,
            momentum=point.momentum,
            # Full-batch GD for digits; minibatches make a 58 000-image MNIST teacher affordable.
            batch_size=None if point.teacher_batch_size == "full" else point.teacher_batch_size,
            seed=seed,
        )
    return teacher, {
        "clean_accuracy": _accuracy(teacher, split.clean_test_inputs, split.test_labels),
        "noisy_accuracy": _accuracy(teacher, split.test_inputs, split.test_labels),
    }


def matched_layers(choice: str, hidden_layers: int) -> list[int]:
    """Indices of the matched hidden layers: ``"all"``, ``"first"`` or ``"last"``."""
    options = {
        "all": list(range(hidden_layers)),
        "first": [0],
        "last": [hidden_layers - 1],
    }
    if choice not in options:
        raise ConfigError(f"matched_layers must be 'all', 'first' or 'last', got {choice!r}.")
    return options[choice]


def train_student(
    point: DigitsPoint, split: NoisySplit, teacher: MLP | None, seed: int
) -> Trajectory:
    """Train a student on the noisy inputs; with a teacher, match its hidden features.

    The matched layers are ``point.matched_layers`` (see :func:`matched_layers`); the
    teacher's features on the clean versions of the student's samples come from the
    :class:`~distillab.train.TeacherCache`, so a teacher shared by several grid points (the same
    seed at other noise levels or matched layers) is evaluated once.
    The trajectory's metric ``"accuracy"`` is the noisy-test accuracy every ``record_every``
    steps.
    """
    classes = int(split.teacher_labels.max()) + 1
    student = _network(point, split.noisy_inputs.shape[1], classes, seed)
    train = {"x": split.noisy_inputs, "y": split.labels}
    if teacher is None:
        objective = cross_entropy_objective()
    else:
        cached = TeacherCache().outputs(teacher, split.clean_inputs, features=True)
        layers = matched_layers(point.matched_layers, point.hidden_layers)
        train.update({f"h{layer}": torch.as_tensor(cached[f"feature_{layer}"]) for layer in layers})
        objective = feature_objective(point.mse_feature_weight, layers)
    return fit(
        student,
        objective,
        train,
        steps=point.steps,
        lr=point.lr,
        momentum=point.momentum,
        record_steps=range(0, point.steps + 1, point.record_every),
        record=lambda model: {"accuracy": _accuracy(model, split.test_inputs, split.test_labels)},
    )

"""Datasets as plain seeded numpy arrays."""

from distillab.data.clean_noisy import add_input_noise, gaussian_linear_task, low_rank_target_map
from distillab.data.digits import digits, digits_binary, normalize_inputs
from distillab.data.gaussian_mixture import MixtureSample, gaussian_mixture
from distillab.data.idx import read_idx, write_idx
from distillab.data.kernel_teacher import (
    ImperfectTeacher,
    KernelTeacher,
    imperfect_teacher,
    kernel_teacher,
)
from distillab.data.mnist_family import data_dir, fashion_mnist, mnist
from distillab.data.synthetic import unit_sphere

__all__ = [
    "ImperfectTeacher",
    "KernelTeacher",
    "MixtureSample",
    "add_input_noise",
    "data_dir",
    "digits",
    "digits_binary",
    "fashion_mnist",
    "gaussian_linear_task",
    "gaussian_mixture",
    "imperfect_teacher",
    "kernel_teacher",
    "low_rank_target_map",
    "mnist",
    "normalize_inputs",
    "read_idx",
    "unit_sphere",
    "write_idx",
]

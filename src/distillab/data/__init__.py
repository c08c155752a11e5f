"""Datasets as plain seeded numpy arrays."""

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
    "data_dir",
    "digits",
    "digits_binary",
    "fashion_mnist",
    "gaussian_mixture",
    "imperfect_teacher",
    "kernel_teacher",
    "mnist",
    "normalize_inputs",
    "read_idx",
    "unit_sphere",
    "write_idx",
]

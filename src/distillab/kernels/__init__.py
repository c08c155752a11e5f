"""Kernels: analytic ReLU NTK/arc-cosine kernels, the empirical NTK, spectral helpers."""

from distillab.kernels.empirical import empirical_ntk
from distillab.kernels.relu import arccos_kernel, relu_ntk, relu_ntk_variance
from distillab.kernels.spectral import GramSpectrum, gram_spectrum

__all__ = [
    "GramSpectrum",
    "arccos_kernel",
    "empirical_ntk",
    "gram_spectrum",
    "relu_ntk",
    "relu_ntk_variance",
]

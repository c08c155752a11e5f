"""Kernels: analytic ReLU NTK/arc-cosine kernels, the empirical NTK, spectral helpers."""

from typing import Any

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


def __getattr__(name: str) -> Any:
    """Import :func:`empirical_ntk` on first use: it needs torch, the analytic kernels do not.

    The theory engines import ``distillab.kernels`` for the spectral helpers and must stay
    torch-free (``import distillab.theory`` loads no torch).
    """
    if name == "empirical_ntk":
        from distillab.kernels.empirical import empirical_ntk

        return empirical_ntk
    raise AttributeError(f"module 'distillab.kernels' has no attribute {name!r}")

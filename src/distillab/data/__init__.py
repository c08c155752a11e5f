"""Datasets as plain seeded numpy arrays."""

from distillab.data.digits import digits, digits_binary, normalize_inputs
from distillab.data.synthetic import unit_sphere

__all__ = ["digits", "digits_binary", "normalize_inputs", "unit_sphere"]

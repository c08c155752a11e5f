"""Errors and warnings raised by distillab.

Bad user input raises :class:`ConfigError` with one clear sentence; the CLI prints that sentence
and exits with code 2. Numerical failure (divergence, a saddle point that does not converge) is
never an exception: it is a recorded status on a result row.
"""

from __future__ import annotations


class ConfigError(ValueError):
    """A parameter, shape or option that distillab cannot work with (one-sentence message)."""


class DistillabWarning(UserWarning):
    """A warning about a numerically delicate but still usable setting."""

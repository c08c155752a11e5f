"""distillab: the theory of knowledge distillation, runnable.

Subpackages: ``losses`` (the KD convention), ``kernels`` (analytic and empirical NTKs), ``nn``
(model builders), ``train`` (``fit``), ``data``, ``theory`` (the four papers' engines),
``studies`` (figures), ``sweep`` (grids, executors, the results store), ``report``.
"""

from distillab.errors import ConfigError, DistillabWarning
from distillab.runner import RunResult, run

__version__ = "0.1.0"

__all__ = ["ConfigError", "DistillabWarning", "RunResult", "__version__", "run"]

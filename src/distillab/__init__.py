"""distillab: the theory of knowledge distillation, runnable.

Subpackages: ``losses`` (the KD convention), ``kernels`` (analytic and empirical NTKs), ``nn``
(model builders), ``train`` (``fit``), ``data``, ``theory`` (the four papers' engines),
``studies`` (figures), ``sweep`` (grids, executors, the results store), ``report``.

The names a study of your own needs are re-exported here: :class:`Study`, :class:`Figure`,
:class:`Comparison`, :class:`Tolerance`, :class:`Scaling`, :class:`Point` and :func:`within`, and
the panel types :class:`Plot`, :class:`Panel`, :class:`Line`, :class:`Points`, :class:`Trace`,
:class:`Reference`, :class:`Key`.
"""

from distillab._lazy import lazy_attributes
from distillab.errors import ConfigError, DistillabWarning

__version__ = "0.1.0"

# The public contract of a study of your own (docs/extending.md): `from distillab import Study,
# Figure, Comparison, ...`. Loaded on first use, so `import distillab` stays cheap.
_STUDY_API = {
    **dict.fromkeys(
        ("Comparison", "Figure", "Scaling", "Study", "Tolerance"), "distillab.studies.spec"
    ),
    **dict.fromkeys(("Point", "within"), "distillab.studies.point"),
    **dict.fromkeys(("RunResult", "run"), "distillab.runner"),
    **dict.fromkeys(
        ("Key", "Line", "Panel", "Plot", "Points", "Reference", "Trace"), "distillab.report.panels"
    ),
}

__all__ = [
    "Comparison",
    "ConfigError",
    "DistillabWarning",
    "Figure",
    "Key",
    "Line",
    "Panel",
    "Plot",
    "Point",
    "Points",
    "Reference",
    "RunResult",
    "Scaling",
    "Study",
    "Tolerance",
    "Trace",
    "__version__",
    "run",
    "within",
]

__getattr__ = lazy_attributes(__name__, _STUDY_API)

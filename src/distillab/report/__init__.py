"""Reports: declarative figures (``panels``), theory-vs-simulation agreement, the HTML site.

``render_figure`` and ``write_report`` load their modules on first use, so declaring a figure's
panels (``distillab.report.panels``) imports no matplotlib.
"""

from distillab._lazy import lazy_attributes
from distillab.report.agreement import AgreementLine, agreement

__all__ = ["AgreementLine", "agreement", "render_figure", "write_report"]

__getattr__ = lazy_attributes(
    __name__,
    {
        "render_figure": "distillab.report.figure_files",
        "write_report": "distillab.report.html",
    },
)

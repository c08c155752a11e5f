"""Reports: figure helpers, theory-vs-simulation agreement and the HTML report."""

from distillab.report.agreement import AgreementLine, agreement
from distillab.report.figure_files import render_figure
from distillab.report.html import write_report

__all__ = ["AgreementLine", "agreement", "render_figure", "write_report"]

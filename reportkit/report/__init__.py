"""Reports: parameterized notebooks (shipped in the package) rendered to one self-contained HTML each.

:func:`render_report` (:mod:`~reportkit.report.render`) validates the parameters
(:mod:`~reportkit.report.parameters`), executes ``reportkit/report/notebooks/<kind>.ipynb``
(:mod:`~reportkit.report.execute`), converts it (:mod:`~reportkit.report.html`, template and CSS in
``templates/``) and publishes it with the notebook's companion files (:mod:`~reportkit.report.publish`).
The notebooks show what :mod:`~reportkit.report.views` and :mod:`~reportkit.report.plots` build.
"""
from __future__ import annotations

from reportkit.report.html import notebook_to_html
from reportkit.report.parameters import INTERNAL_PARAMETERS, PARAMETERS, validate_parameters
from reportkit.report.publish import export_monthly_data, export_report_data, export_table
from reportkit.report.render import LANDING_NOTEBOOK, NOTEBOOK_DIR, NOTEBOOKS, ReportResult, render_report

__all__ = ["INTERNAL_PARAMETERS", "LANDING_NOTEBOOK", "NOTEBOOKS", "NOTEBOOK_DIR", "PARAMETERS", "ReportResult", "export_monthly_data",
           "export_report_data", "export_table", "notebook_to_html", "render_report", "validate_parameters"]

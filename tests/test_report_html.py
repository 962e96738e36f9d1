"""reportkit.report.html: one self-contained page, no code, nothing fetched."""
from __future__ import annotations

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from reportkit.report import notebook_to_html


def test_html_conversion_drops_code_and_fetches_nothing():
    nb = new_notebook(cells=[new_markdown_cell("# Title"), new_code_cell("secret_code = 1")])
    nb.cells[1].outputs = [nbformat.v4.new_output("display_data", data={"text/html": "<b>shown</b>"})]
    nb.cells.append(new_code_cell("no_output_here = 2"))
    html = notebook_to_html(nb, title="<T>")
    assert "shown" in html and "secret_code" not in html and "no_output_here" not in html
    assert "<script" not in html and "<title>&lt;T&gt;</title>" in html
    assert "mathjax" not in html.lower() and "require.js" not in html

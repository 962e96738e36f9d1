"""One self-contained HTML page from an executed notebook: outputs and markdown only, CSS inline, no scripts.

The page template (the lab template minus everything that would fetch from the network) and the
report's CSS are package data files: ``templates/reportkit.html.j2`` and ``templates/report.css``.
"""
from __future__ import annotations

from functools import lru_cache
from importlib.resources import files


@lru_cache(maxsize=None)
def _template_file(name: str) -> str:
    return files("reportkit.report").joinpath("templates", name).read_text(encoding="utf-8")


def notebook_to_html(nb, *, title: str | None = None) -> str:
    """Return a self-contained HTML page of an executed notebook: outputs and markdown only.

    Code cells are dropped (inputs and prompts excluded; cells without output removed), CSS is
    inlined, and no ``<script src>`` or stylesheet link points anywhere.
    """
    import copy

    import jinja2
    from nbconvert import HTMLExporter

    nb = copy.deepcopy(nb)
    nb.cells = [c for c in nb.cells if c.cell_type != "code" or c.get("outputs")]
    if title:
        nb.metadata["title"] = title  # the template escapes it into <title>
    exporter = HTMLExporter(
        template_name="lab", exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True,
        embed_images=True,
        extra_loaders=[jinja2.DictLoader({"reportkit.html.j2": _template_file("reportkit.html.j2")})],
        template_file="reportkit.html.j2",
    )
    body, _ = exporter.from_notebook_node(nb, resources={"reportkit_css": _template_file("report.css")})
    return body

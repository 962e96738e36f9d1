"""Print docs/assess.md: the hand-written rules followed by column tables generated from the schema.

Run ``python -m reportkit.assessment.docs > docs/assess.md``; a test checks the file is current.
"""
from __future__ import annotations

from importlib.resources import files

from reportkit.schema import ASSESSMENT_TABLES, data_dictionary


def column_tables() -> str:
    """Return one markdown table per assessment table, from schema.data_dictionary."""
    out = []
    dictionary = data_dictionary(ASSESSMENT_TABLES.values())
    for table in ASSESSMENT_TABLES.values():
        out.append(f"### {table.name}\n\n{table.description}\n\n| column | dtype | description |\n|---|---|---|")
        rows = dictionary[dictionary["table"] == table.name]
        for row in rows.itertuples(index=False):  # documentation rows, not data
            out.append(f"| `{row.column}` | {row.dtype} | {row.description.replace('|', '/')} |")
        out.append("")
    return "\n".join(out)


def render() -> str:
    """Return the full text of docs/assess.md."""
    head = files("reportkit.assessment").joinpath("docs_head.md").read_text(encoding="utf-8")
    return head.rstrip("\n") + "\n\n" + column_tables()


if __name__ == "__main__":
    print(render(), end="")

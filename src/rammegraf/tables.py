"""Rows to text: an aligned table, CSV, TSV, JSON or Markdown.

Query results show labels in the reader's language wherever a resource has one
(``labels=False`` keeps the IRIs). JSON for a query is the standard SPARQL 1.1
results format with the raw terms, for programs rather than people.
"""

from __future__ import annotations

import csv
import io
import json

from rdflib import Graph

from .labels import display
from .namespaces import bind_prefixes

FORMATS = ("table", "csv", "tsv", "json", "md")
YES_NO = {"da": ("ja", "nej"), "en": ("yes", "no")}


def render(headers: list[str], rows: list[list[str]], fmt: str = "table", *,
           max_width: int = 70) -> str:
    """Plain-text rows in one of FORMATS (JSON: a list of objects)."""
    if fmt == "csv":
        return _delimited(headers, rows, ",")
    if fmt == "tsv":
        return _delimited(headers, [[_one_line(c).replace("\t", " ") for c in r] for r in rows], "\t")
    if fmt == "json":
        return json.dumps([dict(zip(headers, row)) for row in rows], ensure_ascii=False, indent=2) + "\n"
    if fmt == "md":
        return _markdown(headers, rows)
    return _table(headers, rows, max_width)


def _delimited(headers, rows, delimiter: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue()


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _markdown(headers, rows) -> str:
    def cell(text: str) -> str:
        return _one_line(text).replace("\\", "\\\\").replace("|", "\\|")
    lines = ["| " + " | ".join(cell(h) for h in headers) + " |",
             "| " + " | ".join("---" for _ in headers) + " |"]
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def _table(headers, rows, max_width: int) -> str:
    def cell(text: str) -> str:
        text = _one_line(text)
        return text if len(text) <= max_width else text[: max_width - 1] + "…"
    cells = [[cell(h) for h in headers]] + [[cell(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines) + "\n"


def render_result(result, graph: Graph, fmt: str = "table", *, lang: str = "da",
                  labels: bool = True) -> str:
    """A SPARQL result: SELECT as rows, ASK as yes/no, CONSTRUCT/DESCRIBE as Turtle."""
    if result.type == "ASK":
        if fmt == "json":
            return json.dumps({"head": {}, "boolean": bool(result.askAnswer)}) + "\n"
        yes, no = YES_NO.get(lang, YES_NO["en"])
        return (yes if result.askAnswer else no) + "\n"
    if result.type in ("CONSTRUCT", "DESCRIBE"):
        out = bind_prefixes(result.graph)
        return out.serialize(format="json-ld" if fmt == "json" else "turtle")
    if fmt == "json":
        return result.serialize(format="json").decode("utf-8") + "\n"
    headers = [str(v) for v in result.vars]
    rows = [[_term(graph, value, lang, labels) for value in row] for row in result]
    return render(headers, rows, fmt)


def _term(graph: Graph, value, lang: str, labels: bool) -> str:
    if value is None:
        return ""
    return display(graph, value, lang) if labels else str(value)

"""Rows to text: an aligned table, CSV, TSV, JSON or Markdown.

Query results show labels in the reader's language wherever a resource has one
(``show_labels=False`` keeps the IRIs). JSON for a query is the standard SPARQL 1.1
results format with the raw terms, for programs rather than people.
"""

from __future__ import annotations

import csv
import io
import json

from .terms import text

FORMATS = ("table", "csv", "tsv", "json", "md")
YES_NO = {"da": ("ja", "nej"), "en": ("yes", "no")}


def render(headers: list[str], rows: list[list[str]], fmt: str = "table", *,
           max_width: int = 70) -> str:
    """Plain-text rows in one of FORMATS (JSON: a list of objects)."""
    if fmt == "csv":
        return delimited(headers, rows, ",")
    if fmt == "tsv":
        return delimited(headers, [[_one_line(c).replace("\t", " ") for c in r] for r in rows], "\t")
    if fmt == "json":
        return json.dumps([dict(zip(headers, row)) for row in rows], ensure_ascii=False, indent=2) + "\n"
    if fmt == "md":
        return _markdown(headers, rows)
    return _table(headers, rows, max_width)


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """A spreadsheet cell that stays text: a value starting with = + - @, a tab or a
    carriage return gets a leading apostrophe (OWASP, "CSV Injection"), so a label
    such as ``=HYPERLINK(...)`` opens as text, not as a formula. Numbers pass as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def delimited(headers, rows, delimiter: str = ",") -> str:
    """CSV (or TSV) for people to open in a spreadsheet: every cell through safe_cell.
    (The SPARQL CSV/TSV results formats are data formats and are written exactly,
    by rammegraf.results.)"""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow([safe_cell(h) for h in headers])
    writer.writerows([safe_cell(c) for c in row] for row in rows)
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
    made: dict[str, str] = {}   # each text made once: a label stands in thousands of rows

    def cell(text: str) -> str:
        found = made.get(text)
        if found is None:
            line = _one_line(text)
            found = made[text] = line if len(line) <= max_width else line[: max_width - 1] + "…"
        return found
    cells = [[cell(h) for h in headers]] + [[cell(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines) + "\n"


def render_result(answer, labels, fmt: str = "table", *, lang: str = "da", show_labels: bool = True,
                  captions: list[str] | None = None) -> str:
    """A SPARQL answer: SELECT as rows, ASK as yes/no, CONSTRUCT/DESCRIBE as Turtle.
    ``labels`` is a rammegraf.labels.Labels for the answer's engine; ``captions``
    head the columns of a table for people (table, md) in place of the variable names."""
    from .results import serialize_answer

    if answer.form == "ASK":
        if fmt == "json":
            return serialize_answer(answer, "json").decode("utf-8") + "\n"
        yes, no = YES_NO.get(lang, YES_NO["en"])
        return (yes if answer.boolean else no) + "\n"
    if answer.is_graph:
        return serialize_answer(answer, "jsonld" if fmt == "json" else "turtle").decode("utf-8")
    if fmt == "json":
        return serialize_answer(answer, "json").decode("utf-8") + "\n"
    if show_labels:
        labels.load(term for row in answer.rows for term in row)
    shown: dict = {}    # each term said once: at 1M a query's 37,000 rows name 45,000 terms 150,000 times

    def say(term):
        found = shown.get(term)
        if found is None:
            found = shown[term] = labels.display(term) if show_labels else text(term)
        return found
    rows = [[say(term) for term in row] for row in answer.rows]
    headers = list(captions) if captions and show_labels and fmt in ("table", "md") else list(answer.vars)
    return render(headers, rows, fmt)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx(headers: list[str], rows: list[list], *, sheet: str = "rammegraf") -> bytes:
    """An Excel workbook of one sheet: the header row in bold and frozen, numbers and
    dates as such, every text as a string cell (openpyxl would make a value starting
    with = a formula: as a string cell it is shown as typed and never runs)."""
    import io as _io

    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    page = book.active
    page.title = sheet[:31]
    page.append(headers)
    for cell in page[1]:
        cell.data_type = "s"
        cell.font = Font(bold=True)
    for row in rows:
        page.append(row)
        for cell in page[page.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"
    page.freeze_panes = "A2"
    for position, header in enumerate(headers, start=1):
        widest = max([len(str(header))] + [len(str(r[position - 1])) for r in rows[:200] if r[position - 1] is not None])
        page.column_dimensions[page.cell(1, position).column_letter].width = min(max(widest + 2, 8), 60)
    out = _io.BytesIO()
    book.save(out)
    return out.getvalue()


def typed_cell(term, shown: str):
    """A spreadsheet value for a term: integers and decimals as numbers, dates as dates,
    everything else as the text people see."""
    from datetime import date
    from decimal import Decimal

    from .terms import is_iri

    if term is None:
        return None
    if not is_iri(term) and getattr(term, "datatype", None) is not None:
        kind = term.datatype.value.rsplit("#", 1)[-1]
        try:
            if kind in ("integer", "int", "long", "nonNegativeInteger"):
                return int(term.value)
            if kind == "decimal":
                return float(Decimal(term.value))
            if kind == "date":
                return date.fromisoformat(term.value)
        except ValueError:
            return shown
    return shown

"""A status round as a Word document: `round new -o runde.docx` writes it, `round import
runde.docx` reads it back into the same rows the spreadsheet gives (roundsheet.Sheet),
so every check, the lock and the atomic write are the spreadsheet's own.

The document: a small table »Runde« with the round's date and title, then per
development area a heading and a table with a row per initiative: id, initiative,
last phase, last status and its date, the open milestones and tasks (their ids), and
empty cells for »ny fase«, »ny statustekst« and »nået« (ids of the open items the round
reached). The phases to choose from are listed under each table.

Reading: the file passes officefiles.check_package first (size, zip bomb, DOCTYPE and
entities, macros, anything fetched from outside), then python-docx (whose parser
resolves no entity) reads the tables. A cell is read as its text: a formula-looking
"=1+1" stays those characters; a field code (a field Word would compute, DDE, INCLUDETEXT
…), an embedded object or an alternative chunk in a cell is refused with its place.
"""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

from .roundsheet import COLUMNS, META, REACHED, RoundError, Sheet, _check_cell

# the columns of the Word round, by the spreadsheet's names (the reader maps them back)
WORD_COLUMNS = ["id", "initiativ", "seneste fase", "seneste status", "dato", "åbne milepæle og opgaver",
                "ny fase", "ny statustekst", REACHED]
WIDTHS_MM = (30, 30, 20, 58, 17, 40, 20, 52, 30)
MAX_TABLE_ROWS = 10_000
_FORBIDDEN = ("fldSimple", "instrText", "fldChar", "object", "altChunk", "subDoc", "control", "embed")


def landscape_a4(document, *, margin: int):
    """A python-docx document's first section as landscape A4 with ``margin`` mm all round
    (the Word round, and the report's template: tools/report_template.py)."""
    from docx.enum.section import WD_ORIENT
    from docx.shared import Mm

    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(margin))
    return document


def write_docx(rows: list[list[str]], phase_names: list[str], *, day: date, title: str) -> bytes:
    """The round as a Word document (rows in roundsheet.COLUMNS order, grouped by their area)."""
    from docx import Document
    from docx.shared import Mm, Pt

    document = landscape_a4(Document(), margin=12)
    document.styles["Normal"].font.size = Pt(9)
    document.add_heading(title, level=0)
    document.add_paragraph("Udfyld kolonnerne »ny fase« og »ny statustekst« for hvert initiativ, og skriv i »nået« "
                           "id'erne på de åbne milepæle og opgaver, runden har nået. Lad rækken stå tom, hvis der "
                           "ikke er noget nyt. Ændr ikke kolonnen id. (Fill in »ny fase« and »ny statustekst« for "
                           "each initiative; leave the row empty when there is nothing new.)")
    meta = document.add_table(rows=2, cols=2)
    meta.style = "Table Grid"
    for r, (key, value) in enumerate((("dato", day.isoformat()), ("titel", title))):
        meta.cell(r, 0).text, meta.cell(r, 1).text = key, value
    document.add_paragraph(f"(Tabellen ovenfor hedder »{META}«: rundens dato og titel.)")
    index = {name: COLUMNS.index(name) for name in WORD_COLUMNS}
    areas: dict[str, list] = {}
    for row in rows:
        areas.setdefault(row[2], []).append(row)
    for area, members in areas.items():
        document.add_heading(area or "Uden udviklingsområde", level=1)
        table = document.add_table(rows=1 + len(members), cols=len(WORD_COLUMNS))
        table.style = "Table Grid"
        for c, name in enumerate(WORD_COLUMNS):
            table.cell(0, c).text = name
            table.cell(0, c).paragraphs[0].runs[0].bold = True
        for r, row in enumerate(members, start=1):
            for c, name in enumerate(WORD_COLUMNS):
                table.cell(r, c).text = str(row[index[name]] or "")
        for c, width in enumerate(WIDTHS_MM):
            for cell in table.columns[c].cells:
                cell.width = Mm(width)
        document.add_paragraph("Faser (ny fase): " + ", ".join(phase_names) + ".")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def read_rows(path: Path) -> Sheet:
    """The rows of a filled Word round, in the spreadsheet's column names; every table
    whose first header cell is »id« is read, each row named by table, row and column."""
    from docx import Document

    from .officefiles import check_package
    from .roundsheet import _problem

    check_package(path, kind="docx", error=_problem)
    try:
        document = Document(str(path))
    except Exception as error:   # python-docx raises many kinds for what is no Word document
        raise RoundError([f"{path}: ikke et Word-dokument ({type(error).__name__}) (not a Word document)"]) from None
    header: list[str] = list(WORD_COLUMNS)
    rows: list = []
    meta: dict = {}
    meta_place: dict = {}
    problems: list[str] = []
    area = ""
    number = 0
    for block in _blocks(document):
        if block[0] == "heading":
            area = block[1]
            continue
        table = block[1]
        number += 1
        cells = [[_text(cell, f"tabel {number}, række {r + 1}, kolonne {c + 1}", problems)
                  for c, cell in enumerate(_cells(row))] for r, row in enumerate(table.rows)]
        if problems:
            raise RoundError(problems)
        if not cells:
            continue
        if cells[0] and cells[0][0] == "dato" and not meta:
            for r, row in enumerate(cells[:20], start=1):
                if len(row) >= 2:
                    meta[row[0]] = row[1] or None
                    meta_place[row[0]] = f"tabellen »{META}«, række {r}, kolonne 2"
            continue
        if not cells[0] or cells[0][0] != "id":
            continue
        names = cells[0]
        if len(rows) + len(cells) > MAX_TABLE_ROWS:
            raise RoundError([f"{path}: over {MAX_TABLE_ROWS:,} rækker (too many rows)".replace(",", ".")])
        for r, row in enumerate(cells[1:], start=2):
            by_name = dict(zip(names, row))
            rows.append(((number, area, r, names), [by_name.get(name, "") for name in header]))
        for name in ("ny fase", "ny statustekst"):
            if name not in names:
                problems.append(f"tabel {number} ({area}), række 1: kolonnen '{name}' mangler (missing column)")
    if problems:
        raise RoundError(problems)
    if not rows and number == 0:
        raise RoundError([f"{path}: dokumentet har ingen tabeller; er det rundens Word-dokument? "
                          "(the document has no tables)"])

    def where(place, column: int) -> str:
        table, area_name, row, _ = place
        return f"tabel {table} ({area_name}), række {row}, kolonne »{header[column]}«"

    return Sheet(header, rows, meta, meta_place, name=path.name, header_place=f"{path.name}, tabel 1",
                 where=where)


def _blocks(document):
    """The document's headings and tables in their order."""
    from docx.oxml.ns import qn
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    for child in document.element.body.iterchildren():
        if child.tag == qn("w:tbl"):
            yield ("table", Table(child, document))
        elif child.tag == qn("w:p"):
            paragraph = Paragraph(child, document)
            if paragraph.style is not None and paragraph.style.name.startswith("Heading"):
                yield ("heading", paragraph.text.strip())


def _cells(row):
    """A row's cells, each once (a merged cell is one cell in python-docx's grid many times)."""
    seen, out = set(), []
    for cell in row.cells:
        if id(cell._tc) not in seen:
            seen.add(id(cell._tc))
            out.append(cell)
    return out


def _text(cell, where: str, problems: list[str]) -> str:
    """A cell's text, paragraphs joined by line breaks; a field code, an embedded object or an
    alternative chunk in it is refused (what Word would compute or fetch is never read)."""
    for element in cell._tc.iter():
        local = element.tag.rsplit("}", 1)[-1] if isinstance(element.tag, str) else ""
        if local in _FORBIDDEN:
            kind = "en feltkode" if local in ("fldSimple", "instrText", "fldChar") else f"et indlejret element ({local})"
            problems.append(f"{where}: cellen har {kind}; skriv teksten selv (a field code or embedded object in a "
                            "cell is refused: type the text)")
            return ""
    text = "\n".join(p.text for p in cell.paragraphs).strip()
    _check_cell(text, where, problems)
    return text

"""The round as a Word document: round new -o runde.docx → an owner fills it in Word
(python-docx here) → round import, with the spreadsheet's checks; hostile documents."""

from __future__ import annotations

import shutil
import time
import zipfile
from pathlib import Path

from docx import Document
from openpyxl import load_workbook
from rdflib import Graph
from rdflib.compare import isomorphic
from test_roundsheet import digest, import_, new_sheet, run
from test_statusdoc import EXTERNAL_TEMPLATE, with_parts

BOTILBUD, VELFAERD = "initiativ/botilbudsteams", "initiativ/velfaerdsteknologi"
ANSWERS = {BOTILBUD: {"ny fase": "I gang", "ny statustekst": ["Samarbejdsaftaler forberedes.", "", "Næste skridt: møde."],
                      "nået (id'er fra kolonnen før, adskilt af ;)": ["opgave/udbredelse-af-botilbudsteams"]},
           VELFAERD: {"ny fase": "Parkeret", "ny statustekst": ["=HYPERLINK(\"http://127.0.0.1:9/\";\"klik\")"]}}


def new_doc(data: Path, tmp_path: Path, name: str = "runde.docx") -> Path:
    target = tmp_path / name
    result = run("round", "new", "--date", "2025-12-01", "--title", "Status pr. 1. december 2025",
                 "-o", target, "--data", data)
    assert result.exit_code == 0 and result.stdout == f"15 initiativer skrevet til {target}\n"
    return target


def fill_doc(path: Path, answers: dict, target: Path | None = None) -> Path:
    """As an owner does in Word: type into the empty cells, one paragraph per line."""
    document = Document(str(path))
    for table in document.tables:
        names = [cell.text for cell in table.rows[0].cells]
        if names[0] != "id":
            continue
        for row in table.rows[1:]:
            for column, lines in answers.get(row.cells[0].text, {}).items():
                cell = row.cells[names.index(column)]
                lines = [lines] if isinstance(lines, str) else lines
                cell.paragraphs[0].text = lines[0]
                for line in lines[1:]:
                    cell.add_paragraph(line)
    document.save(str(target or path))
    return target or path


def test_round_new_docx_has_a_table_per_area_with_a_row_per_open_initiative(data, tmp_path):
    document = Document(str(new_doc(data, tmp_path)))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    tables = [t for t in document.tables if t.rows[0].cells[0].text == "id"]
    assert len(headings) == len(tables) == 3
    assert [c.text for c in tables[0].rows[0].cells] == [
        "id", "initiativ", "seneste fase", "seneste status", "dato", "åbne milepæle og opgaver", "ny fase",
        "ny statustekst", "nået (id'er fra kolonnen før, adskilt af ;)"]
    assert sum(len(t.rows) - 1 for t in tables) == 15
    f_act = next(r for t in tables for r in t.rows if r.cells[0].text == "initiativ/monitorering-af-f-act")
    assert [c.text for c in f_act.cells][2:5:2] == ["I gang", "2025-08-20"]
    assert all(c.text == "" for c in f_act.cells[6:])
    listed = [p.text for p in document.paragraphs if p.text.startswith("Faser (ny fase): ")]
    assert len(listed) == 3 and "I gang" in listed[0] and "Parkeret" in listed[0]
    assert [c.text for c in document.tables[0].rows[0].cells] == ["dato", "2025-12-01"]


def test_a_word_round_imports_to_the_same_turtle_as_the_same_answers_in_a_spreadsheet(data, tmp_path):
    other = tmp_path / "data2"
    shutil.copytree(data, other)
    word = fill_doc(new_doc(data, tmp_path), ANSWERS)
    sheet = new_sheet(other, tmp_path)
    book = load_workbook(sheet)
    rows = book["Statusrunde"]
    header = [c.value for c in rows[1]]
    for row in rows.iter_rows(min_row=2):
        for column, lines in ANSWERS.get(row[0].value, {}).items():
            row[header.index(column)].value = "\n".join(lines) if isinstance(lines, list) else lines
            row[header.index(column)].data_type = "s"
    book.save(sheet)
    assert import_(word, data).exit_code == 0
    result = import_(sheet, other)
    assert result.exit_code == 0, result.output
    from_word = (data / "rammeaftale-2025-26" / "status-2025-12-01.ttl").read_text(encoding="utf-8")
    from_sheet = (other / "rammeaftale-2025-26" / "status-2025-12-01.ttl").read_text(encoding="utf-8")
    body = lambda text: text.split("\n", 2)[2]  # noqa: E731  (the first line names the file it came from)
    assert body(from_word) == body(from_sheet)
    assert isomorphic(Graph().parse(data=from_word, format="turtle"), Graph().parse(data=from_sheet, format="turtle"))
    assert 'rg:text "Samarbejdsaftaler forberedes.\\n\\nNæste skridt: møde."@da' in from_word
    assert 'rg:text "=HYPERLINK(\\"http://127.0.0.1:9/\\";\\"klik\\")"@da' in from_word   # read as text
    assert "rg:reached id:opgave\\/udbredelse-af-botilbudsteams" in from_word


def test_a_word_round_with_mistakes_names_table_row_and_column_and_writes_nothing(data, tmp_path):
    word = fill_doc(new_doc(data, tmp_path), {BOTILBUD: {"ny fase": "Halvvejs", "ny statustekst": "Tekst."},
                                              VELFAERD: {"ny fase": "Parkeret"}})
    before = digest(data)
    result = import_(word, data)
    assert result.exit_code == 1
    problems = result.stderr.splitlines()[1:]
    assert len(problems) == 2
    assert problems[0].startswith("  tabel 2 (Mental sundhed og psykiatri), række ") and \
        "kolonne »ny fase«: fasen 'Halvvejs' findes ikke" in problems[0]
    assert "kolonne »ny statustekst«: statusteksten er tom" in problems[1]
    assert digest(data) == before


# --- hostile documents ------------------------------------------------------------------------

def refused(path: Path, data: Path, *words: str) -> None:
    before = digest(data)
    start = time.perf_counter()
    result = import_(path, data)
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("rammegraf: statusrunden kan ikke indlæses"), result.stderr
    for word in words:
        assert word in result.stderr, result.stderr
    assert digest(data) == before and time.perf_counter() - start < 20


def test_a_docm_or_a_docx_with_macros_is_refused(data, tmp_path):
    word = fill_doc(new_doc(data, tmp_path), ANSWERS)
    refused(shutil.copy(word, tmp_path / "runde.docm"), data, "makroer (.docm)")
    with zipfile.ZipFile(word) as docx:
        types = docx.read("[Content_Types].xml")
    enabled = types.replace(b"document.main+xml", b"document.macroEnabled.main+xml")
    refused(with_parts(word, tmp_path / "typed.docx", {"[Content_Types].xml": enabled}), data, "makroaktiveret")
    refused(with_parts(word, tmp_path / "vba.docx", {"word/vbaProject.bin": b"\xd0\xcf\x11\xe0"}), data,
            "word/vbaProject.bin er makroer")


def test_a_docx_that_declares_a_doctype_or_entities_is_refused(data, tmp_path):
    word = fill_doc(new_doc(data, tmp_path), ANSWERS)
    with zipfile.ZipFile(word) as docx:
        xml = docx.read("word/document.xml")
    declaration, _, rest = xml.partition(b"?>")
    hostile = declaration + b"?>" + b'<!DOCTYPE w [<!ENTITY a "Indsat af en entitet">]>' + rest.replace(
        b"Samarbejdsaftaler forberedes.", b"&a;")
    refused(with_parts(word, tmp_path / "dtd.docx", {"word/document.xml": hostile}), data,
            "word/document.xml har en DOCTYPE-erklæring")
    wide = ('<?xml version="1.0" encoding="UTF-16"?>' + hostile.decode("utf-8").split("?>", 1)[1]).encode("utf-16")
    refused(with_parts(word, tmp_path / "wide.docx", {"word/document.xml": wide}), data, "er XML i UTF-16")


def test_a_zip_bomb_is_refused_before_it_is_unpacked(data, tmp_path):
    word = new_doc(data, tmp_path)
    bomb = with_parts(word, tmp_path / "bomb.docx", {"word/media/padding.bin": b"\0" * (80 * 2**20)})
    assert bomb.stat().st_size < 2**20
    refused(bomb, data, "dokumentet fylder 80 MB udpakket; grænsen er 64 MB")


def test_a_field_code_in_a_cell_is_refused_and_a_formula_looking_cell_is_text(data, tmp_path):
    word = fill_doc(new_doc(data, tmp_path), ANSWERS)
    with zipfile.ZipFile(word) as docx:
        xml = docx.read("word/document.xml")
    typed = b"<w:r><w:t>Samarbejdsaftaler forberedes.</w:t></w:r>"
    field = b'<w:fldSimple w:instr="INCLUDETEXT &quot;http://127.0.0.1:9/x&quot;">' + typed + b"</w:fldSimple>"
    assert xml.count(typed) == 1
    hostile = xml.replace(typed, field)
    refused(with_parts(word, tmp_path / "field.docx", {"word/document.xml": hostile}), data,
            "tabel 2, række", "cellen har en feltkode")
    assert import_(word, data, "--dry-run").exit_code == 0     # the same round without the field: the formula is text


def test_a_docx_that_fetches_a_template_or_is_too_large_is_refused(data, tmp_path):
    word = fill_doc(new_doc(data, tmp_path), ANSWERS)
    refused(with_parts(word, tmp_path / "fetch.docx", {"word/_rels/settings.xml.rels": EXTERNAL_TEMPLATE}), data,
            "henter »attachedTemplate« udefra")
    big = tmp_path / "stor.docx"
    with zipfile.ZipFile(big, "w", zipfile.ZIP_STORED) as docx:
        docx.writestr("word/media/stor.bin", bytes(21 * 2**20))
    refused(big, data, "filen er over 20 MB")
    refused(tmp_path / "findes-ikke.docx", data, "filen findes ikke")
    not_zip = tmp_path / "tekst.docx"
    not_zip.write_text("ikke et dokument")
    refused(not_zip, data, "ikke et Word-dokument (.docx)")

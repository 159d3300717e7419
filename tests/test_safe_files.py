"""Safe on an intranet (issue 23): what a round, a form or an upload may put into
the data and into the parsers. Each test is one attack found on the code before:

- a round's title or file name in the comment at the top of the file it writes
  injected Turtle, or made the whole data folder unreadable;
- a 17 MB cell was written, and then Oxigraph could not read the data again;
- a spreadsheet part in UTF-16, or named .bin, slipped past the DOCTYPE check;
- a small JSON-LD upload took gigabytes; an empty upload was "Gyldig".
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import sys
import time
import zipfile
from datetime import date
from pathlib import Path

import pytest
from conftest import cli
from openpyxl import load_workbook

from rammegraf.store import MAX_LITERAL, parse_file

BOTILBUD = "initiativ/botilbudsteams"
INTO = "rammeaftale-2025-26"


def digest(folder: Path) -> dict:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def new_sheet(data: Path, tmp_path: Path, name: str = "runde.xlsx") -> Path:
    sheet = tmp_path / name
    assert cli("round", "new", "--date", "2025-12-01", "--title", "Runde", "-o", sheet, "--data", data).exit_code == 0
    return sheet


def fill(sheet: Path, cells: dict[str, object], meta: dict[str, object] | None = None) -> Path:
    """Put values into cells of the sheet Statusrunde (and of the sheet Runde)."""
    book = load_workbook(sheet)
    for name, value in cells.items():
        book["Statusrunde"][name].value = value
    for name, value in (meta or {}).items():
        book["Runde"][name].value = value
    book.save(sheet)
    return sheet


def with_cells(sheet: Path, target: Path, cells: dict[str, str], part: str = "xl/worksheets/sheet1.xml") -> Path:
    """The workbook with these cells' text written into its XML as they stand: openpyxl
    cuts a cell it writes at Excel's 32,767 characters, a hand-made file need not."""
    with zipfile.ZipFile(sheet) as old:
        parts = {item.filename: old.read(item.filename) for item in old.infolist()}
    xml = parts[part].decode("utf-8")
    for name, text in cells.items():
        cell = f'<c r="{name}" t="inlineStr"><is><t>{text}</t></is></c>'
        xml, count = re.subn(f'<c r="{name}"[^>]*?(?:/>|>.*?</c>)', lambda _: cell, xml, count=1, flags=re.S)
        assert count == 1, name
    parts[part] = xml.encode("utf-8")
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for name, content in parts.items():
            new.writestr(name, content)
    return target


def botilbud_row(sheet: Path) -> int:
    rows = list(load_workbook(sheet)["Statusrunde"].iter_rows(values_only=True))
    return next(i for i, row in enumerate(rows, start=1) if row[0] == BOTILBUD)


def import_(sheet: Path, data: Path, *extra):
    return cli("round", "import", sheet, "--data", data, "--into", data / INTO, *extra)


def import_in_process(sheet: Path, data: Path, **options):
    from rammegraf.engine import OxigraphEngine
    from rammegraf.roundsheet import import_round

    return import_round(sheet, into=data / INTO, open_engine=lambda: OxigraphEngine.open([data]), **options)


# --- 1. a round writes validated triples, and nothing else -----------------------------------

INJECTED = ('x\n<https://w3id.org/rammegraf/id/initiativ/botilbudsteams> '
            '<http://www.w3.org/2000/01/rdf-schema#label> "injiceret"@da .\n'
            '<https://w3id.org/rammegraf/id/status/botilbudsteams-2025-08-20> '
            '<https://w3id.org/rammegraf/ontology#phase> <https://w3id.org/rammegraf/ontology#Implemented> .')


def test_a_title_with_a_line_break_injects_nothing(data, tmp_path):
    sheet = new_sheet(data, tmp_path)
    row = botilbud_row(sheet)
    fill(sheet, {f"G{row}": "I gang", f"H{row}": "Forberedes."}, meta={"B2": INJECTED})
    round_, target = import_in_process(sheet, data)
    written = parse_file(target)
    assert set(written) == set(round_.triples)
    assert not any(t.object.value in ("injiceret", "https://w3id.org/rammegraf/ontology#Implemented") for t in written)
    assert INJECTED in {t.object.value for t in written}        # the title is kept, as the literal it is
    assert "injiceret" not in target.read_text(encoding="utf-8").split("\n\n", 1)[0]   # nor in the comment


def test_a_title_that_is_not_turtle_leaves_every_command_working(data, tmp_path):
    sheet = new_sheet(data, tmp_path)
    row = botilbud_row(sheet)
    fill(sheet, {f"G{row}": "I gang", f"H{row}": "Forberedes."}, meta={"B2": "x\n@@@"})
    assert import_(sheet, data).exit_code == 0
    stats = cli("stats", "--data", data)
    assert stats.exit_code == 0, stats.stderr
    assert cli("validate", "--data", data).exit_code == 0


def test_a_file_name_with_a_line_break_injects_nothing(data, tmp_path):
    plain = tmp_path / "runde.csv"
    assert cli("round", "new", "--date", "2025-12-01", "--title", "Runde", "-o", plain, "--data", data).exit_code == 0
    rows = list(csv.reader(io.StringIO(plain.read_text(encoding="utf-8"))))
    for row in rows[1:]:
        if row[0] == BOTILBUD:
            row[6], row[7] = "I gang", "Forberedes."
    hostile = tmp_path / "runde\n<urn:x> <urn:y> <urn:z> .\n# .csv"
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    hostile.write_text(out.getvalue(), encoding="utf-8")
    round_, target = import_in_process(hostile, data, day=date(2025, 12, 1))
    assert set(parse_file(target)) == set(round_.triples)
    comment, empty, *_ = target.read_text(encoding="utf-8").split("\n")
    assert comment.startswith("# Statusrunde 2025-12-01") and "runde?<urn:x>" in comment and empty == ""
    assert cli("stats", "--data", data).exit_code == 0


def test_a_17_mb_cell_is_refused_by_its_cell_and_nothing_is_written(data, tmp_path):
    sheet = new_sheet(data, tmp_path)
    row = botilbud_row(sheet)
    sheet = with_cells(sheet, tmp_path / "stor.xlsx", {f"G{row}": "I gang", f"H{row}": "x" * 17_000_000})
    assert sheet.stat().st_size < 200_000
    before = digest(data)
    result = import_(sheet, data)
    assert result.exit_code == 1
    assert f"Statusrunde!H{row}: cellen fylder 17,0 MB; højst 1 MB" in result.stderr
    assert digest(data) == before
    assert cli("stats", "--data", data).exit_code == 0


def test_a_title_over_the_literal_limit_is_refused_by_its_cell(data, tmp_path):
    sheet = new_sheet(data, tmp_path)
    row = botilbud_row(sheet)
    fill(sheet, {f"G{row}": "I gang", f"H{row}": "Forberedes."})
    sheet = with_cells(sheet, tmp_path / "titel.xlsx", {"B2": "é" * (MAX_LITERAL // 2 + 1)},
                       part="xl/worksheets/sheet2.xml")
    result = import_(sheet, data, "--dry-run")
    assert result.exit_code == 1 and "Runde!B2: cellen fylder 1,0 MB; højst 1 MB" in result.stderr


def test_a_round_writes_no_more_text_than_a_file_may_hold(data, tmp_path):
    """Cells may share one string (a shared string, or an entity): each cell under
    the literal limit, but together over what one import may write."""
    from rammegraf.roundsheet import MAX_ROUND_TEXT

    sheet = new_sheet(data, tmp_path)
    words = "y" * 900_000
    rows = list(load_workbook(sheet)["Statusrunde"].iter_rows(values_only=True))
    cells = {}
    for number in range(2, len(rows) + 1):
        cells |= {f"G{number}": "I gang", f"H{number}": words, f"I{number}": words[:-1], f"J{number}": "primo 2026",
                  f"K{number}": "2026-01-01", f"L{number}": "2026-03-31"}
    sheet = with_cells(sheet, tmp_path / "mange.xlsx", cells)
    assert 15 * 2 * 900_000 > MAX_ROUND_TEXT
    before = digest(data)
    result = import_(sheet, data)
    assert result.exit_code == 1 and "i alt" in result.stderr and "20 MB" in result.stderr, result.stderr
    assert digest(data) == before


@pytest.mark.parametrize("broken", ["@@@\n", "<urn:x> <urn:y> <urn:z> .\n"])
def test_the_written_file_is_read_back_before_it_is_put_in_place(data, tmp_path, monkeypatch, broken):
    import pyoxigraph

    from rammegraf.roundsheet import RoundError

    sheet = new_sheet(data, tmp_path)
    row = botilbud_row(sheet)
    fill(sheet, {f"G{row}": "I gang", f"H{row}": "Forberedes."})
    original = pyoxigraph.serialize
    monkeypatch.setattr(pyoxigraph, "serialize", lambda *a, **k: original(*a, **k) + broken.encode())
    before = digest(data)
    with pytest.raises(RoundError, match="den skrevne fil læses ikke igen"):
        import_in_process(sheet, data)
    assert digest(data) == before


# --- the literal limit on every way in -------------------------------------------------------

def test_a_data_file_with_a_token_oxigraph_cannot_hold_is_a_sentence(data):
    (data / "stor.ttl").write_bytes(b'<urn:a> <urn:p> "' + b"x" * 17_000_000 + b'" .\n')
    result = cli("stats", "--data", data)
    assert result.exit_code == 2 and "stor.ttl" in result.stderr and "16 MB" in result.stderr


def big_literal(size: int) -> bytes:
    return (b'<https://w3id.org/rammegraf/id/x/stor> <http://www.w3.org/2000/01/rdf-schema#comment> "'
            + b"x" * size + b'" .\n')


def test_validate_refuses_a_literal_over_the_limit_and_names_it(tmp_path):
    entry = tmp_path / "stor.ttl"
    entry.write_bytes(big_literal(MAX_LITERAL + 1))
    result = cli("validate", entry)
    assert result.exit_code == 2
    assert "stor.ttl" in result.stderr and "<https://w3id.org/rammegraf/id/x/stor>" in result.stderr
    assert "rdfs:comment: værdien fylder 1,0 MB; højst 1 MB" in result.stderr
    entry.write_bytes(big_literal(MAX_LITERAL))
    assert cli("validate", entry).exit_code == 0


def entity_literal() -> bytes:
    """RDF/XML of 100 KB whose one literal is 1.1 MB once its entity is expanded
    (within the expansion the entity check allows)."""
    return (b'<?xml version="1.0"?><!DOCTYPE rdf:RDF [<!ENTITY big "' + b"x" * 100_000 + b'">]>'
            b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
            b'xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">'
            b'<rdf:Description rdf:about="https://w3id.org/rammegraf/id/x/stor"><rdfs:comment>'
            + b"&big;" * 11 + b"</rdfs:comment></rdf:Description></rdf:RDF>")


def test_the_validation_page_refuses_a_literal_over_the_limit(web_data):
    from conftest import web_client

    with web_client(data_dirs=(web_data,)) as client:
        response = client.post("/valider", files={"file": ("stor.rdf", entity_literal())}, data={"turtle": ""})
        assert response.status_code == 400 and "Gyldig" not in response.text
        assert "rdfs:comment: værdien fylder 1,1 MB; højst 1 MB" in response.text


def test_a_form_value_over_the_limit_is_named_at_its_field(engine):
    from rammegraf.forms import form, read

    answer = read(form(engine, "initiativ"), {"rdfs-label@da": ["x" * (MAX_LITERAL + 1)]}, engine)
    (sentence,) = answer.problems["rdfs-label@da"]
    assert "1,0 MB" in sentence and "højst 1 MB" in sentence
    assert not any(len(t.object.value) > MAX_LITERAL for t in answer.triples if hasattr(t.object, "language"))
    fine = read(form(engine, "initiativ"), {"rdfs-label@da": ["x" * 30_000]}, engine)
    assert "rdfs-label@da" not in fine.problems
    assert any(t.object.value == "x" * 30_000 for t in fine.triples)   # kept whole, not cut


def test_a_saved_entry_is_read_back_before_it_is_put_in_place(tmp_path):
    from rammegraf.entries import SaveError, write_entry

    target = tmp_path / "indtastet" / "milepael" / "ny.ttl"
    with pytest.raises(SaveError, match="læses ikke igen"):
        write_entry(target, b"<urn:a> <urn:b> <urn:c> .\n@@@\n", replace=False)
    assert not target.exists() and list(target.parent.iterdir()) == []
    write_entry(target, b"<urn:a> <urn:b> <urn:c> .\n", replace=False)
    assert target.read_bytes() == b"<urn:a> <urn:b> <urn:c> .\n"


# --- 2. a spreadsheet's parts are checked whatever their encoding or name -------------------

ENTITY = '<!DOCTYPE x [<!ENTITY a "Indsat af en entitet">]>'


def hostile_sheet(source: Path, target: Path, *, encoding: str = "utf-8", rename: str | None = None) -> Path:
    """The round's sheet with a document type whose entity fills the new status text
    of the first row, re-encoded, and (``rename``) stored under another part name."""
    with zipfile.ZipFile(source) as old:
        parts = {item.filename: old.read(item.filename) for item in old.infolist()}
    xml = parts["xl/worksheets/sheet1.xml"].decode("utf-8")
    xml = xml.replace('<c r="G2" t="inlineStr" />', '<c r="G2" t="inlineStr"><is><t>I gang</t></is></c>')
    xml = xml.replace('<c r="H2" t="inlineStr" />', '<c r="H2" t="inlineStr"><is><t>&a;</t></is></c>')
    declaration = f'<?xml version="1.0" encoding="{encoding.upper()}"?>'
    parts["xl/worksheets/sheet1.xml"] = (declaration + ENTITY + xml).encode(encoding)
    if rename:
        parts[rename] = parts.pop("xl/worksheets/sheet1.xml")
        for name in ("xl/_rels/workbook.xml.rels", "[Content_Types].xml"):
            parts[name] = parts[name].replace(b"/xl/worksheets/sheet1.xml", b"/" + rename.encode())
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for name, content in parts.items():
            new.writestr(name, content)
    return target


@pytest.mark.parametrize("encoding, rename", [("utf-16", None), ("utf-16-le", None), ("utf-8", "xl/worksheets/sheet1.bin")])
def test_a_sheet_with_a_doctype_is_refused_whatever_its_encoding_or_name(data, tmp_path, encoding, rename):
    sheet = hostile_sheet(new_sheet(data, tmp_path), tmp_path / "hostile.xlsx", encoding=encoding, rename=rename)
    result = import_(sheet, data, "--dry-run")
    assert result.exit_code == 1, result.stdout
    part = rename or "xl/worksheets/sheet1.xml"
    assert f"{sheet}: {part}" in result.stderr
    assert ("UTF-8" in result.stderr) if encoding != "utf-8" else ("DOCTYPE" in result.stderr)


def test_openpyxl_itself_refuses_entities(data, tmp_path, monkeypatch):
    """The second guard: with defusedxml installed openpyxl's own parsers refuse an
    entity declaration, so a part the check above missed would still not expand."""
    import openpyxl

    from rammegraf import roundsheet

    assert openpyxl.DEFUSEDXML is True
    monkeypatch.setattr(roundsheet, "_check_workbook", lambda path: None)
    sheet = hostile_sheet(new_sheet(data, tmp_path), tmp_path / "hostile.xlsx", rename="xl/worksheets/sheet1.bin")
    result = import_(sheet, data, "--dry-run")
    assert result.exit_code == 1 and "erklærer XML-entiteter (EntitiesForbidden)" in result.stderr


def test_ordinary_parts_of_a_workbook_are_not_refused(data, tmp_path):
    """A picture (binary, not XML) and a UTF-8 part with a BOM, as Excel may write them."""
    sheet = new_sheet(data, tmp_path)
    row = botilbud_row(sheet)
    fill(sheet, {f"G{row}": "I gang", f"H{row}": "Forberedes."})
    with zipfile.ZipFile(sheet) as old:
        parts = {item.filename: old.read(item.filename) for item in old.infolist()}
    parts["xl/media/image1.png"] = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40
    parts["docProps/app.xml"] = b"\xef\xbb\xbf" + parts["docProps/app.xml"]
    with zipfile.ZipFile(tmp_path / "ordinary.xlsx", "w", zipfile.ZIP_DEFLATED) as new:
        for name, content in parts.items():
            new.writestr(name, content)
    result = import_(tmp_path / "ordinary.xlsx", data, "--dry-run")
    assert result.exit_code == 0, result.stderr


# --- 3. JSON-LD is bounded before Oxigraph sees it -------------------------------------------

def nested_contexts(depth: int, terms: int) -> dict:
    """The attack: node objects nested ``depth`` deep, each with its own context."""
    doc: dict = {"@id": "urn:x:leaf", "urn:p": "v"}
    for level in range(depth):
        doc = {"@context": {f"t{k}": f"urn:ex:t{k}" for k in range(terms)}, "@id": f"urn:x:{level}", "t0": doc}
    return doc


def deep_nodes(depth: int) -> dict:
    doc: dict = {"@id": "urn:x:leaf", "urn:p": "v"}
    for level in range(depth):
        doc = {"@id": f"urn:x:{level}", "http://example.org/p": doc}
    return doc


def many_contexts(count: int) -> dict:
    return {"@graph": [{"@context": {"p": "http://example.org/p"}, "@id": f"urn:x:{i}", "p": "v"}
                       for i in range(count)]}


def many_terms(count: int) -> dict:
    return {"@context": {f"t{k}": f"http://example.org/t{k}" for k in range(count)}, "@id": "urn:x", "t0": "v"}


def scoped_uses(terms: int, uses: int) -> dict:
    """A property-scoped context, processed again at every use of its term."""
    return {"@context": {"p": {"@id": "http://example.org/p",
                               "@context": {f"t{k}": f"http://example.org/t{k}" for k in range(terms)}}},
            "@graph": [{"@id": f"urn:x:{i}", "p": {"@id": f"urn:y:{i}", "t0": "v"}} for i in range(uses)]}


def long_string(size: int) -> dict:
    return {"@id": "urn:x", "http://example.org/p": "x" * size}


SHAPES = {
    "attack": (lambda: nested_contexts(2362, 20), "indlejret"),     # the 992 KB file that took 4.37 GB
    "deep": (lambda: deep_nodes(150), "indlejret"),
    "contexts": (lambda: many_contexts(150), "@context-definitioner"),
    "terms": (lambda: many_terms(1500), "termer"),
    "scoped": (lambda: scoped_uses(400, 400), "scopede"),
    "literal": (lambda: long_string(MAX_LITERAL + 1), "højst 1 MB"),
}


def jsonld_bytes(shape: str) -> bytes:
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(10_000)   # json.dumps of the 2,362 levels deep attack
    try:
        return json.dumps(SHAPES[shape][0](), separators=(",", ":")).encode("utf-8")
    finally:
        sys.setrecursionlimit(limit)


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_json_ld_over_a_limit_is_refused_at_once_on_the_command_line(tmp_path, shape):
    entry = tmp_path / f"{shape}.jsonld"
    entry.write_bytes(jsonld_bytes(shape))
    start = time.perf_counter()
    result = cli("validate", entry)
    assert result.exit_code == 2 and SHAPES[shape][1] in result.stderr, result.stderr
    assert f"{entry}: " in result.stderr and "(" in result.stderr     # one sentence, Danish with English
    assert time.perf_counter() - start < 5


def test_json_ld_over_a_limit_is_refused_at_once_on_the_validation_page(web_data):
    from conftest import web_client

    with web_client(data_dirs=(web_data,), upload_limit=3_000_000) as client:
        for shape in sorted(SHAPES):
            start = time.perf_counter()
            response = client.post("/valider", files={"file": (f"{shape}.jsonld", jsonld_bytes(shape))},
                                   data={"turtle": ""})
            assert response.status_code == 400 and SHAPES[shape][1] in response.text, shape
            assert time.perf_counter() - start < 5, shape


def test_the_attack_stays_small_in_memory(tmp_path):
    """The 992 KB file refused in a process of its own: far from the 4.37 GB it took."""
    entry = tmp_path / "attack.jsonld"
    entry.write_bytes(jsonld_bytes("attack"))
    assert 900_000 < entry.stat().st_size < 1_100_000
    code = ("import resource, subprocess, sys\n"
            f"done = subprocess.run([sys.executable, '-m', 'rammegraf', 'validate', {str(entry)!r}], "
            "capture_output=True, text=True)\n"
            "print(done.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024)\n")
    code_out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    returncode, megabytes = map(int, code_out.stdout.split())
    assert returncode == 2 and megabytes < 300, code_out


def test_json_ld_we_write_and_ordinary_json_ld_still_load(tmp_path):
    exported = tmp_path / "graf.jsonld"
    assert cli("export", "--format", "jsonld", "-o", exported).exit_code == 0
    assert cli("validate", exported).exit_code == 0
    folder = tmp_path / "data"
    folder.mkdir()
    shutil.copy(exported, folder / "graf.jsonld")
    assert cli("stats", "--data", folder).exit_code == 0
    ordinary = {
        "@context": {"rg": "https://w3id.org/rammegraf/ontology#", "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
                     "xsd": "http://www.w3.org/2001/XMLSchema#", "prov": "http://www.w3.org/ns/prov#",
                     "@base": "https://w3id.org/rammegraf/id/",
                     "statusOf": {"@id": "rg:statusOf", "@type": "@id"},
                     "phase": {"@id": "rg:phase", "@type": "@id"},
                     "asOf": {"@id": "rg:asOf", "@type": "xsd:date"},
                     "text": {"@id": "rg:text", "@language": "da"},
                     "label": {"@id": "rdfs:label", "@language": "da"},
                     "source": {"@id": "prov:wasDerivedFrom", "@type": "@id"}},
        "@id": "status/botilbudsteams-2025-08-20", "@type": "rg:StatusReport",
        "label": "Status for Botilbudsteams pr. 20.8.2025", "statusOf": "initiativ/botilbudsteams",
        "asOf": "2025-08-20", "phase": "rg:InProgress", "text": "Samarbejdsaftaler forberedes.",
        "source": "kilde/handlingsplan-2025-08-20"}
    entry = tmp_path / "status.jsonld"
    entry.write_text(json.dumps(ordinary, indent=2), encoding="utf-8")
    result = cli("validate", entry)
    assert result.exit_code in (0, 1) and "kan ikke" not in result.stderr, result.stderr


# --- 4. nothing to validate is not a verdict ---------------------------------------------------

def test_an_empty_upload_or_paste_is_said_not_judged(web_data):
    from conftest import web_client

    with web_client(data_dirs=(web_data,)) as client:
        empty_file = client.post("/valider", files={"file": ("tom.ttl", b"")}, data={"turtle": ""})
        assert empty_file.status_code == 400 and "filen er tom" in empty_file.text
        for text in ("", "   \n", "# kun en kommentar\n", "@prefix ex: <urn:ex#> .\n"):
            pasted = client.post("/valider", data={"turtle": text})
            assert pasted.status_code == 400 and "intet at validere" in pasted.text, text
            assert "Gyldig" not in pasted.text

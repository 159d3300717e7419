"""`rammegraf report`: the status document of a round, read back by independent readers
(python-docx, LibreOffice, pdftotext), and its escaping and refusals."""

from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from rammegraf.cli import main

AUGUST, APRIL = "2025-08-20", "2025-04-08"
CITE = re.compile(r"\s*\[[\d, ]+\]$")


def run(*args):
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert "Traceback" not in result.output and result.exception is None or isinstance(result.exception, SystemExit)
    return result


def expected(engine, day: str, lang: str = "da") -> dict:
    """The round's initiatives from the graph itself: name -> (first area, phase label, status text)."""
    import pyoxigraph as ox

    rows = engine.query(f"""SELECT ?name ?areaName ?number ?phase ?text WHERE {{
        ?src a rg:StatusRound ; dcterms:date "{day}"^^xsd:date .
        ?r prov:wasDerivedFrom ?src ; rg:statusOf ?i ; rg:phase ?p ; rg:text ?text .
        ?i rdfs:label ?name FILTER (lang(?name) = "{lang}")
        ?p rdfs:label ?phase FILTER (lang(?phase) = "{lang}")
        ?i rg:developmentArea ?a . ?a skos:notation ?number ; rdfs:label ?areaName FILTER (lang(?areaName) = "{lang}")
    }}""").rows
    out: dict = {}
    for name, area, number, phase, words in rows:
        key = (int(number.value), area.value)
        if name.value not in out or key < out[name.value][0]:
            out[name.value] = (key, phase.value, words.value)
    assert all(isinstance(t, ox.Literal) for row in rows for t in row)
    return {name: (f"{n}. {area}", phase, words) for name, ((n, area), phase, words) in out.items()}


def read_docx(path: Path) -> tuple[list[str], dict]:
    """python-docx: the Heading 1 paragraphs, and each initiative row of a table headed
    »Initiativ« as name -> (the Heading 1 above it, phase, status text)."""
    from docx import Document
    from docx.oxml.ns import qn
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    document = Document(str(path))
    headings, found, area = [], {}, None
    for child in document.element.body.iterchildren():
        if child.tag == qn("w:p"):
            paragraph = Paragraph(child, document)
            if paragraph.style.name == "Heading 1":
                headings.append(paragraph.text)
                area = paragraph.text
        elif child.tag == qn("w:tbl"):
            table = Table(child, document)
            if table.rows[0].cells[0].text not in ("Initiativ", "Initiative"):
                continue
            for row in table.rows[1:]:
                name = CITE.sub("", row.cells[0].paragraphs[0].text)
                phase_line = CITE.sub("", row.cells[2].paragraphs[0].text)
                assert name not in found, f"{name} twice"
                found[name] = (area, phase_line.split(": ", 1)[1], row.cells[2].paragraphs[1].text)
    return headings, found


@pytest.mark.parametrize("day", [AUGUST, APRIL])
def test_the_docx_report_has_every_area_as_a_heading_and_every_initiative_with_its_phase_and_text(
        engine, tmp_path, day):
    out = tmp_path / "status.docx"
    result = run("report", "--as-of", day, "-o", out)
    assert result.exit_code == 0, result.output
    want = expected(engine, day)
    headings, found = read_docx(out)
    assert found == want
    assert headings == ["Sammenfatning", *sorted({area for area, _, _ in want.values()}), "Kilder"]
    assert f"({len(want)} initiativer)" in result.stdout


def test_the_docx_report_in_english_and_its_picture_has_alternative_text(engine, tmp_path):
    out = tmp_path / "status.docx"
    assert run("report", "--lang", "en", "-o", out).exit_code == 0
    headings, found = read_docx(out)
    assert found == expected(engine, AUGUST, "en")
    assert headings[0] == "Summary" and headings[-1] == "Sources"
    with zipfile.ZipFile(out) as docx:
        xml = docx.read("word/document.xml").decode("utf-8")
        assert any(name.startswith("word/media/") and name.endswith(".png") for name in docx.namelist())
    described = re.findall(r'<wp:docPr [^>]*descr="([^"]*)"', xml)
    assert len(described) == 1 and described[0].startswith("Stacked bar chart")


def test_libreoffice_converts_the_docx_report_and_its_text_has_every_initiative(engine, tmp_path, soffice,
                                                                                pdftotext):
    out = tmp_path / "status.docx"
    assert run("report", "-o", out).exit_code == 0
    done = subprocess.run([soffice, "--headless", "--norestore", "--convert-to", "pdf", "--outdir", tmp_path, out],
                          capture_output=True, text=True, timeout=180, env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0 and (tmp_path / "status.pdf").is_file(), done.stderr
    words = " ".join(subprocess.run([pdftotext, tmp_path / "status.pdf", "-"], capture_output=True, text=True,
                                    check=True).stdout.split())
    for name in expected(engine, AUGUST):
        assert name in words, name


def test_the_pdf_report_has_every_initiative_and_embeds_its_fonts(engine, tmp_path, pango, pdftotext):
    out = tmp_path / "status.pdf"
    result = run("report", "-o", out)
    assert result.exit_code == 0, result.output
    words = " ".join(subprocess.run([pdftotext, out, "-"], capture_output=True, text=True, check=True).stdout.split())
    want = expected(engine, AUGUST)
    for name, (area, phase, text) in want.items():
        assert name in words and f"Fase: {phase}" in words, name
        assert " ".join(text.split()[:8]) in words, name
    assert "Handlingsplan – status pr. 20. august 2025" in words and "Stablet søjlediagram" in words
    fonts = subprocess.run(["pdffonts", out], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    assert fonts and all(line.split()[-5] == "yes" for line in fonts), fonts   # the emb column


def test_html_and_markdown_escape_what_the_data_holds(data, tmp_path):
    (data / "rammeaftale-2025-26" / "markup.ttl").write_text("""
        @prefix rg: <https://w3id.org/rammegraf/ontology#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        <https://w3id.org/rammegraf/id/initiativ/botilbudsteams> rg:hasTask <https://w3id.org/rammegraf/id/opgave/markup> .
        <https://w3id.org/rammegraf/id/opgave/markup> a rg:Task ; rdfs:label "<script>alert(1)</script>"@da ;
            rg:text "<img src=x onerror=alert(2)> | **fed**"@da .
        """, encoding="utf-8")
    html, md = tmp_path / "r.html", tmp_path / "r.md"
    assert run("report", "-o", html, "--data", data).exit_code == 0
    assert run("report", "-o", md, "--data", data).exit_code == 0
    page = html.read_text(encoding="utf-8")
    assert "&lt;img src=x onerror=alert(2)&gt;" in page and "<img src=x" not in page
    assert "<script" not in page
    text = md.read_text(encoding="utf-8")
    assert r"\<img src=x onerror=alert\(2\)\> \| \*\*fed\*\*" in text
    assert not re.search(r"(?<!\\)<(img|script)", text)
    assert (tmp_path / "r.png").read_bytes().startswith(b"\x89PNG")
    assert "![Stablet søjlediagram" in text and "](r.png)" in text


def test_a_date_that_is_no_round_or_a_format_we_do_not_write_is_a_sentence(tmp_path):
    result = run("report", "--as-of", "2025-05-01", "-o", tmp_path / "r.docx")
    assert result.exit_code == 2 and "ingen statusrunde pr. 2025-05-01; runderne er 2025-04-08, 2025-08-20" in result.output
    result = run("report", "--as-of", APRIL, "--since", AUGUST, "-o", tmp_path / "r.docx")
    assert result.exit_code == 2 and "--since 2025-08-20 skal være før" in result.output
    result = run("report", "-o", tmp_path / "r.odt")
    assert result.exit_code == 2 and "ikke '.odt'" in result.output
    assert list(tmp_path.iterdir()) == []


def test_the_report_says_what_changed_since_the_round_before(tmp_path):
    out = tmp_path / "r.md"
    assert run("report", "-o", out).exit_code == 0
    text = out.read_text(encoding="utf-8")
    assert "### Ændringer siden runden pr\\. 8\\. april 2025" in text
    assert "- Botilbudsteams: Ikke igangsat → I gang" in text
    first = tmp_path / "april.md"
    assert run("report", "--as-of", APRIL, "-o", first).exit_code == 0
    assert "Der er ingen tidligere runde at sammenligne med" in first.read_text(encoding="utf-8")


def test_a_restyled_template_is_used_and_one_that_fetches_is_refused(tmp_path):
    from docx import Document

    from rammegraf.statusdoc import DOCX_TEMPLATE

    mine = tmp_path / "vores.docx"
    document = Document(str(DOCX_TEMPLATE))
    document.paragraphs[0].insert_paragraph_before("Sekretariatets egen skabelon")
    document.save(mine)
    out = tmp_path / "r.docx"
    assert run("report", "--template", mine, "-o", out).exit_code == 0
    assert Document(str(out)).paragraphs[0].text == "Sekretariatets egen skabelon"
    fetching = with_parts(mine, tmp_path / "henter.docx", {"word/_rels/settings.xml.rels": EXTERNAL_TEMPLATE})
    result = run("report", "--template", fetching, "-o", tmp_path / "r2.docx")
    assert result.exit_code == 2 and "henter »attachedTemplate« udefra" in result.output
    assert not (tmp_path / "r2.docx").exists()


EXTERNAL_TEMPLATE = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                     b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                     b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                     b'relationships/attachedTemplate" Target="http://127.0.0.1:9/skabelon.dotm" '
                     b'TargetMode="External"/></Relationships>')


def with_parts(source: Path, target: Path, parts: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            if item.filename not in parts:
                new.writestr(item, old.read(item.filename))
        for name, content in parts.items():
            new.writestr(name, content)
    return target


def test_the_chart_is_drawn_once_and_read_from_the_cache_after(engine, tmp_path, monkeypatch):
    """vl-convert's first drawing in a process costs half a second: the report of a round in a
    second format reads the chart it drew for the first; another chart is drawn anew."""
    from rammegraf import charts, statusdoc

    monkeypatch.setenv("RAMMEGRAF_CACHE", str(tmp_path / "cache"))
    drawn = []
    real = charts.png
    monkeypatch.setattr(charts, "png", lambda spec, **kw: drawn.append(spec) or real(spec, **kw))
    doc = statusdoc.gather(engine)
    first = statusdoc.chart_png(doc)
    again = statusdoc.chart_png(statusdoc.gather(engine))
    assert first == again and first.startswith(b"\x89PNG") and len(drawn) == 1
    assert len(list((tmp_path / "cache" / "charts").glob("*.png"))) == 1
    april = statusdoc.chart_png(statusdoc.gather(engine, as_of=__import__("datetime").date(2025, 4, 8)))
    assert april != first and len(drawn) == 2
    # a damaged file in the cache is drawn again, not read
    for kept in (tmp_path / "cache" / "charts").glob("*.png"):
        kept.write_bytes(b"not a png")
    assert statusdoc.chart_png(doc) == first and len(drawn) == 3


@pytest.mark.parametrize("day", [AUGUST, APRIL])
def test_the_document_is_the_same_when_everything_is_read_whole(engine, monkeypatch, day):
    """At a million triples the lookups read the graph whole (rounds.WHOLE) and every label at
    once (labels.ALL_ABOVE): forced here on the shipped data, the document is the same."""
    from datetime import date

    from rammegraf import labels, rounds, statusdoc

    by_lookup = statusdoc.gather(engine, as_of=date.fromisoformat(day))
    monkeypatch.setattr(rounds, "WHOLE", 0)
    monkeypatch.setattr(labels, "ALL_ABOVE", 0)
    read_whole = statusdoc.gather(engine, as_of=date.fromisoformat(day))
    assert read_whole == by_lookup
    assert sum(len(area["initiatives"]) for area in read_whole["areas"]) == len(expected(engine, day))


@pytest.mark.parametrize("lang, day", [("da", None), ("en", "2025-04-08")])
def test_the_word_file_is_docxtpls_own_with_the_body_put_in_by_one_parse(engine, monkeypatch, lang, day):
    """statusdoc's template puts the rendered body into the document by parsing the whole
    document once (docxtpl moved its 1.5 million nodes at a million triples: 7 s); the file is
    docxtpl's own: every part the same bytes, the document's XML the same in canonical form."""
    import io
    from datetime import date

    from lxml import etree

    from rammegraf import statusdoc

    doc = statusdoc.gather(engine, as_of=date.fromisoformat(day) if day else None, lang=lang)
    png = statusdoc.chart_png(doc)

    def parts(data: bytes) -> dict:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return {n: z.read(n) for n in z.namelist()}

    ours = parts(statusdoc.to_docx(doc, png_bytes=png))
    monkeypatch.setattr(statusdoc, "_template", lambda base: base)
    theirs = parts(statusdoc.to_docx(doc, png_bytes=png))
    assert ours.keys() == theirs.keys()
    assert {n: v for n, v in ours.items() if n != "word/document.xml"} == \
        {n: v for n, v in theirs.items() if n != "word/document.xml"}
    canonical = [etree.tostring(etree.fromstring(p["word/document.xml"]), method="c14n") for p in (ours, theirs)]
    assert canonical[0] == canonical[1] and b"<w:tbl>" in canonical[0]

"""Jobs of /rapport: the status document of a round (rammegraf.statusdoc) as a page and as files."""

from __future__ import annotations

import re
from datetime import date

from ...errors import RammegrafError
from .common import NotFound

PDF_LIMIT = 100   # initiatives in the round a PDF is laid out for here (above: a sentence; see report_file)
# initiatives in the round the server makes the report for at all (above: a sentence, every format).
# At a million triples a round has 15,000 (a 14 MB page); at ten million 122,000: 115 MB of HTML,
# 138 s and 2.4 GB in a worker, past its memory cap and its time, and no page a browser can show.
WEB_LIMIT = 20_000
# initiatives in the round the page shows whole; above, the page is the summary with a link
# to each development area, and each area a page of its own (the files stay whole). At a
# million triples a round's whole page was 11-14 MB, 15,000 rows sent to a browser, and
# 7 s to make for an older round.
PAGE_WHOLE = 300
_AREA = re.compile(r"[a-z0-9-]+(/[a-z0-9-]+)*")


def _day(engine, as_of: str | None) -> date | None:
    """The date asked for (None: the latest round); one that is no date is a 404 whose sentence
    names the rounds."""
    from ...network import round_dates

    if not as_of:
        return None
    try:
        return date.fromisoformat(as_of)
    except ValueError:
        raise NotFound(f"»{as_of[:40]}« er ikke en dato ÅÅÅÅ-MM-DD (not a date YYYY-MM-DD); runderne er "
                       + ", ".join(d.isoformat() for d in round_dates(engine))) from None


def _doc(engine, as_of: str | None, lang: str, part: str | None = None) -> dict:
    """The document of the round ``as_of`` (None: the latest), or its ``part`` (statusdoc.gather);
    a date that is no round, or an area with no initiative in the round, is a 404 whose sentence
    says so."""
    from ...statusdoc import ReportError, gather

    try:
        return gather(engine, as_of=_day(engine, as_of), lang=lang, part=part)
    except ReportError as error:
        raise NotFound(str(error)) from None


def area_param(iri: str) -> str:
    """How /rapport names a development area in its ``omraade`` parameter: the path after
    /id/ of one of ours (udviklingsomraade/…), else the whole IRI."""
    from ...namespaces import ID

    return iri.removeprefix(str(ID)) if iri.startswith(str(ID)) else iri


def _area_iri(value: str) -> str:
    from ...namespaces import ID

    value = value.strip()[:300]
    if value.startswith(("http://", "https://")):
        return value
    if not _AREA.fullmatch(value):
        raise NotFound(f"»{value[:60]}« er intet udviklingsområde (no such development area)")
    return str(ID) + value


def _page(engine, doc: dict) -> dict:
    """What /rapport shows: the rounds for the drop-down, and the document's body with its chart
    drawn by the server (inline SVG, checked by rammegraf.charts), rendered here as the site's
    page includes it: at a million triples it is 14 MB of HTML, rendered once in the worker
    rather than by the server for each reader."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    from ...charts import svg
    from ...network import round_dates
    from ...viz import TEMPLATES

    from ..urls import link

    spec = doc["chart"]["spec"]
    drawing = {"svg": svg(spec) if spec else None, "png": None}
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))  # the site's
    area_links = {area["iri"]: link("/rapport", doc["lang"], as_of=doc["as_of"], omraade=area_param(area["iri"]))
                  for area in doc["areas"]}
    part = doc.get("part")
    shown = None if part in (None, "summary") else next((a for a in doc["areas"] if a["iri"] == part), None)
    return {"title": doc["title"] if shown is None else f"{shown['heading']} – {doc['title']}",
            "day": doc["as_of"], "part": part,
            "body": env.get_template("_statusrapport.html").render(doc=doc, drawing=drawing, area_links=area_links),
            "rounds": [d.isoformat() for d in round_dates(engine)]}


def report_page(engine, as_of: str | None, lang: str, area: str | None = None) -> dict:
    """The page of the round: the whole document, or above PAGE_WHOLE initiatives its summary
    (no ``area``) or one development area's part (``area``: its ``omraade`` parameter)."""
    count = _refuse_large(engine, as_of, lang)
    part = None
    if count > PAGE_WHOLE:
        part = _area_iri(area) if area else "summary"
    return _page(engine, _doc(engine, as_of, lang, part))


def _refuse_large(engine, as_of: str | None, lang: str) -> int:
    """The number of initiatives in the round ``as_of`` (None: the latest), counted once for
    both limits; over WEB_LIMIT a sentence instead (``web_refusal``)."""
    count = _members(engine, as_of)
    if count > WEB_LIMIT:
        raise RammegrafError(web_refusal(count, lang))
    return count


def report_file(engine, as_of: str | None, lang: str, suffix: str) -> dict:
    """The document of the round in one format (.docx, .pdf, .html, .md): its round's date and
    its bytes; the Markdown without its picture (that is a file beside it; the page offers the
    chart as PNG in the .docx and .pdf, and as SVG in the .html). A PDF of a round of more than
    PDF_LIMIT initiatives is a sentence instead (``pdf_refusal``)."""
    from ...statusdoc import render

    count = _refuse_large(engine, as_of, lang)
    if suffix == ".pdf":
        refusal = pdf_refusal(count, lang)
        if refusal:
            raise RammegrafError(refusal)
    doc = _doc(engine, as_of, lang)
    return {"day": doc["as_of"], "body": render(doc, suffix)}


def _members(engine, as_of: str | None) -> int:
    """How many initiatives the round ``as_of`` (None: the latest) reports on."""
    from ...facts import round_size
    from ...statusdoc import ReportError, choose_rounds

    try:
        day, _ = choose_rounds(engine, _day(engine, as_of), None)
    except ReportError as error:
        raise NotFound(str(error)) from None
    return round_size(engine, day)


def web_refusal(count: int, lang: str) -> str:
    """Why the report of a round of ``count`` initiatives, over WEB_LIMIT, is not made by the
    server at all; ``rammegraf report`` makes it on the command line."""
    if lang == "da":
        number, limit = (f"{n:,}".replace(",", ".") for n in (count, WEB_LIMIT))
        return (f"Rapporten laves ikke her: runden har {number} initiativer, over {limit} (den ville fylde over "
                "100 MB og tage minutter og gigabytes at lave for hver læser). Lav den med rammegraf report "
                f"-o rapport.docx, eller se runden på /runder (the report is not made here: {count:,} initiatives, "
                f"over {WEB_LIMIT:,})")
    return (f"The report is not made here: the round has {count:,} initiatives, over {WEB_LIMIT:,} (it would be "
            "over 100 MB and take minutes and gigabytes to make). Make it with rammegraf report -o report.docx, "
            "or see the round at /runder")


def pdf_refusal(count: int, lang: str) -> str:
    """Why the PDF of a round of ``count`` initiatives is not made here ("" when it is):
    WeasyPrint lays out some 30 ms of CPU an initiative and 2.5 ms a line of the summary, so the
    15,000 initiatives of a million triples had not finished after 11 minutes and 7.4 GB
    (benchmarks/README.md, "Status report")."""
    if count <= PDF_LIMIT:
        return ""
    if lang == "da":
        number = f"{count:,}".replace(",", ".")
        return (f"Rapporten laves ikke som PDF her: runden har {number} initiativer, over {PDF_LIMIT} "
                "(at sætte den tager mange minutter og gigabytes). Hent den som .docx eller .html og udskriv "
                "den derfra, eller lav den med rammegraf report -o rapport.pdf "
                f"(the report is not made as PDF here: {count:,} initiatives, over {PDF_LIMIT})")
    return (f"The report is not made as PDF here: the round has {count:,} initiatives, over {PDF_LIMIT} "
            "(laying it out takes many minutes and gigabytes). Download it as .docx or .html and print it "
            "from there, or make it with rammegraf report -o report.pdf")


def report_kept(engine, lang: str, page: bool = True) -> dict:
    """The latest round's page and files from one gathering, for the server to keep beside an
    on-disk store (web.report): every format but a PDF refused by ``pdf_refusal``; the page
    None when not ``page`` (a server's report computed ahead asks for it on its own, first)."""
    from ...statusdoc import FORMATS, render

    count = _refuse_large(engine, None, lang)
    doc = _doc(engine, None, lang)
    files = {suffix: render(doc, suffix) for suffix in FORMATS if suffix != ".pdf" or not pdf_refusal(count, lang)}
    shown = None
    if page:
        shown = _page(engine, doc if count <= PAGE_WHOLE else _doc(engine, None, lang, "summary"))
    return {"day": doc["as_of"], "page": shown, "files": files}


JOBS = (report_page, report_file, report_kept)

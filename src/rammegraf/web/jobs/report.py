"""Jobs of /rapport: the status document of a round (rammegraf.statusdoc) as a page and as files."""

from __future__ import annotations

from datetime import date

from ...errors import RammegrafError
from .common import NotFound

PDF_LIMIT = 100   # initiatives in the round a PDF is laid out for here (above: a sentence; see report_file)
# initiatives in the round the server makes the report for at all (above: a sentence, every format).
# At a million triples a round has 15,000 (a 14 MB page); at ten million 122,000: 115 MB of HTML,
# 138 s and 2.4 GB in a worker, past its memory cap and its time, and no page a browser can show.
WEB_LIMIT = 20_000


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


def _doc(engine, as_of: str | None, lang: str) -> dict:
    """The document of the round ``as_of`` (None: the latest); a date that is no round is a 404
    whose sentence names the rounds."""
    from ...statusdoc import ReportError, gather

    try:
        return gather(engine, as_of=_day(engine, as_of), lang=lang)
    except ReportError as error:
        raise NotFound(str(error)) from None


def _page(engine, doc: dict) -> dict:
    """What /rapport shows: the rounds for the drop-down, and the document's body with its chart
    drawn by the server (inline SVG, checked by rammegraf.charts), rendered here as the site's
    page includes it: at a million triples it is 14 MB of HTML, rendered once in the worker
    rather than by the server for each reader."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    from ...charts import svg
    from ...network import round_dates
    from ...viz import TEMPLATES

    spec = doc["chart"]["spec"]
    drawing = {"svg": svg(spec) if spec else None, "png": None}
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))  # the site's
    return {"title": doc["title"], "day": doc["as_of"],
            "body": env.get_template("_statusrapport.html").render(doc=doc, drawing=drawing),
            "rounds": [d.isoformat() for d in round_dates(engine)]}


def report_page(engine, as_of: str | None, lang: str) -> dict:
    _refuse_large(engine, as_of, lang)
    return _page(engine, _doc(engine, as_of, lang))


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


def report_kept(engine, lang: str) -> dict:
    """The latest round's page and files from one gathering, for the server to keep beside an
    on-disk store (web.report): every format but a PDF refused by ``pdf_refusal``."""
    from ...statusdoc import FORMATS, render

    count = _refuse_large(engine, None, lang)
    doc = _doc(engine, None, lang)
    files = {suffix: render(doc, suffix) for suffix in FORMATS if suffix != ".pdf" or not pdf_refusal(count, lang)}
    return {"day": doc["as_of"], "page": _page(engine, doc), "files": files}


JOBS = (report_page, report_file, report_kept)

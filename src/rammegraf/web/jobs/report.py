"""Jobs of /rapport: the status document of a round (rammegraf.statusdoc) as a page and as files."""

from __future__ import annotations

from datetime import date

from .common import NotFound


def _doc(engine, as_of: str | None, lang: str) -> dict:
    """The document of the round ``as_of`` (None: the latest); a date that is no round is a 404
    whose sentence names the rounds."""
    from ...network import round_dates
    from ...statusdoc import ReportError, gather

    day = None
    if as_of:
        try:
            day = date.fromisoformat(as_of)
        except ValueError:
            raise NotFound(f"»{as_of[:40]}« er ikke en dato ÅÅÅÅ-MM-DD (not a date YYYY-MM-DD); runderne er "
                           + ", ".join(d.isoformat() for d in round_dates(engine))) from None
    try:
        return gather(engine, as_of=day, lang=lang)
    except ReportError as error:
        raise NotFound(str(error)) from None


def report_page(engine, as_of: str | None, lang: str) -> dict:
    """What /rapport shows: the rounds for the drop-down, and the document with its chart drawn
    by the server (inline SVG, checked by rammegraf.charts)."""
    from ...charts import svg
    from ...network import round_dates

    doc = _doc(engine, as_of, lang)
    spec = doc["chart"]["spec"]
    return {"doc": doc, "svg": svg(spec) if spec else None,
            "rounds": [d.isoformat() for d in round_dates(engine)]}


def report_file(engine, as_of: str | None, lang: str, suffix: str) -> dict:
    """The document of the round in one format (.docx, .pdf, .html, .md): its round's date and
    its bytes; the Markdown
    without its picture (that is a file beside it; the page offers the chart as PNG in the .docx
    and .pdf, and as SVG in the .html)."""
    from ...statusdoc import render

    doc = _doc(engine, as_of, lang)
    return {"day": doc["as_of"], "body": render(doc, suffix)}


JOBS = (report_page, report_file)

"""Jobs of the status rounds and the Frister page."""

from __future__ import annotations

from datetime import date

from ...labels import Labels
from ...terms import iri
from .common import (
    NotFound,
    _local,
    cell,
)


def rounds(engine) -> list[str]:
    from ...network import report_dates

    return report_dates(engine)


def round_page(engine, day: str, lang: str) -> dict:
    from ...network import round_dates
    from ...rounds import _sections, changes

    wanted = date.fromisoformat(day)
    dates = round_dates(engine)
    if wanted not in dates:
        raise NotFound(day)
    earlier = [d for d in dates if d < wanted]
    result = changes(engine, from_date=earlier[-1], to_date=wanted, lang=lang) if earlier else None
    return {"day": day, "previous": earlier[-1].isoformat() if earlier else None,
            "sections": _sections(result, lang) if result else []}


DRAWN = 60   # milestones drawn on /frister's time axis at most (the table has them all)


def deadline_rows(engine, as_of: str, within: int, lang: str, states: tuple = ()) -> dict:
    """The milestones of /frister as of the date (those of ``states`` only, if given): the
    table's rows and the time axis (the first DRAWN by their first day, drawn by the server
    too, for a page read without JavaScript)."""
    from ...charts import svg, title_of
    from ...pictures import milestones_spec
    from ...rounds import STATE_WORDS, deadlines

    labels = Labels(engine, lang)
    day = date.fromisoformat(as_of)
    items = [d for d in deadlines(engine, as_of=day, within=within, lang=lang, labels=labels)
             if not states or d.state in states]
    rows = [{"state": STATE_WORDS[lang][d.state], "state_key": d.state, "milestone": cell(iri(d.milestone), labels, lang),
             "text": d.date_text, "earliest": d.earliest.isoformat(), "latest": d.latest.isoformat(),
             "initiatives": [_local(value, label, lang) for value, label in d.owners],
             "responsible": [_local(value, label, lang) for value, label in d.actors],
             "evidence": _local(*d.report, lang) if d.report else None,
             # the report's own word is its link; a start or a task's deadline says why
             "reason": d.reason if d.proof is not None and d.proof.how != "reported" else ""}
            for d in items]
    drawn = sorted(items, key=lambda d: (d.earliest, d.latest, d.label.casefold()))[:DRAWN]
    spec = milestones_spec(drawn, day, lang=lang)
    return {"rows": rows, "chart": {"spec": spec, "svg": svg(spec), "error": None, "title": title_of(spec),
                                    "drawn": len(drawn), "of": len(items)}}


def calendar(engine, lang: str, as_of: str, within: int | None) -> bytes:
    """The milestones of the Frister page for as_of and within, or (within None) all."""
    from ...rounds import deadlines, to_ics

    day = date.fromisoformat(as_of)
    chosen = deadlines(engine, as_of=day, include_all=within is None,
                       within=within if within is not None else 90, lang=lang)
    return to_ics(chosen, lang=lang, as_of=day)



JOBS = (rounds, round_page, deadline_rows, calendar,)

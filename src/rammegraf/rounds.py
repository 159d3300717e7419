"""The secretariat's view of time: what is due, what is overdue, what changed.

A milestone is an interval from rg:earliest to rg:latest. As of a date it is
*overdue* when its latest day has passed, *due* while the date lies inside the
interval (a fuzzy "primo 2026" is due all through January–March), and *upcoming*
when it starts within the window ahead. The graph does not record whether a
milestone was met, so overdue means "its last day has passed".
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import date, timedelta

from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from .labels import label_of
from .namespaces import PREFIXES, RG
from .tables import render

STATES = ("overdue", "due", "upcoming")
STATE_WORDS = {"da": {"overdue": "overskredet", "due": "forfalden nu", "upcoming": "kommende"},
               "en": {"overdue": "overdue", "due": "due now", "upcoming": "upcoming"}}


@dataclass(frozen=True)
class Deadline:
    milestone: str              # IRI
    label: str
    date_text: str
    earliest: date
    latest: date
    state: str                  # one of STATES
    initiatives: tuple[str, ...]
    responsible: tuple[str, ...]


def state_of(earliest: date, latest: date, as_of: date, within: int) -> str | None:
    if latest < as_of:
        return "overdue"
    if earliest <= as_of:
        return "due"
    if earliest <= as_of + timedelta(days=within):
        return "upcoming"
    return None


def deadlines(graph: Graph, *, as_of: date, within: int = 90, lang: str = "da",
              include_all: bool = False) -> list[Deadline]:
    """Milestones overdue, due or upcoming (within ``within`` days) as of a date;
    ``include_all`` keeps the later ones too (for a calendar file)."""
    rows = graph.query("""
        SELECT ?m ?text ?earliest ?latest WHERE {
            ?m a rg:Milestone ; rg:dateText ?text ; rg:earliest ?earliest ; rg:latest ?latest .
        } ORDER BY ?earliest ?latest ?m""", initNs=PREFIXES)
    out = []
    for milestone, text, earliest, latest in rows:
        first, last = earliest.toPython(), latest.toPython()
        state = state_of(first, last, as_of, within) or ("later" if include_all else None)
        if state is None:
            continue
        out.append(Deadline(
            milestone=str(milestone), label=label_of(graph, milestone, lang) or str(milestone),
            date_text=str(text), earliest=first, latest=last, state=state,
            initiatives=tuple(sorted(label_of(graph, i, lang) or str(i) for i in _owners(graph, milestone))),
            responsible=tuple(sorted(label_of(graph, r, lang) or str(r)
                                     for r in graph.objects(milestone, RG.responsible)))))
    return out


def _owners(graph: Graph, milestone: URIRef) -> set[URIRef]:
    owners = set(graph.subjects(RG.hasMilestone, milestone)) | set(graph.subjects(RG.dependsOn, milestone))
    initiatives = set()
    for owner in owners:
        if (owner, RDF.type, RG.Initiative) in graph:
            initiatives.add(owner)
        else:  # a task or decision point: its initiative
            for link in (RG.hasTask, RG.hasDecisionPoint):
                initiatives.update(graph.subjects(link, owner))
    return initiatives


def render_deadlines(items: list[Deadline], fmt: str = "table", *, lang: str = "da") -> str:
    if fmt == "json":
        return json.dumps([{**asdict(d), "earliest": d.earliest.isoformat(), "latest": d.latest.isoformat()}
                           for d in items], ensure_ascii=False, indent=2) + "\n"
    words = STATE_WORDS.get(lang, STATE_WORDS["en"])
    headers = (["tilstand", "milepæl", "dato (kildens ord)", "tidligst", "senest", "initiativ", "ansvarlig"]
               if lang == "da" else
               ["state", "milestone", "date (source's words)", "earliest", "latest", "initiative", "responsible"])
    rows = [[words.get(d.state, d.state), d.label, d.date_text, d.earliest.isoformat(), d.latest.isoformat(),
             "; ".join(d.initiatives), "; ".join(d.responsible)] for d in items]
    return render(headers, rows, fmt)


def to_ics(items: list[Deadline], *, lang: str = "da") -> bytes:
    """An iCalendar file: one all-day event per milestone spanning its interval,
    with a stable UID (from the milestone's IRI) and a summary in ``lang``."""
    from icalendar import Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", "-//rammegraf//Rammeaftale 2025-26//DA")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "Rammeaftale 2025-26 – milepæle" if lang == "da"
                 else "Rammeaftale 2025-26 – milestones")
    for item in items:
        event = Event()
        event.add("uid", item.milestone.rsplit("/id/", 1)[-1].replace("/", ".") + "@rammegraf")
        event.add("summary", item.label)
        event.add("dtstart", item.earliest)
        event.add("dtend", item.latest + timedelta(days=1))  # DTEND of an all-day event is exclusive
        event.add("dtstamp", _stamp(item))
        lines = [f"{'Dato' if lang == 'da' else 'Date'}: {item.date_text}"]
        if item.initiatives:
            lines.append(f"{'Initiativ' if lang == 'da' else 'Initiative'}: {'; '.join(item.initiatives)}")
        if item.responsible:
            lines.append(f"{'Ansvarlig' if lang == 'da' else 'Responsible'}: {'; '.join(item.responsible)}")
        event.add("description", "\n".join(lines))
        event.add("url", item.milestone)
        calendar.add_component(event)
    return calendar.to_ical()


def _stamp(item: Deadline):
    """A fixed DTSTAMP (the interval's start), so the same graph gives the same file."""
    from datetime import datetime, timezone

    return datetime(item.earliest.year, item.earliest.month, item.earliest.day, tzinfo=timezone.utc)

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
from rdflib.namespace import DCTERMS, PROV, RDF

from .errors import RammegrafError
from .labels import label_of
from .namespaces import PREFIXES, RG
from .network import round_dates
from .tables import render

STATE_WORDS = {"da": {"overdue": "overskredet", "due": "forfalden nu", "upcoming": "kommende"},
               "en": {"overdue": "overdue", "due": "due now", "upcoming": "upcoming"}}


@dataclass(frozen=True)
class Deadline:
    milestone: str              # IRI
    label: str
    date_text: str
    earliest: date
    latest: date
    state: str                  # "overdue", "due" or "upcoming" ("later" for a calendar)
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


# ---------------------------------------------------------------------------
# What changed between two status rounds
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Changes:
    from_date: date
    to_date: date
    changed: tuple[tuple[str, str, str], ...]      # (initiative, phase before, phase after)
    unchanged: tuple[tuple[str, str], ...]         # (initiative, phase)
    new: tuple[tuple[str, str], ...]               # (initiative, phase) — only in the later round
    dropped: tuple[tuple[str, str], ...]           # (initiative, last phase) — only in the earlier round
    milestones_added: tuple[tuple[str, str], ...]  # (milestone, date text) — first reported in the later round
    milestones_passed: tuple[tuple[str, str, str], ...]  # (milestone, date text, latest) — ended in between


class NoSuchRound(RammegrafError):
    """A date that is not a status round in the graph."""


def changes(graph: Graph, *, from_date: date, to_date: date, lang: str = "da") -> Changes:
    rounds = round_dates(graph)
    for day in (from_date, to_date):
        if day not in rounds:
            raise NoSuchRound(f"der er ingen statusrunde pr. {day.isoformat()}; runderne er "
                             f"{', '.join(d.isoformat() for d in rounds)} (no status round on that date)")
    before, after = _phases(graph, from_date, lang), _phases(graph, to_date, lang)
    name = lambda node: label_of(graph, node, lang) or str(node)  # noqa: E731
    key = lambda row: row[0].casefold()  # noqa: E731
    changed = sorted(((name(i), before[i], after[i]) for i in before.keys() & after.keys()
                      if before[i] != after[i]), key=key)
    unchanged = sorted(((name(i), after[i]) for i in before.keys() & after.keys() if before[i] == after[i]), key=key)
    new = sorted(((name(i), after[i]) for i in after.keys() - before.keys()), key=key)
    dropped = sorted(((name(i), before[i]) for i in before.keys() - after.keys()), key=key)

    earlier_docs = {d for d, when in graph.subject_objects(DCTERMS.date) if when.toPython() <= from_date}
    later_docs = {d for d, when in graph.subject_objects(DCTERMS.date) if when.toPython() == to_date}
    added, passed = [], []
    for milestone in graph.subjects(RDF.type, RG.Milestone):
        sources = set(graph.objects(milestone, PROV.wasDerivedFrom))
        text = str(graph.value(milestone, RG.dateText) or "")
        if sources & later_docs and not sources & earlier_docs:
            added.append((name(milestone), text))
        latest = graph.value(milestone, RG.latest)
        if latest is not None and from_date <= latest.toPython() < to_date:
            passed.append((name(milestone), text, latest.toPython().isoformat()))
    return Changes(from_date, to_date, tuple(changed), tuple(unchanged), tuple(new), tuple(dropped),
                   tuple(sorted(added, key=key)), tuple(sorted(passed, key=lambda r: (r[2], r[0].casefold()))))


def _phases(graph: Graph, day: date, lang: str) -> dict[URIRef, str]:
    out = {}
    for report in graph.subjects(RG.asOf, None):
        when = graph.value(report, RG.asOf)
        if when is not None and when.toPython() == day:
            initiative = graph.value(report, RG.statusOf)
            out[initiative] = label_of(graph, graph.value(report, RG.phase), lang) or ""
    return out


CHANGE_WORDS = {
    "da": {"title": "Ændringer fra {a} til {b}", "changed": "Faseskift", "new": "Nye initiativer",
           "dropped": "Udgået (ikke i den seneste runde)", "unchanged": "Uændret", "added": "Nye milepæle",
           "passed": "Milepæle hvis sidste dag faldt i perioden", "none": "Ingen."},
    "en": {"title": "Changes from {a} to {b}", "changed": "Phase changes", "new": "New initiatives",
           "dropped": "Dropped (not in the later round)", "unchanged": "Unchanged", "added": "New milestones",
           "passed": "Milestones whose last day fell in the period", "none": "None."},
}


def _sections(c: Changes, lang: str) -> list[tuple[str, list[str]]]:
    w = CHANGE_WORDS.get(lang, CHANGE_WORDS["en"])
    return [
        (w["changed"], [f"{i}: {a} → {b}" for i, a, b in c.changed]),
        (w["new"], [f"{i} ({p})" for i, p in c.new]),
        (w["dropped"], [f"{i} ({p})" for i, p in c.dropped]),
        (w["added"], [f"{m} ({t})" for m, t in c.milestones_added]),
        (w["passed"], [f"{m} ({t}; {latest})" for m, t, latest in c.milestones_passed]),
        (w["unchanged"], [f"{i} ({p})" for i, p in c.unchanged]),
    ]


def render_changes(c: Changes, fmt: str = "text", *, lang: str = "da") -> str:
    w = CHANGE_WORDS.get(lang, CHANGE_WORDS["en"])
    title = w["title"].format(a=c.from_date.isoformat(), b=c.to_date.isoformat())
    if fmt == "json":
        data = asdict(c)
        data["from_date"], data["to_date"] = c.from_date.isoformat(), c.to_date.isoformat()
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    if fmt == "html":
        from jinja2 import Environment, FileSystemLoader, select_autoescape

        from .viz import TEMPLATES

        env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))
        return env.get_template("changes.html").render(title=title, lang=lang, sections=_sections(c, lang),
                                                       none=w["none"])
    lines = [f"# {title}" if fmt == "md" else title]
    for heading, items in _sections(c, lang):
        lines += ["", f"## {heading}" if fmt == "md" else f"{heading}:"]
        lines += [f"- {item}" for item in items] or [w["none"]]
    return "\n".join(lines) + "\n"

"""The secretariat's view of time: what is due, what is overdue, what changed.

A milestone is an interval from rg:earliest to rg:latest. As of a date it is
*reached* when a status report of that date or earlier says so (rg:reached; the
report is the evidence), *on hold* when every initiative it belongs to is parked
as of that date, and otherwise *overdue* when its latest day has passed and no
report says it was reached, *due* while the date lies inside the interval (a
fuzzy "primo 2026" is due all through January–March), and *upcoming* when it
starts within the window ahead.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import date, timedelta

from .errors import RammegrafError
from .labels import Labels
from .network import round_dates
from .tables import render
from .terms import date_of, text

STATE_WORDS = {"da": {"overdue": "overskredet", "due": "forfalden nu", "upcoming": "kommende",
                      "reached": "nået", "on_hold": "sat i bero (initiativet er parkeret)"},
               "en": {"overdue": "overdue", "due": "due now", "upcoming": "upcoming",
                      "reached": "reached", "on_hold": "on hold (the initiative is parked)"}}


@dataclass(frozen=True)
class Deadline:
    milestone: str              # IRI
    label: str
    date_text: str
    earliest: date
    latest: date
    state: str                  # "reached", "on_hold", "overdue", "due" or "upcoming" ("later" for a calendar)
    owners: tuple[tuple[str, str], ...] = ()    # (IRI, label) of the initiatives it belongs to, by label
    actors: tuple[tuple[str, str], ...] = ()    # (IRI, label) of those responsible, by label
    report: tuple[str, str] | None = None       # (IRI, label) of the report that says it was reached

    @property
    def initiatives(self) -> tuple[str, ...]:
        return tuple(label for _, label in self.owners)

    @property
    def responsible(self) -> tuple[str, ...]:
        return tuple(label for _, label in self.actors)

    @property
    def evidence(self) -> str:
        """For "reached": the report that says so ("Status … pr. 20.8.2025")."""
        return self.report[1] if self.report else ""


def state_of(earliest: date, latest: date, as_of: date, within: int) -> str | None:
    if latest < as_of:
        return "overdue"
    if earliest <= as_of:
        return "due"
    if earliest <= as_of + timedelta(days=within):
        return "upcoming"
    return None


_MILESTONES = """
    SELECT ?m ?text ?earliest ?latest WHERE {
        ?m a rg:Milestone ; rg:dateText ?text ; rg:earliest ?earliest ; rg:latest ?latest .
    } ORDER BY ?earliest ?latest ?m"""
# The initiatives a milestone belongs to: its own, or that of the task or decision point it is set for.
_OWNERS = """
    SELECT ?m ?initiative WHERE {
        { ?owner rg:hasMilestone ?m } UNION { ?owner rg:dependsOn ?m }
        { ?owner a rg:Initiative BIND (?owner AS ?initiative) }
        UNION { ?initiative rg:hasTask ?owner } UNION { ?initiative rg:hasDecisionPoint ?owner }
    }"""


def deadlines(engine, *, as_of: date, within: int = 90, lang: str = "da",
              include_all: bool = False) -> list[Deadline]:
    """Milestones reached, on hold, overdue, due or upcoming (within ``within`` days)
    as of a date; ``include_all`` keeps the later ones too (for a calendar file)."""
    from .network import status_as_of

    labels = Labels(engine, lang)
    chosen = []
    for milestone, words, earliest, latest in engine.query(_MILESTONES).rows:
        first, last = date_of(earliest), date_of(latest)
        if first is None or last is None:
            continue
        state = state_of(first, last, as_of, within) or ("later" if include_all else None)
        if state is not None:
            chosen.append((milestone, text(words), first, last, state))
    owners: dict[str, set] = {}
    responsible: dict[str, set] = {}
    reached: dict[str, tuple[date, object]] = {}
    for part in _chunks([m for m, *_ in chosen]):
        for milestone, initiative in engine.query(_OWNERS, {"m": part}).rows:
            owners.setdefault(milestone.value, set()).add(initiative)
        for milestone, actor in engine.query("SELECT ?m ?r WHERE { ?m rg:responsible ?r }", {"m": part}).rows:
            responsible.setdefault(milestone.value, set()).add(actor)
        for milestone, report, day in engine.query(_REACHED, {"m": part}).rows:
            when = date_of(day)
            if when is not None and when <= as_of and (milestone.value not in reached
                                                      or when < reached[milestone.value][0]):
                reached[milestone.value] = (when, report)
    owning = sorted({i.value for group in owners.values() for i in group})
    phases = status_as_of(engine, as_of, lang, initiatives=owning, labels=labels) if owning else {}
    labels.load([m for m, *_ in chosen] + [report for _, report in reached.values()]
                + [t for group in (*owners.values(), *responsible.values()) for t in group])
    out = []
    for milestone, words, first, last, state in chosen:
        mine = owners.get(milestone.value, set())
        report = None
        if milestone.value in reached:
            state, report = "reached", reached[milestone.value][1]
        elif mine and all(phases.get(i.value) and phases[i.value].phase == "Parked" for i in mine):
            state = "on_hold"
        named = lambda terms: tuple(sorted(((t.value, labels.display(t)) for t in terms),  # noqa: E731
                                           key=lambda pair: pair[1]))
        out.append(Deadline(
            milestone=milestone.value, label=labels.display(milestone), date_text=words, earliest=first,
            latest=last, state=state, owners=named(mine), actors=named(responsible.get(milestone.value, ())),
            report=(report.value, labels.display(report)) if report is not None else None))
    return out


_REACHED = "SELECT ?m ?report ?day WHERE { ?report rg:reached ?m ; rg:asOf ?day }"


def _chunks(items: list, size: int = 400):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def render_deadlines(items: list[Deadline], fmt: str = "table", *, lang: str = "da") -> str:
    if fmt == "json":
        return json.dumps([{"milestone": d.milestone, "label": d.label, "date_text": d.date_text,
                            "earliest": d.earliest.isoformat(), "latest": d.latest.isoformat(),
                            "state": d.state, "initiatives": list(d.initiatives),
                            "responsible": list(d.responsible), "evidence": d.evidence}
                           for d in items], ensure_ascii=False, indent=2) + "\n"
    words = STATE_WORDS.get(lang, STATE_WORDS["en"])
    headers = (["tilstand", "milepæl", "dato (kildens ord)", "tidligst", "senest", "initiativ", "ansvarlig",
                "ifølge"] if lang == "da" else
               ["state", "milestone", "date (source's words)", "earliest", "latest", "initiative", "responsible",
                "according to"])
    rows = [[words.get(d.state, d.state), d.label, d.date_text, d.earliest.isoformat(), d.latest.isoformat(),
             "; ".join(d.initiatives), "; ".join(d.responsible), d.evidence] for d in items]
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
    reached: tuple[tuple[str, str], ...] = ()      # (milestone or task, initiative) — first reported reached in between


class NoSuchRound(RammegrafError):
    """A date that is not a status round in the graph."""


def changes(engine, *, from_date: date, to_date: date, lang: str = "da") -> Changes:
    rounds = round_dates(engine)
    for day in (from_date, to_date):
        if day not in rounds:
            raise NoSuchRound(f"der er ingen statusrunde pr. {day.isoformat()}; runderne er "
                             f"{', '.join(d.isoformat() for d in rounds)} (no status round on that date)")
    labels = Labels(engine, lang)
    before, after = _phases(engine, from_date, labels), _phases(engine, to_date, labels)
    name = lambda node: labels.display(node)  # noqa: E731
    key = lambda row: row[0].casefold()  # noqa: E731
    changed = sorted(((name(i), before[i], after[i]) for i in before.keys() & after.keys()
                      if before[i] != after[i]), key=key)
    unchanged = sorted(((name(i), after[i]) for i in before.keys() & after.keys() if before[i] == after[i]), key=key)
    new = sorted(((name(i), after[i]) for i in after.keys() - before.keys()), key=key)
    dropped = sorted(((name(i), before[i]) for i in before.keys() - after.keys()), key=key)

    rows = engine.query("""SELECT ?m ?text ?latest ?when WHERE { ?m a rg:Milestone .
        OPTIONAL { ?m rg:dateText ?text } OPTIONAL { ?m rg:latest ?latest }
        OPTIONAL { ?m prov:wasDerivedFrom ?source . ?source dcterms:date ?when } }""").rows
    seen: dict = {}
    for milestone, words, latest, when in rows:
        entry = seen.setdefault(milestone, [text(words), date_of(latest), set()])
        if date_of(when) is not None:
            entry[2].add(date_of(when))
    labels.load(seen)
    added, passed = [], []
    for milestone, (words, latest, reported) in seen.items():
        if to_date in reported and not any(d <= from_date for d in reported):
            added.append((name(milestone), words))
        if latest is not None and from_date <= latest < to_date:
            passed.append((name(milestone), words, latest.isoformat()))
    first_reached: dict = {}
    for item, initiative, day in engine.query("""SELECT ?item ?initiative ?day WHERE {
            ?report rg:reached ?item ; rg:statusOf ?initiative ; rg:asOf ?day }""").rows:
        when = date_of(day)
        if when is not None and (item not in first_reached or when < first_reached[item][1]):
            first_reached[item] = (initiative, when)
    labels.load(t for item, (initiative, _) in first_reached.items() for t in (item, initiative))
    reached = sorted(((name(item), name(initiative)) for item, (initiative, when) in first_reached.items()
                      if from_date < when <= to_date), key=key)
    return Changes(from_date, to_date, tuple(changed), tuple(unchanged), tuple(new), tuple(dropped),
                   tuple(sorted(added, key=key)), tuple(sorted(passed, key=lambda r: (r[2], r[0].casefold()))),
                   tuple(reached))


def _phases(engine, day: date, labels: Labels) -> dict:
    """Each initiative with a status on ``day``, to its phase's label."""
    from .terms import literal

    rows = engine.query("SELECT ?initiative ?phase WHERE { ?report rg:asOf ?day ; rg:statusOf ?initiative ; "
                        "rg:phase ?phase }", {"day": literal(day)}).rows
    labels.load(t for row in rows for t in row)
    return {initiative: labels.of(phase) or "" for initiative, phase in rows}


CHANGE_WORDS = {
    "da": {"title": "Ændringer fra {a} til {b}", "changed": "Faseskift", "new": "Nye initiativer",
           "dropped": "Udgået (ikke i den seneste runde)", "unchanged": "Uændret", "added": "Nye milepæle",
           "passed": "Milepæle hvis sidste dag faldt i perioden", "reached": "Nået (ifølge den seneste runde)",
           "none": "Ingen."},
    "en": {"title": "Changes from {a} to {b}", "changed": "Phase changes", "new": "New initiatives",
           "dropped": "Dropped (not in the later round)", "unchanged": "Unchanged", "added": "New milestones",
           "passed": "Milestones whose last day fell in the period", "reached": "Reached (according to the later round)",
           "none": "None."},
}


def _sections(c: Changes, lang: str) -> list[tuple[str, list[str]]]:
    w = CHANGE_WORDS.get(lang, CHANGE_WORDS["en"])
    return [
        (w["changed"], [f"{i}: {a} → {b}" for i, a, b in c.changed]),
        (w["new"], [f"{i} ({p})" for i, p in c.new]),
        (w["dropped"], [f"{i} ({p})" for i, p in c.dropped]),
        (w["reached"], [f"{m} ({i})" for m, i in c.reached]),
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

"""The secretariat's view of time: what is due, what is overdue, what changed.

A milestone is an interval from rg:earliest to rg:latest. ``milestone_states`` is
the one function that decides a milestone's state as of a date; every command and
page that shows one (``deadlines`` in every format, /frister and its calendar, the
front page, ``changes`` and /runder) asks it, and the named queries
milepaele-overskredet and naaet-pr-initiativ say the same in SPARQL (the tests hold
them to it). As of a date a milestone is

- *reached* when a status report of that date or earlier shows it: the report says
  so (rg:reached), or the milestone is an initiative's start (rg:startOf) and the
  report has that initiative in progress or further (I gang, Under implementering,
  Implementeret), or the milestone is a task's deadline (rg:deadlineOf) and the
  report says the task was reached. The first such report is the evidence, and the
  reason says which it was;
- *on hold* when every initiative whose own milestone it is (directly, or through
  its task or decision point) is parked as of that date;
- otherwise *overdue* when its latest day has passed, *due* while the date lies
  inside the interval (a fuzzy "primo 2026" is due all through January–March),
  *upcoming* when it starts within the window ahead, and *later* after that.

Rounds: a status round (rg:StatusRound) is a report on the whole plan; a status
report with a source of its own is a single update. "Not in the report" and
"dropped" are said only of rounds (``network.round_dates``, ``not_in_round``).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import date, timedelta

from .errors import RammegrafError
from .labels import Labels
from .network import round_dates, round_members
from .tables import render
from .terms import date_of, iri

STATE_WORDS = {"da": {"overdue": "overskredet", "due": "forfalden nu", "upcoming": "kommende",
                      "reached": "nået", "on_hold": "sat i bero (initiativet er parkeret)", "later": "senere"},
               "en": {"overdue": "overdue", "due": "due now", "upcoming": "upcoming",
                      "reached": "reached", "on_hold": "on hold (the initiative is parked)", "later": "later"}}

# The phases that show an initiative has started: in progress or further (not parked,
# which can come before a start: Velfærdsteknologi was parked while awaiting it).
STARTED = ("InProgress", "Implementing", "Implemented")
HOW = ("reported", "started", "task")    # the kinds of evidence, the most direct first
MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
             "October", "November", "December")
REASONS = {
    "da": {"reported": "{report} siger, at den er nået{source}",
           "started": "{subject} er {phase} pr. {day}{source}",
           "task": "opgaven »{subject}« er udført pr. {day}{source}"},
    "en": {"reported": "{report} says it was reached{source}",
           "started": "{subject} is {phase} as of {day}{source}",
           "task": "the task “{subject}” was done as of {day}{source}"},
}
PHASE_WORDS_EN = {"InProgress": "in progress", "Implementing": "being implemented", "Implemented": "implemented"}


@dataclass(frozen=True)
class Evidence:
    """The status report that shows a milestone (or task) reached, and how."""
    how: str                                  # "reported", "started" or "task" (see HOW)
    report: tuple[str, str]                   # (IRI, label) of the status report
    day: date                                 # the report's date
    source: tuple[str, str] | None = None     # (IRI, label) of its source document
    initiative: tuple[str, str] | None = None  # (IRI, label) of the initiative the report is about
    subject: tuple[str, str] | None = None    # the initiative started or the task done
    phase: str = ""                           # for a start: the phase's local name (InProgress …)
    phase_label: str = ""

    def reason(self, lang: str = "da") -> str:
        """Why the milestone counts as reached, as a phrase: "Monitorering af F-ACT er i
        gang pr. 20.8.2025 (Handlingsplan …, status pr. 20. august 2025)"."""
        words = REASONS.get(lang, REASONS["en"])
        day = (f"{self.day.day}.{self.day.month}.{self.day.year}" if lang == "da"
               else f"{self.day.day} {MONTHS_EN[self.day.month - 1]} {self.day.year}")
        phase = (self.phase_label.lower() if lang == "da"
                 else PHASE_WORDS_EN.get(self.phase, self.phase_label.lower()))
        return words[self.how].format(report=self.report[1], subject=self.subject[1] if self.subject else "",
                                      phase=phase, day=day,
                                      source=f" ({self.source[1]})" if self.source else "")


@dataclass(frozen=True)
class Deadline:
    """A milestone's state as of a date (what ``milestone_states`` returns)."""
    milestone: str              # IRI
    label: str
    date_text: str
    earliest: date
    latest: date
    state: str                  # "reached", "on_hold", "overdue", "due", "upcoming" or "later"
    owners: tuple[tuple[str, str], ...] = ()    # (IRI, label) of the initiatives it belongs to, by label
    actors: tuple[tuple[str, str], ...] = ()    # (IRI, label) of those responsible, by label
    report: tuple[str, str] | None = None       # (IRI, label) of the report that shows it reached
    proof: Evidence | None = None               # that report, how it shows it, and its source
    reason: str = ""                            # for "reached": why, in the reader's language

    @property
    def initiatives(self) -> tuple[str, ...]:
        return tuple(label for _, label in self.owners)

    @property
    def responsible(self) -> tuple[str, ...]:
        return tuple(label for _, label in self.actors)

    @property
    def evidence(self) -> str:
        """For "reached": the report that shows it ("Status … pr. 20.8.2025")."""
        return self.report[1] if self.report else ""


MilestoneState = Deadline


def state_of(earliest: date, latest: date, as_of: date, within: int) -> str | None:
    """The state an interval alone gives as of a date (no evidence, nothing parked)."""
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
    }"""   # no ORDER BY: milestone_states sorts (Oxigraph's sort of 22,000 rows took a second at 1M)
# The initiatives a milestone belongs to: its own (?own true), or one that waits for it
# (rg:dependsOn, ?own false); directly, or through a task or decision point.
_OWNERS = """
    SELECT ?m ?initiative ?own WHERE {
        { ?owner rg:hasMilestone ?m BIND (true AS ?own) } UNION { ?owner rg:dependsOn ?m BIND (false AS ?own) }
        { ?owner a rg:Initiative BIND (?owner AS ?initiative) }
        UNION { ?initiative rg:hasTask ?owner } UNION { ?initiative rg:hasDecisionPoint ?owner }
    }"""
_RESPONSIBLE = "SELECT ?m ?r WHERE { ?m rg:responsible ?r }"
# What shows a milestone reached on or before ?asOf, all milestones at once.
_EVIDENCE = """
    SELECT ?m ?how ?report ?day ?subject ?phase ?source ?of WHERE {
        { ?report rg:reached ?m ; rg:asOf ?day . ?m a rg:Milestone . BIND ("reported" AS ?how) }
        UNION { ?m rg:startOf ?subject . ?report rg:statusOf ?subject ; rg:asOf ?day ; rg:phase ?phase .
                FILTER (?phase IN (rg:InProgress, rg:Implementing, rg:Implemented)) BIND ("started" AS ?how) }
        UNION { ?m rg:deadlineOf ?subject . ?report rg:reached ?subject ; rg:asOf ?day . BIND ("task" AS ?how) }
        FILTER (?day <= ?asOf)
        OPTIONAL { ?report prov:wasDerivedFrom ?source }
        OPTIONAL { ?report rg:statusOf ?of }
    }"""
RG_NS = "https://w3id.org/rammegraf/ontology#"
WHOLE = 2000   # above this many items a lookup reads the whole graph once instead of VALUES chunks


def milestone_states(engine, as_of: date, *, within: int = 90, include_all: bool = False, lang: str = "da",
                     milestones=None, labelled: bool = True, labels: Labels | None = None) -> list[Deadline]:
    """The state of each milestone as of a date, with its interval, the initiatives it
    belongs to, who is responsible and, when reached, the evidence report and the
    reason. Those reached, on hold, overdue, due or upcoming (within ``within`` days);
    ``include_all`` keeps the later ones too (state "later", for a calendar);
    ``milestones`` (IRIs) limits it to those. Decided in Python from the derived facts
    kept with the store (``facts.facts_of``), whatever the number of milestones.
    Without ``labelled`` nothing is named (labels and reasons are empty): for counting
    states, at a fraction of the time. ``labels``: the caller's (in ``lang``), so what
    one has read the other need not read again."""
    from .facts import facts_of

    known = facts_of(engine)
    labels = (labels or Labels(engine, lang)) if labelled else _UNNAMED
    wanted = None if milestones is None else {str(m) for m in milestones}
    found = [(m, *row) for m, rows in known.milestones.items() if wanted is None or m in wanted for row in rows]
    chosen = []
    for milestone, words, earliest, latest in sorted(found, key=lambda r: (r[2], r[3], r[0])):
        first, last = _day(earliest), _day(latest)
        if first is None or last is None:
            continue
        state = state_of(first, last, as_of, within) or ("later" if include_all else None)
        if state is not None:
            chosen.append((milestone, words, first, last, state))
    if not chosen:
        return []
    keys = [m for m, *_ in chosen]
    owners = {m: {initiative for initiative, _ in known.owners.get(m, ())} for m in keys}
    own = {m: {initiative for initiative, is_own in known.owners.get(m, ()) if is_own} for m in keys}
    responsible = {m: set(known.responsible.get(m, ())) for m in keys} if labelled else {}
    proofs = known.evidence(as_of, keys)
    parked = known.parked(as_of, {i for group in own.values() for i in group})
    if labelled:
        labels.load([iri(v) for v in (*keys, *(i for g in (*owners.values(), *responsible.values()) for i in g),
                                      *(v for found in proofs.values() for v in found[3:] if v))]
                    + [iri(RG_NS + found[2]) for found in proofs.values() if found[2]])
    named = lambda values: tuple(sorted(((v, labels.display_iri(v)) for v in values),  # noqa: E731
                                        key=lambda pair: pair[1]))
    out = []
    for milestone, words, first, last, state in chosen:
        proof = None
        if milestone in proofs:
            proof = _evidence(proofs[milestone], labels)
            state = "reached"
        elif own.get(milestone) and all(i in parked for i in own[milestone]):
            state = "on_hold"
        out.append(Deadline(
            milestone=milestone, label=labels.display_iri(milestone), date_text=words, earliest=first,
            latest=last, state=state, owners=named(owners.get(milestone, ())),
            actors=named(responsible.get(milestone, ())),
            report=proof.report if proof else None, proof=proof,
            reason=proof.reason(lang) if proof and labelled else ""))
    return out


def _day(lexical: str) -> date | None:
    """The date of an xsd:date's text as the facts keep it (None when it is not one), read as
    terms.value reads the literal."""
    try:
        return date.fromisoformat(lexical)
    except ValueError:
        return None


class _Unnamed:
    """In place of Labels when states are only counted: nothing is named."""

    def display(self, term) -> str:
        return ""

    def display_iri(self, value: str) -> str:
        return ""


_UNNAMED = _Unnamed()


def deadlines(engine, *, as_of: date, within: int = 90, lang: str = "da", include_all: bool = False,
              milestones=None, labels: Labels | None = None) -> list[Deadline]:
    """The milestones reached, on hold, overdue, due or upcoming as of a date (``milestone_states``)."""
    return milestone_states(engine, as_of, within=within, include_all=include_all, lang=lang, milestones=milestones,
                            labels=labels)


def evidence(engine, as_of: date, milestones=None) -> dict[str, tuple]:
    """Each milestone reached as of the date (of ``milestones``, or all) to its first
    evidence: (how, day, phase local name, report, source, initiative, subject), the
    last four IRIs or None. The earliest report wins; on the same day the most direct
    kind of evidence (HOW). Read from the derived facts (``facts.Facts.evidence``)."""
    from .facts import facts_of

    return facts_of(engine).evidence(as_of, None if milestones is None else [str(m) for m in milestones])


def _evidence(found: tuple, labels: Labels) -> Evidence:
    how, day, phase, report, source, of, subject = found
    named = lambda value: (value, labels.display_iri(value)) if value else None  # noqa: E731
    return Evidence(how=how, report=named(report), day=day, source=named(source), initiative=named(of),
                    subject=named(subject), phase=phase,
                    phase_label=labels.display_iri(RG_NS + phase) if phase else "")


def _lookup(engine, query: str, name: str, items: list[str]) -> list:
    """The rows of ``query`` whose ?``name`` is one of ``items``: by VALUES in chunks of
    400, or (above WHOLE items) the whole graph once, filtered here."""
    if not items:
        return []
    if len(items) > WHOLE:
        answer, wanted = engine.query(query), set(items)
        column = answer.vars.index(name)
        return [row for row in answer.rows if row[column] is not None and row[column].value in wanted]
    return [row for part in _chunks(items) for row in engine.query(query, {name: [iri(i) for i in part]}).rows]


def _chunks(items: list, size: int = 400):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def render_deadlines(items: list[Deadline], fmt: str = "table", *, lang: str = "da") -> str:
    if fmt == "json":
        return json.dumps([{"milestone": d.milestone, "label": d.label, "date_text": d.date_text,
                            "earliest": d.earliest.isoformat(), "latest": d.latest.isoformat(),
                            "state": d.state, "initiatives": list(d.initiatives),
                            "responsible": list(d.responsible), "evidence": d.evidence,
                            "evidence_iri": d.report[0] if d.report else None,
                            "reached_by": d.proof.how if d.proof else None,
                            "reached_on": d.proof.day.isoformat() if d.proof else None,
                            "source": d.proof.source[1] if d.proof and d.proof.source else None,
                            "reason": d.reason}
                           for d in items], ensure_ascii=False, indent=2) + "\n"
    words = STATE_WORDS.get(lang, STATE_WORDS["en"])
    headers = (["tilstand", "milepæl", "dato (kildens ord)", "tidligst", "senest", "initiativ", "ansvarlig",
                "ifølge", "begrundelse"] if lang == "da" else
               ["state", "milestone", "date (source's words)", "earliest", "latest", "initiative", "responsible",
                "according to", "reason"])
    rows = [[words.get(d.state, d.state), d.label, d.date_text, d.earliest.isoformat(), d.latest.isoformat(),
             "; ".join(d.initiatives), "; ".join(d.responsible), d.evidence, d.reason] for d in items]
    return render(headers, rows, fmt)


def to_ics(items: list[Deadline], *, lang: str = "da", as_of: date | None = None) -> bytes:
    """An iCalendar file: one all-day event per milestone spanning its interval,
    with a stable UID (from the milestone's IRI) and a summary in ``lang``; its
    description and category say its state as of ``as_of`` (and, when reached, why).
    Written line by line (``rammegraf.ics``), in the order the icalendar library wrote them."""
    from . import ics

    words = STATE_WORDS.get(lang, STATE_WORDS["en"])
    name = "Rammeaftale 2025-26 – milepæle" if lang == "da" else "Rammeaftale 2025-26 – milestones"
    out = [ics.fold(line) for line in ("BEGIN:VCALENDAR", "VERSION:2.0",
                                       "PRODID:" + ics.text("-//rammegraf//Rammeaftale 2025-26//DA"),
                                       "X-WR-CALNAME:" + ics.text(name))]
    for item in items:
        uid = item.milestone.rsplit("/id/", 1)[-1].replace("/", ".") + "@rammegraf"
        lines = [f"{'Dato' if lang == 'da' else 'Date'}: {item.date_text}"]
        if item.initiatives:
            lines.append(f"{'Initiativ' if lang == 'da' else 'Initiative'}: {'; '.join(item.initiatives)}")
        if item.responsible:
            lines.append(f"{'Ansvarlig' if lang == 'da' else 'Responsible'}: {'; '.join(item.responsible)}")
        event = ["BEGIN:VEVENT", "SUMMARY:" + ics.text(item.label),
                 "DTSTART;VALUE=DATE:" + ics.day(item.earliest),
                 "DTEND;VALUE=DATE:" + ics.day(item.latest + timedelta(days=1)),  # exclusive for an all-day event
                 "DTSTAMP:" + ics.utc_midnight(item.earliest),   # fixed: the same graph gives the same file
                 "UID:" + ics.text(uid)]
        if as_of is not None:
            state = words.get(item.state, item.state)
            lines.append((f"Tilstand pr. {as_of.isoformat()}: " if lang == "da" else f"State as of {as_of.isoformat()}: ")
                         + state + (f" – {item.reason}" if item.reason else ""))
            event.append("CATEGORIES:" + ics.text(state))
        event += ["DESCRIPTION:" + ics.text("\n".join(lines)), "URL:" + item.milestone, "END:VEVENT"]
        out += [ics.fold(line) for line in event]
    out.append(ics.fold("END:VCALENDAR"))
    return b"".join(out)


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
    # (milestone or task, initiative, reason): first shown reached by a report after the earlier
    # round, up to the later one
    reached: tuple[tuple[str, str, str], ...] = ()


class NoSuchRound(RammegrafError):
    """A date that is not a status round in the graph."""


def changes(engine, *, from_date: date, to_date: date, lang: str = "da", states=None,
            labels: Labels | None = None, after: dict | None = None) -> Changes:
    """What changed from one status round to another: only rounds (rg:StatusRound) are
    compared, so an initiative is new or dropped by what the two rounds report, never
    because of a single update; what was reached in between is what ``milestone_states``
    and the reports say. ``states``: ``milestone_states(engine, to_date, include_all=True)``
    when the caller has it already (the status document), so it is not decided twice; likewise
    ``labels`` (in ``lang``) and ``after``, the round of ``to_date``'s members to their phase
    (``network.round_members``)."""
    rounds = round_dates(engine)
    for day in (from_date, to_date):
        if day not in rounds:
            raise NoSuchRound(f"der er ingen statusrunde pr. {day.isoformat()}; runderne er "
                             f"{', '.join(d.isoformat() for d in rounds)} (no status round on that date)")
    labels = labels if labels is not None else Labels(engine, lang)
    before, after = _phases(engine, from_date, labels), _phases(engine, to_date, labels, after)
    name = lambda node: labels.display(node)  # noqa: E731
    key = lambda row: row[0].casefold()  # noqa: E731
    changed = sorted(((name(i), before[i], after[i]) for i in before.keys() & after.keys()
                      if before[i] != after[i]), key=key)
    unchanged = sorted(((name(i), after[i]) for i in before.keys() & after.keys() if before[i] == after[i]), key=key)
    new = sorted(((name(i), after[i]) for i in after.keys() - before.keys()), key=key)
    dropped = sorted(((name(i), before[i]) for i in before.keys() - after.keys()), key=key)

    from .facts import facts_of

    seen: dict = {}
    for value, rows in facts_of(engine).sources.items():   # each milestone's words, last day and sources' dates
        words, latest, _ = next(iter(rows)) if len(rows) == 1 else min(rows, key=lambda row: tuple(v or "" for v in row))
        seen[iri(value)] = [words or "", _day(latest) if latest else None,
                            {date.fromisoformat(when) for _, _, when in rows if when is not None}]
    added, passed = [], []
    for milestone, (words, latest, reported) in seen.items():
        if to_date in reported and not any(d <= from_date for d in reported):
            added.append((milestone, words))
        if latest is not None and from_date <= latest < to_date:
            passed.append((milestone, words, latest.isoformat()))
    labels.load([m for m, *_ in (*added, *passed)])     # only those named (at 1M, a few of 22,000)
    added = [(name(m), words) for m, words in added]
    passed = [(name(m), words, latest) for m, words, latest in passed]
    # milestones: the one decision of milestone_states; tasks: the first report that says so
    if states is None:   # decided unnamed for all, then named for those reached in between
        picked = [d.milestone for d in milestone_states(engine, to_date, within=0, include_all=True, labelled=False)
                  if d.proof is not None and from_date < d.proof.day]
        states = milestone_states(engine, to_date, within=0, include_all=True, lang=lang, labels=labels,
                                  milestones=picked) if picked else []
    reached = []
    for item in states:
        if item.proof is not None and from_date < item.proof.day:
            owner = item.proof.initiative[1] if item.proof.initiative else "; ".join(item.initiatives)
            reached.append((item.label, owner, item.reason))
    first: dict = {}
    for task, report, day, initiative, source in engine.query("""SELECT ?task ?report ?day ?initiative ?source
            WHERE { ?report rg:reached ?task ; rg:asOf ?day ; rg:statusOf ?initiative . ?task a rg:Task .
                    OPTIONAL { ?report prov:wasDerivedFrom ?source } }""").rows:
        when = date_of(day)
        if when is not None and (task not in first or (when, report.value) < (first[task][0], first[task][1].value)):
            first[task] = (when, report, initiative, source)
    labels.load(t for task, found in first.items() for t in (task, *found[1:]) if t is not None)
    for task, (when, report, initiative, source) in first.items():
        if from_date < when <= to_date:
            proof = Evidence("reported", (report.value, name(report)), when,
                             (source.value, name(source)) if source is not None else None)
            reached.append((name(task), name(initiative), proof.reason(lang)))
    return Changes(from_date, to_date, tuple(changed), tuple(unchanged), tuple(new), tuple(dropped),
                   tuple(sorted(added, key=key)), tuple(sorted(passed, key=lambda r: (r[2], r[0].casefold()))),
                   tuple(sorted(reached, key=key)))


def _phases(engine, day: date, labels: Labels, members: dict | None = None) -> dict:
    """Each initiative in the round of ``day`` to its phase's label (``members``: the round's
    members to their phase, when the caller has read them)."""
    members = members if members is not None else round_members(engine, day)
    labels.load([iri(i) for i in members] + [p for p in members.values() if p is not None])
    return {iri(initiative): (labels.of(phase) or "") if phase is not None else ""
            for initiative, phase in members.items()}


CHANGE_WORDS = {
    "da": {"title": "Ændringer fra {a} til {b}", "changed": "Faseskift", "new": "Nye initiativer",
           "dropped": "Udgået (ikke i den seneste runde)", "unchanged": "Uændret", "added": "Nye milepæle",
           "passed": "Milepæle hvis sidste dag faldt i perioden", "reached": "Nået siden den forrige runde (og hvad der viser det)",
           "none": "Ingen."},
    "en": {"title": "Changes from {a} to {b}", "changed": "Phase changes", "new": "New initiatives",
           "dropped": "Dropped (not in the later round)", "unchanged": "Unchanged", "added": "New milestones",
           "passed": "Milestones whose last day fell in the period", "reached": "Reached since the earlier round (and what shows it)",
           "none": "None."},
}


def _sections(c: Changes, lang: str) -> list[tuple[str, list[str]]]:
    w = CHANGE_WORDS.get(lang, CHANGE_WORDS["en"])
    return [
        (w["changed"], [f"{i}: {a} → {b}" for i, a, b in c.changed]),
        (w["new"], [f"{i} ({p})" for i, p in c.new]),
        (w["dropped"], [f"{i} ({p})" for i, p in c.dropped]),
        (w["reached"], [f"{m} ({i}): {reason}" if reason else f"{m} ({i})" for m, i, reason in c.reached]),
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

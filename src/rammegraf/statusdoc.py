"""The status document of a round (`rammegraf report`): what the secretariat sends to
DASSOS before a meeting, made from the graph, in the layout of the sources.

``gather`` reads everything the document says, set-at-a-time (a fixed number of
queries whatever the number of initiatives: lookups by VALUES in chunks, or the whole
graph once, as ``rounds`` does), into one plain dictionary. Each format renders that
same dictionary: HTML and Markdown from Jinja templates in ``templates/``, PDF from the
HTML with WeasyPrint and a print stylesheet, DOCX from a Word template with docxtpl
(``templates/statusrapport.docx``, or one the secretariat restyled in Word).

The document: a summary (the phases at a glance as a chart with its text alternative,
what changed since the round before — ``rounds.changes`` — and the next deadlines),
then per development area its heading and goals, and a table with a row per initiative
of the round ("Initiativ | Opgaver | Status pr. …"): the initiative and what it is worked
on under, its tasks, and the round's phase and status text, its milestones with their
state as ``rounds.milestone_states`` decides it (with the reason when reached), and what
the round reports reached. Every fact carries the number of its source document [n],
listed at the end.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from .errors import RammegrafError
from .labels import Labels
from .namespaces import PROV, RG, SKOS
from .terms import date_of, iri, literal, text

FORMATS = (".docx", ".pdf", ".html", ".md")
DOCX_TEMPLATE = Path(__file__).parent / "templates" / "statusrapport.docx"
NEXT = 10   # the next deadlines the summary lists

WORDS = {
    "da": {"title": "Handlingsplan – status pr. {day}", "subtitle": "Rammeaftale 2025-26 – statusrapport",
           "summary": "Sammenfatning", "phases": "Faserne på et øjeblik",
           "changes": "Ændringer siden runden pr. {day}", "no_before": "Der er ingen tidligere runde at sammenligne med.",
           "deadlines": "De næste frister", "no_deadlines": "Ingen kommende frister.",
           "goals": "Målsætninger", "initiative": "Initiativ", "tasks": "Opgaver", "status": "Status pr. {day}",
           "under": "I regi af", "part_of": "Del af", "phase": "Fase", "milestones": "Milepæle",
           "reached_here": "Nået i denne runde", "sources": "Kilder", "none": "Ingen.",
           "initiatives": "{n} initiativer i runden", "source_word": "kilde",
           "chart_alt": "Diagram", "table_phase": "Fase", "table_count": "Antal initiativer",
           "made": "Lavet af rammegraf ud fra vidensgrafen; tallene i [ ] henviser til kilderne sidst i dokumentet.",
           "area": "Udviklingsområde", "state": "tilstand", "date": "Dato (kildens ord)",
           "owner": "Initiativ", "milestone": "Milepæl", "overdue_count": "{n} milepæle er overskredet pr. {day}.",
           "area_link": "Se områdets initiativer i runden ({n})"},
    "en": {"title": "Action plan – status as of {day}", "subtitle": "Framework agreement 2025-26 – status report",
           "summary": "Summary", "phases": "The phases at a glance",
           "changes": "Changes since the round of {day}", "no_before": "There is no earlier round to compare with.",
           "deadlines": "The next deadlines", "no_deadlines": "No upcoming deadlines.",
           "goals": "Goals", "initiative": "Initiative", "tasks": "Tasks", "status": "Status as of {day}",
           "under": "Worked on under", "part_of": "Part of", "phase": "Phase", "milestones": "Milestones",
           "reached_here": "Reached in this round", "sources": "Sources", "none": "None.",
           "initiatives": "{n} initiatives in the round", "source_word": "source",
           "chart_alt": "Chart", "table_phase": "Phase", "table_count": "Initiatives",
           "made": "Made by rammegraf from the knowledge graph; the numbers in [ ] refer to the sources at the end.",
           "area": "Development area", "state": "state", "date": "Date (the source's words)",
           "owner": "Initiative", "milestone": "Milestone", "overdue_count": "{n} milestones are overdue as of {day}.",
           "area_link": "See the area's initiatives in the round ({n})"},
}


class ReportError(RammegrafError):
    """A report that cannot be made: no such round, a format we do not write, a bad template."""

    exit_code = 2


# ---------------------------------------------------------------------------------------
# What the document says (set-at-a-time)
# ---------------------------------------------------------------------------------------

_ROUND = """SELECT ?initiative ?report ?phase ?text ?source WHERE {
    ?source a rg:StatusRound ; dcterms:date ?day .
    ?report prov:wasDerivedFrom ?source ; rg:statusOf ?initiative .
    OPTIONAL { ?report rg:phase ?phase } OPTIONAL { ?report rg:text ?text } }"""
# a page of a large round (gather's ``part``): the reports without their texts (at 1M 11,250
# texts read took 0.4 s), then the texts of the initiatives it shows
_ROUND_PHASES = """SELECT ?initiative ?report ?phase ?text ?source WHERE {
    ?source a rg:StatusRound ; dcterms:date ?day .
    ?report prov:wasDerivedFrom ?source ; rg:statusOf ?initiative .
    OPTIONAL { ?report rg:phase ?phase } }"""
_REPORT_TEXT = "SELECT ?report ?text WHERE { ?report rg:text ?text }"
_REACHED = """SELECT ?initiative ?item WHERE {
    ?source a rg:StatusRound ; dcterms:date ?day .
    ?report prov:wasDerivedFrom ?source ; rg:statusOf ?initiative ; rg:reached ?item }"""
_AREAS = "SELECT ?initiative ?area ?number WHERE { ?initiative rg:developmentArea ?area . ?area skos:notation ?number }"
_GOALS = "SELECT ?area ?goal WHERE { ?goal a rg:Goal ; rg:developmentArea ?area }"
_LINKS = """SELECT ?initiative ?kind ?target WHERE {
    { ?initiative rg:governedBy ?target BIND ("under" AS ?kind) }
    UNION { ?initiative rg:partOf ?target BIND ("part_of" AS ?kind) }
    UNION { ?initiative rg:hasTask ?target BIND ("task" AS ?kind) } }"""
# a task's own words (read whole above rounds.WHOLE tasks: only tasks', not every report's text)
_TASK_TEXT = "SELECT ?task ?text WHERE { ?task a rg:Task ; rg:text ?text }"
_SOURCES = "SELECT ?thing ?source WHERE { ?thing prov:wasDerivedFrom ?source }"
# Many things cited (above rounds.WHOLE): the sources of the kinds the document cites, and of the
# round's reports, read whole; not those of every status report of every round (at a million
# triples 112,000 of the 167,000 rows ?thing prov:wasDerivedFrom ?source has). Each side is a
# sub-select, so Oxigraph reads the sources whole and joins them by hash instead of looking up
# each of the 45,000 things (at a million triples 0.6 s instead of 1.1 s)
_SOURCES_CITED = """SELECT ?thing ?source WHERE {
    { { SELECT ?thing WHERE { ?thing a rg:Initiative } } UNION { SELECT ?thing WHERE { ?thing a rg:Milestone } }
      UNION { SELECT ?thing WHERE { ?thing a rg:Task } } UNION { SELECT ?thing WHERE { ?thing a rg:Goal } } }
    { SELECT ?thing ?source WHERE { ?thing prov:wasDerivedFrom ?source } } }"""
_ROUND_SOURCES = """SELECT ?thing ?source WHERE {
    ?round a rg:StatusRound ; dcterms:date ?day . ?thing prov:wasDerivedFrom ?round , ?source }"""
_SOURCE_DATES = "SELECT ?source ?day WHERE { ?source a rg:SourceDocument OPTIONAL { ?source dcterms:date ?day } }"


def choose_rounds(engine, as_of: date | None, since: date | None) -> tuple[date, date | None]:
    """The round the report is of (``as_of``, else the latest) and the one it is compared
    with (``since``, else the round before); a date that is no round is a sentence."""
    from .network import round_dates

    rounds = round_dates(engine)
    listed = ", ".join(d.isoformat() for d in rounds) or "ingen (none)"
    if not rounds:
        raise ReportError("grafen har ingen statusrunde; en rapport er altid om en runde (the graph has no status round)")
    day = as_of or rounds[-1]
    for wanted in (day, since):
        if wanted is not None and wanted not in rounds:
            raise ReportError(f"der er ingen statusrunde pr. {wanted.isoformat()}; runderne er {listed} "
                              "(no status round on that date)")
    if since is not None and since >= day:
        raise ReportError(f"--since {since.isoformat()} skal være før runden pr. {day.isoformat()} "
                          "(--since must be an earlier round)")
    before = [d for d in rounds if d < day]
    return day, since if since is not None else (before[-1] if before else None)


def gather(engine, *, as_of: date | None = None, since: date | None = None, lang: str = "da",
           part: str | None = None) -> dict:
    """Everything the status document of a round says, as one dictionary for the templates.

    ``part`` gathers one page of a large round (/rapport): "summary", the summary and each
    area's heading and number of initiatives, without their rows; or an area's IRI, that
    area's goals and rows alone, without the summary (a ReportError when the round has no
    initiative under it). Each cites only what it shows; a source's number is the same as
    in the whole document (``Citations``: numbered by the sources' dates)."""
    from .charts import show_date
    from .facts import _Reader
    from .rounds import _lookup, changes, milestone_states
    from .servercopy import kept as copies_kept

    day, before = choose_rounds(engine, as_of, since)
    words = WORDS[lang]
    labels = Labels(engine, lang)
    reports: dict[str, dict] = {}
    if part == "summary" and (_Reader(engine).store is not None or copies_kept(engine)):
        # the round's members and their phases from the derived facts kept with the store or
        # a server's copy (facts.Facts.round_members: at 1M 0.04 s, where reading the round's
        # 11,250 reports took 0.8 s, from Virtuoso 0.4-1.7 s)
        from .facts import facts_of

        round_rows = [(iri(initiative), None, iri(phase) if phase else None, None, None)
                      for initiative, phase in facts_of(engine).round_members(day).items()]
    else:
        round_rows = engine.query(_ROUND if part is None else _ROUND_PHASES, {"day": literal(day)}).rows
    for initiative, report, phase, words_, source in round_rows:
        entry = reports.setdefault(initiative.value, {"report": report, "phase": phase, "text": "", "source": source})
        entry["text"] = entry["text"] or text(words_)
    everyone = sorted(reports)
    area_of: dict[str, tuple] = {}
    for initiative, area, number in _areas(engine, everyone):
        key = (_number(number), area.value)
        if initiative.value not in area_of or key < area_of[initiative.value]:
            area_of[initiative.value] = key   # under two areas: the first, as the sources and status-i-rapport do
    summary = part is None or part == "summary"
    if part is None:
        members = everyone
    elif part == "summary":
        members = []
    else:
        members = [i for i in everyone if area_of.get(i, (None, None))[1] == part]
        if not members:
            raise ReportError(f"runden pr. {day.isoformat()} har intet initiativ under {part} "
                              "(the round has no initiative under that development area)")
    shown = set(members)
    if part is not None and members:   # the texts of the initiatives shown, read now
        said: dict[str, str] = {}
        for report, words_ in _texts(engine, [reports[i]["report"].value for i in members]):
            said.setdefault(report, text(words_))
        for initiative in members:
            reports[initiative]["text"] = said.get(reports[initiative]["report"].value, "")
    reached: dict[str, list] = {}
    for initiative, item in _reached(engine, round_rows, day) if members else ():
        if initiative.value in shown:
            reached.setdefault(initiative.value, []).append(item)

    links: dict[str, dict[str, list]] = {}
    for initiative, kind, target in _lookup(engine, _LINKS, "initiative", members):
        links.setdefault(initiative.value, {}).setdefault(text(kind), []).append(target)
    tasks = sorted({t.value for found in links.values() for t in found.get("task", [])})
    task_text = {task.value: text(words_) for task, words_ in _lookup(engine, _TASK_TEXT, "task", tasks)}
    counted: dict[str, int] = {}
    for initiative in everyone:
        if initiative in area_of:
            counted[area_of[initiative][1]] = counted.get(area_of[initiative][1], 0) + 1
    areas = sorted({a for a in area_of.values()})
    if part is not None and part != "summary":
        areas = [a for a in areas if a[1] == part]
    goals: dict[str, list] = {}
    for area, goal in engine.query(_GOALS).rows if members else ():
        if any(area.value == a for _, a in areas):
            goals.setdefault(area.value, []).append(goal)

    unnamed = None
    if part == "summary":
        # decided unnamed for every milestone (half the time), then named for those the summary
        # names: the next deadlines (every one as early as the NEXT-th, for the order by label)
        # and those reached since the round before (``changes``)
        unnamed = milestone_states(engine, day, within=90, include_all=True, labelled=False)
        ahead = sorted((s for s in unnamed if s.state in ("due", "upcoming", "later")),
                       key=lambda s: (s.earliest, s.latest))
        cut = (ahead[NEXT - 1].earliest, ahead[NEXT - 1].latest) if len(ahead) >= NEXT else None
        named = {s.milestone for s in ahead if cut is None or (s.earliest, s.latest) <= cut}
        if before is not None:
            named |= {s.milestone for s in unnamed if s.proof is not None and before < s.proof.day}
        states = milestone_states(engine, day, within=90, include_all=True, lang=lang, labels=labels,
                                  milestones=sorted(named)) if named else []
    elif summary:
        states = milestone_states(engine, day, within=90, include_all=True, lang=lang, labels=labels)
    else:   # an area's page: its initiatives' milestones alone
        from .facts import facts_of

        owned = [m for m, rows in facts_of(engine).owners.items() if any(i in shown for i, _ in rows)]
        states = milestone_states(engine, day, within=90, include_all=True, lang=lang, labels=labels,
                                  milestones=owned)
    mine: dict[str, list] = {}
    for state in states:
        for owner, _ in state.owners:
            if owner in shown:
                mine.setdefault(owner, []).append(state)

    cited = (members + [reports[i]["report"].value for i in members] + tasks
             + [g.value for found in goals.values() for g in found]
             + sorted({s.milestone for found in mine.values() for s in found}))
    source_of: dict[str, set] = {}
    for thing, source in _sources(engine, cited, day):
        source_of.setdefault(thing.value, set()).add(source.value)
    for initiative in members:
        r = reports[initiative]
        if r["source"] is not None:
            source_of.setdefault(r["report"].value, set()).add(r["source"].value)
    dated = {s.value: date_of(d) for s, d in engine.query(_SOURCE_DATES).rows}
    labels.load([iri(i) for i in members] + [iri(a) for _, a in areas]
                + [t for found in goals.values() for t in found]
                + [t for found in links.values() for group in found.values() for t in group]
                + [r["phase"] for r in reports.values() if r["phase"] is not None]
                + [t for found in reached.values() for t in found] + [iri(s) for s in dated])
    sources = Citations(dated, labels)

    def cite(thing: str) -> str:
        return sources.cite(source_of.get(thing, ()))

    shown_areas = []
    for number, area in areas:
        rows = []
        for initiative in sorted((i for i in members if area_of.get(i, (None, None))[1] == area),
                                 key=lambda i: labels.display_iri(i).casefold()):
            r, found = reports[initiative], links.get(initiative, {})
            ms = sorted(mine.get(initiative, ()), key=lambda s: (s.earliest, s.latest, s.label.casefold()))
            rows.append({
                "id": initiative.rsplit("/id/", 1)[-1], "iri": initiative, "name": labels.display_iri(initiative),
                "cite": cite(initiative),
                "under": sorted(labels.display(t) for t in found.get("under", [])),
                "part_of": sorted(labels.display(t) for t in found.get("part_of", [])),
                "tasks": [{"text": (task_text.get(t.value) if lang == "da" else None) or labels.display(t),
                           "cite": cite(t.value)} for t in sorted(found.get("task", []), key=lambda t: t.value)],
                "phase": labels.display(r["phase"]) if r["phase"] is not None else "",
                "text": r["text"], "status_cite": cite(r["report"].value),
                "milestones": [{"label": s.label, "date_text": s.date_text, "state": s.state,
                                "state_words": _state(s.state, lang), "reason": s.reason,
                                "cite": cite(s.milestone)} for s in ms],
                "reached": sorted(labels.display(t) for t in reached.get(initiative, [])),
            })
        name = labels.display_iri(area)
        shown_areas.append({"number": number if number < 10**6 else "", "name": name,
                            "heading": f"{number}. {name}" if number < 10**6 else name,
                            "iri": area,
                            "goals": [{"text": labels.display(g), "cite": cite(g.value)}
                                      for g in sorted(goals.get(area, []), key=lambda g: g.value)],
                            "initiatives": rows, "count": counted.get(area, 0)})

    if part is None:
        chart_areas = shown_areas
    elif part == "summary":   # no rows of its own: the round's phases read for the chart
        chart_areas = _chart_areas(shown_areas, everyone, area_of, reports, labels)
    else:
        chart_areas = []
    day_words = show_date(day, lang)
    upcoming = sorted((s for s in states if s.state in ("due", "upcoming", "later")),
                      key=lambda s: (s.earliest, s.latest, s.label.casefold()))[:NEXT] if summary else []
    overdue = sum(1 for s in (unnamed if unnamed is not None else states) if s.state == "overdue") if summary else 0
    for s in upcoming:
        source_of.setdefault(s.milestone, set())
    extra = [s.milestone for s in upcoming if not source_of[s.milestone]]
    for thing, source in _lookup(engine, _SOURCES, "thing", extra):
        source_of[thing.value].add(source.value)
    counts: dict[str, int] = {}
    for r in reports.values():
        name = labels.display(r["phase"]) if r["phase"] is not None else "–"
        counts[name] = counts.get(name, 0) + 1
    doc = {
        "lang": lang, "w": words, "as_of": day.isoformat(), "day": day_words,
        "title": words["title"].format(day=day_words), "subtitle": words["subtitle"],
        "status_heading": words["status"].format(day=day_words),
        "count_line": words["initiatives"].format(n=len(everyone)),
        "phase_counts": sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])),
        "chart": phase_chart(chart_areas, lang, day_words),
        "since": before.isoformat() if before else None,
        "changes_heading": words["changes"].format(day=show_date(before, lang)) if before else words["summary"],
        "changes": _changes(changes(engine, from_date=before, to_date=day, lang=lang, states=states, labels=labels,
                                    after={i: r["phase"] for i, r in reports.items()}), lang)
        if before and summary else [],
        "part": part,
        "deadlines": [{"label": s.label, "date_text": s.date_text, "state_words": _state(s.state, lang),
                       "owners": "; ".join(s.initiatives), "cite": cite(s.milestone)} for s in upcoming],
        "overdue_line": words["overdue_count"].format(n=overdue, day=day_words) if overdue else "",
        "areas": shown_areas,
    }
    doc["sources"] = sources.listed()
    return doc


def _texts(engine, reports: list[str]) -> list[tuple[str, object]]:
    """(report IRI, text term) of these status reports: straight from the store's index, else asked."""
    from .facts import _Reader
    from .rounds import _lookup

    read = _Reader(engine)
    if read.store is not None:
        return list(read.pairs(str(RG.text), subjects=list(dict.fromkeys(reports))))
    return [(report.value, words) for report, words in _lookup(engine, _REPORT_TEXT, "report", reports)]


def _chart_areas(shown_areas: list[dict], everyone: list[str], area_of: dict, reports: dict, labels) -> list[dict]:
    """For the summary of a paged report: each area with a row (its phase) per initiative of
    the round, as ``phase_chart`` reads the areas of the whole document."""
    labels.load(iri(i) for i in everyone)     # in the whole document's order: by name within an area
    phases: dict[str, list] = {}
    for initiative in sorted(everyone, key=lambda i: labels.display_iri(i).casefold()):
        if initiative in area_of:
            phase = reports[initiative]["phase"]
            phases.setdefault(area_of[initiative][1], []).append(
                {"phase": labels.display(phase) if phase is not None else ""})
    return [{"name": area["name"], "initiatives": phases.get(area["iri"], [])} for area in shown_areas]


def _reached(engine, rows: list, day: date) -> list:
    """(initiative, item) for what each report of the round says it reached: ``_REACHED``'s rows,
    read as the round's reports (``rows`` of ``_ROUND``) and every rg:reached pair of the graph
    when that is read straight from the store (a few thousand at a million triples, 0.01 s; the
    join on disk took 0.4 s), else asked."""
    import pyoxigraph as ox

    from .facts import _Reader

    read = _Reader(engine)
    if read.store is None or not all(isinstance(row[1], ox.NamedNode) for row in rows):
        return engine.query(_REACHED, {"day": literal(day)}).rows
    said: dict[str, list] = {}
    for report, item in read.pairs(str(RG.reached)):
        said.setdefault(report, []).append(item)
    # one row per round source and initiative of each report, as the join gives them
    return [(initiative, item) for initiative, report, source in dict.fromkeys(
                (initiative, report, source) for initiative, report, _, _, source in rows)
            for item in said.get(report.value, ())]


def _areas(engine, members: list[str]) -> list:
    """``_AREAS``'s rows for the round's initiatives: rg:developmentArea read whole and each
    area's skos:notation (twenty areas) straight from the store, else asked."""
    import pyoxigraph as ox

    from .facts import _Reader
    from .rounds import _lookup

    read = _Reader(engine)
    if read.store is None:
        return _lookup(engine, _AREAS, "initiative", members)
    wanted = set(members)
    pairs = [(initiative, area) for initiative, area in read.pairs(str(RG.developmentArea)) if initiative in wanted]
    if not all(isinstance(area, ox.NamedNode) for _, area in pairs):   # an area that is no IRI: asked
        return _lookup(engine, _AREAS, "initiative", members)
    numbers: dict[str, list] = {}
    for area, number in read.pairs(str(SKOS.notation), subjects={area.value for _, area in pairs}):
        numbers.setdefault(area, []).append(number)
    return [(ox.NamedNode(initiative), area, number) for initiative, area in pairs for number in numbers.get(area.value, ())]


# things cited that are looked up one by one in the store's index (15 µs each at 1M) rather than
# read whole by kind (0.6-1.1 s at 1M, whatever their number): an area's page of a large round
# cites 2,300, over rounds.WHOLE, so they were read whole (0.9-1.05 s; 0.07 s here)
LOOKED_UP_AT_MOST = 20_000


def _sources(engine, cited: list[str], day: date) -> list:
    """(thing, source) for each of ``cited``: looked up by VALUES, straight from the store's
    index, or (many) read whole by kind."""
    import pyoxigraph as ox

    from .facts import _Reader
    from .rounds import WHOLE, _lookup

    read = _Reader(engine)
    if read.store is not None and len(cited) <= LOOKED_UP_AT_MOST:
        return [(ox.NamedNode(thing), source)
                for thing, source in read.pairs(str(PROV.wasDerivedFrom), subjects=list(dict.fromkeys(cited)))]
    if len(cited) <= WHOLE:
        return _lookup(engine, _SOURCES, "thing", cited)
    wanted = set(cited)
    rows = engine.query(_SOURCES_CITED).rows + engine.query(_ROUND_SOURCES, {"day": literal(day)}).rows
    return [(thing, source) for thing, source in rows if thing.value in wanted]


def _number(term) -> int:
    try:
        return int(text(term))
    except ValueError:
        return 10**6


def _state(state: str, lang: str) -> str:
    from .rounds import STATE_WORDS

    return STATE_WORDS[lang].get(state, state)


def _changes(c, lang: str) -> list[dict]:
    """``rounds.changes`` as the document's sections (those with something in them)."""
    from .rounds import _sections

    unchanged = _sections(c, lang)[-1][0]
    return [{"heading": heading, "items": items} for heading, items in _sections(c, lang)
            if items and heading != unchanged]


class Citations:
    """The source documents cited, numbered in the order of their dates: [1], [2]."""

    def __init__(self, dated: dict[str, date | None], labels: Labels) -> None:
        order = sorted(dated, key=lambda s: (dated[s] or date.max, s))
        self.number = {s: n for n, s in enumerate(order, start=1)}
        self.dated, self.labels, self.used = dated, labels, set()

    def cite(self, sources) -> str:
        numbers = sorted(self.number[s] for s in sources if s in self.number)
        self.used.update(numbers)
        return f"[{', '.join(map(str, numbers))}]" if numbers else ""

    def listed(self) -> list[dict]:
        by_number = {n: s for s, n in self.number.items()}
        return [{"number": n, "label": self.labels.display(iri(by_number[n])), "iri": by_number[n],
                 "date": self.dated[by_number[n]].isoformat() if self.dated[by_number[n]] else ""}
                for n in sorted(self.used)]


def phase_chart(areas: list[dict], lang: str, day_words: str) -> dict:
    """The phases at a glance: initiatives per development area, stacked by phase, as a
    Vega-Lite spec (rammegraf.charts) with its text alternative."""
    from .charts import ChartDecl, build

    result = {"vars": ["area", "phase"],
              "captions": ["Udviklingsområde", "Fase"] if lang == "da" else ["Development area", "Phase"],
              "types": ["nominal", "nominal"],
              "rows": [[{"text": area["name"]}, {"text": row["phase"]}]
                       for area in areas for row in area["initiatives"]]}
    title = (f"Initiativer pr. udviklingsområde og fase pr. {day_words}" if lang == "da"
             else f"Initiatives per development area and phase as of {day_words}")
    if not result["rows"]:
        return {"spec": None, "alt": "", "title": title}
    spec = build(ChartDecl("bar", x="count", y="area", color="phase"), result, lang, title=title)
    return {"spec": spec, "alt": spec["description"], "title": title}


# ---------------------------------------------------------------------------------------
# The formats
# ---------------------------------------------------------------------------------------

def _environment():
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    from .viz import TEMPLATES

    return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                       trim_blocks=True, lstrip_blocks=True)


CHARTS_KEPT = 64   # drawn charts kept in the cache (the newest); each is some 200 kB


def chart_png(doc: dict) -> bytes | None:
    """The chart as a PNG: from the cache when this very chart was drawn before (the same round
    in another format, or again), else drawn by vl-convert and kept. A process's first drawing
    starts vl-convert's JavaScript engine, half a second of a report of the shipped data."""
    spec = doc["chart"]["spec"]
    return _cached_png(spec) if spec else None


def _cached_png(spec: dict) -> bytes:
    """``charts.png(spec)``, kept in ``<cache>/charts/`` under the SHA-256 of the spec and the
    versions that draw it; a cache that cannot be read or written is only slower."""
    import hashlib
    import json

    import vl_convert

    from .charts import VL_VERSION, png
    from .store import cache_root, write_atomic

    key = hashlib.sha256(json.dumps([spec, VL_VERSION, getattr(vl_convert, "__version__", ""), 2.0],
                                    sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()
    folder = cache_root() / "charts"
    path = folder / f"{key}.png"
    try:
        data = path.read_bytes()
        if data.startswith(b"\x89PNG\r\n\x1a\n"):
            return data
    except OSError:
        pass
    data = png(spec)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        write_atomic(path, data)
        kept = sorted(folder.glob("*.png"), key=lambda f: f.stat().st_mtime, reverse=True)
        for old in kept[CHARTS_KEPT:]:
            old.unlink(missing_ok=True)
    except OSError:
        pass
    return data


def to_html(doc: dict, *, picture: str = "svg", png_bytes: bytes | None = None) -> str:
    """The document as one HTML file with its print stylesheet; the chart as inline SVG
    (checked by rammegraf.charts: no script, no outside link), or as a PNG data URI for
    WeasyPrint (``picture="png"``)."""
    import base64

    from .charts import svg

    spec = doc["chart"]["spec"]
    drawing = {"svg": None, "png": None}
    if spec and picture == "svg":
        drawing["svg"] = svg(spec)
    elif spec:
        data = png_bytes if png_bytes is not None else chart_png(doc)
        drawing["png"] = "data:image/png;base64," + base64.b64encode(data).decode("ascii")
    css = (Path(__file__).parent / "templates" / "statusrapport.css").read_text(encoding="utf-8")
    return _environment().get_template("statusrapport.html").render(doc=doc, drawing=drawing, css=css)


def to_markdown(doc: dict, *, picture: str | None = None) -> str:
    """The document as Markdown; ``picture`` is the chart's file name beside it."""
    return _environment().get_template("statusrapport.md").render(doc=doc, picture=picture, md=_md)


def _md(value: str) -> str:
    """Text from the data for a Markdown line or table cell: markup characters escaped,
    line breaks kept as <br> in a cell-safe way (no HTML from the data gets through)."""
    import html
    import re

    escaped = re.sub(r"([\\`*_{}\[\]()#+\-.!|<>~])", r"\\\1", html.unescape(str(value)))
    return escaped.replace("\r\n", "\n").replace("\n\n", " ¶ ").replace("\n", " ")


def to_pdf(doc: dict, *, png_bytes: bytes | None = None) -> bytes:
    """The document as PDF: WeasyPrint lays out the HTML with the print stylesheet and
    embeds the fonts (DejaVu or another with æ, ø and å); it fetches nothing (only the
    chart's data: URI is read)."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    # only data: URIs (the chart); any other URL, file: too, is refused inside WeasyPrint
    fetcher = URLFetcher(allowed_protocols=("data",), allow_redirects=False, timeout=1)
    page = to_html(doc, picture="png", png_bytes=png_bytes)
    return HTML(string=page, url_fetcher=fetcher, base_url=None).write_pdf()


def to_docx(doc: dict, *, template: Path | None = None, png_bytes: bytes | None = None) -> bytes:
    """The document as Word, from a docxtpl template (the shipped one, or ``template`` that
    the secretariat restyled in Word). Data is escaped (autoescape) and the template runs in
    Jinja's sandbox; the chart is an inline picture with its text alternative."""
    import io

    from docx.shared import Mm
    from docxtpl import DocxTemplate, InlineImage, Listing
    from jinja2.sandbox import SandboxedEnvironment

    path = Path(template) if template is not None else DOCX_TEMPLATE
    if template is not None:
        from .officefiles import check_package

        check_package(path, kind="docx", error=ReportError)
    try:
        tpl = _template(DocxTemplate)(str(path))
    except Exception as error:   # python-docx raises many kinds for what is no Word document
        raise ReportError(f"{path}: ikke en Word-skabelon ({type(error).__name__}) (not a Word template)") from None
    context = dict(doc)
    spec = doc["chart"]["spec"]
    data = png_bytes if png_bytes is not None else (chart_png(doc) if spec else None)
    context["chart_image"] = InlineImage(tpl, io.BytesIO(data), width=Mm(160)) if data else ""
    context["phase_line"] = ", ".join(f"{phase} {n}" for phase, n in doc["phase_counts"])
    context["areas"] = [{**area, "initiatives": [_word_row(row, doc["w"], Listing) for row in area["initiatives"]]}
                        for area in doc["areas"]]
    try:
        tpl.render(context, jinja_env=SandboxedEnvironment(), autoescape=True)
    except Exception as error:   # a template with a Jinja mistake, written in Word
        raise ReportError(f"{path}: skabelonen kan ikke udfyldes: {error} (the template cannot be filled in)") from None
    _alt_texts(tpl.docx, doc["chart"]["alt"], doc["chart"]["title"])
    out = io.BytesIO()
    tpl.save(out)
    return out.getvalue()


def _template(base):
    """docxtpl's template, but its rendered body is put into the document by one parse of the
    whole document's text: docxtpl moves the parsed body into the template's document, and lxml
    then walks every node to settle its namespace (7 of the 14 s of the Word file of a million
    triples' report, its 1.5 million nodes)."""
    class Template(base):
        def map_tree(self, tree):
            from docx.document import Document
            from docx.oxml.parser import element_class_lookup
            from lxml import etree

            # python-docx's parser and element classes, the blank text of the rendered body kept
            parser = etree.XMLParser(resolve_entities=False, no_network=True)
            parser.set_element_class_lookup(element_class_lookup)

            root = self.docx._element
            root.replace(root.body, etree.SubElement(etree.Element("gone"), root.body.tag))  # an empty body
            text = etree.tostring(root, encoding="unicode")
            if text.count("<w:body/>") != 1:     # a template that names Word's namespace otherwise
                root.replace(root.body, tree)      # docxtpl's own way
                return
            empty = text.index("<w:body/>")
            body = etree.tostring(tree, encoding="unicode")
            start = body.index(">") + 1
            if not tree.attrib and body[start - 2] != "/" and all(root.nsmap.get(k) == v for k, v in tree.nsmap.items()):
                body = "<w:body>" + body[start:]    # its namespaces declared again: the document's own
            whole = etree.fromstring(text[:empty] + body + text[empty + len("<w:body/>"):], parser)
            part = self.docx.part
            part._element = whole
            self.docx = Document(whole, part)

    return Template


def _word_row(row: dict, w: dict, listing) -> dict:
    """An initiative's cells for the Word table: lines kept as line breaks (docxtpl's Listing)."""
    links = [f"{w['under']}: {'; '.join(row['under'])}"] if row["under"] else []
    links += [f"{w['part_of']}: {'; '.join(row['part_of'])}"] if row["part_of"] else []
    milestones = [f"{m['label']} ({m['date_text']}): {m['state_words']}" + (f" – {m['reason']}" if m["reason"] else "")
                  + (f" {m['cite']}" if m["cite"] else "") for m in row["milestones"]]
    return {**row, "text": listing(row["text"]), "links": listing("\n".join(links)),
            "task_lines": listing("\n".join(f"• {t['text']} {t['cite']}".rstrip() for t in row["tasks"])),
            "milestone_lines": listing(f"{w['milestones']}:\n" + "\n".join(f"• {m}" for m in milestones)
                                       if milestones else ""),
            "reached_line": listing(f"{w['reached_here']}: {'; '.join(row['reached'])}" if row["reached"] else "")}


def _alt_texts(document, alt: str, title: str) -> None:
    """Every picture's alternative text (wp:docPr descr and title), which Word reads aloud."""
    from docx.oxml.ns import qn

    for pr in document.element.body.iter(qn("wp:docPr")):
        pr.set("descr", alt)
        pr.set("title", title)


def render(doc: dict, suffix: str, *, template: Path | None = None) -> bytes:
    """The document in the format of ``suffix`` (.docx, .pdf, .html, .md) as bytes."""
    suffix = suffix.lower()
    if suffix == ".html":
        return to_html(doc).encode("utf-8")
    if suffix == ".md":
        return to_markdown(doc).encode("utf-8")
    if suffix == ".pdf":
        return to_pdf(doc)
    if suffix == ".docx":
        return to_docx(doc, template=template)
    raise ReportError(f"rapporten kan skrives som {', '.join(FORMATS)}, ikke '{suffix or '(ingen endelse)'}' "
                      "(the report's format is chosen by the file's suffix)")


def write_report(engine, output: Path, *, as_of: date | None = None, since: date | None = None,
                 lang: str = "da", template: Path | None = None) -> dict:
    """Make the document and write it to ``output`` (atomically; a .md gets its chart as a
    PNG beside it). Returns the document's dictionary."""
    from .store import write_atomic

    suffix = Path(output).suffix.lower()
    if suffix not in FORMATS:
        render({}, suffix)   # the sentence
    if template is not None and suffix != ".docx":
        raise ReportError("--template gælder kun for .docx (--template is for a .docx report)")
    doc = gather(engine, as_of=as_of, since=since, lang=lang)
    if suffix == ".md":
        picture = None
        if doc["chart"]["spec"]:
            picture = Path(output).with_suffix(".png").name
            write_atomic(Path(output).with_suffix(".png"), chart_png(doc))
        write_atomic(Path(output), to_markdown(doc, picture=picture).encode("utf-8"))
    else:
        write_atomic(Path(output), render(doc, suffix, template=template))
    return doc

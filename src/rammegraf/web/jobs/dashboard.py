"""The job of the front page (the dashboard): which round, the overview (tiles, the phases'
flow, the milestones on a time axis, what changed), each named query's chart, and the
graph's counts, as one job: its parts run in one worker, one after another (side by side
in two workers, the first parts to take a second made the pool stop the youngest as a
long job while another part waited). The answer is cached with the store's version."""

from __future__ import annotations

from datetime import date

from ...labels import Labels
from ...terms import iri
from ..urls import link
from .common import NotFound, cell, html_result

RG_NS = "https://w3id.org/rammegraf/ontology#"

WORDS = {
    "da": {"flow": "Hvordan faserne flyttede sig fra {a} til {b}", "before": "Fase før", "after": "Fase efter",
           "initiatives": "Initiativer"},
    "en": {"flow": "How the phases moved from {a} to {b}", "before": "Phase before", "after": "Phase after",
           "initiatives": "Initiatives"},
}


def dashboard_round(engine, wanted: str | None) -> dict:
    """The round the front page shows (``wanted`` or the latest), the one before, and all."""
    from ...dashboard import choose_round
    from ...rounds import NoSuchRound

    try:
        day, previous, rounds = choose_round(engine, wanted)
    except NoSuchRound as error:
        if wanted:
            raise NotFound(str(error)) from None
        return {"day": None, "previous": None, "rounds": [], "message": str(error)}
    return {"day": day.isoformat(), "previous": previous.isoformat() if previous else None,
            "rounds": [d.isoformat() for d in rounds]}


def dashboard_chart(engine, name: str, day: str, previous: str | None, lang: str,
                    answers: dict | None = None) -> dict:
    """One named query of the dashboard at the round: its chart (spec and the server's SVG),
    its title and description, and the link to its page with the same values. ``answers``
    keeps the query's rows for the other language (they are the same; only labels differ)."""
    from ...dashboard import values_for
    from ...query import get_query, run_on
    from .charts import chart_part

    query = get_query(name)
    values = values_for(query, date.fromisoformat(day), date.fromisoformat(previous) if previous else None)
    out = {"name": name, "title": query.title(lang), "description": query.description(lang), "chart": None,
           "href": link(f"/foresporgsler/{name}", lang, **(values or {}))}
    if values is None:
        return out    # it compares with the round before, and this is the first round
    labels = Labels(engine, lang)
    key = (name, tuple(sorted(values.items())))
    answer = answers.get(key) if answers is not None else None
    if answer is None:
        answer = run_on(engine, query, values)
        if answers is not None:
            answers[key] = answer
    result = html_result(answer, labels, lang)
    result["captions"] = [query.caption(v, lang) for v in result["vars"]]
    # a phase's bar links to the list behind it: the round's initiatives with their phases
    behind = link("/foresporgsler/status-i-rapport", lang, date=day)
    for row in result["rows"]:
        for c in row:
            if c.get("iri", "").startswith(RG_NS) and "href" not in c:
                c["href"] = behind
    out["chart"] = chart_part(result, lang, query=query, draw=True) if result["rows"] else None
    return out


def dashboard_overview(engine, day: str, previous: str | None, lang: str) -> dict:
    """The tiles, the phases' flow from the round before, the milestones on a time axis and
    what changed, for the round of ``day``."""
    from ...charts import ChartError, build, parse_chart, svg, title_of
    from ...dashboard import overview
    from ...pictures import milestones_spec
    from ...rounds import STATE_WORDS

    the_day = date.fromisoformat(day)
    seen = overview(engine, the_day, date.fromisoformat(previous) if previous else None, lang=lang)
    labels = Labels(engine, lang)
    labels.load(iri(p) for row in seen.flow for p in row[:2] if p)
    labels.load(iri(i) for rows in (seen.changed, seen.new, seen.missing) for i, *_ in rows)
    words = WORDS[lang]
    flow = None
    if previous and seen.flow:
        def phase_cell(value):
            # no phase (new in the round, or not in it): an empty cell, grey in the phases' palette;
            # a bar links to the round's changes
            return {**cell(iri(value), labels, lang), "href": link("/runder/" + day, lang)} if value \
                else {"text": ""}
        result = {"vars": ["fromPhase", "toPhase", "initiatives"], "captions": [words["before"], words["after"],
                  words["initiatives"]], "types": ["nominal", "nominal", "quantitative"], "truncated": False,
                  "rows": [[phase_cell(a), phase_cell(b), {"text": str(n)}]
                           for a, b, n in seen.flow]}
        try:
            spec = build(parse_chart("bar x=initiatives y=fromPhase color=toPhase"), result, lang,
                         title=words["flow"].format(a=previous, b=day))
            flow = {"spec": spec, "svg": svg(spec), "error": None, "title": title_of(spec)}
        except ChartError as error:
            flow = {"spec": None, "svg": None, "error": str(error)}
    spec = milestones_spec(seen.drawn, the_day, lang=lang)
    phase = lambda term: labels.display(term) if term is not None else ""  # noqa: E731
    return {
        "in_round": seen.in_round, "counts": seen.counts, "due_soon": seen.due_soon,
        "reached_since": seen.reached_since, "totals": seen.totals,
        "states": {state: STATE_WORDS[lang][state] for state in seen.counts},
        "flow": flow, "milestones": {"spec": spec, "svg": svg(spec), "error": None, "title": title_of(spec)},
        "changed": [{"initiative": cell(iri(i), labels, lang), "before": phase(a), "after": phase(b)}
                    for i, a, b in seen.changed],
        "new": [{"initiative": cell(iri(i), labels, lang), "phase": phase(p)} for i, p in seen.new],
        "missing": [{"initiative": cell(iri(i), labels, lang), "phase": phase(p)} for i, p in seen.missing],
    }


def dashboard(engine, wanted: str | None, lang: str, answers: dict | None = None) -> dict:
    """Everything the front page shows for the round ``wanted`` (or the latest)."""
    from ...dashboard import dashboard_queries
    from .pages import counts

    chosen = dashboard_round(engine, wanted)
    day, previous = chosen["day"], chosen["previous"]
    out = {"chosen": chosen, "counts": counts(engine, lang)["counts"], "overview": None, "charts": []}
    if day:
        out["overview"] = dashboard_overview(engine, day, previous, lang)
        out["charts"] = [dashboard_chart(engine, q.name, day, previous, lang, answers)
                         for q in dashboard_queries()]
    return out


def dashboards(engine, wanted: str | None, langs: tuple) -> dict:
    """The front page in each of ``langs``, as ``dashboard`` makes it, in one job: the named
    queries' rows are read once for all languages (at 1M triples 2.5 of the English page's
    4.5 s were those queries again)."""
    answers: dict = {}
    return {lang: dashboard(engine, wanted, lang, answers) for lang in langs}


JOBS = (dashboard, dashboards,)

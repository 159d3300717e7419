"""The work the web app sends to a worker: each job reads the store through the
worker's engine and returns plain data (text, numbers, bytes) for the page or
the response. Nothing here knows about HTTP requests; rammegraf.web.pool runs
the jobs, the page modules turn their data into responses.
"""

from __future__ import annotations

import re
from datetime import date

from ..errors import RammegrafError
from ..labels import Labels
from ..namespaces import ID, OWL, RDFS, RG, SKOS
from ..results import GRAPH_MEDIA, RESULT_TYPES, ROW_MEDIA, serialize_answer
from ..terms import is_iri, iri, literal, text
from .urls import link, negotiate

HTML = "text/html"


class NotAcceptable(RammegrafError):
    """No media type the client accepts can carry this answer (HTTP 406)."""


class NotFound(RammegrafError):
    """Nothing at this address (HTTP 404)."""


def cell(term, labels: Labels, lang: str) -> dict:
    """A value for a template: its text, and a local link for our own IRIs."""
    if term is None:
        return {"text": ""}
    shown = labels.display(term)
    if is_iri(term) and term.value.startswith(str(ID)):
        return {"text": shown, "href": link("/id/" + term.value[len(str(ID)):], lang)}
    return {"text": shown}


def _local(value: str, label: str, lang: str) -> dict:
    """A label with a link to its resource page when the IRI is ours."""
    if value.startswith(str(ID)):
        return {"text": label, "href": link("/id/" + value[len(str(ID)):], lang)}
    return {"text": label}


def html_result(answer, labels: Labels, lang: str) -> dict:
    """An answer as the result table of a page."""
    if answer.form == "ASK":
        yes, no = ("ja", "nej") if lang == "da" else ("yes", "no")
        return {"answer": yes if answer.boolean else no}
    if answer.is_graph:
        return {"text": serialize_answer(answer, "turtle").decode("utf-8"), "truncated": answer.truncated}
    labels.load(t for row in answer.rows for t in row)
    return {"vars": list(answer.vars), "truncated": answer.truncated,
            "rows": [[cell(t, labels, lang) for t in row] for row in answer.rows]}


def offers_for(form: str) -> list[str]:
    kind = "graph" if form in ("CONSTRUCT", "DESCRIBE") else "rows"
    return [m for m, (_, k) in RESULT_TYPES.items() if k == kind]


def choose_media(form: str, accept: str, fmt: str | None, *, html: bool) -> str:
    """The media type of the answer: ``format=`` if given, else by ``Accept``
    (SPARQL results or RDF by the query form; HTML for a browser when allowed)."""
    offers = offers_for(form)
    if fmt:
        media = {**ROW_MEDIA, **GRAPH_MEDIA, "ttl": "text/turtle", "rdf": "application/rdf+xml"}.get(fmt)
        if media is None or media not in offers:
            raise NotAcceptable(f"formatet '{fmt}' passer ikke til en {form}-forespørgsel "
                                f"(format '{fmt}' does not fit a {form} query)")
        return media
    chosen = negotiate(accept, offers + ([HTML] if html else []))
    if chosen is None:
        if accept.strip() and not _accepts_anything(accept):
            raise NotAcceptable("ingen af de ønskede medietyper kan levere svaret; tilbydes: "
                                + ", ".join(offers) + " (none of the accepted media types can carry "
                                "the answer)")
        chosen = offers[0]
    return chosen


def _accepts_anything(accept: str) -> bool:
    return any(part.split(";")[0].strip() in ("*/*", "") for part in accept.split(","))


# ---------------------------------------------------------------------------
# Queries
# ---------------------------------------------------------------------------

def sparql(engine, query_text: str, accept: str, fmt: str | None, lang: str, row_cap: int,
           html: bool) -> dict:
    """A query from the endpoint or the editor: checked (Update, SERVICE, FROM
    refused) before it runs, then answered in the negotiated format."""
    from ..engine import checked

    prepared = checked(query_text, "sparql")
    media = choose_media(prepared.form, accept, fmt, html=html)
    answer = engine.query(prepared, limit=row_cap)
    if media == HTML:
        return {"kind": "html", "result": html_result(answer, Labels(engine, lang), lang)}
    return {"kind": "data", "media": media, "body": serialize_answer(answer, RESULT_TYPES[media][0]),
            "truncated": answer.truncated}


def named(engine, name: str, values: dict, fmt: str | None, iris: bool, lang: str, row_cap: int) -> dict:
    """A named query with its parameters: the result table, or a download (CSV and
    TSV with labels, like the command line, unless ``iris``, formulas neutralised;
    JSON as SPARQL results)."""
    from ..query import get_query, run_on
    from ..tables import render

    query = get_query(name)
    answer = run_on(engine, query, values, limit=row_cap)
    labels = Labels(engine, lang)
    if fmt is None:
        return {"kind": "html", "result": html_result(answer, labels, lang)}
    if fmt in ("csv", "tsv") and answer.form == "SELECT":
        # a download is for a spreadsheet: cells go through tables.safe_cell
        if iris:
            rows = [[text(t) for t in row] for row in answer.rows]
        else:
            labels.load(t for row in answer.rows for t in row)
            rows = [[labels.display(t) for t in row] for row in answer.rows]
        body = render(list(answer.vars), rows, fmt).encode("utf-8")
        media = "text/csv" if fmt == "csv" else "text/tab-separated-values"
        return {"kind": "data", "media": media, "body": body, "truncated": answer.truncated, "ext": fmt}
    media = choose_media(answer.form, "", fmt, html=False)
    key = RESULT_TYPES[media][0]
    return {"kind": "data", "media": media, "body": serialize_answer(answer, key),
            "truncated": answer.truncated, "ext": {"turtle": "ttl", "jsonld": "jsonld", "rdfxml": "rdf"}.get(key, key)}


def form_fields(engine, name: str, lang: str) -> list[dict]:
    """The parameters of a named query as form fields: resources of a class as a
    drop-down, other resources with their labels to pick from, dates with the
    report dates."""
    from ..network import report_dates
    from ..query import expand_curie, get_query, instances

    labels = Labels(engine, lang)
    fields = []
    for param in get_query(name).params:
        field = {"name": param.name, "type": param.type, "default": param.default or "",
                 "choices": None, "dates": None, "datalist": None}
        if param.type == "iri" and param.cls:
            found = instances(engine, expand_curie(param.cls))
            labels.load(found)
            field["choices"] = sorted(((n.value, labels.display(n)) for n in found), key=lambda c: c[1].casefold())
        elif param.type == "iri":
            rows = engine.query("SELECT DISTINCT ?s WHERE { ?s a ?t ; rdfs:label ?l FILTER (isIRI(?s)) }").rows
            labels.load(s for (s,) in rows)
            field["datalist"] = sorted({labels.display(s) for (s,) in rows})
        elif param.type == "xsd:date":
            field["dates"] = report_dates(engine)
        fields.append(field)
    return fields


# ---------------------------------------------------------------------------
# Pages
# ---------------------------------------------------------------------------

def home(engine, lang: str, today: str) -> dict:
    from ..query import get_query, run_on

    labels = Labels(engine, lang)
    answer = run_on(engine, get_query("initiativer-pr-udviklingsomraade"))
    labels.load(t for row in answer.rows for t in row)
    from ..network import round_dates

    rounds = round_dates(engine)
    latest_round = rounds[-1].isoformat() if rounds else None
    areas: dict[str, dict] = {}
    for area, initiative, phase, as_of in answer.rows:
        entry = areas.setdefault(area.value, {"area": cell(area, labels, lang), "rows": []})
        # an initiative whose last status is older than the latest round is not in that report
        missing = latest_round if latest_round and text(as_of) and text(as_of) < latest_round else None
        entry["rows"].append({"initiative": cell(initiative, labels, lang),
                              "phase": labels.display(phase) if phase is not None else "", "as_of": text(as_of),
                              "missing_from": missing})
    upcoming = engine.query(
        "SELECT ?m ?text ?earliest ?latest WHERE { ?m a rg:Milestone ; rg:dateText ?text ; "
        "rg:earliest ?earliest ; rg:latest ?latest . FILTER (?latest >= ?today) } "
        "ORDER BY ?earliest ?latest ?m LIMIT 10", {"today": literal(date.fromisoformat(today))}).rows
    labels.load(m for m, *_ in upcoming)
    counts = [("triples", len(engine))]
    found = engine.query("SELECT ?c (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a ?c } GROUP BY ?c",
                         {"c": [iri(c) for c in (RG.Initiative, RG.StatusReport, RG.Milestone, RG.Meeting,
                                                 RG.Municipality)]}).rows
    per = {c.value: int(n.value) for c, n in found}
    labels.load(iri(c) for c in (RG.Initiative, RG.StatusReport, RG.Milestone, RG.Meeting, RG.Municipality))
    for cls in (RG.Initiative, RG.StatusReport, RG.Milestone, RG.Meeting, RG.Municipality):
        counts.append((labels.display(iri(cls)), per.get(cls, 0)))
    return {"areas": list(areas.values()),
            "deadlines": [{"milestone": cell(m, labels, lang), "text": text(words), "earliest": text(e),
                           "latest": text(last)} for m, words, e, last in upcoming],
            "counts": counts}


def resource(engine, path: str, lang: str, media: str) -> dict:
    """A resource as RDF (its own triples and the links to it) or as page data."""
    node = iri(str(ID) + path)
    if not engine.query("ASK { { ?n ?p ?o } UNION { ?s ?p ?n } }", {"n": node}).boolean:
        raise NotFound(f"<{node.value}>")
    if media != HTML:
        answer = engine.query("CONSTRUCT { ?n ?p ?o . ?s ?q ?n } WHERE { { ?n ?p ?o } UNION { ?s ?q ?n } }",
                              {"n": node})
        return {"body": serialize_answer(answer, RESULT_TYPES[media][0])}
    from ..describe import describe

    from ..webtext import TEXT

    labels = Labels(engine, lang)
    desc = describe(engine, node, lang=lang, labels=labels)
    props = [(link_.property_label, cell(link_.value, labels, lang)) for link_ in desc.properties]
    # silence is said: an initiative or milestone whose source names no responsible actor
    if engine.query("ASK { ?n a ?kind FILTER (?kind IN (rg:Initiative, rg:Milestone)) "
                    "FILTER NOT EXISTS { ?n rg:responsible ?r } }", {"n": node}).boolean:
        props.append((labels.display(iri(str(RG.responsible))), {"text": TEXT[lang]["none_named"]}))
    return {"iri": node.value, "label": desc.label, "kinds": list(desc.kinds),
            "history": [{"as_of": s.as_of, "phase": s.phase, "source": s.source, "text": s.text}
                        for s in desc.history],
            "props": props,
            "incoming": [(cell(link_.value, labels, lang), link_.property_label) for link_ in desc.incoming]}


def graph_index(engine, lang: str) -> list[tuple[str, str]]:
    labels = Labels(engine, lang)
    rows = engine.query("SELECT ?a ?n WHERE { ?a a rg:DevelopmentArea OPTIONAL { ?a skos:notation ?n } }").rows
    labels.load(a for a, _ in rows)
    return [(labels.display(a), link("/graf", lang, view="area:" + a.value.rsplit("/", 1)[-1], depth="1"))
            for a, _ in sorted(rows, key=lambda r: (text(r[1]), r[0].value))]


def graph_view(engine, view: str, depth: int, as_of: str | None, lang: str) -> tuple[str, str]:
    from ..viz import graph_page, page_csp

    day = date.fromisoformat(as_of) if as_of else None
    return graph_page(engine, view=view, depth=depth, as_of=day, lang=lang), page_csp()


def validate_entry(engine, raw: bytes, name: str, lang: str) -> dict:
    """Validate an uploaded entry together with the graph; nothing is stored."""
    from pathlib import Path

    from ..report import focus_labels
    from ..store import parse_bytes
    from ..validate import check_entries

    suffix = Path(name).suffix or ".ttl"
    # relative IRIs resolve against the id namespace, as in the SPARQL editor
    triples = parse_bytes(with_prefixes(raw) if suffix.lower() == ".ttl" else raw, name=name, suffix=suffix,
                          base=str(ID))
    check = check_entries(triples, engine)
    labels = focus_labels(check.report, check.engine, lang)
    return {
        "conforms": check.report.conforms,
        "violations": len(check.report.violations), "warnings": len(check.report.warnings),
        "results": [{"focus": str(r.focus_node), "label": labels.get(str(r.focus_node)) or "",
                     "path": r.path or "", "severity": r.severity, "message": r.message(lang),
                     "value": "" if r.value is None else str(r.value),
                     "known": engine.query("ASK { ?n ?p ?o }", {"n": iri(str(r.focus_node))}).boolean
                     if str(r.focus_node).startswith("http") else False}
                    for r in check.report.results],
    }


def with_prefixes(raw: bytes) -> bytes:
    """Turtle with the prefixes of the SPARQL page declared in front (rg:, rdfs:, xsd:
    …) unless the text declares them itself, all on the text's first line so that
    every line number in a parse error stays the user's."""
    from ..namespaces import PREFIXES

    head = raw.removeprefix(b"\xef\xbb\xbf")
    declared = {m.group(1).decode() for m in re.finditer(rb"(?im)^\s*@?prefix\s+([A-Za-z][\w-]*)?:", head)}
    missing = " ".join(f"@prefix {p}: <{ns}> ." for p, ns in PREFIXES.items() if p not in declared)
    return (missing + " ").encode() + head if missing else head


def ontology(engine, lang: str) -> dict:
    labels = Labels(engine, lang)

    def terms(kinds) -> list[dict]:
        rows = engine.query("""SELECT ?t ?da ?en ?def ?domain ?range WHERE { ?t a ?kind
            FILTER (STRSTARTS(STR(?t), STR(rg:)))
            OPTIONAL { ?t rdfs:label ?da FILTER (lang(?da) = "da") }
            OPTIONAL { ?t rdfs:label ?en FILTER (lang(?en) = "en") }
            OPTIONAL { ?t skos:definition ?def FILTER (lang(?def) = ?lang) }
            OPTIONAL { ?t rdfs:domain ?domain } OPTIONAL { ?t rdfs:range ?range } }""",
                            {"kind": [iri(k) for k in kinds], "lang": literal(lang)}).rows
        labels.load(t for row in rows for t in row[4:])
        seen: dict[str, dict] = {}
        for term, da, en, definition, domain, range_ in rows:
            seen.setdefault(term.value, {
                "curie": "rg:" + term.value[len(str(RG)):], "da": text(da), "en": text(en),
                "definition": text(definition),
                "domain": labels.display(domain) if domain is not None else "",
                "range": labels.display(range_) if range_ is not None else ""})
        return sorted(seen.values(), key=lambda t: t["curie"])

    phases = engine.query("""SELECT ?p ?da ?en ?def WHERE { ?p a rg:Phase ; rg:phaseOrder ?order .
        OPTIONAL { ?p rdfs:label ?da FILTER (lang(?da) = "da") }
        OPTIONAL { ?p rdfs:label ?en FILTER (lang(?en) = "en") }
        OPTIONAL { ?p skos:definition ?def FILTER (lang(?def) = ?lang) } } ORDER BY ?order""",
                          {"lang": literal(lang)}).rows
    return {"classes": terms([OWL.Class]),
            "properties": terms([OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty]),
            "phases": [{"curie": "rg:" + p.value[len(str(RG)):], "da": text(da), "en": text(en),
                        "definition": text(definition)} for p, da, en, definition in phases]}


# ---------------------------------------------------------------------------
# Rounds, deadlines, pictures
# ---------------------------------------------------------------------------

def rounds(engine) -> list[str]:
    from ..network import report_dates

    return report_dates(engine)


def round_page(engine, day: str, lang: str) -> dict:
    from ..network import round_dates
    from ..rounds import _sections, changes

    wanted = date.fromisoformat(day)
    dates = round_dates(engine)
    if wanted not in dates:
        raise NotFound(day)
    earlier = [d for d in dates if d < wanted]
    result = changes(engine, from_date=earlier[-1], to_date=wanted, lang=lang) if earlier else None
    return {"day": day, "previous": earlier[-1].isoformat() if earlier else None,
            "sections": _sections(result, lang) if result else []}


def deadline_rows(engine, as_of: str, within: int, lang: str) -> list[dict]:
    from ..rounds import STATE_WORDS, deadlines

    labels = Labels(engine, lang)
    return [{"state": STATE_WORDS[lang][d.state], "milestone": cell(iri(d.milestone), labels, lang),
             "text": d.date_text, "earliest": d.earliest.isoformat(), "latest": d.latest.isoformat(),
             "initiatives": [_local(value, label, lang) for value, label in d.owners],
             "responsible": [_local(value, label, lang) for value, label in d.actors],
             "evidence": _local(*d.report, lang) if d.report else None}
            for d in deadlines(engine, as_of=date.fromisoformat(as_of), within=within, lang=lang)]


def calendar(engine, lang: str, as_of: str, within: int | None) -> bytes:
    """The milestones of the Frister page for as_of and within, or (within None) all."""
    from ..rounds import deadlines, to_ics

    chosen = deadlines(engine, as_of=date.fromisoformat(as_of), include_all=within is None,
                       within=within if within is not None else 90, lang=lang)
    return to_ics(chosen, lang=lang)


def picture(engine, kind: str, fmt: str, lang: str) -> bytes:
    from ..pictures import matrix_csv, matrix_picture, timeline

    if kind == "timeline":
        return timeline(engine, fmt, lang=lang)
    return matrix_csv(engine, lang=lang) if fmt == "csv" else matrix_picture(engine, fmt, lang=lang)


JOBS = {function.__name__: function for function in (
    sparql, named, form_fields, home, resource, graph_index, graph_view, validate_entry, ontology,
    rounds, round_page, deadline_rows, calendar, picture)}

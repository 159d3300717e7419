"""Jobs of the front page, the resource pages and the ontology page."""

from __future__ import annotations


from ...labels import Labels
from ...namespaces import ID, OWL, RG
from ...results import RESULT_TYPES, serialize_answer
from ...terms import iri, literal, text
from .common import (
    HTML,
    NotFound,
    cell,
)


def counts(engine, lang: str) -> dict:
    """The graph's counts for the front page (the rest of it is rammegraf.web.jobs.dashboard):
    its triples and how many of each main kind of resource."""
    labels = Labels(engine, lang)
    counts = [("triples", len(engine))]
    found = engine.query("SELECT ?c (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a ?c } GROUP BY ?c",
                         {"c": [iri(c) for c in (RG.Initiative, RG.StatusReport, RG.Milestone, RG.Meeting,
                                                 RG.Municipality)]}).rows
    per = {c.value: int(n.value) for c, n in found}
    labels.load(iri(c) for c in (RG.Initiative, RG.StatusReport, RG.Milestone, RG.Meeting, RG.Municipality))
    for cls in (RG.Initiative, RG.StatusReport, RG.Milestone, RG.Meeting, RG.Municipality):
        counts.append((labels.display(iri(cls)), per.get(cls, 0)))
    return {"counts": counts}


def resource(engine, path: str, lang: str, media: str) -> dict:
    """A resource as RDF (its own triples and the links to it) or as page data."""
    try:
        node = iri(str(ID) + path)
    except ValueError:   # not an IRI at all (a NUL, a space, a bracket): no such resource
        raise NotFound("adressen er ikke en gyldig IRI (the address is not a valid IRI)") from None
    if not engine.query("ASK { { ?n ?p ?o } UNION { ?s ?p ?n } }", {"n": node}).boolean:
        raise NotFound(f"<{node.value}>")
    if media != HTML:
        answer = engine.query("CONSTRUCT { ?n ?p ?o . ?s ?q ?n } WHERE { { ?n ?p ?o } UNION { ?s ?q ?n } }",
                              {"n": node})
        return {"body": serialize_answer(answer, RESULT_TYPES[media][0])}
    from ...describe import describe
    from ...webtext import TEXT

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



JOBS = (counts, resource, ontology,)

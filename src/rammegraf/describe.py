"""Everything about one resource: kinds, properties, incoming links, status history.

Three queries to the engine (its own triples, the links pointing at it, and an
initiative's status reports), so a resource page costs the same at any size.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from .labels import Labels
from .namespaces import PREFIXES, RDF, RG
from .query import resolve_iri
from .terms import is_iri, language, text


@dataclass(frozen=True)
class Link:
    property: str               # IRI
    property_label: str
    value: object               # a pyoxigraph term (for incoming links: the subject)
    value_label: str


@dataclass(frozen=True)
class Status:
    as_of: str
    phase: str
    source: str
    text: str
    source_iri: str = ""
    phase_iri: str = ""


@dataclass(frozen=True)
class Description:
    iri: str
    label: str | None
    kinds: tuple[str, ...]
    properties: tuple[Link, ...]
    incoming: tuple[Link, ...]          # value = the subject pointing here
    history: tuple[Status, ...] = field(default_factory=tuple)
    kind_iris: tuple[str, ...] = ()


def resolve(engine, text_: str):
    """An IRI, an ``id/…`` path or a label, to the one resource it names."""
    return resolve_iri(engine, text_, name="ressource")


def describe(engine, node, *, lang: str = "da", labels: Labels | None = None) -> Description:
    """``node`` (a pyoxigraph NamedNode) with its properties, incoming links and,
    for an initiative, its status history."""
    labels = labels or Labels(engine, lang)
    outgoing = engine.query("SELECT ?p ?o WHERE { ?s ?p ?o }", {"s": node}).rows
    incoming = engine.query("SELECT ?s ?p WHERE { ?s ?p ?o FILTER (isIRI(?s)) }", {"o": node}).rows
    labels.load([node, *(t for row in outgoing for t in row), *(t for row in incoming for t in row)])
    kinds = [o for p, o in outgoing if p.value == RDF.type]
    here = {p.value for p, o in outgoing if language(o) == lang}
    properties = [Link(p.value, labels.display(p), o, labels.display(o)) for p, o in outgoing
                  if p.value != RDF.type and not (language(o) and language(o) != lang and p.value in here)]
    links = [Link(p.value, labels.display(p), s, labels.display(s)) for s, p in incoming]
    order = lambda link: (link.property_label.casefold(), link.value_label.casefold())  # noqa: E731
    history = status_history(engine, node, labels=labels) if any(k.value == RG.Initiative for k in kinds) else ()
    return Description(node.value, labels.of(node), tuple(sorted(labels.display(k) for k in kinds)),
                       tuple(sorted(properties, key=order)), tuple(sorted(links, key=order)), history,
                       tuple(sorted(k.value for k in kinds)))


def status_history(engine, initiative, *, labels: Labels) -> tuple[Status, ...]:
    rows = engine.query("""
        SELECT ?date ?phase ?source ?text WHERE {
          ?report rg:statusOf ?initiative .
          OPTIONAL { ?report rg:asOf ?date }
          OPTIONAL { ?report rg:phase ?phase }
          OPTIONAL { ?report prov:wasDerivedFrom ?source }
          OPTIONAL { ?report rg:text ?text }
        } ORDER BY ?date""", {"initiative": initiative}).rows
    labels.load(t for row in rows for t in row)
    return tuple(Status(as_of=text(day), phase=labels.display(phase) if phase else "",
                        source=labels.display(source) if source else "", text=text(words),
                        source_iri=source.value if source is not None and is_iri(source) else "",
                        phase_iri=phase.value if phase is not None and is_iri(phase) else "")
                 for day, phase, source, words in rows)


def render_description(desc: Description, engine, fmt: str = "text", *, lang: str = "da") -> str:
    if fmt == "ttl":
        import pyoxigraph as ox

        answer = engine.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", {"s": ox.NamedNode(desc.iri)})
        return ox.serialize(answer.triples, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES).decode("utf-8")
    if fmt == "json":
        return json.dumps({
            "iri": desc.iri, "label": desc.label, "kinds": list(desc.kinds),
            "properties": [_link_json(link) for link in desc.properties],
            "incoming": [_link_json(link) for link in desc.incoming],
            "history": [{"as_of": s.as_of, "phase": s.phase, "source": s.source, "text": s.text}
                        for s in desc.history],
        }, ensure_ascii=False, indent=2) + "\n"
    return _text(desc, lang)


def _link_json(link: Link) -> dict:
    return {"property": link.property, "propertyLabel": link.property_label,
            "value": text(link.value), "valueLabel": link.value_label}


HEADINGS = {
    "da": ("Type", "Egenskaber", "Indgående links", "Statushistorik", "kilde"),
    "en": ("Kind", "Properties", "Incoming links", "Status history", "source"),
}


def _text(desc: Description, lang: str) -> str:
    kind, props, incoming, history, source = HEADINGS.get(lang, HEADINGS["en"])
    lines = [desc.label or desc.iri, f"<{desc.iri}>", f"{kind}: {', '.join(desc.kinds)}"]
    if desc.properties:
        lines += ["", f"{props}:"]
        width = max(len(link.property_label) for link in desc.properties)
        for link in desc.properties:
            value = " ".join(link.value_label.split())
            lines.append(f"  {link.property_label.ljust(width)}  {value}")
    if desc.incoming:
        lines += ["", f"{incoming}:"]
        width = max(len(link.value_label) for link in desc.incoming)
        for link in desc.incoming:
            lines.append(f"  {link.value_label.ljust(width)}  —{link.property_label}→")
    if desc.history:
        lines += ["", f"{history}:"]
        for status in desc.history:
            lines.append(f"  {status.as_of}  {status.phase}  ({source}: {status.source})")
            for paragraph in status.text.split("\n"):
                if paragraph.strip():
                    lines.append(f"      {paragraph.strip()}")
    return "\n".join(lines) + "\n"

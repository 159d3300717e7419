"""Everything about one resource: kinds, properties, incoming links, status history."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from .labels import display, label_of
from .namespaces import RG, bind_prefixes
from .query import resolve_iri

@dataclass(frozen=True)
class Link:
    property: URIRef
    property_label: str
    value: Node
    value_label: str


@dataclass(frozen=True)
class Status:
    as_of: str
    phase: str
    source: str
    text: str


@dataclass(frozen=True)
class Description:
    iri: URIRef
    label: str | None
    kinds: tuple[str, ...]
    properties: tuple[Link, ...]
    incoming: tuple[Link, ...]          # value = the subject pointing here
    history: tuple[Status, ...] = field(default_factory=tuple)


def resolve(graph: Graph, text: str) -> URIRef:
    """An IRI, an ``id/…`` path or a label, to the one resource it names."""
    return resolve_iri(graph, text, name="ressource")


def describe(graph: Graph, node: URIRef, *, lang: str = "da") -> Description:
    kinds = tuple(sorted(display(graph, k, lang) for k in graph.objects(node, RDF.type)))
    properties = tuple(sorted(
        (Link(p, display(graph, p, lang), o, display(graph, o, lang))
         for p, o in graph.predicate_objects(node)
         if p != RDF.type and not (isinstance(o, Literal) and o.language and o.language != lang
                                   and _has_lang(graph, node, p, lang))),
        key=lambda link: (link.property_label.casefold(), link.value_label.casefold())))
    incoming = tuple(sorted(
        (Link(p, display(graph, p, lang), s, display(graph, s, lang))
         for s, p in graph.subject_predicates(node) if isinstance(s, URIRef)),
        key=lambda link: (link.property_label.casefold(), link.value_label.casefold())))
    history = status_history(graph, node, lang=lang) if (node, RDF.type, RG.Initiative) in graph else ()
    return Description(node, label_of(graph, node, lang), kinds, properties, incoming, history)


def _has_lang(graph: Graph, node: Node, prop: URIRef, lang: str) -> bool:
    return any(isinstance(o, Literal) and o.language == lang for o in graph.objects(node, prop))


def status_history(graph: Graph, initiative: URIRef, *, lang: str = "da") -> tuple[Status, ...]:
    rows = []
    for report in graph.subjects(RG.statusOf, initiative):
        source = graph.value(report, URIRef("http://www.w3.org/ns/prov#wasDerivedFrom"))
        rows.append(Status(
            as_of=str(graph.value(report, RG.asOf) or ""),
            phase=display(graph, graph.value(report, RG.phase), lang),
            source=display(graph, source, lang),
            text=str(graph.value(report, RG.text) or "")))
    return tuple(sorted(rows, key=lambda s: s.as_of))


def render_description(desc: Description, graph: Graph, fmt: str = "text", *, lang: str = "da") -> str:
    if fmt == "ttl":
        out = bind_prefixes(Graph())
        for triple in graph.triples((desc.iri, None, None)):
            out.add(triple)
        return out.serialize(format="turtle")
    if fmt == "json":
        return json.dumps({
            "iri": str(desc.iri), "label": desc.label, "kinds": list(desc.kinds),
            "properties": [_link_json(l) for l in desc.properties],
            "incoming": [_link_json(l) for l in desc.incoming],
            "history": [s.__dict__ for s in desc.history],
        }, ensure_ascii=False, indent=2) + "\n"
    return _text(desc, lang)


def _link_json(link: Link) -> dict:
    return {"property": str(link.property), "propertyLabel": link.property_label,
            "value": str(link.value), "valueLabel": link.value_label}


HEADINGS = {
    "da": ("Type", "Egenskaber", "Indgående links", "Statushistorik", "kilde"),
    "en": ("Kind", "Properties", "Incoming links", "Status history", "source"),
}


def _text(desc: Description, lang: str) -> str:
    kind, props, incoming, history, source = HEADINGS.get(lang, HEADINGS["en"])
    lines = [desc.label or str(desc.iri), f"<{desc.iri}>", f"{kind}: {', '.join(desc.kinds)}"]
    if desc.properties:
        lines += ["", f"{props}:"]
        width = max(len(l.property_label) for l in desc.properties)
        for link in desc.properties:
            value = " ".join(link.value_label.split())
            lines.append(f"  {link.property_label.ljust(width)}  {value}")
    if desc.incoming:
        lines += ["", f"{incoming}:"]
        width = max(len(l.value_label) for l in desc.incoming)
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

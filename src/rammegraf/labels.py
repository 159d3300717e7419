"""Labels in the reader's language, for every place that shows a resource."""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS
from rdflib.term import Node

def label_of(graph: Graph, node: Node, lang: str = "da") -> str | None:
    """The resource's rdfs:label in ``lang``, else its Danish one, else any."""
    best: dict[str, str] = {}
    for label in graph.objects(node, RDFS.label):
        if isinstance(label, Literal):
            best.setdefault(label.language or "", str(label))
    for key in (lang, "da", "en", ""):
        if key in best:
            return best[key]
    return None


def display(graph: Graph, node: Node | None, lang: str = "da") -> str:
    """What a person should see for a term: a label, the literal's text, or the IRI."""
    if node is None:
        return ""
    if isinstance(node, URIRef):
        return label_of(graph, node, lang) or graph.namespace_manager.normalizeUri(node)
    return str(node)

"""Labels in the reader's language, for every place that shows a resource."""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS, SKOS
from rdflib.term import Node

LANGUAGES = ("da", "en")


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


def labels_for(graph: Graph, nodes: Iterable[Node], lang: str = "da") -> dict[Node, str]:
    """Labels for many IRIs at once; IRIs without a label are left out."""
    found = {}
    for node in set(nodes):
        if isinstance(node, URIRef):
            label = label_of(graph, node, lang)
            if label is not None:
                found[node] = label
    return found


def display(graph: Graph, node: Node | None, lang: str = "da") -> str:
    """What a person should see for a term: a label, the literal's text, or the IRI."""
    if node is None:
        return ""
    if isinstance(node, URIRef):
        return label_of(graph, node, lang) or graph.namespace_manager.normalizeUri(node)
    return str(node)


def find_by_label(graph: Graph, text: str) -> list[URIRef]:
    """Resources whose rdfs:label or skos:altLabel is ``text`` (any case)."""
    wanted = text.casefold().strip()
    hits = []
    for prop in (RDFS.label, SKOS.altLabel):
        for subject, label in graph.subject_objects(prop):
            if isinstance(subject, URIRef) and str(label).casefold() == wanted:
                hits.append(subject)
    return sorted(set(hits))


def all_labels(graph: Graph) -> dict[str, URIRef]:
    """Every label (lower-cased) to its resource, for suggestions."""
    return {str(label).casefold(): s for s, label in graph.subject_objects(RDFS.label)
            if isinstance(s, URIRef)}

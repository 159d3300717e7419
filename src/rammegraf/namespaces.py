"""The namespaces of the vocabulary contract, bound once for every graph."""

from __future__ import annotations

from rdflib import Graph, Namespace
from rdflib.namespace import DCTERMS, FOAF, ORG, OWL, PROV, RDF, RDFS, SH, SKOS, XSD

RG = Namespace("https://w3id.org/rammegraf/ontology#")
RGSH = Namespace("https://w3id.org/rammegraf/shapes#")
ID = Namespace("https://w3id.org/rammegraf/id/")

PREFIXES = {
    "rg": RG, "rgsh": RGSH, "id": ID, "rdf": RDF, "rdfs": RDFS, "owl": OWL, "xsd": XSD,
    "skos": SKOS, "dcterms": DCTERMS, "prov": PROV, "org": ORG, "foaf": FOAF, "sh": SH,
}


def bind_prefixes(graph: Graph) -> Graph:
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True)
    return graph

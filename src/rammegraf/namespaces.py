"""The namespaces of the vocabulary contract, as plain strings.

``RG.Initiative`` is the IRI string ``https://w3id.org/rammegraf/ontology#Initiative``;
no RDF library is imported here, so a command that only queries stays light.
"""

from __future__ import annotations


class Namespace:
    """An IRI prefix whose attributes and items are the IRI strings under it
    (``DCTERMS.title`` is an IRI, not ``str.title``: this is not a str subclass)."""

    __slots__ = ("base",)

    def __init__(self, base: str) -> None:
        self.base = base

    def __getattr__(self, name: str) -> str:
        if name.startswith("__"):
            raise AttributeError(name)
        return self.base + name

    def __getitem__(self, name: str) -> str:
        return self.base + name

    def __str__(self) -> str:
        return self.base

    def __repr__(self) -> str:
        return f"Namespace({self.base!r})"


RG = Namespace("https://w3id.org/rammegraf/ontology#")
RGSH = Namespace("https://w3id.org/rammegraf/shapes#")
ID = Namespace("https://w3id.org/rammegraf/id/")
RDF = Namespace("http://www.w3.org/1999/02/22-rdf-syntax-ns#")
RDFS = Namespace("http://www.w3.org/2000/01/rdf-schema#")
OWL = Namespace("http://www.w3.org/2002/07/owl#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
PROV = Namespace("http://www.w3.org/ns/prov#")
ORG = Namespace("http://www.w3.org/ns/org#")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
SH = Namespace("http://www.w3.org/ns/shacl#")

PREFIXES: dict[str, str] = {
    "rg": str(RG), "rgsh": str(RGSH), "id": str(ID), "rdf": str(RDF), "rdfs": str(RDFS),
    "owl": str(OWL), "xsd": str(XSD), "skos": str(SKOS), "dcterms": str(DCTERMS),
    "prov": str(PROV), "org": str(ORG), "foaf": str(FOAF), "sh": str(SH),
}
# The prefixes a user may leave out of an ad-hoc query (README: the usual ones).
EDITOR_PREFIXES = ("rg", "rdfs", "xsd", "skos", "prov", "org", "foaf", "dcterms")


def curie(iri: str) -> str:
    """``rg:Initiative`` for a known namespace, else the IRI in angle brackets."""
    best = ""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(namespace) > len(PREFIXES.get(best, "")):
            best = prefix
    if best:
        local = iri[len(PREFIXES[best]):]
        if local and all(c.isalnum() or c in "_-." for c in local) and not local.endswith("."):
            return f"{best}:{local}"
    return f"<{iri}>"


def bind_prefixes(graph):
    """Bind the prefixes on an rdflib graph (for the few places that still write with rdflib)."""
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True)
    return graph

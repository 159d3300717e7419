"""The merged graph as a file: RDF for RDF tools, GraphML or GEXF for Gephi."""

from __future__ import annotations

import io

from .namespaces import PREFIXES

RDF_FORMATS = {"ttl": "TURTLE", "nt": "N_TRIPLES", "trig": "TRIG", "jsonld": "JSON_LD", "rdfxml": "RDF_XML"}


def export(engine, fmt: str, *, lang: str = "da") -> bytes:
    """The engine's whole graph in ``fmt``: written by Oxigraph (RDF), or through the
    network projection (GraphML, GEXF)."""
    if fmt in ("graphml", "gexf"):
        import networkx as nx

        from .network import build_network, flat_for_export

        net = flat_for_export(build_network(engine, lang=lang))
        out = io.BytesIO()
        (nx.write_graphml if fmt == "graphml" else nx.write_gexf)(net, out)
        return out.getvalue()
    import pyoxigraph as ox

    triples = engine.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }").triples
    rdf_format = getattr(ox.RdfFormat, RDF_FORMATS[fmt])
    if fmt == "trig":  # a dataset format: the triples in its default graph
        quads = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples]
        return ox.serialize(quads, format=rdf_format, prefixes=PREFIXES)
    prefixes = PREFIXES if fmt in ("ttl", "rdfxml") else None
    return ox.serialize(sorted(triples, key=str), format=rdf_format, prefixes=prefixes)

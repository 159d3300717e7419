"""The merged graph as a file: RDF for RDF tools, GraphML or GEXF for Gephi."""

from __future__ import annotations

import io

from rdflib import Dataset, Graph

from .namespaces import bind_prefixes

RDFLIB = {"ttl": "turtle", "nt": "nt", "trig": "trig", "jsonld": "json-ld"}


def export(graph: Graph, fmt: str, *, lang: str = "da") -> bytes:
    if fmt in ("graphml", "gexf"):
        import networkx as nx

        from .network import build_network, flat_for_export

        net = flat_for_export(build_network(graph, lang=lang))
        out = io.BytesIO()
        (nx.write_graphml if fmt == "graphml" else nx.write_gexf)(net, out)
        return out.getvalue()
    if fmt == "trig":
        dataset = bind_prefixes(Dataset())
        dataset.default_graph += graph
        return dataset.serialize(format="trig").encode("utf-8")
    return bind_prefixes(graph).serialize(format=RDFLIB[fmt]).encode("utf-8")

"""Network analysis of the projection: who is central, what waits for what."""

from __future__ import annotations

from dataclasses import dataclass

from .namespaces import RG

ACTOR_KINDS = ("municipality", "region", "committee", "workinggroup", "cluster", "organisation", "person")


@dataclass(frozen=True)
class ActorScore:
    iri: str
    label: str
    kind: str
    initiatives: int        # distinct initiatives linked directly, via a task, or via a milestone
    degree: float           # degree centrality in the undirected projection
    betweenness: float      # betweenness centrality in the undirected projection


def actor_scores(net) -> list[ActorScore]:
    import networkx as nx

    simple = nx.Graph(net.to_undirected(as_view=True))
    degree = nx.degree_centrality(simple)
    betweenness = nx.betweenness_centrality(simple, normalized=True)
    rows = []
    for node, attrs in net.nodes(data=True):
        if attrs["kind"] not in ACTOR_KINDS:
            continue
        initiatives = set()
        for n in simple.neighbors(node):
            if net.nodes[n]["kind"] == "initiative":
                initiatives.add(n)
            elif net.nodes[n]["kind"] == "milestone":  # e.g. SSG, which must approve a model
                initiatives.update(m for m in simple.neighbors(n) if net.nodes[m]["kind"] == "initiative")
        rows.append(ActorScore(node, attrs["label"], attrs["kind"], len(initiatives),
                               round(degree[node], 4), round(betweenness[node], 4)))
    rows.sort(key=lambda r: (-r.initiatives, -r.betweenness, r.label.casefold()))
    return rows


def dependency_chains(net, *, limit: int = 10) -> list[list[str]]:
    """The longest chains of rg:dependsOn (initiative → … → milestone), longest first."""
    import networkx as nx

    deps = nx.DiGraph()
    for u, v, d in net.edges(data=True):
        if d["property"] == str(RG.dependsOn):
            deps.add_edge(u, v)
    if not nx.is_directed_acyclic_graph(deps):
        deps = nx.condensation(deps)  # a cycle would never end: collapse it (validation reports it)
        mapping = deps.graph["mapping"]
        members = {c: sorted(n for n, cc in mapping.items() if cc == c) for c in deps.nodes}
        deps = nx.relabel_nodes(deps, {c: members[c][0] for c in deps.nodes})
    chains = []
    for source in (n for n in deps if deps.in_degree(n) == 0):
        for sink in (n for n in deps if deps.out_degree(n) == 0):
            chains.extend(nx.all_simple_paths(deps, source, sink))
    chains.sort(key=lambda path: (-len(path), [net.nodes[n]["label"] for n in path]))
    return chains[:limit]


def components(net) -> list[list[str]]:
    """Connected components of the undirected projection, largest first."""
    import networkx as nx

    parts = [sorted(c, key=lambda n: net.nodes[n]["label"].casefold())
             for c in nx.connected_components(net.to_undirected(as_view=True))]
    parts.sort(key=lambda c: (-len(c), net.nodes[c[0]]["label"].casefold()))
    return parts

from __future__ import annotations

from collections import Counter
from datetime import date

import networkx as nx
import pyoxigraph as ox
import pytest

from rammegraf.engine import OxigraphEngine
from rammegraf.network import build_network, report_dates

F_ACT = "https://w3id.org/rammegraf/id/initiativ/monitorering-af-f-act"
PRINCIPLES = "https://w3id.org/rammegraf/id/initiativ/faelleskommunale-principper"

FIXTURE = """
@prefix rg: <https://w3id.org/rammegraf/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix id: <https://w3id.org/rammegraf/id/> .
rg:Municipality rdfs:subClassOf <http://www.w3.org/ns/org#Organization> .
<https://w3id.org/rammegraf/id/initiativ/a> a rg:Initiative ; rdfs:label "A"@da ;
    rg:involves <https://w3id.org/rammegraf/id/kommune/k> ;
    rg:hasTask <https://w3id.org/rammegraf/id/opgave/t> ;
    rg:dependsOn <https://w3id.org/rammegraf/id/milepael/m> ;
    rg:note "a literal, not a node" .
<https://w3id.org/rammegraf/id/kommune/k> a rg:Municipality ; rdfs:label "K"@da .
<https://w3id.org/rammegraf/id/opgave/t> a rg:Task ; rdfs:label "T"@da ;
    rg:responsible <https://w3id.org/rammegraf/id/person/p> .
<https://w3id.org/rammegraf/id/person/p> a <http://xmlns.com/foaf/0.1/Person> ; rdfs:label "P"@da .
<https://w3id.org/rammegraf/id/milepael/m> a rg:Milestone ; rdfs:label "M"@da .
<https://w3id.org/rammegraf/id/status/a-1> rg:statusOf <https://w3id.org/rammegraf/id/initiativ/a> ;
    rg:asOf "2025-01-01"^^xsd:date ; rg:phase rg:NotStarted .
<https://w3id.org/rammegraf/id/status/a-2> rg:statusOf <https://w3id.org/rammegraf/id/initiativ/a> ;
    rg:asOf "2025-06-01"^^xsd:date ; rg:phase rg:InProgress .
"""


def fixture() -> OxigraphEngine:
    store = ox.Store()
    store.load(FIXTURE.encode(), format=ox.RdfFormat.TURTLE)
    return OxigraphEngine(store)


def test_build_network_fixture_nodes_edges_and_folding():
    net = build_network(fixture())
    assert sorted(net.nodes[n]["kind"] for n in net.nodes) == [
        "initiative", "milestone", "municipality", "person"]
    edges = sorted((u.rsplit("/", 1)[-1], v.rsplit("/", 1)[-1], d["property"].rsplit("#", 1)[-1],
                    d.get("via")) for u, v, d in net.edges(data=True))
    assert edges == [("a", "k", "involves", None), ("a", "m", "dependsOn", None),
                     ("a", "p", "responsible", "T")]


def test_build_network_phase_as_of_date():
    graph = fixture()
    a = "https://w3id.org/rammegraf/id/initiativ/a"
    assert build_network(graph).nodes[a]["phase"] == "InProgress"
    assert build_network(graph, as_of=date(2025, 3, 1)).nodes[a]["phase"] == "NotStarted"
    assert "phase" not in build_network(graph, as_of=date(2024, 1, 1)).nodes[a]


def test_build_network_shipped_counts(engine):
    net = build_network(engine)
    kinds = Counter(net.nodes[n]["kind"] for n in net.nodes)
    assert kinds == {"initiative": 15, "municipality": 19, "milestone": 27, "organisation": 11,
                     "committee": 7, "meeting": 6, "provision": 6, "person": 5, "cluster": 5,
                     "goal": 4, "agreement": 7, "area": 3, "act": 3, "workinggroup": 2,
                     "region": 1, "plan": 1}
    assert net.number_of_nodes() == 122
    assert not any(k in ("status", "task") for k in kinds)


def test_build_network_shipped_status_folded(engine):
    april = build_network(engine, as_of=date(2025, 4, 8)).nodes[F_ACT]
    august = build_network(engine).nodes[F_ACT]
    assert (april["phase"], april["status_date"]) == ("NotStarted", "2025-04-08")
    assert (august["phase"], august["phase_label"]) == ("InProgress", "I gang")
    assert august["status_text"].startswith("F-ACT er under fuld implementering")


def test_build_network_task_responsibility_reaches_initiative(engine):
    net = build_network(engine)
    secretariat = "https://w3id.org/rammegraf/id/organisation/faellessekretariatet"
    vias = {d.get("via") for _, v, d in net.out_edges(PRINCIPLES, data=True) if v == secretariat}
    assert "Afdækning af brugen af KL’s standardkontrakter" in vias


def test_report_dates(engine):
    assert report_dates(engine) == ["2025-04-08", "2025-08-20"]


@pytest.mark.parametrize("focus", ["udviklingsomraade/mental-sundhed-og-psykiatri", "region/midtjylland",
                                   "initiativ/botilbudsteams", "udvalg/dassos", "lov/serviceloven/paragraf-108"])
@pytest.mark.parametrize("depth", [0, 1, 2, 3])
def test_neighbourhood_from_the_store_is_the_ego_graph_of_the_whole(engine, focus, depth):
    """A view built hop by hop from the store has exactly the nodes and links that
    cutting the neighbourhood out of the whole projection gives."""
    whole = build_network(engine)
    iri = "https://w3id.org/rammegraf/id/" + focus
    ego = nx.ego_graph(whole.to_undirected(as_view=True), iri, radius=depth).nodes
    expected = whole.subgraph(ego)
    part = build_network(engine, around=iri, depth=depth)
    assert set(part.nodes) == set(expected.nodes)
    assert sorted(part.edges(keys=True)) == sorted(expected.edges(keys=True))
    assert all(part.nodes[n] == expected.nodes[n] for n in part.nodes)


FOCI = ["udviklingsomraade/mental-sundhed-og-psykiatri", "region/midtjylland", "initiativ/botilbudsteams",
        "udvalg/dassos", "lov/serviceloven/paragraf-108", "initiativ/faelleskommunale-principper",
        "kommune/odder"]


def _read(projection_class, engine, focus: str, depth: int, **options):
    from rammegraf.labels import Labels

    projection = projection_class(engine)
    projection.around("https://w3id.org/rammegraf/id/" + focus, depth, **options)
    net = projection.network(as_of=None, lang="da", labels=Labels(engine, "da"))
    return projection, net


@pytest.mark.parametrize("hashed", [None, 0, 3], ids=["looked-up", "hash-joined", "hash-joined-in-blocks-of-3"])
@pytest.mark.parametrize("focus", FOCI)
@pytest.mark.parametrize("depth", [0, 1, 2, 3])
def test_around_set_at_a_time_reads_what_hop_by_hop_read(engine, monkeypatch, focus, depth, hashed):
    """The neighbourhood read set at a time (one VALUES block a set; with ``hashed``,
    item links and types joined by hash as for large sets, the types in blocks of
    ``hashed`` IRIs when not 0) has the nodes, kinds, items, links, whole-graph link
    counts and attributes of the old hop-by-hop reading."""
    from hop_by_hop import HopByHop

    from rammegraf import network
    from rammegraf.network import _Projection

    queries = []
    if hashed is not None:
        monkeypatch.setattr(network, "HASH_ITEMS_ABOVE", 0)
        monkeypatch.setattr(network, "HASH_KINDS_ABOVE", 0)
        monkeypatch.setattr(network, "HASH_KINDS_BLOCK", hashed or None)
        query = engine.query
        monkeypatch.setattr(engine, "query", lambda text, *a, **k: queries.append((text, a, k)) or query(text, *a, **k))
    old, old_net = _read(HopByHop, engine, focus, depth)
    new, new_net = _read(_Projection, engine, focus, depth)
    assert old.kinds and new.kinds == old.kinds
    assert new.known == old.known and new.owner == old.owner and new.links == old.links
    assert new.degrees() == old.degrees()
    assert list(new_net.nodes(data=True)) == list(old_net.nodes(data=True))
    assert list(new_net.edges(keys=True, data=True)) == list(old_net.edges(keys=True, data=True))
    if hashed:  # no hash-joined look-up of kinds had more than ``hashed`` IRIs, and some had that many
        sizes = [len((args[0] if args else kwargs["bindings"])["n"]) for text, args, kwargs in queries
                 if text.startswith("SELECT ?n ?c WHERE { { SELECT")]
        assert sizes and max(sizes) == hashed


@pytest.mark.parametrize("focus", ["udviklingsomraade/mental-sundhed-og-psykiatri", "region/midtjylland"])
def test_around_with_max_nodes_stops_at_the_largest_depth_that_fits(engine, focus):
    from hop_by_hop import HopByHop

    from rammegraf.network import _Projection

    sizes = [len(_read(HopByHop, engine, focus, depth)[0].kinds) for depth in range(4)]
    assert sizes[0] < sizes[1] < sizes[2]
    reached = _Projection(engine).around("https://w3id.org/rammegraf/id/" + focus, 3, max_nodes=sizes[2] - 1)
    assert reached == (1, sizes[2])
    new, new_net = _read(_Projection, engine, focus, 3, max_nodes=sizes[2] - 1)
    old, old_net = _read(HopByHop, engine, focus, 1)
    assert (new.kinds, new.known, new.owner, new.links) == (old.kinds, old.known, old.owner, old.links)
    assert new.degrees() == old.degrees()
    assert list(new_net.edges(keys=True, data=True)) == list(old_net.edges(keys=True, data=True))
    assert _Projection(engine).around("https://w3id.org/rammegraf/id/" + focus, 3, max_nodes=1) == (0, sizes[1])
    assert _Projection(engine).around("https://w3id.org/rammegraf/id/" + focus, 2, max_nodes=sizes[2]) == (2, None)

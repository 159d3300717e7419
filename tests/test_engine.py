"""Oxigraph and rdflib give identical rows for every named query."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from rdflib import Graph, Literal

from rammegraf.engine import OxigraphEngine, values_block
from rammegraf.query import bind, get_query, query_names
from rammegraf.store import load

sys.path.insert(0, str(Path(__file__).parents[1] / "benchmarks"))
from generate import generate  # noqa: E402

NAMES = query_names()


def rows(result) -> list[list[str]]:
    return [[str(v) for v in result.vars]] + [["" if v is None else str(v) for v in row] for row in result]


@pytest.fixture(scope="module")
def oxigraph() -> OxigraphEngine:
    return OxigraphEngine.shipped()


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    folder = tmp_path_factory.mktemp("gen") / "data"
    generate(folder, years=2, per_region_year=15, seed=2)
    return load(data_dirs=[folder]), OxigraphEngine.shipped(data_dirs=[folder])


def test_engines_hold_the_same_triples(shipped: Graph, oxigraph: OxigraphEngine):
    assert len(oxigraph) == len(shipped)


@pytest.mark.parametrize("name", NAMES)
def test_named_query_identical_rows_on_shipped_data(name, shipped: Graph, oxigraph: OxigraphEngine):
    query = get_query(name)
    bindings = bind(query, {}, shipped)
    assert rows(oxigraph.query(query.text, bindings)) == rows(shipped.query(query.text, initBindings=bindings))


@pytest.mark.parametrize("name, values", [
    ("milepaele-i-periode", {"from": "2026-01-01", "to": "2026-12-31"}),
    ("faseskift", {"from": "2025-05-01", "to": "2026-05-01"}),
    ("status-i-rapport", {"date": "2026-09-01"}),
    ("aktoerer-efter-antal-initiativer", {}),
    ("initiativer-pr-udviklingsomraade", {}),
    ("milepaele-overskredet", {"asOf": "2026-06-01"}),
])
def test_named_query_identical_rows_on_generated_data(name, values, generated):
    graph, engine = generated
    query = get_query(name)
    bindings = bind(query, values, graph)
    expected = rows(graph.query(query.text, initBindings=bindings))
    assert len(expected) > 2
    assert rows(engine.query(query.text, bindings)) == expected


def test_oxigraph_binds_values_it_is_never_given_as_text(oxigraph: OxigraphEngine):
    query = "SELECT ?s WHERE { ?s rdfs:label ?l FILTER (STR(?l) = ?text) }"
    assert len(oxigraph.query(query, {"text": Literal("Botilbudsteams")})) == 1
    payload = '" || true) } UNION { ?s ?p ?o } #'
    assert len(oxigraph.query(query, {"text": Literal(payload)})) == 0


def test_values_block_goes_into_the_top_level_where_group():
    text = ('PREFIX s: <http://where.example/> # WHERE in a comment\n'
            'SELECT ?a WHERE { { SELECT ?b WHERE { ?b ?c "WHERE {" } } }')
    bound = values_block(text, {"p": Literal('a "quoted" } value'), "q": Literal(3)})
    assert bound == text.replace(
        "SELECT ?a WHERE {",
        'SELECT ?a WHERE { VALUES (?p ?q) { ("a \\"quoted\\" } value" '
        '"3"^^<http://www.w3.org/2001/XMLSchema#integer>) } ', 1)
    assert values_block("ASK { ?s ?p ?o }", {"s": Literal(1)}).startswith("ASK { VALUES (?s)")


def test_oxigraph_binds_in_ask_and_filters(oxigraph: OxigraphEngine):
    query = "ASK { ?m rg:latest ?l FILTER (?l <= ?deadline) }"
    from rdflib.namespace import XSD

    assert oxigraph.query(query, {"deadline": Literal("2026-01-01", datatype=XSD.date)}).askAnswer is True
    assert oxigraph.query(query, {"deadline": Literal("2020-01-01", datatype=XSD.date)}).askAnswer is False


def test_oxigraph_ask_and_construct(oxigraph: OxigraphEngine):
    assert oxigraph.query("ASK { ?x a rg:Initiative }").askAnswer is True
    assert oxigraph.query("ASK { ?x a rg:Nothing }").askAnswer is False
    built = oxigraph.query("CONSTRUCT { ?r rdfs:label ?l } WHERE { ?r a rg:Region ; rdfs:label ?l }")
    assert built.type == "CONSTRUCT" and len(built.graph) == 2

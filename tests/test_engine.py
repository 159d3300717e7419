"""Oxigraph and rdflib give identical rows for every named query."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from rdflib import Graph, Literal

from rammegraf.engine import CannotBind, OxigraphEngine, project_parameters
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


def test_project_parameters_adds_names_at_the_top_level_only():
    text = ('PREFIX s: <http://select.example/> # SELECT in a comment\n'
            'SELECT DISTINCT ?a WHERE { { SELECT ?b WHERE { ?b ?c "SELECT" } } }')
    widened, added = project_parameters(text, ["p", "q"])
    assert added == ["p", "q"]
    assert widened == text.replace("SELECT DISTINCT ?a", "SELECT DISTINCT ?p ?q ?a")
    assert project_parameters("SELECT * WHERE { ?s ?p ?o }", ["p"]) == ("SELECT * WHERE { ?s ?p ?o }", [])
    assert project_parameters("SELECT ?n WHERE { ?n a ?t }", ["n", "t"]) == ("SELECT ?t ?n WHERE { ?n a ?t }", ["t"])
    with pytest.raises(CannotBind):
        project_parameters("ASK { ?s ?p ?o }", ["p"])


def test_oxigraph_ask_and_construct(oxigraph: OxigraphEngine):
    assert oxigraph.query("ASK { ?x a rg:Initiative }").askAnswer is True
    assert oxigraph.query("ASK { ?x a rg:Nothing }").askAnswer is False
    built = oxigraph.query("CONSTRUCT { ?r rdfs:label ?l } WHERE { ?r a rg:Region ; rdfs:label ?l }")
    assert built.type == "CONSTRUCT" and len(built.graph) == 2

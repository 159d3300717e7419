"""Oxigraph answers every named query with the rows rdflib's own engine gives
(rdflib is the independent oracle here), and binds parameters as values."""

from __future__ import annotations

import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import BNode, Graph, Literal, URIRef

from rammegraf.engine import OxigraphEngine
from rammegraf.query import bind, get_query, query_names, run_on
from rammegraf.sparql import prepare
from rammegraf.terms import text
from rammegraf.validate import rdflib_graph

sys.path.insert(0, str(Path(__file__).parents[1] / "benchmarks"))
from generate import generate  # noqa: E402

NAMES = query_names()
XSD = "http://www.w3.org/2001/XMLSchema#"


def ours(answer) -> list[list[str]]:
    return [list(answer.vars)] + [[text(v) for v in row] for row in answer.rows]


def oracle(graph: Graph, query_text: str, bindings: dict) -> list[list[str]]:
    """rdflib's engine on the same text, its parameters bound with initBindings."""
    from rammegraf.namespaces import PREFIXES

    result = graph.query(query_text, initBindings={k: to_rdflib(v) for k, v in bindings.items()},
                         initNs=PREFIXES)
    return [[str(v) for v in result.vars]] + [["" if v is None else _plain(v) for v in row] for row in result]


def _plain(term) -> str:
    return f"_:{term}" if isinstance(term, BNode) else str(term)


def to_rdflib(term):
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    return Literal(term.value, datatype=URIRef(term.datatype.value))


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    folder = tmp_path_factory.mktemp("gen") / "data"
    generate(folder, years=2, per_region_year=15, seed=2)
    engine = OxigraphEngine.open([folder])
    return rdflib_graph(engine.dump()), engine


def test_engines_hold_the_same_triples(shipped: Graph, engine):
    assert len(engine) == len(shipped) == 2303


@pytest.mark.parametrize("name", NAMES)
def test_named_query_identical_rows_on_shipped_data(name, shipped: Graph, engine):
    query = get_query(name)
    bindings = bind(query, {}, engine)
    assert ours(run_on(engine, query)) == oracle(shipped, query.text, bindings)


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
    expected = oracle(graph, query.text, bind(query, values, engine))
    assert len(expected) > 2
    assert ours(run_on(engine, query, values)) == expected


def test_values_and_two_optionals_keep_every_row(engine):
    """rdflib drops rows when VALUES meets two OPTIONALs (an open rdflib bug); the
    engine under every read must not: faseskift has 15 rows, the new and dropped ones too."""
    answer = run_on(engine, get_query("faseskift"))
    assert len(answer) == 15
    assert {row[3].value for row in answer} == {"ny", "udgået", "uændret", "ændret"}


def test_oxigraph_binds_values_it_is_never_given_as_text(engine):
    query = "SELECT ?s WHERE { ?s rdfs:label ?l FILTER (STR(?l) = ?text) }"
    assert len(engine.query(query, {"text": ox.Literal("Botilbudsteams")})) == 1
    payload = '" || true) } UNION { ?s ?p ?o } #'
    assert len(engine.query(query, {"text": ox.Literal(payload)})) == 0


def test_bound_values_go_into_the_top_level_where_group():
    text_ = ('PREFIX s: <http://where.example/> # WHERE in a comment\n'
             'SELECT ?a WHERE { { SELECT ?b WHERE { ?b ?c "WHERE {" } } }')
    bound = prepare(text_).text({"p": ox.Literal('a "quoted" } value\nnext'),
                                 "q": ox.Literal("3", datatype=ox.NamedNode(XSD + "integer"))})
    assert ('SELECT ?a WHERE { VALUES (?p ?q) { ("a \\"quoted\\" } value\\nnext" '
            '"3"^^<http://www.w3.org/2001/XMLSchema#integer>) } ') in bound
    assert bound.count("VALUES") == 1 and "# WHERE in a comment" not in bound
    assert prepare("ASK { ?s ?p ?o }").text({"s": ox.Literal("1")}).startswith('ASK { VALUES (?s) { ("1") }')


def test_a_list_binding_gives_one_row_per_value(engine):
    answer = engine.query("SELECT ?s ?l WHERE { ?s rdfs:label ?l FILTER (lang(?l) = 'da') } ORDER BY ?s",
                          {"s": [ox.NamedNode("https://w3id.org/rammegraf/id/region/midtjylland"),
                                 ox.NamedNode("https://w3id.org/rammegraf/id/udvalg/dassos")]})
    assert [row[1].value for row in answer] == ["Region Midtjylland", "DASSOS"]


def test_oxigraph_binds_in_ask_and_filters(engine):
    query = "ASK { ?m rg:latest ?l FILTER (?l <= ?deadline) }"
    date = ox.NamedNode(XSD + "date")
    assert engine.query(query, {"deadline": ox.Literal("2026-01-01", datatype=date)}).boolean is True
    assert engine.query(query, {"deadline": ox.Literal("2020-01-01", datatype=date)}).boolean is False


def test_oxigraph_ask_construct_and_graph(engine):
    assert engine.query("ASK { ?x a rg:Initiative }").boolean is True
    assert engine.query("ASK { ?x a rg:Nothing }").boolean is False
    built = engine.query("CONSTRUCT { ?r rdfs:label ?l } WHERE { ?r a rg:Region ; rdfs:label ?l }")
    assert built.form == "CONSTRUCT" and len(built.triples) == 2
    graphs = engine.query("SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }")  # no named graphs: no rows
    assert sorted(graphs.vars) == ["g", "o", "p", "s"] and graphs.rows == []


def test_limit_cuts_and_marks_the_answer(engine):
    answer = engine.query("SELECT ?s WHERE { ?s ?p ?o }", limit=7)
    assert len(answer) == 7 and answer.truncated
    whole = engine.query("SELECT ?s WHERE { ?s a rg:Region }", limit=7)
    assert len(whole) == 1 and not whole.truncated


@pytest.mark.parametrize("name", NAMES)
def test_sorting_in_python_gives_oxigraphs_order(name, generated):
    """A closing ORDER BY of variables is sorted by the engine (engine._unordered):
    every named query's rows, in order, as Oxigraph's own ORDER BY gives them."""
    from rammegraf.query import prepared_for

    _, engine = generated
    query = get_query(name)
    values = {"actor": "https://w3id.org/rammegraf/id/udvalg/syn-midtjylland-styregruppe",
              "initiative": "https://w3id.org/rammegraf/id/initiativ/syn-midtjylland-2025-1",
              "plan": "https://w3id.org/rammegraf/id/aftale/syn-tiaarsplan"}
    bindings = bind(query, {p.name: values[p.name] for p in query.params if p.name in values}, engine)
    prepared = prepared_for(query)   # what a named query runs: its parameters written in place
    assert engine.query(prepared, bindings).rows == engine._run(prepared, bindings, None).rows


@pytest.mark.parametrize("order, rewritten", [
    ("ORDER BY ?x", True),
    ("ORDER BY DESC(?x) ?k", True),
    ("ORDER BY ?k LIMIT 3", False),           # a LIMIT after it: Oxigraph sorts
    ("ORDER BY STR(?x)", False),              # an expression: Oxigraph sorts
])
def test_python_order_matches_oxigraph_on_every_kind(order, rewritten, engine):
    from rammegraf.engine import checked, _unordered

    text = ('SELECT ?x WHERE { VALUES (?x ?k) { ("b"@da 1) ("a"@en 2) ("a"@da 10) ("B"@da UNDEF) '
            '("æ"@da 3) ("a"@en-gb -1) } } ' + order)
    prepared = checked(text)
    assert (_unordered(prepared) is not None) == rewritten
    assert engine.query(text).rows == engine._run(prepared, None, None).rows
    assert engine.query(text, limit=2).rows == engine._run(prepared, None, None).rows[:2]
    assert engine.query(text, limit=2).truncated


@pytest.mark.parametrize("values", [
    '(<https://x/b> 1) ("a" 2) (UNDEF 3)',          # an IRI and a literal: Oxigraph sorts
    '(2 1) ("2.5"^^xsd:decimal 2) (-1 3) (UNDEF 4)',  # numbers of two types, unbound first
    '("2026-01-02"^^xsd:date 1) ("2025-12-31"^^xsd:date 2)',
    '("b" 1) ("a"@da 2)',                           # a string and a text with a language
])
def test_python_order_falls_back_on_mixed_kinds(values, engine):
    from rammegraf.engine import checked

    for order in ("ORDER BY ?x ?k", "ORDER BY DESC(?x) ?k"):
        text = f"SELECT ?k WHERE {{ VALUES (?x ?k) {{ {values} }} }} {order}"
        assert engine.query(text).rows == engine._run(checked(text), None, None).rows
        assert engine.query(text).vars == ["k"]


def test_a_key_that_is_not_projected_is_added_under_distinct_and_its_duplicates_dropped(engine):
    """Under DISTINCT a key added makes more rows distinct; SPARQL orders before it projects
    and drops duplicates, so the first of each is kept (as Oxigraph's own ORDER BY does)."""
    from rammegraf.engine import checked, _unordered

    prepared, keys, added, again = _unordered(checked("SELECT DISTINCT ?k WHERE { ?k ?p ?x } ORDER BY ?x"))
    assert added == 1 and again and "SELECT DISTINCT ?k ?x WHERE" in prepared.text()
    prepared, keys, added, again = _unordered(checked("SELECT ?k WHERE { ?k ?p ?x } ORDER BY ?x"))
    assert added == 1 and keys == (("x", False),) and not again and "SELECT ?k ?x WHERE" in prepared.text()
    text = ('SELECT DISTINCT ?k WHERE { VALUES (?k ?x) { (2 "b"@da) (1 "c"@da) (2 "a"@da) (3 "a"@da) (1 "d"@da) } } '
            'ORDER BY ?x')
    assert [int(row[0].value) for row in engine.query(text).rows] == [2, 3, 1]
    assert engine.query(text).rows == engine._run(checked(text), None, None).rows

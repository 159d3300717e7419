from __future__ import annotations

import csv
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import rows, with_turtle

from rammegraf.query import (NamedQuery, Param, QueryError, QuerySyntaxError, bind, get_query,
                             named_queries, parse_query_text, prepare, queries_dir, run_on)

XSD = "http://www.w3.org/2001/XMLSchema#"

QUERY_FILES = sorted(queries_dir().glob("*.rq"))
EXPECTED = Path(__file__).parent / "expected"


def expected_rows(name: str) -> list[list[str]]:
    with open(EXPECTED / f"{name}.csv", encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def test_queries_dir_collects_every_named_query():
    assert len(QUERY_FILES) == 24
    assert len([p for p in QUERY_FILES if p.stem.endswith("-violation")]) == 4


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.stem)
def test_named_query_has_header_order_and_expected_file(path: Path):
    query = get_query(path.stem)
    assert set(query.titles) == {"da", "en"} and set(query.descriptions) == {"da", "en"}
    assert query.title("da") != query.title("en")
    prepare(query.text, name=query.name)  # parses and passes the read-only checks
    if query.form == "SELECT":
        assert "ORDER BY" in query.text
    assert (EXPECTED / f"{path.stem}.csv").is_file()


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.stem)
def test_named_query_rows_match_expected(path: Path, engine):
    assert rows(run_on(engine, get_query(path.stem))) == expected_rows(path.stem)


@pytest.mark.parametrize("path", [p for p in QUERY_FILES if p.stem.endswith("-violation")],
                         ids=lambda p: p.stem)
def test_violation_query_finds_nothing_in_shipped_data(path: Path, engine):
    assert len(run_on(engine, get_query(path.stem))) == 0


def test_violation_query_finds_a_planted_error(engine):
    planted = with_turtle(engine, """@prefix rg: <https://w3id.org/rammegraf/ontology#> .
        <https://w3id.org/rammegraf/id/milepael/x> a rg:Milestone ;
            rg:earliest "2026-02-01"^^<http://www.w3.org/2001/XMLSchema#date> ;
            rg:latest "2026-01-01"^^<http://www.w3.org/2001/XMLSchema#date> .""")
    found = run_on(planted, get_query("milepael-interval-violation"))
    assert [r[0].value for r in found] == ["https://w3id.org/rammegraf/id/milepael/x"]


def test_run_binds_deadline_param(engine):
    query = get_query("afhaenger-af-milepael")
    assert len(run_on(engine, query, {"deadline": "2026-01-01"})) == 1
    assert len(run_on(engine, query, {"deadline": "2025-12-31"})) == 0


def test_run_binds_iri_param_by_label_and_by_path(engine):
    query = get_query("statushistorik")
    by_label = run_on(engine, query, {"initiative": "botilbudsteams"}).rows
    by_path = run_on(engine, query, {"initiative": "initiativ/botilbudsteams"}).rows
    assert by_label == by_path and len(by_label) == 2


def test_bind_string_with_quote_and_brace_stays_one_literal(engine):
    payload = '"} UNION { ?s ?p ?o } # \' >\n\\'
    query = parse_query_text("# param: text xsd:string\nSELECT ?x WHERE { BIND (?text AS ?x) }")
    assert run_on(engine, query, {"text": payload}).rows == [(ox.Literal(payload),)]


@pytest.mark.parametrize("value", ["2026-13-01", "1.1.26", "2026-01-01\"} ?x {", "", "tomorrow"])
def test_bind_bad_date_names_param_and_type(engine, value: str):
    with pytest.raises(QueryError) as caught:
        bind(get_query("afhaenger-af-milepael"), {"deadline": value}, engine)
    assert "'deadline'" in str(caught.value) and "xsd:date" in str(caught.value)


def test_bind_integer_boolean_decimal(engine):
    query = NamedQuery(name="t", text="SELECT * WHERE {}", params=(
        Param("n", "xsd:integer"), Param("b", "xsd:boolean"), Param("d", "xsd:decimal")))
    got = bind(query, {"n": "42", "b": "ja", "d": "1,5"}, engine)
    assert got == {"n": ox.Literal("42", datatype=ox.NamedNode(XSD + "integer")),
                   "b": ox.Literal("true", datatype=ox.NamedNode(XSD + "boolean")),
                   "d": ox.Literal("1.5", datatype=ox.NamedNode(XSD + "decimal"))}
    with pytest.raises(QueryError, match="heltal"):
        bind(query, {"n": "4.2", "b": "ja", "d": "1"}, engine)


def test_bind_iri_of_wrong_class_is_refused(engine):
    with pytest.raises(QueryError) as caught:
        bind(get_query("statushistorik"), {"initiative": "DASSOS"}, engine)
    assert "rg:Initiative" in str(caught.value)


def test_bind_unknown_label_suggests_close_ones(engine):
    with pytest.raises(QueryError) as caught:
        bind(get_query("afhaenger-af-milepael"), {"actor": "Region Midtjyland"}, engine)
    assert "Region Midtjylland <https://w3id.org/rammegraf/id/region/midtjylland>" in caught.value.hint


@pytest.mark.parametrize("raw", ["https://w3id.org/rammegraf/id/udvalg/dasos", "udvalg/dasos", "DASOS"])
def test_a_large_stores_did_you_mean_reads_the_search_index(engine, tmp_path, monkeypatch, raw):
    """Above SUGGEST_FROM_INDEX triples the hint comes from the search index (at 1M the scan
    of every label took 9.5 s): a slip in an IRI's last part, a path or a label finds DASSOS,
    and a parameter with a class suggests only resources of that class."""
    from rammegraf import query as query_module
    from rammegraf.engine import OxigraphEngine
    from rammegraf.search import build

    path = tmp_path / "search.sqlite"
    build(engine, path).close()
    indexed = OxigraphEngine(engine.store)
    indexed.index_path = str(path)
    monkeypatch.setattr(query_module, "SUGGEST_FROM_INDEX", 0)
    with pytest.raises(QueryError) as caught:
        bind(get_query("aktoers-initiativer"), {"actor": raw}, indexed)
    assert caught.value.hint.startswith("Mente du (did you mean): ")
    assert "<https://w3id.org/rammegraf/id/udvalg/dassos>" in caught.value.hint
    with pytest.raises(QueryError) as caught:       # of rg:Initiative: DASSOS is not one
        bind(get_query("statushistorik"), {"initiative": raw}, indexed)
    assert "dassos" not in (caught.value.hint or "")
    with pytest.raises(QueryError) as caught:
        bind(get_query("statushistorik"), {"initiative": "initiativ/monitorering-af-f-akt"}, indexed)
    assert "Monitorering af F-ACT <https://w3id.org/rammegraf/id/initiativ/monitorering-af-f-act>" \
        in caught.value.hint


def test_without_an_index_a_did_you_mean_reads_a_bounded_number_of_labels(engine, monkeypatch):
    """With no search index (a SPARQL server), a wrong name reads at most
    SUGGEST_READ_AT_MOST labels for its hint, and gives none when there are more: on a
    server at 1M triples reading every label took over 10 s, and the 400 became a 503."""
    from rammegraf import query as query_module

    asked = []
    real = engine.query

    def counting(text, bindings=None, **kw):
        answer = real(text, bindings, **kw)
        if "rdfs:label ?l" in str(text) and "lang(?l)" in str(text):
            asked.append(len(answer.rows))
        return answer

    monkeypatch.setattr(engine, "query", counting)
    with pytest.raises(QueryError) as caught:
        bind(get_query("afhaenger-af-milepael"), {"actor": "Region Midtjyland"}, engine)
    assert "Region Midtjylland <https://w3id.org/rammegraf/id/region/midtjylland>" in caught.value.hint
    everything = asked[-1]
    assert everything > 20
    monkeypatch.setattr(query_module, "SUGGEST_READ_AT_MOST", 20)
    with pytest.raises(QueryError) as caught:
        bind(get_query("afhaenger-af-milepael"), {"actor": "Region Midtjyland"}, engine)
    assert "ingen ressource" in str(caught.value) and caught.value.hint is None
    assert asked[-1] == 21      # the server was asked for one more than it may read, not all
    monkeypatch.setattr(query_module, "SUGGEST_READ_AT_MOST", everything)
    with pytest.raises(QueryError) as caught:
        bind(get_query("afhaenger-af-milepael"), {"actor": "Region Midtjyland"}, engine)
    assert "Region Midtjylland" in caught.value.hint


def test_bind_unknown_param_lists_known(engine):
    with pytest.raises(QueryError, match="ukendt parameter 'dato'.*actor, deadline"):
        bind(get_query("afhaenger-af-milepael"), {"dato": "2026-01-01"}, engine)


def test_bind_missing_required_value(engine):
    query = parse_query_text("# param: when xsd:date\nSELECT * WHERE {}")
    with pytest.raises(QueryError, match="'when'.*mangler en værdi"):
        bind(query, {}, engine)


def test_get_query_unknown_name_suggests():
    with pytest.raises(QueryError) as caught:
        get_query("faseskfit")
    assert "faseskift" in caught.value.hint


@pytest.mark.parametrize("name", ["../store", "Faseskift", "fase skift"])
def test_get_query_refuses_names_outside_the_folder(name: str):
    with pytest.raises(QueryError, match="ingen navngiven forespørgsel"):
        get_query(name)


@pytest.mark.parametrize("header, words", [
    ("# titel@da: x\n", "ukendt nøgle 'titel@da'"),
    ("# param: when date = 2026-01-01\n", "parameteren skal skrives"),
    ("# param: who xsd:string org:Organization\n", "kun iri-parametre"),
    ("# param: who iri nope:Thing\n", "ukendt præfiks"),
    ("# param: a xsd:date\n# param: a xsd:date\n", "to gange"),
])
def test_parse_query_text_bad_header_is_an_error(header: str, words: str):
    with pytest.raises(QueryError, match=words):
        parse_query_text(header + "SELECT * WHERE {}")


def test_parse_query_text_named_header_must_be_complete():
    with pytest.raises(QueryError, match="title@en, description@da, description@en"):
        parse_query_text("# title@da: x\nSELECT * WHERE {}", require_header=True)


def test_syntax_error_has_line_and_column_of_the_users_text(engine):
    query = parse_query_text("SELECT ?x\nWHERE { ?x a rg:Initiative .\n  FILTER (?x = ) }", name="mine")
    with pytest.raises(QuerySyntaxError) as caught:
        run_on(engine, query)
    assert (caught.value.line, caught.value.column) == (3, 19)  # where Oxigraph's parser stopped
    assert str(caught.value).startswith("mine, linje 3, kolonne 19: ikke gyldig SPARQL")


def test_missing_brace_is_named_at_the_brace():
    with pytest.raises(QuerySyntaxError) as caught:
        prepare("SELECT ?x WHERE {\n  ?x a rg:Initiative\n", name="mine")
    assert (caught.value.line, caught.value.column) == (1, 17)
    assert "'{' lukkes aldrig" in str(caught.value)


def test_undeclared_prefix_is_named():
    with pytest.raises(QuerySyntaxError) as caught:
        prepare("SELECT ?x WHERE { ?x nope:label ?l }")
    assert (caught.value.line, caught.value.column) == (1, 22)
    assert "præfikset 'nope:' er ikke erklæret" in str(caught.value)
    prepare("PREFIX nope: <urn:nope:> SELECT ?x WHERE { ?x nope:label ?l }")


def test_prepare_refuses_update():
    with pytest.raises(QueryError, match="SPARQL Update er ikke tilladt"):
        prepare("DELETE WHERE { ?s ?p ?o }")


def test_prepare_refuses_from():
    with pytest.raises(QueryError, match="FROM og FROM NAMED"):
        prepare("SELECT * FROM NAMED <http://example.org/g> WHERE { ?s ?p ?o }")


def test_run_refuses_service_without_connecting(engine, listener):
    query = parse_query_text(
        f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{listener.port}/sparql> {{ ?s ?p ?o }} }}")
    with pytest.raises(QueryError, match="SERVICE er ikke tilladt"):
        run_on(engine, query)
    assert listener.close() == []


def test_run_ad_hoc_query_needs_no_prefix_declarations(engine):
    query = parse_query_text("SELECT (COUNT(?i) AS ?n) WHERE { ?i a rg:Initiative }")
    assert int(run_on(engine, query).rows[0][0].value) == 15


def test_named_queries_reads_all():
    assert [q.name for q in named_queries()] == sorted(p.stem for p in QUERY_FILES)


def test_every_named_query_has_words_for_people_for_each_parameter_and_column(engine):
    """Captions in Danish and English for every parameter and result column, in the header."""
    from rammegraf.query import named_queries, run_on

    for query in named_queries():
        answer = run_on(engine, query)
        wanted = [p.name for p in query.params] + (list(answer.vars) if answer.form == "SELECT" else [])
        for lang in ("da", "en"):
            missing = [v for v in wanted if v not in query.captions.get(lang, {})]
            assert not missing, (query.name, lang, missing)
        assert query.caption("dateText", "da") in ("dateText", "Dato (kildens ord)")


def test_a_caption_line_that_does_not_parse_is_refused():
    from rammegraf.query import QueryError, parse_query_text

    good = parse_query_text("# caption@da: x = Noget\n# caption@en: x = Something\nSELECT ?x {}")
    assert (good.caption("x", "da"), good.caption("x", "en"), good.caption("y", "en")) == ("Noget", "Something", "y")
    with pytest.raises(QueryError, match="caption@da: variabel = ord"):
        parse_query_text("# caption@da: x Noget\nSELECT ?x {}")


def test_a_named_querys_parameter_reaches_a_sub_select_on_every_engine(engine):
    """A named query's single-valued parameter is written where it stands (as a SPARQL
    server gets it), so it binds inside a sub-select on the embedded store too: the
    reports of one date, not every report (faseskift reads only its two rounds' reports
    this way). A parameter the query projects keeps its VALUES block, as on a server."""
    from rammegraf.query import prepared_for

    query = parse_query_text("# param: day xsd:date = 2025-04-08\n"
                             "SELECT ?report WHERE { { SELECT ?report WHERE { ?report rg:asOf ?day } } }",
                             name="dag")
    bindings = bind(query, {}, engine)
    text = prepared_for(query).text(bindings)
    assert '"2025-04-08"^^' in text and "VALUES" not in text and "?day" not in text
    rows = run_on(engine, query).rows
    every = engine.query("SELECT ?report WHERE { ?report rg:asOf ?day }").rows
    dated = engine.query("SELECT ?report WHERE { ?report rg:asOf \"2025-04-08\"^^xsd:date }").rows
    assert sorted(r[0].value for r in rows) == sorted(r[0].value for r in dated)
    assert 0 < len(dated) < len(every)
    projected = parse_query_text("# param: day xsd:date = 2025-04-08\n"
                                 "SELECT ?day ?report WHERE { ?report rg:asOf ?day }", name="dag2")
    assert "VALUES" in prepared_for(projected).text(bind(projected, {}, engine))
    assert {r[0].value for r in run_on(engine, projected).rows} == {"2025-04-08"}


def test_a_parameter_written_in_place_is_a_term_not_text(engine):
    """Written where its variable stands, a string parameter is still one RDF term: quotes,
    braces, a newline and a comment sign stay inside the literal, and the query gives it
    back as it was typed."""
    from rammegraf.query import prepared_for

    typed = 'x" } ; ?s ?p ?o . # }\n{ "'
    query = parse_query_text("# param: text xsd:string = a\nSELECT ?x WHERE { BIND (?text AS ?x) }", name="tekst")
    bindings = bind(query, {"text": typed}, engine)
    text = prepared_for(query).text(bindings)
    assert "VALUES" not in text and "?text" not in text
    assert [row[0].value for row in run_on(engine, query, {"text": typed}).rows] == [typed.strip()]

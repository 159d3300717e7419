"""The checks decided by the language tags of the values on one predicate (the label
checks, ``shacl/languages.py``): one query finds the focus nodes that may fail any
of them, and each check's own query runs on those. The results must be pySHACL's
and the general path's (each check's own query over every focus node), result for
result, on labels that fail each check, and on labels the first query keeps that
pass every check (a tag with a subtag)."""

from __future__ import annotations

from collections import Counter

import pyoxigraph as ox
import pytest

from rammegraf.engine import OxigraphEngine
from rammegraf.shacl import Compiler, Shapes, shapes_for, subclass_table
from rammegraf.validate import _runner, validate

ID = "https://w3id.org/rammegraf/id/ting/"
LONG = " med en etiket lang nok til at ligge for sig selv i lageret"   # over 15 bytes: decoded from disk

# each resource: its labels, and the checks it fails (shipped shapes)
LABELS = {
    "dansk": (['"Dansk{}"@da'], set()),
    "dansk-og-engelsk": (['"Dansk{}"@da', '"English{}"@en'], set()),
    "uden-etiket": ([], {"sh:MinCountConstraintComponent", "sh:OrConstraintComponent"}),
    "kun-engelsk": (['"English{}"@en'], {"sh:OrConstraintComponent"}),
    "to-danske": (['"Et{}"@da', '"To{}"@da'], {"sh:UniqueLangConstraintComponent"}),
    "uden-sprog": (['"Uden{}"'], {"sh:DatatypeConstraintComponent", "sh:LanguageInConstraintComponent",
                                  "sh:OrConstraintComponent"}),
    "uden-sprog-og-dansk": (['"Uden{}"', '"Dansk{}"@da'], {"sh:DatatypeConstraintComponent",
                                                           "sh:LanguageInConstraintComponent"}),
    "fransk-og-dansk": (['"Francais{}"@fr', '"Dansk{}"@da'], {"sh:LanguageInConstraintComponent"}),
    "engelsk-og-fransk": (['"English{}"@en', '"Francais{}"@fr'], {"sh:LanguageInConstraintComponent"}),
    "tre": (['"Dansk{}"@da', '"English{}"@en', '"Also{}"@en'], {"sh:UniqueLangConstraintComponent"}),
    "iri": ([f"<{ID}dansk>"], {"sh:DatatypeConstraintComponent", "sh:LanguageInConstraintComponent",
                               "sh:OrConstraintComponent"}),
    "typet": (['"Typet{}"^^<http://www.w3.org/2001/XMLSchema#string>', '"Dansk{}"@da'],
              {"sh:DatatypeConstraintComponent", "sh:LanguageInConstraintComponent"}),
    # kept by the first query (a tag it does not count), passing every check: "da-DK" is
    # Danish to sh:languageIn (langMatches), and another language than "da" to sh:uniqueLang
    "dansk-med-land": (['"Dansk{}"@da-DK'], set()),
    "dansk-og-dansk-med-land": (['"Dansk{}"@da-DK', '"Dansk igen{}"@da'], set()),
}


def label_data() -> OxigraphEngine:
    kind = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
    label = "<http://www.w3.org/2000/01/rdf-schema#label>"
    text = ""
    for name, (labels, _) in LABELS.items():
        text += f"<{ID}{name}> {kind} <{ID}klasse> .\n"
        text += "".join(f"<{ID}{name}> {label} {one.format(LONG)} .\n" for one in labels)
    store = ox.Store()
    store.load(text.encode(), format=ox.RdfFormat.N_TRIPLES)
    return OxigraphEngine(store)


def general(monkeypatch) -> None:
    """The compiler without the language query: each check's own query on every node."""
    monkeypatch.setattr(Compiler, "language_groups", lambda self, checks: {})


def counted(report) -> Counter:
    return Counter(r.key() for r in report.results)


def test_the_shipped_label_checks_are_one_query():
    shapes = shapes_for()
    checks = Compiler(shapes, subclass_table(lambda q: [], shapes.classes())).compile()
    grouped = [c for c in checks if "AS ?lang0" in c.body and "rdf-schema#label" in c.body]
    assert len(grouped) == 1
    assert sorted(str(p.shape.node).rsplit("#", 1)[-1].rstrip(">") for p in grouped[0].parts) == [
        "LabelDanish", "LabelLanguage", "LabelPresent", "LabelTagged", "LabelUniqueLang"]
    labelled = [c for c in checks if "rdf-schema#label" in c.body and c is not grouped[0]]
    assert labelled == []


def test_label_violations_are_pyshacls_and_the_general_paths(monkeypatch):
    engine = label_data()
    ours = validate(engine)
    assert counted(ours) == counted(validate(engine, engine="pyshacl"))
    found = {}
    for result in ours.results:
        found.setdefault(result.focus.removeprefix(ID), set()).add(result.constraint)
    assert found == {name: failed for name, (_, failed) in LABELS.items() if failed}
    general(monkeypatch)
    assert validate(engine).results == ours.results      # focus, value, path, component, message, severity


def test_the_first_query_keeps_every_node_that_fails_and_the_subtags():
    engine = label_data()
    run = _runner(engine.store)
    shapes = shapes_for()
    checks = Compiler(shapes, subclass_table(run, shapes.classes())).compile()
    grouped = next(c for c in checks if "AS ?lang0" in c.body and "rdf-schema#label" in c.body)
    kept = {r["this"].value.removeprefix(ID) for r in run(grouped.query(None))}
    failing = {name for name, (_, failed) in LABELS.items() if failed}
    assert kept == failing | {"dansk-med-land", "dansk-og-dansk-med-land"}


def test_entries_give_the_whole_graphs_results_for_them(monkeypatch):
    engine = label_data()
    whole = validate(engine)
    focus = [ox.NamedNode(f"{ID}{n}") for n in ("dansk", "uden-etiket", "to-danske", "dansk-med-land", "iri")]
    ours = validate(engine, focus_nodes=focus)
    assert ours.results == tuple(r for r in whole.results if r.focus_node in focus)
    assert counted(ours) == counted(validate(engine, engine="pyshacl", focus_nodes=focus))
    general(monkeypatch)
    assert validate(engine, focus_nodes=focus).results == ours.results


OTHER_SHAPES = """@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://ex/> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
ex:Names a sh:NodeShape ; sh:targetClass ex:C ;
    sh:property [ sh:path ex:name ; sh:maxCount 2 ] , [ sh:path ex:name ; sh:languageIn ( "en-GB" "da" ) ] ,
        [ sh:path ex:name ; sh:uniqueLang true ] , [ sh:path ex:name ; sh:datatype rdf:langString ] .
ex:Either a sh:NodeShape ; sh:targetClass ex:C ;
    sh:or ( [ sh:path ex:name ; sh:minCount 1 ; sh:languageIn ( "da" ) ; sh:uniqueLang true ]
            [ sh:path ex:name ; sh:maxCount 0 ] ) .
"""
OTHER_DATA = """@prefix ex: <http://ex/> .
ex:none a ex:C .
ex:da a ex:C ; ex:name "a"@da .
ex:gb a ex:C ; ex:name "a"@en-GB .
ex:gb-da a ex:C ; ex:name "a"@en-GB , "b"@da .
ex:en a ex:C ; ex:name "a"@en .
ex:da-da a ex:C ; ex:name "a"@da , "b"@da .
ex:three a ex:C ; ex:name "a"@da , "b"@en-GB , "c"@da-DK .
ex:plain a ex:C ; ex:name "a" .
ex:other a ex:D ; ex:name "a" .
"""


def test_other_counts_tags_and_or_agree_with_pyshacl(monkeypatch):
    """sh:maxCount, a language range with a subtag, sh:uniqueLang inside sh:or, and an
    sh:or member that wants no value at all."""
    from rdflib import Graph

    shapes = Graph().parse(data=OTHER_SHAPES, format="turtle")
    data = Graph().parse(data=OTHER_DATA, format="turtle")
    store = ox.Store()
    store.load(OTHER_DATA.encode(), format=ox.RdfFormat.TURTLE)
    read = Shapes(list(ox.parse(OTHER_SHAPES.encode(), format=ox.RdfFormat.TURTLE)))
    checks = Compiler(read, {}).compile()
    assert [len(c.parts) for c in checks if c.parts] == [5]
    ours = validate(store, shapes=read)
    assert counted(ours) == counted(validate(data, shapes=shapes, engine="pyshacl"))
    assert {r.constraint for r in ours.results} == {
        "sh:MaxCountConstraintComponent", "sh:LanguageInConstraintComponent", "sh:UniqueLangConstraintComponent",
        "sh:DatatypeConstraintComponent", "sh:OrConstraintComponent"}
    general(monkeypatch)
    assert validate(store, shapes=read).results == ours.results


@pytest.mark.parametrize("shapes_text", [
    # alone, or without a language: each check keeps its own query
    """@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://ex/> .
    ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:name ; sh:languageIn ( "da" ) ] .""",
    """@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://ex/> .
    ex:S a sh:NodeShape ; sh:targetClass ex:C ;
        sh:property [ sh:path ex:name ; sh:minCount 1 ] , [ sh:path ex:name ; sh:uniqueLang true ] .""",
    # one query reading the languages (the value conditions, one scan) beside a count: no gain
    """@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://ex/> .
    @prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
    ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:name ; sh:minCount 1 ] ,
        [ sh:path ex:name ; sh:languageIn ( "da" ) ; sh:datatype rdf:langString ] .""",
    # a path that is not one predicate, a language range with *
    """@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://ex/> .
    ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path [ sh:inversePath ex:name ] ;
        sh:minCount 1 ] , [ sh:path [ sh:inversePath ex:name ] ; sh:languageIn ( "da" ) ] .""",
    """@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://ex/> .
    ex:S a sh:NodeShape ; sh:targetClass ex:C ;
        sh:property [ sh:path ex:name ; sh:minCount 1 ] , [ sh:path ex:name ; sh:languageIn ( "*" ) ] .""",
])
def test_checks_not_decided_by_languages_keep_their_own_queries(shapes_text):
    read = Shapes(list(ox.parse(shapes_text.encode(), format=ox.RdfFormat.TURTLE)))
    checks = Compiler(read, {}).compile()
    assert not any("AS ?lang0" in c.body for c in checks)


def test_blank_resources_and_many_nodes_found_give_the_same_results(monkeypatch):
    """A blank node cannot be named in a query, and very many nodes found cost more
    named than each check's own query over every node: then each check runs over every
    node (``WHOLE_AFTER``), with the same results."""
    import rammegraf.validate as module

    engine = label_data()
    label = "<http://www.w3.org/2000/01/rdf-schema#label>"
    engine.store.load(f"""_:none a <{ID}klasse> . _:english a <{ID}klasse> ; {label} "English"@en .
        _:fine a <{ID}klasse> ; {label} "Dansk"@da .""".encode(), format=ox.RdfFormat.TURTLE)

    def named(report):      # blank nodes by kind only: each engine names them its own way
        return Counter(tuple("_:" if str(k).startswith("_:") else k for k in r.key()) for r in report.results)

    ours = validate(engine)
    assert named(ours) == named(validate(engine, engine="pyshacl"))
    blank = Counter((r.constraint, r.source_shape.value.rsplit("#", 1)[-1]) for r in ours.results
                    if r.focus.startswith("_:"))
    assert blank == {("sh:MinCountConstraintComponent", "LabelPresent"): 1,
                     ("sh:OrConstraintComponent", "LabelDanish"): 2,
                     ("sh:NodeKindConstraintComponent", "IriShape"): 3,
                     ("sh:PatternConstraintComponent", "IriShape"): 3}
    monkeypatch.setattr(module, "WHOLE_AFTER", 0)
    assert validate(engine).results == ours.results
    general(monkeypatch)
    assert validate(engine).results == ours.results


COUNT_SHAPES = """@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://ex/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:S a sh:NodeShape ; sh:targetClass ex:C ;
    sh:property [ sh:path ex:d ; sh:minCount 1 ; sh:maxCount 1 ; sh:datatype xsd:date ] ,
        [ sh:path ex:k ; sh:minCount 1 ; sh:maxCount 2 ; sh:in ( ex:a ex:b ) ] ,
        [ sh:path ex:code ; sh:minCount 1 ; sh:maxCount 1 ; sh:datatype xsd:string ; sh:pattern "^[0-9]{4}$" ;
          sh:maxLength 4 ] .
"""
COUNT_DATA = """@prefix ex: <http://ex/> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:ok a ex:C ; ex:d "2025-01-01"^^xsd:date ; ex:k ex:a , ex:b ; ex:code "1234" .
ex:none a ex:C .
ex:two-dates a ex:C ; ex:d "2025-01-01"^^xsd:date , "2025-01-02"^^xsd:date ; ex:k ex:a ; ex:code "1234" .
ex:bad-date a ex:C ; ex:d "2025-02-30"^^xsd:date ; ex:k ex:c ; ex:code "12345" .
ex:text-date a ex:C ; ex:d "2025-01-01" ; ex:k ex:a , ex:b , ex:a2 ; ex:code 1234 .
ex:iri-code a ex:C ; ex:d ex:a ; ex:k "a" ; ex:code ex:b , _:b .
ex:other ex:d "x" ; ex:k ex:c ; ex:code "x" .
"""


def test_counts_and_value_conditions_on_one_path_are_one_query(monkeypatch):
    """sh:minCount, sh:maxCount and value conditions on one predicate (StatusPhase,
    StatusAsOf): one query counts each node's values and those failing a condition (a
    condition in error counts as failing); the results are pySHACL's and each check's own."""
    from rdflib import Graph

    read = Shapes(list(ox.parse(COUNT_SHAPES.encode(), format=ox.RdfFormat.TURTLE)))
    grouped = [c for c in Compiler(read, {}).compile() if "AS ?targets" in c.body]
    assert sorted(len(c.parts) for c in grouped) == [3, 3, 5] and not any("lang(" in c.body for c in grouped)
    store = ox.Store()
    store.load(COUNT_DATA.encode(), format=ox.RdfFormat.TURTLE)
    ours = validate(store, shapes=read)

    def named(report):      # blank nodes by kind only: each engine names them its own way
        return Counter(tuple("_:" if str(k).startswith("_:") else k for k in r.key()) for r in report.results)

    oracle = validate(Graph().parse(data=COUNT_DATA, format="turtle"),
                      shapes=Graph().parse(data=COUNT_SHAPES, format="turtle"), engine="pyshacl")
    assert named(ours) == named(oracle)
    assert {r.focus_node.value.rsplit("/", 1)[-1] for r in ours.results} == {
        "none", "two-dates", "bad-date", "text-date", "iri-code"}
    general(monkeypatch)
    assert validate(store, shapes=read).results == ours.results

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph

from rammegraf.store import parse_file
from rammegraf.validate import ValidationReport, rdflib_graph, validate

BAD_DIR = Path(__file__).parent / "bad"
BAD_FILES = sorted(BAD_DIR.glob("*.ttl"))
HEADER = re.compile(r"^# (violation|focus|path|constraint): (.+)$", re.MULTILINE)


def expectation(path: Path) -> dict[str, str]:
    found = dict(HEADER.findall(path.read_text(encoding="utf-8")))
    missing = {"violation", "focus", "path", "constraint"} - found.keys()
    if missing:
        raise AssertionError(f"{path.name}: header lacks {sorted(missing)}")
    return found


def with_files(shipped: Graph, *paths: Path) -> Graph:
    """A copy of the shipped graph with the given files added (parsed by Oxigraph,
    as rammegraf parses entries)."""
    graph = Graph()
    graph += shipped
    triples = [t for path in paths for t in parse_file(path)]
    return rdflib_graph(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), graph)


def test_bad_suite_collects_every_file():
    assert len(BAD_FILES) == 39


def test_shipped_graph_conforms(shipped_report: ValidationReport):
    assert shipped_report.conforms, [
        (r.focus, r.path, r.message()) for r in shipped_report.violations]
    assert shipped_report.violations == ()


def test_shipped_warnings_are_only_missing_responsible(shipped_report: ValidationReport):
    kinds = {(r.path, r.constraint) for r in shipped_report.warnings}
    assert kinds == {("rg:responsible", "sh:MinCountConstraintComponent")}
    assert len(shipped_report.warnings) == 33


@pytest.mark.parametrize("path", BAD_FILES, ids=lambda p: p.stem)
def test_validate_bad_entry_raises_named_violation(path: Path, shipped: Graph, shapes: Graph):
    expected = expectation(path)
    report = validate(with_files(shipped, path), shapes=shapes)

    assert not report.conforms
    want_path = None if expected["path"] == "-" else expected["path"]
    matches = [r for r in report.violations
               if r.focus == expected["focus"]
               and r.path == want_path and r.constraint == expected["constraint"]]
    assert matches, f"{path.name}: got {[(r.focus, r.path, r.constraint) for r in report.violations]}"
    # The message is named in both languages, from the shape, not pySHACL's default.
    result = matches[0]
    assert set(result.messages) == {"da", "en"}
    assert result.message("da") != result.message("en")


def test_validate_message_falls_back_to_danish(shipped: Graph, shapes: Graph):
    graph = with_files(shipped, BAD_DIR / "status-without-phase.ttl")
    result = next(r for r in validate(graph, shapes=shapes).violations if r.path == "rg:phase")
    assert result.message("da") == "En statusrapport har præcis én fase (rg:phase)."
    assert result.message("en") == "A status report has exactly one phase (rg:phase)."
    assert result.message("fr") == result.message("da")


def test_validate_report_graph_is_the_shacl_results(shipped: Graph, shapes: Graph):
    graph = with_files(shipped, BAD_DIR / "chair-not-a-person.ttl")
    report = validate(graph, shapes=shapes)
    query = "ASK { ?r a sh:ValidationResult ; sh:resultPath rg:chair }"
    assert Graph().parse(data=report.turtle(), format="turtle").query(query, initNs={
        "sh": "http://www.w3.org/ns/shacl#", "rg": "https://w3id.org/rammegraf/ontology#"}).askAnswer


@pytest.mark.parametrize("path", BAD_FILES, ids=lambda p: p.stem)
def test_check_entries_focused_agrees_with_full_validation(path: Path, shipped: Graph, shapes: Graph, engine):
    """Validating only what an entry touches finds the violation the whole graph shows."""
    from rammegraf.validate import check_entries

    expected = expectation(path)
    full_report = validate(with_files(shipped, path), shapes=shapes)
    full = {(r.focus, r.path, r.constraint) for r in full_report.violations}

    focused = check_entries(parse_file(path), engine, shapes=shapes).report
    got = {(r.focus, r.path, r.constraint) for r in focused.violations}

    want = (expected["focus"], None if expected["path"] == "-" else expected["path"], expected["constraint"])
    assert want in got
    assert got <= full


def test_report_graph_says_it_does_not_conform_when_it_has_warnings(shipped_report: ValidationReport):
    """SHACL 1.0 section 3.6.1: sh:conforms is false whenever the report has results;
    our verdict (and exit code) still allows warnings."""
    from rdflib import Literal
    from rdflib.namespace import SH

    assert shipped_report.conforms and shipped_report.warnings
    results = Graph().parse(data=shipped_report.turtle(), format="turtle")
    assert list(results.objects(None, SH.conforms)) == [Literal(False)]


# --- rammegraf shacl: graphs of one's own, nothing else loaded ------------------------

SHACL_DATA = """@prefix ex: <http://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:a a ex:Thing ; ex:size "4.0"^^xsd:decimal ; ex:small "5"^^xsd:byte ; ex:count "01"^^xsd:integer ;
    ex:pair "4.0"^^xsd:decimal , "4.00"^^xsd:decimal .
ex:b a ex:Thing ; ex:size "4"^^xsd:decimal ; ex:small "300"^^xsd:byte ; ex:count "2"^^xsd:integer ;
    ex:pair "1"^^xsd:decimal .
"""
SHACL_SHAPES = """@prefix ex: <http://example.org/> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:ThingShape a sh:NodeShape ; sh:targetClass ex:Thing ;
    sh:property [ sh:path ex:size ; sh:in ( 4.0 ) ] ,
        [ sh:path ex:small ; sh:datatype xsd:byte ] ,
        [ sh:path ex:count ; sh:maxInclusive 0 ] ,
        [ sh:path ex:pair ; sh:maxCount 1 ] .
"""


def _shacl(tmp_path: Path, *args: str, data: str = SHACL_DATA, shapes: str = SHACL_SHAPES):
    from click.testing import CliRunner

    from rammegraf.cli import main

    (tmp_path / "data.ttl").write_text(data, encoding="utf-8")
    (tmp_path / "shapes.ttl").write_text(shapes, encoding="utf-8")
    return CliRunner().invoke(main, ["shacl", str(tmp_path / "data.ttl"), "--shapes", str(tmp_path / "shapes.ttl"),
                                     *args])


def test_shacl_results_name_the_datas_own_literals(tmp_path: Path):
    """The store keeps "4.0" as 4, "5"^^xsd:byte and "300"^^xsd:byte as integers and
    "4.0"/"4.00" as one value; SHACL compares the data's own terms."""
    import json

    result = _shacl(tmp_path, "--format", "json")
    assert result.exit_code == 1, result.output
    found = sorted((r["focusNode"].rsplit("/", 1)[-1], r["path"].rsplit("/", 1)[-1].rstrip(">"),
                    r["constraint"], r["value"]) for r in json.loads(result.stdout)["results"])
    assert found == [
        ("a", "count", "sh:MaxInclusiveConstraintComponent", "01"),       # as written, not the store's "1"
        ("a", "pair", "sh:MaxCountConstraintComponent", None),            # two values, one in the store
        ("b", "count", "sh:MaxInclusiveConstraintComponent", "2"),
        ("b", "size", "sh:InConstraintComponent", "4"),                   # 4 is not the term 4.0
        ("b", "small", "sh:DatatypeConstraintComponent", "300")]          # ill-typed, though an integer in the store


def test_shacl_results_graph_holds_the_written_terms(tmp_path: Path):
    """Read by Oxigraph's parser, which keeps a literal as written (rdflib's would make "01" 1)."""
    result = _shacl(tmp_path, "--format", "ttl")
    assert result.exit_code == 1
    values = [t.object for t in ox.parse(result.stdout.encode(), format=ox.RdfFormat.TURTLE)
              if t.predicate.value == "http://www.w3.org/ns/shacl#value"]
    assert sorted((v.value, v.datatype.value.rsplit("#", 1)[-1]) for v in values) == [
        ("01", "integer"), ("2", "integer"), ("300", "byte"), ("4", "decimal")]


def test_shacl_loads_nothing_but_the_given_graphs(tmp_path: Path):
    """Neither the plan's shapes (an initiative with nothing would break them) nor its
    ontology (the shape says there is no class at all) are loaded."""
    data = "@prefix rg: <https://w3id.org/rammegraf/ontology#> . <urn:x:i> a rg:Initiative ."
    shapes = """@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        <urn:x:S> a sh:NodeShape ; sh:targetSubjectsOf <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> ;
            sh:property [ sh:path <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> ; sh:not [ sh:class rdfs:Class ] ] ;
            sh:property [ sh:path rdfs:subClassOf ; sh:maxCount 0 ] ."""
    result = _shacl(tmp_path, data=data, shapes=shapes)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Gyldig: 0 fejl, 0 advarsler.")


@pytest.mark.parametrize("args, data, shapes, said", [
    (["--shapes", "/nonexistent/shapes.ttl"], SHACL_DATA, None, "kan ikke læses"),
    ([], "@prefix ex: <http://example.org/> . ex:a ex:p", SHACL_SHAPES, "kan ikke parses"),
    ([], SHACL_DATA, "<urn:x> <urn:y> <urn:z> .", "formgrafen har ingen former"),
    ([], SHACL_DATA, SHACL_SHAPES.replace("sh:in ( 4.0 )", "sh:node ex:ThingShape"), "rekursion"),
], ids=["missing-file", "bad-turtle", "no-targets", "recursive"])
def test_shacl_cannot_load_is_exit_2_with_a_sentence(tmp_path: Path, args, data, shapes, said):
    from click.testing import CliRunner

    from rammegraf.cli import main

    (tmp_path / "data.ttl").write_text(data, encoding="utf-8")
    given = args or ["--shapes", str(tmp_path / "shapes.ttl")]
    if shapes is not None:
        (tmp_path / "shapes.ttl").write_text(shapes, encoding="utf-8")
    result = CliRunner().invoke(main, ["shacl", str(tmp_path / "data.ttl"), *given])
    assert result.exit_code == 2
    assert said in result.output and "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_shacl_needs_shapes_and_data():
    from click.testing import CliRunner

    from rammegraf.cli import main

    assert CliRunner().invoke(main, ["shacl", "x.ttl"]).exit_code == 2
    assert CliRunner().invoke(main, ["shacl", "--shapes", "x.ttl"]).exit_code == 2


def test_shacl_conforming_graph_is_exit_0(tmp_path: Path):
    data = SHACL_DATA.replace('"300"^^xsd:byte', '"3"^^xsd:byte').replace('"4"^^xsd:decimal', '"4.0"^^xsd:decimal')
    data = data.replace('"2"^^xsd:integer', '"0"^^xsd:integer').replace(' , "4.00"^^xsd:decimal', "")
    data = data.replace('"01"^^xsd:integer', '"0"^^xsd:integer')
    result = _shacl(tmp_path, "--lang", "en", data=data)
    assert (result.exit_code, result.stdout) == (0, "Conforms: 0 violations, 0 warnings.\n")


def test_shipped_data_is_written_in_the_stores_own_forms():
    """The plan's files hold no literal the store would change, so the results of
    `rammegraf validate` (which reads the store) name the data's own terms."""
    from rammegraf.shacl.exact import Originals
    from rammegraf.store import graph_files

    triples = [t for path in graph_files(None) for t in parse_file(path)]
    assert len(triples) > 2000
    assert not Originals.of(triples)


def test_datatype_the_store_does_not_keep_is_refused_on_a_store(engine):
    """Oxigraph keeps "5"^^xsd:int as xsd:integer: on a store the validator did not
    fill, sh:datatype xsd:int cannot be decided, and is refused with what to do."""
    from rammegraf.shacl import ShapeError, Shapes

    shapes = Shapes(parse_bytes_turtle("""@prefix sh: <http://www.w3.org/ns/shacl#> .
        @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
        <urn:x:S> a sh:NodeShape ; sh:targetClass <https://w3id.org/rammegraf/ontology#Initiative> ;
            sh:property [ sh:path <urn:x:n> ; sh:datatype xsd:int ] ."""))
    with pytest.raises(ShapeError, match="rammegraf shacl"):
        validate(engine, shapes=shapes)


def test_new_entries_name_their_own_literals(engine):
    """A new entry's "4.0" is named as written, not as the store keeps it ("4")."""
    from rammegraf.shacl import Shapes
    from rammegraf.validate import check_entries

    shapes = Shapes(parse_bytes_turtle("""@prefix sh: <http://www.w3.org/ns/shacl#> .
        <urn:x:S> a sh:NodeShape ; sh:targetSubjectsOf <urn:x:size> ;
            sh:property [ sh:path <urn:x:size> ; sh:maxInclusive 3 ] ."""))
    entry = parse_bytes_turtle('<https://w3id.org/rammegraf/id/x/ny> <urn:x:size> '
                               '"4.0"^^<http://www.w3.org/2001/XMLSchema#decimal> .')
    with check_entries(entry, engine, shapes=shapes) as check:
        assert [(r.constraint, str(r.value)) for r in check.report.results] == [
            ("sh:MaxInclusiveConstraintComponent", '"4.0"^^<http://www.w3.org/2001/XMLSchema#decimal>')]


def parse_bytes_turtle(text: str) -> list:
    from rammegraf.store import parse_bytes

    return parse_bytes(text.encode("utf-8"), name="test.ttl")

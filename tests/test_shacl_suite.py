"""The W3C SHACL test suite (tests/w3c-shacl/, Core and SHACL-SPARQL) on the
compiled validator, one test per manifest entry, with no network.

A Validate entry passes when the report is isomorphic to the expected one after
the normalisation the suite describes ("Validate RDF data", full compliance):
only sh:conforms, sh:result and the results' sh:focusNode, sh:resultPath (a
structure of its own per result), sh:resultSeverity, sh:sourceConstraint,
sh:sourceConstraintComponent, sh:sourceShape and sh:value are compared, and
sh:resultMessage only where the expected report has one. An entry whose result
is sht:Failure passes when the validator refuses the shapes with a ShapeError
that names the reason. pySHACL, the oracle elsewhere, runs the same entries in
the same comparison, and its known misses are named.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from rammegraf.shacl import ShapeError
from rammegraf.validate import validate_triples

SUITE = Path(__file__).parent / "w3c-shacl"
MF = "http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#"
SHT = "http://www.w3.org/ns/shacl-test#"
SH = "http://www.w3.org/ns/shacl#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
COMPARED = {SH + n for n in ("result", "conforms", "focusNode", "resultSeverity", "sourceConstraint",
                             "sourceConstraintComponent", "sourceShape", "value")}

# What each sht:Failure entry is refused for (SHACL 1.0 Appendix A and §5.3).
FAILURES = {
    "sparql/pre-binding/pre-binding-006": "SELECT * i en delforespørgsel",
    "sparql/pre-binding/unsupported-sparql-001": "MINUS",
    "sparql/pre-binding/unsupported-sparql-002": "VALUES",
    "sparql/pre-binding/unsupported-sparql-003": "SERVICE",
    "sparql/pre-binding/unsupported-sparql-004": "delforespørgsel: den returnerer ikke $this",
    "sparql/pre-binding/unsupported-sparql-005": "AS $this",
    "sparql/pre-binding/unsupported-sparql-006": "AS ?value",
}
# pySHACL 0.40.1 on the same entries and comparison, and why each is missed:
PYSHACL_MISSES = {
    # "1"^^xsd:boolean is taken as true: the constraint is active and reports "HI"@en / "Hi"@en
    "core/property/uniqueLang-002",
    # sh:prefixes through owl:imports is not followed ("Unknown namespace prefix : ex")
    "sparql/node/prefixes-001",
    # $this inside a nested group is not pre-bound (values insertion), so no result
    "sparql/pre-binding/pre-binding-001", "sparql/pre-binding/pre-binding-005",
    # "$shapesGraph ... is not currently supported"
    "sparql/pre-binding/shapesGraph-001",
}


@dataclass(frozen=True)
class Entry:
    name: str
    manifest: Path
    data: Path
    shapes: Path
    result: object          # the mf:result node (a blank node) or sht:Failure


_PARSED: dict = {}


def parse(path: Path) -> list:
    """A file's triples, parsed once (so a graph given as data and shapes has the same blank nodes)."""
    if path not in _PARSED:
        _PARSED[path] = [ox.Triple(q.subject, q.predicate, q.object) for q in
                         ox.parse(path.read_bytes(), format=ox.RdfFormat.TURTLE, base_iri=path.resolve().as_uri())]
    return _PARSED[path]


def _objects(triples, subject, predicate: str) -> list:
    return [t.object for t in triples if t.subject == subject and t.predicate.value == predicate]


def _file(term) -> Path:
    return Path(term.value.removeprefix("file://"))


def entries(manifest: Path = SUITE / "manifest.ttl") -> list[Entry]:
    triples = parse(manifest)
    me = ox.NamedNode(manifest.resolve().as_uri())
    out = [e for included in _objects(triples, me, MF + "include") for e in entries(_file(included))]
    for head in _objects(triples, me, MF + "entries"):
        while head != ox.NamedNode(RDF + "nil"):
            entry = _objects(triples, head, RDF + "first")[0]
            action = _objects(triples, entry, MF + "action")[0]
            name = f"{manifest.parent.relative_to(SUITE).as_posix()}/{entry.value.rsplit('/', 1)[-1]}"
            out.append(Entry(name, manifest, _file(_objects(triples, action, SHT + "dataGraph")[0]),
                             _file(_objects(triples, action, SHT + "shapesGraph")[0]),
                             _objects(triples, entry, MF + "result")[0]))
            head = _objects(triples, head, RDF + "rest")[0]
    return out


ENTRIES = entries()


def rdflib_term(term):
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language, normalize=False)
    return Literal(term.value, datatype=URIRef(term.datatype.value), normalize=False)


def expected_report(entry: Entry) -> Graph:
    """The expected report's triples: the mf:result node's, its results', and their paths'."""
    triples = parse(entry.manifest)
    out = Graph()

    def add(subject, *, closure: bool = False) -> None:
        for t in triples:
            if t.subject == subject:
                out.add((rdflib_term(t.subject), rdflib_term(t.predicate), rdflib_term(t.object)))
                if closure or t.predicate.value in (SH + "result", SH + "resultPath"):
                    if isinstance(t.object, ox.BlankNode):
                        add(t.object, closure=closure or t.predicate.value == SH + "resultPath")
    add(entry.result)
    return out


def normalised(report: Graph, expected: Graph) -> Graph:
    """The report as the suite compares it: only the compared properties of the report
    and its results, each result path cloned, no nested results (sh:detail)."""
    out = Graph()
    messages = set(expected.objects(None, URIRef(SH + "resultMessage")))

    def clone(node):
        if not isinstance(node, BNode):
            return node
        copy = BNode()
        for _, p, o in report.triples((node, None, None)):
            out.add((copy, p, clone(o)))
        return copy

    reports = set(report.subjects(URIRef(RDF + "type"), URIRef(SH + "ValidationReport")))
    kept = reports | {r for each in reports for r in report.objects(each, URIRef(SH + "result"))}
    for s, p, o in report:
        if s not in kept:
            continue
        if str(p) == RDF + "type" and str(o) in (SH + "ValidationReport", SH + "ValidationResult"):
            out.add((s, p, o))
        elif str(p) == SH + "resultPath":
            out.add((s, p, clone(o)))
        elif str(p) in COMPARED or (str(p) == SH + "resultMessage" and o in messages):
            out.add((s, p, o))
    return out


def ours(entry: Entry) -> Graph:
    report = validate_triples(parse(entry.data), parse(entry.shapes))
    graph = Graph()
    for t in report.triples():
        graph.add((rdflib_term(t.subject), rdflib_term(t.predicate), rdflib_term(t.object)))
    return graph


def pyshacl_report(entry: Entry) -> Graph:
    """pySHACL on the same parsed triples, literals as written (rdflib's normalising off)."""
    from pyshacl import validate
    from pyshacl.errors import ValidationFailure

    normalize = rdflib.NORMALIZE_LITERALS
    rdflib.NORMALIZE_LITERALS = False
    try:
        data, shapes = Graph(), Graph()
        for graph, path in ((data, entry.data), (shapes, entry.shapes)):
            for t in parse(path):
                graph.add((rdflib_term(t.subject), rdflib_term(t.predicate), rdflib_term(t.object)))
        _, report, _ = validate(data, shacl_graph=shapes, inference="none", advanced=True)
    finally:
        rdflib.NORMALIZE_LITERALS = normalize
    if isinstance(report, ValidationFailure):
        raise report
    return report


def passes(entry: Entry, engine) -> bool:
    failure = entry.result == ox.NamedNode(SHT + "Failure")
    try:
        report = engine(entry)
    except Exception:  # noqa: BLE001  (pySHACL's failures are its own exceptions)
        return failure
    expected = expected_report(entry)
    return not failure and isomorphic(expected, normalised(report, expected))


def test_the_suite_is_all_there():
    kinds = [e.name.split("/")[0] for e in ENTRIES]
    assert (kinds.count("core"), kinds.count("sparql")) == (98, 22)
    assert set(FAILURES) == {e.name for e in ENTRIES if e.result == ox.NamedNode(SHT + "Failure")}


@pytest.mark.parametrize("entry", [e for e in ENTRIES if e.name not in FAILURES], ids=lambda e: e.name)
def test_validate_entry(entry: Entry):
    expected = expected_report(entry)
    actual = normalised(ours(entry), expected)
    assert isomorphic(expected, actual), (
        f"expected:\n{expected.serialize(format='turtle')}\nactual:\n{actual.serialize(format='turtle')}")


@pytest.mark.parametrize("entry", [e for e in ENTRIES if e.name in FAILURES], ids=lambda e: e.name)
def test_failure_entry_is_refused_with_its_reason(entry: Entry):
    with pytest.raises(ShapeError) as refused:
        ours(entry)
    assert FAILURES[entry.name] in str(refused.value)
    assert "SHACL 1.0" in str(refused.value)


def test_pyshacl_on_the_same_entries():
    """The oracle's own score in the same comparison (97/98 Core, 17/22 SHACL-SPARQL):
    what it misses is named above, so a new pySHACL that changes it shows here."""
    missed = {e.name for e in ENTRIES if not passes(e, pyshacl_report)}
    assert missed == PYSHACL_MISSES


XSD = "http://www.w3.org/2001/XMLSchema#"
LEXICAL_SAMPLES = [
    ("01", "integer", True), ("abc", "integer", False), ("1.5", "integer", False),
    ("4.0", "decimal", True), ("4.", "decimal", True), ("1e3", "decimal", False),
    ("1e400", "double", True), ("INF", "double", True), ("abc", "double", False), ("1.5", "float", True),
    ("1", "boolean", True), ("yes", "boolean", False),
    ("2024-02-29", "date", True), ("2023-02-29", "date", False), ("2025-02-30", "date", False),
    ("2025-01-01T10:00:00Z", "dateTime", True), ("2025-01-01", "dateTime", False),
    ("10:00:00", "time", True), ("25:00:00", "time", False),
    ("2025", "gYear", True), ("2025-13", "gYearMonth", False), ("--02-29", "gMonthDay", True),
    ("--02-30", "gMonthDay", False), ("--04-31", "gMonthDay", False),
    ("P1D", "duration", True), ("P", "duration", False), ("P1Y", "yearMonthDuration", True),
    ("PT1H", "dayTimeDuration", True), ("P1Y", "dayTimeDuration", False),
    ("a b", "token", True), (" a", "token", False), ("en-GB", "language", True), ("e n", "language", False),
    ("0F", "hexBinary", True), ("0G", "hexBinary", False), ("AA==", "base64Binary", True),
    ("A", "base64Binary", False), ("ab", "NCName", True), ("a:b", "NCName", False),
    ("a\tb", "normalizedString", False), ("http://x", "anyURI", True),
]


@pytest.mark.parametrize("lexical, datatype, is_valid", LEXICAL_SAMPLES,
                         ids=[f"{d}-{v!r}" for v, d, _ in LEXICAL_SAMPLES])
def test_datatype_rules_agree_in_python_and_sparql(lexical: str, datatype: str, is_valid: bool):
    """sh:datatype in SPARQL (on the store's term) and in Python (on the data's own
    term) say the same, and what XSD 1.1 says."""
    from rammegraf.shacl import datatypes

    literal = ox.Literal(lexical, datatype=ox.NamedNode(XSD + datatype))
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("urn:x:s"), ox.NamedNode("urn:x:p"), literal, ox.DefaultGraph()))
    asked = f"ASK {{ ?s <urn:x:p> ?x FILTER({datatypes.sparql(XSD + datatype, '?x')}) }}"
    assert bool(store.query(asked)) == is_valid
    assert datatypes.literal_has(literal, XSD + datatype) == is_valid


@pytest.mark.parametrize("entry", [e for e in ENTRIES if e.name not in FAILURES
                                   and e.name != "sparql/pre-binding/shapesGraph-001"], ids=lambda e: e.name)
def test_entry_compiled_as_for_another_server(entry: Entry, monkeypatch):
    """Every entry again, compiled as for another SPARQL server — the texts written
    around Virtuoso's bugs (no sameTerm, comparability spelt out, a string literal
    matched itself, pre-bound values written where their variable stands, bound(?x)
    as true, p+ as p/p*, a transitive query once per focus node) — on Oxigraph: the
    same reports. ($shapesGraph needs the shapes beside the data, which only a
    local store can hold.)"""
    import rammegraf.shacl as package
    from rammegraf.shacl import Compiler

    monkeypatch.setattr(package, "Compiler", lambda shapes, table, portable=False: Compiler(shapes, table,
                                                                                            portable=True))
    expected = expected_report(entry)
    assert isomorphic(expected, normalised(ours(entry), expected))

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

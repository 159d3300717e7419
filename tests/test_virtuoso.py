"""A second real SPARQL server: OpenLink Virtuoso 7 from Debian, started here on loopback
ports with its own database, loaded by `rammegraf push` with credentials (HTTP Digest on
its graph store), and read by every command that takes --endpoint.

The compiled validator gives the local report on it: the whole shipped graph, the
shipped graph with every file of tests/bad/ in it (every kind of violation, whole
graph), and each file of tests/bad/ as new entries. Where Virtuoso 7.2 evaluates a
query wrongly the compiled text is written around it, each rewrite's comment naming
the bug (rammegraf.shacl: subclass_table, conditions.same, the pattern condition,
compiler.target_pattern, sparql_checks._plan and Query.text)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import planted_store, rows, virtuoso_server
from rammegraf.cli import main
from rammegraf.engine import RemoteEngine, push
from rammegraf.query import get_query, query_names, run_on
from rammegraf.validate import validate, validate_entries

BAD = Path(__file__).parent / "bad"
BAD_FILES = sorted(BAD.glob("*.ttl"))
GRAPH = "https://w3id.org/rammegraf/graph/virtuoso-test"
PLANTED_GRAPH = "https://w3id.org/rammegraf/graph/virtuoso-every-violation"
PASSWORD = "RammegrafTestKodeord42"   # letters and digits: Virtuoso's SET PASSWORD reads no quotes


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory):
    """Virtuoso with the shipped graph pushed into a named graph."""
    with virtuoso_server(tmp_path_factory.mktemp("virtuoso"), password=PASSWORD) as base:
        pushed = CliRunner().invoke(main, ["push", "--store", f"{base}/sparql-graph-crud-auth", "--graph", GRAPH],
                                    env={"RAMMEGRAF_USER": "dba", "RAMMEGRAF_PASSWORD": PASSWORD})
        assert pushed.exit_code == 0, pushed.output
        yield base


def test_push_needs_the_credentials_and_never_shows_them(virtuoso, engine, monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("NETRC", str(tmp_path / ".netrc"))
    for name in ("RAMMEGRAF_USER", "RAMMEGRAF_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    store = f"{virtuoso}/sparql-graph-crud-auth"
    refused = CliRunner().invoke(main, ["push", "--store", store, "--graph", GRAPH])
    assert refused.exit_code == 2 and "serveren kræver login" in refused.output
    wrong = CliRunner().invoke(main, ["push", "--store", store, "--graph", GRAPH],
                               env={"RAMMEGRAF_USER": "dba", "RAMMEGRAF_PASSWORD": "forkert-kodeord"})
    assert wrong.exit_code == 2 and "blev afvist" in wrong.output and "forkert-kodeord" not in wrong.output
    (tmp_path / ".netrc").write_text(f"machine 127.0.0.1 login dba password {PASSWORD}\n", encoding="utf-8")
    (tmp_path / ".netrc").chmod(0o600)
    again = CliRunner().invoke(main, ["push", "--store", store, "--graph", GRAPH])
    assert again.exit_code == 0 and PASSWORD not in again.output, again.output
    assert len(RemoteEngine(f"{virtuoso}/sparql", graph=GRAPH)) == len(engine)   # replaced, not added


@pytest.mark.parametrize("name", query_names())
def test_named_query_same_rows_on_virtuoso(virtuoso, name, engine):
    query = get_query(name)
    assert rows(run_on(RemoteEngine(f"{virtuoso}/sparql", graph=GRAPH, timeout=30), query)) == \
        rows(run_on(engine, query))


GENERATED_GRAPH = "https://w3id.org/rammegraf/graph/virtuoso-generated"
# Chairs beside the generated ones, for formandskaber: a chair of two groups and member of
# one of them, organisations typed two levels below rg:Committee, directly as
# org:Organization and as both, a membership that is no organisation, a chair of no
# organisation, and none at all.
CHAIRS = """
@prefix rg: <https://w3id.org/rammegraf/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix ex: <https://w3id.org/rammegraf/id/test/> .
ex:underudvalg rdfs:subClassOf rg:Committee .
ex:underunderudvalg rdfs:subClassOf ex:underudvalg .
ex:udvalg-a a ex:underunderudvalg ; rdfs:label "Underudvalg A"@da .
ex:org-b a org:Organization ; rdfs:label "Organisation B"@da .
ex:org-c a org:Organization, rg:Region ; rdfs:label "Organisation C"@da .
ex:ikke-org a foaf:Person ; rdfs:label "Ikke en organisation"@da .
ex:gruppe-1 a rg:WorkingGroup ; rdfs:label "Gruppe 1"@da ; rg:chair ex:p1 .
ex:gruppe-2 a rg:WorkingGroup ; rdfs:label "Gruppe 2"@da ; rg:chair ex:p1 .
ex:gruppe-3 a rg:WorkingGroup ; rdfs:label "Gruppe 3"@da ; rg:chair ex:p2 .
ex:gruppe-4 a rg:WorkingGroup ; rdfs:label "Gruppe 4"@da ; rg:chair ex:p3 .
ex:gruppe-5 a rg:WorkingGroup ; rdfs:label "Gruppe 5"@da ; rg:chair ex:p4 .
ex:p1 a foaf:Person ; rdfs:label "P1"@da ; org:memberOf ex:gruppe-1, ex:udvalg-a, ex:org-b .
ex:p2 a foaf:Person ; rdfs:label "P2"@da ; org:memberOf ex:udvalg-a, ex:org-c, ex:ikke-org .
ex:p3 a foaf:Person ; rdfs:label "P3"@da ; org:memberOf ex:gruppe-3, ex:gruppe-4 .
ex:p4 a foaf:Person ; rdfs:label "P4"@da .
"""


@pytest.fixture(scope="module")
def generated(virtuoso, tmp_path_factory, monkeypatch_module):
    """benchmarks/generate.py's smallest graph with CHAIRS beside it, locally and pushed to
    Virtuoso in parts of 500 lines (as a large graph goes)."""
    import sys

    from rammegraf import engine as engines

    sys.path.insert(0, str(Path(__file__).parents[1] / "benchmarks"))
    from generate import generate

    folder = tmp_path_factory.mktemp("generated")
    generate(folder, years=1, per_region_year=2)
    (folder / "formandskaber.ttl").write_text(CHAIRS, encoding="utf-8")
    local = engines.OxigraphEngine.open([folder], persistent=False)
    monkeypatch_module.setenv("RAMMEGRAF_USER", "dba")
    monkeypatch_module.setenv("RAMMEGRAF_PASSWORD", PASSWORD)
    monkeypatch_module.setattr(engines, "PUSH_PART", 500)
    assert len(engines._parts(local.dump())) > 3
    push(local, f"{virtuoso}/sparql-graph-crud-auth", graph_iri=GENERATED_GRAPH)
    assert len(RemoteEngine(f"{virtuoso}/sparql", graph=GENERATED_GRAPH)) == len(local)
    return local


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


# Virtuoso 7.2.5 answers these with no rows on this small graph (right on the shipped graph
# and on the generated 1M one): `SELECT ?i ?via WHERE { ?i a rg:Initiative ; rg:partOf+
# <plan> ; rdfs:label ?l FILTER (lang(?l) = "da") OPTIONAL { ?i rg:partOf ?via . ?via
# rg:partOf+ <plan> } }` is empty there, and right without the label and its FILTER
# (one load of the graph: the same graph loaded with CHAIRS beside it was answered right)
# (benchmarks/README.md, "On a shared server"). No rewrite found yet.
VIRTUOSO_EMPTY_ON_SMALL_DATA = {"initiativer-i-plan", "aktoerer-efter-antal-initiativer"}


@pytest.mark.parametrize("name", [pytest.param(n, marks=pytest.mark.xfail(strict=False, reason="Virtuoso 7.2.5: no rows, on some loads"))
                                  if n in VIRTUOSO_EMPTY_ON_SMALL_DATA else n for n in query_names()])
def test_named_query_same_rows_on_virtuoso_on_generated_data(virtuoso, generated, name):
    """Every named query on the generated graph (a value it has where the default names a
    resource of the shipped plan: benchmarks/pages.py's SYNTHETIC_VALUES)."""
    from pages import SYNTHETIC_VALUES

    query = get_query(name)
    values = dict([SYNTHETIC_VALUES[name]]) if name in SYNTHETIC_VALUES else None
    expected = rows(run_on(generated, query, values))
    assert rows(run_on(RemoteEngine(f"{virtuoso}/sparql", graph=GENERATED_GRAPH, timeout=30), query, values)) == \
        expected


@pytest.fixture(scope="module")
def planted(virtuoso, engine):
    """The shipped graph with every file of tests/bad/ in it, locally and pushed to Virtuoso."""
    local = planted_store(engine)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RAMMEGRAF_USER", "dba")
        patch.setenv("RAMMEGRAF_PASSWORD", PASSWORD)
        push(local, f"{virtuoso}/sparql-graph-crud-auth", graph_iri=PLANTED_GRAPH)
    return local


def _keys(report) -> list:
    return sorted((r.key() for r in report.results), key=str)


def test_validate_whole_graph_on_virtuoso_is_the_local_report(virtuoso):
    """`rammegraf validate --endpoint` on Virtuoso: the local report, word for word."""
    remote = CliRunner().invoke(main, ["validate", "--endpoint", f"{virtuoso}/sparql", "--graph", GRAPH,
                                       "--format", "json"])
    local = CliRunner().invoke(main, ["validate", "--format", "json"])
    assert (remote.exit_code, local.exit_code) == (0, 0), remote.output
    assert json.loads(remote.stdout) == json.loads(local.stdout)
    assert json.loads(local.stdout)["warnings"] == 33


def test_validate_every_kind_of_violation_on_virtuoso(planted, virtuoso):
    """The whole graph with every violation of tests/bad/ in it: the same results, counted."""
    remote = validate(RemoteEngine(f"{virtuoso}/sparql", graph=PLANTED_GRAPH, timeout=60))
    local = validate(planted)
    assert _keys(remote) == _keys(local)
    assert len(local.violations) >= 30
    assert {r.constraint for r in local.violations} >= {
        "sh:MinCountConstraintComponent", "sh:MaxCountConstraintComponent", "sh:ClassConstraintComponent",
        "sh:DatatypeConstraintComponent", "sh:PatternConstraintComponent", "sh:InConstraintComponent",
        "sh:OrConstraintComponent", "sh:LanguageInConstraintComponent", "sh:SPARQLConstraintComponent",
        "sh:LessThanOrEqualsConstraintComponent"}


@pytest.mark.parametrize("bad", BAD_FILES, ids=lambda p: p.stem)
def test_validate_on_virtuoso_finds_the_same_results(virtuoso, bad, engine):
    embedded = validate_entries([bad], engine=engine).report
    result = CliRunner().invoke(main, ["validate", str(bad), "--endpoint", f"{virtuoso}/sparql",
                                       "--graph", GRAPH, "--format", "json"])
    assert result.exit_code == 1, result.output
    remote = sorted(((r["focusNode"], r["path"], r["constraint"], r["severity"]) for r in
                    json.loads(result.stdout)["results"]), key=str)
    assert remote == sorted(((r.focus, r.path, r.constraint, r.severity) for r in embedded.results), key=str)


def test_serve_on_virtuoso_answers_the_front_page_and_a_resource(virtuoso):
    front = CliRunner().invoke(main, ["serve", "--endpoint", f"{virtuoso}/sparql", "--graph", GRAPH, "--get", "/"])
    assert front.exit_code == 0 and "Botilbudsteams" in front.output
    page = CliRunner().invoke(main, ["serve", "--endpoint", f"{virtuoso}/sparql", "--graph", GRAPH,
                                     "--get", "/id/initiativ/botilbudsteams"])
    assert page.exit_code == 0 and "<h1>Botilbudsteams</h1>" in page.output and "Statushistorik" in page.output


@pytest.mark.parametrize("view, depth", [("area:mental-sundhed-og-psykiatri", 2), ("node:region/midtjylland", 1),
                                         ("initiative:botilbudsteams", 2)])
def test_graph_view_on_virtuoso_is_the_local_one(virtuoso, engine, view, depth):
    """The graph projection's queries (set at a time, in chunks on a server) and the
    round dates' nested EXISTS give Virtuoso's page the local page's nodes and links."""
    from rammegraf.viz import page_data, select_view

    def data(on) -> dict:
        found = page_data(on, select_view(on, view, depth=depth, ring=True))
        for node in found["nodes"]:  # placed by a layout whose start depends on set order
            node.pop("x", None)
            node.pop("y", None)
        return found

    local = data(engine)
    assert len(local["nodes"]) > 20 and local["dates"] == ["2025-04-08", "2025-08-20"]
    assert data(RemoteEngine(f"{virtuoso}/sparql", graph=GRAPH, timeout=30)) == local

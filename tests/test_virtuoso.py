"""A second real SPARQL server: OpenLink Virtuoso 7 from Debian, started here on loopback
ports with its own database, loaded by `rammegraf push` with credentials (HTTP Digest on
its graph store), and read by every command that takes --endpoint."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import rows, virtuoso_server
from rammegraf.cli import main
from rammegraf.engine import RemoteEngine
from rammegraf.query import get_query, query_names, run_on
from rammegraf.validate import validate_entries

BAD = Path(__file__).parent / "bad"
GRAPH = "https://w3id.org/rammegraf/graph/virtuoso-test"
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


@pytest.mark.parametrize("bad", ["status-phase-not-in-scheme.ttl", "chair-not-a-person.ttl",
                                 "status-duplicate-round.ttl", "milestone-owned-by-a-person.ttl"])
def test_validate_on_virtuoso_finds_the_same_violations(virtuoso, bad, engine):
    embedded = validate_entries([BAD / bad], engine=engine).report
    result = CliRunner().invoke(main, ["validate", str(BAD / bad), "--endpoint", f"{virtuoso}/sparql",
                                       "--graph", GRAPH, "--format", "json"])
    assert result.exit_code == 1, result.output
    remote = {(r["focusNode"], r["path"], r["constraint"]) for r in json.loads(result.stdout)["results"]
              if r["severity"] == "Violation"}
    assert remote == {(r.focus, r.path, r.constraint) for r in embedded.violations}


def test_serve_on_virtuoso_answers_the_front_page_and_a_resource(virtuoso):
    front = CliRunner().invoke(main, ["serve", "--endpoint", f"{virtuoso}/sparql", "--graph", GRAPH, "--get", "/"])
    assert front.exit_code == 0 and "Botilbudsteams" in front.output
    page = CliRunner().invoke(main, ["serve", "--endpoint", f"{virtuoso}/sparql", "--graph", GRAPH,
                                     "--get", "/id/initiativ/botilbudsteams"])
    assert page.exit_code == 0 and "<h1>Botilbudsteams</h1>" in page.output and "Statushistorik" in page.output

"""A shared SPARQL server: a real Oxigraph server on a loopback port."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import free_port, rows

from rammegraf.cli import main
from rammegraf.engine import EndpointError, RemoteEngine
from rammegraf.query import get_query, query_names, run_on
from rammegraf.validate import validate_entries

BAD = Path(__file__).parent / "bad"
NAMED_GRAPH = "https://w3id.org/rammegraf/graph/test"


def invoke(*args, stdin=None):
    result = CliRunner().invoke(main, list(args), input=stdin)
    assert "Traceback" not in result.output
    return result


@pytest.mark.parametrize("name", query_names())
def test_named_query_same_rows_on_the_server(server, name, engine):
    query = get_query(name)
    assert rows(run_on(RemoteEngine(f"{server}/query"), query)) == rows(run_on(engine, query))


def test_results_are_asked_in_xml_first_and_json_is_read_too(server, engine, monkeypatch):
    """RemoteEngine asks for SPARQL results in XML first (Virtuoso 7 writes them 3-6 times
    faster than JSON) and reads JSON from a server that answers with it: the same terms either
    way (language tags, datatypes, blank nodes), equal to the local engine's."""
    from rammegraf import engine as engines

    media = []
    real = engines._http

    def spy(*args, **kw):
        answer = real(*args, **kw)
        media.append(answer[1])
        return answer
    monkeypatch.setattr(engines, "_http", spy)
    remote = RemoteEngine(f"{server}/query")
    every = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
    local = sorted(map(str, engine.query(every).rows))
    assert sorted(map(str, remote.query(every).rows)) == local and media == ["application/sparql-results+xml"]
    assert remote.query("ASK { ?s a rg:Initiative }").boolean is True
    monkeypatch.setattr(engines, "RESULTS_ACCEPT", "application/sparql-results+json")
    assert sorted(map(str, remote.query(every).rows)) == local and media[-1] == "application/sparql-results+json"
    terms = [term for row in engine.query(every).rows for term in row]
    assert any(getattr(t, "language", None) for t in terms)
    assert any(getattr(t, "datatype", None) is not None and t.datatype.value.endswith("#date") for t in terms)


def test_push_replaces_rather_than_duplicates(server, engine):
    remote = RemoteEngine(f"{server}/query")
    assert len(remote) == len(engine)
    assert invoke("push", "--endpoint", f"{server}/query").exit_code == 0
    assert len(remote) == len(engine)


def test_push_in_parts_stores_every_triple_and_keeps_blank_nodes_whole(server, engine, monkeypatch):
    """A large graph goes in parts (PUT, then POST): every triple arrives, once, and a blank
    node's triples all go in the first part (its label holds within one request)."""
    import pyoxigraph as ox

    from rammegraf import engine as engines

    store = ox.Store()
    store.load(engine.dump(), format=ox.RdfFormat.N_TRIPLES)
    store.load(b"_:b <https://example.org/p> <https://example.org/o1> .\n"
               b"_:b <https://example.org/p> <https://example.org/o2> .\n", format=ox.RdfFormat.N_TRIPLES)
    local = engines.OxigraphEngine(store)
    monkeypatch.setattr(engines, "PUSH_PART", 100)
    graph = NAMED_GRAPH + "/parts"
    assert len(engines._parts(local.dump())) > 20
    assert engines.push(local, f"{server}/store", graph_iri=graph) == len(local)
    remote = RemoteEngine(f"{server}/query", graph=graph)
    assert len(remote) == len(local)
    assert remote.query("SELECT (COUNT(?o) AS ?n) WHERE { ?b <https://example.org/p> ?o }").rows[0][0].value == "2"
    assert len(remote.query("SELECT DISTINCT ?b WHERE { ?b <https://example.org/p> ?o }").rows) == 1
    engines.push(local, f"{server}/store", graph_iri=graph)   # again: replaced, not added
    assert len(remote) == len(local)


def test_query_command_against_the_server(server):
    result = invoke("query", "afhaenger-af-milepael", "--endpoint", f"{server}/query",
                    "--param", "actor=Region Midtjylland", "--format", "csv")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[1].startswith("Botilbudsteams,Organiseringen i regionen er på plads,1.1.26")


def test_named_graph_push_and_read(server):
    assert invoke("push", "--store", f"{server}/store", "--graph", NAMED_GRAPH).exit_code == 0
    result = invoke("query", "formandskaber", "--endpoint", f"{server}/query", "--graph", NAMED_GRAPH,
                    "--format", "csv")
    assert result.stdout.splitlines()[1] == (
        "Arbejdsgruppen om fælleskommunale principper,Sanela Ljeskovica,Odder Kommune")


@pytest.mark.parametrize("bad", ["status-phase-not-in-scheme.ttl", "chair-not-a-person.ttl",
                                 "status-duplicate-round.ttl"])
def test_validate_finds_the_same_violations(server, bad, engine):
    embedded = validate_entries([BAD / bad], engine=engine).report
    result = invoke("validate", str(BAD / bad), "--endpoint", f"{server}/query", "--format", "json")
    assert result.exit_code == 1
    import json

    remote = {(r["focusNode"], r["path"], r["constraint"]) for r in json.loads(result.stdout)["results"]
              if r["severity"] == "Violation"}
    assert remote == {(r.focus, r.path, r.constraint) for r in embedded.violations}


def test_describe_and_graph_read_the_server(server, tmp_path):
    described = invoke("describe", "Botilbudsteams", "--endpoint", f"{server}/query")
    assert described.exit_code == 0 and "Statushistorik:" in described.stdout
    page = tmp_path / "plan.html"
    assert invoke("graph", "--endpoint", f"{server}/query", "-o", str(page)).exit_code == 0
    assert "Botilbudsteams" in page.read_text(encoding="utf-8")


def test_server_down_is_a_sentence_exit_2():
    url = f"http://127.0.0.1:{free_port()}/query"
    result = invoke("query", "formandskaber", "--endpoint", url)
    assert result.exit_code == 2 and "kan ikke nå SPARQL-endpointet" in result.stderr and url in result.stderr
    with pytest.raises(EndpointError):
        len(RemoteEngine(url))


def test_server_error_is_a_sentence_exit_2(server):
    result = invoke("query", "formandskaber", "--endpoint", f"{server}/no-such-path")
    assert result.exit_code == 2 and "svarede 404" in result.stderr
    push = invoke("push", "--endpoint", "http://example.invalid/sparql")
    assert push.exit_code == 2 and "angiv --store" in push.stderr


def test_serve_forwards_every_page_to_the_server(server):
    """serve --endpoint asks the server on every request: a triple added to the
    server after the app started shows on the next page."""
    import httpx2 as httpx
    from conftest import web_client

    with web_client(endpoint=f"{server}/query", timeout=10.0) as client:
        home = client.get("/", headers={"accept": "text/html"})
        assert home.status_code == 200 and "Botilbudsteams" in home.text
        page = client.get("/id/initiativ/botilbudsteams", headers={"accept": "text/html"})
        assert page.status_code == 200 and "Statushistorik" in page.text
        ask = client.get("/sparql", params={"query": "ASK { <urn:test:late> ?p ?o }"},
                         headers={"accept": "application/sparql-results+json"})
        assert ask.json()["boolean"] is False
        added = httpx.post(f"{server}/store?default", content=b"<urn:test:late> <urn:test:p> \"1\" .\n",
                           headers={"content-type": "application/n-triples"})
        assert added.status_code in (200, 201, 204)
        again = client.get("/sparql", params={"query": "ASK { <urn:test:late> ?p ?o }"},
                           headers={"accept": "application/sparql-results+json"})
        assert again.json()["boolean"] is True
    assert invoke("push", "--endpoint", f"{server}/query").exit_code == 0  # back to the shipped graph


def test_serve_endpoint_keep_keeps_a_page_for_its_time(server, tmp_path):
    """serve --endpoint-keep SECONDS: a page computed from the server is served again as it was
    for that many seconds (a change on the server does not show yet), then computed anew; with
    0 (the default) the change shows on the next page; the option needs --endpoint."""
    import httpx2 as httpx
    from conftest import web_client

    html = {"accept": "text/html"}
    url = "/id/initiativ/botilbudsteams"
    late = "Sent tilføjet til serveren"
    now = [1000.0]
    try:
        with web_client(endpoint=f"{server}/query", timeout=10.0, endpoint_keep=60, cache=tmp_path) as kept, \
                web_client(endpoint=f"{server}/query", timeout=10.0) as anew:
            kept.app.state.web.cache.clock = lambda: now[0]
            first = kept.get(url, headers=html)
            assert first.status_code == 200 and late not in first.text
            assert anew.get(url, headers=html).text.count(late) == 0
            added = httpx.post(f"{server}/store?default", headers={"content-type": "application/n-triples"},
                               content=("<https://w3id.org/rammegraf/id/initiativ/botilbudsteams> "
                                        f"<http://www.w3.org/2000/01/rdf-schema#comment> \"{late}\"@da .\n"
                                        ).encode())
            assert added.status_code in (200, 201, 204)
            assert late in anew.get(url, headers=html).text          # asked anew: the change shows
            now[0] += 59
            assert kept.get(url, headers=html).text == first.text    # kept: as it was
            now[0] += 2
            assert late in kept.get(url, headers=html).text          # past its time: computed anew
    finally:
        assert invoke("push", "--endpoint", f"{server}/query").exit_code == 0  # back to the shipped graph
    refused = invoke("serve", "--endpoint-keep", "60", "--get", "/")
    assert refused.exit_code == 2 and "--endpoint-keep gælder kun med --endpoint" in refused.stderr


def test_serve_endpoint_keep_computes_the_front_page_again_in_the_background(server, tmp_path):
    """With --endpoint-keep the front page is computed ahead at the start and again every
    SECONDS, while its readers get the one last computed without a job of their own."""
    import time

    from conftest import web_client
    from test_dashboard import jobs_run

    with web_client(endpoint=f"{server}/query", timeout=10.0, endpoint_keep=1.0, warm=True,
                    cache=tmp_path) as http:
        web = http.app.state.web
        keys = web.front_page_keys()
        end = time.monotonic() + 60
        while not all(k in web.cache for k in keys):
            assert time.monotonic() < end, "the front page was not computed ahead"
            time.sleep(0.05)
        ran = jobs_run(web)
        page = http.get("/", headers={"accept": "text/html"})
        assert page.status_code == 200 and "Botilbudsteams" in page.text and ran == []
        end = time.monotonic() + 60
        while "dashboards" not in ran:
            assert time.monotonic() < end, "the front page was not computed again"
            time.sleep(0.05)
        assert "dashboard" not in ran       # no reader's job: the background's

"""Outside clients of the endpoint: SPARQLWrapper in every return format, by GET
and by POST (it sends format=, output= and results= with short names and media
types); and CORS, so a page served from another origin reads /sparql and /id/…
with fetch, while every other POST keeps its cross-site refusal."""

from __future__ import annotations

import http.server
import threading
from datetime import date

import pytest
from conftest import live_server

from rammegraf.web.jobs.common import choose_media


@pytest.fixture(scope="module")
def live(web_data):
    with live_server(data_dirs=(web_data,), timeout=10.0, today=date(2025, 9, 1)) as (port, _):
        yield f"http://127.0.0.1:{port}"


SELECT = ("PREFIX rg: <https://w3id.org/rammegraf/ontology#> "
          "SELECT (COUNT(?i) AS ?n) WHERE { ?i a rg:Initiative }")
ASK = "PREFIX rg: <https://w3id.org/rammegraf/ontology#> ASK { ?i a rg:Initiative }"
CONSTRUCT = ("PREFIX rg: <https://w3id.org/rammegraf/ontology#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
             "CONSTRUCT { ?i rdfs:label ?l } WHERE { ?i a rg:Initiative ; rdfs:label ?l FILTER(LANG(?l) = 'da') }")
DESCRIBE = "DESCRIBE <https://w3id.org/rammegraf/id/initiativ/botilbudsteams>"


def check(kind: str, fmt: str, converted) -> None:
    """What SPARQLWrapper's convert() gives for each kind of answer and format."""
    from rdflib import Graph

    if kind == "select":
        if fmt == "json":
            assert converted["results"]["bindings"][0]["n"]["value"] == "16"
        elif fmt == "xml":
            assert converted.getElementsByTagName("literal")[0].firstChild.data == "16"
        else:   # csv, tsv: bytes
            assert converted.decode("utf-8").splitlines()[1].strip() == "16", converted
    elif kind == "ask":
        if fmt == "json":
            assert converted["boolean"] is True
        elif fmt == "xml":
            assert converted.getElementsByTagName("boolean")[0].firstChild.data == "true"
        else:
            assert converted.decode("utf-8").splitlines()[-1].strip() == "true", converted
    else:
        graph = converted if isinstance(converted, Graph) else Graph().parse(
            data=converted, format="json-ld" if fmt == "json-ld" else "turtle")
        assert len(graph) == (16 if kind == "construct" else len(graph)) and len(graph) > 5


FORMATS = {"select": ["json", "xml", "csv", "tsv"], "ask": ["json", "xml", "csv", "tsv"],
           "construct": ["xml", "rdf+xml", "turtle", "n3", "json-ld", "rdf"],
           "describe": ["xml", "rdf+xml", "turtle", "n3", "json-ld", "rdf"]}
CASES = [(kind, fmt, method) for kind, formats in FORMATS.items() for fmt in formats for method in ("GET", "POST")]


@pytest.mark.parametrize("kind,fmt,method", CASES)
def test_sparqlwrapper_in_every_return_format_by_get_and_post(live, kind, fmt, method):
    from SPARQLWrapper import SPARQLWrapper

    endpoint = SPARQLWrapper(f"{live}/sparql")
    endpoint.setQuery({"select": SELECT, "ask": ASK, "construct": CONSTRUCT, "describe": DESCRIBE}[kind])
    endpoint.setReturnFormat(fmt)
    endpoint.setMethod(method)
    check(kind, fmt, endpoint.queryAndConvert())


@pytest.mark.parametrize("fmt,form,accept,expected", [
    (["tsv", "text/tab-separated-values"], "SELECT", "", "text/tab-separated-values"),
    (["text/csv"], "SELECT", "", "text/csv"),
    (["rdf+xml", "application/rdf+xml"], "CONSTRUCT", "", "application/rdf+xml"),
    (["json"], "CONSTRUCT", "", "application/ld+json"),
    (["n3"], "DESCRIBE", "", "text/turtle"),
    # a parameter naming a type the answer cannot carry: Accept decides, as Fuseki does
    (["csv"], "CONSTRUCT", "text/turtle", "text/turtle"),
    (["turtle"], "SELECT", "application/sparql-results+xml", "application/sparql-results+xml"),
    (["no-such-format"], "SELECT", "text/csv", "text/csv"),
])
def test_format_parameters_take_short_names_and_media_types_and_yield_to_accept(fmt, form, accept, expected):
    assert choose_media(form, accept, fmt, html=False) == expected


def test_a_format_that_fits_nothing_with_no_accept_is_406_naming_it(live):
    import httpx2 as httpx

    answer = httpx.get(f"{live}/sparql", params={"query": CONSTRUCT, "format": "csv"})
    assert answer.status_code == 406 and "formatet 'csv' passer ikke til en CONSTRUCT-forespørgsel" in answer.text


# --- CORS ----------------------------------------------------------------------------------------

def test_cors_headers_on_the_endpoint_and_resource_reads_and_not_elsewhere(live):
    import httpx2 as httpx

    origin = {"origin": "http://elsewhere.example"}
    got = httpx.get(f"{live}/sparql", params={"query": ASK}, headers={**origin, "accept": "application/json"})
    assert got.status_code == 200 and got.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in got.headers
    flight = httpx.options(f"{live}/sparql", headers={**origin, "access-control-request-method": "POST",
                                                      "access-control-request-headers": "content-type"})
    assert flight.status_code == 204 and flight.headers["access-control-allow-origin"] == "*"
    assert "POST" in flight.headers["access-control-allow-methods"]
    assert "content-type" in flight.headers["access-control-allow-headers"]
    resource = httpx.get(f"{live}/id/initiativ/botilbudsteams", headers={**origin, "accept": "text/turtle"})
    assert resource.status_code == 200 and resource.headers["access-control-allow-origin"] == "*"
    page = httpx.get(f"{live}/frister", headers=origin)
    assert "access-control-allow-origin" not in page.headers
    refused = httpx.post(f"{live}/valider", data={"turtle": "<a> <b> <c> ."},
                         headers={**origin, "sec-fetch-site": "cross-site"})
    assert refused.status_code == 403 and "access-control-allow-origin" not in refused.headers


PAGE = """<!doctype html><html><body><pre id="out">…</pre><script>
(async () => {
  const out = [];
  const base = "%(base)s";
  const get = await fetch(base + "/sparql?query=" + encodeURIComponent("%(ask)s"),
                          {headers: {accept: "application/sparql-results+json"}});
  out.push("get " + (await get.json()).boolean);
  const post = await fetch(base + "/sparql", {method: "POST", body: "%(select)s",
      headers: {"content-type": "application/sparql-query", accept: "application/sparql-results+json"}});
  out.push("post " + (await post.json()).results.bindings[0].n.value);
  const ttl = await fetch(base + "/id/initiativ/botilbudsteams", {headers: {accept: "text/turtle"}});
  out.push("turtle " + ((await ttl.text()).includes("Botilbudsteams")));
  try {
    const form = new URLSearchParams({turtle: "<a> <b> <c> ."});
    const other = await fetch(base + "/valider", {method: "POST", body: form});
    out.push("valider " + other.status);
  } catch (error) { out.push("valider blocked"); }
  document.getElementById("out").textContent = out.join("\\n");
})();
</script></body></html>"""


def test_a_page_on_another_port_reads_the_endpoint_with_fetch(live, watched):
    page = (PAGE % {"base": live, "ask": ASK, "select": SELECT}).encode("utf-8")

    class Other(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            self.send_response(200)
            self.send_header("content-type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(page)

    other = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Other)
    thread = threading.Thread(target=other.serve_forever, daemon=True)
    thread.start()
    try:
        origin = f"http://127.0.0.1:{other.server_address[1]}"
        watched.allowed = "http://127.0.0.1:"
        watched.page.goto(origin + "/")
        watched.page.wait_for_function("document.getElementById('out').textContent.includes('valider')",
                                       timeout=20_000)
        lines = watched.page.locator("#out").inner_text().splitlines()
    finally:
        other.shutdown()
    assert lines[:3] == ["get true", "post 16", "turtle true"]
    # a POST elsewhere is refused (403), or not even readable by the page: CORS gives it nothing
    assert lines[3] in ("valider 403", "valider blocked")

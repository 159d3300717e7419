"""rammegraf serve: every page, downloads, validation, and a real browser.

The SPARQL protocol is tested in test_protocol.py, the worker pool in test_pool.py.
"""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from conftest import PAYLOAD, live_server, web_client
from rdflib import Graph

from rammegraf.web import negotiate

ID = "https://w3id.org/rammegraf/id/"
BAD_ENTRY = """@prefix rg: <https://w3id.org/rammegraf/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://w3id.org/rammegraf/id/status/ny> a rg:StatusReport ;
    rdfs:label "Ny status"@da ;
    rg:statusOf <https://w3id.org/rammegraf/id/initiativ/botilbudsteams> ."""


@pytest.fixture(scope="module")
def client(web_data):
    with web_client(data_dirs=(web_data,), timeout=5.0, row_cap=50, today=date(2025, 9, 1)) as test_client:
        yield test_client


HTML = {"accept": "text/html"}


# --- pages ---------------------------------------------------------------------------

@pytest.mark.parametrize("path, words", [
    ("/", ["Nøgletal pr. 2025-08-20", "Monitorering af F-ACT", "Initiativer pr. fase i en statusrunde",
           "Deadline for tilbagemelding på bruttokataloget", "Milepæle på en tidsakse pr. 20. august 2025"]),
    ("/?lang=en", ["Key figures as of 2025-08-20", "Monitoring of F-ACT", "Milestones on a time axis"]),
    ("/foresporgsler", ["Faseskift mellem to statusrunder", "afhaenger-af-milepael"]),
    ("/foresporgsler/afhaenger-af-milepael", ['<option value="https://w3id.org/rammegraf/id/region/midtjylland" selected>',
                                              'type="date" value="2026-01-01"', "Botilbudsteams", "1 række"]),
    ("/sparql", ["PREFIX rg: &lt;https://w3id.org/rammegraf/ontology#&gt;", "<textarea"]),
    ("/id/initiativ/monitorering-af-f-act", ["Statushistorik", "Ikke igangsat", "I gang",
                                             "Regionsrådets møde 25. juni 2025", "Vis i graf"]),
    ("/graf", ["Hele grafen", "Mental sundhed og psykiatri"]),
    ("/valider", ["<textarea", 'type="file"']),
    ("/ontologi", ["rg:Initiative", "Initiativ", "Initiative", "rg:dependsOn"]),
])
def test_page_renders(client, path, words):
    response = client.get(path, headers=HTML)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    for word in words:
        assert word in response.text, word


def test_pages_carry_security_headers(client):
    response = client.get("/", headers=HTML)
    csp = response.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src 'self'" in csp and "unsafe" not in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"


def test_payload_label_is_escaped_everywhere(client):
    for path in ("/", "/id/initiativ/xss", "/id/udvalg/dassos",
                 "/sparql?query=SELECT%20%3Fx%20WHERE%20%7B%20%3Fx%20a%20rg%3AInitiative%20%7D"):
        text = client.get(path, headers=HTML).text
        assert "<img src=x" not in text and "<script>alert" not in text, path
        assert "&lt;img src=x onerror=alert(1)&gt;" in text, path


def test_query_page_param_and_permalink(client):
    response = client.get("/foresporgsler/afhaenger-af-milepael?deadline=2025-12-31", headers=HTML)
    assert response.status_code == 200 and "Ingen rækker." in response.text


def test_query_page_downloads(client):
    response = client.get("/foresporgsler/faseskift?format=csv")
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == 'attachment; filename="faseskift.csv"'
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == ["Initiativ", "Fase før", "Fase efter", "Ændring"]   # the query header's captions
    assert len(rows) == 1 + 16  # the 15 initiatives and the fixture's payload initiative
    assert rows[1] == [PAYLOAD, "", "Foreslået", "ny"]
    raw = list(csv.reader(io.StringIO(client.get("/foresporgsler/faseskift?format=csv&iris=1").text)))
    assert raw[0] == ["initiative", "fromPhase", "toPhase", "change"]   # IRIs for programs: variable names
    assert raw[1] == [f"{ID}initiativ/xss", "", "https://w3id.org/rammegraf/ontology#Proposed", "ny"]
    data = client.get("/foresporgsler/faseskift?format=json").json()
    assert len(data["results"]["bindings"]) == 16


def test_query_page_bad_param_is_said_at_its_field_in_words_and_the_form_stays_filled(client):
    import re

    response = client.get("/foresporgsler/faseskift?from=1.1.25&to=2025-08-20", headers=HTML)
    assert response.status_code == 400
    said = re.search(r'<p class="field-error" id="e-from">(.*?)</p>', response.text).group(1)
    assert said.startswith("«Fra dato» skal være en dato ÅÅÅÅ-MM-DD; fik &#39;1.1.25&#39;")
    assert '<input id="p-from" name="from" type="date" value="1.1.25" list="dates-from" aria-invalid="true" ' \
           'aria-describedby="e-from">' in response.text
    assert 'value="2025-08-20"' in response.text and "<strong>Fejl (Fra dato):</strong>" in response.text
    assert '<label for="p-from">Fra dato <span class="muted">(ÅÅÅÅ-MM-DD)</span></label>' in response.text
    english = client.get("/foresporgsler/faseskift?from=1.1.25&lang=en", headers=HTML).text
    assert '<label for="p-from">From date <span class="muted">(YYYY-MM-DD)</span></label>' in english


def test_query_results_in_pages_sorted_by_any_column_with_the_total(client):
    import re

    first = client.get("/foresporgsler/milepaele-i-periode?from=2020-01-01&to=2030-12-31", headers=HTML).text
    assert re.search(r'<p class="muted" id="result-count">27 rækker', first)
    headers = re.findall(r'<th aria-sort="(\w+)" title="\?(\w+)"><a href="([^"]+)" class="sort">([^<]+)</a>', first)
    assert [(h[1], h[3]) for h in headers][:4] == [("milestone", "Milepæl"), ("dateText", "Dato (kildens ord)"),
                                                   ("earliest", "Tidligst"), ("latest", "Senest")]
    latest = [h for h in headers if h[1] == "latest"][0][2].replace("&amp;", "&")
    assert latest.endswith("sorter=latest&retning=op")
    up = client.get("/foresporgsler/milepaele-i-periode" + latest, headers=HTML).text
    down = client.get("/foresporgsler/milepaele-i-periode" + latest.replace("retning=op", "retning=ned"),
                      headers=HTML).text
    column = lambda page: [row[3] for row in re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td>", page)]
    assert column(up) == sorted(column(up)) and column(down) == sorted(column(up), reverse=True)
    assert '<th aria-sort="ascending" title="?latest">' in up
    # many rows: 100 a page, the total and links to the other pages
    from starlette.datastructures import QueryParams

    from rammegraf.web.paging import paged

    class Request:
        query_params = QueryParams({"side": "3", "sorter": "n", "retning": "ned"})

    rows = [[{"text": str(n)}] for n in range(250)]
    page = paged({"vars": ["n"], "rows": rows, "captions": ["Antal"]}, Request())
    assert [r[0]["text"] for r in page["rows"]] == [str(n) for n in range(49, -1, -1)]  # numbers sort as numbers
    assert page["pager"] == {"page": 3, "pages": 3, "total": 250, "first": 201, "last": 250,
                             "previous": "?side=2&sorter=n&retning=ned", "next": None}


def test_excel_download_has_captions_typed_cells_and_no_formulas(client):
    import io as _io

    from openpyxl import load_workbook

    response = client.get("/foresporgsler/faseskift?format=xlsx")
    assert response.headers["content-type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response.headers["content-disposition"] == 'attachment; filename="faseskift.xlsx"'
    sheet = load_workbook(_io.BytesIO(response.content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == ["Initiativ", "Fase før", "Fase efter", "Ændring"] and len(rows) == 17
    assert rows[1][0] == PAYLOAD and sheet["A2"].data_type == "s"
    dates = load_workbook(_io.BytesIO(client.get(
        "/foresporgsler/milepaele-i-periode?from=2020-01-01&to=2030-12-31&format=xlsx").content)).active
    from datetime import datetime

    assert isinstance(dates["C2"].value, datetime) and dates["A1"].value == "Milepæl"


def test_unknown_query_and_resource_are_404(client):
    assert client.get("/foresporgsler/findes-ikke", headers=HTML).status_code == 404
    response = client.get("/id/initiativ/findes-ikke", headers=HTML)
    assert response.status_code == 404 and "Der er intet på denne adresse" in response.text
    assert client.get("/static/../serve.py").status_code == 404
    assert client.get("/static/nope.js").status_code == 404


@pytest.mark.parametrize("accept, media, fmt", [
    ("text/turtle", "text/turtle", "turtle"), ("application/n-triples", "application/n-triples", "nt"),
    ("application/ld+json", "application/ld+json", "json-ld")])
def test_resource_content_negotiation(client, accept, media, fmt):
    response = client.get("/id/initiativ/botilbudsteams", headers={"accept": accept})
    assert response.status_code == 200 and response.headers["content-type"].startswith(media)
    graph = Graph().parse(data=response.text, format=fmt)
    assert (None, None, None) in graph and len(graph) >= 15


def test_resource_graph_link_opens_a_view(client):
    page = client.get("/id/milepael/regionens-organisering-paa-plads", headers=HTML).text
    assert "/graf?view=node%3Amilepael%2Fregionens-organisering-paa-plads&amp;depth=2" in page
    view = client.get("/graf?view=node:milepael/regionens-organisering-paa-plads&depth=2", headers=HTML)
    assert view.status_code == 200 and "script-src 'sha256-" in view.headers["content-security-policy"]
    assert "Botilbudsteams" in view.text


def test_graph_view_errors(client):
    assert client.get("/graf?view=area:nope", headers=HTML).status_code == 400
    assert client.get("/graf?view=all&depth=x", headers=HTML).status_code == 400


def test_a_whole_graph_too_large_to_draw_is_said_on_the_list_of_views(web_data):
    """Past Settings.whole_graph_limit nodes (at 1M: 37,801, over 10 s to project) the
    whole graph is not drawn: the list of views says how many nodes it has, in the
    reader's language, and offers the areas; under the limit it is drawn."""
    from rammegraf.engine import OxigraphEngine
    from rammegraf.network import build_network, node_count
    from rammegraf.store import open_store

    engine = OxigraphEngine(open_store([web_data]))
    nodes = node_count(engine)
    assert nodes == build_network(engine).number_of_nodes()     # counted as the projection has them
    with web_client(data_dirs=(web_data,), timeout=5.0, whole_graph_limit=nodes - 1) as http:
        page = http.get("/graf?view=all", headers=HTML)
        english = http.get("/graf?view=all&lang=en", headers=HTML)
    assert page.status_code == 200 and "script-src 'sha256-" not in page.headers.get("content-security-policy", "")
    assert f"Hele grafen har {nodes} knuder, flere end de {nodes - 1} en visning tegner." in page.text
    assert "view=area%3Amental-sundhed-og-psykiatri" in page.text and '<li><a href="/graf?view=all' not in page.text
    assert f"The whole graph has {nodes:,} nodes" in english.text
    with web_client(data_dirs=(web_data,), timeout=60.0, whole_graph_limit=nodes) as http:
        drawn = http.get("/graf?view=all", headers=HTML)
    assert drawn.status_code == 200 and "script-src 'sha256-" in drawn.headers["content-security-policy"]


def test_validate_page_reports_in_danish_and_stores_nothing(client, tmp_path):
    response = client.post("/valider", data={"turtle": BAD_ENTRY}, headers=HTML)
    assert response.status_code == 200
    assert "Ikke gyldig" in response.text
    assert "En statusrapport har præcis én dato (rg:asOf) af typen xsd:date." in response.text
    again = client.get("/id/status/ny", headers=HTML)
    assert again.status_code == 404  # nothing was added to the served graph


def test_validate_page_english_upload_and_parse_error(client):
    files = {"file": ("round.ttl", BAD_ENTRY.encode("utf-8"), "text/turtle")}
    response = client.post("/valider?lang=en", files=files, data={"turtle": ""}, headers=HTML)
    assert response.status_code == 200 and "A status report has exactly one phase (rg:phase)." in response.text
    broken = client.post("/valider", data={"turtle": "<urn:a> <urn:b> .\n"}, headers=HTML)
    assert broken.status_code == 400 and "linje 1" in broken.text and "kan ikke parses" in broken.text


def test_validate_page_size_limit(client):
    big = "# " + "x" * 1_100_000
    response = client.post("/valider", data={"turtle": big}, headers=HTML)
    assert response.status_code == 413 and "for stor" in response.text


# --- a live server ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def live(web_data):
    with live_server(data_dirs=(web_data,), timeout=5.0, today=date(2025, 9, 1)) as (port, _):
        yield f"http://127.0.0.1:{port}"


def test_live_sparqlwrapper(live):
    from SPARQLWrapper import JSON, SPARQLWrapper

    endpoint = SPARQLWrapper(f"{live}/sparql")
    endpoint.setQuery("PREFIX rg: <https://w3id.org/rammegraf/ontology#> "
                      "SELECT (COUNT(?i) AS ?n) WHERE { ?i a rg:Initiative }")
    endpoint.setReturnFormat(JSON)
    result = endpoint.queryAndConvert()
    assert result["results"]["bindings"][0]["n"]["value"] == "16"


# --- a real browser --------------------------------------------------------------------------

def test_browser_walkthrough(watched, live):
    watched.allowed = live
    page = watched.page
    page.goto(f"{live}/")
    assert page.locator("h1").inner_text() == "Rammeaftale 2025-26"
    watched.screenshot("serve-front.png")

    with page.expect_navigation():
        page.click("nav >> text=Forespørgsler")
    with page.expect_navigation():
        page.click("text=Initiativer der venter på en aktørs milepæl senest en dato")
    page.fill("#p-deadline", "2026-06-30")
    with page.expect_navigation():
        page.click("form.params button[type=submit]")
    assert "deadline=2026-06-30" in page.url
    assert page.locator("table.results tbody tr").count() == 1
    with page.expect_download() as download:
        page.click("text=CSV")
    rows = list(csv.reader(open(download.value.path(), encoding="utf-8")))
    assert rows[0][0] == "Initiativ" and rows[1][0] == "Botilbudsteams"
    watched.screenshot("serve-query.png")

    with page.expect_navigation():
        page.click("table.results >> text=Botilbudsteams")
    assert page.locator("h1").inner_text() == "Botilbudsteams"
    with page.expect_navigation():
        page.click("text=Vis i graf")
    page.wait_for_selector("body[data-ready='1']", state="attached")
    assert page.locator("#selection-name").inner_text() == "Botilbudsteams"

    page.goto(f"{live}/valider")
    page.fill("#turtle", BAD_ENTRY)
    with page.expect_navigation():
        page.click("form.editor button[type=submit]")
    assert "Ikke gyldig" in page.locator(".verdict").inner_text()
    assert "En statusrapport har præcis én fase (rg:phase)." in page.locator("table.report").inner_text()
    watched.screenshot("serve-validate.png")

    page.goto(f"{live}/id/initiativ/xss")
    assert page.locator("h1").inner_text() == PAYLOAD
    page.goto(f"{live}/")
    assert page.locator("img").count() == 0
    assert watched.dialogs == [] and watched.errors == []
    assert watched.outside_requests() == []


# --- rounds, deadlines, pictures ---------------------------------------------------------------

@pytest.mark.parametrize("path, words", [
    ("/runder", ["2025-04-08", "2025-08-20", '/billeder/tidslinje.svg', '/billeder/matrix.csv']),
    ("/runder/2025-08-20", ["Ændringer siden runden", "Botilbudsteams: Ikke igangsat → I gang",
                            "Etablering af afklaringspladser (Foreslået)", "Nye milepæle"]),
    ("/runder/2025-04-08", ["Den første runde"]),
    ("/frister?as_of=2026-02-15&within=30", ["forfalden nu", "Opstartsmøde om temadagen indkaldt",
                                             "/frister.ics"]),
    ("/frister?lang=en&as_of=2026-02-15", ["due now", "Download those shown as a calendar (.ics)"]),
])
def test_round_and_deadline_pages(client, path, words):
    response = client.get(path, headers=HTML)
    assert response.status_code == 200
    for word in words:
        assert word in response.text, word


def test_round_and_deadline_errors(client):
    assert client.get("/runder/2020-01-01", headers=HTML).status_code == 404
    assert client.get("/runder/x", headers=HTML).status_code == 404
    assert client.get("/frister?as_of=primo", headers=HTML).status_code == 400
    assert client.get("/billeder/../serve.py", headers=HTML).status_code == 404


def test_calendar_and_pictures_download(client):
    from icalendar import Calendar

    ics = client.get("/frister.ics")
    assert ics.headers["content-type"].startswith("text/calendar")
    assert len(Calendar.from_ical(ics.content).walk("VEVENT")) == 27
    # the link on the Frister page gives the milestones the page shows, not all of them
    page = client.get("/frister?as_of=2025-12-01&within=60", headers=HTML).text
    assert 'href="/frister.ics?as_of=2025-12-01&amp;within=60"' in page
    shown = page[page.index('<table class="sortable">'):].count("<tr><td>")   # the table, not the chart's numbers
    chosen = client.get("/frister.ics?as_of=2025-12-01&within=60")
    events = Calendar.from_ical(chosen.content).walk("VEVENT")
    assert len(events) == shown and 0 < shown < 27
    assert "Velfærdsteknologi" in page and "sat i bero" in page   # parked: on hold, explained on the page
    bad = client.get("/frister?as_of=2025-13-01&within=60", headers=HTML)
    assert bad.status_code == 400
    assert '<p class="error" id="e-as_of" role="alert"><strong>Pr. dato:</strong> Datoen skal skrives ÅÅÅÅ-MM-DD' in bad.text
    assert 'value="2025-13-01" aria-invalid="true"' in bad.text and 'value="60"' in bad.text  # the form, as typed
    assert "e-within" not in bad.text and "<tbody>" not in bad.text
    svg = client.get("/billeder/tidslinje.svg")
    assert svg.headers["content-type"] == "image/svg+xml" and "Botilbudsteams" in svg.text
    assert "<img src=x" not in svg.text  # the payload initiative's label is escaped in the SVG
    assert client.get("/billeder/matrix.csv").text.startswith("kommune,")


def test_serve_on_a_busy_port_is_one_sentence_and_a_free_one_serves():
    import signal
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        done = subprocess.run([sys.executable, "-m", "rammegraf", "serve", "--port", str(port)],
                              capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "kører på" not in done.stdout and "Traceback" not in done.stderr
    assert f"port {port} på 127.0.0.1 er optaget" in done.stderr and f"--port {port + 1}" in done.stderr

    server = subprocess.Popen([sys.executable, "-m", "rammegraf", "serve", "--port", "0"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = server.stdout.readline()
        assert line.startswith("rammegraf kører på http://127.0.0.1:"), line
        url = line.split()[3]
        for _ in range(100):
            try:
                with urllib.request.urlopen(url, timeout=5) as answer:
                    assert answer.status == 200 and "Rammeaftale 2025-26" in answer.read().decode("utf-8")
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise AssertionError("the server did not answer")
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)


def test_silence_is_said_on_the_front_page_and_on_resource_pages(client):
    import re

    home = client.get("/", headers=HTML).text
    section = home[home.index("<h3>Ikke med i runden (udgået) (4)</h3>"):]
    section = section[:section.index("</ul>")]
    marked = re.findall(r'<li><a href="/id/initiativ/([a-z0-9-]+)">', section)
    assert sorted(marked) == ["forebyggende-indsatser", "lettilgaengeligt-tilbud-boern-unge",
                              "samarbejdsaftale-boern-unge-psykisk-mistrivsel",
                              "samarbejdsaftale-boern-unge-risikogrupper"]
    page = client.get("/id/initiativ/botilbudsteams", headers=HTML).text
    assert "<td>ansvarlig</td><td class=\"value\">kilden angiver ingen</td>" in page
    assert "kilden angiver ingen" not in client.get("/id/initiativ/monitorering-af-f-act", headers=HTML).text
    english = client.get("/id/initiativ/botilbudsteams?lang=en", headers=HTML).text
    assert "the source names none" in english


def test_validation_teaches_the_example_the_prefixes_the_phases_and_the_value(client):
    import html
    import re

    page = client.get("/valider", headers=HTML).text
    assert "Eksempel: en ny statusrapport" in page and "rg:InProgress" in page
    filled = client.get("/valider?eksempel=1", headers=HTML).text
    example = html.unescape(re.search(r'<textarea id="turtle" name="turtle"[^>]*>(.*?)</textarea>', filled, re.S).group(1))
    assert example.startswith("<kilde/statusrunde-2025-12-01> a rg:SourceDocument")
    verdict = client.post("/valider", data={"turtle": example}, headers=HTML).text
    assert "Gyldig: 0 fejl" in verdict
    # the words instead of the IRI: the message names the IRIs to write, and the value shows
    wrong = example.replace("rg:phase rg:InProgress", 'rg:phase "I gang"')
    report = client.post("/valider", data={"turtle": wrong}, headers=HTML).text
    assert "skriv en af: rg:Proposed (Foreslået)" in report and "rg:InProgress (I gang)" in report
    assert "<td><code>I gang</code></td>" in report
    # a parse error keeps the user's line numbers although the prefixes were added in front
    broken = client.post("/valider", data={"turtle": "<a> <b> <c> .\n<d> <e> ."}, headers=HTML).text
    assert "linje 2" in broken or "line 2" in broken


def test_the_ontology_page_lists_the_phases_and_annotation_properties(client):
    page = client.get("/ontologi", headers=HTML).text
    phases = page[page.index('id="faser"'):]
    phases = phases[phases.index("<tbody>"):]
    assert [m for m in ("rg:Proposed", "rg:NotStarted", "rg:AwaitingStart", "rg:InProgress", "rg:Implementing",
                        "rg:Implemented", "rg:Parked") if m not in phases] == []
    assert phases.index("rg:Proposed") < phases.index("rg:InProgress") < phases.index("rg:Parked")
    assert "<code>rg:eli</code>" in page


def test_the_frister_page_links_initiatives_actors_and_the_report_that_says_reached(client):
    page = client.get("/frister?as_of=2025-12-01&within=60", headers=HTML).text
    page = page[page.index('<table class="sortable">'):]      # the table, not the chart's numbers
    row = next(r for r in page.split("<tr>") if "Dobbeltdiagnosetilbuddets 2. fase" in r)
    assert '<a href="/id/initiativ/styrkede-indsatser-svaer-psykisk-sygdom">' in row
    assert '<a href="/id/status/styrkede-indsatser-svaer-psykisk-sygdom-2025-08-20">' in row
    row = next(r for r in page.split("<tr>") if "Organiseringen i regionen er på plads" in r)
    assert '<a href="/id/region/midtjylland">Region Midtjylland</a>' in row


def test_query_forms_list_few_resources_and_suggest_the_rest(client, engine, monkeypatch):
    """A parameter's resources are a drop-down up to CHOICE_LIMIT; above it (1M: 15,000
    initiatives) and for a parameter of no class (1M: 167,112 labelled resources) a text
    field the search's suggestions fill, with no list in the page."""
    from rammegraf.web.jobs import queries

    html = client.get("/foresporgsler/aktoers-initiativer", headers={"accept": "text/html"}).text
    assert 'name="actor" value="udvalg/dassos" autocomplete="off" data-suggest=""' in html
    assert "<datalist id=\"labels-actor\"" not in html
    html = client.get("/foresporgsler/statushistorik", headers={"accept": "text/html"}).text
    assert '<select id="p-initiative" name="initiative"' in html
    [field] = queries.form_fields(engine, "statushistorik", "da")
    assert len(field["choices"]) > 10 and field["suggest"] is None
    monkeypatch.setattr("rammegraf.forms.CHOICE_LIMIT", 10)
    [field] = queries.form_fields(engine, "statushistorik", "da")
    assert field["choices"] is None and field["suggest"] == ["Initiative"]
    assert field["default"] == "initiativ/monitorering-af-f-act"
    monkeypatch.undo()
    [field, _] = queries.form_fields(engine, "afhaenger-af-milepael", "da")
    assert field["choices"] and field["suggest"] is None  # organisations: few enough to list
    monkeypatch.setattr("rammegraf.forms.CHOICE_LIMIT", 3)
    [field, _] = queries.form_fields(engine, "afhaenger-af-milepael", "da")
    assert {"Organization", "Municipality", "Committee"} <= set(field["suggest"])

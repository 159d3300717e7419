"""The SPARQL editor on /sparql: the vendored CodeMirror bundle and its licences,
the words it completes (/sparql/ord), the error position, paging, and the editor in a
real browser (Chromium, every outside request blocked): completion of ontology terms
and of resources by label, Ctrl+Enter, the error marked, axe at zero wide and on a phone."""

from __future__ import annotations

import re
from datetime import date
from html import unescape
from importlib import resources
from urllib.parse import parse_qs, urlparse

import pytest
from conftest import axe_violations, live_server, web_client

HTML = {"accept": "text/html"}
MISSING_BRACE = "SELECT ?s WHERE {\n  ?s a rg:Initiative .\n  ?s rdfs:label ?l\n"


@pytest.fixture(scope="module")
def client(web_data):
    with web_client(data_dirs=(web_data,), timeout=5.0, today=date(2025, 9, 1)) as test_client:
        yield test_client


# --- the routes ---------------------------------------------------------------------------

def test_words_for_completion(client):
    response = client.get("/sparql/ord")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    data = response.json()
    terms = {t["curie"]: t for t in data["terms"]}
    assert terms["rg:Initiative"] == {"curie": "rg:Initiative", "kind": "class", "da": "Initiativ",
                                      "en": "Initiative"}
    assert terms["rg:developmentArea"]["kind"] == "property"
    # the W3C terms the data uses: declared ones with their labels, built-in ones too
    assert terms["prov:wasDerivedFrom"]["da"] == "kilde"
    assert terms["org:Organization"]["kind"] == "class"
    for name in ("rdfs:label", "skos:prefLabel", "skos:notation", "dcterms:title", "foaf:name", "rdf:type"):
        assert name in terms, name
    assert all(not t["curie"].startswith("<") for t in data["terms"])
    prefixes = {p["prefix"]: p["iri"] for p in data["prefixes"]}
    assert prefixes["rg"] == "https://w3id.org/rammegraf/ontology#"
    assert prefixes["skos"] == "http://www.w3.org/2004/02/skos/core#"


def test_static_files_and_licences(client):
    for name, media in (("editor.js", "text/javascript"), ("sparql.js", "text/javascript"),
                        ("sparql.css", "text/css"), ("LICENSES.txt", "text/plain")):
        response = client.get(f"/static/{name}")
        assert response.status_code == 200, name
        assert response.headers["content-type"].split(";")[0] == media
        assert response.content
    assert b"RammegrafEditor" in client.get("/static/editor.js").content
    # only the table's names: no path from the request reaches the file system
    for name in ("..%2Fweb%2Fapp.py", "LICENSES", "editor.js.map", "LICENSES%2FREADME"):
        assert client.get(f"/static/{name}").status_code == 404
    # the licences travel with the package, one per bundled package, all listed
    folder = resources.files("rammegraf") / "static" / "LICENSES"
    listing = (folder / "README").read_text(encoding="utf-8")
    for package in ("@codemirror/view", "@codemirror/state", "@codemirror/legacy-modes", "@lezer/highlight",
                    "style-mod", "w3c-keyname", "crelt"):
        assert re.search(rf"^{re.escape(package)} \d+\.\d+\.\d+\s+MIT\s+(\S+)$", listing, re.M), package
    for line in listing.splitlines()[3:]:
        text = (folder / line.split()[-1]).read_text(encoding="utf-8")
        assert "Permission is hereby granted" in text, line
    import tomllib
    from pathlib import Path

    config = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text(encoding="utf-8"))
    assert {"static/*", "static/LICENSES/*"} <= set(config["tool"]["setuptools"]["package-data"]["rammegraf"])


def test_editor_page_without_javascript(client):
    response = client.get("/sparql", headers=HTML)
    assert response.status_code == 200
    html = response.text
    assert '<textarea id="query" name="query"' in html
    assert '<script src="/static/editor.js"' in html and '<script src="/static/sparql.js"' in html
    assert "<script>" not in html and "style=" not in html
    assert "Ctrl+Enter" in html
    # this page's CSP lets in CodeMirror's <style> elements by a nonce made for this response
    csp = response.headers["content-security-policy"]
    nonce = re.search(r"style-src 'self' 'nonce-([\w-]+)';", csp).group(1)
    assert f'nonce="{nonce}"' in html and "script-src 'self';" in csp
    assert nonce not in client.get("/sparql", headers=HTML).headers["content-security-policy"]
    assert "nonce" not in client.get("/", headers=HTML).headers["content-security-policy"]
    # the named queries as starting points: a link each, that opens its text in the editor
    links = re.findall(r'<li><a href="(/sparql\?query=[^"]+)">', html)
    assert len(links) >= 3
    text = parse_qs(urlparse(unescape(links[0])).query)["query"][0]
    assert "SELECT" in text.upper() and unescape(links[0]) != "/sparql?query="
    english = client.get("/sparql?lang=en", headers=HTML).text
    assert "Starting points: the named queries" in english and "runs the query" in english


def test_syntax_error_position(client):
    response = client.get("/sparql", params={"query": MISSING_BRACE}, headers=HTML)
    assert response.status_code == 400
    error = re.search(r'<p class="error"[^>]*>.*?</p>', response.text, re.S).group(0)
    line, column = re.search(r'data-line="(\d+)" data-column="(\d+)"', error).groups()
    assert (line, column) == ("1", "17")  # the '{' that is never closed
    assert "linje 1, kolonne 17" in error   # in words, without JavaScript
    ok = client.get("/sparql", params={"query": "SELECT * { ?s ?p ?o } LIMIT 1"}, headers=HTML)
    assert 'class="error"' not in ok.text and "data-line" not in ok.text


def test_paging_keeps_the_query(client):
    query = "SELECT * {?s ?p ?o}"
    response = client.get("/sparql", params={"query": query}, headers=HTML)
    assert response.status_code == 200
    html = response.text
    assert html.count("<tr>") == 101  # the heading and 100 rows
    total = int(re.search(r'id="result-count">(\d+) rækker', html).group(1))
    assert total > 100
    assert f"viser 1–100" in html
    following = unescape(re.search(r'<a href="([^"]+)" rel="next">', html).group(1))
    params = parse_qs(urlparse(following).query)
    assert params["query"] == [query] and params["side"] == ["2"]
    second = client.get("/sparql" + following, headers=HTML).text
    assert "viser 101–200" in second
    sort = unescape(re.search(r'<th aria-sort="none" title="\?s"><a href="([^"]+)"', html).group(1))
    assert parse_qs(urlparse(sort).query)["query"] == [query]


# --- in a browser --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def live(web_data):
    with live_server(data_dirs=(web_data,), timeout=5.0, today=date(2025, 9, 1)) as (port, _):
        yield f"http://127.0.0.1:{port}"


def editor_text(page) -> str:
    return page.evaluate("RammegrafEditor.EditorView.findFromDOM(document.querySelector('.cm-editor'))"
                         ".state.doc.toString()")


def open_editor(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector(".cm-editor .cm-content")
    assert page.locator("#query").is_hidden()


def replace_text(page, text: str) -> None:
    page.click(".cm-content")
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(text)


def test_completion_of_terms_and_resources(watched, live):
    watched.allowed = live
    page = watched.page
    open_editor(page, f"{live}/sparql")
    # CodeMirror's styles are in the page (its <style> carries the nonce): the editor has its layout
    assert page.evaluate("getComputedStyle(document.querySelector('.cm-editor')).display") == "flex"
    replace_text(page, "SELECT ?i WHERE {\n  ?i a ")
    page.keyboard.type("rg:Ini")
    page.wait_for_selector(".cm-tooltip-autocomplete li[aria-selected]")
    first = page.locator(".cm-tooltip-autocomplete li[aria-selected]").inner_text()
    assert "rg:Initiative" in first and "Initiativ" in first and "klasse" in first
    watched.screenshot("editor.png")
    page.keyboard.press("Enter")
    assert editor_text(page).endswith("?i a rg:Initiative")
    assert page.locator("#query").input_value() == editor_text(page)  # the textarea follows
    # a variable already in the query
    page.keyboard.type(" .\n  ?")
    page.wait_for_selector(".cm-tooltip-autocomplete li")
    assert "?i" in page.locator(".cm-tooltip-autocomplete li").all_inner_texts()[0]
    page.keyboard.press("Escape")
    # a resource by its label: the search answers, the IRI goes in
    page.keyboard.type("i rg:involves ")
    page.keyboard.type("botilbud")
    page.wait_for_selector(".cm-tooltip-autocomplete li:has-text('Botilbudsteams')")
    options = page.locator(".cm-tooltip-autocomplete li").all_inner_texts()
    assert any("<https://w3id.org/rammegraf/id/initiativ/botilbudsteams>" in o and "Initiativ" in o
               for o in options)
    page.locator(".cm-tooltip-autocomplete li", has_text="Botilbudsteams").first.click()
    text = editor_text(page)
    assert re.search(r"rg:involves <https://w3id\.org/rammegraf/id/[^>]*botilbud[^>]*>$", text), text
    assert "botilbud<" not in text
    assert watched.outside_requests() == [] and watched.errors == []


def test_ctrl_enter_runs_and_error_is_marked(watched, live):
    watched.allowed = live
    page = watched.page
    open_editor(page, f"{live}/sparql")
    replace_text(page, "SELECT ?i ?label WHERE {\n  ?i a rg:Initiative ; rdfs:label ?label .\n} LIMIT 7")
    with page.expect_navigation():
        page.keyboard.press("Control+Enter")
    assert "/sparql?query=SELECT" in page.url
    assert page.locator("table.results tbody tr").count() == 7
    assert editor_text(page).endswith("LIMIT 7")  # the editor opens with the query that ran

    replace_text(page, MISSING_BRACE)
    with page.expect_navigation():
        page.keyboard.press("Control+Enter")
    error = page.locator("p.error")
    assert "linje 1, kolonne 17" in error.inner_text()
    page.wait_for_selector(".cm-lintRange-error")
    marked = page.evaluate("""() => {
        const view = RammegrafEditor.EditorView.findFromDOM(document.querySelector('.cm-editor'));
        const range = document.querySelector('.cm-lintRange-error');
        return {head: view.state.selection.main.head, text: range.textContent,
                focused: view.hasFocus, gutter: !!document.querySelector('.cm-lint-marker-error')};
    }""")
    assert marked == {"head": 16, "text": "{", "focused": True, "gutter": True}
    assert watched.outside_requests() == []
    # the page's own 400 is the only console error: the browser says the request failed
    assert all("400" in e for e in watched.errors), watched.errors


def test_starting_point_loads_a_named_query(watched, live):
    watched.allowed = live
    page = watched.page
    open_editor(page, f"{live}/sparql?lang=en")
    select = page.locator("#start")
    assert select.is_visible()
    value = select.locator("option").nth(1).get_attribute("value")
    wanted = select.locator("option").nth(1).get_attribute("data-text")
    select.focus()
    page.keyboard.press("ArrowDown")  # the keyboard is enough
    assert page.evaluate("document.getElementById('start').value") == value
    assert editor_text(page) == wanted and page.locator("#query").input_value() == wanted
    assert watched.outside_requests() == [] and watched.errors == []


def test_editor_accessible_wide_and_on_a_phone(watched, live, browser):
    from test_workbench import phone

    watched.allowed = live
    page = watched.page
    open_editor(page, f"{live}/sparql")
    assert axe_violations(page) == []
    # keyboard: Tab reaches the editor, it shows its focus, and Tab leaves it again
    page.focus("#start")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('cm-content')")
    outline = page.evaluate("getComputedStyle(document.querySelector('.cm-editor')).outlineStyle")
    assert outline == "solid"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.tagName") == "BUTTON"
    open_editor(page, f"{live}/sparql?query=" + "SELECT%20*%20%7B%3Fs%20%3Fp%20%3Fo%7D%20LIMIT%205")
    assert axe_violations(page) == []
    assert watched.outside_requests() == [] and watched.errors == []

    small = phone(browser)
    small.allowed = live
    try:
        open_editor(small.page, f"{live}/sparql")
        assert axe_violations(small.page) == []
        assert small.page.evaluate("document.documentElement.scrollWidth") <= 390
        open_editor(small.page, f"{live}/sparql?query=" + "SELECT%20*%20%7B%3Fs%20%3Fp%20%3Fo%7D%20LIMIT%205")
        assert small.page.evaluate("document.documentElement.scrollWidth") <= 390
        assert small.outside_requests() == [] and small.errors == []
    finally:
        small.close()

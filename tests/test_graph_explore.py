"""Exploring the graph in a browser, as an analyst does: labels that can be read at
any zoom, a shape per kind, a node selected by a click or the search box, its
details on demand with every link it has, its neighbours expanded (from the server,
or from the file itself offline), the view and the selection in the address, a phone
layout, and no accessibility violations. Served pages may talk to their own server
only; a file talks to nothing."""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import pytest
from conftest import axe_violations, live_server

from rammegraf.network import build_network
from rammegraf.viz import HALO, INK, LABEL_MIN_PX, contrast, graph_page

ID = "https://w3id.org/rammegraf/id/"
REGION = ID + "region/midtjylland"
ODDER = ID + "kommune/odder"
MENU = ["Forside", "Forespørgsler", "SPARQL", "Graf", "Statusrunder", "Frister", "Validér", "Ontologi"]


@pytest.fixture(scope="module")
def live(web_data):
    with live_server(data_dirs=(web_data,), timeout=10.0, today=date(2025, 9, 1)) as (port, _):
        yield f"http://127.0.0.1:{port}"


def ready(page) -> None:
    page.wait_for_selector("body[data-ready='1']", state="attached", timeout=20000)


def open_graph(watched, url: str):
    watched.page.goto(url)
    ready(watched.page)
    return watched.page


def until(page, expression: str, timeout: float = 10.0) -> None:
    """Wait until the expression is true (the page's CSP forbids the eval that
    Playwright's wait_for_function needs, so poll with evaluate)."""
    import time

    end = time.monotonic() + timeout
    while not page.evaluate(expression):
        assert time.monotonic() < end, f"still false after {timeout} s: {expression}"
        page.wait_for_timeout(50)


def present(page) -> set[str]:
    return set(page.evaluate("window.rammegraf.presentIds()"))


def drawn_label_px(page) -> list[float]:
    """Every drawn node's label size on screen, as vis-network itself holds it."""
    return page.evaluate("""() => {
        const net = window.rammegraf.network, scale = net.getScale();
        return window.rammegraf.presentIds().map(id => net.body.nodes[id].options.font.size * scale);
    }""")


# --- labels ----------------------------------------------------------------------------------

def test_labels_are_readable_at_every_zoom(watched, live):
    watched.allowed = live
    page = open_graph(watched, f"{live}/graf?view=all")
    report = page.evaluate("window.rammegraf.labelReport()")
    assert report["scale"] < 0.5                       # the whole graph fits: far out
    assert len(report["shown"]) >= 3 and report["minPx"] >= LABEL_MIN_PX
    assert ID + "udviklingsomraade/mental-sundhed-og-psykiatri" in report["shown"]   # a landmark
    fonts = page.evaluate("""() => window.rammegraf.labelReport().shown.map(id => {
        const f = window.rammegraf.network.body.nodes[id].options.font;
        return [f.color, f.strokeColor, f.strokeWidth]; })""")
    assert {(colour, halo) for colour, halo, _ in fonts} == {(INK, HALO)}
    assert min(width for *_, width in fonts) >= 3 and contrast(INK, HALO) >= 4.5
    # a label is drawn readable or not at all: never in vis-network's faded band
    assert all(px == 0 or px >= LABEL_MIN_PX for px in drawn_label_px(page))
    assert ODDER not in report["shown"]               # too small out here, so not drawn

    # zoomed in on a municipality, it has its label
    page.evaluate(f"""() => {{ const net = window.rammegraf.network;
        net.moveTo({{position: net.getPositions(['{ODDER}'])['{ODDER}'], scale: 1.2, animation: false}});
        window.rammegraf.applyLabels(); }}""")
    report = page.evaluate("window.rammegraf.labelReport()")
    assert ODDER in report["shown"] and report["minPx"] >= LABEL_MIN_PX
    assert page.evaluate(f"window.rammegraf.byId['{ODDER}'].label") == "Odder Kommune"

    # zooming with the wheel keeps the rule
    box = page.locator("#network").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    for _ in range(4):
        page.mouse.wheel(0, 400)
        page.wait_for_timeout(80)
    page.wait_for_timeout(300)
    assert page.evaluate("window.rammegraf.network.getScale()") < 1.0
    assert all(px == 0 or px >= LABEL_MIN_PX for px in drawn_label_px(page))
    assert watched.outside_requests() == [] and watched.errors == []


# --- select, details, the address, the resource page ------------------------------------------

def test_select_then_details_on_demand_with_every_link_and_the_address(watched, live):
    watched.allowed = live
    page = open_graph(watched, f"{live}/graf?view=all")
    assert page.locator("header nav a").all_inner_texts() == MENU
    assert page.get_attribute("header nav a[aria-current=page]", "href") == "/graf"
    assert page.get_attribute("a.skip", "href") == "#stage"

    page.fill("#search", "Region Midtjylland")
    page.press("#search", "Enter")
    assert page.inner_text("#selection-name") == "Region Midtjylland"
    assert page.inner_text("#selection-count") == "41 forbindelser i hele grafen"
    assert page.locator("#panel").is_hidden()                       # not opened by itself
    assert page.url == f"{live}/graf?view=all#valgt=region/midtjylland"
    # the selection and its neighbours stand out and keep their labels; the rest is dimmed
    opacity = page.evaluate(f"""() => ['{REGION}', '{ODDER}', '{ID}person/carsten']
        .map(id => window.rammegraf.nodes.get(id).opacity)""")
    assert opacity == [1, 1, 0.3]
    assert REGION in page.evaluate("window.rammegraf.labelReport().shown")

    page.click("#details-button")
    assert page.locator("#panel").is_visible()
    assert page.inner_text("#panel-title") == "Region Midtjylland"
    assert page.inner_text("#panel-links") == "Forbindelser: 41 i hele grafen"
    assert page.locator("#panel-link-list button.link").count() == 41
    assert page.url.endswith("#valgt=region/midtjylland&detaljer=1")
    watched.screenshot("graph-explore-panel.png")

    page.click("#panel-link-list button:text-is('Odder Kommune')")
    assert page.inner_text("#panel-title") == "Odder Kommune"
    assert page.url.endswith("#valgt=kommune/odder&detaljer=1")

    page.reload()
    ready(page)
    assert page.evaluate("window.rammegraf.selected()") == ODDER
    assert page.inner_text("#panel-title") == "Odder Kommune" and page.locator("#panel").is_visible()

    # by keyboard: Escape closes the panel, Enter on the graph opens it again
    page.focus("#panel")
    page.keyboard.press("Escape")
    assert page.locator("#panel").is_hidden() and page.url.endswith("#valgt=kommune/odder")
    assert page.evaluate("document.activeElement.id") == "details-button"
    page.focus("#network .vis-network")
    page.keyboard.press("Enter")
    assert page.locator("#panel").is_visible()

    page.select_option("#as-of", "2025-04-08")
    assert page.url == f"{live}/graf?view=all&as_of=2025-04-08#valgt=kommune/odder&detaljer=1"

    with page.expect_navigation():
        page.click("#resource-link")
    assert page.url == f"{live}/id/kommune/odder"
    assert page.locator("h1").inner_text() == "Odder Kommune"
    assert watched.outside_requests() == [] and watched.errors == []


def test_resource_page_opens_the_graph_two_hops_out_with_the_node_selected(watched, live):
    watched.allowed = live
    page = watched.page
    page.goto(f"{live}/id/kommune/odder")
    with page.expect_navigation():
        page.click("text=Vis i graf")
    ready(page)
    assert page.url == f"{live}/graf?view=node%3Akommune%2Fodder&depth=2#valgt=kommune/odder"
    assert page.evaluate("window.rammegraf.selected()") == ODDER
    assert page.inner_text("#selection-name") == "Odder Kommune"
    assert REGION in present(page) and ID + "initiativ/botilbudsteams" in present(page)   # two hops
    assert watched.outside_requests() == [] and watched.errors == []


# --- expand ----------------------------------------------------------------------------------

def test_expand_fetches_the_neighbours_from_the_server(watched, live, engine):
    watched.allowed = live
    page = open_graph(watched, f"{live}/graf?view=node:initiativ/botilbudsteams&depth=1#valgt=region/midtjylland")
    before = present(page)
    assert len(before) == 9 and REGION in before
    page.click("#details-button")
    view = build_network(engine, around=ID + "initiativ/botilbudsteams", depth=1)
    shown = view.degree(REGION)
    assert 0 < shown < 41
    assert page.inner_text("#panel-links") == f"Forbindelser: 41 i hele grafen, {shown} vist her"
    positions = page.evaluate("window.rammegraf.network.getPositions()")

    page.click("#panel-expand")
    until(page, "window.rammegraf.presentIds().length > 9")
    after = present(page)
    assert after == before | set(build_network(engine, around=REGION, depth=1))
    assert any(u.startswith(f"{live}/graf/naboer?id=region%2Fmidtjylland&lang=da") for u in watched.requests)
    assert page.inner_text("#panel-note") == f"{len(after - before)} nye knuder vist"
    assert page.inner_text("#panel-links") == "Forbindelser: 41 i hele grafen"
    # the new nodes around the expanded one, the old ones where they were
    moved = page.evaluate("window.rammegraf.network.getPositions()")
    centre = moved[REGION]
    radii = [math.dist((centre["x"], centre["y"]), (moved[n]["x"], moved[n]["y"])) for n in after - before]
    assert max(radii) - min(radii) < 2 and min(radii) > 100
    assert all(moved[n] == positions[n] for n in before)

    page.click("#panel-expand")
    until(page, "document.getElementById('panel-note').textContent.indexOf('intet mere') > 0")
    assert page.inner_text("#panel-note") == "Alle naboer vises allerede; der er intet mere at udvide."
    assert present(page) == after

    # a fetched node in the address is fetched again after a reload
    page.click("#panel-link-list button:text-is('Odder Kommune')")
    assert page.url.endswith("#valgt=kommune/odder&detaljer=1")
    page.reload()
    ready(page)
    assert page.evaluate("window.rammegraf.selected()") == ODDER
    assert page.inner_text("#panel-title") == "Odder Kommune"
    assert watched.outside_requests() == [] and watched.errors == []


# --- phone, accessibility ------------------------------------------------------------------------

def test_phone_layout(watched, live):
    watched.allowed = live
    page = watched.page
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live}/graf?view=all#valgt=region/midtjylland&detaljer=1")
    ready(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.locator("#controls").is_hidden() and page.locator("#controls-toggle").is_visible()
    network = page.locator("#network").bounding_box()
    assert network["width"] >= 385 and network["height"] >= 300
    sheet = page.locator("#panel").bounding_box()               # the details as a bottom sheet
    assert sheet["x"] == 0 and sheet["width"] == 390
    assert abs(sheet["y"] + sheet["height"] - 844) < 1 and sheet["height"] <= 0.51 * 844
    assert page.evaluate("window.rammegraf.labelReport().minPx") >= LABEL_MIN_PX
    watched.screenshot("graph-phone.png")
    assert axe_violations(page) == []

    page.click("#panel-close")
    page.click("#controls-toggle")
    assert page.locator("#controls").is_visible()
    assert page.get_attribute("#controls-toggle", "aria-expanded") == "true"
    page.locator("#tabular summary").click()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert axe_violations(page) == []
    assert watched.outside_requests() == [] and watched.errors == []


def test_no_accessibility_violations_on_a_wide_screen(watched, live):
    watched.allowed = live
    page = open_graph(watched, f"{live}/graf?view=all")
    assert axe_violations(page) == []
    page.fill("#search", "Monitorering af F-ACT")
    page.press("#search", "Enter")
    page.click("#details-button")
    page.locator("#tabular summary").click()
    assert page.locator("#node-table tbody tr").count() == 123      # the canvas's text alternative
    assert axe_violations(page) == []
    assert watched.outside_requests() == [] and watched.errors == []


# --- a file, offline ------------------------------------------------------------------------------

def test_a_file_expands_offline_and_asks_nothing_of_anyone(watched, tmp_path: Path, engine):
    path = tmp_path / "botilbudsteams.html"
    path.write_text(graph_page(engine, view="initiative:botilbudsteams", depth=1), encoding="utf-8")
    page = open_graph(watched, path.as_uri() + "#valgt=region/midtjylland")
    before = present(page)
    assert len(before) == 9 and page.inner_text("#selection-name") == "Region Midtjylland"
    page.click("#details-button")
    # no dead links: the IRI as text, and no link but the skip link
    assert page.locator("#resource-link").count() == 0
    assert page.inner_text("#panel .iri") == REGION
    assert page.locator("a[href]").evaluate_all("els => els.map(e => e.getAttribute('href'))") == ["#stage"]

    page.click("#panel-expand")
    until(page, "window.rammegraf.presentIds().length > 9")
    assert present(page) == before | set(build_network(engine, around=REGION, depth=1))
    assert page.inner_text("#panel-note").endswith("nye knuder vist")

    page.click("#panel-link-list button:text-is('Odder Kommune')")      # a node of the ring
    page.click("#panel-expand")
    until(page, "document.getElementById('panel-note').textContent.length > 0")
    assert page.inner_text("#panel-note").startswith("Knuden har flere naboer i grafen, men de er ikke med i denne fil")
    assert page.url == path.as_uri() + "#valgt=kommune/odder&detaljer=1"

    # the legend shows the icon the graph draws
    legend = page.evaluate("""getComputedStyle(document.querySelector(
        '#kind-filter input[data-key=municipality]').parentNode.querySelector('.icon')).backgroundImage""")
    assert legend == 'url("' + page.evaluate(f"window.rammegraf.nodes.get('{ODDER}').image") + '")'
    assert axe_violations(page) == []
    assert {u.split("#")[0] for u in watched.requests if not u.startswith("data:")} == {path.as_uri()}
    assert watched.outside_requests() == [] and watched.errors == []

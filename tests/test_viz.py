"""The graph page: built right in Python, and working in a real browser."""

from __future__ import annotations

import html as html_lib
import json
import re
from datetime import date
from pathlib import Path

import pytest
from conftest import with_turtle

from rammegraf.network import build_network
from rammegraf.viz import PHASE_COLOURS, ViewError, graph_page, page_data, select_view

ID = "https://w3id.org/rammegraf/id/"
F_ACT = ID + "initiativ/monitorering-af-f-act"
PAYLOAD = '<img src=x onerror=alert(1)></script><script>alert(2)</script>'


def graph_json(html: str) -> dict:
    raw = re.search(r'<script type="application/json" id="graph-data">(.*?)</script>', html, re.S).group(1)
    return json.loads(raw)


# --- in Python ---------------------------------------------------------------------------

def test_select_view_area_neighbourhood(engine):
    view = select_view(engine, "area:overgangen-til-voksenomraadet", depth=1)
    labels = sorted(view.net.nodes[n]["label"] for n in view.net)
    assert labels == ["Overgangen fra børne- og ungeområdet til voksenområdet", "Temadag januar 2026",
                      "Vi vil hjælpe børn og unge til en mere gnidningsfri overgang til voksenlivet"]
    assert view.focus == ID + "udviklingsomraade/overgangen-til-voksenomraadet"


def test_select_view_actor_and_law(engine):
    dassos = select_view(engine, "actor:dassos", depth=1).net
    assert {dassos.nodes[n]["kind"] for n in dassos} >= {"committee", "initiative"}
    law = select_view(engine, "law:serviceloven/paragraf-108", depth=1).net
    assert ID + "initiativ/faelleskommunale-principper" in law


@pytest.mark.parametrize("view, words", [
    ("area:mental", "Mente du (did you mean): area:mental-sundhed-og-psykiatri"),
    ("kommune:odder", "ukendt visning"),
    ("area:", "ukendt visning"),
])
def test_select_view_errors(engine, view: str, words: str):
    with pytest.raises(ViewError) as caught:
        select_view(engine, view)
    assert words in str(caught.value)


def test_page_data_positions_sizes_and_history(engine):
    net = build_network(engine)
    data = page_data(engine, select_view(engine, "all"))
    assert len(data["nodes"]) == net.number_of_nodes() == 121
    assert len(data["edges"]) == net.number_of_edges()
    f_act = next(n for n in data["nodes"] if n["id"] == F_ACT)
    assert [(h["date"], h["phase"]) for h in f_act["history"]] == [
        ("2025-04-08", "NotStarted"), ("2025-08-20", "InProgress")]
    assert all(isinstance(n["x"], float) and n["size"] >= 10 for n in data["nodes"])
    assert data["dates"] == ["2025-04-08", "2025-08-20"] and data["date"] == "2025-08-20"


def test_graph_page_is_offline_and_escaped(engine):
    graph = with_turtle(engine, f'''<{ID}initiativ/xss> a <https://w3id.org/rammegraf/ontology#Initiative> ;
        <http://www.w3.org/2000/01/rdf-schema#label> "{PAYLOAD}"@en .''')
    html = graph_page(graph, lang="en")
    assert "<img src=x" not in html and "<script>alert" not in html
    assert not re.search(r'(src|href)="https?:', html)
    assert not re.search(r"(https?:)?//[\w.-]*(cdn|unpkg|jsdelivr|bootstrapcdn)[\w.-]*/", html.lower())
    csp = html_lib.unescape(re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html).group(1))
    assert csp.startswith("default-src 'none'; script-src 'sha256-") and "unsafe-inline" not in csp.split(";")[1]
    assert any(n["label"] == PAYLOAD for n in graph_json(html)["nodes"])


def test_graph_page_as_of_sets_the_start_date(engine):
    data = graph_json(graph_page(engine, as_of=date(2025, 4, 8)))
    assert data["date"] == "2025-04-08"


# --- in a browser ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def plan_page(tmp_path_factory, engine) -> Path:
    graph = with_turtle(engine, f'''<{ID}initiativ/xss> a <https://w3id.org/rammegraf/ontology#Initiative> ;
        <http://www.w3.org/2000/01/rdf-schema#label> "{PAYLOAD}"@da ;
        <https://w3id.org/rammegraf/ontology#involves> <{ID}udvalg/dassos> .''')
    path = tmp_path_factory.mktemp("page") / "plan.html"
    path.write_text(graph_page(graph), encoding="utf-8")
    return path


def open_page(watched, path: Path):
    page = watched.page
    page.goto(path.as_uri())
    page.wait_for_function("document.body.dataset.ready === '1'", timeout=20000)
    return page


def test_browser_draws_every_node_and_nothing_leaves(watched, plan_page: Path, engine):
    page = open_page(watched, plan_page)
    expected = build_network(engine).number_of_nodes() + 1  # + the XSS initiative
    assert page.evaluate("window.rammegraf.nodes.length") == expected
    assert page.evaluate("Object.keys(window.rammegraf.network.getPositions()).length") == expected
    assert page.evaluate("window.rammegraf.visibleIds().length") == expected
    assert page.inner_text("#count") == f"{expected} viste knuder"
    watched.screenshot("graph-all.png")
    assert watched.outside_requests() == []
    assert watched.errors == [] and watched.dialogs == []


def test_browser_search_focuses_the_node(watched, plan_page: Path):
    page = open_page(watched, plan_page)
    page.fill("#search", "botilbudsteams")
    page.click("#search-form button[type=submit]")
    assert page.evaluate("window.rammegraf.network.getSelectedNodes()") == [ID + "initiativ/botilbudsteams"]
    assert page.inner_text("#panel-title") == "Botilbudsteams"
    centre = page.evaluate("window.rammegraf.network.getViewPosition()")
    node = page.evaluate(f"window.rammegraf.network.getPositions(['{ID}initiativ/botilbudsteams'])")
    (x, y), = [(p["x"], p["y"]) for p in node.values()]
    assert abs(centre["x"] - x) < 1 and abs(centre["y"] - y) < 1
    panel = page.inner_text("#panel")
    assert "I gang (2025-08-20)" in panel and "Organiseringen i regionen er på plads" in panel
    watched.screenshot("graph-search.png")
    page.fill("#search", "findes ikke")
    page.click("#search-form button[type=submit]")
    assert "Ingen knude hedder" in page.inner_text("#message")


def test_browser_kind_filter_hides_exactly_that_kind(watched, plan_page: Path):
    page = open_page(watched, plan_page)
    total = page.evaluate("window.rammegraf.nodes.length")
    municipalities = set(page.evaluate(
        "window.rammegraf.data.nodes.filter(n => n.kind === 'municipality').map(n => n.id)"))
    assert len(municipalities) == 19
    page.uncheck("#kind-filter input[data-key=municipality]")
    visible = set(page.evaluate("window.rammegraf.visibleIds()"))
    all_ids = set(page.evaluate("window.rammegraf.nodes.getIds()"))
    assert all_ids - visible == municipalities and len(visible) == total - 19
    page.check("#kind-filter input[data-key=municipality]")
    assert len(page.evaluate("window.rammegraf.visibleIds()")) == total


def test_browser_area_filter_hides_its_initiatives(watched, plan_page: Path):
    page = open_page(watched, plan_page)
    area = ID + "udviklingsomraade/overgangen-til-voksenomraadet"
    page.uncheck(f"#area-filter input[data-key='{area}']")
    hidden = set(page.evaluate("window.rammegraf.nodes.getIds()")) - set(page.evaluate("window.rammegraf.visibleIds()"))
    assert hidden == {area, ID + "initiativ/temadag-overgangen-2026",
                      ID + "maalsaetning/gnidningsfri-overgang"}


def test_browser_report_date_recolours_initiatives(watched, plan_page: Path):
    page = open_page(watched, plan_page)
    colour = f"window.rammegraf.nodes.get('{F_ACT}').color.background"
    assert page.evaluate(colour) == PHASE_COLOURS["InProgress"]
    page.select_option("#as-of", "2025-04-08")
    assert page.evaluate(colour) == PHASE_COLOURS["NotStarted"]
    row = page.locator(f"#node-table tr[data-id='{F_ACT}'] td").nth(2).text_content()
    assert row == "Ikke igangsat"


def test_browser_script_payload_stays_text(watched, plan_page: Path):
    page = open_page(watched, plan_page)
    page.fill("#search", "<img")
    page.click("#search-form button[type=submit]")
    assert page.inner_text("#panel-title") == PAYLOAD
    page.locator("#tabular summary").click()
    cells = page.locator("#node-table td").all_inner_texts()
    assert PAYLOAD in cells
    assert page.locator("img").count() == 0
    assert watched.dialogs == [] and watched.errors == []
    assert watched.outside_requests() == []


def test_browser_table_sorts(watched, plan_page: Path):
    page = open_page(watched, plan_page)
    page.locator("#tabular summary").click()
    page.click("#node-table th button[data-col='3']")
    page.click("#node-table th button[data-col='3']")
    degrees = [int(t) for t in page.locator("#node-table tbody tr td:nth-child(4)").all_inner_texts()]
    assert degrees == sorted(degrees, reverse=True) and degrees[0] > degrees[-1]
    assert page.get_attribute("#node-table th:nth-child(4)", "aria-sort") == "descending"


def test_layout_large_view_spreads_every_node():
    import math

    import networkx as nx

    from rammegraf.viz import layout

    net = nx.MultiDiGraph(nx.disjoint_union(nx.barabasi_albert_graph(500, 2, seed=1),
                                            nx.barabasi_albert_graph(400, 3, seed=2)))
    pos = layout(net)
    assert set(pos) == set(net.nodes)
    assert all(math.isfinite(x) and math.isfinite(y) for x, y in pos.values())
    assert len(set(pos.values())) == len(pos)  # no two nodes on the same spot
    # linked nodes lie closer than nodes in general: the force layout did its work
    import random

    rng = random.Random(3)
    nodes = list(pos)
    pairs = sorted(math.dist(pos[a], pos[b]) for a, b in (rng.sample(nodes, 2) for _ in range(2000)))
    edges = sorted(math.dist(pos[u], pos[v]) for u, v in net.edges())
    assert edges[len(edges) // 2] < 0.5 * pairs[len(pairs) // 2]

"""The graph page: built right in Python, and working in a real browser."""

from __future__ import annotations

import html as html_lib
import json
import re
from datetime import date
from pathlib import Path

import pytest
from conftest import web_client, with_turtle

from rammegraf.network import KINDS, build_network
from rammegraf.viz import (HALO, ICONS, INK, LABEL_MIN_PX, PHASE_COLOURS, STYLE, ViewError, contrast, graph_page,
                           icon_uri, page_csp, page_data, select_view)

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
    assert len(data["nodes"]) == net.number_of_nodes() == 122
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


def test_sixteen_kinds_sixteen_icons_and_the_legend_shows_them(engine):
    kinds = [k for k, _ in KINDS]
    assert sorted(STYLE) == sorted(kinds) and len(kinds) == 16
    names = [STYLE[k][0] for k in kinds]
    assert len(set(names)) == 16                                   # a name per kind
    assert len({ICONS[name][0] for name in names}) == 16           # and a silhouette per name
    uris = [icon_uri(*STYLE[k]) for k in kinds]
    assert len(set(uris)) == 16 and all(u.startswith("data:image/svg+xml,") for u in uris)
    assert all("%23" in u and "#" not in u for u in uris)          # a bare # would end the data: URI
    data = page_data(engine, select_view(engine, "all"))
    assert [k["key"] for k in data["kinds"]] == kinds              # the legend: every kind, with its icon
    assert [k["uri"] for k in data["kinds"]] == uris
    assert len({p["uri"] for p in data["phases"]} | {data["nophase"]}) == len(PHASE_COLOURS) + 1


def test_labels_are_dark_on_a_light_halo_and_never_tiny(engine):
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") < 4.5 < contrast("#767676", "#ffffff")   # WCAG's own boundary
    font = page_data(engine, select_view(engine, "all"))["font"]
    assert (font["color"], font["halo"]) == (INK, HALO)
    assert contrast(font["color"], font["halo"]) >= 4.5
    assert font["minPx"] == LABEL_MIN_PX >= 12 and font["keepPx"] >= font["minPx"]
    assert min([font["size"], *font["sizes"].values()]) >= 12


def test_every_node_counts_its_links_in_the_whole_graph(engine):
    whole = build_network(engine)
    view = select_view(engine, "initiative:botilbudsteams", depth=1)
    data = page_data(engine, view)
    region = ID + "region/midtjylland"
    in_view = sum(1 for e in data["edges"] if region in (e["from"], e["to"]))
    node = next(n for n in data["nodes"] if n["id"] == region)
    assert node["deg"] == whole.degree(region) == 41 and in_view < 41
    assert all(n["deg"] == whole.degree(n["id"]) for n in data["nodes"])


def test_a_file_carries_the_ring_beyond_its_view_hidden(engine):
    inner = set(select_view(engine, "initiative:botilbudsteams", depth=1).net)
    outer = set(select_view(engine, "initiative:botilbudsteams", depth=2).net)
    data = graph_json(graph_page(engine, view="initiative:botilbudsteams", depth=1))
    shown = {n["id"] for n in data["nodes"] if not n.get("ring")}
    ring = {n["id"] for n in data["nodes"] if n.get("ring")}
    assert shown == inner and ring == outer - inner and len(ring) > 20
    assert all("x" in n for n in data["nodes"] if not n.get("ring"))
    assert not any("x" in n for n in data["nodes"] if n.get("ring"))   # placed when expanded
    assert {(e["from"], e["to"]) for e in data["edges"]} == {(u, v) for u, v in
                                                             select_view(engine, "initiative:botilbudsteams",
                                                                         depth=2).net.edges()}
    assert data["served"] is False
    # served, the page asks the server instead: no ring, and it may connect to its own origin only
    served = graph_json(graph_page(engine, view="initiative:botilbudsteams", depth=1, site=SITE))
    assert {n["id"] for n in served["nodes"]} == inner and served["served"] is True
    assert "connect-src 'self'" in page_csp(served=True) and "connect-src" not in page_csp()


def test_a_view_past_max_nodes_shows_the_largest_depth_that_fits_and_says_so(engine, monkeypatch):
    from click.testing import CliRunner

    from rammegraf import viz
    from rammegraf.cli import main

    sizes = [len(select_view(engine, "initiative:botilbudsteams", depth=d).net) for d in (1, 2)]
    monkeypatch.setattr(viz, "MAX_NODES", sizes[1] - 1)
    cut = select_view(engine, "initiative:botilbudsteams", depth=3)
    assert len(cut.net) == sizes[0] and cut.net.graph["depth"] == 1 and not cut.ring
    assert cut.note.startswith(f"Dybde 2 ville vise {sizes[1]} knuder, flere end de {sizes[1] - 1} en visning")
    assert f"(depth 2 would show {sizes[1]} nodes, more than the {sizes[1] - 1} a view draws; this is depth 1." \
        in cut.note
    page = graph_page(engine, view="initiative:botilbudsteams", depth=2, site=SITE)
    assert re.search(r'<p class="note"[^>]*>' + re.escape(html_lib.escape(cut.note)) + "</p>", page)
    assert {n["id"] for n in graph_json(page)["nodes"]} == set(cut.net)
    # a file's ring that would pass the cap is left out, with the view whole and no note
    whole = select_view(engine, "initiative:botilbudsteams", depth=1, ring=True)
    assert len(whole.net) == sizes[0] and not whole.ring and not whole.note
    assert 'class="note"' not in graph_page(engine, view="initiative:botilbudsteams", depth=1)
    result = CliRunner().invoke(main, ["graph", "--view", "initiative:botilbudsteams", "--depth", "2"])
    assert result.exit_code == 0 and "bemærk: Dybde 2 ville vise" in result.stderr
    assert "bemærk" not in CliRunner().invoke(main, ["graph", "--view", "initiative:botilbudsteams",
                                                     "--depth", "1"]).stderr


SITE = {"home": "/", "nav_label": "Forside", "skip": "Spring til indholdet", "nav": [("/", "Forside", False)],
        "switch": "/graf?lang=en", "other_lang": "English", "other_code": "en"}


def test_a_file_links_to_no_page_it_does_not_have(engine):
    html = graph_page(engine, view="initiative:botilbudsteams", depth=1)
    assert not re.search(r'href="(?!#)', html)          # only in-page links (the skip link)
    assert '<nav' not in html
    served = graph_page(engine, view="initiative:botilbudsteams", depth=1, site=SITE)
    assert '<nav aria-label="Forside">' in served and 'href="/graf?lang=en"' in served


# --- the web app's graph routes ---------------------------------------------------------------

@pytest.fixture(scope="module")
def client(web_data):
    with web_client(data_dirs=(web_data,), timeout=10.0, today=date(2025, 9, 1)) as test_client:
        yield test_client


def test_neighbours_route_answers_json(client, engine):
    answer = client.get("/graf/naboer?id=region/midtjylland&lang=da&as_of=2025-08-20")
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/json"
    data = answer.json()
    region = ID + "region/midtjylland"
    expected = set(build_network(engine, around=region, depth=1))
    assert data["center"] == region and data["nodes"][0]["id"] == region
    assert {n["id"] for n in data["nodes"]} == expected
    assert data["nodes"][0]["deg"] == 41 and data["nodes"][0]["kind"] == "region"
    assert all(e["from"] in expected and e["to"] in expected for e in data["edges"])
    odder = next(n for n in data["nodes"] if n["id"] == ID + "kommune/odder")
    assert odder["label"] == "Odder Kommune" and odder["deg"] == 5
    english = client.get("/graf/naboer?id=region/midtjylland&lang=en").json()
    assert english["nodes"][0]["label"] == "Central Denmark Region"


@pytest.mark.parametrize("ident", ["kommune/findes-ikke", "", "a b>", "x> } ; ASK { ?s ?p ?o",
                                   "region/midtjylland> ?p ?o } #"])
def test_neighbours_route_unknown_is_404_json(client, ident: str):
    from urllib.parse import quote

    answer = client.get("/graf/naboer?id=" + quote(ident, safe=""))
    assert answer.status_code == 404 and answer.headers["content-type"] == "application/json"
    assert "ingen knude" in answer.json()["error"]


def test_neighbours_route_bad_date_is_400_json(client):
    answer = client.get("/graf/naboer?id=region/midtjylland&as_of=igaar")
    assert answer.status_code == 400 and "as_of" in answer.json()["error"]


def test_served_graph_page_has_the_site_menu_and_may_fetch_from_itself(client):
    from rammegraf.webtext import TEXT

    response = client.get("/graf?view=all", headers={"accept": "text/html"})
    html = response.text
    for path, key in (("/foresporgsler", "queries"), ("/sparql", "sparql"), ("/runder", "rounds"),
                      ("/frister", "deadlines_nav"), ("/valider", "validate"), ("/ontologi", "ontology")):
        assert f'<a href="{path}">{TEXT["da"][key]}</a>' in html, path
    assert '<a href="/graf" aria-current="page">Graf</a>' in html
    assert f'class="skip" href="#stage">{TEXT["da"]["skip"]}</a>' in html
    assert 'class="lang" href="/graf?view=all&amp;depth=2&amp;lang=en"' in html
    csp = response.headers["content-security-policy"]
    assert "connect-src 'self'" in csp and "script-src 'sha256-" in csp and "unsafe-eval" not in csp
    english = client.get("/graf?view=all&lang=en", headers={"accept": "text/html"}).text
    assert f'<a href="/foresporgsler?lang=en">{TEXT["en"]["queries"]}</a>' in english


def test_resource_page_shows_the_node_selected_two_hops_out(client):
    page = client.get("/id/region/midtjylland", headers={"accept": "text/html"}).text
    assert 'href="/graf?view=node%3Aregion%2Fmidtjylland&amp;depth=2#valgt=region/midtjylland"' in page


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
    assert page.inner_text("#selection-name") == "Botilbudsteams"
    assert page.locator("#panel").is_hidden()                 # details only on demand
    page.click("#details-button")
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
    image = f"window.rammegraf.nodes.get('{F_ACT}').image"
    assert page.evaluate(image) == icon_uri(STYLE["initiative"][0], PHASE_COLOURS["InProgress"])
    page.select_option("#as-of", "2025-04-08")
    assert page.evaluate(image) == icon_uri(STYLE["initiative"][0], PHASE_COLOURS["NotStarted"])
    row = page.locator(f"#node-table tr[data-id='{F_ACT}'] td").nth(2).text_content()
    assert row == "Ikke igangsat"


def test_browser_script_payload_stays_text(watched, plan_page: Path):
    page = open_page(watched, plan_page)
    page.fill("#search", "<img")
    page.click("#search-form button[type=submit]")
    assert page.inner_text("#selection-name") == PAYLOAD
    page.click("#details-button")
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


def test_layout_large_view_is_the_same_every_time():
    """A view drawn twice is the same picture, in this process and in another: the
    spectral start of a large view (ARPACK) begins from a fixed vector, not from
    ARPACK's own random one, and the links are summed in one order, not in the order
    of a set of IRIs (which Python varies from process to process)."""
    import subprocess
    import sys

    import networkx as nx

    from rammegraf.viz import layout

    def graph():  # IRIs as nodes: strings, whose set order differs from process to process
        return nx.MultiDiGraph(nx.relabel_nodes(nx.barabasi_albert_graph(700, 2, seed=5),
                                                lambda n: f"https://example.org/id/{n}"))

    net = graph()
    first = layout(net)
    assert len(first) == 700
    assert layout(net) == first
    script = ("import networkx as nx, json; from rammegraf.viz import layout; "
              "net = nx.MultiDiGraph(nx.relabel_nodes(nx.barabasi_albert_graph(700, 2, seed=5), "
              "lambda n: f'https://example.org/id/{n}')); "
              "print(json.dumps(sorted((n, xy) for n, xy in layout(net).items())))")
    import json

    other = json.loads(subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                                      check=True).stdout)
    assert {n: tuple(xy) for n, xy in other} == first

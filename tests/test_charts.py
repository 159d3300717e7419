"""Charts (rammegraf.charts): the `# chart:` header, the suggestion from column types, the
spec's words (title, text alternative, table, captions), links to our resources only, the
server's SVG and PNG (vl-convert), the »Diagram« view of the query pages and /sparql
without JavaScript, and the downloads. The browser's half is tests/test_charts_browser.py."""

from __future__ import annotations

import json
import re
import struct
import zlib
from datetime import date
from importlib import resources
from urllib.parse import quote

import pytest
from conftest import web_client

from rammegraf import charts
from rammegraf.charts import ChartDecl, ChartError
from rammegraf.labels import Labels
from rammegraf.query import QueryError, get_query, named_queries, parse_query_text, run_on
from rammegraf.web.jobs.common import html_result

HTML = {"accept": "text/html"}
LONG = ("Opbygning af et lettilgængeligt tilbud i kommunerne til børn og unge i psykisk mistrivsel og med "
        "symptomer på psykisk lidelse")
HEADER = """# title@da: Prøve
# title@en: Test
# description@da: En prøve.
# description@en: A test.
{chart}
SELECT ?actor ?n ?day WHERE {{ ?actor rg:n ?n ; rg:day ?day }} ORDER BY ?n
"""


def result_of(engine, name: str, lang: str = "da", **values) -> dict:
    """A named query's result as the pages have it: cells with labels and links, captions, types."""
    query = get_query(name)
    answer = run_on(engine, query, values)
    result = html_result(answer, Labels(engine, lang), lang)
    result["captions"] = [query.caption(v, lang) for v in result["vars"]]
    return result


def made(vars_, types, rows) -> dict:
    """A result from plain values ({"text", "href"} cells)."""
    cells = [[value if isinstance(value, dict) else {"text": value} for value in row] for row in rows]
    return {"vars": vars_, "types": types, "rows": cells}


def svg_texts(svg: str) -> list[str]:
    """Every <text> of an SVG as one line: its tspans (a wrapped label's lines) joined by spaces."""
    from xml.etree import ElementTree

    root = ElementTree.fromstring(svg)
    out = []
    for element in root.iter("{http://www.w3.org/2000/svg}text"):
        spans = [t.text or "" for t in element.iter("{http://www.w3.org/2000/svg}tspan")]
        out.append(" ".join(spans) if spans else (element.text or ""))
    return out


# --- the header --------------------------------------------------------------------------

def test_a_declared_chart_is_read_from_the_header():
    query = parse_query_text(HEADER.format(chart="# chart: bar x=n y=actor color=day"), name="x")
    assert query.chart == ChartDecl("bar", x="n", y="actor", color="day")
    assert query.chart.line() == "bar x=n y=actor color=day"
    assert parse_query_text(HEADER.format(chart="# chart: gantt x=day x2=day y=actor"), name="x").chart.x2 == "day"
    assert parse_query_text(HEADER.format(chart=""), name="x").chart is None


@pytest.mark.parametrize("line, words", [
    ("# chart: pie x=n y=actor", "ukendt diagramtype 'pie'"),
    ("# chart: gantt x=day y=actor", "et gantt-diagram skal have x, x2, y; mangler x2"),
    ("# chart: bar x=n y=nobody", "y=nobody: forespørgslen har ingen variabel ?nobody"),
    ("# chart: bar x n", "'x' skal være kanal=variabel"),
    ("# chart: bar x=n x=day y=actor", "kanalen 'x' står to gange"),
    ("# chart: bar x=n y=actor size=n", "'size=n' skal være kanal=variabel med kanal blandt x, x2, y, color"),
    ("# chart: bar x=count y=actor color=count", "count kan kun stå på x eller y"),
    ("# chart: bar x=n y=act-or", "'act-or' er ikke et variabelnavn"),
    ("# chart: bar x=n x2=n y=actor", "x2 hører til gantt-diagrammer"),
    ("# chart:", "linjen er tom"),
])
def test_a_bad_chart_line_is_a_sentence_naming_the_line(line, words):
    with pytest.raises(QueryError) as caught:
        parse_query_text(HEADER.format(chart=line), name="prove")
    message = str(caught.value)
    assert message.startswith("prove: linje 5: ") and words in message, message
    assert "Traceback" not in message


def test_a_header_declares_one_chart_and_no_parameter_takes_a_page_name():
    two = HEADER.format(chart="# chart: bar x=n y=actor\n# chart: tick x=day")
    with pytest.raises(QueryError, match="linje 6: hovedet har allerede et diagram"):
        parse_query_text(two, name="x")
    with pytest.raises(QueryError, match="linje 5: 'mark' er et navn, siderne selv bruger"):
        parse_query_text(HEADER.format(chart="# param: mark xsd:string = a"), name="x")


DECLARED = {"aktoerer-efter-antal-initiativer", "initiativer-pr-udviklingsomraade", "milepaele-i-periode",
            "faseskift", "status-i-rapport", "statushistorik", "moeder-i-periode", "milepaele-overskredet",
            "initiativer-pr-fase", "faser-pr-udviklingsomraade"}   # the last two are on the front page


def test_every_declared_chart_draws_from_its_query_on_the_shipped_data(engine):
    declared = {q.name: q for q in named_queries() if q.chart is not None}
    assert set(declared) == DECLARED
    for name, query in declared.items():
        spec = charts.spec_for(query, result_of(engine, name), "da")
        assert spec["title"]["text"] == query.title("da"), name
        assert spec["description"].endswith(".") and len(spec["description"]) > 40, name
        assert spec["data"]["values"] and spec["usermeta"]["rammegraf"]["table"]["rows"], name
        assert spec["usermeta"]["rammegraf"]["declaration"] == query.chart.line()


# --- the spec's words ----------------------------------------------------------------------

def test_a_bar_chart_says_what_it_shows_with_captions_in_the_readers_language(engine):
    query = get_query("aktoerer-efter-antal-initiativer")
    spec = charts.spec_for(query, result_of(engine, query.name), "da")
    assert spec["description"].startswith("Søjlediagram: antal initiativer pr. aktør; 23 søjler; højeste: "
                                          "DASSOS, Region Midtjylland og Sundhedsstyregruppen (5); laveste: ")
    assert spec["encoding"]["x"]["title"] == "Antal initiativer" and spec["encoding"]["y"]["title"] == "Aktør"
    assert spec["encoding"]["y"]["sort"] is None       # the query's ORDER BY, not the alphabet
    english = charts.spec_for(query, result_of(engine, query.name, "en"), "en")
    assert english["title"]["text"] == "Actors ranked by how many initiatives they take part in"
    assert english["description"].startswith("Bar chart: number of initiatives per actor; 23 bars; highest: ")
    assert english["encoding"]["x"]["title"] == "Number of initiatives"
    assert english["usermeta"]["embedOptions"]["formatLocale"]["decimal"] == "."
    assert spec["usermeta"]["embedOptions"]["timeFormatLocale"]["months"][4] == "maj"


def test_counted_bars_per_area_and_phase_carry_the_phases_colours_and_their_own_table(engine):
    query = get_query("initiativer-pr-udviklingsomraade")
    spec = charts.spec_for(query, result_of(engine, query.name), "da")
    table = spec["usermeta"]["rammegraf"]["table"]
    assert table["headers"] == ["Udviklingsområde", "Fase", "Antal"]
    counted = sum(int(row[2]["text"]) for row in table["rows"])
    assert counted == len(result_of(engine, query.name)["rows"]) == 16     # every row of the query, counted
    scale = spec["encoding"]["color"]["scale"]
    assert dict(zip(scale["domain"], scale["range"]))["I gang"] == "#6baed6"   # rg:InProgress, as on the graph
    assert spec["description"].startswith("Stablet søjlediagram: antal pr. udviklingsområde, fordelt på fase; "
                                          "3 søjler; højeste: Mental sundhed og psykiatri (12)")
    assert all(d["href"].startswith("/id/udviklingsomraade/") for d in spec["data"]["values"])


def test_a_gantt_chart_draws_whole_days_and_says_when(engine):
    query = get_query("milepaele-i-periode")
    spec = charts.spec_for(query, result_of(engine, query.name), "da")
    first = spec["data"]["values"][0]
    assert (first["x"], first["x2"]) == ("2026-01-01", "2026-01-02")   # 1.1.26 is the whole first day
    assert first["x_text"] == first["x2_text"] == "1. januar 2026"
    assert spec["encoding"]["x"]["scale"]["type"] == "utc"
    assert "Tidslinje med intervaller: milepæl fra tidligst til senest; 7 intervaller fra 1. januar 2026 til " \
           "31. december 2026; det første: Organiseringen i regionen er på plads (1. januar 2026)." \
           == spec["description"]
    assert first["href"] == "/id/milepael/regionens-organisering-paa-plads"


def test_long_labels_are_wrapped_between_words_never_cut():
    result = made(["i", "n"], ["nominal", "quantitative"], [[LONG, "3"], ["Kort", "1"]])
    spec = charts.suggest(result, "da")
    wrapped = spec["data"]["values"][0]["y"]
    assert "\n" in wrapped and wrapped.replace("\n", " ") == LONG and "…" not in wrapped
    assert max(len(line) for line in wrapped.split("\n")) <= charts.WRAP_Y
    assert spec["data"]["values"][0]["y_text"] == LONG                   # the tooltip's text is whole
    assert spec["encoding"]["y"]["axis"]["labelLimit"] == 0
    assert spec["config"]["legend"]["labelLimit"] == 0 and spec["config"]["axis"]["labelLimit"] == 0


def test_marks_link_only_to_our_resource_pages():
    result = made(["a", "n"], ["nominal", "quantitative"], [
        [{"text": "Ours", "href": "/id/kommune/odder"}, "2"],
        [{"text": "A web page", "href": "https://example.org/", "external": True}, "3"],
        [{"text": "Off site", "href": "//evil.example/x"}, "4"], ["Plain", "1"]])
    spec = charts.suggest(result, "da")
    assert [d["href"] for d in spec["data"]["values"]] == ["/id/kommune/odder", "", "", ""]


# --- the suggestion -------------------------------------------------------------------------

@pytest.mark.parametrize("types, rows, expected", [
    (["temporal", "nominal"], [["2025-04-08", "a"], ["2025-08-20", "b"]], ChartDecl("point", x="v0", y="v1")),
    (["nominal", "quantitative"], [["a", "2"], ["b", "3"]], ChartDecl("bar", x="v1", y="v0")),
    (["temporal", "quantitative"], [["2025-04-08", "2"], ["2025-08-20", "3"]], ChartDecl("line", x="v0", y="v1")),
    (["nominal", "temporal", "temporal"], [["a", "2025-01-01", "2025-02-01"]],
     ChartDecl("gantt", x="v1", x2="v2", y="v0")),
    (["quantitative", "quantitative"], [["1", "2"], ["2", "5"]], ChartDecl("point", x="v0", y="v1")),
    (["nominal", "nominal"], [["a", "x"], ["a", "y"], ["b", "x"]], ChartDecl("bar", x="count", y="v0", color="v1")),
    (["temporal"], [["2025-04-08"]], ChartDecl("tick", x="v0")),
])
def test_the_suggestion_follows_the_column_types(types, rows, expected):
    result = made([f"v{i}" for i in range(len(types))], types, rows)
    assert charts.suggestion(result) == expected
    charts.suggest(result, "da")          # and it draws


def test_a_date_column_of_a_query_gets_a_time_axis(engine):
    answer = engine.query("SELECT ?day ?i WHERE { ?r rg:asOf ?day ; rg:statusOf ?i } ORDER BY ?day")
    result = html_result(answer, Labels(engine, "da"), "da")
    assert result["types"] == ["temporal", "nominal"]
    spec = charts.suggest(result, "da")
    assert spec["mark"]["type"] == "point" and spec["encoding"]["x"]["type"] == "temporal"
    assert spec["title"]["text"] == "i over tid"          # no captions on /sparql: the variables' names


def test_types_are_guessed_from_text_when_a_result_does_not_carry_them():
    result = {"vars": ["d", "n", "l"], "rows": [[{"text": "2025-04-08"}, {"text": "3,5"}, {"text": "x"}]]}
    assert charts.guess_types(result) == ["temporal", "quantitative", "nominal"]


@pytest.mark.parametrize("result, words", [
    (made(["a"], ["nominal"], []), "der er ingen rækker at tegne"),
    (made(["a", "b"], ["nominal", "nominal"], [["x", "1"], ["y", "2"]]), "ingen datoer, tal eller gentagne værdier"),
])
def test_nothing_to_draw_is_a_sentence(result, words):
    with pytest.raises(ChartError, match=words):
        charts.suggest(result, "da")


@pytest.mark.parametrize("decl, words", [
    (ChartDecl("bar", x="a", y="b"), "et søjlediagram skal have et tal eller count på x eller y"),
    (ChartDecl("gantt", x="a", x2="n", y="b"), "et gantt-diagram skal have datoer"),
    (ChartDecl("tick", x="a"), "x skal være en dato eller et tal"),
    (ChartDecl("line", x="a", y="b"), "et line-diagram skal have et tal eller count på y"),
    (ChartDecl("bar", x="n", y="zz"), "y=zz: resultatet har ingen variabel 'zz'; det har a, b, n"),
])
def test_a_chart_that_does_not_fit_the_columns_is_a_sentence(decl, words):
    result = made(["a", "b", "n"], ["nominal", "nominal", "quantitative"], [["x", "y", "1"]])
    with pytest.raises(ChartError, match=re.escape(words)):
        charts.build(decl, result, "da")


# --- drawn on the server ----------------------------------------------------------------------

def test_the_servers_svg_has_its_words_and_every_label_whole():
    rows = [[{"text": LONG, "href": "/id/initiativ/lettilgaengeligt-tilbud-boern-unge"}, "3"],
            [{"text": "Botilbudsteams", "href": "/id/initiativ/botilbudsteams"}, "5"]]
    spec = charts.build(ChartDecl("bar", x="n", y="i"), made(["i", "n"], ["nominal", "quantitative"], rows), "da",
                        title="Initiativer efter tal (æøå)")
    svg = charts.svg(spec)
    assert svg.startswith("<svg") and ' role="img">' in svg[:400]
    assert "<title>Initiativer efter tal (æøå)</title>" in svg
    assert "<desc>Søjlediagram: n pr. i; 2 søjler; højeste: Botilbudsteams (5); laveste: " in svg
    texts = svg_texts(svg)
    assert LONG in texts and "Botilbudsteams" in texts
    assert not any("…" in t for t in texts)
    assert 'xlink:href="/id/initiativ/botilbudsteams"' in svg    # Vega's default base is gone
    assert "vega.github.io" not in svg and "style=" not in svg and "<script" not in svg


def test_a_label_that_is_markup_stays_text_in_the_svg():
    payload = "<img src=x onerror=alert(1)><script>alert(2)</script>"
    spec = charts.suggest(made(["i", "n"], ["nominal", "quantitative"], [[payload, "1"], ["b", "2"]]), "da")
    svg = charts.svg(spec)
    assert "<script" not in svg and "<img" not in svg and "&lt;script&gt;" in svg


@pytest.mark.parametrize("drawing, words", [
    ('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "<script>"),
    ('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>', "onload="),
    ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
     '<a xlink:href="javascript:alert(1)"><text>x</text></a></svg>', "href='javascript"),
    ('<svg xmlns="http://www.w3.org/2000/svg"><g style="fill:red"/></svg>', "style="),
    ('<svg xmlns="http://www.w3.org/2000/svg"><foreignObject/></svg>', "<foreignObject>"),
])
def test_a_drawing_a_page_must_not_show_is_refused(drawing, words):
    with pytest.raises(ChartError, match=re.escape(words)):
        charts._finish_svg(drawing, {"title": "t", "description": "d"})


def _png_pixels(data: bytes) -> bytes:
    """A PNG's decompressed image data (its text chunks left out)."""
    at, pixels = 8, b""
    while at < len(data):
        length, kind = struct.unpack(">I4s", data[at:at + 8])
        if kind == b"IDAT":
            pixels += data[at + 8:at + 8 + length]
        at += 12 + length
    return zlib.decompress(pixels)


def _word_png(word: str) -> bytes:
    spec = {"$schema": charts.SCHEMA, "width": 120, "height": 30, "data": {"values": [{}]},
            "mark": {"type": "text", "fontSize": 24, "font": charts.FONT},
            "encoding": {"text": {"value": word}}, "config": charts.config()}
    return _png_pixels(charts.png(spec, scale=1))


def test_the_servers_png_has_danish_letters_whatever_fonts_the_machine_has():
    # a letter no font has is drawn as the font's one "missing" glyph (or not at all), so two
    # words of unassigned code points look the same; æøå must look different from both them and aoa.
    # (Not private-use characters: LibreOffice's OpenSymbol, which the report tests install, draws those.)
    missing = _word_png("\u0378\u0379\u0380")
    assert missing == _word_png("\u0381\u0382\u0383")
    assert _word_png("æøå") not in (missing, _word_png("aoa"))
    assert _word_png("ÆØÅ") not in (missing, _word_png("AOA"))


def test_the_png_carries_its_title_and_text_alternative():
    spec = charts.suggest(made(["i", "n"], ["nominal", "quantitative"], [["a", "1"], ["b", "2"]]), "da",
                          title="Prøve æøå")
    data = charts.png(spec)
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert b"iTXtTitle\x00\x00\x00\x00\x00" + "Prøve æøå".encode() in data
    assert b"iTXtDescription\x00\x00\x00\x00\x00" + spec["description"].encode() in data
    from xml.etree import ElementTree  # noqa: F401 - the PNG must still decode
    assert _png_pixels(data)


def test_the_vendored_bundle_is_the_code_vl_convert_draws_with():
    import vl_convert

    listing = (resources.files("rammegraf") / "static" / "LICENSES" / "charts" / "README").read_text("utf-8")
    versions = dict(re.findall(r"^(vega|vega-lite|vega-embed|vega-interpreter) (\S+)\s", listing, re.M))
    assert versions["vega"] == vl_convert.get_vega_version()
    assert versions["vega-embed"] == vl_convert.get_vega_embed_version()
    assert versions["vega-lite"].rsplit(".", 1)[0] == charts.VL_VERSION in vl_convert.get_vegalite_versions()
    bundle = (resources.files("rammegraf") / "static" / "vega.js").read_text("utf-8")
    assert "RammegrafCharts" in bundle and f'"{versions["vega-lite"]}"' in bundle


def test_every_bundled_package_has_its_licence():
    folder = resources.files("rammegraf") / "static" / "LICENSES" / "charts"
    listing = (folder / "README").read_text(encoding="utf-8")
    lines = listing.splitlines()[3:]
    names = {line.split()[0] for line in lines}
    assert {"vega", "vega-lite", "vega-embed", "vega-interpreter", "vega-tooltip", "d3-scale",
            "fast-json-patch", "semver", "delaunator", "robust-predicates"} <= names
    for line in lines:
        name, version, licence, file = line.split()[:4]
        text = (folder / file).read_text(encoding="utf-8")
        assert licence in ("BSD-3-Clause", "ISC", "MIT", "Unlicense"), line
        words = {"BSD-3-Clause": "Redistribution and use", "ISC": "Permission to use, copy, modify",
                 "MIT": "Permission is hereby granted", "Unlicense": "public domain"}[licence]
        assert words in text, line


# --- the pages --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def client(web_data):
    with web_client(data_dirs=(web_data,), timeout=10.0, today=date(2025, 9, 1)) as test_client:
        yield test_client


def figure_of(html: str) -> str:
    return re.search(r'<figure class="chart" id="result-chart".*?</figure>', html, re.S).group(0)


def test_a_query_page_offers_its_chart_beside_the_table(client):
    html = client.get("/foresporgsler/aktoerer-efter-antal-initiativer", headers=HTML).text
    views = re.search(r'<nav class="views" aria-label="Vis resultatet som">(.*?)</nav>', html, re.S).group(1)
    assert 'href="/foresporgsler/aktoerer-efter-antal-initiativer" data-view="table" aria-current="page">Tabel' \
        in views
    assert 'href="/foresporgsler/aktoerer-efter-antal-initiativer?diagram=1" data-view="diagram">Diagram' in views
    figure = figure_of(html)
    assert " hidden>" in figure.split("\n", 1)[0] and "<svg" not in figure      # drawn in the browser, on demand
    spec = json.loads(re.search(r'<script type="application/json" id="result-chart-spec">(.*?)</script>',
                                figure, re.S).group(1))
    assert spec["title"]["text"] == "Aktører efter hvor mange initiativer de indgår i"
    assert '<script src="/static/charts.js" defer></script>' in html and "/static/vega.js" not in html
    assert 'id="result-table">' in html and 'id="result-table" hidden' not in html


def test_the_page_without_javascript_shows_the_servers_drawing_and_the_table_one_click_away(client):
    html = client.get("/foresporgsler/initiativer-pr-udviklingsomraade?diagram=1", headers=HTML).text
    figure = figure_of(html)
    assert " hidden" not in figure.split("\n", 1)[0]
    assert '<div class="result-table" id="result-table" hidden>' in html
    svg = re.search(r"<svg.*?</svg>", figure, re.S).group(0)
    assert "<title>Initiativer pr. udviklingsområde med seneste fase</title>" in svg
    assert "<desc>Stablet søjlediagram: antal pr. udviklingsområde, fordelt på fase; 3 søjler;" in svg
    assert "Mental sundhed og psykiatri" in svg_texts(svg)
    assert 'xlink:href="/id/udviklingsomraade/' in svg
    alt = re.search(r'<p class="chart-alt" id="result-chart-alt">([^<]*)</p>', figure).group(1)
    assert alt.startswith("Stablet søjlediagram")
    table = re.search(r'<details class="chart-data">.*?</details>', figure, re.S).group(0)
    assert "<summary>Diagrammets tal som tabel (<span class=\"chart-rows\">" in table
    assert '<th scope="col">Udviklingsområde</th><th scope="col">Fase</th><th scope="col">Antal</th>' in table
    assert re.search(r'<td><a href="/id/udviklingsomraade/[^"]+">Mental sundhed og psykiatri</a></td><td>I gang</td>'
                     r"<td>\d+</td>", table)
    downloads = re.findall(r'<a href="([^"]+)" download>(Hent som \w+)</a>', figure)
    assert downloads == [("/foresporgsler/initiativer-pr-udviklingsomraade?diagram=svg", "Hent som SVG"),
                         ("/foresporgsler/initiativer-pr-udviklingsomraade?diagram=png", "Hent som PNG")]
    assert 'aria-current="page">Diagram' in html
    english = client.get("/foresporgsler/initiativer-pr-udviklingsomraade?diagram=1&lang=en", headers=HTML).text
    assert "<title>Initiatives per development area with their latest phase</title>" in english
    assert "Download as SVG" in english and "The chart&#39;s numbers as a table" in english


def test_the_chooser_draws_another_chart_and_a_bad_choice_is_a_sentence(client):
    page = client.get("/foresporgsler/initiativer-pr-udviklingsomraade?diagram=1&mark=bar&x=count&y=phase",
                      headers=HTML)
    assert page.status_code == 200
    assert "antal pr. fase; 6 søjler" in figure_of(page.text)
    chooser = re.search(r'<form method="get" action="/foresporgsler/initiativer-pr-udviklingsomraade" '
                        r'class="chart-choice".*?</form>', page.text, re.S).group(0)
    assert '<option value="bar" selected>Søjler</option>' in chooser
    assert '<option value="phase" selected>Fase (?phase)</option>' in chooser
    assert '<input type="hidden" name="diagram" value="1">' in chooser
    bad = client.get("/foresporgsler/initiativer-pr-udviklingsomraade?diagram=1&mark=gantt&x=area", headers=HTML)
    assert bad.status_code == 200                     # the table is still there; the chart says why not
    assert "et gantt-diagram skal have x, x2, y; mangler x2, y" in figure_of(bad.text)
    assert "Traceback" not in bad.text
    odd = client.get("/foresporgsler/initiativer-pr-udviklingsomraade?diagram=1&mark=bar&x=<b>&y=area",
                     headers=HTML)
    assert "&#39;&lt;b&gt;&#39; er ikke et variabelnavn" in figure_of(odd.text)


@pytest.mark.parametrize("fmt, media, start", [
    ("svg", "image/svg+xml", b'<?xml version="1.0" encoding="UTF-8"?>\n<svg'),
    ("png", "image/png", b"\x89PNG\r\n\x1a\n"), ("spec", "application/json", b"{"),
])
def test_downloads_of_a_named_querys_chart(client, fmt, media, start):
    response = client.get(f"/foresporgsler/faseskift?from=2025-04-08&to=2025-08-20&diagram={fmt}")
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media
    assert response.content.startswith(start)
    ext = {"svg": "svg", "png": "png", "spec": "vl.json"}[fmt]
    assert response.headers["content-disposition"] == f'attachment; filename="faseskift.{ext}"'
    if fmt == "svg":
        assert "<title>Faseskift mellem to statusrunder</title>" in response.text
    if fmt == "spec":
        assert response.json()["usermeta"]["rammegraf"]["declaration"] == "bar x=count y=change color=toPhase"


def test_sparql_results_have_a_chart_too(client):
    query = "SELECT ?phase (COUNT(?r) AS ?n) WHERE { ?r rg:phase ?phase } GROUP BY ?phase ORDER BY DESC(?n)"
    page = client.get(f"/sparql?query={quote(query)}&diagram=1", headers=HTML)
    assert page.status_code == 200
    figure = figure_of(page.text)
    assert "<title>n pr. phase</title>" in figure and "Søjlediagram: n pr. phase" in figure
    svg = client.get(f"/sparql?query={quote(query)}&diagram=svg")
    assert svg.headers["content-type"] == "image/svg+xml" and "I gang" in svg_texts(svg.text.split("\n", 1)[1])
    assert svg.headers["content-disposition"] == 'attachment; filename="sparql.svg"'
    png = client.get(f"/sparql?query={quote(query)}&diagram=png", headers={"accept": "application/sparql-results+json"})
    assert png.headers["content-type"] == "image/png" and png.content.startswith(b"\x89PNG")
    # the protocol's answers are untouched by the chart's parameters' absence
    plain = client.get(f"/sparql?query={quote(query)}", headers={"accept": "application/sparql-results+json"})
    assert plain.json()["head"]["vars"] == ["phase", "n"]


def test_a_chart_that_cannot_be_drawn_is_a_sentence_never_a_traceback(client):
    ask = client.get("/sparql?query=" + quote("ASK { ?s ?p ?o }") + "&diagram=svg")
    assert ask.status_code == 400 and "kun et SELECT-resultat kan tegnes" in ask.text
    plain = client.get("/sparql?query=" + quote("SELECT ?s WHERE { ?s a rg:Initiative }") + "&diagram=png")
    assert plain.status_code == 400 and "ingen datoer, tal eller gentagne værdier" in plain.text
    bad = client.get("/foresporgsler/faseskift?diagram=svg&mark=pie", headers=HTML)
    assert bad.status_code == 400 and "ukendt diagramtype &#39;pie&#39;" in bad.text
    for response in (ask, plain, bad):
        assert "Traceback" not in response.text and "/site-packages/" not in response.text


def test_a_payload_label_stays_text_in_the_chart_of_a_page(client):
    query = "SELECT ?i (COUNT(?r) AS ?n) WHERE { ?r rg:statusOf ?i } GROUP BY ?i"
    html = client.get(f"/sparql?query={quote(query)}&diagram=1", headers=HTML).text
    figure = figure_of(html)
    assert "<img src=x" not in figure and "<script>alert" not in figure
    assert "&lt;img src=x onerror=alert(1)&gt;" in figure         # in the SVG and in the table, as text
    assert "\\u003cimg src=x" in figure                             # in the spec's JSON, escaped for HTML


def test_the_chart_bundle_and_its_licences_are_served(client):
    for name, media in (("vega.js", "text/javascript"), ("charts.js", "text/javascript"),
                        ("LICENSES-charts.txt", "text/plain")):
        response = client.get(f"/static/{name}")
        assert response.status_code == 200 and response.headers["content-type"].split(";")[0] == media
    assert b"RammegrafCharts" in client.get("/static/vega.js").content
    assert "vega-lite 6.4.1  BSD-3-Clause" in client.get("/static/LICENSES-charts.txt").text
    html = client.get("/foresporgsler/faseskift", headers=HTML).text
    assert '<a href="/static/LICENSES-charts.txt">licenser</a>' in html


def test_rows_without_a_phase_are_grey_not_the_first_phases_colour(engine):
    query = get_query("faseskift")
    spec = charts.spec_for(query, result_of(engine, query.name), "da")
    scale = dict(zip(spec["encoding"]["color"]["scale"]["domain"], spec["encoding"]["color"]["scale"]["range"]))
    assert scale["(ingen)"] == "#d0d7de" and scale["I gang"] == "#6baed6"
    assert {d["color"] for d in spec["data"]["values"]} <= set(scale)       # every colour is in the legend


def test_a_value_from_the_address_is_repeated_printable_and_short():
    with pytest.raises(ChartError) as caught:
        charts.chosen({"mark": "pie\x00\x1b[31m" + "x" * 200})
    message = str(caught.value)
    assert "\x00" not in message and "\x1b" not in message and "ukendt diagramtype 'pie[31mxxx" in message
    assert len(message) < 200

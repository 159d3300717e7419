"""Charts in a real browser (Debian's Chromium, every outside request blocked): Vega draws a
named query's chart, a /sparql result's and /runder's under the app's policy (script-src
'self', no unsafe-eval) with no console error and no policy violation, the marks have
tooltips and link to their pages, the chooser redraws in place, the pages without JavaScript
show the server's drawing, and axe finds nothing wide and on a phone."""

from __future__ import annotations

from datetime import date
from urllib.parse import quote

import pytest
from conftest import axe_violations, live_server

# every policy violation the page sees, recorded before any of its scripts run (an init script
# comes through the DevTools protocol, so the page's policy does not stop it)
RECORD_VIOLATIONS = """window.__violations = [];
document.addEventListener('securitypolicyviolation', e =>
    window.__violations.push(e.violatedDirective + ' ' + (e.blockedURI || '') + ' ' + (e.sample || '')));"""
DRAWN = "figure.chart[data-drawn='1'] .chart-view svg"


def until(page, expression: str, timeout: float = 20.0) -> None:
    """Wait until ``expression`` is true in the page. (Playwright's wait_for_function evaluates its
    predicate with eval inside the page, which the page's policy refuses, as it should.)"""
    import time

    end = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > end:
            pytest.fail(f"not true after {timeout} s: {expression}")
        time.sleep(0.05)


@pytest.fixture(scope="module")
def live(web_data):
    with live_server(data_dirs=(web_data,), timeout=10.0, today=date(2025, 9, 1)) as (port, _):
        yield f"http://127.0.0.1:{port}"


@pytest.fixture
def page(watched, live):
    watched.allowed = live
    watched.context.add_init_script(RECORD_VIOLATIONS)
    yield watched.page
    assert watched.page.evaluate("window.__violations") == []
    assert watched.errors == [] and watched.dialogs == []
    assert watched.outside_requests() == []


def drawn_svg(page, figure: str = "#result-chart"):
    page.wait_for_selector(f"{figure}[data-drawn='1'] .chart-view svg", timeout=20_000)
    return page.locator(f"{figure} .chart-view svg").first


def test_a_named_querys_chart_is_drawn_by_vega_under_the_policy(page, live, watched):
    page.goto(f"{live}/foresporgsler/aktoerer-efter-antal-initiativer")
    assert page.locator("#result-chart").is_hidden() and page.locator("#result-table").is_visible()
    assert not any(u.endswith("/static/vega.js") for u in watched.requests)     # only when a chart is drawn
    page.click("nav.views a[data-view=diagram]")
    svg = drawn_svg(page)
    assert page.url.endswith("/foresporgsler/aktoerer-efter-antal-initiativer?diagram=1")  # no new page
    assert page.locator("#result-table").is_hidden()
    assert page.locator("nav.views a[aria-current=page]").inner_text() == "Diagram"
    assert svg.get_attribute("role") == "img"
    assert svg.locator("title").text_content() == "Aktører efter hvor mange initiativer de indgår i"
    assert svg.locator("desc").text_content().startswith("Søjlediagram: antal initiativer pr. aktør; 23 søjler")
    assert page.locator("#result-chart .mark-rect path").count() == 23
    assert f"{live}/static/vega.js" in watched.requests
    # the chart's numbers, filled in from the spec, one click away
    page.click("#result-chart details.chart-data summary")
    rows = page.locator("#result-chart details.chart-data tbody tr")
    assert rows.count() == 23 and rows.first.inner_text().split("\t") == ["DASSOS", "6"]   # and the test's payload
    assert rows.first.locator("a").get_attribute("href") == "/id/udvalg/dassos"
    watched.screenshot("chart-query.png")


def test_a_mark_has_a_tooltip_and_links_to_its_page(page, live):
    page.goto(f"{live}/foresporgsler/aktoerer-efter-antal-initiativer?diagram=1")
    drawn_svg(page)
    bar = page.locator("#result-chart .mark-rect path").first
    bar.hover()
    tooltip = page.locator("#vg-tooltip-element.visible")
    tooltip.wait_for()
    assert "DASSOS" in tooltip.inner_text() and "Antal initiativer" in tooltip.inner_text()
    assert tooltip.evaluate("e => getComputedStyle(e).position") == "fixed"   # app.css's rules, not inline ones
    assert bar.get_attribute("aria-label") == "Aktør: DASSOS; Antal initiativer: 6"
    with page.expect_navigation():
        bar.click()
    assert page.url == f"{live}/id/udvalg/dassos"


def test_a_long_label_is_whole_in_the_browser_too(page, live):
    page.goto(f"{live}/foresporgsler/status-i-rapport?date=2025-04-08&diagram=1&mark=point&x=phase&y=initiative")
    drawn_svg(page)
    labels = page.evaluate("""[...document.querySelectorAll('#result-chart .role-axis-label text')]
        .map(t => [...t.querySelectorAll('tspan')].map(s => s.textContent).join(' ') || t.textContent)""")
    assert ("Opbygning af et lettilgængeligt tilbud i kommunerne til børn og unge i psykisk mistrivsel og med "
            "symptomer på psykisk lidelse") in labels
    assert not any("…" in label for label in labels)


def test_a_sparql_result_is_drawn(page, live):
    query = "SELECT ?phase (COUNT(?r) AS ?n) WHERE { ?r rg:phase ?phase } GROUP BY ?phase ORDER BY DESC(?n)"
    page.goto(f"{live}/sparql?query={quote(query)}&diagram=1")
    svg = drawn_svg(page)
    assert svg.locator("title").text_content() == "n pr. phase"
    assert page.locator("#result-chart .mark-rect path").count() == 6
    page.wait_for_selector(".cm-editor")                   # the editor and the chart on one page


def test_the_chooser_redraws_in_place(page, live, watched):
    page.goto(f"{live}/foresporgsler/initiativer-pr-udviklingsomraade?diagram=1")
    drawn_svg(page)
    page.evaluate("window.__same_page = true")
    page.select_option("#result-chart-y", "phase")
    page.click("form.chart-choice button[type=submit]")
    until(page, "document.querySelector('#result-chart .chart-alt').textContent.includes('pr. fase')")
    page.wait_for_selector(DRAWN)
    assert page.evaluate("window.__same_page") is True
    assert "y=phase" in page.url and "diagram=1" in page.url
    assert page.locator("#result-chart svg desc").text_content().startswith("Stablet søjlediagram: antal pr. fase")
    svg_link = page.locator("#result-chart .chart-downloads a").first.get_attribute("href")
    assert "diagram=svg" in svg_link and "y=phase" in svg_link
    # a choice that cannot be drawn: the page says why
    page.select_option("#result-chart-mark", "gantt")
    with page.expect_navigation():
        page.click("form.chart-choice button[type=submit]")
    assert "et gantt-diagram skal have" in page.locator("#result-chart .chart-error").inner_text()
    assert page.locator("#result-chart svg").count() == 0
    # the spec's 400 is the only console error: the browser says the request failed, then the page says why
    assert watched.errors == ["Failed to load resource: the server responded with a status of 400 (Bad Request)"]
    watched.errors.clear()


def test_the_rounds_pictures_are_drawn_with_links_and_words(page, live, watched):
    page.goto(f"{live}/runder")
    drawn_svg(page, "#timeline")
    drawn_svg(page, "#matrix")
    timing = page.evaluate("""() => ({nav: performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd,
        drawn: Math.max(...[...document.querySelectorAll('figure.chart')].map(f => Number(f.dataset.drawnAt)))})""")
    assert timing["drawn"] < 10_000, timing
    points = page.locator("#timeline .mark-symbol.role-mark path")
    assert points.count() == 26                       # the 25 reports and the test's payload initiative's
    assert page.locator("#matrix .mark-symbol.role-mark path").count() == 26
    labels = page.locator("#matrix svg desc").text_content()
    assert labels.startswith("Matrix: 19 kommuner × 16 initiativer")   # 15 and the test's payload
    watched.screenshot("chart-runder.png")


def test_pages_without_javascript_show_the_servers_drawing(browser, live):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    requests: list[str] = []
    context.route("**/*", lambda route: (requests.append(route.request.url),
                                          route.continue_() if route.request.url.startswith(live) else route.abort()))
    try:
        page = context.new_page()
        page.goto(f"{live}/foresporgsler/aktoerer-efter-antal-initiativer")
        assert page.locator("#result-chart").is_hidden()
        page.click("nav.views a[data-view=diagram]")            # a plain link: the server draws it
        assert page.url.endswith("?diagram=1")
        svg = page.locator("#result-chart .chart-view svg")
        assert svg.is_visible() and svg.get_attribute("role") == "img"
        assert svg.locator("title").text_content() == "Aktører efter hvor mange initiativer de indgår i"
        assert page.locator("#result-table").is_hidden()
        page.click("#result-chart details.chart-data summary")
        assert page.locator("#result-chart details.chart-data tbody tr").count() == 23
        page.click("nav.views a[data-view=table]")
        assert page.locator("#result-table table.results tbody tr").count() == 23
        page.goto(f"{live}/runder")
        assert page.locator("figure.chart .chart-view svg").count() == 2
        assert not any(u.endswith("/static/vega.js") for u in requests)
        assert all(u.startswith(live) for u in requests)
    finally:
        context.close()


@pytest.mark.parametrize("path", ["/foresporgsler/initiativer-pr-udviklingsomraade?diagram=1", "/runder", "/",
                                  "/frister?as_of=2025-09-01"])
def test_axe_finds_nothing_on_a_page_with_charts_wide_and_on_a_phone(browser, live, path):
    from test_workbench import phone

    from conftest import PageWatch

    for watch in (PageWatch(browser), phone(browser)):
        try:
            watch.allowed = live
            if watch.page.viewport_size["width"] > 1000:
                watch.context.close()
                watch.context = browser.new_context(viewport={"width": 1280, "height": 900})
                watch.context.route("**/*", watch._route)
                watch.page = watch.context.new_page()
                watch.page.on("console", lambda m, w=watch: w.errors.append(m.text) if m.type == "error" else None)
            page = watch.page
            page.goto(f"{live}{path}")
            page.wait_for_selector(DRAWN, timeout=20_000)
            until(page, "[...document.querySelectorAll('figure.chart[data-spec]')]"
                        ".every(f => f.dataset.drawn === '1')")
            assert axe_violations(page) == []
            assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
            assert watch.errors == [] and watch.outside_requests() == []
        finally:
            watch.close()

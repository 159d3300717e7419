"""The analysts' workbench in a real browser (Chromium, every outside request
blocked): search from any page, words for people, validation that teaches, honest
gaps, deadlines, no dead ends, phones, and axe-core at zero on every page."""

from __future__ import annotations

from datetime import date

import pytest

from conftest import axe_violations, live_server

PAGES = ["/", "/sok?q=botilbud", "/foresporgsler", "/foresporgsler/afhaenger-af-milepael",
         "/foresporgsler/milepaele-i-periode?from=2020-01-01&to=2030-12-31", "/sparql",
         "/id/initiativ/botilbudsteams", "/id/kommune/odder", "/graf", "/runder", "/runder/2025-08-20",
         "/frister?as_of=2026-02-15", "/valider?eksempel=1", "/ontologi", "/findes-ikke"]


@pytest.fixture(scope="module")
def live(web_data):
    with live_server(data_dirs=(web_data,), timeout=5.0, today=date(2025, 9, 1)) as (port, _):
        yield f"http://127.0.0.1:{port}"


def phone(browser):
    from conftest import PageWatch

    watch = PageWatch(browser)
    watch.context.close()
    watch.context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    watch.context.route("**/*", watch._route)
    watch.page = watch.context.new_page()
    watch.page.on("console", lambda m: watch.errors.append(m.text) if m.type == "error" else None)
    watch.page.on("pageerror", lambda e: watch.errors.append(str(e)))
    return watch


def test_search_from_any_page_with_the_keyboard(watched, live):
    watched.allowed = live
    page = watched.page
    page.goto(f"{live}/runder")
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "site-q"
    page.keyboard.type("botilbd")                      # a slip, and no æøå
    page.wait_for_selector("#site-q-list li[role=option]")
    first = page.locator("#site-q-list li").first.inner_text()
    assert first.startswith("Botilbudsteams") and "Initiativ" in first
    watched.screenshot("search.png")
    page.keyboard.press("ArrowDown")
    assert page.get_attribute("#site-q", "aria-activedescendant") == "site-q-option-0"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == f"{live}/id/initiativ/botilbudsteams"
    # Enter without choosing a suggestion: the results page, grouped by kind
    page.fill("#site-q", "faelles principper")
    with page.expect_navigation():
        page.press("#site-q", "Enter")
    assert "/sok?q=faelles+principper" in page.url
    groups = page.locator("section.hits h2").all_inner_texts()
    assert groups[0] == "Initiativ (1)" and any(g.startswith("Møde") for g in groups)
    assert "I gang pr. 2025-08-20" in page.locator("section.hits").first.inner_text()
    watched.screenshot("search-results.png")
    # a label that is a script stays text
    page.goto(f"{live}/sok?q=img+src")
    assert page.locator("section.hits a").first.inner_text().startswith("<img src=x")
    assert watched.dialogs == [] and watched.errors == [] and watched.outside_requests() == []


def test_every_initiative_is_found_in_the_browser_from_a_word_without_aeoeaa(watched, live):
    """The done-when: each initiative from one word of its name, folded (æ→ae …)."""
    import re

    from rammegraf.engine import OxigraphEngine
    from rammegraf.search import fold

    watched.allowed = live
    page = watched.page
    engine = OxigraphEngine.open()
    for value, label in [(s.value, l.value) for s, l in engine.query(
            'SELECT ?s ?l WHERE { ?s a rg:Initiative ; rdfs:label ?l FILTER (lang(?l) = "da") }').rows]:
        word = max(re.findall(r"\w+", label), key=len)
        typed = fold(word)
        page.goto(f"{live}/sok?q={typed}&limit=100")
        links = page.locator("section.hits a").evaluate_all("els => els.map(e => e.getAttribute('href'))")
        assert "/id/" + value.split("/id/", 1)[1] in links, (typed, label)


def test_words_for_people_and_errors_at_their_field(watched, live):
    watched.allowed = live
    page = watched.page
    page.goto(f"{live}/foresporgsler/afhaenger-af-milepael")
    assert page.locator("label[for=p-deadline]").inner_text() == "Senest dato (ÅÅÅÅ-MM-DD)"
    assert page.locator("label[for=p-actor]").inner_text() == "Milepælens ansvarlige aktør"
    headings = page.locator("table.results th").all_inner_texts()
    assert headings[:3] == ["Initiativ", "Milepæl", "Dato (kildens ord)"]
    page.goto(f"{live}/foresporgsler/faseskift?from=2025-02-30&to=2025-08-20")
    assert page.get_attribute("#p-from", "aria-invalid") == "true"
    assert page.locator("#e-from").inner_text().startswith("«Fra dato» skal være en gyldig dato")
    assert page.input_value("#p-to") == "2025-08-20"
    assert watched.errors == ["Failed to load resource: the server responded with a status of 400 (Bad Request)"]
    watched.errors.clear()
    # sort by a column, then the next page keeps the order
    page.goto(f"{live}/foresporgsler/milepaele-i-periode?from=2020-01-01&to=2030-12-31")
    with page.expect_navigation():
        page.click("th >> text=Senest")
    with page.expect_navigation():
        page.click("th >> text=Senest")
    assert page.get_attribute("th[title='?latest']", "aria-sort") == "descending"
    cells = page.locator("table.results tbody tr td:nth-child(4)").all_inner_texts()
    assert cells == sorted(cells, reverse=True) and len(cells) == 27
    with page.expect_download() as download:
        page.click("text=Excel")
    assert download.value.suggested_filename == "milepaele-i-periode.xlsx"
    assert watched.errors == [] and watched.outside_requests() == []


def test_validation_teaches_in_the_browser(watched, live):
    watched.allowed = live
    page = watched.page
    page.goto(f"{live}/valider")
    with page.expect_navigation():
        page.click("text=Indsæt eksemplet i feltet")
    with page.expect_navigation():
        page.click("form.editor button[type=submit]")
    assert page.locator(".verdict").inner_text().startswith("Gyldig")
    page.fill("#turtle", page.input_value("#turtle").replace("rg:InProgress", '"I gang"'))
    with page.expect_navigation():
        page.click("form.editor button[type=submit]")
    report = page.locator("table.report").inner_text()
    assert "rg:InProgress (I gang)" in report and "I gang" in report
    page.goto(f"{live}/ontologi")
    assert "rg:InProgress" in page.locator("body").inner_text()


def test_honest_gaps_deadlines_and_no_dead_ends(watched, live):
    watched.allowed = live
    page = watched.page
    page.goto(f"{live}/")
    # the four initiatives the August round leaves out are said, each linked
    assert "Ikke med i runden (udgået) (4)" in page.locator("main").inner_text()
    assert page.locator("section[aria-labelledby=changes-h] h3:has-text('Ikke med i runden') + ul li a").count() == 4
    page.goto(f"{live}/id/initiativ/botilbudsteams")
    assert "kilden angiver ingen" in page.locator("main").inner_text()
    page.goto(f"{live}/frister")
    page.fill("#as_of", "2025-12-01")
    page.fill("#within", "60")
    with page.expect_navigation():
        page.click("form button[type=submit]")
    assert page.get_attribute("a[href^='/frister.ics']", "href") == "/frister.ics?as_of=2025-12-01&within=60"
    assert "Overskredet:" in page.locator("main").inner_text()
    # each initiative and responsible actor in the table is a link to its page
    row = page.locator("table.sortable tbody tr").first      # the table, not the chart's numbers
    assert row.locator("a").count() >= 2
    with page.expect_navigation():
        row.locator("a[href^='/id/initiativ/']").first.click()
    assert page.url.startswith(f"{live}/id/initiativ/")
    assert watched.errors == [] and watched.outside_requests() == []


@pytest.mark.parametrize("path", PAGES)
def test_axe_finds_nothing_on_a_wide_screen(watched, live, path):
    watched.allowed = live
    watched.page.goto(f"{live}{path}")
    watched.page.wait_for_load_state("networkidle")
    assert axe_violations(watched.page) == []


@pytest.mark.parametrize("path", PAGES)
def test_phone_no_page_is_wider_than_the_phone_and_axe_finds_nothing(browser, live, path):
    watch = phone(browser)
    try:
        watch.allowed = live
        page = watch.page
        page.goto(f"{live}{path}")
        page.wait_for_load_state("networkidle")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert axe_violations(page) == []
        expected = ["Failed to load resource: the server responded with a status of 404 (Not Found)"] \
            if path == "/findes-ikke" else []
        assert watch.errors == expected and watch.outside_requests() == []
        if path == "/":
            watch.screenshot("phone-front.png")
    finally:
        watch.close()


def test_skip_link_goes_to_the_content(watched, live):
    watched.allowed = live
    page = watched.page
    page.goto(f"{live}/foresporgsler")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Spring til indholdet"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_web_addresses_in_the_data_are_links_and_nothing_else_is(web_data):
    import re

    from conftest import web_client

    with web_client(data_dirs=(web_data,)) as client:
        page = client.get("/id/lov/serviceloven", headers={"accept": "text/html"}).text
        assert '<a href="https://www.retsinformation.dk/eli/lta/2025/1129" rel="external noreferrer">' \
               'https://www.retsinformation.dk/eli/lta/2025/1129</a>' in page
        # our own IRIs stay local links; no other scheme ever becomes a link
        assert not re.search(r'href="(?!https?://|/|\?|#)', page.split("<main")[1])


def test_only_http_addresses_become_outside_links(engine):
    import pyoxigraph as ox

    from rammegraf.labels import Labels
    from rammegraf.web.jobs.common import cell

    labels = Labels(engine)
    assert cell(ox.NamedNode("javascript:alert(1)"), labels, "da").get("href") is None
    assert cell(ox.NamedNode("data:text/html,x"), labels, "da").get("href") is None
    assert cell(ox.NamedNode("https://example.org/a"), labels, "da") == {
        "text": "https://example.org/a", "href": "https://example.org/a", "external": True}
    assert cell(ox.NamedNode("https://w3id.org/rammegraf/id/kommune/odder"), labels, "da") == {
        "text": "Odder Kommune", "href": "/id/kommune/odder"}

"""The entry forms walked in Chromium with the network blocked: signed in through the
page, a source document, a status report, a milestone from fuzzy words and a
meeting, each first with mistakes named at their fields, then saved with --write
into a copy of the data, found on their pages and in a query without a restart;
and the basics without JavaScript."""

from __future__ import annotations

import shutil

import pytest
from click.testing import CliRunner

from conftest import axe_violations, live_server
from rammegraf.cli import main


@pytest.fixture(scope="module")
def copy(tmp_path_factory):
    from rammegraf.store import shipped_root

    folder = tmp_path_factory.mktemp("entries") / "data"
    shutil.copytree(shipped_root() / "data", folder)
    return folder


PASSWORD = "korrekt hest batteri"


@pytest.fixture(scope="module")
def live(copy):
    from rammegraf.auth import Accounts

    users = Accounts(copy.parent / "users.json")
    users.add("Søren Ærø", PASSWORD)
    with live_server(data_dirs=(copy,), cache=copy.parent / "cache", write=True, users=users.path) as (port, _):
        yield f"http://127.0.0.1:{port}"


def errors_at(page, field: str) -> str:
    return page.locator(f"#f-{field}-e").inner_text()


def wait_verdict(page, text: str) -> None:
    page.wait_for_function("t => document.getElementById('verdict').textContent.includes(t)", arg=text,
                           timeout=15000)


def save(page, path: str) -> None:
    page.click("button[value=gem]")
    page.wait_for_url(f"**/id/{path}?gemt=1", timeout=20000)
    assert "Gemt. Posten er nu i grafen." in page.inner_text("main")


def test_four_entries_through_the_forms_with_mistakes_first_then_saved(watched, live, copy):
    page = watched.page
    watched.allowed = live
    # not signed in: the form checks but does not save; its link signs in and comes back
    page.goto(f"{live}/ny/kilde")
    assert page.locator("button[value=gem]").count() == 0
    page.click("text=Log ind for at gemme")
    page.fill("#navn", "Søren Ærø")
    page.fill("#adgangskode", "forkert kodeord")
    page.click("form.signin button")
    assert "Forkert brugernavn eller adgangskode" in page.inner_text("main")
    assert watched.errors == ["Failed to load resource: the server responded with a status of 401 (Unauthorized)"]
    watched.errors.clear()
    page.fill("#adgangskode", PASSWORD)
    page.click("form.signin button")
    page.wait_for_url(f"{live}/ny/kilde", timeout=10000)
    assert "Logget ind som Søren Ærø" in page.inner_text("header")
    # a source document for a new status round
    page.fill("#f-rdfs-label_da", "Statusrunde pr. 1. december 2025")
    page.fill("#f-dcterms-title_da", "Handlingsplan Rammeaftale 2025-26 – status pr. 1. december")
    page.fill("#f-dcterms-date-0", "2025-12-01")
    wait_verdict(page, "Posten er gyldig")
    save(page, "kilde/statusrunde-pr-1-december-2025")

    # a status report: the date is not the source's, and the text is missing
    page.goto(f"{live}/ny/statusrapport")
    page.fill("#f-rg-statusOf-0", "Botilbudsteams")
    page.fill("#f-rg-asOf-0", "2025-12-02")
    page.select_option("#f-rg-phase-0", label="I gang")
    page.fill("#f-prov-wasDerivedFrom-0", "Statusrunde pr. 1. december 2025")
    wait_verdict(page, "Posten har 2 fejl")
    assert errors_at(page, "rg-asOf") == "Statusdatoen (rg:asOf) er ikke kildedokumentets dato (dcterms:date)."
    assert "statusteksten på dansk" in errors_at(page, "rg-text_da")
    assert page.get_attribute("#f-rg-text_da", "aria-invalid") == "true"
    page.fill("#f-rg-asOf-0", "2025-12-01")
    page.fill("#f-rg-text_da", "Teamene arbejder i alle tre klynger.")
    wait_verdict(page, "Posten er gyldig")
    assert page.input_value("#f-rdfs-label_da") == "Status for Botilbudsteams pr. 1.12.2025"
    assert "status:botilbudsteams-2025-12-01 a rg:StatusReport" in page.inner_text("#entry-turtle")
    save(page, "status/botilbudsteams-2025-12-01")

    # a milestone from the source's words; first without its source
    page.goto(f"{live}/ny/milepael")
    page.fill("#f-rdfs-label_da", "Evaluering af botilbudsteams")
    page.fill("#f-rg-dateText-0", "primo 2026")
    page.fill("#f-inv-rg-hasMilestone-0", "Botilbudsteams")
    page.fill("#f-rg-responsible-0", "DASSOS")
    page.wait_for_function("() => document.getElementById('f-rg-earliest-0').value === '2026-01-01'", timeout=15000)
    assert page.input_value("#f-rg-latest-0") == "2026-03-31"
    wait_verdict(page, "Posten har 1 fejl")
    assert errors_at(page, "prov-wasDerivedFrom") == "En milepæl skal henvise til sit kildedokument (prov:wasDerivedFrom)."
    page.fill("#f-prov-wasDerivedFrom-0", "Statusrunde pr. 1. december 2025")
    wait_verdict(page, "Posten er gyldig")
    page.evaluate("() => { document.activeElement.blur(); window.scrollTo(0, 0); }")
    watched.screenshot("entry.png")   # the README's picture (docs/img/entry.png)
    save(page, "milepael/evaluering-af-botilbudsteams")

    # a meeting: what it is about is missing; then two subjects, the second in a box added here
    page.goto(f"{live}/ny/moede")
    page.fill("#f-rdfs-label_da", "DASSOS-møde 1. december 2025")
    page.fill("#f-rg-onDate-0", "2025-12-01")
    page.fill("#f-rg-organisedBy-0", "DASSOS")
    page.check("#f-rg-virtual-0")
    page.fill("#f-prov-wasDerivedFrom-0", "Statusrunde pr. 1. december 2025")
    wait_verdict(page, "Posten har 1 fejl")
    assert errors_at(page, "rg-about") == "Det skal fremgå, hvad mødet handler om (rg:about)."
    page.fill("#f-rg-about-0", "Botilbudsteams")
    page.click("fieldset[data-field=rg-about] button.add")
    page.fill("#f-rg-about-1", "Monitorering af F-ACT")
    wait_verdict(page, "Posten er gyldig")
    assert axe_violations(page) == []
    save(page, "moede/2025-12-01-dassos-moede-1-december-2025")

    # on their pages and in a query, without a restart
    page.goto(f"{live}/id/initiativ/botilbudsteams")
    text = page.inner_text("main")
    assert "Teamene arbejder i alle tre klynger." in text or "2025-12-01" in text
    assert "Evaluering af botilbudsteams" in text and "DASSOS-møde 1. december 2025" in text
    page.goto(f"{live}/sparql?query=" + __import__("urllib.parse").parse.quote(
        "SELECT ?s WHERE { ?s prov:wasDerivedFrom <kilde/statusrunde-pr-1-december-2025> } ORDER BY ?s"))
    cells = page.locator("table.results tbody td").all_inner_texts()
    assert cells == ["Evaluering af botilbudsteams", "DASSOS-møde 1. december 2025",   # by IRI: milepael/, moede/,
                     "Status for Botilbudsteams pr. 1.12.2025"], cells                     # status/
    assert watched.outside_requests() == [] and watched.errors == []
    result = CliRunner().invoke(main, ["validate", "--data", str(copy)])
    assert result.exit_code == 0, result.output
    assert sorted(p.relative_to(copy / "indtastet").as_posix() for p in (copy / "indtastet").rglob("*.ttl")) == [
        "kilde/statusrunde-pr-1-december-2025.ttl", "milepael/evaluering-af-botilbudsteams.ttl",
        "moede/2025-12-01-dassos-moede-1-december-2025.ttl", "status/botilbudsteams-2025-12-01.ttl"]
    assert 'dcterms:creator "Søren Ærø"' in (copy / "indtastet/kilde/statusrunde-pr-1-december-2025.ttl").read_text()
    # signing out ends the session: the form no longer saves
    page.click("header .who button")
    page.goto(f"{live}/ny/kilde")
    assert page.locator("button[value=gem]").count() == 0 and "Log ind" in page.inner_text("header")


def test_the_basics_work_without_javascript(browser, live):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1000, "height": 900})
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(live) else route.abort())
    page = context.new_page()
    try:
        page.goto(f"{live}/ny/milepael")
        page.fill("#f-rdfs-label_da", "Opfølgning på temadagen")
        page.fill("#f-rg-dateText-0", "i foråret 2026")
        page.click("button[value=tjek]")
        assert page.input_value("#f-rg-earliest-0") == "2026-03-01"
        assert page.input_value("#f-rg-latest-0") == "2026-05-31"
        assert "kildedokument" in page.inner_text("#f-prov-wasDerivedFrom-e")
        assert "milepael:opfoelgning-paa-temadagen" in page.inner_text("#entry-turtle")
        page.click("fieldset[data-field=rg-responsible] button.add")
        assert page.locator("fieldset[data-field=rg-responsible] input").count() == 2
        assert page.input_value("#f-rdfs-label_da") == "Opfølgning på temadagen"   # kept across round trips
    finally:
        context.close()


def test_the_list_of_forms_has_no_accessibility_violations(watched, live):
    watched.allowed = live
    for path in ("/ny", "/ny/initiativ", "/ny/statusrapport?lang=en"):
        watched.page.goto(live + path)
        assert axe_violations(watched.page) == [], path

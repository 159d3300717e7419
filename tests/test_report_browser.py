"""/rapport in a real browser (Debian's Chromium, every outside request blocked): axe finds
nothing wide and on a phone, the page fits the phone's width, the script payload in the data
runs nowhere, the round chooser and a download work."""

from __future__ import annotations

from datetime import date

import pytest
from conftest import PAYLOAD, axe_violations, live_server


@pytest.fixture(scope="module")
def live(web_data):
    with live_server(data_dirs=(web_data,), timeout=30.0, today=date(2025, 9, 1)) as (port, _):
        yield f"http://127.0.0.1:{port}"


def _watch(browser, width: int):
    from conftest import PageWatch
    from test_workbench import phone

    if width == 390:
        return phone(browser)
    watch = PageWatch(browser)
    watch.context.close()
    watch.context = browser.new_context(viewport={"width": width, "height": 900}, accept_downloads=True)
    watch.context.route("**/*", watch._route)
    watch.page = watch.context.new_page()
    watch.page.on("console", lambda m: watch.errors.append(m.text) if m.type == "error" else None)
    watch.page.on("pageerror", lambda e: watch.errors.append(str(e)))
    watch.page.on("dialog", watch._dialog)
    return watch


@pytest.mark.parametrize("path", ["/rapport", "/rapport?as_of=2025-04-08&lang=en"])
@pytest.mark.parametrize("width", [1280, 390])
def test_axe_finds_nothing_on_the_report_wide_and_on_a_phone(browser, live, path, width):
    watch = _watch(browser, width)
    try:
        watch.allowed = live
        page = watch.page
        page.goto(f"{live}{path}")
        assert page.locator("main h1").count() == 1
        assert page.locator("section.area table.initiatives tbody tr").count() > 10
        assert axe_violations(page) == [], width
        assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"], width
        assert watch.errors == [] and watch.dialogs == [] and watch.outside_requests() == []
        if width == 1280 and "lang" not in path:
            watch.screenshot("rapport.png")
    finally:
        watch.context.close()


def test_the_round_chooser_the_payload_and_a_download(browser, live):
    watch = _watch(browser, 1280)
    try:
        watch.allowed = live
        page = watch.page
        page.goto(f"{live}/rapport")
        assert page.get_by_text(PAYLOAD, exact=True).count() == 1          # shown as text, run nowhere
        assert page.evaluate("document.querySelectorAll('main img[src=x], main script').length") == 0
        page.select_option("#as_of", "2025-04-08")
        with page.expect_navigation():
            page.click("form.round-choice button")
        assert "as_of=2025-04-08" in page.url and "status pr. 8. april 2025" in page.inner_text("main h1")
        with page.expect_download() as done:
            page.click("a[href^='/rapport.docx']")
        assert done.value.suggested_filename == "statusrapport-2025-04-08.docx"
        assert watch.errors == [] and watch.dialogs == [] and watch.outside_requests() == []
    finally:
        watch.context.close()

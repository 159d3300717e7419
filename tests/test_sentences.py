"""Every error is a sentence: no traceback, file path or install path in any
answer, whatever a request's path, parameters or headers hold."""

from __future__ import annotations

from datetime import date

import pytest
from conftest import web_client

HOSTILE = ["%00", "%ff", "a%20b", "%3Cscript%3E", "%E2%80%AE", "%C0%AF", "x" * 3000]
PAGES = ["/id/{v}", "/id/initiativ/{v}", "/id/{v}/rediger", "/foresporgsler/{v}",
         "/foresporgsler/statushistorik?initiative={v}", "/foresporgsler/faseskift?from={v}&to={v}",
         "/foresporgsler/aktoers-initiativer?actor={v}", "/foresporgsler/milepaele-i-periode?from=2025-01-01&to={v}",
         "/graf?view=area:{v}", "/graf?view={v}", "/graf?depth={v}", "/graf?as_of={v}", "/graf/naboer?id={v}",
         "/frister?as_of={v}", "/frister?within={v}", "/frister.ics?as_of={v}", "/runder/{v}", "/sok?q={v}",
         "/sok?q={v}&format=json", "/ny/{v}", "/ny/initiativ?{v}={v}", "/sparql?query={v}",
         "/sparql?query=ASK{{}}&format={v}", "/ontologi?lang={v}", "/billeder/{v}", "/?as_of={v}", "/static/{v}",
         "/valider?eksempel={v}", "/sparql/ord?x={v}", "/{v}",
         "/foresporgsler/faseskift?diagram={v}", "/foresporgsler/faseskift?diagram=1&mark={v}&x={v}",
         "/foresporgsler/faseskift?diagram=svg&mark=bar&x=count&y={v}", "/foresporgsler/faseskift?diagram=png&color={v}",
         "/sparql?query=SELECT%20*%7B%3Fs%20%3Fp%20%3Fo%7DLIMIT%203&diagram={v}",
         "/sparql?query=SELECT%20*%7B%3Fs%20%3Fp%20%3Fo%7DLIMIT%203&diagram=spec&mark=tick&x={v}"]
LEAKS = ("Traceback", 'File "', "site-packages", "src/rammegraf", ".py\"", "/root/", "/home/")


@pytest.fixture(scope="module")
def client():
    with web_client(timeout=10.0, today=date(2025, 9, 1)) as test_client:
        yield test_client


@pytest.mark.parametrize("page", PAGES)
def test_no_hostile_address_gets_a_traceback_or_a_server_error(client, page):
    for value in HOSTILE:
        path = page.format(v=value)
        for accept in ("text/html", "text/turtle", "application/json"):
            answer = client.get(path, headers={"accept": accept})
            assert answer.status_code < 500, (path[:80], accept, answer.status_code, answer.text[:300])
            assert not any(leak in answer.text for leak in LEAKS), (path[:80], accept, answer.text[:500])


def test_a_nul_in_a_resource_address_is_404_with_a_sentence(client):
    answer = client.get("/id/%00", headers={"accept": "text/html"})
    assert answer.status_code == 404
    assert "adressen er ikke en gyldig IRI (the address is not a valid IRI)" in answer.text


@pytest.mark.parametrize("path", ["/sparql?query=ASK%20%7B%7D", "/foresporgsler/formandskaber"])
def test_the_reproduce_link_stays_on_this_site_whatever_the_host_header(client, path):
    """A Host that is not allowed is refused (421) before any page; one that is
    allowed (behind a proxy, a name of this server) still never makes a link."""
    import re

    assert client.get(path, headers={"accept": "text/html", "host": "evil.example"}).status_code == 421
    with web_client(timeout=10.0, today=date(2025, 9, 1), allowed_hosts=("evil.example",)) as allowing:
        answer = allowing.get(path, headers={"accept": "text/html", "host": "evil.example"})
    assert answer.status_code == 200
    links = re.findall(r'href="([^"]*)"', answer.text)
    assert links and not any("evil.example" in link for link in links)
    assert any(link.startswith(path.split("?")[0] + "?") for link in links)

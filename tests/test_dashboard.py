"""The front page as a dashboard (issue 24): the round's tiles, the named queries with
``# dashboard:`` drawn as charts with their words, the phases' flow, the milestones on a
time axis, what changed; /frister filtered by state with its time axis. The numbers are
the reports': the August round has 11 initiatives, 3 changed phase, 1 is new and 4 are not
in it; as of 20 August 5 milestones are overdue."""

from __future__ import annotations

import re
from datetime import date

import pytest

from rammegraf.query import QueryError, get_query, parse_query_text

HTML = {"accept": "text/html"}


@pytest.fixture(scope="module")
def client(web_data):
    from conftest import web_client

    with web_client(data_dirs=(web_data,)) as http:
        yield http


def tiles(page: str) -> dict[str, int]:
    """The tiles' numbers by their words."""
    return {words.strip(): int(n) for n, words in
            re.findall(r'<span class="n">(\d+)</span>([^<]+)</a>', page)}


def test_the_front_page_shows_the_latest_round_at_a_glance(client):
    page = client.get("/", headers=HTML).text
    assert '<option value="2025-08-20" selected>' in page
    assert "Runden pr. 2025-08-20 sammenlignet med runden pr. 2025-04-08." in page
    # the test's payload initiative is in the August round too: 12 with it
    assert tiles(page) == {"initiativer i runden": 12, "milepæle overskredet": 5,
                           "milepæle forfalder nu eller inden for 90 dage": 2,
                           "milepæle nået siden runden før": 6, "initiativer ikke med i runden": 4}
    # four charts, each with its title, its words and the server's drawing (the page without JavaScript)
    figures = re.findall(r'<figure class="chart" id="([^"]+)" aria-label="([^"]+)"', page)
    assert [f for f, _ in figures] == ["dash-initiativer-pr-fase", "dash-faser-pr-udviklingsomraade",
                                       "dash-flow", "dash-milestones"]
    assert [label for _, label in figures] == [
        "Initiativer pr. fase i en statusrunde", "Faser pr. udviklingsområde i en statusrunde",
        "Hvordan faserne flyttede sig fra 2025-04-08 til 2025-08-20", "Milepæle på en tidsakse pr. 20. august 2025"]
    alts = re.findall(r'<p class="chart-alt" id="[^"]+">([^<]+)</p>', page)
    assert len(alts) == 4 and all(len(a) > 40 for a in alts)
    assert alts[3].startswith("13 milepæle som bjælker over deres interval")
    assert page.count('<div class="chart-view"') == 4 and page.count("<svg") >= 4
    # what changed, in words and linked
    assert 'Faseskift (3)' in page and '<a href="/id/initiativ/botilbudsteams">Botilbudsteams</a>: Ikke igangsat → I gang' in page
    assert 'Nye initiativer (2)' in page     # Etablering af afklaringspladser and the test's payload
    assert 'Ikke med i runden (udgået) (4)' in page
    assert page.count("(I gang)") >= 3
    # each chart links to the query behind it, with the round's values
    assert 'href="/foresporgsler/initiativer-pr-fase?date=2025-08-20"' in page
    assert 'href="/foresporgsler/initiativer-pr-fase?date=2025-08-20&amp;diagram=svg"' in page


def test_the_payload_is_escaped_on_the_dashboard(client):
    from conftest import PAYLOAD

    page = client.get("/", headers=HTML).text
    assert PAYLOAD not in page and "&lt;img src=x onerror=alert(1)&gt;" in page


def test_an_earlier_round_and_english_and_a_date_that_is_no_round(client):
    april = client.get("/?as_of=2025-04-08", headers=HTML).text
    assert "Runden pr. 2025-04-08 er den første" in april
    assert tiles(april)["initiativer i runden"] == 14 and 'id="dash-flow"' not in april
    english = client.get("/?lang=en", headers=HTML).text
    assert "Key figures as of 2025-08-20" in english and "milestones overdue" in english
    assert "Initiatives per phase in a status round" in english
    missing = client.get("/?as_of=2025-05-01", headers=HTML)
    assert missing.status_code == 404 and "der er ingen statusrunde pr. 2025-05-01" in missing.text
    assert "2025-04-08, 2025-08-20" in missing.text


def test_a_dashboard_query_is_a_file_with_a_chart_and_a_place():
    from rammegraf.dashboard import dashboard_queries, values_for

    assert [q.name for q in dashboard_queries()] == ["initiativer-pr-fase", "faser-pr-udviklingsomraade"]
    query = get_query("faser-pr-udviklingsomraade")
    assert query.dashboard == 20 and query.chart.line() == "bar x=initiatives y=area color=phase"
    assert values_for(query, date(2025, 8, 20), date(2025, 4, 8)) == {"date": "2025-08-20"}
    compare = parse_query_text("# param: from xsd:date = 2025-01-01\n# param: to xsd:date = 2025-02-01\n"
                               "# chart: bar x=n y=p\n# dashboard: 5\nSELECT ?p ?n WHERE { ?s ?p ?n } ORDER BY ?p")
    assert values_for(compare, date(2025, 8, 20), date(2025, 4, 8)) == {"from": "2025-04-08", "to": "2025-08-20"}
    assert values_for(compare, date(2025, 4, 8), None) is None        # the first round has none before it
    with pytest.raises(QueryError, match="skal have et diagram"):
        parse_query_text("# dashboard: 5\nSELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s")
    with pytest.raises(QueryError, match="'dashboard:' tager et tal"):
        parse_query_text("# chart: bar x=s y=s\n# dashboard: first\nSELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s")


def test_adding_a_query_adds_a_chart_to_the_front_page(tmp_path, monkeypatch, engine):
    """The secretariat adds a chart by adding a file: a query with '# dashboard:' in the queries folder."""
    import shutil

    from rammegraf import query as queries
    from rammegraf.web.jobs.dashboard import dashboard

    folder = tmp_path / "queries"
    shutil.copytree(queries.queries_dir(), folder)
    (folder / "moeder-pr-aar.rq").write_text("""# title@da: Møder pr. år
# title@en: Meetings per year
# description@da: Hvor mange møder grafen har pr. år.
# description@en: How many meetings the graph has per year.
# chart: bar x=meetings y=year
# dashboard: 15
PREFIX rg: <https://w3id.org/rammegraf/ontology#>
SELECT ?year (COUNT(?m) AS ?meetings) WHERE { ?m a rg:Meeting ; rg:onDate ?d . BIND (STR(YEAR(?d)) AS ?year) }
GROUP BY ?year ORDER BY ?year
""", encoding="utf-8")
    monkeypatch.setattr(queries, "queries_dir", lambda: folder)
    page = dashboard(engine, None, "da")
    assert [c["name"] for c in page["charts"]] == ["initiativer-pr-fase", "moeder-pr-aar", "faser-pr-udviklingsomraade"]
    added = page["charts"][1]
    assert added["title"] == "Møder pr. år" and added["chart"]["svg"].startswith("<svg")
    assert added["chart"]["spec"]["usermeta"]["rammegraf"]["table"]["rows"]


def rows_of(page: str) -> list[str]:
    """The states in /frister's table (not the chart's own table of numbers)."""
    table = page[page.index('<table class="sortable">'):]
    return re.findall(r"<tr><td>([^<]+)</td><td><a", table)


def test_frister_filters_by_state_and_draws_the_time_axis(client):
    page = client.get("/frister?as_of=2025-09-01&within=90&state=overdue", headers=HTML).text
    states = rows_of(page)
    assert states and set(states) == {"overskredet"} and len(states) == 5
    assert '<input type="checkbox" name="state" value="overdue" checked>' in page
    assert '<figure class="chart" id="deadline-axis"' in page and "5 milepæle som bjælker" in page
    both = client.get("/frister?as_of=2025-09-01&state=reached&state=overdue", headers=HTML).text
    assert set(rows_of(both)) == {"nået", "overskredet"}
    everything = client.get("/frister?as_of=2025-09-01", headers=HTML).text
    assert len(rows_of(everything)) > len(states)
    wrong = client.get("/frister?state=%3Cscript%3E", headers=HTML)
    assert wrong.status_code == 400 and "Tilstanden skal være en af reached, on_hold, overdue, due, upcoming" in wrong.text
    assert "<script>" not in wrong.text


def test_overview_counts_agree_with_milestone_states_and_the_rounds(engine):
    from rammegraf.dashboard import overview
    from rammegraf.rounds import milestone_states

    seen = overview(engine, date(2025, 8, 20), date(2025, 4, 8))
    states = milestone_states(engine, date(2025, 8, 20), within=90)
    assert seen.counts == {s: sum(1 for i in states if i.state == s) for s in {i.state for i in states}}
    assert seen.totals == {"changed": 3, "unchanged": 7, "new": 1, "missing": 4} and seen.in_round == 11
    assert sum(n for _, _, n in seen.flow) == 15            # every initiative of either round, once
    assert (None, "https://w3id.org/rammegraf/ontology#Proposed", 1) in seen.flow
    assert {i.state for i in seen.drawn} <= {"overdue", "due", "upcoming", "on_hold", "reached"}


def jobs_run(web) -> list[str]:
    """The names of the jobs the server's pool runs from now on (a list that grows)."""
    ran = []
    real = web.pool.run

    async def counted(name, *args, **kw):
        ran.append(name)
        return await real(name, *args, **kw)
    web.pool.run = counted
    return ran


def test_the_front_page_is_computed_ahead_and_a_reader_shares_it(web_data):
    """serve computes the front page when it starts (Settings.warm): its first reader gets it
    from the cache, and one who comes while it is computed waits for the same answer."""
    import time

    from conftest import web_client

    with web_client(data_dirs=(web_data,), warm=True, today=date(2025, 9, 1)) as http:
        web = http.app.state.web
        keys = web.front_page_keys()
        assert keys[0] == ("dashboard", (None, "da"))
        end = time.monotonic() + 60
        while not all(k in web.cache for k in keys):
            assert time.monotonic() < end, "the front page was not computed ahead"
            time.sleep(0.05)
        assert web.cache[keys[0]]["chosen"]["day"] == "2025-08-20"
        ran = jobs_run(web)
        page = http.get("/", headers=HTML)
        assert page.status_code == 200 and "Nøgletal pr. 2025-08-20" in page.text
        assert ran == []                                # from the cache: no job ran for it
        assert http.get("/ontologi", headers=HTML).status_code == 200 and ran == ["ontology"]   # the counter counts


def test_both_front_pages_in_one_job_are_each_as_computed_alone(engine, monkeypatch):
    """The start computes the Danish and English front pages in one job that reads each
    named query once: each page is the one its own job makes, and the queries ran once."""
    from rammegraf import query as query_module
    from rammegraf.web.jobs.dashboard import dashboard, dashboards

    alone = {lang: dashboard(engine, None, lang) for lang in ("da", "en")}
    ran = []
    real = query_module.run_on

    def counted(engine, query, *args, **kw):
        ran.append(query.name)
        return real(engine, query, *args, **kw)

    monkeypatch.setattr(query_module, "run_on", counted)
    both = dashboards(engine, None, ("da", "en"))
    assert both == alone
    assert sorted(ran) == sorted(set(ran)) and len(ran) >= 2      # each dashboard query once, not twice


def test_a_page_not_ready_in_time_is_finished_and_kept_for_the_next_reader(web_data):
    """A reader whose page is not ready within the limit gets 503 with Retry-After and a
    sentence; the page is finished meanwhile (Settings.page_timeout) and the next reader
    gets it from the cache: one computation in all. With page_timeout 0 it is stopped."""
    import time

    from conftest import web_client

    with web_client(data_dirs=(web_data,), timeout=0.05, page_timeout=60, today=date(2025, 9, 1)) as http:
        ran = jobs_run(http.app.state.web)
        first = http.get("/", headers=HTML)
        assert first.status_code == 503 and first.headers["retry-after"] == "1"
        assert "den beregnes færdig (højst 60 sekunder i alt) og gemmes, så prøv igen om lidt" in first.text
        end = time.monotonic() + 60
        while (page := http.get("/", headers=HTML)).status_code == 503:
            assert time.monotonic() < end, "the page was not finished"
            time.sleep(0.2)
        assert page.status_code == 200 and "Nøgletal pr. 2025-08-20" in page.text
        assert ran == ["dashboard"]                     # the readers in between joined it
    with web_client(data_dirs=(web_data,), timeout=0.05, page_timeout=0, today=date(2025, 9, 1)) as http:
        stopped = http.get("/", headers=HTML)
    assert stopped.status_code == 503 and "stoppet efter 0.05 sekunder" in stopped.text


def test_milestone_states_are_the_same_for_a_subset_and_through_a_server(engine):
    """The states, evidence and reasons decided from the facts kept with the store are
    those decided from facts read through SPARQL (as from a server), and for a subset
    the same as for all."""
    from rammegraf import rounds

    class Remote:
        remote = True

        def query(self, query, bindings=None, **kw):
            return engine.query(query, bindings, **kw)

    day = date(2025, 9, 1)
    every = rounds.milestone_states(engine, day, within=150)
    subset = rounds.milestone_states(engine, day, within=150, milestones=[d.milestone for d in every[::2]])
    assert subset == every[::2]
    assert rounds.milestone_states(Remote(), day, within=150) == every
    assert {d.state for d in every} >= {"reached", "overdue", "on_hold"}


def test_each_bar_links_to_the_list_behind_it(engine):
    from rammegraf.web.jobs.dashboard import dashboard

    page = dashboard(engine, None, "da")
    phases = page["charts"][0]["chart"]["spec"]["data"]["values"]
    assert phases and {d.get("href") for d in phases} == {"/foresporgsler/status-i-rapport?date=2025-08-20"}
    areas = page["charts"][1]["chart"]["spec"]["data"]["values"]
    assert all(d["href"].startswith("/id/udviklingsomraade/") for d in areas)
    flow = page["overview"]["flow"]["spec"]["data"]["values"]
    assert {d.get("href") for d in flow} >= {"/runder/2025-08-20"}
    milestones = page["overview"]["milestones"]["spec"]["data"]["values"]
    assert milestones and all(d["href"].startswith("/id/milepael/") for d in milestones)


def test_frister_is_paged(client, monkeypatch):
    """At a million triples /frister has thousands of rows: a page of them, with the total and links."""
    from rammegraf.web import rounds as page_module

    monkeypatch.setattr(page_module, "PAGE", 4)
    first = client.get("/frister?as_of=2025-09-01&within=90&state=reached&state=overdue", headers=HTML).text
    assert len(rows_of(first)) == 4 and "Side 1 af" in first and "viser 1–4" in first
    following = re.search(r'<a href="([^"]+)" rel="next">', first).group(1).replace("&amp;", "&")
    assert "state=reached" in following and "state=overdue" in following and "side=2" in following
    second = client.get("/frister" + following, headers=HTML).text
    assert "viser 5–8" in second and rows_of(second) != rows_of(first)
    assert 'rel="prev"' in second
    alone = client.get("/frister?as_of=2025-09-01&within=90&side=x", headers=HTML)
    assert alone.status_code == 200 and "Side 1 af" in alone.text


def test_the_front_page_is_kept_beside_an_on_disk_store(web_data, tmp_path):
    """On an on-disk store the front page computed ahead is kept beside it (one store per
    version of the data), so a server started again reads it instead of computing it."""
    import time

    from conftest import web_client

    settings = dict(data_dirs=(web_data,), warm=True, in_memory_limit=0, cache=tmp_path / "cache")
    with web_client(**settings) as http:
        web = http.app.state.web
        end = time.monotonic() + 120
        while not all(web._kept(lang) is not None and web._kept(lang).is_file() for lang in ("da", "en")):
            assert time.monotonic() < end, "the front page was not kept"
            time.sleep(0.1)
        kept = web._kept("da")
        first = http.get("/", headers=HTML).text
    assert (tmp_path / "cache") in kept.parents and not list(kept.parent.glob(".forside-*.tmp"))
    with web_client(**settings) as http:
        web = http.app.state.web
        ran = jobs_run(web)
        end = time.monotonic() + 30
        while not all(k in web.cache for k in web.front_page_keys()):
            assert time.monotonic() < end, "the kept front page was not read"
            time.sleep(0.05)
        again = http.get("/", headers=HTML).text
        assert "dashboard" not in ran                    # read from beside the store, not computed
    assert again == first
